package views

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/okta"
	"triage/ui"
)

// oktaList is a pane of Okta objects listed by Okta's next links (apps,
// groups): the list with its server search, and the open object with the
// people it lists (an app's assigned users, a group's members), loaded
// page by page up to peopleCap.
type oktaList[T, P any] struct {
	listTab
	itemDetail[T]
	t       *oktaTab
	cols    objCols[T]
	rows    *objRows[T]
	noun    string // "apps", for the counts
	near    int    // how close to the end the next page loads
	text    string // the search as typed
	started bool
	loading bool
	more    bool
	next    string
	toEnd   bool // G: the pages left are loading, then the cursor goes to the last row
	// page asks for a page of the current search from a next link ("" the
	// first); it is called on the UI goroutine and captures what it needs.
	page func(next string) func(context.Context) (okta.Page[T], error)
	// peopleOf asks for a page of an object's people, the same way.
	peopleOf func(id string) func(ctx context.Context, next string) (okta.Page[P], error)
	// doc is the open object's text, its people with it.
	doc func(*T) string

	people    []P
	pages     int
	peopleErr error
	capped    bool
	loadingP  bool
}

// peopleCap bounds the people listed in an open app or group.
const peopleCap = 1000

type (
	oktaPageMsg[T any] struct {
		tab   *oktaTab
		req   int
		first bool
		page  okta.Page[T]
		err   error
	}
	oktaPeopleMsg[P any] struct {
		tab    *oktaTab
		id     string
		people []P
		pages  int
		capped bool
		err    error
	}
)

func (m oktaPageMsg[T]) recipient() Tab   { return m.tab }
func (m oktaPeopleMsg[P]) recipient() Tab { return m.tab }

func newOktaList[T, P any](t *oktaTab, oc objCols[T], noun, empty string) *oktaList[T, P] {
	cols := make([]ui.Column, len(oc.columns))
	for i, c := range oc.columns {
		cols[i] = c.Column
	}
	p := &oktaList[T, P]{listTab: newListTab(t.c, cols, empty), t: t, cols: oc, noun: noun}
	p.rows = newObjRows(oc)
	p.loadingRows = func() string {
		if p.loading {
			return "Loading Okta " + noun + "…"
		}
		return ""
	}
	return p
}

func (p *oktaList[T, P]) reset() {
	p.reqs.stop()
	p.rows = newObjRows(p.cols)
	p.table.SetSource(p.rows)
	p.openKey, p.started, p.loading, p.more, p.next = "", false, false, false, ""
}

func (p *oktaList[T, P]) info() string {
	s := count(p.rows.Len()) + " " + p.noun
	if p.more {
		s += " (more as you scroll)"
	}
	return infoLine(p.table, s)
}

// target is the open object, else the one under the cursor.
func (p *oktaList[T, P]) target() string { return cmp.Or(p.openKey, p.table.CursorKey()) }

// load lists the first page of the search; an earlier one is cancelled.
func (p *oktaList[T, P]) load() tea.Cmd {
	ctx, req := p.restart()
	return p.fetch(ctx, req, true, p.page(""))
}

// search starts a new search: the rows go and the first page is asked for
// under the context this returns.
func (p *oktaList[T, P]) search(text string) (context.Context, int) {
	p.text, p.openKey = text, ""
	p.rows = newObjRows(p.cols)
	p.table.SetSource(p.rows)
	return p.restart()
}

func (p *oktaList[T, P]) restart() (context.Context, int) {
	ctx, req := p.reqs.next(p.t.c.Context())
	p.started, p.loading, p.toEnd, p.loadErr = true, true, false, nil
	return ctx, req
}

func (p *oktaList[T, P]) fetch(ctx context.Context, req int, first bool, get func(context.Context) (okta.Page[T], error)) tea.Cmd {
	t := p.t
	return func() tea.Msg {
		page, err := get(ctx)
		return oktaPageMsg[T]{tab: t, req: req, first: first, page: page, err: err}
	}
}

// loadMore follows the next link when the cursor nears the end, under the
// search's context.
func (p *oktaList[T, P]) loadMore() tea.Cmd {
	if !p.more || p.loading || (!p.toEnd && !p.table.NearEnd(p.near)) {
		return nil
	}
	p.loading = true
	ctx, req := p.reqs.paging(p.t.c.Context())
	return p.fetch(ctx, req, false, p.page(p.next))
}

func (p *oktaList[T, P]) onPage(m oktaPageMsg[T]) tea.Cmd {
	if m.req != p.reqs.current() {
		return nil
	}
	p.loading = false
	if m.err != nil {
		p.toEnd = false
		if m.first {
			p.loadErr = m.err
		}
		return ui.Fail(m.err)
	}
	if m.first {
		p.rows = newObjRows(p.cols)
	}
	p.rows.append(m.page.Items)
	p.next, p.more = m.page.Next, m.page.Next != ""
	p.table.SetSource(p.rows)
	if p.toEnd && !p.more {
		p.toEnd = false
		p.table.Move(p.table.Len())
	}
	return tea.Batch(p.table.Refilter(), p.loadMore())
}

// openObj shows an object and loads its people, page by page.
func (p *oktaList[T, P]) openObj(id string) tea.Cmd {
	if id == "" {
		return nil
	}
	p.openItem(id)
	if obj, ok := p.rows.get(id); ok {
		p.detail = &obj
	}
	p.people, p.peopleErr, p.capped, p.pages, p.loadingP = nil, nil, false, 0, true
	p.render(false)
	get, ctx, t := p.peopleOf(id), p.t.c.Context(), p.t
	return func() tea.Msg {
		m := oktaPeopleMsg[P]{tab: t, id: id}
		next := ""
		for {
			page, err := get(ctx, next)
			if err != nil {
				m.err = err
				return m
			}
			m.pages++
			m.people = append(m.people, page.Items...)
			if next = page.Next; next == "" || len(page.Items) == 0 {
				return m
			}
			if len(m.people) >= peopleCap {
				m.capped = true
				return m
			}
		}
	}
}

func (p *oktaList[T, P]) onPeople(m oktaPeopleMsg[P]) tea.Cmd {
	if m.id != p.openKey {
		return nil
	}
	p.loadingP = false
	p.people, p.peopleErr, p.capped, p.pages = m.people, m.err, m.capped, m.pages
	p.render(true)
	if m.err != nil {
		return ui.Fail(m.err)
	}
	return nil
}

// render draws the open object, or its raw JSON.
func (p *oktaList[T, P]) render(keep bool) {
	if p.openKey == "" {
		return
	}
	gone := "This " + strings.TrimSuffix(p.noun, "s") + " is no longer listed: esc goes back."
	p.pane.Show(p.detailText(p.t.c.Styles, "", gone, p.cols.raw, p.doc), keep)
}

// peopleSection writes the open object's people: loading, why they could
// not be listed, or how many (and pages, when said) with a line each under
// header.
func (p *oktaList[T, P]) peopleSection(d *ui.Doc, title, pages, nobody, header string, line func(*P) string) {
	st := p.t.c.Styles
	counted := fmt.Sprintf("%s (%s%s)", title, count(len(p.people)), pages)
	if p.capped {
		counted = fmt.Sprintf("%s (first %s; the %s has more)", title, count(len(p.people)), strings.TrimSuffix(p.noun, "s"))
	}
	switch {
	case p.loadingP:
		d.Section(title)
		d.Muted("  loading…")
	case p.peopleErr != nil:
		d.Section(title)
		d.Line(st.Error.Render("  could not list them: ") + p.peopleErr.Error())
	default:
		d.Section(counted)
		if len(p.people) == 0 {
			d.Muted("  " + nobody)
		} else {
			d.Line(st.Header.Render("  " + header))
		}
		for i := range p.people {
			d.Line("  " + line(&p.people[i]))
		}
	}
}

// keys are what the apps and groups panes share: open, back, raw JSON,
// reload (the open object, else the list) and the list's own keys.
func (p *oktaList[T, P]) keys(group string, open func(id string) tea.Cmd) []binding {
	k := p.t.c.Keys
	inList := func() bool { return p.openKey == "" }
	bs := []binding{
		{key: &k.Raw, group: group, when: func() bool { return !inList() }, run: func() tea.Cmd { p.raw = !p.raw; p.render(false); return nil }},
		{key: &k.Open, nav: true, when: inList, row: true, run: func() tea.Cmd { return open(p.table.CursorKey()) }},
		{key: &k.Back, nav: true, when: func() bool { return !inList() }, run: func() tea.Cmd { p.openKey = ""; return nil }},
		// G with pages left loads them all, then goes to the last row; esc
		// stops that, keeping what arrived.
		{key: &k.Bottom, nav: true, when: func() bool { return inList() && p.more && !p.toEnd }, run: func() tea.Cmd {
			p.toEnd = true
			p.table.Move(p.table.Len())
			return p.loadMore()
		}},
		{key: &k.Back, nav: true, when: func() bool { return inList() && p.toEnd }, run: func() tea.Cmd {
			p.toEnd = false
			return ui.Toast("Stopped loading to the last row: %s %s loaded", count(p.rows.Len()), p.noun)
		}},
	}
	return append(bs, p.listBindings(group, inList, func() tea.Cmd {
		if p.openKey != "" {
			return open(p.openKey)
		}
		return p.load()
	})...)
}

// listKey is a key no binding took: the table's, loading more near the
// end, or the open object's pane.
func (p *oktaList[T, P]) listKey(m tea.KeyMsg) tea.Cmd {
	if p.openKey != "" {
		return p.pane.Key(m)
	}
	if p.table.HandleKey(m) {
		return p.loadMore()
	}
	return nil
}

// screen is the open object, else the search bar over the list.
func (p *oktaList[T, P]) screen(all, hint string) string {
	if p.openKey != "" {
		return p.pane.View()
	}
	return p.listView(p.t.c.Styles.Muted.Render("search: " + cmp.Or(p.text, all) + " · f change · " + hint))
}

// objCols is how an Okta object shows in a table: its id, the words the
// filter matches, its columns, tones and sort keys, and its raw JSON.
type objCols[T any] struct {
	id      func(*T) string
	words   func(*T) []string
	columns []objCol[T]
	tone    func(*T, int) ui.Tone
	sort    func(*T, int) string // "" sorts by the cell
	raw     func(*T) []byte
}

// objCol is a column and what its cells show.
type objCol[T any] struct {
	ui.Column
	cell func(*T) string
}

// objRows is a table source of Okta objects listed whole (an org has
// hundreds of apps or groups, not millions), in the order listed.
type objRows[T any] struct {
	objs   []T
	search []string
	index  map[string]int
	cols   objCols[T]
}

func newObjRows[T any](cols objCols[T]) *objRows[T] {
	return &objRows[T]{index: map[string]int{}, cols: cols}
}

func (r *objRows[T]) append(objs []T) {
	for i := range objs {
		id := r.cols.id(&objs[i])
		if _, dup := r.index[id]; dup {
			continue
		}
		r.index[id] = len(r.objs)
		r.objs = append(r.objs, objs[i])
		r.search = append(r.search, strings.ToLower(strings.Join(r.cols.words(&objs[i]), " ")))
	}
}

func (r *objRows[T]) get(id string) (T, bool) {
	if i, ok := r.index[id]; ok {
		return r.objs[i], true
	}
	var zero T
	return zero, false
}

// objRows is a ui.Source and a ui.SortKeyer.
func (r *objRows[T]) Len() int { return len(r.objs) }

func (r *objRows[T]) Key(i int) string { return r.cols.id(&r.objs[i]) }

func (r *objRows[T]) Search(i int) string { return r.search[i] }

func (r *objRows[T]) Fresh(int) bool { return false }

func (r *objRows[T]) Cell(i, col int) string { return r.cols.columns[col].cell(&r.objs[i]) }

func (r *objRows[T]) Tone(i, col int) ui.Tone { return r.cols.tone(&r.objs[i], col) }

func (r *objRows[T]) SortKey(i, col int) string {
	if r.cols.sort != nil {
		if s := r.cols.sort(&r.objs[i], col); s != "" {
			return s
		}
	}
	return r.Cell(i, col)
}

func (p *oktaList[T, P]) setSize(w, h int) {
	p.listTab.setSize(w, h)
	p.render(true)
}
