package views

import (
	"fmt"
	"slices"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"triage/ui"
)

// Moving around the console: the back stack a jump from the Person view
// pushes, where the cursor is, q going back before it quits, and quitting
// with a draft unsent.

// crumb is where the analyst was before a section of the Person view sent
// them to a tab: the tab under the view, the view itself, and how to put
// back every tab the jump changed (its query, filter, cursor, open item).
type crumb struct {
	active  int
	person  *personView
	restore []func() tea.Cmd
}

// backDepth bounds the back stack; the oldest place is forgotten first.
const backDepth = 10

// keeper is a tab whose place a jump can change: keep returns what puts it
// back as it is now, and does nothing when the jump left it alone.
type keeper interface {
	keep() func() tea.Cmd
}

// detailed is a tab that can show one item over its list; q (like esc)
// goes back to the list.
type detailed interface {
	inDetail() bool
}

// jump leaves the Person view for a tab, remembering where the analyst
// was: the back key returns there. The view keeps what it found.
func (a *App) jump(v *personView, open func(*App) tea.Cmd) tea.Cmd {
	c := crumb{active: a.active, person: v}
	for _, t := range a.tabs {
		if k, ok := t.(keeper); ok {
			c.restore = append(c.restore, k.keep())
		}
	}
	if len(a.back) == backDepth {
		if old := a.back[0].person; old != nil && old != v {
			old.cancel()
		}
		a.back = slices.Delete(a.back, 0, 1)
	}
	a.back = append(a.back, c)
	a.overlay, a.person = overlayNone, nil
	return open(a)
}

// goBack returns to the place on top of the back stack.
func (a *App) goBack() tea.Cmd {
	c := a.back[len(a.back)-1]
	a.back = a.back[:len(a.back)-1]
	cmds := []tea.Cmd{a.switchTo(c.active)}
	for _, r := range c.restore {
		cmds = append(cmds, r())
	}
	if c.person != nil {
		if a.person != nil && a.person != c.person {
			a.person.cancel()
		}
		a.person, a.overlay = c.person, overlayPerson
		c.person.pane.SetSize(a.width, a.bodyHeight())
		c.person.render()
	}
	return tea.Batch(cmds...)
}

// takesBack reports whether the tab has a use for the back key now: a form
// or the filter prompt is open, or one of its bindings applies (an open
// item, a filter to clear, a load to stop).
func (a *App) takesBack(t Tab) bool {
	if t.Capturing() {
		return true
	}
	if d, ok := t.(detailed); ok && d.inDetail() {
		return true
	}
	if f, ok := t.(interface{ fronted() bool }); ok && f.fronted() {
		return true
	}
	bt, ok := t.(bound)
	if !ok {
		return true
	}
	for _, b := range bt.bindings() {
		if b.key == nil || b.run == nil || !b.isShown() || (b.when != nil && !b.when()) {
			continue
		}
		if slices.ContainsFunc(a.c.Keys.Back.Keys(), func(k string) bool { return slices.Contains(b.key.Keys(), k) }) {
			return true
		}
	}
	return false
}

// backKey is the back key as a key press, for q and backspace.
func (a *App) backKey() tea.KeyMsg {
	if ks := a.c.Keys.Back.Keys(); len(ks) > 0 {
		return ui.Press(ks[0])
	}
	return tea.KeyMsg{Type: tea.KeyEsc}
}

// isInterrupt is ctrl+c, which quits from anywhere a text field does not
// take it; the other quit keys go back first.
func isInterrupt(m tea.KeyMsg) bool { return m.Type == tea.KeyCtrlC }

// quit leaves the console, asking first while a draft is unsent.
func (a *App) quit() tea.Cmd {
	bye := tea.Sequence(a.markSeen(), tea.Quit)
	lines := a.unsent()
	if len(lines) == 0 {
		return bye
	}
	a.ask = ui.NewConfirm(a.c.Styles, "Quit with unsent drafts?", "quit", lines...)
	a.askYes, a.askOver = func() tea.Cmd { return bye }, a.overlay
	a.overlay = overlayAsk
	return nil
}

// unsent describes the drafts the analyst has not sent, for the question
// before quitting.
func (a *App) unsent() []string {
	var out []string
	kept := "kept for your next session"
	if a.prefs == nil {
		kept = "lost on quitting (no state directory)"
	}
	for _, t := range a.tabs {
		switch t := t.(type) {
		case *itmTab:
			if n := len(t.drafts); n > 0 {
				out = append(out, fmt.Sprintf("%s: %s (c reopens it).", plural(n, "ITM comment draft"), kept))
			}
		case *iamTab:
			if t.newDraft != nil {
				out = append(out, "The IAM new-person form: it is lost on quitting (n reopens it until then).")
			}
		}
	}
	return out
}

// askKey answers the console's own question (quit with drafts?): y does
// it, any other key goes back.
func (a *App) askKey(m tea.KeyMsg) tea.Cmd {
	switch a.ask.Update(m) {
	case ui.Submitted:
		yes := a.askYes
		a.ask, a.askYes, a.overlay = nil, nil, a.askOver
		return yes()
	case ui.Cancelled:
		a.ask, a.askYes, a.overlay = nil, nil, a.askOver
		return ui.Toast("Not quitting")
	}
	return nil
}

// position is where the cursor is in the visible list: "row 12 of 480".
func position(t Tab) string {
	tb := cursorTable(t)
	if tb == nil || tb.Len() == 0 {
		return ""
	}
	return fmt.Sprintf("row %s of %s", count(tb.Position()+1), count(tb.Len()))
}

// statusInfo is the tab's counts on the status line, after the cursor's
// position unless the message on the left needs the room.
func (a *App) statusInfo(t Tab, busy string) string {
	info, pos := t.Info(), position(t)
	if pos == "" || a.overlay != overlayNone || a.status.Err() != "" {
		return info // an error takes the whole line
	}
	left := busy
	if msgs := a.status.Messages(); busy == "" && len(msgs) > 0 && a.c.now().Sub(msgs[len(msgs)-1].At) < ui.ToastHold {
		left = msgs[len(msgs)-1].Text
	}
	with := pos + " · " + info
	if left != "" && ansi.StringWidth(left)+ansi.StringWidth(with+"  ? help")+4 > a.width {
		return info
	}
	return with
}

// cursorTable is the table the tab's cursor moves in.
func cursorTable(t Tab) *ui.Table {
	switch t := t.(type) {
	case tableOwner:
		return t.Tables()[t.ActiveTable()]
	case *iamTab:
		return t.table
	}
	return nil
}
