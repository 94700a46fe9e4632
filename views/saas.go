package views

import (
	"context"
	"fmt"
	"strings"
	"time"
	"triage/backend/dataset"

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
	queryList[*saas.Client, saas.Query, saas.Incident, *incidentView]

	// the query's dataset, shared with every session on the same query
	set        *dataset.Set[*incidentRows]
	paging     bool // the feed is being read
	complete   bool // the feed was read to its end
	refreshing bool // this session's refresh is running
	failures   failures

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
	saasAppsMsg struct {
		tab    *saasTab
		tenant int
		apps   []saas.App
		err    error
	}
)

func newSaaSTab(c *Common) *saasTab {
	t := &saasTab{keptClose: map[string]string{}, keptFix: map[string]fixChoice{}}
	t.queryList = queryList[*saas.Client, saas.Query, saas.Incident, *incidentView]{
		listTab: newListTab(c, incidentColumns, "No incidents match. f changes the query, A picks an app, / filters the rows."),
		owner:   t, number: 2, vendor: "saas", product: "SaaS", clients: c.Backends.SaaS, rows: newIncidentView(),
		parse: t.parse, newRows: t.newView, read: (*saas.Client).Incident,
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
	t.rows.me = t
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

// The tab reads its query through a dataset shared by every session of the
// server (backend/dataset): the first session on a query reads the feed,
// page after page, under the dataset's own context, so it serves every
// session and outlives the one that started it; the others show each
// snapshot as it is published.

// saasSharedMsg is a state of the tab's dataset, for the tab to show.
type saasSharedMsg struct {
	tab     *saasTab
	req     int
	set     *dataset.Set[*incidentRows]
	state   dataset.State[*incidentRows]
	err     error // the feed's error from this session's own load or refresh
	toast   bool  // a refresh this session ran: say how many were new
	chain   bool  // from watch, which this message carries on
	resumed bool  // this session carried on a feed that had stopped on an error
}

// saasPollEvery is how often an idle tab looks for what other sessions
// changed in its dataset (their writes, their refreshes).
const saasPollEvery = 2 * time.Second

// loadFirst opens the query's dataset, reading the feed if no session
// has; an earlier load of this tab is left to the dataset.
func (t *saasTab) loadFirst() tea.Cmd {
	t.rereadQuery()
	ctx, req := t.reqs.next(t.c.Context())
	t.loadErr = nil
	t.refreshing, t.failures = false, failures{}
	client := t.client()
	key := dataset.Key{Kind: "saas", Tenant: client.Tenant(), Query: t.queryText + "\x00" + strings.Join(t.query.AppIDs, ",")}
	set, _ := dataset.Open(t.c.datasets(), key, newIncidentRows)
	t.set = set
	t.rows = t.newView()
	t.table.SetSource(t.rows)
	st := set.Read()
	t.rows.start(st.Snap)
	t.showState(st)
	t.loading = ""
	if len(st.Snap.order) == 0 && !st.Done {
		t.loading = "Loading SaaS incidents…"
	}
	var read tea.Cmd
	switch {
	case st.Done:
		read = t.slide(req, set, st)
	case set.Begin():
		read = t.readFeed(req, set, client, t.query, st.Snap.resume)
	default:
		read = t.await(req, set, false, false) // another session is reading it
	}
	return tea.Batch(read, t.watch(ctx, req, set.Read().Version))
}

// newView is an empty view of the tab's dataset.
func (t *saasTab) newView() *incidentView {
	v := newIncidentView()
	v.me, v.publish = t, publisher(t.set, (*incidentRows).next)
	return v
}

// readFeed reads the feed into set from its start, or from resume after
// an error, publishing each page. It runs under the dataset's context,
// whether or not this session is still there to see it; the session waits
// for it with await.
func (t *saasTab) readFeed(req int, set *dataset.Set[*incidentRows], client *saas.Client, q saas.Query, resume *saas.Page) tea.Cmd {
	ctx, resumed := set.Context(), resume != nil
	go func() {
		var page saas.Page
		var err error
		if resume != nil {
			page, err = client.More(ctx, *resume)
		} else {
			set.Publish(func(s *incidentRows) *incidentRows { n := s.next(); n.from = q.From; return n })
			page, err = client.Incidents(ctx, q)
		}
		for {
			if err != nil {
				from := resume
				set.Publish(func(s *incidentRows) *incidentRows { n := s.next(); n.resume = from; return n })
				set.End(false, err)
				return
			}
			set.Publish(func(s *incidentRows) *incidentRows {
				n := s.next()
				n.add(page.Incidents, false)
				n.resume = nil
				return n
			})
			if page.Unreadable > 0 {
				err = fmt.Errorf("SaaS %s: %d incident(s) in the vendor's answer could not be read and are not shown", client.Tenant(), page.Unreadable)
			}
			if !page.More {
				set.End(true, err)
				return
			}
			from := page
			resume = &from
			page, err = client.More(ctx, from)
		}
	}()
	return t.await(req, set, resumed, false)
}

// await is the dataset's state once the load or refresh this session
// asked for, or the one another session was running, has ended.
func (t *saasTab) await(req int, set *dataset.Set[*incidentRows], resumed, refresh bool) tea.Cmd {
	ctx, _ := t.reqs.paging(t.c.Context())
	return func() tea.Msg {
		st, err := set.Idle(ctx)
		if err != nil {
			return nil // the tab moved on to another query
		}
		return saasSharedMsg{tab: t, req: req, set: set, state: st, err: st.Err, resumed: resumed, toast: refresh}
	}
}

// watch waits for the dataset's next state while it is loading, and looks
// again from time to time while it is not; each of its messages starts the
// next watch, so a tab has one watch per query.
func (t *saasTab) watch(ctx context.Context, req int, version uint64) tea.Cmd {
	set := t.set
	return watchSet(ctx, set, version, saasPollEvery, func(st dataset.State[*incidentRows]) tea.Msg {
		return saasSharedMsg{tab: t, req: req, set: set, state: st, chain: true}
	})
}

// appList is a SaaS tenant's app list, shared by every session.
type appList []saas.App

// Bytes implements dataset.Snapshot.
func (a appList) Bytes() int64 { return int64(len(a)) * 256 }

// loadApps reads the tenant's app list, once for every session: a session
// asking while another reads it waits for that answer.
func (t *saasTab) loadApps() tea.Cmd {
	if t.appsReq {
		return nil
	}
	t.appsReq = true
	client, ctx, tenant := t.client(), t.c.Context(), t.tenant
	reg := t.c.datasets()
	key := dataset.Key{Kind: "saas-apps", Tenant: client.Tenant()}
	set, _ := dataset.Open(reg, key, func() appList { return nil })
	st := set.Read()
	if st.Done {
		apps := st.Snap
		return func() tea.Msg { return saasAppsMsg{tab: t, tenant: tenant, apps: apps} }
	}
	if !set.Begin() { // another session is reading it
		return func() tea.Msg {
			st, err := set.Idle(ctx)
			if err == nil && !st.Done {
				err = st.Err
			}
			return saasAppsMsg{tab: t, tenant: tenant, apps: st.Snap, err: err}
		}
	}
	go func() {
		apps, err := client.Apps(set.Context())
		if err != nil {
			reg.Drop(key) // the next session to ask reads it again
		} else {
			set.Publish(func(appList) appList { return apps })
		}
		set.End(err == nil, err)
	}()
	return func() tea.Msg {
		st, err := set.Idle(ctx)
		if err == nil && !st.Done {
			err = st.Err
		}
		return saasAppsMsg{tab: t, tenant: tenant, apps: st.Snap, err: err}
	}
}

// Refresh implements Tab: the delta feed from just after the newest
// incident loaded, merged in with new and changed rows marked in every
// session. Sessions refreshing together share one refresh.
func (t *saasTab) Refresh() tea.Cmd {
	var cmds []tea.Cmd
	if t.mode == detailMode && t.openKey != "" {
		cmds = append(cmds, t.fetchItem(t.openKey))
	}
	set := t.set
	if set == nil || t.refreshing {
		return tea.Batch(cmds...)
	}
	st := set.Read()
	switch {
	case st.Busy:
		return tea.Batch(cmds...)
	case !st.Done:
		// The feed stopped on an error: carry on from the page that failed.
		if !set.Begin() {
			return tea.Batch(cmds...)
		}
		t.paging = true
		return tea.Batch(append(cmds, t.readFeed(t.reqs.current(), set, t.client(), t.query, st.Snap.resume))...)
	}
	if !set.Begin() {
		return tea.Batch(cmds...) // another session is refreshing it: this one shows the result
	}
	t.refreshing = true
	t.rereadQuery()
	return tea.Batch(append(cmds, t.readDelta(t.reqs.current(), set, st.Snap, true))...)
}

// saasSlideAfter is how far a relative window's start must have moved for
// the shared rows to slide forward (as the ITM tab's do): sessions opening
// a query within a minute of each other share the rows as read.
const saasSlideAfter = time.Minute

// slide moves a loaded query's rows forward when its relative window
// ("since:7d") has moved on since they were read: the old incidents go and
// the delta feed brings the new ones. Nil when there is nothing to slide.
func (t *saasTab) slide(req int, set *dataset.Set[*incidentRows], st dataset.State[*incidentRows]) tea.Cmd {
	moved := t.query.From.Sub(st.Snap.from)
	if moved < saasSlideAfter && moved > -saasSlideAfter {
		return nil
	}
	if !set.Begin() {
		return nil // another session is reading it; the watch brings its rows
	}
	if moved < 0 {
		// The window starts earlier than the rows read (the clock was set
		// back): the query is read again from its start.
		st = set.Restart(newIncidentRows())
		t.rows.start(st.Snap)
		t.showState(st)
		t.table.SetSource(t.rows)
		t.loading = "Loading SaaS incidents…"
		return t.readFeed(req, set, t.client(), t.query, nil)
	}
	return t.readDelta(req, set, st.Snap, false)
}

// readDelta reads the delta feed from just after the newest incident
// loaded and merges it in, new and changed rows marked in every session;
// the rows slide first when the query's window has moved on. The caller
// has begun set; refresh says the analyst asked (a toast counts what came).
func (t *saasTab) readDelta(req int, set *dataset.Set[*incidentRows], snap *incidentRows, refresh bool) tea.Cmd {
	q := t.query
	slide := !q.From.IsZero() && q.From.Sub(snap.from) >= saasSlideAfter
	if newest := snap.newest; newest.After(q.From) {
		q.From = newest.Add(time.Millisecond)
	}
	from, client, ctx := t.query.From, t.client(), set.Context()
	go func() {
		var incs []saas.Incident
		p, err := client.Incidents(ctx, q)
		for pages := 1; err == nil; pages++ {
			incs = append(incs, p.Incidents...)
			if !p.More || pages == saasRefreshPages {
				break
			}
			p, err = client.More(ctx, p)
		}
		set.Publish(func(s *incidentRows) *incidentRows {
			n := s.next()
			if slide {
				n.slide(from)
			}
			n.add(incs, true)
			return n
		})
		set.End(true, err)
	}()
	return t.await(req, set, false, refresh)
}

// show moves the tab's view to a state of its dataset.
func (t *saasTab) showState(st dataset.State[*incidentRows]) (added int) {
	added = t.rows.show(st.Snap)
	t.paging = st.Busy && !st.Done
	t.complete = st.Done
	return added
}

func (t *saasTab) onShared(m saasSharedMsg) tea.Cmd {
	if m.req != t.reqs.current() || m.set != t.set {
		return nil // a newer query replaced this one
	}
	shown := t.rows.incidentRows
	added := t.showState(m.state)
	if m.toast {
		t.refreshing = false
	}
	var cmds []tea.Cmd
	if t.rows.incidentRows != shown {
		t.table.SetSource(t.rows)
		cmds = append(cmds, t.table.Refilter())
	}
	if t.rows.Len() > 0 || m.state.Done || m.state.Err != nil {
		t.loading = ""
	}
	if err := m.err; err != nil && t.failures.first(m.state.Version) {
		if len(m.state.Snap.order) == 0 && !m.state.Done {
			t.loadErr = err
			cmds = append(cmds, ui.Fail(fmt.Errorf("%w (r tries again)", err)))
		} else if !m.state.Done {
			cmds = append(cmds, ui.Fail(fmt.Errorf("%w (%s loaded; r continues)", err, count(t.rows.Len()))))
		} else {
			cmds = append(cmds, ui.Fail(err))
		}
	} else if m.state.Err != nil && !m.state.Busy && !m.state.Done && len(m.state.Snap.order) == 0 {
		t.loadErr = m.state.Err // another session's load of this query failed
	}
	if m.toast && added > 0 {
		cmds = append(cmds, ui.Toast("%d new SaaS incident(s)", added))
	}
	if m.resumed && m.err == nil && m.state.Done {
		cmds = append(cmds, ui.Toast("All %s SaaS incidents loaded", count(t.rows.Len())))
	}
	if m.chain {
		ctx, _ := t.reqs.paging(t.c.Context())
		cmds = append(cmds, t.watch(ctx, m.req, m.state.Version))
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
	case saasSharedMsg:
		return t.onShared(m)
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
