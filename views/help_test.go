package views

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestHelpScrollsAt80x24: the help is taller than an 80×24 screen; j,
// pgdown and G scroll it to the tab's last key, k, pgup and g back, and it
// opens at the top again.
func TestHelpScrollsAt80x24(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("?")
	top := h.waitFor2("Help · j/k, pgdown/pgup, G/g scroll · esc closes")
	const last = "block / allow sender" // the ITM tab's last key
	if strings.Contains(top, last) || !strings.Contains(top, "Everywhere") {
		t.Fatalf("the help fits or does not start at the top:\n%s", top)
	}
	trim := func(ls []string) []string {
		for i, l := range ls {
			ls[i] = strings.TrimRight(l, " ")
		}
		return ls
	}
	full := trim(lines(h.app.helpView()))
	body := func(frame string) []string { return trim(lines(frame)[2:23]) } // between the header and the status line
	page := len(body(top))
	if len(full) <= page+1 {
		t.Fatalf("the help is %d lines: it fits at 80×24, the test would prove nothing", len(full))
	}
	h.typeKeys("j")
	if down := h.screen(); body(down)[0] != full[1] {
		t.Fatalf("j did not scroll one line:\n%s", down)
	}
	h.typeKeys("pgdown")
	if paged := h.screen(); body(paged)[0] != full[min(1+page, len(full)-page)] { // a page on, or the end
		t.Fatalf("pgdown did not scroll a page:\n%s", paged)
	}
	h.typeKeys("g", "G")
	bottom := h.screen()
	if !strings.Contains(bottom, last) || strings.Contains(bottom, "Everywhere") {
		t.Fatalf("G did not reach the end:\n%s", bottom)
	}
	h.typeKeys("k")
	if up := h.screen(); body(up)[1] != body(bottom)[0] {
		t.Fatalf("k did not scroll back one line:\n%s", up)
	}
	h.typeKeys("pgup", "g")
	if h.screen() != top {
		t.Fatalf("g did not return to the top:\n%s", h.screen())
	}
	h.typeKeys("G", "esc")
	h.waitFor("OBSERVED")
	h.typeKeys("?")
	if h.screen() != top {
		t.Fatalf("the help reopened where it was left:\n%s", h.screen())
	}
}
