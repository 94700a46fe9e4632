package views

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"triage/ui"
)

// TestAHugeWindowIsDrawnAtTheClamp: a terminal claiming 65535×65535 (stty
// rows 65535 cols 65535) gets a frame of at most ui.MaxWidth×ui.MaxHeight,
// on the list, in help and in a detail pane; a normal size after it is
// drawn at that size.
func TestAHugeWindowIsDrawnAtTheClamp(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.send(tea.WindowSizeMsg{Width: 65535, Height: 65535})
	check := func(what string) {
		t.Helper()
		ls := strings.Split(h.screen(), "\n")
		if len(ls) != ui.MaxHeight {
			t.Fatalf("%s: %d lines, want the clamp's %d", what, len(ls), ui.MaxHeight)
		}
		for i, l := range ls {
			if w := ansi.StringWidth(l); w > ui.MaxWidth {
				t.Fatalf("%s: line %d is %d cells wide, past the clamp's %d", what, i, w, ui.MaxWidth)
			}
		}
	}
	check("the list")
	h.typeKeys("enter")
	h.waitFor("Why it fired")
	check("the detail")
	h.typeKeys("esc", "?")
	h.waitFor("Everywhere")
	check("help")
	h.typeKeys("esc")
	h.send(tea.WindowSizeMsg{Width: 100, Height: 20})
	if n := len(strings.Split(h.screen(), "\n")); n != 20 {
		t.Fatalf("%d lines at 100×20", n)
	}
}
