package views

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

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
	queryList[*itm.Client, itm.Query, itm.Ticket, *ticketRows]

	// the query's paging
	loadingMore bool
	refreshing  bool
	nextOffset  int
	more        bool
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
	itmPageMsg struct {
		tab  *itmTab
		req  int
		kind pageKind
		page itm.Page
		err  error
	}
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
	t.queryList = queryList[*itm.Client, itm.Query, itm.Ticket, *ticketRows]{
		listTab: newListTab(c, ticketColumns, "No incidents match. f changes the query, / filters the rows."),
		owner:   t, number: 1, vendor: "itm", product: "ITM", clients: c.Backends.ITM, rows: newTicketRows(),
		parse: t.parse, newRows: newTicketRows, read: (*itm.Client).Ticket,
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
	bs = append(bs, t.endKeys(func() bool { return t.more }, t.loadMore)...)
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

func (t *itmTab) fetch(ctx context.Context, req int, kind pageKind, q itm.Query) tea.Cmd {
	client := t.client()
	return func() tea.Msg {
		page, err := client.Incidents(ctx, q)
		return itmPageMsg{tab: t, req: req, kind: kind, page: page, err: err}
	}
}

// loadFirst runs the query from the top; an earlier load is cancelled.
func (t *itmTab) loadFirst() tea.Cmd {
	t.rereadQuery()
	ctx, req := t.reqs.next(t.c.Context())
	t.loading, t.loadErr = "Loading ITM incidents…", nil
	t.loadingMore, t.refreshing, t.toEnd = false, false, false
	q := t.query
	q.Offset, q.Limit = 0, itmPageSize
	return t.fetch(ctx, req, pageFirst, q)
}

// loadMore fetches the next page when the cursor nears the end.
func (t *itmTab) loadMore() tea.Cmd {
	if !t.more || t.loadingMore || t.loading != "" || (!t.toEnd && !t.table.NearEnd(itmPageSize/5)) {
		return nil
	}
	t.loadingMore = true
	q := t.query
	q.Offset, q.Limit = t.nextOffset, itmPageSize
	ctx, req := t.reqs.paging(t.c.Context())
	return t.fetch(ctx, req, pageMore, q)
}

// Refresh implements Tab: fetch the newest page and merge it, keeping the
// cursor where it is.
func (t *itmTab) Refresh() tea.Cmd {
	if t.loading != "" || t.refreshing {
		return nil
	}
	t.refreshing = true
	t.rereadQuery()
	q := t.query
	q.Offset, q.Limit = 0, itmPageSize
	ctx, req := t.reqs.paging(t.c.Context())
	cmds := []tea.Cmd{t.fetch(ctx, req, pageRefresh, q)}
	if t.mode == detailMode && t.openKey != "" {
		cmds = append(cmds, t.fetchItem(t.openKey))
	}
	return tea.Batch(cmds...)
}

func (t *itmTab) onPage(m itmPageMsg) tea.Cmd {
	if m.req != t.reqs.current() {
		return nil // a newer query replaced this one
	}
	switch m.kind {
	case pageFirst:
		t.loading = ""
	case pageMore:
		t.loadingMore = false
	case pageRefresh:
		t.refreshing = false
	}
	if m.err != nil {
		t.toEnd = false
		if m.kind == pageFirst {
			t.loadErr = m.err
		}
		return ui.Fail(fmt.Errorf("%w (r tries again)", m.err))
	}
	if m.page.Total >= 0 {
		t.total = m.page.Total
	}
	switch m.kind {
	case pageFirst:
		t.rows = newTicketRows()
		t.rows.append(m.page.Tickets)
		t.nextOffset, t.more = len(m.page.Tickets), m.page.More
		t.table.SetSource(t.rows)
	case pageMore:
		t.rows.append(m.page.Tickets)
		t.nextOffset += len(m.page.Tickets)
		t.more = m.page.More
		t.table.SetSource(t.rows)
		t.atEnd(t.more)
	case pageRefresh:
		added := t.rows.merge(m.page.Tickets)
		t.nextOffset += added
		t.table.SetSource(t.rows)
		if added > 0 {
			return tea.Batch(t.table.Refilter(), ui.Toast("%d new ITM incident(s)", added))
		}
	}
	return tea.Batch(t.table.Refilter(), t.loadMore())
}

// --- updates -------------------------------------------------------------

// Update implements Tab.
func (t *itmTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case itmPageMsg:
		return t.onPage(m)
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
	t.mode, t.openKey, t.email = emailMode, key, ""
	t.opening = "Fetching the raw email…"
	t.render(false)
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		text, err := client.RawEmail(ctx, key)
		return itmEmailMsg{tab: t, key: key, text: text, err: err}
	}
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
