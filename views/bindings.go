package views

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/audit"
	"triage/ui"
)

// A tab's actions are data: one list of bindings from which its key
// dispatch, its help, its palette commands, the read-only gating and the
// rule that a write asks first are all derived. Adding an action to a tab
// is one entry in its list.

// binding is one action of a tab.
type binding struct {
	key   *key.Binding // the session's binding (rebindable, disabled for read-only); nil: palette only
	desc  string       // what it does; "" is the key's own description
	group string       // its help and palette group; "" is the tab's
	// write is the audit action the binding starts ("itm.comment"): a
	// read-only analyst is refused it, and it opens a form or a
	// confirmation before anything is sent.
	write string
	row   bool // needs a row under the cursor (or an item open)
	// marks names the palette command for the marked rows ("Comment on
	// the %d marked tickets"), offered while rows are marked.
	marks string
	// list is a key of every list (filter, refresh, mark): help shows it
	// under "Lists", the palette under the tab.
	list bool
	// nav is a key that moves (open, back): help lists it under "Lists",
	// the palette leaves it out.
	nav bool
	// shown says whether the binding exists in this configuration (a second
	// tenant, an Essentials organisation); nil is always.
	shown func() bool
	// when says whether the key applies in the tab's state now (list or
	// detail); when not, the key goes on to the table or the pane.
	when func() bool
	// disabled says why it cannot run now; "" when it can.
	disabled func() string
	// run does it; nil for keys documented in help only (keys of a form).
	run func() tea.Cmd
}

// bound is a tab whose actions are a binding list.
type bound interface {
	bindings() []binding
	// target is the tenant and the row an action applies to, for the audit
	// line of a refused write.
	where() (tenant, row string)
}

func (b binding) name() string {
	if b.desc != "" {
		return b.desc
	}
	if b.key != nil {
		return b.key.Help().Desc
	}
	return ""
}

func (b binding) isShown() bool { return b.shown == nil || b.shown() }

// help is the binding as help draws it: its key with its description.
func (b binding) help() key.Binding {
	h := *b.key
	h.SetHelp(b.key.Help().Key, b.name())
	return h
}

// press runs the first binding of bs whose key m is, and reports whether
// one was. A write of a read-only analyst is refused with an audit line.
func press(c *Common, tab bound, bs []binding, m tea.KeyMsg) (tea.Cmd, bool) {
	for _, b := range bs {
		if b.key == nil || b.run == nil || !b.isShown() || (b.when != nil && !b.when()) {
			continue
		}
		// Disabled bindings (writes of a read-only analyst) still match, to
		// be refused with a reason rather than ignored.
		if !slices.Contains(b.key.Keys(), m.String()) {
			continue
		}
		return invoke(c, tab, b), true
	}
	return nil, false
}

// invoke runs b for a key or the palette.
func invoke(c *Common, tab bound, b binding) tea.Cmd {
	tenant, row := tab.where()
	switch {
	case b.write != "" && !c.Analyst.CanWrite():
		// The refusal names the key's own action ("disable"), not help's
		// wording of it ("disable (y/N)").
		desc := b.name()
		if b.key != nil {
			desc = b.key.Help().Desc
		}
		return refuse(c, tenant, row, b.write, desc)
	case b.row && row == "":
		return nil
	}
	if b.disabled != nil {
		if why := b.disabled(); why != "" {
			return ui.Failf("%s", why)
		}
	}
	return b.run()
}

// refuse explains, instead of silently ignoring, a write asked for by a
// read-only analyst, and records the refusal in the audit log as the
// backend records a refused write: the tenant and the target are the tab's
// and the row's under the cursor.
func refuse(c *Common, tenant, target, action, desc string) tea.Cmd {
	who, sink := c.Analyst, c.Backends.Audit
	vendor, _, _ := strings.Cut(action, ".")
	msg := fmt.Sprintf("%s has the read-only role: %s is not available", who.Name, desc)
	return func() tea.Msg {
		if sink != nil {
			err := sink.Record(audit.Entry{Time: time.Now(), Analyst: who.Name, Role: who.Role, Fingerprint: who.Fingerprint, ClientAddr: who.Addr,
				Vendor: vendor, Tenant: tenant, Action: action, Target: target, Outcome: audit.Refused, Error: msg})
			if err != nil {
				return ui.ErrorMsg{Err: fmt.Errorf("%s, and the audit log could not record the refusal: %w", msg, err)}
			}
		}
		return ui.ErrorMsg{Err: errors.New(msg)}
	}
}

// helpGroups lists the bindings by group for help, in the list's order;
// list keys are in the console's own "Lists" group.
func helpGroups(tabName string, bs []binding) []ui.HelpGroup {
	var groups []ui.HelpGroup
	at := map[string]int{}
	for _, b := range bs {
		if b.key == nil || b.list || b.nav || !b.isShown() {
			continue
		}
		g := b.group
		if g == "" {
			g = tabName
		}
		i, ok := at[g]
		if !ok {
			i = len(groups)
			at[g] = i
			groups = append(groups, ui.HelpGroup{Title: g})
		}
		groups[i].Bindings = append(groups[i].Bindings, b.help())
	}
	return groups
}

// paletteActions are the bindings as palette commands: every one that
// runs, and for the marked rows the commands that act on them.
func paletteActions(c *Common, tab bound, tabName string, bs []binding, marked int) []Action {
	var out []Action
	for _, b := range bs {
		if b.run == nil || b.nav || !b.isShown() || b.marks != "" && b.key == nil && marked == 0 {
			continue
		}
		b := b
		group := b.group
		if group == "" || b.list {
			group = tabName
		}
		keyText := ""
		if b.key != nil {
			keyText = b.key.Help().Key
		}
		name := b.name()
		if name != "" {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		readOnly := b.write != "" && !c.Analyst.CanWrite()
		if readOnly {
			name += " (read-only: not available)"
		}
		run := func() tea.Cmd { return invoke(c, tab, b) }
		if b.key != nil {
			out = append(out, Action{Name: name, Key: keyText, Group: group, Run: run})
		}
		if b.marks != "" && marked > 0 && !readOnly {
			out = append(out, Action{Name: fmt.Sprintf(b.marks, marked), Key: keyText, Group: group, Run: run})
		}
	}
	return out
}

// writeKeys are the session's keys that write in some tab: a read-only
// analyst's are disabled, so help and the palette show them struck out.
func writeKeys(tabs []Tab) []*key.Binding {
	var out []*key.Binding
	for _, t := range tabs {
		if bt, ok := t.(bound); ok {
			for _, b := range bt.bindings() {
				if b.write != "" && b.key != nil && !slices.Contains(out, b.key) {
					out = append(out, b.key)
				}
			}
		}
	}
	return out
}
