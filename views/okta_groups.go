package views

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/ui"
)

// groupsPageSize is how many groups one request lists; more page in as
// the cursor nears the end.
const groupsPageSize = 200

// groupMembersPage and groupMembersCap: an open group's members load page
// by page (by Link) up to the cap.
const (
	groupMembersPage = 200
	groupMembersCap  = 1000
)

// groupsPane lists the org's groups (f searches names on Okta); enter
// opens one with its members, where + adds a person and - removes one.
type groupsPane struct {
	t       *oktaTab
	rows    *groupRows
	table   *ui.Table
	filter  filterBar
	reqs    requests
	text    string // the search: a name prefix (Okta's q)
	started bool
	loading bool
	more    bool
	next    string

	// the open group
	open     string
	raw      bool
	detail   pane
	members  []okta.User
	pages    int
	err      error
	capped   bool
	loadingM bool
}

type (
	oktaGroupsMsg struct {
		tab   *oktaTab
		req   int
		first bool
		page  okta.Page[okta.Group]
		err   error
	}
	oktaMembersMsg struct {
		tab     *oktaTab
		group   string
		members []okta.User
		pages   int
		capped  bool
		err     error
	}
)

func newGroupsPane(t *oktaTab) *groupsPane {
	p := &groupsPane{t: t, rows: newGroupRows(), detail: newPane(t.c)}
	p.table = ui.NewTable(t.c.Styles, t.c.Keys, groupColumns)
	p.table.Empty = "No groups match. f searches again, / filters the rows."
	p.filter = newFilterBar(t.c.Styles, p.table)
	return p
}

func (p *groupsPane) setSize(w, h int) {
	p.table.SetSize(w, h-2)
	p.detail.SetSize(w, h)
	p.render(true)
}

func (p *groupsPane) reset() {
	p.reqs.stop()
	p.rows = newGroupRows()
	p.table.SetSource(p.rows)
	p.open, p.started, p.loading, p.more, p.next = "", false, false, false, ""
}

func (p *groupsPane) busy() string {
	switch {
	case p.loadingM:
		return fmt.Sprintf("Loading the group's members (%s so far)…", count(len(p.members)))
	case p.loading:
		return fmt.Sprintf("Loading Okta groups (%s so far)…", count(p.rows.Len()))
	}
	return ""
}

func (p *groupsPane) info() string {
	s := count(p.rows.Len()) + " groups"
	if p.more {
		s += " (more as you scroll)"
	}
	return infoLine(p.table, s)
}

// load lists the first page of the search; an earlier one is cancelled.
func (p *groupsPane) load() tea.Cmd {
	p.started = true
	ctx, req := p.reqs.next(p.t.c.Context())
	p.loading = true
	return p.fetch(ctx, req, true, "")
}

func (p *groupsPane) fetch(ctx context.Context, req int, first bool, next string) tea.Cmd {
	client, q, t := p.t.client(), okta.GroupQuery{Q: p.text, Limit: groupsPageSize}, p.t
	return func() tea.Msg {
		page, err := client.Groups(ctx, q, next)
		return oktaGroupsMsg{tab: t, req: req, first: first, page: page, err: err}
	}
}

func (p *groupsPane) loadMore() tea.Cmd {
	if !p.more || p.loading || !p.table.NearEnd(20) {
		return nil
	}
	p.loading = true
	return p.fetch(p.t.c.Context(), p.reqs.current(), false, p.next)
}

func (p *groupsPane) onPage(m oktaGroupsMsg) tea.Cmd {
	if m.req != p.reqs.current() {
		return nil
	}
	p.loading = false
	if m.err != nil {
		return ui.Fail(m.err)
	}
	if m.first {
		p.rows = newGroupRows()
	}
	p.rows.append(m.page.Items)
	p.next, p.more = m.page.Next, m.page.Next != ""
	p.table.SetSource(p.rows)
	return tea.Batch(p.table.Refilter(), p.loadMore())
}

// search lists the groups whose name starts with text (all when empty).
func (p *groupsPane) search(text string) (tea.Cmd, error) {
	p.text, p.open = text, ""
	p.rows = newGroupRows()
	p.table.SetSource(p.rows)
	return p.load(), nil
}

func (p *groupsPane) key(m tea.KeyMsg) tea.Cmd {
	k := p.t.c.Keys
	if p.open != "" {
		g, _ := p.rows.get(p.open)
		if refused := refuseWrite(p.t.c, m, p.t.client().Tenant(), p.open, writeKey{k.Add, "okta.group_add_user"},
			writeKey{k.Remove, "okta.group_remove_user"}); refused != nil {
			return refused
		}
		switch {
		case key.Matches(m, k.Back):
			p.open = ""
			return nil
		case key.Matches(m, k.Raw):
			p.raw = !p.raw
			p.render(false)
			return nil
		case key.Matches(m, k.Add):
			return p.t.askPerson(oktaChange{kind: chGroupAdd, target: p.open, targetName: string(g.Profile.Name)})
		case key.Matches(m, k.Remove):
			return p.t.pickPerson(oktaChange{kind: chGroupRemove, target: p.open, targetName: string(g.Profile.Name)}, memberItems(p.members))
		case key.Matches(m, k.Refresh):
			return p.openGroup(p.open)
		}
		return p.detail.Key(m)
	}
	switch {
	case key.Matches(m, k.Open):
		return p.openGroup(p.table.CursorKey())
	case key.Matches(m, k.Filter):
		p.filter.Open()
		return nil
	case key.Matches(m, k.Query):
		p.t.openPrompt(oktaGroupSearch, "Okta group search", p.text, "the group's name starts with, e.g. VPN",
			"Okta's q: a name prefix, any case · empty lists every group")
		return nil
	case key.Matches(m, k.Refresh):
		return p.load()
	case key.Matches(m, k.Back):
		if p.table.Filter() != "" {
			return p.table.SetFilter("")
		}
		return nil
	}
	if p.table.HandleKey(m) {
		return p.loadMore()
	}
	return nil
}

// openGroup shows a group and loads its members, page by page.
func (p *groupsPane) openGroup(id string) tea.Cmd {
	if id == "" {
		return nil
	}
	p.open, p.raw, p.members, p.err, p.capped, p.pages = id, false, nil, nil, false, 0
	p.loadingM = true
	p.render(false)
	client, ctx, t := p.t.client(), p.t.c.Context(), p.t
	return func() tea.Msg {
		m := oktaMembersMsg{tab: t, group: id}
		next := ""
		for {
			page, err := client.GroupMembers(ctx, id, groupMembersPage, next)
			if err != nil {
				m.err = err
				return m
			}
			m.pages++
			m.members = append(m.members, page.Items...)
			if next = page.Next; next == "" || len(page.Items) == 0 {
				return m
			}
			if len(m.members) >= groupMembersCap {
				m.capped = true
				return m
			}
		}
	}
}

func (p *groupsPane) onMembers(m oktaMembersMsg) tea.Cmd {
	if m.group != p.open {
		return nil
	}
	p.loadingM = false
	p.members, p.err, p.capped, p.pages = m.members, m.err, m.capped, m.pages
	p.render(true)
	if m.err != nil {
		return ui.Fail(m.err)
	}
	return nil
}

func (p *groupsPane) render(keep bool) {
	if p.open == "" {
		return
	}
	g, ok := p.rows.get(p.open)
	var content string
	switch {
	case !ok:
		content = p.t.c.Styles.Muted.Render("This group is no longer listed: esc goes back.")
	case p.raw:
		content = p.t.c.Styles.Section.Render("Raw JSON  ·  v back to the formatted view") + "\n" + ui.PrettyJSON(g.Raw)
	default:
		content = groupDoc(p.t.c.Styles, g, p, p.detail.Width())
	}
	p.detail.Show(content, keep)
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
	switch {
	case p.loadingM:
		d.Section("Members")
		d.Muted("  loading…")
	case p.err != nil:
		d.Section("Members")
		d.Line(st.Error.Render("  could not list them: ") + p.err.Error())
	default:
		title := fmt.Sprintf("Members (%s, %s)", count(len(p.members)), plural(p.pages, "page"))
		if p.capped {
			title = fmt.Sprintf("Members (first %s; the group has more)", count(len(p.members)))
		}
		d.Section(title)
		if len(p.members) == 0 {
			d.Muted("  nobody")
		} else {
			d.Line(st.Header.Render("  " + memberLine("LOGIN", "STATUS", "NAME", width)))
		}
		for _, u := range p.members {
			d.Line("  " + memberLine(u.Login(), string(u.Status), u.Profile.Name(), width))
		}
	}
	d.Line("")
	d.Muted("+ add a person · - remove one · v raw JSON · r reload · esc back")
	return d.String()
}

func memberLine(login, status, name string, width int) string {
	return ui.Fit(ui.Fit(login, 34)+" "+ui.Fit(status, 16)+" "+name, max(width-2, 10))
}

func (p *groupsPane) view() string {
	if p.open != "" {
		return p.detail.View()
	}
	search := p.text
	if search == "" {
		search = "all groups"
	}
	bar := p.t.c.Styles.Muted.Render("search: " + search + " · f change · enter opens the group and its members")
	return bar + "\n" + p.table.View() + "\n" + p.filter.View(p.t.width)
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

var groupColumns = []ui.Column{
	{Title: "NAME", Width: 24, Flex: 2},
	{Title: "TYPE", Width: 10},
	{Title: "MEMBERSHIP UPDATED", Width: 18},
	{Title: "DESCRIPTION", Width: 20, Flex: 3},
}

// groupRows is the groups table's source.
type groupRows struct {
	groups []okta.Group
	search []string
	index  map[string]int
}

func newGroupRows() *groupRows { return &groupRows{index: map[string]int{}} }

func (r *groupRows) append(groups []okta.Group) {
	for _, g := range groups {
		if _, dup := r.index[string(g.ID)]; dup {
			continue
		}
		r.index[string(g.ID)] = len(r.groups)
		r.groups = append(r.groups, g)
		r.search = append(r.search, strings.ToLower(strings.Join([]string{string(g.ID), string(g.Profile.Name), string(g.Type), string(g.Profile.Description)}, " ")))
	}
}

func (r *groupRows) get(id string) (okta.Group, bool) {
	if i, ok := r.index[id]; ok {
		return r.groups[i], true
	}
	return okta.Group{}, false
}

// Len implements ui.Source.
func (r *groupRows) Len() int { return len(r.groups) }

// Key implements ui.Source.
func (r *groupRows) Key(i int) string { return string(r.groups[i].ID) }

// Search implements ui.Source.
func (r *groupRows) Search(i int) string { return r.search[i] }

// Fresh implements ui.Source.
func (r *groupRows) Fresh(int) bool { return false }

// Cell implements ui.Source.
func (r *groupRows) Cell(i, col int) string {
	g := &r.groups[i]
	switch col {
	case groupColName:
		return string(g.Profile.Name)
	case groupColType:
		return string(g.Type)
	case groupColMembership:
		return timeCell(g.LastMembershipUpdated.Time)
	case groupColDescription:
		return string(g.Profile.Description)
	}
	return ""
}

// Tone implements ui.Source.
func (r *groupRows) Tone(i, col int) ui.Tone {
	switch col {
	case groupColType:
		if r.groups[i].Type != "OKTA_GROUP" {
			return ui.ToneMuted
		}
	case groupColMembership, groupColDescription:
		return ui.ToneMuted
	}
	return ui.ToneNone
}

// plural is "1 page", "3 pages".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}
