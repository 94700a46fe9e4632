package views

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/ui"
)

// oktaTab is tab 4: an Okta org's applications and its System Log, two
// panes switched with [ and ].
type oktaTab struct {
	c      *Common
	tenant int
	pane   oktaPane
	width  int
	height int
	apps   *appsPane
	log    *logPane

	modal  oktaModal
	prompt *ui.Prompt
	picker *ui.Picker
}

type oktaPane int

const (
	paneApps oktaPane = iota
	paneLog
)

var paneNames = []string{"Apps", "System Log"}

type oktaModal int

const (
	oktaNoModal oktaModal = iota
	oktaAppSearch
	oktaAssignCheck
	oktaLogQuery
	oktaTenant
)

func newOktaTab(c *Common) *oktaTab {
	t := &oktaTab{c: c}
	t.apps = newAppsPane(t)
	t.log = newLogPane(t)
	return t
}

func (t *oktaTab) client() *okta.Client { return t.c.Backends.Okta[t.tenant] }

// Name implements Tab.
func (t *oktaTab) Name() string { return "Okta" }

// Number implements Tab.
func (t *oktaTab) Number() int { return 4 }

// Tenant implements Tab.
func (t *oktaTab) Tenant() string { return "okta/" + t.client().Tenant() }

// Init implements Tab: the apps load at once; the System Log, whose rate
// limit is the scarce one, when its pane is first shown.
func (t *oktaTab) Init() tea.Cmd { return t.apps.load() }

// Capturing implements Tab.
func (t *oktaTab) Capturing() bool {
	return t.modal != oktaNoModal || t.apps.filter.Typing() || t.log.filter.Typing()
}

// Busy implements Tab.
func (t *oktaTab) Busy() string {
	if t.pane == paneLog {
		return t.log.busy()
	}
	return t.apps.busy()
}

// Info implements Tab.
func (t *oktaTab) Info() string {
	if t.pane == paneLog {
		return t.log.info()
	}
	return t.apps.info()
}

// SetSize implements Tab.
func (t *oktaTab) SetSize(w, h int) {
	t.width, t.height = w, h
	t.apps.setSize(w, h-1)
	t.log.setSize(w, h-1)
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
			relabel(k.Query, "app: is a user assigned?"), relabel(k.Refresh, "reload the apps")}},
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
		return tea.Batch(t.apps.table.Update(msg), t.log.table.Update(msg), t.forward(msg))
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
	case key.Matches(m, k.NextPane), key.Matches(m, k.PrevPane):
		return t.switchPane()
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
	if t.pane == paneLog {
		return t.log.key(m)
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

// switchPane flips between Apps and the System Log; the log starts
// loading the first time it is shown.
func (t *oktaTab) switchPane() tea.Cmd {
	if t.pane == paneApps {
		t.pane = paneLog
		if !t.log.started {
			return t.log.load()
		}
		return nil
	}
	t.pane = paneApps
	return nil
}

// openPrompt asks for one line of text.
func (t *oktaTab) openPrompt(modal oktaModal, title, value, placeholder, help string) {
	t.prompt = ui.NewPrompt(t.c.Styles, title, value, placeholder)
	t.prompt.Help = help
	t.modal = modal
}

func (t *oktaTab) closeModal() { t.modal, t.prompt, t.picker = oktaNoModal, nil, nil }

func (t *oktaTab) modalKey(m tea.KeyMsg) tea.Cmd {
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
					cmds := []tea.Cmd{t.apps.load()}
					if t.pane == paneLog {
						cmds = append(cmds, t.log.load())
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
	case oktaTenant:
		return ui.Center(t.c.Styles, t.width, t.height, t.picker.View(min(t.width, 80)))
	case oktaAppSearch, oktaAssignCheck, oktaLogQuery:
		return ui.Center(t.c.Styles, t.width, t.height, t.prompt.View(min(t.width, 110)))
	}
	body := t.apps.view()
	if t.pane == paneLog {
		body = t.log.view()
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
