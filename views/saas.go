package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/clock"
	"triage/backend/saas"
	"triage/ui"
)

// saasRefreshPages bounds one refresh; the next one continues where it
// stopped.
const saasRefreshPages = 50

type saasMode int

const (
	saasList saasMode = iota
	saasDetail
)

type saasModal int

const (
	saasNoModal saasModal = iota
	saasClosePick
	saasCloseConfirm
	saasFixPick
	saasFixConfirm
	saasQuery
	saasApps
	saasTenant
	saasCopy
)

// saasQueryTerms are the names the "f" query knows.
var saasQueryTerms = []string{"state", "severity", "status", "app", "since", "until"}

// saasTab is tab 2: Palo Alto SaaS Security incidents.
type saasTab struct {
	c      *Common
	tenant int
	rows   *incidentRows
	table  *ui.Table
	width  int
	height int

	// the server query and the delta feed it reads
	query      saas.Query
	queryText  string
	reqs       requests
	ctx        context.Context // of the load in progress, cancelled by the next
	loading    string          // the query's first page
	paging     bool            // following nextPath
	complete   bool            // the feed was read to its end
	resume     *saas.Page      // the page to follow again after a failure (r)
	resumed    bool            // following again after a failure
	refreshing bool

	apps    []saas.App
	appsReq bool

	// the incident open in detail
	mode      saasMode
	openKey   string
	detail    *saas.Incident
	detailErr error
	opening   string
	raw       bool
	pane      pane

	// forms, and what an analyst chose for a write that failed, kept so
	// reopening the form starts from it
	modal     saasModal
	picker    *ui.Picker
	prompt    *ui.Prompt
	confirm   *ui.Confirm
	filter    filterBar
	target    string
	category  string
	fix       fixChoice
	keptClose map[string]string
	keptFix   map[string]fixChoice
	bulkKeys  []string // the marked incidents a form acts on; nil for one
	bulk      *bulk
	writing   string
}

// fixChoice is a remediation being asked for.
type fixChoice struct {
	typ       string
	inherited bool
}

// messages of the SaaS tab; each names its tab, since every tab sees them.
type (
	saasPageMsg struct {
		tab   *saasTab
		req   int
		first bool      // the query's first page: it replaces the rows
		from  saas.Page // the page whose nextPath was followed
		page  saas.Page
		err   error
	}
	saasRefreshMsg struct {
		tab       *saasTab
		req       int
		incidents []saas.Incident
		err       error
	}
	saasIncidentMsg struct {
		tab      *saasTab
		key      string
		incident *saas.Incident
		err      error
	}
	saasAppsMsg struct {
		tab    *saasTab
		tenant int
		apps   []saas.App
		err    error
	}
)

func newSaaSTab(c *Common) *saasTab {
	t := &saasTab{c: c, rows: newIncidentRows(), keptClose: map[string]string{}, keptFix: map[string]fixChoice{}}
	t.table = ui.NewTable(c.Styles, c.Keys, incidentColumns)
	t.table.Empty = "No incidents match. f changes the query, A picks an app, / filters the rows."
	t.pane = newPane(c)
	t.filter = newFilterBar(c.Styles, t.table)
	return t
}

func (t *saasTab) client() *saas.Client { return t.c.Backends.SaaS[t.tenant] }

// Name implements Tab.
func (t *saasTab) Name() string { return spec(t.Number()).Name }

// Number implements Tab.
func (t *saasTab) Number() int { return 2 }

// Tenant implements Tab.
func (t *saasTab) Tenant() string { return "saas/" + t.client().Tenant() }

// Init implements Tab: the incidents and the app list load together.
func (t *saasTab) Init() tea.Cmd {
	said := t.startQuery("")
	return tea.Batch(said, t.loadFirst(), t.loadApps())
}

// startQuery sets the query the current tenant opens on: its configured
// one, else fallback (every incident at start, the query in use on a
// switch).
func (t *saasTab) startQuery(fallback string) tea.Cmd {
	conf := t.c.Backends.Config.SaaS[t.tenant]
	text, said := startQuery(t.c, "saas", conf.Name, conf.Query, fallback, func(s string) error { _, err := t.parse(s); return err })
	t.queryText = text
	t.query, _ = t.parse(text)
	return said
}

// Capturing implements Tab.
func (t *saasTab) Capturing() bool { return t.modal != saasNoModal || t.filter.Typing() }

// Busy implements Tab.
func (t *saasTab) Busy() string {
	switch {
	case t.bulk.busy() != "":
		return t.bulk.busy()
	case t.writing != "":
		return t.writing
	case t.loading != "":
		return t.loading
	case t.opening != "":
		return t.opening
	case t.paging:
		return fmt.Sprintf("Loading SaaS incidents (%s so far)…", count(t.rows.Len()))
	}
	return ""
}

// Info implements Tab.
func (t *saasTab) Info() string {
	return infoLine(t.table, count(t.rows.Len())+" incidents")
}

// SetSize implements Tab.
func (t *saasTab) SetSize(w, h int) {
	t.width, t.height = w, h
	t.table.SetSize(w, h-3)
	t.pane.SetSize(w, h)
	if t.bulk != nil {
		t.bulk.setSize(w, h)
	}
	t.rerender()
}

// Help implements Tab.
func (t *saasTab) Help() []ui.HelpGroup {
	k := t.c.Keys
	g := ui.HelpGroup{Title: "SaaS incidents", Bindings: []key.Binding{
		relabel(k.Status, "close with a category"), relabel(k.Remediate, "remediate the asset"),
		relabel(k.Query, "server query (state severity status app since until)"), k.Apps,
		k.Raw, relabel(k.Copy, "copy an id or URL"), relabel(k.Browse, "open the asset's page"),
	}}
	if len(t.c.Backends.SaaS) > 1 {
		g.Bindings = append(g.Bindings, k.Tenant)
	}
	return []ui.HelpGroup{g}
}

// parse reads the tab's query language, e.g. "state:open severity:high,4
// status:new app:box since:7d". App values are ids, names or types,
// resolved through the tenant's app list.
func (t *saasTab) parse(text string) (saas.Query, error) {
	terms, err := parseQuery(text, saasQueryTerms...)
	if err != nil {
		return saas.Query{}, err
	}
	var q saas.Query
	now := t.c.now()
	for _, term := range terms {
		switch term.Name {
		case "since", "until":
			when, err := clock.ParseWhen(term.Values[0], now)
			if err != nil {
				return saas.Query{}, fmt.Errorf("%s: %w", term.Name, err)
			}
			if term.Name == "since" {
				q.From = when
			} else {
				q.To = when
			}
		case "state":
			switch s := strings.ToLower(term.Values[0]); s {
			case "open", "closed":
				q.State = s
			case "all", "any":
			default:
				return saas.Query{}, fmt.Errorf("state: %q is not open, closed or all", term.Values[0])
			}
		case "severity":
			if _, err := saas.SeverityFilter(term.Values); err != nil {
				return saas.Query{}, err
			}
			q.Severities = term.Values
		case "status":
			q.Statuses = term.Values
		case "app":
			q.AppIDs = append(q.AppIDs, t.appIDs(term.Values)...)
		}
	}
	return q, nil
}

// rereadQuery evaluates the query's relative times ("since:7d") again, so a
// console left open keeps its window sliding with the clock.
func (t *saasTab) rereadQuery() {
	if q, err := t.parse(t.queryText); err == nil {
		t.query = q
	}
}

// appIDs resolves app names and types to ids; what matches no app is taken
// to be an id.
func (t *saasTab) appIDs(values []string) []string {
	var ids []string
	for _, v := range values {
		found := false
		for _, a := range t.apps {
			if string(a.ID) == v || strings.EqualFold(string(a.Name), v) || strings.EqualFold(string(a.Type), v) {
				ids = append(ids, string(a.ID))
				found = true
			}
		}
		if !found {
			ids = append(ids, v)
		}
	}
	return ids
}

// --- loading -------------------------------------------------------------

// loadFirst reads the query's feed from the start, page after page; an
// earlier load is cancelled.
func (t *saasTab) loadFirst() tea.Cmd {
	t.rereadQuery()
	ctx, req := t.reqs.next(t.c.Context())
	t.ctx = ctx
	t.loading = "Loading SaaS incidents…"
	t.paging, t.complete, t.refreshing = false, false, false
	t.resume, t.resumed = nil, false
	client, q := t.client(), t.query
	return func() tea.Msg {
		page, err := client.Incidents(ctx, q)
		return saasPageMsg{tab: t, req: req, first: true, page: page, err: err}
	}
}

func (t *saasTab) loadNext(p saas.Page) tea.Cmd {
	client, ctx, req := t.client(), t.ctx, t.reqs.current()
	return func() tea.Msg {
		page, err := client.More(ctx, p)
		return saasPageMsg{tab: t, req: req, from: p, page: page, err: err}
	}
}

func (t *saasTab) loadApps() tea.Cmd {
	if t.appsReq {
		return nil
	}
	t.appsReq = true
	client, ctx, tenant := t.client(), t.c.Context(), t.tenant
	return func() tea.Msg {
		apps, err := client.Apps(ctx)
		return saasAppsMsg{tab: t, tenant: tenant, apps: apps, err: err}
	}
}

// Refresh implements Tab: the delta feed from just after the newest
// incident loaded, merged in with new and changed rows marked.
func (t *saasTab) Refresh() tea.Cmd {
	var cmds []tea.Cmd
	if t.mode == saasDetail && t.openKey != "" {
		cmds = append(cmds, t.fetchIncident(t.openKey))
	}
	switch {
	case t.loading != "" || t.paging || t.refreshing:
		return tea.Batch(cmds...)
	case !t.complete && t.resume != nil:
		// The feed stopped on an error: carry on from the page that failed.
		t.paging, t.resumed = true, true
		return tea.Batch(append(cmds, t.loadNext(*t.resume))...)
	case !t.complete:
		return tea.Batch(append(cmds, t.loadFirst())...)
	}
	t.refreshing = true
	t.rereadQuery()
	q := t.query
	if newest := t.rows.newest(); newest.After(q.From) {
		q.From = newest.Add(time.Millisecond)
	}
	client, ctx, req := t.client(), t.ctx, t.reqs.current()
	cmds = append(cmds, func() tea.Msg {
		var incs []saas.Incident
		p, err := client.Incidents(ctx, q)
		for pages := 1; err == nil; pages++ {
			incs = append(incs, p.Incidents...)
			if !p.More || pages == saasRefreshPages {
				break
			}
			p, err = client.More(ctx, p)
		}
		return saasRefreshMsg{tab: t, req: req, incidents: incs, err: err}
	})
	return tea.Batch(cmds...)
}

func (t *saasTab) fetchIncident(key string) tea.Cmd {
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		inc, err := client.Incident(ctx, key)
		return saasIncidentMsg{tab: t, key: key, incident: inc, err: err}
	}
}

func (t *saasTab) onPage(m saasPageMsg) tea.Cmd {
	if m.req != t.reqs.current() {
		return nil // a newer query replaced this one
	}
	t.loading = ""
	if m.err != nil {
		t.paging, t.resume = false, nil
		if !m.first {
			t.resume = &m.from
			return ui.Fail(fmt.Errorf("%w (%s loaded; r continues)", m.err, count(t.rows.Len())))
		}
		return ui.Fail(fmt.Errorf("%w (r tries again)", m.err))
	}
	if m.first {
		t.rows = newIncidentRows()
	}
	t.rows.add(m.page.Incidents, false)
	t.table.SetSource(t.rows)
	cmds := []tea.Cmd{t.table.Refilter()}
	if m.page.Unreadable > 0 {
		cmds = append(cmds, ui.Failf("SaaS %s: %d incident(s) in the vendor's answer could not be read and are not shown", t.client().Tenant(), m.page.Unreadable))
	}
	t.paging = m.page.More
	t.complete = !m.page.More
	switch {
	case m.page.More:
		cmds = append(cmds, t.loadNext(m.page))
	case t.resumed:
		t.resumed = false // the error it resumed from is over
		cmds = append(cmds, ui.Toast("All %s SaaS incidents loaded", count(t.rows.Len())))
	}
	return tea.Batch(cmds...)
}

func (t *saasTab) onRefresh(m saasRefreshMsg) tea.Cmd {
	if m.req != t.reqs.current() {
		return nil
	}
	t.refreshing = false
	added := t.rows.add(m.incidents, true)
	t.table.SetSource(t.rows)
	cmds := []tea.Cmd{t.table.Refilter()}
	if m.err != nil {
		cmds = append(cmds, ui.Fail(m.err))
	}
	if added > 0 {
		cmds = append(cmds, ui.Toast("%d new SaaS incident(s)", added))
	}
	return tea.Batch(cmds...)
}

func (t *saasTab) onApps(m saasAppsMsg) tea.Cmd {
	if m.tenant != t.tenant {
		return nil
	}
	if m.err != nil {
		t.appsReq = false // A asks again
		return ui.Fail(fmt.Errorf("%w (no app list: A takes a typed app id)", m.err))
	}
	t.apps = m.apps
	if t.modal == saasApps && t.picker != nil {
		t.picker.SetItems(t.appItems())
	}
	// App names in the query could only be taken for ids until now.
	if q, err := t.parse(t.queryText); err == nil && strings.Join(q.AppIDs, ",") != strings.Join(t.query.AppIDs, ",") {
		t.query = q
		return t.loadFirst()
	}
	return nil
}

func (t *saasTab) onIncident(m saasIncidentMsg) tea.Cmd {
	if m.key == t.openKey {
		t.opening = ""
	}
	if m.err != nil {
		if m.key == t.openKey {
			t.detailErr = m.err
			t.rerender()
		}
		return ui.Fail(m.err)
	}
	t.rows.update(m.incident)
	if m.key == t.openKey && t.mode == saasDetail {
		t.detail, t.detailErr = m.incident, nil
		t.rerenderKeep()
	}
	return t.table.Refilter()
}

// --- updates -------------------------------------------------------------

// Update implements Tab.
func (t *saasTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case saasPageMsg:
		if m.tab == t {
			return t.onPage(m)
		}
	case saasRefreshMsg:
		if m.tab == t {
			return t.onRefresh(m)
		}
	case saasIncidentMsg:
		if m.tab == t {
			return t.onIncident(m)
		}
	case saasAppsMsg:
		if m.tab == t {
			return t.onApps(m)
		}
	case saasCloseMsg:
		if m.tab == t {
			return t.onClose(m)
		}
	case remediationStartedMsg:
		if m.from == t {
			return t.onRemediationStarted(m)
		}
	case bulkDone:
		if m.b == t.bulk {
			return t.bulk.update(m)
		}
	case tea.KeyMsg:
		return t.key(m)
	default:
		if cmd := t.table.Update(msg); cmd != nil {
			return cmd
		}
		return t.forwardToForm(msg)
	}
	return nil
}

// forwardToForm passes cursor blinks and the like to the open form.
func (t *saasTab) forwardToForm(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case t.picker != nil && (t.modal == saasClosePick || t.modal == saasFixPick || t.modal == saasApps || t.modal == saasTenant || t.modal == saasCopy):
		_, cmd = t.picker.Update(msg)
	case t.modal == saasQuery && t.prompt != nil:
		_, cmd = t.prompt.Update(msg)
	default:
		cmd = t.filter.Update(msg)
	}
	return cmd
}

func (t *saasTab) key(m tea.KeyMsg) tea.Cmd {
	if t.modal != saasNoModal {
		return t.modalKey(m)
	}
	if t.filter.Typing() {
		return t.filter.Key(m)
	}
	if t.bulk != nil && t.bulk.visible {
		return t.bulk.key(m)
	}
	k := t.c.Keys
	if refused := refuseWrite(t.c, m, t.client().Tenant(), t.targetKey(), writeKey{k.Status, "saas.close"}, writeKey{k.Remediate, "saas.remediate"}); refused != nil {
		return refused
	}
	switch {
	case key.Matches(m, k.Status):
		return t.openClose()
	case key.Matches(m, k.Remediate):
		return t.openFix()
	case key.Matches(m, k.Refresh):
		return t.Refresh()
	case key.Matches(m, k.Copy):
		return t.openCopy()
	case key.Matches(m, k.Browse):
		return t.openAsset()
	case key.Matches(m, k.Tenant) && len(t.c.Backends.SaaS) > 1:
		return t.openTenant()
	}
	if t.mode == saasDetail {
		return t.detailKey(m)
	}
	switch {
	case key.Matches(m, k.Open):
		return t.open()
	case key.Matches(m, k.Filter):
		t.filter.Open()
		return nil
	case key.Matches(m, k.Query):
		t.prompt = ui.NewPrompt(t.c.Styles, "SaaS query", t.queryText, "state:open severity:high,critical status:new app:box since:7d")
		t.prompt.Help = "state: open, closed or all · severity: critical, high, medium, low, informational or 1..5 · status: new, assigned, in-progress, pending, business-justified… · app: name, type or id · since/until: 24h, 7d or a date"
		t.modal = saasQuery
		return nil
	case key.Matches(m, k.Apps):
		return t.openApps()
	case key.Matches(m, k.Back):
		if t.table.Filter() != "" {
			return t.table.SetFilter("")
		}
		return nil
	}
	t.table.HandleKey(m)
	return nil
}

func (t *saasTab) detailKey(m tea.KeyMsg) tea.Cmd {
	k := t.c.Keys
	switch {
	case key.Matches(m, k.Back):
		t.mode, t.openKey = saasList, ""
		return nil
	case key.Matches(m, k.Raw):
		t.raw = !t.raw
		t.rerender()
		return nil
	}
	return t.pane.Key(m)
}

// targetKey is the incident a form acts on: the one open in detail, else
// the row under the cursor.
func (t *saasTab) targetKey() string {
	if t.mode == saasDetail && t.openKey != "" {
		return t.openKey
	}
	return t.table.CursorKey()
}

func (t *saasTab) open() tea.Cmd {
	key := t.table.CursorKey()
	if key == "" {
		return nil
	}
	t.mode, t.openKey, t.raw = saasDetail, key, false
	t.detail, t.detailErr = nil, nil
	t.rows.seen(key)
	t.rerender()
	t.opening = "Opening incident " + key + "…"
	return t.fetchIncident(key)
}

// rerender rebuilds the detail pane for the current width from the top;
// rerenderKeep keeps the scroll position (the same incident, fresher).
func (t *saasTab) rerender()     { t.render(false) }
func (t *saasTab) rerenderKeep() { t.render(true) }

func (t *saasTab) render(keep bool) {
	if t.mode != saasDetail {
		return
	}
	st := t.c.Styles
	var content string
	switch {
	case t.detailErr != nil:
		content = st.Error.Render("Could not open this incident: ") + t.detailErr.Error()
	case t.detail == nil:
		content = st.Muted.Render("Loading incident " + t.openKey + "…")
	case t.raw:
		content = st.Section.Render("Raw JSON  ·  v back to the formatted view") + "\n" + ui.PrettyJSON(t.detail.Raw)
	default:
		content = incidentDoc(st, t.detail, t.width, t.c.now())
	}
	t.pane.Show(content, keep)
}

// --- view ----------------------------------------------------------------

// View implements Tab.
func (t *saasTab) View() string {
	st := t.c.Styles
	switch t.modal {
	case saasClosePick, saasFixPick, saasApps, saasTenant, saasCopy:
		return ui.Center(st, t.width, t.height, t.picker.View(min(t.width, 80)))
	case saasCloseConfirm, saasFixConfirm:
		return ui.Center(st, t.width, t.height, t.confirm.View(t.width))
	case saasQuery:
		return ui.Center(st, t.width, t.height, t.prompt.View(min(t.width, 110)))
	}
	if t.bulk != nil && t.bulk.visible {
		return t.bulk.view()
	}
	if t.mode == saasDetail {
		return t.pane.View()
	}
	q := t.queryText
	if q == "" {
		q = "all incidents"
	}
	bar := st.Muted.Render(fmt.Sprintf("%s · query: %s · f change · A app", t.client().Tenant(), q))
	return bar + "\n" + severityBar(st, t.rows.counts, t.width) + "\n" + t.table.View() + "\n" + t.filter.View(t.width)
}
