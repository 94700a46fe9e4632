package views

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"triage/backend/config"
	"triage/backend/identity"
)

// TestEveryTabAt80x24Golden walks every tab and pane at 80×24: each frame
// is the screen's size, no line is wider, columns give way by priority
// (the least important hidden, the rest cut with "…") and a line too long
// for the screen ends in "…". At 140×45 the same walk fits too.
func TestEveryTabAt80x24Golden(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{})
	walk := func(w, ht int) string {
		t.Helper()
		h.send(tea.WindowSizeMsg{Width: w, Height: ht})
		var out strings.Builder
		for _, step := range []struct{ keys, shows string }{
			{"1", "120 of 120 incidents"}, {"2", "120 incidents"}, {"3", "0 remediations"},
			{"4", "[Apps]"}, {"]", "[System Log]"}, {"]", "[Groups]"}, {"5", "120 people"},
		} {
			h.typeKeys(step.keys)
			frame := h.waitFor2(step.shows)
			ls := lines(frame)
			if len(ls) != ht {
				t.Fatalf("%d×%d: %d lines after %q", w, ht, len(ls), step.keys)
			}
			for _, l := range ls {
				if ansi.StringWidth(l) > w {
					t.Fatalf("%d×%d: a line wider than the screen after %q: %q", w, ht, step.keys, l)
				}
			}
			fmt.Fprintf(&out, "==== %s\n%s\n", step.keys, frame)
		}
		h.typeKeys("4", "]") // Okta back on its first pane, for the next walk
		return out.String()
	}
	narrow := walk(80, 24)
	for _, want := range []string{
		"  OBSERVED         SEVERITY STATUS         INCIDENT       USER",                  // ITM: the id and subject hide
		"  ID     UPDATED          SEVERITY STATUS                  ASSET      OWNER",     // SaaS
		"  NAME       EMAIL                      OKTA             ATLASSIAN   ESSENTIALS", // IAM: names narrow
	} {
		if !strings.Contains(narrow, want) {
			t.Errorf("at 80×24 no %q", want)
		}
	}
	walk(140, 45)
	// The journal's folder changes every run.
	h.golden(regexp.MustCompile(`journal /[^\n]*`).ReplaceAllString(narrow, "journal $$STATE"))
}

// TestSSHHeaderShortensTheFingerprintNotTheTabs: over SSH at 120 columns
// the header names every tab and enough of the key's fingerprint to check.
func TestSSHHeaderShortensTheFingerprintNotTheTabs(t *testing.T) {
	t.Parallel()
	fp := "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"
	h := newDriver(t, setup{loads: []int{1}, analyst: identity.Analyst{Name: "alice", Role: "responder", Fingerprint: fp},
		edit: func(c *config.Config) { c.Demo = false }}) // real tenants: no DEMO badge
	head := lines(h.waitFor2("120 of 120 incidents"))[0]
	for _, want := range []string{"[1 ITM tickets]", "2 SaaS incidents", "3 Remediations", "4 Okta", "5 IAM users", "alice SHA256:nThbg6kX… itm/demo"} {
		if !strings.Contains(head, want) {
			t.Fatalf("header %q lacks %q", head, want)
		}
	}
}
