package views

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/dataset"
	"triage/backend/okta"
	"triage/ui"
)

// oktaList is a pane of Okta objects listed by Okta's next links (apps,
// groups): the list with its server search, and the open object with the
// people it lists (an app's assigned users, a group's members), loaded
// page by page up to peopleCap.
//
// The list of a search is a dataset shared by every session of the server
// on the same org and search (backend/dataset, as the ITM tab's): one
// session reads a page, under the dataset's own context, and every session
// shows it. Pages are read as any session's cursor nears the end.
type oktaList[T, P any] struct {
	listTab
	itemDetail[T]
	t          *oktaTab
	cols       objCols[T]
	rows       *objView[T]
	set        *dataset.Set[*objRows[T]]
	kind       string // the dataset's kind, e.g. "okta-apps"
	bucket     string // the rate-limit bucket its pages are read from
	noun       string // "apps", for the counts
	near       int    // how close to the end the next page loads
	text       string // the search as typed
	started    bool
	loading    bool // the first page is being read, by this session or another
	paging     bool // this session is reading the next page
	refreshing bool // this session's refresh is running
	toEnd      bool // G: the pages left are loading, then the cursor goes to the last row
	stuck      bool // the next page failed: read it again only when asked (G, r), not on every look
	// pager asks for a page of the search from a next link ("" the
	// first); it is called on the UI goroutine and captures what it needs.
	pager func() func(ctx context.Context, next string) (okta.Page[T], error)
	// searched, when set, is the pager of the search typed (the apps' user:
	// term looks the person up first).
	searched func(ctx context.Context, next string) (okta.Page[T], error)
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

// oktaListPollEvery is how often an idle pane looks for what other
// sessions changed in its dataset.
const oktaListPollEvery = 2 * time.Second

type (
	// oktaSharedMsg is a state of a pane's dataset, for the pane to show.
	oktaSharedMsg[T any] struct {
		tab   *oktaTab
		req   int
		kind  pageKind
		set   *dataset.Set[*objRows[T]]
		state dataset.State[*objRows[T]]
		err   error // the load's error, when this session asked for it
		mine  bool  // this session asked for it
		chain bool  // from watch, which this message carries on
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

func (m oktaSharedMsg[T]) recipient() Tab { return m.tab }
func (m oktaPeopleMsg[P]) recipient() Tab { return m.tab }

func newOktaList[T, P any](t *oktaTab, oc objCols[T], kind, bucket, noun, empty string) *oktaList[T, P] {
	cols := make([]ui.Column, len(oc.columns))
	for i, c := range oc.columns {
		cols[i] = c.Column
	}
	p := &oktaList[T, P]{listTab: newListTab(t.c, cols, empty), t: t, cols: oc, kind: kind, bucket: bucket, noun: noun}
	p.rows = p.newView()
	p.loadingRows = func() string {
		if p.loading {
			return "Loading Okta " + noun + "…"
		}
		return ""
	}
	return p
}

// newView is an empty view, of its own until a dataset's snapshot is shown.
func (p *oktaList[T, P]) newView() *objView[T] {
	return &objView[T]{objRows: newObjRows[T](), cols: p.cols, me: p}
}

// updated puts an object read back after this session's write in the
// shared rows, for every session on the search to see.
func (p *oktaList[T, P]) updated(obj T) tea.Cmd {
	if p.set == nil {
		return nil
	}
	st := p.set.Publish(func(s *objRows[T]) *objRows[T] { n := s.next(); n.update(obj, p.cols, p); return n })
	p.rows.show(st.Snap)
	p.table.SetSource(p.rows)
	return p.table.Refilter()
}

// reset forgets the list and its search (another org).
func (p *oktaList[T, P]) reset() {
	p.reqs.stop()
	p.text, p.searched = "", nil
	p.set, p.rows = nil, p.newView()
	p.table.SetSource(p.rows)
	p.openKey, p.started, p.loading, p.paging, p.refreshing, p.toEnd, p.stuck = "", false, false, false, false, false, false
}

func (p *oktaList[T, P]) info() string {
	s := count(p.rows.Len()) + " " + p.noun
	if p.rows.more {
		s += " (more as you scroll)"
	}
	return infoLine(p.table, s)
}

// target is the open object, else the one under the cursor.
func (p *oktaList[T, P]) target() string { return cmp.Or(p.openKey, p.table.CursorKey()) }

// loadBusy is what the pane's own loads say, and how long they wait for
// the org's share of Okta's rate limit; "" when none runs.
func (p *oktaList[T, P]) loadBusy() string {
	if !p.loading && !p.paging && !p.refreshing {
		return ""
	}
	s := fmt.Sprintf("Loading Okta %s (%s so far)…", p.noun, count(p.rows.Len()))
	if p.refreshing {
		s = fmt.Sprintf("Reading the Okta %s again…", p.noun)
	}
	if w := oktaWaiting(p.t.client(), p.bucket); w != "" {
		s += " · " + w
	}
	return s
}

// load opens the search's dataset, reading its first page if no session
// has; an earlier load of this pane is left to the dataset.
func (p *oktaList[T, P]) load() tea.Cmd {
	ctx, req := p.reqs.next(p.t.c.Context())
	p.started, p.paging, p.refreshing, p.toEnd, p.loadErr = true, false, false, false, nil
	key := dataset.Key{Kind: p.kind, Tenant: p.t.client().Tenant(), Query: p.text}
	p.set, _ = dataset.Open(p.t.c.datasets(), key, newObjRows[T])
	p.rows = p.newView()
	st := p.set.Read()
	p.rows.start(st.Snap)
	p.table.SetSource(p.rows)
	p.loading = !st.Snap.loaded
	var first tea.Cmd
	if p.loading {
		if p.set.Begin() {
			first = p.fetch(req, pageFirst, p.set, "", 1)
		} else {
			first = p.await(req, pageFirst, p.set) // another session is reading it
		}
	}
	return tea.Batch(first, p.watch(ctx, req, p.set.Read().Version))
}

// page asks for the search's pages.
func (p *oktaList[T, P]) page() func(context.Context, string) (okta.Page[T], error) {
	if p.searched != nil {
		return p.searched
	}
	return p.pager()
}

// search starts a new search, its rows read once for every session on it.
func (p *oktaList[T, P]) search(text string) tea.Cmd {
	p.text, p.openKey = text, ""
	return p.load()
}

// fetch reads into the dataset: the first page, the next one from the
// snapshot's link, or (a refresh) the first pages again, as many as were
// read, which then replace the rows. It runs under the dataset's context,
// whether or not this session is still there to see it; the session waits
// for it with await.
func (p *oktaList[T, P]) fetch(req int, kind pageKind, set *dataset.Set[*objRows[T]], link string, pages int) tea.Cmd {
	ctx, cols, get := set.Context(), p.cols, p.page()
	go func() {
		page, err := get(ctx, link)
		if err != nil {
			set.End(false, err)
			return
		}
		if kind != pageRefresh {
			set.Publish(func(s *objRows[T]) *objRows[T] {
				n := s.next()
				n.append(page.Items, cols)
				n.link, n.more, n.loaded = page.Next, page.Next != "", true
				n.pages++
				return n
			})
			set.End(page.Next == "", nil)
			return
		}
		objs, read := page.Items, 1
		for ; page.Next != "" && read < pages; read++ {
			if page, err = get(ctx, page.Next); err != nil {
				set.End(false, err)
				return
			}
			objs = append(objs, page.Items...)
		}
		set.Publish(func(s *objRows[T]) *objRows[T] {
			n := s.next()
			n.replace(objs, cols)
			n.link, n.more, n.pages = page.Next, page.Next != "", read
			return n
		})
		set.End(page.Next == "", nil)
	}()
	return p.await(req, kind, set)
}

// await is the dataset's state once the read this session asked for, or
// the one another session was running, is in.
func (p *oktaList[T, P]) await(req int, kind pageKind, set *dataset.Set[*objRows[T]]) tea.Cmd {
	ctx, _ := p.reqs.paging(p.t.c.Context())
	t := p.t
	return func() tea.Msg {
		st, err := set.Idle(ctx)
		if err != nil {
			return nil // the pane moved on to another search
		}
		return oktaSharedMsg[T]{tab: t, req: req, kind: kind, set: set, state: st, err: st.Err, mine: true}
	}
}

// watch waits for the dataset's next state while a page is being read,
// and looks again from time to time while none is.
func (p *oktaList[T, P]) watch(ctx context.Context, req int, version uint64) tea.Cmd {
	set, t := p.set, p.t
	return watchSet(ctx, set, version, oktaListPollEvery, func(st dataset.State[*objRows[T]]) tea.Msg {
		return oktaSharedMsg[T]{tab: t, req: req, set: set, state: st, chain: true}
	})
}

// loadMore follows the next link when the cursor nears the end.
func (p *oktaList[T, P]) loadMore() tea.Cmd {
	if p.set == nil || !p.rows.more || p.loading || p.paging || p.refreshing || (!p.toEnd && (p.stuck || !p.table.NearEnd(p.near))) {
		return nil
	}
	st := p.set.Read()
	if st.Snap != p.rows.objRows || !st.Snap.more || !p.set.Begin() {
		return nil // another session is reading it, or has: the watch brings it
	}
	if st = p.set.Read(); st.Snap != p.rows.objRows {
		p.set.End(false, st.Err) // another session read the page just before Begin
		return nil
	}
	p.paging, p.stuck = true, false
	return p.fetch(p.reqs.current(), pageMore, p.set, st.Snap.link, 1)
}

// refresh reads the list again, as far as it was read, for every session
// on the search; sessions asking together share one. A list whose first
// page failed is loaded again.
func (p *oktaList[T, P]) refresh() tea.Cmd {
	if p.set == nil || !p.rows.loaded {
		return p.load()
	}
	if p.refreshing || !p.set.Begin() {
		return nil // another session's read: the watch brings it
	}
	p.refreshing, p.toEnd, p.stuck = true, false, false
	return p.fetch(p.reqs.current(), pageRefresh, p.set, "", max(p.rows.pages, 1))
}

func (p *oktaList[T, P]) onShared(m oktaSharedMsg[T]) tea.Cmd {
	if m.req != p.reqs.current() || m.set != p.set {
		return nil // a newer search replaced this one
	}
	if m.mine {
		switch m.kind {
		case pageMore:
			p.paging = false
		case pageRefresh:
			p.refreshing = false
		}
	}
	if m.state.Snap.loaded || m.mine && m.kind == pageFirst {
		p.loading = false
	}
	var cmds []tea.Cmd
	if m.err != nil {
		p.toEnd = false
		p.stuck = m.mine && m.kind == pageMore
		if m.kind == pageFirst {
			p.loadErr = m.err
		}
		cmds = append(cmds, ui.Fail(fmt.Errorf("%w (r tries again)", m.err)))
	} else if !m.state.Busy && !m.state.Snap.loaded && m.state.Err != nil {
		p.loading, p.loadErr = false, m.state.Err // another session's first page failed
	}
	shown := p.rows.objRows
	p.rows.show(m.state.Snap)
	if p.rows.objRows != shown {
		p.table.SetSource(p.rows)
		cmds = append(cmds, p.table.Refilter())
		if obj, ok := p.rows.get(p.openKey); ok && p.openKey != "" {
			p.detail = &obj
			p.render(true)
		}
	}
	if p.toEnd && !p.rows.more && p.rows.loaded {
		p.toEnd = false
		p.table.Move(p.table.Len())
	}
	if m.chain {
		ctx, _ := p.reqs.paging(p.t.c.Context())
		cmds = append(cmds, p.watch(ctx, m.req, m.state.Version))
	}
	if m.err == nil {
		cmds = append(cmds, p.loadMore())
	}
	return tea.Batch(cmds...)
}

// openObj shows an object and loads its people, page by page.
func (p *oktaList[T, P]) openObj(id string) tea.Cmd {
	if id == "" {
		return nil
	}
	p.openItem(id)
	delete(p.rows.fresh, id)
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
		{key: &k.Bottom, nav: true, when: func() bool { return inList() && p.rows.more && !p.toEnd }, run: func() tea.Cmd {
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
		return p.refresh()
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

func (p *oktaList[T, P]) setSize(w, h int) {
	p.listTab.setSize(w, h)
	p.render(true)
}
