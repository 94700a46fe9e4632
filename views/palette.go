package views

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/config"
	"triage/backend/prefs"
	"triage/ui"
)

// Action is one command of the palette: what it does, the key that does the
// same (so the palette teaches the keymap), and how to run it.
type Action struct {
	Name  string
	Key   string // shown, e.g. "c"; "" for commands without a key
	Group string
	Run   func() tea.Cmd
}

// actioner is a tab with palette commands beyond its keys (bulk actions,
// sorting, columns).
type actioner interface {
	Actions() []Action
}

// viewOpener is a tab that can open a saved view ([[views]] in config).
type viewOpener interface {
	// OpenView applies v if it is one of this tab's; false otherwise.
	OpenView(v config.View) (tea.Cmd, bool)
}

// actions lists every command the palette offers now: the visible tab's
// keys, then the console's own commands.
func (a *App) actions() []Action {
	var out []Action
	t := a.current()
	k := a.c.Keys
	if t != nil {
		out = append(out, paletteActions(a.c, t, t.Name(), t.bindings(), markedIn(t))...)
		if ac, ok := t.(actioner); ok {
			out = append(out, ac.Actions()...)
		}
		out = append(out, a.tableActions(t)...)
		out = append(out, Action{Name: "Follow the person (or asset) under the cursor everywhere", Key: keyOf(k.Pivot), Group: "Console",
			Run: func() tea.Cmd { return a.pivot(t) }})
	}
	if len(a.back) > 0 {
		out = append(out, Action{Name: "Go back where the last jump came from", Key: keyOf(k.Back), Group: "Console", Run: a.goBack})
	}
	for i, tab := range a.tabs {
		i := i
		out = append(out, Action{Name: "Go to " + tab.Name(), Key: keyOf(*k.Tab(tab.Number())),
			Group: "Tabs", Run: func() tea.Cmd { return a.switchTo(i) }})
	}
	for _, v := range a.c.Backends.Config.Views {
		v := v
		out = append(out, Action{Name: "Open saved view: " + v.Name, Group: "Saved views", Run: func() tea.Cmd { return a.openView(v) }})
	}
	out = append(out,
		Action{Name: "Show the audit log", Group: "Console", Run: a.showAudit},
		Action{Name: "Show messages: every error and note in full", Key: keyOf(k.Messages), Group: "Console", Run: func() tea.Cmd { a.showMessages(); return nil }},
		Action{Name: "Toggle theme (dark / light)", Group: "Console", Run: a.toggleTheme},
		Action{Name: "Help: every key", Key: keyOf(k.Help), Group: "Console", Run: func() tea.Cmd { a.overlay = overlayHelp; return nil }},
		Action{Name: "Quit", Key: keyOf(k.Quit), Group: "Console", Run: func() tea.Cmd { return tea.Quit }},
	)
	return out
}

// markedIn is how many rows of the tab's visible table are marked.
func markedIn(t Tab) int {
	if owner, ok := t.(tableOwner); ok {
		if tb := owner.Tables()[owner.ActiveTable()]; tb != nil {
			return len(tb.Marked())
		}
	}
	return 0
}

// openPicker offers a few commands in the palette's place (whom p should
// follow); they are not remembered as palette history.
func (a *App) openPicker(title string, acts []Action) {
	a.showPicker(title, acts, nil)
	a.pickerOnly = true
}

// openPalette shows every command, the recently used ones first in the
// order they were last used.
func (a *App) openPalette() {
	rank := map[string]int{}
	for i, name := range a.history {
		rank[name] = i + 1
	}
	a.showPicker("Command", a.actions(), rank)
}

// showPicker offers acts, the ranked ones first in their rank's order.
func (a *App) showPicker(title string, acts []Action, rank map[string]int) {
	a.pickerOnly = false
	a.paletteActs = map[string]Action{}
	var recent, rest []ui.Item
	for i, act := range acts {
		id := fmt.Sprint(i)
		a.paletteActs[id] = act
		detail := act.Group
		if act.Key != "" {
			detail = act.Key + " · " + act.Group
		}
		item := ui.Item{Label: act.Name, Detail: detail, Value: id}
		if rank[act.Name] > 0 {
			recent = append(recent, item)
		} else {
			rest = append(rest, item)
		}
	}
	slices.SortStableFunc(recent, func(x, y ui.Item) int { return rank[x.Label] - rank[y.Label] })
	a.palette = ui.NewPicker(a.c.Styles, title, append(recent, rest...))
	a.palette.Height = 14
	a.overlay = overlayPalette
}

func (a *App) paletteKey(m tea.KeyMsg) tea.Cmd {
	res, cmd := a.palette.Update(m)
	switch {
	case res.Cancelled:
		a.overlay, a.palette = overlayNone, nil
	case res.Done:
		a.overlay, a.palette = overlayNone, nil
		act := a.paletteActs[res.Item.Value]
		var save tea.Cmd
		if !a.pickerOnly {
			save = a.remember(act.Name)
		}
		if act.Run != nil {
			return tea.Batch(save, act.Run())
		}
		return save
	}
	return cmd
}

// historySize is how many recent commands the palette remembers.
const historySize = 30

// remember keeps the palette history, per analyst, across sessions.
func (a *App) remember(name string) tea.Cmd {
	others := slices.DeleteFunc(slices.Clone(a.history), func(s string) bool { return s == name })
	a.history = append([]string{name}, others...)
	if len(a.history) > historySize {
		a.history = a.history[:historySize]
	}
	return a.savePrefs(func(p *prefs.Prefs) { p.Remember(name, historySize) })
}

// openView switches to the tab a saved view belongs to and applies it.
func (a *App) openView(v config.View) tea.Cmd {
	for i, t := range a.tabs {
		if vo, ok := t.(viewOpener); ok {
			if cmd, mine := vo.OpenView(v); mine {
				return tea.Batch(a.switchTo(i), cmd, ui.Toast("Saved view %q", v.Name))
			}
		}
	}
	return ui.Failf("saved view %q: its tab %q is not configured here", v.Name, v.Tab)
}

// toggleTheme swaps dark and light colours in place: every part holds the
// session's *Styles, so one assignment recolours the whole console.
func (a *App) toggleTheme() tea.Cmd {
	next := "light"
	if a.theme == "light" || (a.theme == "auto" && !a.c.Styles.R.HasDarkBackground()) {
		next = "dark"
	}
	a.theme = next
	*a.c.Styles = *ui.NewStyles(a.c.Styles.R, next)
	return ui.Toast("Theme: %s", next)
}

// tableOwner is a tab whose tables the analyst can sort, trim and mark as
// seen; ids name them in the analyst's preferences.
type tableOwner interface {
	Tables() map[string]*ui.Table
	ActiveTable() string
}

// tableActions sorts and trims the visible tab's table from the palette.
func (a *App) tableActions(t Tab) []Action {
	owner, ok := t.(tableOwner)
	if !ok {
		return nil
	}
	id := owner.ActiveTable()
	tb := owner.Tables()[id]
	if tb == nil {
		return nil
	}
	col, desc := tb.Sort()
	var out []Action
	if col >= 0 {
		out = append(out, Action{Name: "Sort in the vendor's order", Group: t.Name(), Run: func() tea.Cmd { return a.sortTable(id, tb, -1, false) }})
	}
	for i, c := range tb.Columns() {
		i, title := i, strings.ToLower(c.Title)
		switch {
		case i == col && !desc:
			out = append(out, Action{Name: "Sort by " + title + ", descending", Group: t.Name(), Run: func() tea.Cmd { return a.sortTable(id, tb, i, true) }})
		case i != col || desc:
			out = append(out, Action{Name: "Sort by " + title, Group: t.Name(), Run: func() tea.Cmd { return a.sortTable(id, tb, i, false) }})
		}
		verb := "Hide"
		if tb.Hidden(i) {
			verb = "Show"
		}
		out = append(out, Action{Name: verb + " the " + title + " column", Group: t.Name(), Run: func() tea.Cmd {
			tb.SetHidden(i, verb == "Hide")
			return a.saveTable(id, tb)
		}})
	}
	return out
}

func (a *App) sortTable(id string, tb *ui.Table, col int, desc bool) tea.Cmd {
	return tea.Batch(tb.SortBy(col, desc), a.saveTable(id, tb))
}

// saveTable remembers a table's columns and sort for the analyst.
func (a *App) saveTable(id string, tb *ui.Table) tea.Cmd {
	col, desc := tb.Sort()
	sortBy := ""
	if col >= 0 {
		sortBy = tb.Columns()[col].Title
	}
	var hidden []string
	for i, c := range tb.Columns() {
		if tb.Hidden(i) {
			hidden = append(hidden, c.Title)
		}
	}
	return a.savePrefs(func(p *prefs.Prefs) {
		tp := p.Tabs[id]
		tp.SortBy, tp.SortDesc, tp.Hidden = sortBy, desc, hidden
		p.Tabs[id] = tp
	})
}

// applyPrefs puts the analyst's remembered columns, sort and last-seen
// times on every table.
func (a *App) applyPrefs(p prefs.Prefs) tea.Cmd {
	var cmds []tea.Cmd
	for _, t := range a.tabs {
		owner, ok := t.(tableOwner)
		if !ok {
			continue
		}
		for id, tb := range owner.Tables() {
			tp, ok := p.Tabs[id]
			if !ok {
				continue
			}
			tb.SetSeen(tp.LastSeen)
			for i, c := range tb.Columns() {
				tb.SetHidden(i, slices.Contains(tp.Hidden, c.Title))
			}
			for i, c := range tb.Columns() {
				if c.Title == tp.SortBy {
					cmds = append(cmds, tb.SortBy(i, tp.SortDesc))
				}
			}
		}
	}
	return tea.Batch(cmds...)
}

// markSeen records that the analyst has looked at the visible tab now: next
// session, rows newer than this are marked.
func (a *App) markSeen() tea.Cmd {
	owner, ok := a.current().(tableOwner)
	if !ok {
		return nil
	}
	now := a.c.now()
	ids := make([]string, 0, 2)
	for id := range owner.Tables() {
		ids = append(ids, id)
	}
	return a.savePrefs(func(p *prefs.Prefs) {
		for _, id := range ids {
			tp := p.Tabs[id]
			tp.LastSeen = now
			p.Tabs[id] = tp
		}
	})
}
