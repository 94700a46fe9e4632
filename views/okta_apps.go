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

// appsPageSize is how many apps one request lists (Okta allows 200); more
// page in as the cursor nears the end.
const appsPageSize = 50

// appUsersCap bounds the assigned users listed in an app's detail.
const appUsersCap = 1000

// appsPane lists the org's applications; enter opens one with the people
// assigned to it.
type appsPane struct {
	t       *oktaTab
	rows    *appRows
	table   *ui.Table
	filter  filterBar
	reqs    requests
	query   okta.AppQuery
	text    string // the search as typed
	loading bool
	more    bool
	next    string

	// the open app
	open     string
	raw      bool
	detail   pane
	users    []okta.AppUser
	usersErr error
	capped   bool
	loadingU bool
	checks   []string // answers of assignment checks, newest last
	checking string
}

type (
	oktaAppsMsg struct {
		tab   *oktaTab
		req   int
		first bool
		page  okta.Page[okta.App]
		err   error
	}
	oktaAppUsersMsg struct {
		tab    *oktaTab
		app    string
		users  []okta.AppUser
		capped bool
		err    error
	}
	oktaAssignMsg struct {
		tab      *oktaTab
		app      string
		who      string
		user     *okta.User
		au       *okta.AppUser
		assigned bool
		err      error
	}
)

func newAppsPane(t *oktaTab) *appsPane {
	p := &appsPane{t: t, rows: newAppRows(), detail: newPane(t.c)}
	p.table = ui.NewTable(t.c.Styles, t.c.Keys, appColumns)
	p.table.Empty = "No applications match. f searches again, / filters the rows."
	p.filter = newFilterBar(t.c.Styles, p.table)
	return p
}

func (p *appsPane) setSize(w, h int) {
	p.table.SetSize(w, h-2)
	p.detail.SetSize(w, h)
	p.render(true)
}

func (p *appsPane) reset() {
	p.reqs.stop()
	p.rows = newAppRows()
	p.table.SetSource(p.rows)
	p.open, p.loading, p.more, p.next = "", false, false, ""
}

func (p *appsPane) busy() string {
	switch {
	case p.checking != "":
		return "Checking " + p.checking + "…"
	case p.loadingU:
		return "Loading the app's users…"
	case p.loading:
		return fmt.Sprintf("Loading Okta apps (%s so far)…", count(p.rows.Len()))
	}
	return ""
}

func (p *appsPane) info() string {
	s := count(p.rows.Len()) + " apps"
	if p.more {
		s += " (more as you scroll)"
	}
	return infoLine(p.table, s)
}

// load lists the first page of the current search; an earlier one is
// cancelled.
func (p *appsPane) load() tea.Cmd {
	ctx, req := p.reqs.next(p.t.c.Context())
	p.loading = true
	return p.fetch(ctx, req, true, "")
}

func (p *appsPane) fetch(ctx context.Context, req int, first bool, next string) tea.Cmd {
	client, q, t := p.t.client(), p.query, p.t
	q.Limit = appsPageSize
	return func() tea.Msg {
		page, err := client.Apps(ctx, q, next)
		return oktaAppsMsg{tab: t, req: req, first: first, page: page, err: err}
	}
}

// loadMore follows the next link when the cursor nears the end.
func (p *appsPane) loadMore() tea.Cmd {
	if !p.more || p.loading || !p.table.NearEnd(appsPageSize/5) {
		return nil
	}
	p.loading = true
	return p.fetch(p.t.c.Context(), p.reqs.current(), false, p.next)
}

func (p *appsPane) onPage(m oktaAppsMsg) tea.Cmd {
	if m.req != p.reqs.current() {
		return nil
	}
	p.loading = false
	if m.err != nil {
		return ui.Fail(m.err)
	}
	if m.first {
		p.rows = newAppRows()
	}
	p.rows.append(m.page.Items)
	p.next, p.more = m.page.Next, m.page.Next != ""
	p.table.SetSource(p.rows)
	return tea.Batch(p.table.Refilter(), p.loadMore())
}

// search reads the app search: words are a name or label prefix (Okta's
// q), status:active|inactive and user:<login or id> filter on the server.
func (p *appsPane) search(text string) (tea.Cmd, error) {
	var words []string
	var terms []string
	for _, tok := range splitQuoted(text) {
		if name, _, ok := strings.Cut(tok, ":"); ok && isTermName(name) {
			terms = append(terms, tok)
		} else {
			words = append(words, strings.Trim(tok, `"`))
		}
	}
	parsed, err := parseQuery(strings.Join(terms, " "), "status", "user")
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
	p.text, p.open = text, ""
	p.rows = newAppRows()
	p.table.SetSource(p.rows)
	ctx, req := p.reqs.next(p.t.c.Context())
	p.loading = true
	if user == "" {
		q.Filter = orTerms(status)
		p.query = q
		return p.fetch(ctx, req, true, ""), nil
	}
	// Okta filters apps by user id: look the login up first.
	client, t := p.t.client(), p.t
	return func() tea.Msg {
		u, err := client.User(ctx, user)
		if err != nil {
			return oktaAppsMsg{tab: t, req: req, first: true, err: err}
		}
		q.Filter = okta.UserFilter(string(u.ID))
		if s := orTerms(status); s != "" {
			q.Filter += " and " + s
		}
		q.Limit = appsPageSize
		page, err := client.Apps(ctx, q, "")
		return oktaAppsMsg{tab: t, req: req, first: true, page: page, err: err}
	}, nil
}

func (p *appsPane) key(m tea.KeyMsg) tea.Cmd {
	k := p.t.c.Keys
	if p.open != "" {
		app, _ := p.rows.get(p.open)
		if refused := refuseWrite(p.t.c, m, p.t.client().Tenant(), p.open, writeKey{k.Add, "okta.app_assign_user"},
			writeKey{k.Remove, "okta.app_unassign_user"}); refused != nil {
			return refused
		}
		switch {
		case key.Matches(m, k.Add):
			return p.t.askPerson(oktaChange{kind: chAssign, target: p.open, targetName: string(app.Label)})
		case key.Matches(m, k.Remove):
			var items []ui.Item
			for _, u := range p.users {
				if u.Scope == "USER" { // a group's assignment goes with the group
					items = append(items, ui.Item{Label: orDash(u.Profile.Get("name")), Detail: u.Login(), Value: string(u.ID)})
				}
			}
			if len(items) == 0 && len(p.users) > 0 {
				return ui.Failf("everyone listed in %s has it through a group: remove them from the group instead", app.Label)
			}
			return p.t.pickPerson(oktaChange{kind: chUnassign, target: p.open, targetName: string(app.Label)}, items)
		case key.Matches(m, k.Back):
			p.open = ""
			return nil
		case key.Matches(m, k.Raw):
			p.raw = !p.raw
			p.render(false)
			return nil
		case key.Matches(m, k.Query):
			p.t.openPrompt(oktaAssignCheck, "Is this person assigned to "+string(app.Label)+"?", "", "login or user id, e.g. li.chen@acme.example",
				"Okta answers 200 with the assignment, 404 when there is none")
			return nil
		case key.Matches(m, k.Refresh):
			return p.openApp(p.open)
		}
		return p.detail.Key(m)
	}
	switch {
	case key.Matches(m, k.Open):
		return p.openApp(p.table.CursorKey())
	case key.Matches(m, k.Filter):
		p.filter.Open()
		return nil
	case key.Matches(m, k.Query):
		p.t.openPrompt(oktaAppSearch, "Okta app search", p.text, "name or label prefix · status:active · user:li.chen@acme.example",
			"words: name or label starts with · status:active,inactive · user:<login or id> lists that person's apps · empty lists all")
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

// openApp shows an app and loads the people assigned to it.
func (p *appsPane) openApp(id string) tea.Cmd {
	if id == "" {
		return nil
	}
	p.open, p.raw, p.users, p.usersErr, p.capped, p.checks = id, false, nil, nil, false, nil
	p.loadingU = true
	p.render(false)
	client, ctx, t := p.t.client(), p.t.c.Context(), p.t
	return func() tea.Msg {
		m := oktaAppUsersMsg{tab: t, app: id}
		next := ""
		for {
			page, err := client.AppUsers(ctx, id, 500, next)
			if err != nil {
				m.err = err
				return m
			}
			m.users = append(m.users, page.Items...)
			if next = page.Next; next == "" {
				return m
			}
			if len(m.users) >= appUsersCap {
				m.capped = true
				return m
			}
		}
	}
}

func (p *appsPane) onUsers(m oktaAppUsersMsg) tea.Cmd {
	if m.app != p.open {
		return nil
	}
	p.loadingU = false
	p.users, p.usersErr, p.capped = m.users, m.err, m.capped
	p.render(true)
	if m.err != nil {
		return ui.Fail(m.err)
	}
	return nil
}

// checkAssignment asks Okta whether a person is assigned to the open app.
func (p *appsPane) checkAssignment(who string) (tea.Cmd, error) {
	if who == "" {
		return nil, fmt.Errorf("type a login or a user id")
	}
	app := p.open
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
	who := m.user.Login()
	if who == "" {
		who = m.who
	}
	var line string
	if m.assigned {
		line = fmt.Sprintf("%s is assigned to %s: %s, scope %s", who, app.Label, orDash(string(m.au.Status)), orDash(string(m.au.Scope)))
		if !m.au.Created.IsZero() {
			line += ", since " + timeCell(m.au.Created.Time)
		}
	} else {
		line = fmt.Sprintf("%s (%s) is not assigned to %s", who, m.user.Status, app.Label)
	}
	if m.app == p.open {
		p.checks = append(p.checks, line)
		p.render(true)
	}
	return ui.Toast("%s", line)
}

func (p *appsPane) render(keep bool) {
	if p.open == "" {
		return
	}
	app, ok := p.rows.get(p.open)
	var content string
	switch {
	case !ok:
		content = p.t.c.Styles.Muted.Render("This app is no longer listed: esc goes back.")
	case p.raw:
		content = p.t.c.Styles.Section.Render("Raw JSON  ·  v back to the formatted view") + "\n" + ui.PrettyJSON(app.Raw)
	default:
		content = appDoc(p.t.c.Styles, app, p, p.detail.Width())
	}
	p.detail.Show(content, keep)
}

func (p *appsPane) view() string {
	if p.open != "" {
		return p.detail.View()
	}
	st := p.t.c.Styles
	search := p.text
	if search == "" {
		search = "all apps"
	}
	bar := st.Muted.Render("search: " + search + " · f change · enter opens the app and its users")
	return bar + "\n" + p.table.View() + "\n" + p.filter.View(p.t.width)
}

// isTermName reports whether s could be the name of a name:value term
// (so "https://x" or "10:00" stay words).
func isTermName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// orTerms joins alternatives of one filter term.
func orTerms(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " or ") + ")"
}
