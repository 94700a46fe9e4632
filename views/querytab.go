package views

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"triage/ui"
)

// What the ITM and SaaS tabs share: one tenant's incidents found by a
// server query (f), one of them open in detail over the list, the tenant
// picker, and the tab's table for the palette.

type viewMode int

const (
	listMode viewMode = iota
	detailMode
	emailMode // ITM: the open ticket's raw email
)

// tenanted is a vendor client, named by its tenant.
type tenanted interface{ Tenant() string }

// itemRows is a list's rows, which an item read whole refreshes.
type itemRows[T any] interface {
	ui.Source
	seen(key string)
	update(*T)
}

// queryOwner is the tab a queryList is part of.
type queryOwner interface {
	Tab
	bound
	queryTab
}

// queryList is a tab's list of one tenant's items (T) of clients (C)
// found by a query (Q), shown in rows (R).
type queryList[C tenanted, Q, T any, R itemRows[T]] struct {
	listTab
	itemDetail[T]
	owner   queryOwner
	number  int
	vendor  string // "itm": the config's table, the tab's tenant prefix and its table's id
	product string // "ITM", for the tenant note
	clients []C
	tenant  int
	rows    R
	mode    viewMode

	query     Q
	queryText string
	loading   string // the query's first page
	opening   string // the item being opened
	toEnd     bool   // G: the pages left are loading, then the cursor goes to the last row

	parse      func(string) (Q, error)
	configured func(tenant int) (name, query string)
	newRows    func() R
	read       func(C, context.Context, string) (*T, error) // one item whole
	name       func(key string) string                      // an item as the spinner names it
	rawJSON    func(*T) []byte
	doc        func(*T) string
	// instead is what the pane shows in place of the item (ITM's raw
	// email), when ok.
	instead func() (text string, ok bool)
}

// itemMsg is one item read whole, for the tab that asked.
type itemMsg[T any] struct {
	tab  Tab
	key  string
	item *T
	err  error
}

func (m itemMsg[T]) recipient() Tab { return m.tab }

func (b *queryList[C, Q, T, R]) client() C { return b.clients[b.tenant] }

// Name implements Tab.
func (b *queryList[C, Q, T, R]) Name() string { return spec(b.number).Name }

// Number implements Tab.
func (b *queryList[C, Q, T, R]) Number() int { return b.number }

// Tenant implements Tab.
func (b *queryList[C, Q, T, R]) Tenant() string { return b.vendor + "/" + b.client().Tenant() }

// Help implements Tab.
func (b *queryList[C, Q, T, R]) Help() []ui.HelpGroup {
	return helpGroups(b.Name(), b.owner.bindings())
}

// where implements bound.
func (b *queryList[C, Q, T, R]) where() (string, string) { return b.client().Tenant(), b.targetKey() }

// Tables implements tableOwner.
func (b *queryList[C, Q, T, R]) Tables() map[string]*ui.Table {
	return map[string]*ui.Table{b.vendor: b.table}
}

// ActiveTable implements tableOwner.
func (b *queryList[C, Q, T, R]) ActiveTable() string { return b.vendor }

// SetSize implements Tab.
func (b *queryList[C, Q, T, R]) SetSize(w, h int) {
	b.setSize(w, h)
	b.render(false)
}

// startQuery sets the query the current tenant opens on: its configured
// one, else fallback (the tab's default at start, the query in use on a
// switch).
func (b *queryList[C, Q, T, R]) startQuery(fallback string) (said tea.Cmd) {
	name, configured := b.configured(b.tenant)
	b.queryText, b.query, said = startQuery(b.c, b.vendor, name, configured, fallback, b.parse)
	return said
}

// useQuery implements queryTab.
func (b *queryList[C, Q, T, R]) useQuery(text string) error {
	q, err := b.parse(text)
	if err == nil {
		b.query, b.queryText, b.mode = q, text, listMode
	}
	return err
}

// rereadQuery evaluates the query's relative times ("since:7d") again, so a
// console left open keeps its window sliding with the clock.
func (b *queryList[C, Q, T, R]) rereadQuery() {
	if q, err := b.parse(b.queryText); err == nil {
		b.query = q
	}
}

// askQuery asks for the server query.
func (b *queryList[C, Q, T, R]) askQuery(title, placeholder, help string) tea.Cmd {
	p := ui.NewPrompt(b.c.Styles, title, b.queryText, placeholder)
	p.Help = help
	return queryPrompt(&b.listTab, b.owner, p, title)
}

// openTenant offers the tenants; the chosen one is shown from its own
// query, else the one in use. reset clears what the tab keeps per tenant
// before the query is read again and returns the tab's other loads.
func (b *queryList[C, Q, T, R]) openTenant(title string, reset func() tea.Cmd) tea.Cmd {
	names := make([]string, len(b.clients))
	for i, c := range b.clients {
		names[i] = c.Tenant()
	}
	return b.pickTenant(title, names, func(i int) tea.Cmd {
		b.tenant, b.mode = i, listMode
		b.rows = b.newRows()
		b.table.SetSource(b.rows)
		more := reset()
		said := b.startQuery(b.queryText)
		// The note first: a load that fails at once must not be covered
		// by it on the status line.
		return tea.Sequence(ui.Toast("%s tenant %s", b.product, b.client().Tenant()), tea.Batch(said, b.owner.loadFirst(), more))
	})
}

// targetKey is the item a form acts on: the one open, else the row under
// the cursor.
func (b *queryList[C, Q, T, R]) targetKey() string {
	if b.mode != listMode && b.openKey != "" {
		return b.openKey
	}
	return b.table.CursorKey()
}

// inDetail implements detailed: an item (or its raw email) is open.
func (b *queryList[C, Q, T, R]) inDetail() bool { return b.mode != listMode }

// marked is the rows a list action applies to when rows are marked.
func (b *queryList[C, Q, T, R]) marked() []string { return b.markedRows(b.mode == listMode) }

// rawKey shows the open item's raw JSON, or its formatted text again.
func (b *queryList[C, Q, T, R]) rawKey() binding {
	return binding{key: &b.c.Keys.Raw, when: func() bool { return b.mode == detailMode }, run: func() tea.Cmd { b.raw = !b.raw; b.render(false); return nil }}
}

// tenantKey offers the other tenants, or says there are none.
func (b *queryList[C, Q, T, R]) tenantKey(title string, reset func() tea.Cmd) binding {
	return binding{key: &b.c.Keys.Tenant, disabled: func() string { return oneTenant(b.product, b.vendor, b.clients) },
		run: func() tea.Cmd { return b.openTenant(title, reset) }}
}

// oneTenant says why T has nothing to switch to: "" with several tenants.
func oneTenant[C tenanted](product, table string, clients []C) string {
	if len(clients) != 1 {
		return ""
	}
	return fmt.Sprintf("%s has one tenant here (%s): add another [[%s]] to config.toml to switch", product, clients[0].Tenant(), table)
}

// navBindings open an item and go back, then the list's keys.
func (b *queryList[C, Q, T, R]) navBindings(group string, refresh func() tea.Cmd) []binding {
	k := b.c.Keys
	inList := func() bool { return b.mode == listMode }
	bs := []binding{
		{key: &k.Open, nav: true, when: inList, row: true, run: b.open},
		{key: &k.Back, nav: true, when: func() bool { return !inList() }, run: b.back},
	}
	return append(bs, b.listBindings(group, inList, refresh)...)
}

// endKeys are G, which with pages left loads every one of them and then
// goes to the last row (more says whether pages are left; load asks for
// the next), and esc, which stops that, keeping what arrived.
func (b *queryList[C, Q, T, R]) endKeys(more func() bool, load func() tea.Cmd) []binding {
	k := b.c.Keys
	return []binding{
		{key: &k.Bottom, nav: true, when: func() bool { return b.mode == listMode && more() && !b.toEnd }, run: func() tea.Cmd {
			b.toEnd = true
			b.table.Move(b.table.Len())
			return load()
		}},
		{key: &k.Back, nav: true, when: func() bool { return b.toEnd && b.mode == listMode }, run: func() tea.Cmd {
			b.toEnd = false
			return ui.Toast("Stopped loading to the last row: %s loaded", count(b.rows.Len()))
		}},
	}
}

// atEnd is called when a page has landed: once the last one has, the
// cursor goes to the last row G asked for.
func (b *queryList[C, Q, T, R]) atEnd(more bool) {
	if b.toEnd && !more {
		b.toEnd = false
		b.table.Move(b.table.Len())
	}
}

// open shows the item under the cursor and reads it whole.
func (b *queryList[C, Q, T, R]) open() tea.Cmd {
	key := b.table.CursorKey()
	if key == "" {
		return nil
	}
	b.mode = detailMode
	b.openItem(key)
	b.rows.seen(key)
	b.render(false)
	b.opening = "Opening " + b.name(key) + "…"
	return b.fetchItem(key)
}

// back leaves the raw email for the item, the item for the list.
func (b *queryList[C, Q, T, R]) back() tea.Cmd {
	if b.mode == emailMode {
		b.mode = detailMode
		b.render(false)
		return nil
	}
	b.mode, b.openKey = listMode, ""
	return nil
}

func (b *queryList[C, Q, T, R]) fetchItem(key string) tea.Cmd {
	client, ctx, tab, read := b.client(), b.c.Context(), b.owner, b.read
	return func() tea.Msg {
		item, err := read(client, ctx, key)
		return itemMsg[T]{tab: tab, key: key, item: item, err: err}
	}
}

func (b *queryList[C, Q, T, R]) onItem(m itemMsg[T]) tea.Cmd {
	if m.key == b.openKey && b.mode != emailMode { // the email's own fetch keeps its spinner
		b.opening = ""
	}
	if m.err != nil {
		if m.key == b.openKey {
			b.detailErr = m.err
			b.render(false)
		}
		return ui.Fail(m.err)
	}
	b.rows.update(m.item)
	if m.key == b.openKey && b.mode != listMode {
		b.detail, b.detailErr = m.item, nil
		b.render(true)
	}
	return b.table.Refilter()
}

// render rebuilds the pane's text for the current width; keep holds the
// scroll position (the same item, fresher).
func (b *queryList[C, Q, T, R]) render(keep bool) {
	if b.mode == listMode {
		return
	}
	if b.instead != nil {
		if text, ok := b.instead(); ok {
			b.pane.Show(text, keep)
			return
		}
	}
	b.pane.Show(b.detailText(b.c.Styles, "this incident", "Loading "+b.name(b.openKey)+"…", b.rawJSON, b.doc), keep)
}

// screen is the open item, else the list under its query bar; all names
// an empty query.
func (b *queryList[C, Q, T, R]) screen(all, hint string, over ...string) string {
	if v, ok := b.overlay(); ok {
		return v
	}
	if b.mode != listMode {
		return b.pane.View()
	}
	q := b.queryText
	if q == "" {
		q = all
	}
	bar := b.c.Styles.Muted.Render(fmt.Sprintf("%s · query: %s · f change%s", b.client().Tenant(), q, hint))
	for _, line := range over {
		bar += "\n" + line
	}
	return b.listView(bar)
}

// column is one column of a table of rows R: its header, its text, and
// its tone and sort key where they are not plain (nil: none, the text).
type column[R any] struct {
	ui.Column
	text func(*R) string
	tone func(*R) ui.Tone
	sort func(*R) string
}

// cells are a table's columns, which answer its source's Cell, Tone and
// SortKey.
type cells[R any] []column[R]

func (cs cells[R]) headers() []ui.Column {
	out := make([]ui.Column, len(cs))
	for i, c := range cs {
		out[i] = c.Column
	}
	return out
}

func (cs cells[R]) cell(r *R, col int) string {
	if col < 0 || col >= len(cs) {
		return ""
	}
	return cs[col].text(r)
}

func (cs cells[R]) tone(r *R, col int) ui.Tone {
	if col < 0 || col >= len(cs) || cs[col].tone == nil {
		return ui.ToneNone
	}
	return cs[col].tone(r)
}

func (cs cells[R]) sortKey(r *R, col int) string {
	if col >= 0 && col < len(cs) && cs[col].sort != nil {
		return cs[col].sort(r)
	}
	return cs.cell(r, col)
}

func muted[R any](*R) ui.Tone { return ui.ToneMuted }
