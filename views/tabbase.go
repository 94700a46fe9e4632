package views

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/clean"
	"triage/backend/httpx"
	"triage/ui"
)

// listTab is what every tab is built on: its table with the "/" filter,
// the marks and the bulk runner over them, the tab's requests, the detail
// pane, and one modal slot for whatever form is open. A tab embeds it and
// adds its rows, its query and its binding list.
type listTab struct {
	c       *Common
	table   *ui.Table
	filter  filterBar
	pane    pane
	reqs    requests
	bulk    *bulk
	modal   ui.Modal
	width   int
	height  int
	writing string // what a write in flight is doing, for the spinner
	// empty is what the table says when the rows loaded and none match;
	// loadingRows (set by the tab) says what is loading the rows, and
	// loadErr why they could not be read: each is said in its place, so
	// loading, empty and failed never look alike.
	empty       string
	loadingRows func() string
	loadErr     error
	// paced is the tab's tenant client, whose pacer may hold its loads
	// (requests_per_minute); nil when the tab says so itself.
	paced func() *httpx.Client
}

func newListTab(c *Common, cols []ui.Column, empty string) listTab {
	b := listTab{c: c, table: ui.NewTable(c.Styles, c.Keys, cols), pane: newPane(c), empty: empty}
	b.table.Empty = empty
	b.filter = newFilterBar(c.Styles, b.table)
	return b
}

// busyWith is what the spinner says: a bulk action's progress, a write in
// flight, else the first of the tab's own loads under way.
func (b *listTab) busyWith(loads ...string) string {
	if s := b.bulk.busy(); s != "" {
		return s
	}
	if b.writing != "" {
		return b.writing
	}
	for _, s := range loads {
		if s != "" {
			return s + b.held()
		}
	}
	return ""
}

// held says how long the tab's loads wait for the tenant's request budget,
// which every session shares; "" when they do not.
func (b *listTab) held() string {
	if b.paced == nil {
		return ""
	}
	c := b.paced()
	if c == nil {
		return ""
	}
	until, ok := c.Pacer().Held()
	if !ok {
		return ""
	}
	if w := waitingFor(c.Vendor(), time.Until(until)); w != "" {
		return " · " + w
	}
	return ""
}

// waitingFor says a load waits for a vendor's rate limit: "waiting for
// Okta's rate limit: 41 s"; "" once the wait is over.
func waitingFor(vendor string, d time.Duration) string {
	secs := int(math.Ceil(d.Seconds()))
	if secs < 1 {
		return ""
	}
	return fmt.Sprintf("waiting for %s's rate limit: %d s", vendor, secs)
}

// show opens a form in the modal slot.
func (b *listTab) show(m ui.Modal) tea.Cmd {
	b.modal = m
	return nil
}

// Capturing implements Tab: a form or the filter has the keys.
func (b *listTab) Capturing() bool { return b.modal != nil || b.filter.Typing() }

// fronted reports whether the bulk results are over the list: the back
// key closes them.
func (b *listTab) fronted() bool { return b.bulk != nil && b.bulk.visible }

// setSize lays out the table under its one-line bar, the pane and the
// bulk results.
func (b *listTab) setSize(w, h int) {
	b.width, b.height = w, h
	b.table.SetSize(w, h-2)
	b.pane.SetSize(w, h)
	if b.bulk != nil {
		b.bulk.setSize(w, h)
	}
}

// front takes a key first when a form, the filter prompt or the bulk
// results are open.
func (b *listTab) front(m tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case b.modal != nil:
		return b.modalUpdate(m), true
	case b.filter.Typing():
		return b.filter.Key(m), true
	case b.bulk != nil && b.bulk.visible:
		return b.bulk.key(m), true
	}
	return nil, false
}

// routeKey passes a key to the front, then to tab's bindings, then to the
// pane (in detail) or the table (in the list); moved says the table's
// cursor moved, for a list that pages in more near its end.
func (b *listTab) routeKey(tab bound, m tea.KeyMsg, inList bool) (cmd tea.Cmd, moved bool) {
	if cmd, ok := b.front(m); ok {
		return cmd, false
	}
	if cmd, ok := press(b.c, tab, tab.bindings(), m); ok {
		return cmd, false
	}
	if !inList {
		return b.pane.Key(m), false
	}
	return nil, b.table.HandleKey(m)
}

func (b *listTab) modalUpdate(msg tea.Msg) tea.Cmd {
	m := b.modal
	done, cmd := m.Update(msg)
	if done && b.modal == m { // the form's answer may have opened the next one
		b.modal = nil
	}
	return cmd
}

// forward passes what is not a key (a bulk row's result, the table's
// filtering, cursor blinks) to the part it is for.
func (b *listTab) forward(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(bulkDone); ok {
		if m.b == b.bulk {
			return b.bulk.update(m)
		}
		return nil
	}
	if cmd := b.table.Update(msg); cmd != nil {
		return cmd
	}
	if b.modal != nil {
		return b.modalUpdate(msg)
	}
	return b.filter.Update(msg)
}

// overlay is the open form, else the bulk results, over the tab.
func (b *listTab) overlay() (string, bool) {
	switch {
	case b.modal != nil:
		return b.modal.View(b.width, b.height), true
	case b.bulk != nil && b.bulk.visible:
		return b.bulk.view(), true
	}
	return "", false
}

// listView is a list's screen: its bar, the table and the filter.
func (b *listTab) listView(bar string) string {
	b.table.Empty = b.rowsState()
	return bar + "\n" + b.table.View() + "\n" + b.filter.View(b.width)
}

// rowsState is what the table says with no rows: what is loading them,
// why they could not be read, or that none match.
func (b *listTab) rowsState() string {
	loading := ""
	if b.loadingRows != nil {
		loading = b.loadingRows()
	}
	switch {
	case loading != "":
		return "⋯ " + loading
	case b.loadErr != nil:
		return "✗ Could not load the rows (r tries again): " + clean.Line(b.loadErr.Error())
	}
	return b.empty
}

// markedRows is what a list action applies to when rows are marked.
func (b *listTab) markedRows(inList bool) []string {
	if !inList {
		return nil
	}
	return b.table.Marked()
}

// listBindings are the keys every list has: filter, refresh, mark, and
// the palette's mark-all, clear and last-results commands. group names
// the palette group of the commands without a key.
func (b *listTab) listBindings(group string, inList func() bool, refresh func() tea.Cmd) []binding {
	k := b.c.Keys
	return []binding{
		{key: &k.Refresh, list: true, run: refresh},
		{key: &k.Filter, list: true, when: inList, run: func() tea.Cmd { b.filter.Open(); return nil }},
		{key: &k.Back, nav: true, when: func() bool { return inList() && b.table.Filter() != "" }, run: func() tea.Cmd { return b.table.SetFilter("") }},
		{key: &k.Mark, list: true, when: inList, run: func() tea.Cmd { b.table.ToggleMark(); b.table.Move(1); return nil }},
		{desc: "Mark every shown row", group: group, run: func() tea.Cmd {
			b.table.MarkAll()
			return ui.Toast("%d rows marked", len(b.table.Marked()))
		}},
		{desc: "Clear the marks", group: group, run: func() tea.Cmd { b.table.ClearMarks(); return nil }},
		{desc: "Show the last bulk action's results", group: group, shown: func() bool { return b.bulk != nil && !b.bulk.visible },
			run: func() tea.Cmd { b.bulk.visible = true; return nil }},
	}
}

// copyBindings copy the target's id and open its page in the browser.
func (b *listTab) copyBindings(what, copyDesc, browseDesc string, id func() string, url func(string) string) []binding {
	k := b.c.Keys
	return []binding{
		{key: &k.Copy, desc: copyDesc, row: true, run: func() tea.Cmd { return ui.Copy(b.c.Styles.R, what+" id", id()) }},
		{key: &k.Browse, desc: browseDesc, row: true, run: func() tea.Cmd {
			u := url(id())
			if u == "" {
				return ui.Failf("%s: no page to open", what)
			}
			return ui.Open(b.c.Styles.R, b.c.Local, what, u)
		}},
	}
}

// runBulk clears the marks and runs one write on each of keys, listing
// each row's result as it arrives.
func (b *listTab) runBulk(title string, keys []string, label func(key string) string, run func(ctx context.Context, key string) (tea.Msg, error)) tea.Cmd {
	jobs := make([]bulkJob, len(keys))
	for i, k := range keys {
		jobs[i] = bulkJob{key: k, label: label(k), run: func(ctx context.Context) (tea.Msg, error) { return run(ctx, k) }}
	}
	b.table.ClearMarks()
	b.bulk = newBulk(b.c, title, jobs)
	b.bulk.setSize(b.width, b.height)
	return b.bulk.start()
}

// pickTenant offers the tenants by name; pick gets the chosen one's index.
func (b *listTab) pickTenant(title string, names []string, pick func(i int) tea.Cmd) tea.Cmd {
	items := make([]ui.Item, len(names))
	for i, n := range names {
		items[i] = ui.Item{Label: n, Value: itoa(i)}
	}
	return b.show(ui.PickerModal(b.c.Styles, ui.NewPicker(b.c.Styles, title, items), func(it ui.Item) tea.Cmd {
		for i := range names {
			if itoa(i) == it.Value {
				return pick(i)
			}
		}
		return nil
	}))
}

// itemDetail is one item open in detail: its key, the item once read, why
// it could not be, and whether its raw JSON is shown.
type itemDetail[T any] struct {
	openKey   string
	detail    *T
	detailErr error
	raw       bool
}

// openItem starts showing key, not yet read.
func (d *itemDetail[T]) openItem(key string) {
	d.openKey, d.raw, d.detail, d.detailErr = key, false, nil, nil
}

// detailText is the pane's text: the error, "loading", the raw JSON or
// the formatted document.
func (d *itemDetail[T]) detailText(st *ui.Styles, what, loading string, raw func(*T) []byte, doc func(*T) string) string {
	switch {
	case d.detailErr != nil:
		return st.Error.Render("Could not open "+what+": ") + d.detailErr.Error()
	case d.detail == nil:
		return st.Muted.Render(loading)
	case d.raw:
		return st.Section.Render("Raw JSON  ·  v back to the formatted view") + "\n" + ui.PrettyJSON(raw(d.detail))
	}
	return doc(d.detail)
}

// keyOf is a binding's key as help shows it.
func keyOf(b key.Binding) string { return b.Help().Key }

// confirmBulk asks once, stating the count, before a bulk action; no
// keeps the marks.
func confirmBulk(b *listTab, title, yes string, lines []string, run func() tea.Cmd) tea.Cmd {
	return b.show(ui.ConfirmModal(b.c.Styles, ui.NewConfirm(b.c.Styles, title, yes, lines...), run,
		func() tea.Cmd { return ui.Toast("Nothing sent; the marks stay") }))
}
