package views

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/httpx"
	"triage/backend/okta"
	"triage/ui"
)

const (
	// defaultLogQuery is what the System Log pane shows first.
	defaultLogQuery = "since:-24h sort:desc"
	// logCap stops a load that would hold more events than a session should.
	logCap = 250_000
	// tailEvery is how often tailing polls: a few calls a minute of the
	// System Log's bucket (Okta's example is 120 a minute for the org).
	tailEvery = 5 * time.Second
)

// logEndings say how a load ended, after its progress.
var logEndings = map[string]string{
	"stopped": " · stopped: what arrived stays · f, enter runs it again",
	"capped":  " · stopped at " + count(logCap) + " events: narrow the query",
	"failed":  " · the load failed (status line): what arrived stays",
}

// logPane is the System Log: a query, a histogram of what it loaded, and
// the events, paged in until Okta's empty page (or esc).
type logPane struct {
	listTab
	itemDetail[okta.LogEvent]
	t       *oktaTab
	text    string
	query   okta.LogQuery
	started bool

	loading bool
	pages   int
	next    string // the last next link: where the load stopped, or where new events will appear
	ended   string // how the load ended: complete, stopped, capped, failed
	budget  httpx.Bucket
	known   bool // budget holds what Okta last said

	rows   *eventRows
	packed [][]byte // each page's events as Okta sent them, compressed
	hist   *ui.Histogram

	tailing  bool
	tailReqs requests
	tailGen  int
	tailNext string
	polling  bool
	arrived  int // events added by tailing and refreshes

	row eventRow // the open event's row
}

type (
	oktaLogMsg struct {
		tab    *oktaTab
		req    int
		tail   bool
		rows   []eventRow
		packed []byte
		next   string
		more   bool
		budget httpx.Bucket
		known  bool
		err    error
	}
	oktaEventMsg struct {
		tab   *oktaTab
		uuid  string
		event *okta.LogEvent
		err   error
	}
	oktaTailTick struct {
		tab *oktaTab
		gen int
	}
)

func newLogPane(t *oktaTab) *logPane {
	p := &logPane{listTab: newListTab(t.c, eventColumns, "No events match. f changes the query, / filters the rows."), t: t,
		rows: &eventRows{}, hist: ui.NewHistogram(t.c.Styles)}
	p.loadingRows = func() string {
		if p.loading {
			return "Loading the Okta System Log…"
		}
		return ""
	}
	p.text = defaultLogQuery
	p.query, _ = parseLogQuery(p.text, t.c.now())
	return p
}

// chart says whether the histogram fits: it gives way on short terminals.
func (p *logPane) chart() bool { return p.t.height >= 20 }

func (p *logPane) setSize(w, h int) {
	p.listTab.setSize(w, h)
	rows := h - 3 // query, progress, filter bar
	if p.chart() {
		rows -= ui.HistogramLines
	}
	p.table.SetSize(w, rows)
	p.render(true)
}

// reset forgets everything loaded (another org).
func (p *logPane) reset() {
	p.reqs.stop()
	p.stopTail()
	p.started, p.loading, p.openKey = false, false, ""
	p.rows, p.packed = &eventRows{}, nil
	p.table.SetSource(p.rows)
}

// setQuery runs a new query typed by the analyst.
func (p *logPane) setQuery(text string) (tea.Cmd, error) {
	q, err := parseLogQuery(text, p.t.c.now())
	if err != nil {
		return nil, fmt.Errorf("log query: %w", err)
	}
	p.text, p.query = text, q
	return p.load(), nil
}

// --- loading ----------------------------------------------------------------

// span is the time range the query covers, for the histogram.
func (p *logPane) span() (time.Time, time.Duration) {
	until := p.query.Until
	if until.IsZero() {
		until = p.t.c.now()
	}
	since := p.query.Since
	if since.IsZero() {
		since = until.Add(-7 * 24 * time.Hour) // Okta's default
	}
	return since, until.Sub(since)
}

// load runs the query from its start; a load in progress is cancelled and
// tailing stops.
func (p *logPane) load() tea.Cmd {
	// Relative times ("since:-24h") are read again: the window is the one
	// ending now, not when the console started.
	if q, err := parseLogQuery(p.text, p.t.c.now()); err == nil {
		p.query = q
	}
	p.stopTail()
	ctx, req := p.reqs.next(p.t.c.Context())
	p.started, p.loading, p.pages, p.next, p.ended, p.openKey, p.arrived = true, true, 0, "", "", "", 0
	p.loadErr = nil
	p.tailNext = "" // the old query's polling cursor would tail the wrong events
	p.rows = &eventRows{newestFirst: p.query.Descending}
	p.packed = nil
	p.hist.Reset(p.span())
	p.table.SetSource(p.rows)
	return p.fetch(ctx, req, false, p.query, "")
}

// fetch gets one page and, off the UI goroutine, builds its rows and packs
// its raw JSON.
func (p *logPane) fetch(ctx context.Context, req int, tail bool, q okta.LogQuery, next string) tea.Cmd {
	client, t := p.t.client(), p.t
	return func() tea.Msg {
		page, err := client.Logs(ctx, q, next)
		m := oktaLogMsg{tab: t, req: req, tail: tail, err: err, next: page.Next, more: page.More}
		m.budget, m.known = client.Budget(okta.LogsPath)
		if err == nil {
			m.rows, m.packed = rowsOf(page.Events)
		}
		return m
	}
}

// add files a page's rows: into the list, the histogram and the store.
func (p *logPane) add(m oktaLogMsg, tailed bool) {
	page := int32(len(p.packed))
	p.packed = append(p.packed, m.packed)
	for i := range m.rows {
		r := &m.rows[i]
		r.page = page
		r.fresh = tailed
		p.hist.Add(r.published, r.failed)
	}
	if tailed {
		p.rows.tailed = append(p.rows.tailed, m.rows...)
	} else {
		p.rows.loaded = append(p.rows.loaded, m.rows...)
	}
	if m.known {
		p.budget, p.known = m.budget, true
	}
}

func (p *logPane) onPage(m oktaLogMsg) tea.Cmd {
	if m.tail {
		return p.onTailPage(m)
	}
	if m.req != p.reqs.current() {
		return nil // a newer query, or esc, replaced this load
	}
	if m.err != nil {
		p.loading, p.ended = false, "failed"
		if p.pages == 0 {
			p.loadErr = m.err // nothing arrived: the table says why
		}
		return ui.Fail(m.err) // what arrived stays
	}
	p.add(m, false)
	p.pages++
	p.next = m.next
	p.table.SetSource(p.rows)
	switch {
	case m.more && p.rows.Len() < logCap:
		ctx, req := p.reqs.paging(p.t.c.Context())
		return tea.Batch(p.table.Refilter(), p.fetch(ctx, req, false, p.query, m.next))
	case m.more:
		p.loading, p.ended = false, "capped"
		p.reqs.stop()
	default:
		p.loading, p.ended = false, "complete"
	}
	return p.table.Refilter()
}

// stopLoad is esc during a load: it ends, and what arrived stays.
func (p *logPane) stopLoad() tea.Cmd {
	p.reqs.stop()
	p.loading, p.ended = false, "stopped"
	return ui.Toast("Stopped: kept %s events from %s", count(p.rows.Len()), plural(p.pages, "page"))
}

// --- tailing -----------------------------------------------------------------

func (p *logPane) toggleTail() tea.Cmd {
	switch {
	case p.tailing:
		p.stopTail()
		return ui.Toast("Tailing stopped")
	case !p.query.Until.IsZero():
		return ui.Failf("tail follows a query without until: f and remove until")
	case p.loading:
		return ui.Failf("the System Log is still loading: esc stops the load, then t tails")
	}
	p.tailing = true
	p.tailGen++
	return tea.Batch(p.poll(), ui.Toast("Tailing: new events every %s", tailEvery))
}

func (p *logPane) stopTail() {
	p.tailing, p.polling = false, false
	p.tailGen++
	p.tailReqs.stop()
}

// poll asks for events newer than the newest loaded: at the polling cursor
// Okta gave (oldest-first queries), else with since just after it.
func (p *logPane) poll() tea.Cmd {
	if p.polling {
		return nil
	}
	p.polling = true
	ctx, req := p.tailReqs.next(p.t.c.Context())
	q := p.query
	next := p.tailNext
	if next == "" && !q.Descending && p.ended == "complete" {
		next = p.next
	}
	if next == "" {
		q.Since, q.Until, q.Descending = p.t.c.now(), time.Time{}, false
		if newest := p.rows.newest(); !newest.IsZero() {
			q.Since = newest.Add(time.Millisecond)
		}
	}
	return p.fetch(ctx, req, true, q, next)
}

func (p *logPane) onTailPage(m oktaLogMsg) tea.Cmd {
	if m.req != p.tailReqs.current() {
		return nil
	}
	p.polling = false
	if m.err != nil {
		p.stopTail()
		return ui.Fail(fmt.Errorf("tail stopped: %w", m.err))
	}
	p.tailNext = m.next
	var cmds []tea.Cmd
	if len(m.rows) > 0 {
		p.add(m, true)
		p.arrived += len(m.rows)
		p.table.SetSource(p.rows)
		cmds = append(cmds, p.table.Refilter(), ui.Toast("%d new Okta event(s)", len(m.rows)))
	}
	switch {
	case m.more && p.rows.Len() < logCap:
		cmds = append(cmds, p.poll()) // catching up
	case p.tailing:
		gen, t := p.tailGen, p.t
		cmds = append(cmds, tea.Tick(tailEvery, func(time.Time) tea.Msg { return oktaTailTick{tab: t, gen: gen} }))
	}
	return tea.Batch(cmds...)
}

func (p *logPane) onTailTick(m oktaTailTick) tea.Cmd {
	if !p.tailing || m.gen != p.tailGen {
		return nil
	}
	return p.poll()
}

// refresh fetches new events once (r, and auto-refresh while shown).
func (p *logPane) refresh() tea.Cmd {
	if !p.started || p.loading || p.tailing || !p.query.Until.IsZero() {
		return nil
	}
	return p.poll()
}

// --- keys --------------------------------------------------------------------

// bindings are the System Log pane's keys.
func (p *logPane) bindings() []binding {
	k, group := p.t.c.Keys, "Okta System Log"
	inList := func() bool { return p.openKey == "" }
	bs := []binding{
		{key: &k.Query, desc: "log query", group: group, when: inList, run: p.openQuery},
		{key: &k.Tail, desc: "tail new events", group: group, when: inList, run: p.toggleTail},
		{key: &k.Back, desc: "stop a load, keep rows", group: group, when: func() bool { return inList() && (p.loading || p.tailing) }, run: func() tea.Cmd {
			if p.loading {
				return p.stopLoad()
			}
			return p.toggleTail() // stops it
		}},
		{key: &k.Pivot, desc: "the actor's person view", group: group}, // the console's p
		{desc: "Show only " + p.actor() + "'s events", group: group, shown: func() bool { return p.actor() != "" },
			run: func() tea.Cmd { return p.pivot(p.actor()) }},
		{key: &k.Raw, group: group, when: func() bool { return !inList() }, run: func() tea.Cmd { p.raw = !p.raw; p.render(false); return nil }},
		{key: &k.Open, nav: true, when: inList, row: true, run: p.openEvent},
		{key: &k.Back, nav: true, when: func() bool { return !inList() }, run: func() tea.Cmd { p.openKey = ""; return nil }},
	}
	return append(bs, p.listBindings(group, inList, func() tea.Cmd {
		if cmd := p.refresh(); cmd != nil || p.started {
			return cmd
		}
		return p.load()
	})...)
}

// listKey moves in the list, or scrolls the open event.
func (p *logPane) listKey(m tea.KeyMsg) tea.Cmd {
	if p.openKey != "" {
		return p.pane.Key(m)
	}
	p.table.HandleKey(m)
	return nil
}

func (p *logPane) openQuery() tea.Cmd {
	pr := ui.NewPrompt(p.t.c.Styles, "System Log query", p.text, defaultLogQuery)
	pr.Help = "since/until: -24h, 7d or 2026-11-25T10:00:00Z · type: actor: target: outcome: severity: ip: (a,b = either; * = contains) · sort:asc|desc · words = keywords · filter:<SCIM> last"
	return p.t.show(ui.PromptModal(p.t.c.Styles, pr, func(text string) (tea.Cmd, error) { return p.setQuery(strings.TrimSpace(text)) }))
}

// target is the open event, else the one under the cursor.
func (p *logPane) target() string { return cmp.Or(p.openKey, p.table.CursorKey()) }

// url is the admin console's page of the open event's actor.
func (p *logPane) url(string) string {
	if e := p.detail; p.openKey != "" && e != nil && e.Actor.Type == "User" && e.Actor.ID != "" {
		return p.t.client().AdminURL("/admin/user/profile/view/" + string(e.Actor.ID))
	}
	return ""
}

// current is the open event's row, else the row under the cursor.
func (p *logPane) current() eventRow {
	if p.openKey != "" {
		return p.row
	}
	if i, ok := p.table.Cursor(); ok {
		return *p.rows.at(i)
	}
	return eventRow{}
}

// actor is the current event's actor.
func (p *logPane) actor() string { return p.current().actor }

// targets are the current event's targets, as the table shows them.
func (p *logPane) targets() string { return p.current().targets }

// pivot reruns the query for one actor, keeping the time range and order.
func (p *logPane) pivot(actor string) tea.Cmd {
	if actor == "" || actor == "unknown" {
		return ui.Failf("this event has no actor to pivot on")
	}
	var keep []string
	for _, tok := range splitQuoted(p.text) {
		name, _, _ := strings.Cut(tok, ":")
		switch strings.ToLower(name) {
		case "since", "until", "sort":
			keep = append(keep, tok)
		}
	}
	keep = append(keep, "actor:"+quoteTerm(actor))
	cmd, err := p.setQuery(strings.Join(keep, " "))
	if err != nil {
		return ui.Fail(err)
	}
	return tea.Batch(cmd, ui.Toast("Pivot: events by %s", actor))
}

// quoteTerm quotes a term value holding spaces or commas.
func quoteTerm(v string) string {
	if strings.ContainsAny(v, " ,") {
		return `"` + strings.ReplaceAll(v, `"`, "") + `"`
	}
	return v
}

// openEvent shows the event under the cursor in full, decoded again from
// its page.
func (p *logPane) openEvent() tea.Cmd {
	i, ok := p.table.Cursor()
	if !ok {
		return nil
	}
	p.rows.at(i).fresh = false
	row := *p.rows.at(i)
	p.openItem(row.uuid)
	p.row = row
	p.render(false)
	block, t := p.packed[row.page], p.t
	return func() tea.Msg {
		e, err := unpack(block, row.index)
		if err != nil {
			return oktaEventMsg{tab: t, uuid: row.uuid, err: err}
		}
		return oktaEventMsg{tab: t, uuid: row.uuid, event: &e}
	}
}

func (p *logPane) onEvent(m oktaEventMsg) tea.Cmd {
	if m.uuid != p.openKey {
		return nil
	}
	p.detail, p.detailErr = m.event, m.err
	p.render(true)
	return nil
}

// --- view ----------------------------------------------------------------------

func (p *logPane) busy() string {
	if p.loading {
		return "Loading the Okta System Log: " + p.progress() + " · esc stops"
	}
	return ""
}

func (p *logPane) info() string { return infoLine(p.table, count(p.rows.Len())+" events") }

// progress is what the load has done: events, pages, the rate limit left.
func (p *logPane) progress() string {
	s := fmt.Sprintf("%s events · %s", count(p.rows.Len()), plural(p.pages, "page"))
	if p.known {
		s += fmt.Sprintf(" · rate limit %d/%d left", p.budget.Remaining, p.budget.Limit)
	}
	if w := p.waiting(); w != "" {
		s += " · " + w
	}
	return s
}

// waiting says how long the load waits for the tenant's share of Okta's
// rate limit, which every session's loads share; "" when it does not.
func (p *logPane) waiting() string {
	if !p.loading {
		return ""
	}
	return oktaWaiting(p.t.client(), okta.LogsPath)
}

func (p *logPane) status() string {
	st := p.t.c.Styles
	if !p.started {
		return st.Muted.Render("r loads the System Log")
	}
	line := p.progress() + logEndings[p.ended]
	if p.ended == "" {
		line = "loading: " + line + " · esc stops"
	}
	if p.tailing {
		line += fmt.Sprintf(" · tailing every %s, %d new", tailEvery, p.arrived)
	}
	return st.Muted.Render(line)
}

func (p *logPane) view() string {
	if p.openKey != "" {
		return p.pane.View()
	}
	bar := p.t.c.Styles.Muted.Render("query: "+p.text+" · f change · t tail · p the actor's person view · enter opens") + "\n" + p.status()
	if p.chart() {
		bar += "\n" + p.hist.View(p.t.width)
	}
	return p.listView(bar)
}

func (p *logPane) render(keep bool) {
	if p.openKey == "" {
		return
	}
	st := p.t.c.Styles
	p.pane.Show(p.detailText(st, "this event", "Opening "+p.openKey+"…", func(e *okta.LogEvent) []byte { return e.Raw },
		func(e *okta.LogEvent) string { return eventDoc(st, e, p.pane.Width(), p.t.c.now()) }), keep)
}
