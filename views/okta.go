package views

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/ui"
)

// oktaTab is tab 4: an Okta org's applications, its System Log and its
// groups, three panes switched with [ and ].
type oktaTab struct {
	c      *Common
	tenant int
	pane   oktaPane
	width  int
	height int
	apps   *appsPane
	log    *logPane
	groups *groupsPane

	modal   oktaModal
	prompt  *ui.Prompt
	picker  *ui.Picker
	confirm *ui.Confirm
	change  *oktaChange // the membership write being asked for
	looking string      // the person being looked up for it
	writing string      // the write under way
}

type oktaPane int

const (
	paneApps oktaPane = iota
	paneLog
	paneGroups
)

var paneNames = []string{"Apps", "System Log", "Groups"}

type oktaModal int

const (
	oktaNoModal oktaModal = iota
	oktaAppSearch
	oktaAssignCheck
	oktaLogQuery
	oktaTenant
	oktaGroupSearch
	oktaChangePerson  // who to add or assign
	oktaChangePick    // who to remove or unassign
	oktaChangeApp     // which app, for a person from the person view
	oktaChangeConfirm // y/N
)

func newOktaTab(c *Common) *oktaTab {
	t := &oktaTab{c: c}
	t.apps = newAppsPane(t)
	t.log = newLogPane(t)
	t.groups = newGroupsPane(t)
	return t
}

func (t *oktaTab) client() *okta.Client { return t.c.Backends.Okta[t.tenant] }

// Name implements Tab.
func (t *oktaTab) Name() string { return spec(t.Number()).Name }

// Number implements Tab.
func (t *oktaTab) Number() int { return 4 }

// Tenant implements Tab.
func (t *oktaTab) Tenant() string { return "okta/" + t.client().Tenant() }

// Init implements Tab: the apps load at once; the System Log, whose rate
// limit is the scarce one, when its pane is first shown.
func (t *oktaTab) Init() tea.Cmd { return t.apps.load() }

// Capturing implements Tab.
func (t *oktaTab) Capturing() bool {
	return t.modal != oktaNoModal || t.apps.filter.Typing() || t.log.filter.Typing() || t.groups.filter.Typing()
}

// Busy implements Tab.
func (t *oktaTab) Busy() string {
	switch {
	case t.writing != "":
		return t.writing
	case t.looking != "":
		return "Looking up " + t.looking + "…"
	case t.pane == paneLog:
		return t.log.busy()
	case t.pane == paneGroups:
		return t.groups.busy()
	}
	return t.apps.busy()
}

// Info implements Tab.
func (t *oktaTab) Info() string {
	switch t.pane {
	case paneLog:
		return t.log.info()
	case paneGroups:
		return t.groups.info()
	}
	return t.apps.info()
}

// SetSize implements Tab.
func (t *oktaTab) SetSize(w, h int) {
	t.width, t.height = w, h
	t.apps.setSize(w, h-1)
	t.log.setSize(w, h-1)
	t.groups.setSize(w, h-1)
}

// Refresh implements Tab: the visible pane's own refresh.
func (t *oktaTab) Refresh() tea.Cmd {
	if t.pane == paneLog {
		return t.log.refresh()
	}
	return nil
}

// Help implements Tab.
func (t *oktaTab) Help() []ui.HelpGroup {
	k := t.c.Keys
	groups := []ui.HelpGroup{
		{Title: "Okta", Bindings: []key.Binding{k.PrevPane, k.NextPane, relabel(k.Raw, "raw JSON (app, event)"),
			relabel(k.Copy, "copy the app or event id"), relabel(k.Browse, "open the app, or the event's actor, in the admin console")}},
		{Title: "Okta apps", Bindings: []key.Binding{relabel(k.Open, "app and its users"), relabel(k.Query, "search apps on Okta"),
			relabel(k.Query, "app: is a user assigned?"), relabel(k.Add, "app: assign a person (asks y/N)"),
			relabel(k.Remove, "app: unassign a person (asks y/N)"), relabel(k.Refresh, "reload the apps")}},
		{Title: "Okta groups", Bindings: []key.Binding{relabel(k.Open, "group and its members"), relabel(k.Query, "search groups by name on Okta"),
			relabel(k.Add, "group: add a person (asks y/N)"), relabel(k.Remove, "group: remove a person (asks y/N)"),
			relabel(k.Refresh, "reload")}},
		{Title: "Okta System Log", Bindings: []key.Binding{relabel(k.Query, "log query"), relabel(k.Tail, "tail new events"),
			relabel(k.Back, "stop a load, keep rows"), relabel(k.Pivot, "the actor's person view"), relabel(k.Refresh, "fetch new events once")}},
	}
	if len(t.c.Backends.Okta) > 1 {
		groups[0].Bindings = append(groups[0].Bindings, k.Tenant)
	}
	return groups
}

// Update implements Tab.
func (t *oktaTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case tea.KeyMsg:
		return t.key(m)
	case oktaAppsMsg:
		if m.tab == t {
			return t.apps.onPage(m)
		}
	case oktaAppUsersMsg:
		if m.tab == t {
			return t.apps.onUsers(m)
		}
	case oktaAssignMsg:
		if m.tab == t {
			return t.apps.onAssignment(m)
		}
	case oktaGroupsMsg:
		if m.tab == t {
			return t.groups.onPage(m)
		}
	case oktaMembersMsg:
		if m.tab == t {
			return t.groups.onMembers(m)
		}
	case oktaWhoMsg:
		if m.tab == t {
			return t.onWho(m)
		}
	case oktaChangeMsg:
		if m.tab == t {
			return t.onChange(m)
		}
	case oktaLogMsg:
		if m.tab == t {
			return t.log.onPage(m)
		}
	case oktaEventMsg:
		if m.tab == t {
			return t.log.onEvent(m)
		}
	case oktaTailTick:
		if m.tab == t {
			return t.log.onTailTick(m)
		}
	default:
		return tea.Batch(t.apps.table.Update(msg), t.log.table.Update(msg), t.groups.table.Update(msg), t.forward(msg))
	}
	return nil
}

// forward passes cursor blinks and the like to whatever has focus.
func (t *oktaTab) forward(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case t.prompt != nil:
		_, cmd = t.prompt.Update(msg)
	case t.picker != nil:
		_, cmd = t.picker.Update(msg)
	case t.pane == paneApps:
		cmd = t.apps.filter.Update(msg)
	case t.pane == paneGroups:
		cmd = t.groups.filter.Update(msg)
	default:
		cmd = t.log.filter.Update(msg)
	}
	return cmd
}

func (t *oktaTab) key(m tea.KeyMsg) tea.Cmd {
	if t.modal != oktaNoModal {
		return t.modalKey(m)
	}
	k := t.c.Keys
	switch {
	case t.apps.filter.Typing() && t.pane == paneApps:
		return t.apps.filter.Key(m)
	case t.log.filter.Typing() && t.pane == paneLog:
		return t.log.filter.Key(m)
	case t.groups.filter.Typing() && t.pane == paneGroups:
		return t.groups.filter.Key(m)
	case key.Matches(m, k.NextPane):
		return t.switchPane(1)
	case key.Matches(m, k.PrevPane):
		return t.switchPane(-1)
	case key.Matches(m, k.Tenant) && len(t.c.Backends.Okta) > 1:
		var items []ui.Item
		for i, c := range t.c.Backends.Okta {
			items = append(items, ui.Item{Label: c.Tenant(), Value: itoa(i)})
		}
		t.picker = ui.NewPicker(t.c.Styles, "Switch Okta org", items)
		t.modal = oktaTenant
		return nil
	}
	if cmd, ok := t.copyOpen(m); ok {
		return cmd
	}
	switch t.pane {
	case paneLog:
		return t.log.key(m)
	case paneGroups:
		return t.groups.key(m)
	}
	return t.apps.key(m)
}

// copyOpen copies the id under the cursor (an app's, an event's) and opens
// the admin console's page of the app, or of the open event's actor.
func (t *oktaTab) copyOpen(m tea.KeyMsg) (tea.Cmd, bool) {
	client := t.client()
	if t.pane == paneLog {
		id, url := t.log.table.CursorKey(), ""
		if e := t.log.event; t.log.open != "" && e != nil {
			id = t.log.open
			if e.Actor.Type == "User" && e.Actor.ID != "" {
				url = client.AdminURL("/admin/user/profile/view/" + string(e.Actor.ID))
			}
		}
		return copyOpen(t.c, m, "Okta event", id, url)
	}
	if t.pane == paneGroups {
		id := t.groups.open
		if id == "" {
			id = t.groups.table.CursorKey()
		}
		url := ""
		if id != "" {
			url = client.AdminURL("/admin/group/" + id)
		}
		return copyOpen(t.c, m, "Okta group", id, url)
	}
	id := t.apps.open
	if id == "" {
		id = t.apps.table.CursorKey()
	}
	url := ""
	if app, ok := t.apps.rows.get(id); ok && app.Name != "" {
		url = client.AdminURL("/admin/app/" + string(app.Name) + "/instance/" + id + "/")
	}
	return copyOpen(t.c, m, "Okta app", id, url)
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

// openPrompt asks for one line of text.
func (t *oktaTab) openPrompt(modal oktaModal, title, value, placeholder, help string) {
	t.prompt = ui.NewPrompt(t.c.Styles, title, value, placeholder)
	t.prompt.Help = help
	t.modal = modal
}

func (t *oktaTab) closeModal() {
	t.modal, t.prompt, t.picker, t.confirm, t.change = oktaNoModal, nil, nil, nil, nil
}

func (t *oktaTab) modalKey(m tea.KeyMsg) tea.Cmd {
	if cmd, ok := t.changeModalKey(m); ok {
		return cmd
	}
	if t.modal == oktaTenant {
		res, cmd := t.picker.Update(m)
		switch {
		case res.Cancelled:
			t.closeModal()
		case res.Done:
			t.closeModal()
			for i, c := range t.c.Backends.Okta {
				if itoa(i) == res.Item.Value && i != t.tenant {
					t.tenant = i
					t.apps.reset()
					t.log.reset()
					t.groups.reset()
					cmds := []tea.Cmd{t.apps.load()}
					switch t.pane {
					case paneLog:
						cmds = append(cmds, t.log.load())
					case paneGroups:
						cmds = append(cmds, t.groups.load())
					}
					// The note first: a load that fails at once must not be
					// covered by it on the status line.
					return tea.Sequence(ui.Toast("Okta org %s", c.Tenant()), tea.Batch(cmds...))
				}
			}
		}
		return cmd
	}
	out, cmd := t.prompt.Update(m)
	switch out {
	case ui.Cancelled:
		if t.modal == oktaChangePerson {
			t.closeModal()
			return ui.Toast("Nothing sent")
		}
		t.closeModal()
		return nil
	case ui.Submitted:
		text := strings.TrimSpace(t.prompt.Value())
		var err error
		switch t.modal {
		case oktaAppSearch:
			cmd, err = t.apps.search(text)
		case oktaAssignCheck:
			cmd, err = t.apps.checkAssignment(text)
		case oktaLogQuery:
			cmd, err = t.log.setQuery(text)
		case oktaGroupSearch:
			cmd, err = t.groups.search(text)
		case oktaChangePerson:
			cmd, err = t.lookUpPerson(text)
		}
		if err != nil {
			return ui.Fail(err) // the prompt stays open with what was typed
		}
		t.closeModal()
		return cmd
	}
	return cmd
}

// View implements Tab.
func (t *oktaTab) View() string {
	switch t.modal {
	case oktaTenant, oktaChangePick, oktaChangeApp:
		return ui.Center(t.c.Styles, t.width, t.height, t.picker.View(min(t.width, 80)))
	case oktaAppSearch, oktaAssignCheck, oktaLogQuery, oktaGroupSearch, oktaChangePerson:
		return ui.Center(t.c.Styles, t.width, t.height, t.prompt.View(min(t.width, 110)))
	case oktaChangeConfirm:
		return ui.Center(t.c.Styles, t.width, t.height, t.confirm.View(t.width))
	}
	body := t.apps.view()
	switch t.pane {
	case paneLog:
		body = t.log.view()
	case paneGroups:
		body = t.groups.view()
	}
	return t.paneBar() + "\n" + body
}

// paneBar names the panes, the one shown highlighted, and how to switch.
func (t *oktaTab) paneBar() string {
	st := t.c.Styles
	var parts []string
	for i, name := range paneNames {
		if oktaPane(i) == t.pane {
			parts = append(parts, st.TabActive.Render(name))
		} else {
			parts = append(parts, st.TabIdle.Render(name))
		}
	}
	k := t.c.Keys
	return strings.Join(parts, " ") + st.Muted.Render(fmt.Sprintf("  %s %s switch panes · %s", k.PrevPane.Help().Key, k.NextPane.Help().Key, t.client().Tenant()))
}
