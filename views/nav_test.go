package views

import (
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/prefs"
	"triage/backend/sim"
)

// p, a section, enter: tab 1 runs the person's query. esc returns to the
// Person view, and esc again to the list as it was: its query, its rows
// (not asked for again) and the row under the cursor.
func TestBackReturnsToTheQueryAndTheRowAJumpLeft(t *testing.T) {
	t.Parallel()
	for _, back := range []string{"esc", "backspace"} {
		t.Run(back, func(t *testing.T) {
			t.Parallel()
			h := newDriver(t, setup{loads: []int{1}})
			h.waitFor("120 of 120 incidents")
			h.typeKeys("j", "j", "j", "j", "j")
			h.waitFor("row 6 of 120", "query: since:30d")
			tab := tabOf[*itmTab](h.app)
			cursor := tab.table.CursorKey()
			row, _ := tab.rows.get(cursor)
			email := row.person

			h.typeKeys("p")
			h.waitFor("Person:", email)
			for i := 0; i < 12 && !strings.Contains(selectedSection(h.screen()), "ITM incidents"); i++ {
				h.typeKeys("down")
			}
			h.typeKeys("enter")
			h.waitFor("query: since:90d person:" + email)
			queries := len(h.sim.ITM.Queries("POST /v2/apis/activity/event-queries"))

			h.typeKeys(back)
			h.waitFor("Person:", email, "enter opens its tab (esc there comes back)")
			h.typeKeys(back)
			frame := h.waitFor2("query: since:30d")
			if !strings.Contains(frame, "row 6 of 120 · 120 of 120 incidents") || tab.table.CursorKey() != cursor {
				t.Fatalf("back did not return to row 6 (%s), cursor on %s:\n%s", cursor, tab.table.CursorKey(), frame)
			}
			if n := len(h.sim.ITM.Queries("POST /v2/apis/activity/event-queries")); n != queries {
				t.Fatalf("going back asked ITM %d more times; the rows were kept", n-queries)
			}
			if len(h.app.back) != 0 || h.app.person != nil {
				t.Fatalf("back stack %d, person view %v after returning", len(h.app.back), h.app.person != nil)
			}
		})
	}
}

// The status line says where the cursor is; ctrl+d and ctrl+u move half
// a page (the table shows 26 rows at this size).
func TestStatusLineShowsTheRowAndHalfPagesMove(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("row 1 of 120 · 120 of 120 incidents")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlD})
	h.waitFor("row 14 of 120")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlD})
	h.waitFor("row 27 of 120")
	h.typeKeys("ctrl+u")
	h.waitFor("row 14 of 120")
	h.typeKeys("G")
	h.waitFor("row 120 of 120")
	h.typeKeys("/")
	h.typeText("li.chen")
	h.typeKeys("enter")
	frame := h.screen()
	shown := tabOf[*itmTab](h.app).table.Len()
	if shown == 0 || shown == 120 || !strings.Contains(frame, "of "+itoa(shown)+" · ") {
		t.Fatalf("the position does not count the %d rows shown:\n%s", shown, frame)
	}
}

// G with pages left loads every one of them, saying how far it has got,
// and lands on the last row of the whole result.
func TestGLoadsToTheLastRowShowingProgress(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, sim: sim.Options{Rows: 1300}})
	h.waitFor("row 1 of 500 · 500 of 1,300 incidents")
	var progress []string
	h.observe = func() {
		if b := h.app.busy(); strings.HasPrefix(b, "Loading to the last row") {
			progress = append(progress, b)
		}
	}
	before := len(h.sim.ITM.Queries("POST /v2/apis/activity/event-queries"))
	h.typeKeys("G")
	h.waitFor("row 1,300 of 1,300 · 1,300 of 1,300 incidents")
	if n := len(h.sim.ITM.Queries("POST /v2/apis/activity/event-queries")) - before; n != 2 {
		t.Fatalf("G asked for %d pages, want the 2 left", n)
	}
	want := "Loading to the last row: 1,000 of 1,300 ITM incidents… esc stops"
	found := false
	for _, p := range progress {
		found = found || p == want
	}
	if !found {
		t.Fatalf("no %q while loading; saw %q", want, progress)
	}
	// With everything loaded, G is the table's own: the last row at once.
	h.typeKeys("g", "G")
	h.waitFor("row 1,300 of 1,300")
}

// quits reports whether cmd, run to its end, quits the program.
func quits(cmd tea.Cmd) bool {
	if cmd == nil || isTimer(cmd) {
		return false
	}
	msg := cmd()
	switch m := msg.(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range m {
			if quits(c) {
				return true
			}
		}
		return false
	}
	if v := reflect.ValueOf(msg); isSequence(v) {
		for i := range v.Len() {
			if quits(v.Index(i).Interface().(tea.Cmd)) {
				return true
			}
		}
	}
	return false
}

// quitsOn presses k and reports whether that quits the program; when it
// does not, what the key started is run as usual.
func quitsOn(h *driver, k string) bool {
	_, cmd := h.app.Update(keyMsg(k))
	if quits(cmd) {
		return true
	}
	h.run(cmd)
	h.settle()
	return false
}

// q in an open ticket or the Person view goes back; at the list it quits,
// asking first while a comment draft is unsent. ctrl+c in the comment
// editor closes it keeping the draft, as its footer says.
func TestQGoesBackThenQuitsAskingAboutDrafts(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("enter")
	tab := tabOf[*itmTab](h.app)
	if tab.mode != detailMode {
		t.Fatal("enter opened no ticket")
	}
	if quitsOn(h, "q") || tab.mode != listMode {
		t.Fatalf("q in an open ticket did not go back to the list (mode %d)", tab.mode)
	}
	h.typeKeys("p")
	h.waitFor("Person:")
	if quitsOn(h, "q") || h.app.person != nil {
		t.Fatal("q in the Person view did not close it")
	}

	h.typeKeys("c")
	h.waitFor("esc or ctrl+c close, keep the draft")
	h.typeText("half-written")
	if quitsOn(h, "ctrl+c") || tab.Capturing() {
		t.Fatal("ctrl+c in the editor did not close it")
	}
	h.waitFor("Draft kept")
	if quitsOn(h, "q") {
		t.Fatal("q quit with a draft unsent, without asking")
	}
	h.waitFor("Quit with unsent drafts?", "1 ITM comment draft: kept for your next session")
	h.typeKeys("n")
	h.waitFor("Not quitting", "120 of 120 incidents")
	quitsOn(h, "q")
	if !quitsOn(h, "y") {
		t.Fatal("y did not quit")
	}
}

// A comment draft closed with esc is there after a restart, and one
// emptied is gone.
func TestCommentDraftsSurviveARestart(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	session := func() *driver {
		h := newDriver(t, setup{loads: []int{1}, stateDir: state})
		h.waitFor("120 of 120 incidents")
		return h
	}
	first := session()
	first.typeKeys("c")
	first.typeText("Called the user; waiting on HR.")
	first.typeKeys("esc")
	first.waitFor("Draft kept")

	second := session()
	second.typeKeys("c")
	second.waitFor("Called the user; waiting on HR.")
	second.typeKeys("ctrl+u", "esc") // empties the line, then closes

	p, err := prefs.Open(state, "alice").Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Drafts) != 0 {
		t.Fatalf("an emptied draft is still saved: %q", p.Drafts)
	}
	third := session()
	third.typeKeys("c")
	if strings.Contains(third.screen(), "Called the user") {
		t.Fatalf("the emptied draft came back:\n%s", third.screen())
	}
}

// The palette offers every action: following the person under the
// cursor, and T, which with one tenant says so.
func TestPaletteFollowsAndOneTenantSaysSo(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys(":")
	h.typeText("follow the person")
	h.typeKeys("enter")
	h.waitFor("Person:")
	h.typeKeys("esc", "T")
	h.waitFor("ITM has one tenant here (demo): add another [[itm]] to config.toml to switch")
	h.typeKeys(":")
	h.typeText("switch tenant")
	h.waitFor("Switch tenant", "T · ITM tickets")
}

// In the Okta apps pane, G follows Okta's next links to the last page and
// goes to the last app.
func TestGInOktaAppsLoadsEveryPage(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	h.waitFor("row 1 of 50 · 50 apps (more as you scroll)")
	h.typeKeys("G")
	frame := h.screen()
	apps := tabOf[*oktaTab](h.app).apps
	n := count(apps.rows.Len())
	if apps.rows.more || apps.rows.Len() <= 50 || !strings.Contains(frame, "row "+n+" of "+n+" · "+n+" apps  ") {
		t.Fatalf("G did not load every app and go to the last (%s loaded, more %v):\n%s", n, apps.rows.more, frame)
	}
}
