package views

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/clock"
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

type itmModal int

const (
	itmNoModal itmModal = iota
	itmComment
	itmAssign
	itmStatus
	itmConfirmStatus
	itmConfirmBulk
	itmQuery
	itmTenant
	itmSenders
)

// itmTab is tab 1: Proofpoint ITM incidents.
type itmTab struct {
	c      *Common
	tenant int
	rows   *ticketRows
	table  *ui.Table
	width  int
	height int

	// the server query and its paging
	query       itm.Query
	queryText   string
	reqs        requests
	loading     string
	loadingMore bool
	refreshing  bool
	nextOffset  int
	more        bool
	total       int

	// detail and raw email of one ticket
	mode      itmMode
	openKey   string
	detail    *itm.Ticket
	detailErr error
	email     string
	raw       bool
	pane      pane

	// forms
	modal      itmModal
	editor     *ui.Editor
	picker     *ui.Picker
	prompt     *ui.Prompt
	confirm    *ui.Confirm
	filter     filterBar
	target     string // ticket a form acts on
	pendStatus itm.StatusChange
	bulkKeys   []string // the marked tickets a form acts on; nil for one ticket
	pendBulk   func() tea.Cmd
	bulk       *bulk
	drafts     map[string]string
	users      []ui.Item
	usersReq   bool
	writing    string
	senders    *senderFlow   // b: an Essentials sender list for a message's sender
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

func newITMTab(c *Common) *itmTab {
	t := &itmTab{c: c, rows: newTicketRows(), drafts: map[string]string{}, total: -1}
	t.table = ui.NewTable(c.Styles, c.Keys, ticketColumns)
	t.table.Empty = "No incidents match. f changes the query, / filters the rows."
	t.pane = newPane(c)
	t.filter = newFilterBar(c.Styles, t.table)
	return t
}

func (t *itmTab) client() *itm.Client { return t.c.Backends.ITM[t.tenant] }

// Name implements Tab.
func (t *itmTab) Name() string { return "ITM tickets" }

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
func (t *itmTab) startQuery(fallback string) tea.Cmd {
	conf := t.c.Backends.Config.ITM[t.tenant]
	text, said := startQuery(t.c, "itm", conf.Name, conf.Query, fallback, func(s string) error { _, err := t.parse(s); return err })
	t.queryText = text
	t.query, _ = t.parse(text)
	return said
}

// itmDefaultQuery is what tab 1 starts on when the tenant names no query.
const itmDefaultQuery = "since:30d"

// Capturing implements Tab.
func (t *itmTab) Capturing() bool { return t.modal != itmNoModal || t.filter.Typing() }

// Busy implements Tab.
func (t *itmTab) Busy() string {
	switch {
	case t.bulk.busy() != "":
		return t.bulk.busy()
	case t.writing != "":
		return t.writing
	case t.loading != "":
		return t.loading
	case t.loadingMore:
		return fmt.Sprintf("Loading more ITM incidents (%s so far)…", count(t.rows.Len()))
	}
	return ""
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
	t.width, t.height = w, h
	t.table.SetSize(w, h-2)
	t.pane.SetSize(w, h)
	if t.bulk != nil {
		t.bulk.setSize(w, h)
	}
	t.rerender()
}

// Help implements Tab.
func (t *itmTab) Help() []ui.HelpGroup {
	k := t.c.Keys
	groups := []ui.HelpGroup{{Title: "ITM tickets", Bindings: []key.Binding{k.Comment, k.Assign, k.Status, k.Email, k.Query, k.Raw,
		relabel(k.Copy, "copy the fqid"), relabel(k.Browse, "open in the ITM console")}}}
	if len(t.c.Backends.Essentials) > 0 {
		groups[0].Bindings = append(groups[0].Bindings, relabel(k.Block, "block / allow sender"))
	}
	if len(t.c.Backends.ITM) > 1 {
		groups[0].Bindings = append(groups[0].Bindings, k.Tenant)
	}
	groups = append(groups, ui.HelpGroup{Title: "In the comment editor", Bindings: []key.Binding{k.Submit, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close, keep the draft"))}})
	return groups
}

// parse reads the tab's query language.
func (t *itmTab) parse(text string) (itm.Query, error) {
	terms, err := parseQuery(text, "since", "until", "status", "severity", "person")
	if err != nil {
		return itm.Query{}, err
	}
	var q itm.Query
	now := t.c.now()
	for _, term := range terms {
		switch term.Name {
		case "since", "until":
			when, err := clock.ParseWhen(term.Values[0], now)
			if err != nil {
				return itm.Query{}, fmt.Errorf("%s: %w", term.Name, err)
			}
			if term.Name == "since" {
				q.Since = when
			} else {
				q.Until = when
			}
		case "status":
			q.Statuses = term.Values
		case "severity":
			q.Severities = term.Values
		case "person":
			q.People = term.Values
		}
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
	return t.fetch(t.c.Context(), t.reqs.current(), pageMore, q)
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
	cmds := []tea.Cmd{t.fetch(t.c.Context(), t.reqs.current(), pageRefresh, q)}
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
		if m.tab == t {
			return t.onPage(m)
		}
	case itmTicketMsg:
		if m.tab == t {
			return t.onTicket(m)
		}
	case itmEmailMsg:
		if m.tab == t && m.key == t.openKey && t.mode == itmEmail {
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
		if m.tab == t {
			return t.onUsers(m)
		}
	case itmWriteMsg:
		if m.tab == t {
			return t.onWrite(m)
		}
	case bulkDone:
		if m.b == t.bulk {
			return t.bulk.update(m)
		}
	case senderListedMsg:
		if m.origin == t {
			t.keptSender = nil
			if m.out.Class == settle.NotApplied {
				t.keptSender = &m.choice
			}
			return senderOutcome(m, t.c.Backends.Essentials[m.choice.tenant])
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
func (t *itmTab) forwardToForm(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case t.modal == itmComment && t.editor != nil:
		_, cmd = t.editor.Update(msg)
	case (t.modal == itmAssign || t.modal == itmStatus || t.modal == itmTenant) && t.picker != nil:
		_, cmd = t.picker.Update(msg)
	case t.modal == itmQuery && t.prompt != nil:
		_, cmd = t.prompt.Update(msg)
	case t.modal == itmSenders && t.senders != nil:
		cmd = t.senders.Update(msg)
	default:
		cmd = t.filter.Update(msg)
	}
	return cmd
}

func (t *itmTab) key(m tea.KeyMsg) tea.Cmd {
	if t.modal != itmNoModal {
		return t.modalKey(m)
	}
	if t.filter.Typing() {
		return t.filter.Key(m)
	}
	if t.bulk != nil && t.bulk.visible {
		return t.bulk.key(m)
	}
	k := t.c.Keys
	if refused := refuseWrite(t.c, m, t.client().Tenant(), t.targetKey(), writeKey{k.Comment, "itm.comment"}, writeKey{k.Assign, "itm.assign"},
		writeKey{k.Status, "itm.status"}, writeKey{k.Block, "essentials.sender_list"}); refused != nil {
		return refused
	}
	switch {
	case key.Matches(m, k.Comment):
		return t.openComment()
	case key.Matches(m, k.Assign):
		return t.openAssign()
	case key.Matches(m, k.Status):
		return t.openStatus()
	case key.Matches(m, k.Refresh):
		return t.Refresh()
	case key.Matches(m, k.Tenant) && len(t.c.Backends.ITM) > 1:
		return t.openTenant()
	case key.Matches(m, k.Block):
		return t.openSenders()
	}
	if key := t.targetKey(); key != "" {
		if cmd, ok := copyOpen(t.c, m, "ITM incident", key, t.client().WebURL(key)); ok {
			return cmd
		}
	}
	switch t.mode {
	case itmDetail, itmEmail:
		return t.detailKey(m)
	}
	switch {
	case key.Matches(m, k.Open):
		return t.open()
	case key.Matches(m, k.Filter):
		t.filter.Open()
		return nil
	case key.Matches(m, k.Query):
		t.prompt = ui.NewPrompt(t.c.Styles, "ITM query", t.queryText, "since:7d status:new,in-progress severity:critical,high person:name@example.com")
		t.prompt.Help = "since/until: 24h, 7d or a date · status: new, in-progress, escalated, on-hold, resolved… · severity: critical, high, medium, low"
		t.modal = itmQuery
		return nil
	case key.Matches(m, k.Email):
		if k := t.table.CursorKey(); k != "" {
			return t.openEmail(k)
		}
	case key.Matches(m, k.Back):
		if t.table.Filter() != "" {
			return t.table.SetFilter("")
		}
		return nil
	}
	if t.table.HandleKey(m) {
		return t.loadMore()
	}
	return nil
}

func (t *itmTab) detailKey(m tea.KeyMsg) tea.Cmd {
	k := t.c.Keys
	switch {
	case key.Matches(m, k.Back):
		if t.mode == itmEmail {
			t.mode = itmDetail
			t.rerender()
			return nil
		}
		t.mode = itmList
		t.openKey = ""
		return nil
	case key.Matches(m, k.Raw) && t.mode == itmDetail:
		t.raw = !t.raw
		t.rerender()
		return nil
	case key.Matches(m, k.Email) && t.mode == itmDetail:
		return t.openEmail(t.openKey)
	}
	return t.pane.Key(m)
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
	t.mode, t.openKey, t.raw = itmDetail, key, false
	t.detail, t.detailErr = nil, nil
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
	case t.detailErr != nil:
		content = t.c.Styles.Error.Render("Could not open this incident: ") + t.detailErr.Error()
	case t.detail == nil:
		content = t.c.Styles.Muted.Render("Loading " + t.openKey + "…")
	case t.raw:
		content = t.c.Styles.Section.Render("Raw JSON  ·  v back to the formatted view") + "\n" + ui.PrettyJSON(t.detail.Raw)
	default:
		content = ticketDoc(t.c.Styles, t.detail, t.width, t.statusTitle, t.c.now())
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
	switch t.modal {
	case itmComment:
		return ui.Center(t.c.Styles, t.width, t.height, t.editor.View(min(t.width, 100), min(t.height, 24)))
	case itmAssign, itmStatus, itmTenant:
		return ui.Center(t.c.Styles, t.width, t.height, t.picker.View(min(t.width, 80)))
	case itmConfirmStatus, itmConfirmBulk:
		return ui.Center(t.c.Styles, t.width, t.height, t.confirm.View(t.width))
	case itmQuery:
		return ui.Center(t.c.Styles, t.width, t.height, t.prompt.View(min(t.width, 110)))
	case itmSenders:
		return ui.Center(t.c.Styles, t.width, t.height, t.senders.View(t.width))
	}
	if t.bulk != nil && t.bulk.visible {
		return t.bulk.view()
	}
	if t.mode != itmList {
		return t.pane.View()
	}
	st := t.c.Styles
	bar := st.Muted.Render(fmt.Sprintf("%s · query: %s · f change", t.client().Tenant(), t.queryText))
	return bar + "\n" + t.table.View() + "\n" + t.filter.View(t.width)
}
