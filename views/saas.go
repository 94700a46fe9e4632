package views

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/httpx"
	"triage/backend/saas"
	"triage/ui"
)

// saasRefreshPages bounds one refresh; the next one continues where it
// stopped.
const saasRefreshPages = 50

// saasQueryTerms are the names the "f" query knows.
var saasQueryTerms = []string{"state", "severity", "status", "app", "since", "until"}

// saasTab is tab 2: Palo Alto SaaS Security incidents.
type saasTab struct {
	queryList[*saas.Client, saas.Query, saas.Incident, *incidentRows]

	// the delta feed the query reads
	paging     bool       // following nextPath
	complete   bool       // the feed was read to its end
	resume     *saas.Page // the page to follow again after a failure (r)
	resumed    bool       // following again after a failure
	refreshing bool

	apps      []saas.App
	appsReq   bool
	appPicker *ui.Picker // the app picker while open, filled when the list arrives

	// what an analyst chose for a write that failed, kept so reopening
	// the form starts from it
	keptClose map[string]string
	keptFix   map[string]fixChoice
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
	saasAppsMsg struct {
		tab    *saasTab
		tenant int
		apps   []saas.App
		err    error
	}
)

func newSaaSTab(c *Common) *saasTab {
	t := &saasTab{keptClose: map[string]string{}, keptFix: map[string]fixChoice{}}
	t.queryList = queryList[*saas.Client, saas.Query, saas.Incident, *incidentRows]{
		listTab: newListTab(c, incidentColumns, "No incidents match. f changes the query, A picks an app, / filters the rows."),
		owner:   t, number: 2, vendor: "saas", product: "SaaS", clients: c.Backends.SaaS, rows: newIncidentRows(),
		parse: t.parse, newRows: newIncidentRows, read: (*saas.Client).Incident,
		configured: func(i int) (string, string) { conf := c.Backends.Config.SaaS[i]; return conf.Name, conf.Query },
		name:       func(key string) string { return "incident " + key },
		rawJSON:    func(inc *saas.Incident) []byte { return inc.Raw },
		doc:        func(inc *saas.Incident) string { return incidentDoc(c.Styles, inc, t.width, c.now()) },
	}
	t.loadingRows = func() string { return t.loading }
	t.paced = func() *httpx.Client {
		if t.tenant >= len(t.clients) {
			return nil
		}
		return t.client().HTTP()
	}
	return t
}

// Init implements Tab: the incidents and the app list load together.
func (t *saasTab) Init() tea.Cmd {
	said := t.startQuery("")
	return tea.Batch(said, t.loadFirst(), t.loadApps())
}

// Busy implements Tab.
func (t *saasTab) Busy() string {
	paging := ""
	if t.paging {
		paging = fmt.Sprintf("Loading SaaS incidents (%s so far)…", count(t.rows.Len()))
	}
	return t.busyWith(t.loading, t.opening, paging)
}

// Info implements Tab.
func (t *saasTab) Info() string {
	return infoLine(t.table, count(t.rows.Len())+" incidents")
}

// SetSize implements Tab: the severity bar takes a line over the table.
func (t *saasTab) SetSize(w, h int) {
	t.queryList.SetSize(w, h)
	t.table.SetSize(w, h-3)
}

// bindings implements bound: the keys of the SaaS tab.
func (t *saasTab) bindings() []binding {
	k := t.c.Keys
	inList := func() bool { return t.mode == listMode }
	bs := []binding{
		{key: &k.Status, desc: "close with a category", write: "saas.close", row: true, marks: "Close the %d marked incidents with a category", run: t.openClose},
		{key: &k.Remediate, desc: "remediate the asset", write: "saas.remediate", row: true, marks: "Remediate the %d marked incidents' assets", run: t.openFix},
		{key: &k.Query, desc: "server query (" + strings.Join(saasQueryTerms, " ") + ")", when: inList, run: t.openQuery},
		{key: &k.Apps, when: inList, run: t.openApps},
		t.rawKey(),
		{key: &k.Copy, desc: "copy an id or URL", run: t.openCopy},
		{key: &k.Browse, desc: "open the asset's page", run: t.openAsset},
		t.tenantKey("Switch SaaS Security tenant", t.switchTenant),
		{desc: "follow this asset: its incidents and remediations", shown: func() bool { _, ok := t.assetSubject(); return ok },
			run: func() tea.Cmd { s, _ := t.assetSubject(); return func() tea.Msg { return followMsg{s} } }},
	}
	return append(bs, t.navBindings("SaaS incidents", t.Refresh)...)
}

// parse reads the tab's query language, e.g. "state:open severity:high,4
// status:new app:box since:7d". App values are ids, names or types,
// resolved through the tenant's app list.
func (t *saasTab) parse(text string) (saas.Query, error) {
	var q saas.Query
	err := parseTerms(text, t.c.now(), &q.From, &q.To, func(term Term) error {
		switch term.Name {
		case "state":
			switch s := strings.ToLower(term.Values[0]); s {
			case "open", "closed":
				q.State = s
			case "all", "any":
			default:
				return fmt.Errorf("state: %q is not open, closed or all", term.Values[0])
			}
		case "severity":
			if _, err := saas.SeverityFilter(term.Values); err != nil {
				return err
			}
			q.Severities = term.Values
		case "status":
			q.Statuses = term.Values
		case "app":
			q.AppIDs = append(q.AppIDs, t.appIDs(term.Values)...)
		}
		return nil
	}, saasQueryTerms...)
	if err != nil {
		return saas.Query{}, err
	}
	return q, nil
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
	t.loading, t.loadErr = "Loading SaaS incidents…", nil
	t.paging, t.complete, t.refreshing = false, false, false
	t.resume, t.resumed = nil, false
	client, q := t.client(), t.query
	return func() tea.Msg {
		page, err := client.Incidents(ctx, q)
		return saasPageMsg{tab: t, req: req, first: true, page: page, err: err}
	}
}

func (t *saasTab) loadNext(p saas.Page) tea.Cmd {
	client := t.client()
	ctx, req := t.reqs.paging(t.c.Context())
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
	if t.mode == detailMode && t.openKey != "" {
		cmds = append(cmds, t.fetchItem(t.openKey))
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
	client := t.client()
	ctx, req := t.reqs.paging(t.c.Context())
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
		t.loadErr = m.err
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
	if t.modal != nil && t.appPicker != nil {
		t.appPicker.SetItems(t.appItems())
	}
	// App names in the query could only be taken for ids until now.
	if q, err := t.parse(t.queryText); err == nil && strings.Join(q.AppIDs, ",") != strings.Join(t.query.AppIDs, ",") {
		t.query = q
		return t.loadFirst()
	}
	return nil
}

// --- updates -------------------------------------------------------------

// Update implements Tab.
func (t *saasTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case saasPageMsg:
		return t.onPage(m)
	case saasRefreshMsg:
		return t.onRefresh(m)
	case itemMsg[saas.Incident]:
		return t.onItem(m)
	case saasAppsMsg:
		return t.onApps(m)
	case saasCloseMsg:
		return t.onClose(m)
	case remediationStartedMsg:
		if m.from == t {
			return t.onRemediationStarted(m)
		}
	case tea.KeyMsg:
		cmd, _ := t.routeKey(t, m, t.mode == listMode)
		return cmd
	default:
		return t.forward(msg)
	}
	return nil
}

// --- view ----------------------------------------------------------------

// View implements Tab.
func (t *saasTab) View() string {
	bar := severityBar(t.c.Styles, t.rows.counts, t.width)
	switch {
	case t.rows.Len() > 0:
	case t.loading != "":
		bar = t.c.Styles.Muted.Render("⋯ " + t.loading)
	case t.loadErr != nil:
		bar = t.c.Styles.Error.Render("✗ no incidents loaded: the query failed")
	}
	return t.screen("all incidents", " · A app", bar)
}
