package views

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/ui"
)

// oktaTab is tab 4: an Okta org's applications, its System Log and its
// groups, three panes switched with [ and ]. Each pane is a list of its
// own (table, filter, detail, requests); the tab's listTab holds the one
// modal slot, which every pane's forms share.
type oktaTab struct {
	listTab
	tenant int
	pane   oktaPane
	apps   *appsPane
	log    *logPane
	groups *groupsPane

	looking string // "Looking up li.chen@…", for a change
}

type oktaPane int

const (
	paneApps oktaPane = iota
	paneLog
	paneGroups
)

var paneNames = []string{"Apps", "System Log", "Groups"}

// oktaSection is what the tab asks of the pane shown.
type oktaSection interface {
	bindings() []binding
	target() string // the open item, else the row under the cursor
	url(id string) string
	busy() string
	info() string
	view() string
	front(tea.KeyMsg) (tea.Cmd, bool)
	listKey(tea.KeyMsg) tea.Cmd // a key no binding took
	forward(tea.Msg) tea.Cmd
	Capturing() bool
	setSize(w, h int)
	load() tea.Cmd
	reset() // forget what was loaded (another org)
}

func newOktaTab(c *Common) *oktaTab {
	t := &oktaTab{listTab: listTab{c: c}}
	t.apps = newAppsPane(t)
	t.log = newLogPane(t)
	t.groups = newGroupsPane(t)
	return t
}

func (t *oktaTab) client() *okta.Client { return t.c.Backends.Okta[t.tenant] }

// shown is the pane on screen.
func (t *oktaTab) shown() oktaSection { return t.sections()[t.pane] }

func (t *oktaTab) sections() []oktaSection { return []oktaSection{t.apps, t.log, t.groups} }

func (t *oktaTab) Name() string { return spec(t.Number()).Name }

func (t *oktaTab) Number() int { return 4 }

func (t *oktaTab) Tenant() string { return "okta/" + t.client().Tenant() }

// Init implements Tab: the apps load at once; the System Log, whose rate
// limit is the scarce one, when its pane is first shown.
func (t *oktaTab) Init() tea.Cmd { return t.apps.load() }

// Capturing implements Tab: a form, or the shown pane's filter.
func (t *oktaTab) Capturing() bool { return t.modal != nil || t.shown().Capturing() }

// Busy implements Tab: a write, a person being looked up, else the pane's
// load.
func (t *oktaTab) Busy() string { return t.busyWith(t.looking, t.shown().busy()) }

func (t *oktaTab) Info() string { return t.shown().info() }

// SetSize implements Tab: the panes go under the pane bar.
func (t *oktaTab) SetSize(w, h int) {
	t.width, t.height = w, h
	for _, s := range t.sections() {
		s.setSize(w, h-1)
	}
}

// Refresh implements Tab: the System Log fetches new events once.
func (t *oktaTab) Refresh() tea.Cmd {
	if t.pane == paneLog {
		return t.log.refresh()
	}
	return nil
}

// Help implements Tab: every pane's keys.
func (t *oktaTab) Help() []ui.HelpGroup {
	bs := t.tabBindings()
	for _, s := range t.sections() {
		bs = append(bs, s.bindings()...)
	}
	return helpGroups(t.Name(), bs)
}

func (t *oktaTab) where() (string, string) { return t.client().Tenant(), t.shown().target() }

// bindings implements bound: the tab's keys and the shown pane's.
func (t *oktaTab) bindings() []binding { return append(t.tabBindings(), t.shown().bindings()...) }

// tabBindings are the keys of every pane.
func (t *oktaTab) tabBindings() []binding {
	k := t.c.Keys
	what := map[oktaPane]string{paneApps: "Okta app", paneLog: "Okta event", paneGroups: "Okta group"}[t.pane]
	bs := []binding{
		{key: &k.PrevPane, run: func() tea.Cmd { return t.switchPane(-1) }},
		{key: &k.NextPane, run: func() tea.Cmd { return t.switchPane(1) }},
		{key: &k.Tenant, disabled: func() string { return oneTenant("Okta", "okta", t.c.Backends.Okta) }, run: t.openTenant},
	}
	return append(bs, t.copyBindings(what, "copy the app, event or group id", "open the app or group, or the event's actor, in the admin console",
		func() string { return t.shown().target() }, func(id string) string { return t.shown().url(id) })...)
}

func (t *oktaTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case tea.KeyMsg:
		return t.key(m)
	case oktaSharedMsg[okta.App]:
		return t.apps.onShared(m)
	case oktaPeopleMsg[okta.AppUser]:
		return t.apps.onPeople(m)
	case oktaAssignMsg:
		return t.apps.onAssignment(m)
	case oktaSharedMsg[okta.Group]:
		return t.groups.onShared(m)
	case oktaPeopleMsg[okta.User]:
		return t.groups.onPeople(m)
	case oktaWhoMsg:
		return t.onWho(m)
	case oktaChangeMsg:
		return t.onChange(m)
	case oktaGroupMsg:
		return t.groups.updated(*m.group)
	case oktaLogMsg:
		return t.log.onShared(m)
	case oktaEventMsg:
		return t.log.onEvent(m)
	case oktaTailTick:
		return t.log.onTailTick(m)
	}
	cmds := []tea.Cmd{}
	if t.modal != nil {
		cmds = append(cmds, t.modalUpdate(msg))
	}
	for _, s := range t.sections() {
		cmds = append(cmds, s.forward(msg))
	}
	return tea.Batch(cmds...)
}

func (t *oktaTab) key(m tea.KeyMsg) tea.Cmd {
	if cmd, ok := t.front(m); ok {
		return cmd
	}
	s := t.shown()
	if cmd, ok := s.front(m); ok {
		return cmd
	}
	if cmd, ok := press(t.c, t, t.bindings(), m); ok {
		return cmd
	}
	return s.listKey(m)
}

// switchPane moves to the next (or previous) pane; the System Log and the
// groups start loading the first time they are shown.
func (t *oktaTab) switchPane(delta int) tea.Cmd {
	t.pane = oktaPane((int(t.pane) + delta + len(paneNames)) % len(paneNames))
	switch {
	case t.pane == paneLog && !t.log.started:
		return t.log.load()
	case t.pane == paneGroups && !t.groups.started:
		return t.groups.load()
	}
	return nil
}

// openTenant switches org: every pane starts again, the apps and the pane
// shown load at once.
func (t *oktaTab) openTenant() tea.Cmd {
	var names []string
	for _, c := range t.c.Backends.Okta {
		names = append(names, c.Tenant())
	}
	return t.pickTenant("Switch Okta org", names, func(i int) tea.Cmd {
		if i == t.tenant {
			return nil
		}
		t.tenant = i
		for _, s := range t.sections() {
			s.reset()
		}
		cmds := []tea.Cmd{t.apps.load()}
		if t.pane != paneApps {
			cmds = append(cmds, t.shown().load())
		}
		// The note first: a load that fails at once must not be covered
		// by it on the status line.
		return tea.Sequence(ui.Toast("Okta org %s", names[i]), tea.Batch(cmds...))
	})
}

func (t *oktaTab) View() string {
	if v, ok := t.overlay(); ok {
		return v
	}
	return t.paneBar() + "\n" + t.shown().view()
}

// oktaWaiting says how long requests to an org's rate-limit bucket wait
// for the org's share of Okta's limit, which every session's loads share:
// "waiting for Okta's rate limit: 41 s"; "" when none waits.
func oktaWaiting(client *okta.Client, bucket string) string {
	if client == nil {
		return ""
	}
	until, ok := client.Waiting(bucket)
	if !ok {
		return ""
	}
	return waitingFor("Okta", time.Until(until))
}

// paneBar names the panes, the one shown highlighted, and how to switch.
func (t *oktaTab) paneBar() string {
	st := t.c.Styles
	var parts []string
	for i, name := range paneNames {
		style := st.TabIdle
		if oktaPane(i) == t.pane {
			style = st.TabActive
		}
		parts = append(parts, style.Render(name))
	}
	k := t.c.Keys
	return strings.Join(parts, " ") + st.Muted.Render(fmt.Sprintf("  %s %s switch panes · %s", k.PrevPane.Help().Key, k.NextPane.Help().Key, t.client().Tenant()))
}
