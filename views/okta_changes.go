package views

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/backend/settle"
	"triage/ui"
)

// The Okta tab's membership writes: adding a person to a group or removing
// them, assigning a person to an app or unassigning them. Each names the
// person and the group or app in a y/N confirmation; the client refuses it
// for a read-only analyst and audits it; a lost answer is read back once.

type changeKind int

const (
	chGroupAdd changeKind = iota
	chGroupRemove
	chAssign
	chUnassign
)

// changeWords: the confirmation's title ("Add Li Chen to Contractors?"),
// its y, the busy line, the note when done, and the client's write.
var changeWords = map[changeKind]struct {
	title, to, yes, doing, done, what string
	send                              func(*okta.Client, context.Context, string, string) settle.Outcome[bool]
}{
	chGroupAdd:    {"Add", "to", "add them to the group", "Adding", "added to", "Okta group", (*okta.Client).AddToGroupOnce},
	chGroupRemove: {"Remove", "from", "remove them from the group", "Removing", "removed from", "Okta group", (*okta.Client).RemoveFromGroupOnce},
	chAssign:      {"Assign", "to", "assign them the app (scope USER)", "Assigning", "assigned to", "Okta app", (*okta.Client).AssignUserOnce},
	chUnassign:    {"Unassign", "from", "unassign them", "Unassigning", "unassigned from", "Okta app", (*okta.Client).UnassignUserOnce},
}

// oktaChange is one membership write: the group or app, and the person.
type oktaChange struct {
	kind       changeKind
	target     string // the group's or app's id
	targetName string
	user       string // the user's id
	person     string // "Li Chen <li.chen@acme.example>"
}

type (
	// oktaWhoMsg is the person looked up for a change, and for a change
	// begun from the person view, the apps to choose among.
	oktaWhoMsg struct {
		tab    *oktaTab
		change oktaChange
		user   *okta.User
		apps   []ui.Item
		pick   bool // choose the app next
		err    error
	}
	oktaChangeMsg struct {
		tab    *oktaTab
		change oktaChange
		out    settle.Result
	}
)

func personLabel(u *okta.User) string {
	if n := u.Profile.Name(); n != "" {
		return n + " <" + u.Login() + ">"
	}
	return u.Login()
}

// askPerson asks who to add or assign (or remove, when nobody is listed:
// a login or an id), then confirms.
func (t *oktaTab) askPerson(ch oktaChange) tea.Cmd {
	w := changeWords[ch.kind]
	p := ui.NewPrompt(t.c.Styles, fmt.Sprintf("%s who %s %s?", w.title, w.to, ch.targetName), "", "login or user id, e.g. li.chen@acme.example")
	p.Help = "the person is looked up, then you confirm"
	f := &changeForm{}
	f.Modal = ui.PromptModal(t.c.Styles, p, func(text string) (tea.Cmd, error) {
		cmd, err := t.lookUpPerson(ch, strings.TrimSpace(text))
		f.answered = err == nil
		return cmd, err
	})
	return t.show(f)
}

// lookUpPerson resolves what was typed for the change being asked.
func (t *oktaTab) lookUpPerson(ch oktaChange, who string) (tea.Cmd, error) {
	if who == "" {
		return nil, fmt.Errorf("type a login or a user id")
	}
	client, ctx := t.client(), t.c.Context()
	t.looking = "Looking up " + who + "…"
	return func() tea.Msg {
		u, err := client.User(ctx, who)
		return oktaWhoMsg{tab: t, change: ch, user: u, err: err}
	}, nil
}

// pickPerson offers the people listed (a group's members, an app's
// assigned users) to remove or unassign.
func (t *oktaTab) pickPerson(ch oktaChange, items []ui.Item) tea.Cmd {
	if len(items) == 0 {
		return ui.Failf("nobody is listed in %s to %s", ch.targetName, strings.ToLower(changeWords[ch.kind].title))
	}
	w := changeWords[ch.kind]
	return t.pick(ui.NewPicker(t.c.Styles, fmt.Sprintf("%s who %s %s?", w.title, w.to, ch.targetName), items), func(it ui.Item) tea.Cmd {
		ch.user, ch.person = it.Value, it.Label
		if it.Detail != "" {
			ch.person += " <" + it.Detail + ">"
		}
		return t.confirmChange(ch)
	})
}

// pick opens a picker of a change; closing it says nothing was sent.
func (t *oktaTab) pick(p *ui.Picker, then func(ui.Item) tea.Cmd) tea.Cmd {
	f := &changeForm{}
	f.Modal = ui.PickerModal(t.c.Styles, p, func(it ui.Item) tea.Cmd { f.answered = true; return then(it) })
	return t.show(f)
}

// changeForm is a form of a change: closed without an answer, it says
// nothing was sent.
type changeForm struct {
	ui.Modal
	answered bool
}

func (f *changeForm) Update(msg tea.Msg) (bool, tea.Cmd) {
	done, cmd := f.Modal.Update(msg)
	if done && !f.answered {
		return true, ui.Toast("Nothing sent")
	}
	return done, cmd
}

// changeFor starts an app assignment (or unassignment) of a person from
// the person view: the person is looked up, then the app chosen among the
// apps listed (to assign) or the person's own (to unassign).
func (t *oktaTab) changeFor(email string, kind changeKind) tea.Cmd {
	client, ctx := t.client(), t.c.Context()
	listed := appItems(t.apps.rows.objects())
	t.looking = "Looking up " + email + "…"
	return func() tea.Msg {
		m := oktaWhoMsg{tab: t, change: oktaChange{kind: kind}, pick: true}
		m.user, m.err = client.User(ctx, email)
		if m.err != nil {
			return m
		}
		m.apps = listed
		if kind == chUnassign || len(listed) == 0 {
			q := okta.AppQuery{Limit: 200}
			if kind == chUnassign {
				q.Filter = okta.UserFilter(string(m.user.ID))
			}
			page, err := client.Apps(ctx, q, "")
			if err != nil {
				m.err = err
				return m
			}
			m.apps = appItems(page.Items)
		}
		return m
	}
}

// appItems are apps to choose among, by label, their name beside.
func appItems(apps []okta.App) []ui.Item {
	items := make([]ui.Item, 0, len(apps))
	for _, a := range apps {
		items = append(items, ui.Item{Label: string(a.Label), Detail: string(a.Name), Value: string(a.ID)})
	}
	return items
}

func (t *oktaTab) onWho(m oktaWhoMsg) tea.Cmd {
	t.looking = ""
	if m.err != nil {
		return ui.Fail(m.err)
	}
	ch := m.change
	ch.user, ch.person = string(m.user.ID), personLabel(m.user)
	if !m.pick {
		return t.confirmChange(ch)
	}
	if len(m.apps) == 0 {
		return ui.Failf("%s has no apps to unassign", ch.person)
	}
	w := changeWords[ch.kind]
	p := ui.NewPicker(t.c.Styles, fmt.Sprintf("%s %s %s which app?", w.title, ch.person, w.to), m.apps)
	p.Custom = "app id"
	return t.pick(p, func(it ui.Item) tea.Cmd {
		ch.target, ch.targetName = it.Value, orDash(it.Label)
		return t.confirmChange(ch)
	})
}

// confirmChange asks y/N, naming the person and the group or app.
func (t *oktaTab) confirmChange(ch oktaChange) tea.Cmd {
	w := changeWords[ch.kind]
	lines := []string{ch.person, fmt.Sprintf("%s: %s (%s) · org %s", w.what, ch.targetName, ch.target, t.client().Tenant())}
	switch ch.kind {
	case chGroupRemove:
		lines = append(lines, "Apps the group grants them go with it.")
	case chUnassign:
		lines = append(lines, "Their app profile is lost; a provisioning app may deactivate them there.", "Okta refuses while a group grants the app.")
	}
	c := ui.NewConfirm(t.c.Styles, fmt.Sprintf("%s %s %s %s?", w.title, orDash(nameOnly(ch.person)), w.to, ch.targetName), w.yes, lines...)
	return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd { return t.send(ch) }, func() tea.Cmd { return ui.Toast("Nothing sent") }))
}

// nameOnly is the name part of "Name <login>".
func nameOnly(person string) string {
	for i := 0; i < len(person); i++ {
		if person[i] == '<' && i > 0 {
			return person[:i-1]
		}
	}
	return person
}

// send makes the change (settled in the backend: a lost answer is read
// back once).
func (t *oktaTab) send(ch oktaChange) tea.Cmd {
	client, ctx, w := t.client(), t.c.Context(), changeWords[ch.kind]
	t.writing = fmt.Sprintf("%s %s…", w.doing, ch.person)
	return func() tea.Msg {
		return oktaChangeMsg{tab: t, change: ch, out: w.send(client, ctx, ch.target, ch.user).Result}
	}
}

func (t *oktaTab) onChange(m oktaChangeMsg) tea.Cmd {
	t.writing = ""
	ch, w := m.change, changeWords[m.change.kind]
	if !m.out.Applied() {
		return ui.Failf("%s %s %s %s: %v", w.title, ch.person, w.to, ch.targetName, m.out.Err)
	}
	// The open group or app shows the change.
	var reload tea.Cmd
	switch {
	case (ch.kind == chGroupAdd || ch.kind == chGroupRemove) && t.groups.openKey == ch.target:
		reload = t.groups.openObj(ch.target)
	case (ch.kind == chAssign || ch.kind == chUnassign) && t.apps.openKey == ch.target:
		reload = t.apps.openApp(ch.target)
	case (ch.kind == chAssign || ch.kind == chUnassign) && t.apps.listsApps(ch):
		reload = t.apps.refresh() // the person's apps, for every session on the search
	}
	note := ""
	if m.out.Lost != "" {
		note = " (" + m.out.Lost + "; reading back shows it applied)"
	}
	return tea.Batch(reload, t.readGroup(ch), ui.Toast("%s %s %s%s", ch.person, w.done, ch.targetName, note))
}

// oktaGroupMsg is a group read again after a change of its members.
type oktaGroupMsg struct {
	tab   *oktaTab
	group *okta.Group
}

// readGroup reads a group again after a member was added or removed: Okta
// moves its lastMembershipUpdated, which the groups list shows, so every
// session on the list sees the change. A failed read leaves the row as it
// was; the change itself is made.
func (t *oktaTab) readGroup(ch oktaChange) tea.Cmd {
	if ch.kind != chGroupAdd && ch.kind != chGroupRemove {
		return nil
	}
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		g, err := client.Group(ctx, ch.target)
		if err != nil || g == nil {
			return nil
		}
		return oktaGroupMsg{tab: t, group: g}
	}
}
