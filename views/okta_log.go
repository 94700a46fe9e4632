package views

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/dataset"
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
// the events, paged in until Okta's empty page (or esc). The events are a
// dataset shared by every session on the same query and org (as the ITM
// tab's incidents are): read once, polled for new events once, and shown
// through this session's own view, histogram and cursor.
type logPane struct {
	listTab
	itemDetail[okta.LogEvent]
	t       *oktaTab
	text    string
	query   okta.LogQuery
	started bool

	set   *dataset.Set[*eventSet]
	rows  *eventView
	leave func() // stops following the load this session follows; nil if none
	kept  bool   // esc: the view keeps what arrived and no longer follows the load
	hist  *ui.Histogram
	drawn struct{ epoch, loaded, tailed int } // what the histogram counts of the rows

	tailing  bool
	tailReqs requests
	tailGen  int
	polling  bool // this session's poll is running

	row eventRow // the open event's row
}

type (
	// oktaLogMsg is a state of the pane's dataset, for the pane to show.
	oktaLogMsg struct {
		tab   *oktaTab
		req   int
		kind  logKind
		set   *dataset.Set[*eventSet]
		state dataset.State[*eventSet]
		mine  bool // the answer to this session's load or poll, whoever ran it
		added int  // events its poll added
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

// logKind is what a session asked of the dataset.
type logKind int

const (
	logWatch logKind = iota // nothing: a state it looked at
	logLoad                 // the query read from its start
	logPoll                 // the events newer than those held (r, tailing)
	logRetry                // a load after the poll or stopped load running
)

// logPollEvery is how often an idle pane looks for what other sessions
// read into its dataset.
const logPollEvery = 2 * time.Second

// logSlideAfter is how far a relative window's start must have moved for
// the shared events to slide forward: sessions opening the query within a
// minute of each other share them as read.
const logSlideAfter = time.Minute

func newLogPane(t *oktaTab) *logPane {
	p := &logPane{listTab: newListTab(t.c, eventColumns, "No events match. f changes the query, / filters the rows."), t: t,
		rows: newEventView(newEventSet()), hist: ui.NewHistogram(t.c.Styles)}
	p.loadingRows = func() string {
		if p.loading() {
			return "Loading the Okta System Log…"
		}
		return ""
	}
	p.text = defaultLogQuery
	p.query, _ = parseLogQuery(p.text, t.c.now())
	return p
}

// loading says the query's load is running, whichever session started it.
func (p *logPane) loading() bool { return p.started && p.rows.loading() }

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
	p.unfollow()
	p.started, p.openKey, p.set, p.kept = false, "", nil, false
	p.rows = newEventView(newEventSet())
	p.table.SetSource(p.rows)
}

// setQuery runs a query typed by the analyst: the same query again reads
// it again from its start, for every session on it, unless its load is
// still running: this session then follows that load.
func (p *logPane) setQuery(text string) (tea.Cmd, error) {
	q, err := parseLogQuery(text, p.t.c.now())
	if err != nil {
		return nil, fmt.Errorf("log query: %w", err)
	}
	again := text == p.text && p.started
	p.text, p.query = text, q
	return p.open(again), nil
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

// load opens the query's dataset: its events as read, or its load if none
// has run.
func (p *logPane) load() tea.Cmd { return p.open(false) }

// open shows the query's dataset, starting its load when no session has
// (or again); a dataset read for an older relative window slides forward.
// Tailing stops.
func (p *logPane) open(again bool) tea.Cmd {
	// Relative times ("since:-24h") are read again: the window is the one
	// ending now, not when the console started.
	if q, err := parseLogQuery(p.text, p.t.c.now()); err == nil {
		p.query = q
	}
	p.stopTail()
	ctx, req := p.reqs.next(p.t.c.Context())
	p.started, p.openKey, p.loadErr = true, "", nil
	key := dataset.Key{Kind: "okta-log", Tenant: p.t.client().Tenant(), Query: p.text}
	p.set, _ = dataset.Open(p.t.c.datasets(), key, newEventSet)
	st := p.set.Read()
	p.rows = newEventView(st.Snap)
	p.drawn.epoch = -1
	p.draw()
	p.table.SetSource(p.rows)
	// The load followed so far is left once the new one is followed: the
	// same load again is not stopped on the way.
	leaving := p.leave
	p.leave, p.kept = nil, false
	var first tea.Cmd
	switch snap := st.Snap; {
	case again || snap.run == nil || snap.ended == "stopped" || snap.ended == "failed":
		first = p.start(req) // a load still running is followed, not started again
	case snap.ended == "" && p.follow(snap.run):
		first = p.await(p.reqs.paging, req, logLoad) // another session's load
	case snap.ended == "":
		first = p.start(req) // its last follower stopped it a moment ago
	default:
		first = p.poll(false, true) // read for an older window: slide it
	}
	if leaving != nil {
		leaving()
	}
	return tea.Batch(first, p.watch(ctx, req, st.Version), p.table.Refilter())
}

// follow makes this session one of run's followers, leaving the load it
// followed before; false when run's last follower stopped it meanwhile.
func (p *logPane) follow(run *logRun) bool {
	leave, ok := run.follow(p.t.c.Context())
	if !ok {
		return false
	}
	p.unfollow()
	p.leave, p.kept = leave, false
	return true
}

// unfollow leaves the load this session follows: the last to leave stops it.
func (p *logPane) unfollow() {
	if p.leave != nil {
		p.leave()
		p.leave = nil
	}
}

// start reads the query from its start into the dataset, for every session
// on it; one already running is shared.
func (p *logPane) start(req int) tea.Cmd {
	set, client := p.set, p.t.client()
	if !set.Begin() {
		if snap := set.Read().Snap; snap.loading() && p.follow(snap.run) {
			return p.await(p.reqs.paging, req, logLoad)
		}
		return p.await(p.reqs.paging, req, logRetry) // a poll, or a stopped load leaving
	}
	ctx, cancel := context.WithCancel(set.Context())
	run := &logRun{}
	run.stop = func() {
		cancel()
		// Every session on the query sees it stopped at once, not when
		// the page in flight gives up.
		set.Publish(func(s *eventSet) *eventSet {
			if s.run != run || s.ended != "" {
				return s
			}
			n := s.next()
			n.ended = "stopped"
			return n
		})
	}
	q := p.query
	st := set.Publish(func(s *eventSet) *eventSet {
		return &eventSet{newestFirst: q.Descending, since: q.Since, epoch: s.epoch + 1, run: run}
	})
	p.follow(run)
	p.show(st.Snap)
	go readLog(ctx, set, client, q, "", false)
	return p.await(p.reqs.paging, req, logLoad)
}

// poll asks for the events newer than those held, once for every session
// on the query: none when the dataset was polled within tailEvery, unless
// force. A relative window that moved on slides first: the events before
// its start go, and only the newer ones are read; with slideOnly, a window
// that has not moved is left as it is.
func (p *logPane) poll(force, slideOnly bool) tea.Cmd {
	set, client, now := p.set, p.t.client(), p.t.c.now()
	if q, err := parseLogQuery(p.text, now); err == nil {
		p.query = q
	}
	snap := set.Read().Snap
	moved := p.query.Since.Sub(snap.since)
	slide := !p.query.Since.IsZero() && !snap.since.IsZero() && (moved >= logSlideAfter || moved <= -logSlideAfter)
	switch {
	case snap.loading():
		return nil
	case slide && (moved < 0 || !p.query.Until.IsZero()):
		// The clock went back, or the window has an end: read it again.
		return p.start(p.reqs.current())
	case !slide && (slideOnly || !p.query.Until.IsZero() || !force && now.Sub(snap.polled) < tailEvery):
		return nil
	}
	_, req := p.tailReqs.next(p.t.c.Context())
	if !set.Begin() {
		return p.await(p.tailReqs.paging, req, logPoll) // another session's poll or load
	}
	q, since := p.query, p.query.Since
	st := set.Publish(func(s *eventSet) *eventSet {
		n := s.next()
		if slide {
			n.slide(since)
		}
		n.polled = now
		return n
	})
	// Where new events appear: the polling cursor Okta gave, else the end
	// of a complete oldest-first load, else since the newest event held.
	next := st.Snap.poll
	if next == "" && !q.Descending && st.Snap.ended == "complete" && !slide {
		next = st.Snap.link
	}
	if next == "" {
		// Okta SDK v5 SystemLogAPI ListLogEvents: since, ascending; from the
		// newest event's own time, dropping the events held at that time,
		// as demisto/content Packs/Okta OktaEventCollector.py
		// (GetEvents.get_last_run, remove_duplicates) does.
		q.Since, q.Until, q.Descending = now, time.Time{}, false
		if newest := st.Snap.newest(); !newest.IsZero() {
			q.Since = newest
		}
	}
	p.polling = true
	go readLog(set.Context(), set, client, q, next, true)
	return p.await(p.tailReqs.paging, req, logPoll)
}

// readLog reads pages into the dataset under ctx, the dataset's own (so a
// session leaving does not stop it while another follows it), publishing
// each page: the query from
// its start, or with poll the events after those held, until Okta's empty
// page, logCap events, or its last follower leaving.
func readLog(ctx context.Context, set *dataset.Set[*eventSet], client *okta.Client, q okta.LogQuery, next string, poll bool) {
	var edge map[string]bool
	if poll {
		edge = set.Read().Snap.edge()
	}
	for {
		page, err := client.Logs(ctx, q, next)
		budget, known := client.Budget(okta.LogsPath)
		if ctx.Err() != nil {
			// Its last follower left, or the dataset was dropped: what
			// arrived stays.
			set.Publish(func(s *eventSet) *eventSet {
				if s.ended != "" || poll {
					return s
				}
				n := s.next()
				n.ended = "stopped"
				return n
			})
			set.End(false, nil)
			return
		}
		if err != nil {
			set.Publish(func(s *eventSet) *eventSet {
				n := s.next()
				if !poll {
					n.ended = "failed"
				}
				return n
			})
			set.End(false, err)
			return
		}
		rows, packed := rowsOf(page.Events)
		if poll {
			rows = slices.DeleteFunc(rows, func(r eventRow) bool { return edge[r.uuid] })
		}
		st := set.Publish(func(s *eventSet) *eventSet {
			if ctx.Err() != nil {
				return s // stopped while the page came
			}
			n := s.next()
			if len(rows) > 0 {
				n.add(rows, packed, poll)
			}
			if known {
				n.budget, n.known = budget, true
			}
			if poll {
				n.poll = page.Next
				return n
			}
			n.pages++
			n.link = page.Next
			switch {
			case page.More && n.Len() >= logCap:
				n.ended = "capped"
			case !page.More:
				n.ended = "complete"
			}
			return n
		})
		// A poll's page of events already held only is the end of the new
		// ones; otherwise Okta's next link goes on until an empty page.
		more := page.More && st.Snap.Len() < logCap && (!poll || len(rows) > 0)
		if !more || !poll && st.Snap.ended != "" {
			set.End(!poll && st.Snap.ended == "complete", nil)
			return
		}
		next, edge = page.Next, nil
	}
}

// await is the dataset's state once the load or poll this session asked
// for, or shares, is over.
func (p *logPane) await(paging func(context.Context) (context.Context, int), req int, kind logKind) tea.Cmd {
	set, t := p.set, p.t
	ctx, _ := paging(t.c.Context())
	before := p.rows.dropped + len(p.rows.tailed)
	return func() tea.Msg {
		st, err := set.Idle(ctx)
		if err != nil {
			return nil // the pane moved on to another query
		}
		return oktaLogMsg{tab: t, req: req, kind: kind, set: set, state: st, mine: true,
			added: st.Snap.dropped + len(st.Snap.tailed) - before}
	}
}

// watch waits for the dataset's next state while a load or poll runs, and
// looks again from time to time while none does.
func (p *logPane) watch(ctx context.Context, req int, version uint64) tea.Cmd {
	set, t := p.set, p.t
	return watchSet(ctx, set, version, logPollEvery, func(st dataset.State[*eventSet]) tea.Msg {
		return oktaLogMsg{tab: t, req: req, set: set, state: st}
	})
}

// show moves the view to snapshot s and counts its new events into the
// histogram.
func (p *logPane) show(s *eventSet) bool {
	if s == p.rows.eventSet {
		return false
	}
	if s.run != p.rows.run {
		// A new load of the query: its polled events count from its start.
		p.rows.base = s.dropped + len(s.tailed)
	}
	p.rows.eventSet = s
	p.draw()
	p.table.SetSource(p.rows)
	return true
}

// draw brings the histogram up to the rows: the ones added since it last
// counted, or all of them again after a new load or a slide.
func (p *logPane) draw() {
	r := p.rows.eventSet
	if p.drawn.epoch != r.epoch {
		p.hist.Reset(p.span())
		p.drawn.epoch, p.drawn.loaded, p.drawn.tailed = r.epoch, 0, r.dropped
	}
	for i := p.drawn.loaded; i < len(r.loaded); i++ {
		p.hist.Add(r.loaded[i].published, r.loaded[i].failed)
	}
	for i := max(p.drawn.tailed-r.dropped, 0); i < len(r.tailed); i++ {
		p.hist.Add(r.tailed[i].published, r.tailed[i].failed)
	}
	p.drawn.loaded, p.drawn.tailed = len(r.loaded), r.dropped+len(r.tailed)
}

func (p *logPane) onShared(m oktaLogMsg) tea.Cmd {
	if m.set != p.set {
		return nil // another query replaced this one
	}
	if m.kind == logPoll {
		if m.req != p.tailReqs.current() {
			return nil
		}
	} else if m.req != p.reqs.current() {
		return nil
	}
	if p.kept && (m.kind == logWatch || m.kind == logLoad) {
		// esc: this session keeps what arrived while the others' load
		// goes on, until f, enter or a poll shows the query again.
		if m.kind == logWatch {
			ctx, _ := p.reqs.paging(p.t.c.Context())
			return p.watch(ctx, m.req, m.state.Version)
		}
		return nil
	}
	if m.kind == logPoll {
		p.kept = false
	}
	var cmds []tea.Cmd
	if p.show(m.state.Snap) {
		cmds = append(cmds, p.table.Refilter())
	}
	snap := m.state.Snap
	switch {
	case m.kind == logWatch:
		ctx, _ := p.reqs.paging(p.t.c.Context())
		cmds = append(cmds, p.watch(ctx, m.req, m.state.Version))
	case m.kind == logRetry:
		cmds = append(cmds, p.start(m.req))
	case m.kind == logLoad && m.state.Err != nil && snap.ended == "failed":
		if snap.pages == 0 {
			p.loadErr = m.state.Err // nothing arrived: the table says why
		}
		cmds = append(cmds, ui.Fail(m.state.Err)) // what arrived stays
	case m.kind == logPoll:
		p.polling = false
		if m.state.Err != nil {
			err := m.state.Err
			if p.tailing {
				err = fmt.Errorf("tail stopped: %w", err)
			}
			p.stopTail()
			return tea.Batch(append(cmds, ui.Fail(err))...)
		}
		if m.added > 0 {
			cmds = append(cmds, ui.Toast("%d new Okta event(s)", m.added))
		}
		if p.tailing {
			cmds = append(cmds, p.tick())
		}
	}
	return tea.Batch(cmds...)
}

// stopLoad is esc during a load: this session stops following it and keeps
// what arrived, in a snapshot of its own (the rows stay shared); the load
// itself stops only if no other session follows it. f, enter follows it
// again while it runs, or runs it again.
func (p *logPane) stopLoad() tea.Cmd {
	n, pages := p.rows.Len(), p.rows.pages
	kept := p.rows.next()
	kept.ended = "stopped"
	p.show(kept)
	p.kept = true
	p.unfollow()
	return ui.Toast("Stopped: kept %s events from %s", count(n), plural(pages, "page"))
}

// --- tailing -----------------------------------------------------------------

func (p *logPane) toggleTail() tea.Cmd {
	switch {
	case p.tailing:
		p.stopTail()
		return ui.Toast("Tailing stopped")
	case !p.query.Until.IsZero():
		return ui.Failf("tail follows a query without until: f and remove until")
	case p.loading():
		return ui.Failf("the System Log is still loading: esc stops the load, then t tails")
	}
	p.tailing = true
	p.tailGen++
	return tea.Batch(p.tailPoll(true), ui.Toast("Tailing: new events every %s", tailEvery))
}

func (p *logPane) stopTail() {
	p.tailing, p.polling = false, false
	p.tailGen++
	p.tailReqs.stop()
}

// tailPoll polls for new events, or, when another session polled them a
// moment ago, waits for the next tick.
func (p *logPane) tailPoll(force bool) tea.Cmd {
	if p.polling || p.set == nil {
		return nil
	}
	if cmd := p.poll(force, false); cmd != nil {
		return cmd
	}
	if p.tailing {
		return p.tick()
	}
	return nil
}

func (p *logPane) tick() tea.Cmd {
	gen, t := p.tailGen, p.t
	return tea.Tick(tailEvery, func(time.Time) tea.Msg { return oktaTailTick{tab: t, gen: gen} })
}

func (p *logPane) onTailTick(m oktaTailTick) tea.Cmd {
	if !p.tailing || m.gen != p.tailGen {
		return nil
	}
	return p.tailPoll(false)
}

// refresh fetches new events once (r, and auto-refresh while shown); a
// poll another session made within tailEvery serves it.
func (p *logPane) refresh() tea.Cmd {
	if !p.started || p.loading() || p.tailing || !p.query.Until.IsZero() {
		return nil
	}
	return p.tailPoll(false)
}

// --- keys --------------------------------------------------------------------

// bindings are the System Log pane's keys.
func (p *logPane) bindings() []binding {
	k, group := p.t.c.Keys, "Okta System Log"
	inList := func() bool { return p.openKey == "" }
	bs := []binding{
		{key: &k.Query, desc: "log query", group: group, when: inList, run: p.openQuery},
		{key: &k.Tail, desc: "tail new events", group: group, when: inList, run: p.toggleTail},
		{key: &k.Back, desc: "stop a load, keep rows", group: group, when: func() bool { return inList() && (p.loading() || p.tailing) }, run: func() tea.Cmd {
			if p.loading() {
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
	row := *p.rows.at(i)
	if p.rows.seen == nil {
		p.rows.seen = map[string]bool{}
	}
	p.rows.seen[row.uuid] = true
	p.openItem(row.uuid)
	p.row = row
	p.render(false)
	block, t := p.rows.packed[row.page], p.t
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
	if p.loading() {
		return "Loading the Okta System Log: " + p.progress() + " · esc stops"
	}
	return ""
}

func (p *logPane) info() string { return infoLine(p.table, count(p.rows.Len())+" events") }

// progress is what the load has done: events, pages, the rate limit left.
func (p *logPane) progress() string {
	s := fmt.Sprintf("%s events · %s", count(p.rows.Len()), plural(p.rows.pages, "page"))
	if p.rows.known {
		s += fmt.Sprintf(" · rate limit %d/%d left", p.rows.budget.Remaining, p.rows.budget.Limit)
	}
	if w := p.waiting(); w != "" {
		s += " · " + w
	}
	return s
}

// waiting says how long the load waits for the tenant's share of Okta's
// rate limit, which every session's loads share; "" when it does not.
func (p *logPane) waiting() string {
	if !p.loading() {
		return ""
	}
	return oktaWaiting(p.t.client(), okta.LogsPath)
}

func (p *logPane) status() string {
	st := p.t.c.Styles
	if !p.started {
		return st.Muted.Render("r loads the System Log")
	}
	line := p.progress() + logEndings[p.rows.ended]
	if p.rows.ended == "" {
		line = "loading: " + line + " · esc stops"
	}
	if p.tailing {
		line += fmt.Sprintf(" · tailing every %s, %d new", tailEvery, p.rows.arrived())
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
