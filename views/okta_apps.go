package views

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/ui"
)

// appsPageSize is how many apps one request lists (Okta allows 200); more
// page in as the cursor nears the end.
const appsPageSize = 50

// appsPane lists the org's applications; enter opens one with the people
// assigned to it.
type appsPane struct {
	*oktaList[okta.App, okta.AppUser]
	query    okta.AppQuery
	user     string   // the search's user:, whose apps it lists
	checks   []string // answers of assignment checks, newest last
	checking string
}

// oktaAssignMsg is the answer of an assignment check.
type oktaAssignMsg struct {
	tab      *oktaTab
	app      string
	who      string
	user     *okta.User
	au       *okta.AppUser
	assigned bool
	err      error
}

func newAppsPane(t *oktaTab) *appsPane {
	p := &appsPane{oktaList: newOktaList[okta.App, okta.AppUser](t, appCols, "okta-apps", okta.AppsPath, "apps", "No applications match. f searches again, / filters the rows.")}
	p.near = appsPageSize / 5
	p.pager = func() func(context.Context, string) (okta.Page[okta.App], error) {
		client, q := t.client(), p.query
		q.Limit = appsPageSize
		return func(ctx context.Context, next string) (okta.Page[okta.App], error) { return client.Apps(ctx, q, next) }
	}
	p.peopleOf = func(id string) func(context.Context, string) (okta.Page[okta.AppUser], error) {
		client := t.client()
		return func(ctx context.Context, next string) (okta.Page[okta.AppUser], error) {
			return client.AppUsers(ctx, id, 500, next)
		}
	}
	p.doc = func(a *okta.App) string { return appDoc(t.c.Styles, *a, p, p.pane.Width()) }
	return p
}

// reset forgets the apps and their search (another org).
func (p *appsPane) reset() {
	p.oktaList.reset()
	p.query = okta.AppQuery{}
}

func (p *appsPane) busy() string {
	switch {
	case p.checking != "":
		return "Checking " + p.checking + "…"
	case p.loadingP:
		return "Loading the app's users…"
	}
	return p.loadBusy()
}

// bindings are the apps pane's keys; + and - act on the open app, else
// the one under the cursor.
func (p *appsPane) bindings() []binding {
	k, t := p.t.c.Keys, p.t
	inList := func() bool { return p.openKey == "" }
	bs := []binding{
		{key: &k.Query, desc: "search apps on Okta", group: "Okta apps", when: inList, run: p.openSearch},
		{key: &k.Query, desc: "app: is a user assigned?", group: "Okta apps", when: func() bool { return !inList() }, run: p.openCheck},
		{key: &k.Add, group: "Okta apps", write: "okta.app_assign_user", row: true, run: func() tea.Cmd { return t.askPerson(p.change(chAssign)) }},
		{key: &k.Remove, group: "Okta apps", write: "okta.app_unassign_user", row: true, run: p.unassign},
	}
	return append(bs, p.keys("Okta apps", p.openApp)...)
}

func (p *appsPane) change(kind changeKind) oktaChange {
	id := p.target()
	app, _ := p.rows.get(id)
	return oktaChange{kind: kind, target: id, targetName: string(app.Label)}
}

// unassign offers the open app's directly assigned people, or asks who
// when the app is not open.
func (p *appsPane) unassign() tea.Cmd {
	ch := p.change(chUnassign)
	if p.openKey == "" {
		return p.t.askPerson(ch)
	}
	var items []ui.Item
	for _, u := range p.people {
		if u.Scope == "USER" { // a group's assignment goes with the group
			items = append(items, ui.Item{Label: orDash(u.Profile.Get("name")), Detail: u.Login(), Value: string(u.ID)})
		}
	}
	if len(items) == 0 && len(p.people) > 0 {
		return ui.Failf("everyone listed in %s has it through a group: remove them from the group instead", ch.targetName)
	}
	return p.t.pickPerson(ch, items)
}

// openApp shows an app and loads the people assigned to it.
func (p *appsPane) openApp(id string) tea.Cmd {
	p.checks = nil
	return p.openObj(id)
}

func (p *appsPane) openSearch() tea.Cmd {
	pr := ui.NewPrompt(p.t.c.Styles, "Okta app search", p.text, "name or label prefix · status:active · user:li.chen@acme.example")
	pr.Help = "words: name or label starts with · status:active,inactive · user:<login or id> lists that person's apps · empty lists all"
	return p.t.show(ui.PromptModal(p.t.c.Styles, pr, func(text string) (tea.Cmd, error) { return p.searchApps(strings.TrimSpace(text)) }))
}

// searchApps reads the app search: words are a name or label prefix
// (Okta's q), status:active|inactive and user:<login or id> filter on the
// server.
func (p *appsPane) searchApps(text string) (tea.Cmd, error) {
	words, terms := splitWords(text)
	parsed, err := parseQuery(terms, "status", "user")
	if err != nil {
		return nil, fmt.Errorf("app search: %w", err)
	}
	q := okta.AppQuery{Q: strings.Join(words, " ")}
	var status []string
	var user string
	for _, term := range parsed {
		switch term.Name {
		case "status":
			for _, v := range term.Values {
				status = append(status, "status eq "+okta.Quote(strings.ToUpper(v)))
			}
		case "user":
			user = term.Values[0]
		}
	}
	q.Filter, q.Limit = orTerms(status), appsPageSize
	p.query, p.searched, p.user = q, nil, user
	if user != "" {
		// Okta filters apps by user id: the first page looks the login
		// up; the next link carries the filter.
		client := p.t.client()
		p.searched = func(ctx context.Context, next string) (okta.Page[okta.App], error) {
			if next != "" {
				return client.Apps(ctx, q, next)
			}
			u, err := client.User(ctx, user)
			if err != nil {
				return okta.Page[okta.App]{}, err
			}
			uq := q
			uq.Filter = okta.UserFilter(string(u.ID))
			if q.Filter != "" {
				uq.Filter += " and " + q.Filter
			}
			return client.Apps(ctx, uq, "")
		}
	}
	return p.search(text), nil
}

func (p *appsPane) openCheck() tea.Cmd {
	app, _ := p.rows.get(p.openKey)
	pr := ui.NewPrompt(p.t.c.Styles, "Is this person assigned to "+string(app.Label)+"?", "", "login or user id, e.g. li.chen@acme.example")
	pr.Help = "Okta answers 200 with the assignment, 404 when there is none"
	return p.t.show(ui.PromptModal(p.t.c.Styles, pr, func(text string) (tea.Cmd, error) { return p.checkAssignment(strings.TrimSpace(text)) }))
}

// checkAssignment asks Okta whether a person is assigned to the open app.
func (p *appsPane) checkAssignment(who string) (tea.Cmd, error) {
	if who == "" {
		return nil, fmt.Errorf("type a login or a user id")
	}
	app := p.openKey
	p.checking = who
	client, ctx, t := p.t.client(), p.t.c.Context(), p.t
	return func() tea.Msg {
		m := oktaAssignMsg{tab: t, app: app, who: who}
		m.user, m.err = client.User(ctx, who)
		if m.err == nil {
			m.au, m.assigned, m.err = client.Assignment(ctx, app, string(m.user.ID))
		}
		return m
	}, nil
}

func (p *appsPane) onAssignment(m oktaAssignMsg) tea.Cmd {
	p.checking = ""
	if m.err != nil {
		return ui.Fail(m.err)
	}
	app, _ := p.rows.get(m.app)
	who := cmp.Or(m.user.Login(), m.who)
	var line string
	if m.assigned {
		line = fmt.Sprintf("%s is assigned to %s: %s, scope %s", who, app.Label, orDash(string(m.au.Status)), orDash(string(m.au.Scope)))
		if !m.au.Created.IsZero() {
			line += ", since " + timeCell(m.au.Created.Time)
		}
	} else {
		line = fmt.Sprintf("%s (%s) is not assigned to %s", who, m.user.Status, app.Label)
	}
	if m.app == p.openKey {
		p.checks = append(p.checks, line)
		p.render(true)
	}
	return ui.Toast("%s", line)
}

func (p *appsPane) view() string { return p.screen("all apps", "enter opens the app and its users") }

// url is the app's page in the admin console.
func (p *appsPane) url(id string) string {
	if app, ok := p.rows.get(id); ok && app.Name != "" {
		return p.t.client().AdminURL("/admin/app/" + string(app.Name) + "/instance/" + id + "/")
	}
	return ""
}

// --- rows --------------------------------------------------------------------

const (
	appColLabel = iota
	appColName
	appColStatus
	appColMode
	appColCreated
	appColUpdated
)

var appCols = objCols[okta.App]{
	id: func(a *okta.App) string { return string(a.ID) },
	words: func(a *okta.App) []string {
		return []string{string(a.ID), string(a.Label), string(a.Name), string(a.Status), string(a.SignOnMode)}
	},
	columns: []objCol[okta.App]{
		{ui.Column{Title: "LABEL", Width: 22, Flex: 3, Min: 16, Priority: 9}, func(a *okta.App) string { return string(a.Label) }},
		{ui.Column{Title: "NAME", Width: 18, Flex: 1, Min: 10, Priority: 5}, func(a *okta.App) string { return string(a.Name) }},
		{ui.Column{Title: "STATUS", Width: 8, Priority: 8}, func(a *okta.App) string { return string(a.Status) }},
		{ui.Column{Title: "SIGN-ON MODE", Width: 14, Min: 10, Priority: 6}, func(a *okta.App) string { return string(a.SignOnMode) }},
		{ui.Column{Title: "CREATED", Width: 16, Priority: 3}, func(a *okta.App) string { return timeCell(a.Created.Time) }},
		{ui.Column{Title: "LAST UPDATED", Width: 16, Priority: 4}, func(a *okta.App) string { return timeCell(a.LastUpdated.Time) }},
	},
	tone: func(a *okta.App, col int) ui.Tone {
		switch col {
		case appColStatus:
			if a.Status != "ACTIVE" {
				return ui.ToneMuted
			}
			return ui.ToneGood
		case appColCreated, appColUpdated, appColName:
			return ui.ToneMuted
		}
		return ui.ToneNone
	},
	sort: func(a *okta.App, col int) string {
		switch col {
		case appColCreated:
			return sortTime(a.Created.Time)
		case appColUpdated:
			return sortTime(a.LastUpdated.Time)
		}
		return ""
	},
	raw: func(a *okta.App) []byte { return a.Raw },
}

// listsApps says whether the search lists the apps of the person an
// assignment changed (user: their login or id): it is read again then.
func (p *appsPane) listsApps(ch oktaChange) bool {
	u := strings.ToLower(p.user)
	return u != "" && p.text != "" && (u == strings.ToLower(ch.user) || strings.Contains(strings.ToLower(ch.person), "<"+u+">"))
}
