package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap holds every action's keys. Each action has a name (the field's
// tag) so config can rebind it and the palette and help can show it.
type KeyMap struct {
	Tab1, Tab2, Tab3, Tab4, Tab5 key.Binding
	NextTab, PrevTab             key.Binding
	Up, Down, Top, Bottom        key.Binding
	PageUp, PageDown             key.Binding
	HalfPageUp, HalfPageDown     key.Binding
	Open, Back                   key.Binding
	Refresh, Filter, Query       key.Binding
	Palette, Help, Quit          key.Binding
	Messages                     key.Binding
	Comment, Assign, Status      key.Binding
	Remediate, Email, Pivot      key.Binding
	New, Update, Disable, Enable key.Binding
	Copy, Browse, Mark           key.Binding
	Raw, Tenant, Apps            key.Binding
	PrevPane, NextPane, Tail     key.Binding
	Submit                       key.Binding
	// Block puts a sender on an Essentials block or allow list.
	Block key.Binding
	// Okta-only actions on a person (IAM users).
	Sessions, ResetPassword, ExpirePassword key.Binding
	// Okta memberships: add a person to the open group or assign them to
	// the open app, and the reverse.
	Add, Remove key.Binding
}

// DefaultKeyMap is the keymap the README documents; [keys] rebinds it.
func DefaultKeyMap() *KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(display(keys), help))
	}
	return &KeyMap{
		// The console names the tabs from its registry.
		Tab1: b("tab 1", "1"), Tab2: b("tab 2", "2"), Tab3: b("tab 3", "3"), Tab4: b("tab 4", "4"), Tab5: b("tab 5", "5"),
		NextTab: b("next tab", "tab"), PrevTab: b("previous tab", "shift+tab"),
		Up: b("up", "k", "up"), Down: b("down", "j", "down"), Top: b("first row", "g", "home"), Bottom: b("last row", "G", "end"),
		PageUp: b("page up", "pgup", "ctrl+b"), PageDown: b("page down", "pgdown", "ctrl+f"),
		HalfPageUp: b("half a page up", "ctrl+u"), HalfPageDown: b("half a page down", "ctrl+d"),
		Open: b("open detail", "enter"), Back: b("back / cancel", "esc"),
		Refresh: b("refresh", "r"), Filter: b("filter rows (~ fuzzy)", "/"), Query: b("server query", "f"),
		Palette: b("command palette", ":"), Help: b("help", "?"), Quit: b("quit", "q", "ctrl+c"),
		Messages: b("messages: every error and note in full", "!"),
		Comment:  b("comment", "c"), Assign: b("assign", "a"), Status: b("set status / close", "s"),
		Remediate: b("remediate", "x"), Email: b("raw email", "e"), Pivot: b("pivot on person", "p"),
		New: b("new", "n"), Update: b("update", "u"), Disable: b("disable", "d"), Enable: b("enable", "E"),
		Copy: b("copy id / URL", "y"), Browse: b("open in browser", "o"), Mark: b("mark the row, move down", " "),
		Raw: b("raw JSON", "v"), Tenant: b("switch tenant", "T"), Apps: b("filter by app", "A"),
		PrevPane: b("previous pane", "["), NextPane: b("next pane", "]"), Tail: b("tail", "t"),
		Submit:   b("submit", "ctrl+s"),
		Block:    b("block / allow sender", "b"),
		Sessions: b("Okta: clear sessions", "L"), ResetPassword: b("Okta: reset password", "R"),
		ExpirePassword: b("Okta: expire password", "X"),
		Add:            b("Okta: add to the group / assign the app", "+"), Remove: b("Okta: remove from the group / unassign the app", "-"),
	}
}

// Tab is the key of tab n (1..5), nil for another n.
func (k *KeyMap) Tab(n int) *key.Binding {
	tabs := []*key.Binding{&k.Tab1, &k.Tab2, &k.Tab3, &k.Tab4, &k.Tab5}
	if n < 1 || n > len(tabs) {
		return nil
	}
	return tabs[n-1]
}

// display writes keys the way help shows them.
func display(keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		switch k {
		case " ":
			k = "space"
		case "up":
			k = "↑"
		case "down":
			k = "↓"
		}
		out[i] = k
	}
	return strings.Join(out, "/")
}

// Named returns every binding by its action name, for rebinding from config
// and for the palette.
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{
		"tab1": &k.Tab1, "tab2": &k.Tab2, "tab3": &k.Tab3, "tab4": &k.Tab4, "tab5": &k.Tab5,
		"next_tab": &k.NextTab, "prev_tab": &k.PrevTab,
		"up": &k.Up, "down": &k.Down, "top": &k.Top, "bottom": &k.Bottom, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"half_page_up": &k.HalfPageUp, "half_page_down": &k.HalfPageDown,
		"open": &k.Open, "back": &k.Back, "refresh": &k.Refresh, "filter": &k.Filter, "query": &k.Query,
		"palette": &k.Palette, "help": &k.Help, "quit": &k.Quit, "messages": &k.Messages,
		"comment": &k.Comment, "assign": &k.Assign, "status": &k.Status, "remediate": &k.Remediate,
		"email": &k.Email, "pivot": &k.Pivot, "new": &k.New, "update": &k.Update, "disable": &k.Disable, "enable": &k.Enable,
		"copy": &k.Copy, "browse": &k.Browse, "mark": &k.Mark, "raw": &k.Raw, "tenant": &k.Tenant, "apps": &k.Apps,
		"prev_pane": &k.PrevPane, "next_pane": &k.NextPane, "tail": &k.Tail, "submit": &k.Submit,
		"block": &k.Block, "clear_sessions": &k.Sessions, "reset_password": &k.ResetPassword, "expire_password": &k.ExpirePassword,
		"add": &k.Add, "remove": &k.Remove,
	}
}

// Rebind replaces the keys of named actions. It reports unknown action names
// and keys bound to two actions that can fire in the same place.
func (k *KeyMap) Rebind(keys map[string][]string) error {
	named := k.Named()
	var problems []string
	for name, ks := range keys {
		b, ok := named[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("unknown action %q", name))
			continue
		}
		if len(ks) == 0 {
			problems = append(problems, fmt.Sprintf("%s: no keys given", name))
			continue
		}
		b.SetKeys(ks...)
		b.SetHelp(display(ks), b.Help().Desc)
	}
	owner := map[string]string{}
	names := make([]string, 0, len(named))
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "submit" {
			continue // only active inside editors, where no other action is
		}
		for _, key := range named[n].Keys() {
			if other, dup := owner[key]; dup {
				problems = append(problems, fmt.Sprintf("key %q is bound to both %s and %s", key, other, n))
			}
			owner[key] = n
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("keys: %s", strings.Join(problems, "; "))
	}
	return nil
}

// keyTypes maps bubbletea's key names ("enter", "ctrl+s", "pgdown") back to
// their types, built from bubbletea's own names.
var keyTypes = func() map[string]tea.KeyType {
	m := map[string]tea.KeyType{}
	for i := -200; i <= 127; i++ {
		if name := tea.KeyType(i).String(); name != "" {
			if _, seen := m[name]; !seen {
				m[name] = tea.KeyType(i)
			}
		}
	}
	return m
}()

// Press is the key message a key name stands for, so the palette can run an
// action by pressing its key.
func Press(name string) tea.KeyMsg {
	alt := false
	if rest, ok := strings.CutPrefix(name, "alt+"); ok && rest != "" {
		alt, name = true, rest
	}
	if name == " " || name == "space" {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}, Alt: alt}
	}
	if t, ok := keyTypes[name]; ok {
		return tea.KeyMsg{Type: t, Alt: alt}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name), Alt: alt}
}
