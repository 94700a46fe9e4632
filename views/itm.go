package views

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/itm"
	"triage/backend/settle"
	"triage/ui"
)

// itmPageSize is how many incidents one query fetches; more page in as the
// cursor nears the end.
const itmPageSize = 500

type itmMode int

const (
	itmList itmMode = iota
	itmDetail
	itmEmail
)

// itmTab is tab 1: Proofpoint ITM incidents.
type itmTab struct {
	listTab
	itemDetail[itm.Ticket]
	tenant int
	rows   *ticketRows

	// the server query and its paging
	query       itm.Query
	queryText   string
	loading     string
	loadingMore bool
	refreshing  bool
	nextOffset  int
	more        bool
	total       int

	mode  itmMode
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
	itmTicketMsg struct {
		tab    *itmTab
		key    string
		ticket *itm.Ticket
		err    error
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
	return &itmTab{listTab: newListTab(c, ticketColumns, "No incidents match. f changes the query, / filters the rows."),
		rows: newTicketRows(), drafts: map[string]string{}, total: -1}
}

func (t *itmTab) client() *itm.Client { return t.c.Backends.ITM[t.tenant] }

// Name implements Tab.
func (t *itmTab) Name() string { return spec(t.Number()).Name }

// Number implements Tab.
func (t *itmTab) Number() int { return 1 }

// Tenant implements Tab.
func (t *itmTab) Tenant() string { return "itm/" + t.client().Tenant() }

// Init implements Tab.
func (t *itmTab) Init() tea.Cmd {
	said := t.startQuery(itmDefaultQuery)
	return tea.Batch(said, t.loadFirst())
}

// startQuery sets the query the current tenant opens on: its configured
// one, else fallback (the default at start, the query in use on a switch).
func (t *itmTab) startQuery(fallback string) (said tea.Cmd) {
	conf := t.c.Backends.Config.ITM[t.tenant]
	t.queryText, t.query, said = startQuery(t.c, "itm", conf.Name, conf.Query, fallback, t.parse)
	return said
}

// itmDefaultQuery is what tab 1 starts on when the tenant names no query.
const itmDefaultQuery = "since:30d"

// Busy implements Tab.
func (t *itmTab) Busy() string {
	more := ""
	if t.loadingMore {
		more = fmt.Sprintf("Loading more ITM incidents (%s so far)…", count(t.rows.Len()))
	}
	return t.busyWith(t.loading, more)
}

// Info implements Tab.
func (t *itmTab) Info() string {
	var parts []string
	loaded := count(t.rows.Len())
	if t.total >= 0 {
		loaded += " of " + count(t.total)
	}
	parts = append(parts, loaded+" incidents")
	return infoLine(t.table, parts...)
}

// SetSize implements Tab.
func (t *itmTab) SetSize(w, h int) {
	t.setSize(w, h)
	t.rerender()
}

// Help implements Tab.
func (t *itmTab) Help() []ui.HelpGroup { return helpGroups(t.Name(), t.bindings()) }

// where implements bound.
func (t *itmTab) where() (string, string) { return t.client().Tenant(), t.targetKey() }

// bindings implements bound: the keys of the ITM tab.
func (t *itmTab) bindings() []binding {
	k := t.c.Keys
	inList := func() bool { return t.mode == itmList }
	bs := []binding{
		{key: &k.Comment, write: "itm.comment", marks: "Comment on the %d marked tickets", run: t.openComment},
		{key: &k.Assign, write: "itm.assign", row: true, run: t.openAssign},
		{key: &k.Status, write: "itm.status", row: true, marks: "Set the status of the %d marked tickets", run: t.openStatus},
		{key: &k.Email, when: func() bool { return t.mode != itmEmail }, row: true, run: func() tea.Cmd { return t.openEmail(t.targetKey()) }},
		{key: &k.Query, when: inList, run: t.openQuery},
		{key: &k.Raw, when: func() bool { return t.mode == itmDetail }, run: func() tea.Cmd { t.raw = !t.raw; t.rerender(); return nil }},
	}
	bs = append(bs, t.copyBindings("ITM incident", "copy the fqid", "open in the ITM console", t.targetKey, func(key string) string { return t.client().WebURL(key) })...)
	bs = append(bs,
		binding{key: &k.Block, desc: "block / allow sender", write: "essentials.sender_list", shown: func() bool { return len(t.c.Backends.Essentials) > 0 }, run: t.openSenders},
		binding{key: &k.Tenant, shown: func() bool { return len(t.c.Backends.ITM) > 1 }, run: t.openTenant},
		binding{key: &k.Submit, group: "In the comment editor"},
		binding{key: &escKeepsDraft, group: "In the comment editor"},
		binding{key: &k.Open, nav: true, when: inList, row: true, run: t.open},
		binding{key: &k.Back, nav: true, when: func() bool { return !inList() }, run: t.back},
	)
	return append(bs, t.listBindings("ITM tickets", inList, t.Refresh)...)
}

// escKeepsDraft is esc in the comment editor, for help.
var escKeepsDraft = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close, keep the draft"))

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

// useQuery implements queryTab.
func (t *itmTab) useQuery(text string) error {
	q, err := t.parse(text)
	if err == nil {
		t.query, t.queryText, t.mode = q, text, itmList
	}
	return err
}

// rereadQuery evaluates the query's relative times ("since:30d") again, so a
// console left open keeps its window sliding with the clock.
func (t *itmTab) rereadQuery() {
	if q, err := t.parse(t.queryText); err == nil {
		t.query = q
	}
}

// loadFirst runs the query from the top; an earlier load is cancelled.
func (t *itmTab) loadFirst() tea.Cmd {
	t.rereadQuery()
	ctx, req := t.reqs.next(t.c.Context())
	t.loading = "Loading ITM incidents…"
	t.loadingMore, t.refreshing = false, false
	q := t.query
	q.Offset, q.Limit = 0, itmPageSize
	return t.fetch(ctx, req, pageFirst, q)
}

// loadMore fetches the next page when the cursor nears the end.
func (t *itmTab) loadMore() tea.Cmd {
	if !t.more || t.loadingMore || t.loading != "" || !t.table.NearEnd(itmPageSize/5) {
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
	if t.mode == itmDetail && t.openKey != "" {
		cmds = append(cmds, t.fetchTicket(t.openKey))
	}
	return tea.Batch(cmds...)
}

func (t *itmTab) fetchTicket(key string) tea.Cmd {
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		tk, err := client.Ticket(ctx, key)
		return itmTicketMsg{tab: t, key: key, ticket: tk, err: err}
	}
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
		return ui.Fail(m.err)
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
	case itmTicketMsg:
		return t.onTicket(m)
	case itmEmailMsg:
		if m.key == t.openKey && t.mode == itmEmail {
			t.loading = ""
			if m.err != nil {
				t.mode = itmDetail
				t.rerender()
				return ui.Fail(m.err)
			}
			t.email = m.text
			t.rerender()
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
		return t.key(m)
	default:
		return t.forward(msg)
	}
	return nil
}

func (t *itmTab) key(m tea.KeyMsg) tea.Cmd {
	if cmd, ok := t.front(m); ok {
		return cmd
	}
	if cmd, ok := press(t.c, t, t.bindings(), m); ok {
		return cmd
	}
	if t.mode != itmList {
		return t.pane.Key(m)
	}
	if t.table.HandleKey(m) {
		return t.loadMore()
	}
	return nil
}

// back leaves the raw email for the detail, the detail for the list.
func (t *itmTab) back() tea.Cmd {
	if t.mode == itmEmail {
		t.mode = itmDetail
		t.rerender()
		return nil
	}
	t.mode, t.openKey = itmList, ""
	return nil
}

// target key: the open ticket in detail, else the row under the cursor.
func (t *itmTab) targetKey() string {
	if t.mode != itmList && t.openKey != "" {
		return t.openKey
	}
	return t.table.CursorKey()
}

func (t *itmTab) open() tea.Cmd {
	key := t.table.CursorKey()
	if key == "" {
		return nil
	}
	t.mode = itmDetail
	t.openItem(key)
	t.rows.seen(key)
	t.rerender()
	t.loading = "Opening " + short(key, 8) + "…"
	return t.fetchTicket(key)
}

func (t *itmTab) openEmail(key string) tea.Cmd {
	t.mode, t.openKey, t.email = itmEmail, key, ""
	t.loading = "Fetching the raw email…"
	t.rerender()
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		text, err := client.RawEmail(ctx, key)
		return itmEmailMsg{tab: t, key: key, text: text, err: err}
	}
}

func (t *itmTab) onTicket(m itmTicketMsg) tea.Cmd {
	if m.key == t.openKey {
		t.loading = ""
	}
	if m.err != nil {
		if m.key == t.openKey {
			t.detailErr = m.err
			t.rerender()
		}
		return ui.Fail(m.err)
	}
	t.rows.update(m.ticket)
	t.rows.seen(m.key)
	if m.key == t.openKey && t.mode != itmList {
		t.detail = m.ticket
		t.rerenderKeep()
	}
	return t.table.Refilter()
}

// rerender rebuilds the detail pane's text for the current width, from
// the top; rerenderKeep keeps the scroll position (the same ticket, fresher).
func (t *itmTab) rerender()     { t.render(false) }
func (t *itmTab) rerenderKeep() { t.render(true) }

func (t *itmTab) render(keep bool) {
	if t.mode == itmList {
		return
	}
	var content string
	switch {
	case t.mode == itmEmail && t.email == "":
		content = t.c.Styles.Muted.Render("Fetching the raw email…")
	case t.mode == itmEmail:
		content = strings.Join(ui.Wrap(t.email, t.width), "\n")
	default:
		content = t.detailText(t.c.Styles, "this incident", "Loading "+t.openKey+"…", func(tk *itm.Ticket) []byte { return tk.Raw },
			func(tk *itm.Ticket) string { return ticketDoc(t.c.Styles, tk, t.width, t.statusTitle, t.c.now()) })
	}
	t.pane.Show(content, keep)
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
func (t *itmTab) View() string {
	if v, ok := t.overlay(); ok {
		return v
	}
	if t.mode != itmList {
		return t.pane.View()
	}
	bar := t.c.Styles.Muted.Render(fmt.Sprintf("%s · query: %s · f change", t.client().Tenant(), t.queryText))
	return t.listView(bar)
}
