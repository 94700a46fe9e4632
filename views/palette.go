package views

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
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
		for _, g := range t.Help() {
			if strings.HasPrefix(g.Title, "In ") {
				continue // keys inside a form, not commands
			}
			for _, b := range g.Bindings {
				out = append(out, a.keyAction(t, g.Title, b))
			}
		}
		for _, b := range []key.Binding{k.Filter, k.Refresh, k.Mark} {
			out = append(out, a.keyAction(t, t.Name(), b))
		}
		if ac, ok := t.(actioner); ok {
			out = append(out, ac.Actions()...)
		}
	}
	for i, tab := range a.tabs {
		i := i
		out = append(out, Action{Name: "Go to " + tab.Name(), Key: keyOf([]key.Binding{k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Tab5}[tab.Number()-1]),
			Group: "Tabs", Run: func() tea.Cmd { a.switchTo(i); return nil }})
	}
	for _, v := range a.c.Backends.Config.Views {
		v := v
		out = append(out, Action{Name: "Open saved view: " + v.Name, Group: "Saved views", Run: func() tea.Cmd { return a.openView(v) }})
	}
	out = append(out,
		Action{Name: "Show the audit log", Group: "Console", Run: a.showAudit},
		Action{Name: "Toggle theme (dark / light)", Group: "Console", Run: a.toggleTheme},
		Action{Name: "Help: every key", Key: keyOf(k.Help), Group: "Console", Run: func() tea.Cmd { a.overlay = overlayHelp; return nil }},
		Action{Name: "Quit", Key: keyOf(k.Quit), Group: "Console", Run: func() tea.Cmd { return tea.Quit }},
	)
	return out
}

// keyAction runs a tab's key binding by pressing its key.
func (a *App) keyAction(t Tab, group string, b key.Binding) Action {
	name := b.Help().Desc
	if name != "" {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	if !b.Enabled() {
		name += " (read-only: not available)"
	}
	keys := b.Keys()
	return Action{Name: name, Key: b.Help().Key, Group: group, Run: func() tea.Cmd {
		if len(keys) == 0 {
			return nil
		}
		return t.Update(ui.Press(keys[0]))
	}}
}

func keyOf(b key.Binding) string { return b.Help().Key }

// openPalette shows every command, the recently used ones first.
func (a *App) openPalette() {
	acts := a.actions()
	rank := map[string]int{}
	for i, name := range a.history {
		rank[name] = i + 1
	}
	var recent, rest []ui.Item
	a.paletteActs = map[string]Action{}
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
	// Recent commands in the order they were last used.
	for i := 1; i < len(recent); i++ {
		for j := i; j > 0 && rank[recent[j].Label] < rank[recent[j-1].Label]; j-- {
			recent[j], recent[j-1] = recent[j-1], recent[j]
		}
	}
	a.palette = ui.NewPicker(a.c.Styles, "Command", append(recent, rest...))
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
		save := a.remember(act.Name)
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
	a.history = append([]string{name}, without(a.history, name)...)
	if len(a.history) > historySize {
		a.history = a.history[:historySize]
	}
	return a.savePrefs(func(p *prefs.Prefs) { p.Remember(name, historySize) })
}

func without(list []string, s string) []string {
	out := list[:0:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// openView switches to the tab a saved view belongs to and applies it.
func (a *App) openView(v config.View) tea.Cmd {
	for i, t := range a.tabs {
		if vo, ok := t.(viewOpener); ok {
			if cmd, mine := vo.OpenView(v); mine {
				a.switchTo(i)
				return tea.Batch(cmd, ui.Toast("Saved view %q", v.Name))
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
