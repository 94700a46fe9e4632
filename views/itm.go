package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/dataset"
	"triage/backend/httpx"
	"triage/backend/itm"
	"triage/backend/settle"
	"triage/ui"
)

// itmPageSize is how many incidents one query fetches; more page in as the
// cursor nears the end.
const itmPageSize = 500

// itmTab is tab 1: Proofpoint ITM incidents.
type itmTab struct {
	queryList[*itm.Client, itm.Query, itm.Ticket, *ticketView]

	// the query's dataset, shared with every session on the same query
	set         *dataset.Set[*ticketRows]
	loadingMore bool // this session is reading the next page
	refreshing  bool // this session's refresh is running
	stuck       bool // the next page failed: read it again only when asked (G, r), not on every look
	failures    failures
	total       int

	email string // the raw email of the open ticket

	// what the forms act on, and what the analyst typed or chose
	target     string // ticket a form acts on
	pendStatus itm.StatusChange
	bulkKeys   []string // the marked tickets a form acts on; nil for one ticket
	drafts     map[string]string
	users      []ui.Item
	usersReq   bool
	assignees  *ui.Picker    // the assign picker while open, filled when the users arrive
	keptSender *senderChoice // one that failed, to start from
}

// messages of the ITM tab; each names its tab, since every tab sees them.
type (
	itmEmailMsg struct {
		tab  *itmTab
		key  string
		text string
		err  error
	}
	itmUsersMsg struct {
		tab   *itmTab
		users []itm.User
		err   error
	}
	itmWriteMsg struct {
		tab    *itmTab
		action string // comment, assign, status
		key    string
		text   string // the comment, kept if it did not land
		out    settle.Result
		ticket *itm.Ticket // the ticket after the write, for the row and detail
	}
)

type pageKind int

const (
	pageFirst pageKind = iota
	pageMore
	pageRefresh
)

func newITMTab(c *Common) Tab {
	t := &itmTab{drafts: map[string]string{}, total: -1}
	t.queryList = queryList[*itm.Client, itm.Query, itm.Ticket, *ticketView]{
		listTab: newListTab(c, ticketColumns, "No incidents match. f changes the query, / filters the rows."),
		owner:   t, number: 1, vendor: "itm", product: "ITM", clients: c.Backends.ITM, rows: newTicketView(),
		parse: t.parse, newRows: t.newView, read: (*itm.Client).Ticket,
		configured: func(i int) (string, string) { conf := c.Backends.Config.ITM[i]; return conf.Name, conf.Query },
		name:       func(key string) string { return short(key, 8) },
		rawJSON:    func(tk *itm.Ticket) []byte { return tk.Raw },
		doc:        func(tk *itm.Ticket) string { return ticketDoc(c.Styles, tk, t.width, t.statusTitle, c.now()) },
		instead:    t.emailText,
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

// Init implements Tab.
func (t *itmTab) Init() tea.Cmd {
	said := t.startQuery(itmDefaultQuery)
	return tea.Batch(said, t.loadFirst())
}

// itmDefaultQuery is what tab 1 starts on when the tenant names no query.
const itmDefaultQuery = "since:30d"

// Busy implements Tab.
func (t *itmTab) Busy() string {
	more := ""
	switch {
	case t.toEnd && t.total > 0:
		more = fmt.Sprintf("Loading to the last row: %s of %s ITM incidents… esc stops", count(t.rows.Len()), count(t.total))
	case t.toEnd:
		more = fmt.Sprintf("Loading to the last row: %s ITM incidents so far… esc stops", count(t.rows.Len()))
	case t.loadingMore:
		more = fmt.Sprintf("Loading more ITM incidents (%s so far)…", count(t.rows.Len()))
	}
	return t.busyWith(t.loading, t.opening, more)
}

// Info implements Tab.
func (t *itmTab) Info() string {
	loaded := count(t.rows.Len())
	if t.total >= 0 {
		loaded += " of " + count(t.total)
	}
	return infoLine(t.table, loaded+" incidents")
}

// bindings implements bound: the keys of the ITM tab.
func (t *itmTab) bindings() []binding {
	k := t.c.Keys
	inList := func() bool { return t.mode == listMode }
	bs := []binding{
		{key: &k.Comment, write: "itm.comment", marks: "Comment on the %d marked tickets", run: t.openComment},
		{key: &k.Assign, write: "itm.assign", row: true, run: t.openAssign},
		{key: &k.Status, write: "itm.status", row: true, marks: "Set the status of the %d marked tickets", run: t.openStatus},
		{key: &k.Email, when: func() bool { return t.mode != emailMode }, row: true, run: func() tea.Cmd { return t.openEmail(t.targetKey()) }},
		{key: &k.Query, when: inList, run: t.openQuery},
		t.rawKey(),
	}
	bs = append(bs, t.copyBindings("ITM incident", "copy the fqid", "open in the ITM console", t.targetKey, func(key string) string { return t.client().WebURL(key) })...)
	bs = append(bs,
		binding{key: &k.Block, desc: "block / allow sender", write: "essentials.sender_list", shown: func() bool { return len(t.c.Backends.Essentials) > 0 }, run: t.openSenders},
		t.tenantKey("Switch ITM tenant", func() tea.Cmd { t.users, t.usersReq = nil, false; return nil }),
		binding{key: &k.Submit, group: "In the comment editor"},
		binding{key: &escKeepsDraft, group: "In the comment editor"},
	)
	bs = append(bs, t.endKeys(func() bool { return t.rows.more }, t.loadMore)...)
	return append(bs, t.navBindings("ITM tickets", t.Refresh)...)
}

// escKeepsDraft is esc in the comment editor, for help.
var escKeepsDraft = key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc/ctrl+c", "close, keep the draft"))

// parse reads the tab's query language.
func (t *itmTab) parse(text string) (itm.Query, error) {
	var q itm.Query
	err := parseTerms(text, t.c.now(), &q.Since, &q.Until, func(term Term) error {
		switch term.Name {
		case "status":
			q.Statuses = term.Values
		case "severity":
			q.Severities = term.Values
		case "person":
			q.People = term.Values
		}
		return nil
	}, "since", "until", "status", "severity", "person")
	if err != nil {
		return itm.Query{}, err
	}
	return q, nil
}

// --- loading -------------------------------------------------------------

// The tab reads its query through a dataset shared by every session on it
// (backend/dataset, as the SaaS tab does): one session fetches a page, under
// the dataset's own context, and every session shows it. Pages are read as
// any session's cursor nears the end of what is loaded.

// itmSharedMsg is a state of the tab's dataset, for the tab to show.
type itmSharedMsg struct {
	tab   *itmTab
	req   int
	kind  pageKind
	set   *dataset.Set[*ticketRows]
	state dataset.State[*ticketRows]
	err   error // the page's error, when this session fetched it
	mine  bool  // this session fetched it
	chain bool  // from watch, which this message carries on
}

// itmSlideAfter is how far a relative window's start must have moved for
// a session opening the query to slide the shared rows forward: sessions
// opening it within a minute of each other share the rows as read.
const itmSlideAfter = time.Minute

// itmPollEvery is how often an idle tab looks for what other sessions
// changed in its dataset.
const itmPollEvery = 2 * time.Second

// newView is an empty view of the tab's dataset.
func (t *itmTab) newView() *ticketView {
	v := newTicketView()
	v.me, v.publish = t, publisher(t.set, (*ticketRows).next)
	return v
}

// fetch reads one page into the dataset: the first, a further one at the
// snapshot's offset, or the newest again to merge (a refresh). It runs
// under the dataset's context, whether or not this session is still there
// to see it, and the session waits for it with await.
func (t *itmTab) fetch(req int, kind pageKind, set *dataset.Set[*ticketRows], q itm.Query) tea.Cmd {
	client, ctx := t.client(), set.Context()
	go func() {
		page, err := client.Incidents(ctx, q)
		if err == nil {
			set.Publish(func(s *ticketRows) *ticketRows {
				n := s.next()
				if page.Total >= 0 {
					n.total = page.Total
				}
				switch kind {
				case pageRefresh:
					n.nextOffset += n.merge(page.Tickets)
				case pageFirst:
					n.since = q.Since
					fallthrough
				default:
					n.append(page.Tickets)
					n.nextOffset += len(page.Tickets)
					n.more, n.loaded = page.More, true
				}
				return n
			})
		}
		set.End(false, err)
	}()
	return t.await(req, kind, set)
}

// await is the dataset's state once the page this session asked for, or
// the one another session was reading, is in.
func (t *itmTab) await(req int, kind pageKind, set *dataset.Set[*ticketRows]) tea.Cmd {
	ctx, _ := t.reqs.paging(t.c.Context())
	return func() tea.Msg {
		st, err := set.Idle(ctx)
		if err != nil {
			return nil // the tab moved on to another query
		}
		return itmSharedMsg{tab: t, req: req, kind: kind, set: set, state: st, err: st.Err, mine: true}
	}
}

// loadFirst opens the query's dataset, fetching its first page if no
// session has; an earlier load of this tab is left to the dataset.
func (t *itmTab) loadFirst() tea.Cmd {
	t.rereadQuery()
	ctx, req := t.reqs.next(t.c.Context())
	t.loadErr = nil
	t.loadingMore, t.refreshing, t.toEnd, t.stuck, t.failures = false, false, false, false, failures{}
	key := dataset.Key{Kind: "itm", Tenant: t.client().Tenant(), Query: t.queryText}
	t.set, _ = dataset.Open(t.c.datasets(), key, newTicketRows)
	t.rows = t.newView()
	t.table.SetSource(t.rows)
	st := t.set.Read()
	t.rows.start(st.Snap)
	t.total = st.Snap.total
	t.loading = ""
	first := t.slide(req)
	if first == nil && !st.Snap.loaded {
		t.loading = "Loading ITM incidents…"
		if t.set.Begin() {
			q := t.query
			q.Offset, q.Limit = 0, itmPageSize
			first = t.fetch(req, pageFirst, t.set, q)
		} else {
			first = t.await(req, pageFirst, t.set) // another session is reading it
		}
	}
	return tea.Batch(first, t.watch(ctx, req, t.set.Read().Version))
}

// slide moves the shared rows forward when the query's relative window
// ("since:30d") has moved on since they were read: the old tickets go, and
// the newest page comes in on top. Nil when there is nothing to slide.
func (t *itmTab) slide(req int) tea.Cmd {
	st, since := t.set.Read(), t.query.Since
	moved := since.Sub(st.Snap.since)
	if !st.Snap.loaded || moved < itmSlideAfter && moved > -itmSlideAfter || !t.set.Begin() {
		return nil
	}
	q := t.query
	q.Offset, q.Limit = 0, itmPageSize
	if moved < 0 {
		// The window starts earlier than the rows read (the clock was set
		// back): read it again.
		st = t.set.Publish(func(*ticketRows) *ticketRows { return newTicketRows() })
		t.rows.start(st.Snap)
		t.table.SetSource(t.rows)
		return t.fetch(req, pageFirst, t.set, q)
	}
	st = t.set.Publish(func(s *ticketRows) *ticketRows { n := s.next(); n.slide(since); return n })
	t.rows.show(st.Snap)
	t.table.SetSource(t.rows)
	return t.fetch(req, pageRefresh, t.set, q)
}

// watch waits for the dataset's next state while a page is being read, and
// looks again from time to time while none is.
func (t *itmTab) watch(ctx context.Context, req int, version uint64) tea.Cmd {
	set := t.set
	return watchSet(ctx, set, version, itmPollEvery, func(st dataset.State[*ticketRows]) tea.Msg {
		return itmSharedMsg{tab: t, req: req, set: set, state: st, chain: true}
	})
}

// loadMore fetches the next page when the cursor nears the end.
func (t *itmTab) loadMore() tea.Cmd {
	if !t.rows.more || t.loadingMore || t.loading != "" || t.set == nil || (!t.toEnd && (t.stuck || !t.table.NearEnd(itmPageSize/5))) {
		return nil
	}
	st := t.set.Read()
	if st.Snap != t.rows.ticketRows || !st.Snap.more || !t.set.Begin() {
		return nil // another session is reading it, or has: the watch brings it
	}
	if st = t.set.Read(); st.Snap != t.rows.ticketRows {
		t.set.End(false, st.Err) // another session read the page just before Begin
		return nil
	}
	t.loadingMore, t.stuck = true, false
	q := t.query
	q.Offset, q.Limit = st.Snap.nextOffset, itmPageSize
	return t.fetch(t.reqs.current(), pageMore, t.set, q)
}

// Refresh implements Tab: fetch the newest page and merge it, keeping the
// cursor where it is; sessions refreshing together share one.
func (t *itmTab) Refresh() tea.Cmd {
	if t.loading != "" || t.refreshing || t.set == nil {
		return nil
	}
	var cmds []tea.Cmd
	if t.mode == detailMode && t.openKey != "" {
		cmds = append(cmds, t.fetchItem(t.openKey))
	}
	if !t.set.Begin() {
		return tea.Batch(cmds...)
	}
	t.refreshing, t.stuck = true, false
	t.rereadQuery()
	q := t.query
	q.Offset, q.Limit = 0, itmPageSize
	return tea.Batch(append(cmds, t.fetch(t.reqs.current(), pageRefresh, t.set, q))...)
}

func (t *itmTab) onShared(m itmSharedMsg) tea.Cmd {
	if m.req != t.reqs.current() || m.set != t.set {
		return nil // a newer query replaced this one
	}
	if m.mine {
		switch m.kind {
		case pageFirst:
			t.loading = ""
		case pageMore:
			t.loadingMore = false
		case pageRefresh:
			t.refreshing = false
		}
	}
	if m.state.Snap.loaded {
		t.loading = ""
	}
	var cmds []tea.Cmd
	if m.err != nil {
		t.toEnd = false
		t.stuck = m.mine && m.kind == pageMore
		if m.kind == pageFirst {
			t.loadErr = m.err
		}
		if t.failures.first(m.state.Version) {
			cmds = append(cmds, ui.Fail(fmt.Errorf("%w (r tries again)", m.err)))
		}
	} else if !m.mine && !m.state.Busy && !m.state.Snap.loaded && m.state.Err != nil {
		t.loading, t.loadErr = "", m.state.Err // another session's first page failed
	}
	shown := t.rows.ticketRows
	added := t.rows.show(m.state.Snap)
	if t.rows.ticketRows != shown {
		if t.rows.total >= 0 {
			t.total = t.rows.total
		}
		t.table.SetSource(t.rows)
		cmds = append(cmds, t.table.Refilter())
		t.atEnd(t.rows.more)
	}
	if m.mine && m.kind == pageRefresh && added > 0 {
		cmds = append(cmds, ui.Toast("%d new ITM incident(s)", added))
	}
	if m.chain {
		ctx, _ := t.reqs.paging(t.c.Context())
		cmds = append(cmds, t.watch(ctx, m.req, m.state.Version))
	}
	if m.mine && m.kind == pageFirst && m.err == nil {
		// Another session's load of this query, read for an older window.
		if slide := t.slide(m.req); slide != nil {
			return tea.Batch(append(cmds, slide)...)
		}
	}
	if m.err == nil {
		cmds = append(cmds, t.loadMore())
	}
	return tea.Batch(cmds...)
}

// --- updates -------------------------------------------------------------

// Update implements Tab.
func (t *itmTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case itmSharedMsg:
		return t.onShared(m)
	case itemMsg[itm.Ticket]:
		return t.onItem(m)
	case itmEmailMsg:
		if m.key == t.openKey && t.mode == emailMode {
			t.opening = ""
			if m.err != nil {
				t.mode = detailMode
				t.render(false)
				return ui.Fail(m.err)
			}
			t.email = m.text
			t.render(false)
		}
	case itmUsersMsg:
		return t.onUsers(m)
	case itmWriteMsg:
		return t.onWrite(m)
	case senderListedMsg:
		if m.origin == t {
			return senderOutcome(m, &t.keptSender, t.c)
		}
	case tea.KeyMsg:
		cmd, moved := t.routeKey(t, m, t.mode == listMode)
		if moved {
			return t.loadMore()
		}
		return cmd
	default:
		return t.forward(msg)
	}
	return nil
}

func (t *itmTab) openEmail(key string) tea.Cmd {
	var ticket tea.Cmd
	if t.mode == listMode || t.openKey != key {
		// From the list, the ticket behind the email is this row's: esc
		// from the email shows it, not one opened before.
		t.openItem(key)
		ticket = t.fetchItem(key)
	}
	t.mode, t.openKey, t.email = emailMode, key, ""
	t.opening = "Fetching the raw email…"
	t.render(false)
	client, ctx := t.client(), t.c.Context()
	return tea.Batch(ticket, func() tea.Msg {
		text, err := client.RawEmail(ctx, key)
		return itmEmailMsg{tab: t, key: key, text: text, err: err}
	})
}

// emailText is the raw email in place of the ticket, while it is shown.
func (t *itmTab) emailText() (string, bool) {
	switch {
	case t.mode != emailMode:
		return "", false
	case t.email == "":
		return t.c.Styles.Muted.Render("Fetching the raw email…"), true
	}
	return strings.Join(ui.Wrap(t.email, t.width), "\n"), true
}

func (t *itmTab) statusTitle(id string) string {
	for _, s := range t.client().Statuses() {
		if s.ID == id {
			return s.Title
		}
	}
	return ""
}

// --- view ----------------------------------------------------------------

// View implements Tab.
func (t *itmTab) View() string { return t.screen("", "") }
