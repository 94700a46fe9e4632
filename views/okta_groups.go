package views

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/ui"
)

// groupsPageSize is how many groups one request lists; more page in as
// the cursor nears the end.
const groupsPageSize = 200

// groupMembersPage is how many members one request lists.
const groupMembersPage = 200

// groupsPane lists the org's groups (f searches names on Okta); enter
// opens one with its members, where + adds a person and - removes one.
type groupsPane struct {
	*oktaList[okta.Group, okta.User]
}

func newGroupsPane(t *oktaTab) *groupsPane {
	p := &groupsPane{newOktaList[okta.Group, okta.User](t, groupCols, "okta-groups", okta.GroupsPath, "groups", "No groups match. f searches again, / filters the rows.")}
	p.near = 20
	p.pager = func() func(context.Context, string) (okta.Page[okta.Group], error) {
		client, q := t.client(), okta.GroupQuery{Q: p.text, Limit: groupsPageSize}
		return func(ctx context.Context, next string) (okta.Page[okta.Group], error) {
			return client.Groups(ctx, q, next)
		}
	}
	p.peopleOf = func(id string) func(context.Context, string) (okta.Page[okta.User], error) {
		client := t.client()
		return func(ctx context.Context, next string) (okta.Page[okta.User], error) {
			return client.GroupMembers(ctx, id, groupMembersPage, next)
		}
	}
	p.doc = func(g *okta.Group) string { return groupDoc(t.c.Styles, *g, p, p.pane.Width()) }
	return p
}

func (p *groupsPane) busy() string {
	switch {
	case p.loadingP:
		return fmt.Sprintf("Loading the group's members (%s so far)…", count(len(p.people)))
	}
	return p.loadBusy()
}

// bindings are the groups pane's keys; + and - act on the open group,
// else the one under the cursor.
func (p *groupsPane) bindings() []binding {
	k, t := p.t.c.Keys, p.t
	bs := []binding{
		{key: &k.Query, desc: "search groups by name on Okta", group: "Okta groups", when: func() bool { return p.openKey == "" }, run: p.openSearch},
		{key: &k.Add, group: "Okta groups", write: "okta.group_add_user", row: true, run: func() tea.Cmd { return t.askPerson(p.change(chGroupAdd)) }},
		{key: &k.Remove, group: "Okta groups", write: "okta.group_remove_user", row: true, run: func() tea.Cmd {
			if p.openKey == "" {
				return t.askPerson(p.change(chGroupRemove))
			}
			return t.pickPerson(p.change(chGroupRemove), memberItems(p.people))
		}},
	}
	return append(bs, p.keys("Okta groups", p.openObj)...)
}

func (p *groupsPane) change(kind changeKind) oktaChange {
	id := p.target()
	g, _ := p.rows.get(id)
	return oktaChange{kind: kind, target: id, targetName: string(g.Profile.Name)}
}

func (p *groupsPane) openSearch() tea.Cmd {
	pr := ui.NewPrompt(p.t.c.Styles, "Okta group search", p.text, "the group's name starts with, e.g. VPN")
	pr.Help = "Okta's q: a name prefix, any case · empty lists every group"
	return p.t.show(ui.PromptModal(p.t.c.Styles, pr, func(text string) (tea.Cmd, error) {
		return p.search(strings.TrimSpace(text)), nil
	}))
}

func (p *groupsPane) view() string {
	return p.screen("all groups", "enter opens the group and its members")
}

// url is the group's page in the admin console.
func (p *groupsPane) url(id string) string {
	if id == "" {
		return ""
	}
	return p.t.client().AdminURL("/admin/group/" + id)
}

// groupDoc renders a group and its members.
func groupDoc(st *ui.Styles, g okta.Group, p *groupsPane, width int) string {
	d := ui.NewDoc(st, width)
	d.Section(fmt.Sprintf("%s  ·  %s", orDash(string(g.Profile.Name)), g.ID))
	d.Field("Description", string(g.Profile.Description))
	d.Field("Type", string(g.Type))
	d.Field("Created", timeCell(g.Created.Time))
	d.Field("Members changed", timeCell(g.LastMembershipUpdated.Time))
	if g.Type != "" && g.Type != "OKTA_GROUP" {
		d.Muted("Okta manages this group's members itself: + and - act on OKTA_GROUP groups only.")
	}
	p.peopleSection(d, "Members", ", "+plural(p.pages, "page"), "nobody", memberLine("LOGIN", "STATUS", "NAME", width), func(u *okta.User) string {
		return memberLine(u.Login(), string(u.Status), u.Profile.Name(), width)
	})
	d.Line("")
	d.Muted("+ add a person · - remove one · v raw JSON · r reload · esc back")
	return d.String()
}

func memberLine(login, status, name string, width int) string {
	return ui.Fit(ui.Fit(login, 34)+" "+ui.Fit(status, 16)+" "+name, max(width-2, 10))
}

// memberItems are people to choose among, by name, their login beside.
func memberItems(users []okta.User) []ui.Item {
	items := make([]ui.Item, 0, len(users))
	for _, u := range users {
		items = append(items, ui.Item{Label: orDash(u.Profile.Name()), Detail: u.Login(), Value: string(u.ID)})
	}
	return items
}

// --- rows --------------------------------------------------------------------

const (
	groupColName = iota
	groupColType
	groupColMembership
	groupColDescription
)

var groupCols = objCols[okta.Group]{
	id: func(g *okta.Group) string { return string(g.ID) },
	words: func(g *okta.Group) []string {
		return []string{string(g.ID), string(g.Profile.Name), string(g.Type), string(g.Profile.Description)}
	},
	columns: []objCol[okta.Group]{
		{ui.Column{Title: "NAME", Width: 24, Flex: 2, Min: 16, Priority: 9}, func(g *okta.Group) string { return string(g.Profile.Name) }},
		{ui.Column{Title: "TYPE", Width: 10, Priority: 6}, func(g *okta.Group) string { return string(g.Type) }},
		{ui.Column{Title: "MEMBERSHIP UPDATED", Width: 18, Priority: 4}, func(g *okta.Group) string { return timeCell(g.LastMembershipUpdated.Time) }},
		{ui.Column{Title: "DESCRIPTION", Width: 20, Flex: 3, Min: 10, Priority: 5}, func(g *okta.Group) string { return string(g.Profile.Description) }},
	},
	tone: func(g *okta.Group, col int) ui.Tone {
		switch col {
		case groupColType:
			if g.Type != "OKTA_GROUP" {
				return ui.ToneMuted
			}
		case groupColMembership, groupColDescription:
			return ui.ToneMuted
		}
		return ui.ToneNone
	},
	raw: func(g *okta.Group) []byte { return g.Raw },
}

// plural is "1 page", "3 pages".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}
