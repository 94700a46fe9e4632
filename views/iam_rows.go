package views

import (
	"slices"
	"strings"

	"triage/backend/people"
	"triage/ui"
)

// personRows is one snapshot of the people of a set of providers, shared
// by every session showing them (the "iam" dataset): one row per person,
// merged by email from every provider's list, look-ups and writes, shown
// in email order whichever provider answered first. It is kept small for
// 100,000 people: a row is a name, an email and a search key, and each
// provider's status is one byte indexing a short table of words.
//
// A published snapshot is never changed. The next one is built with
// next(), which shares the rows in chunks of personChunk: a page or a write
// copies only the chunks it changes, so a list of 100,000 people paged in
// 200 at a time does not copy every row for each page (sharedRows copies
// the whole array on the first change, which suits rows that change
// rarely; people's rows change on every provider's page).
type personRows struct {
	providers int
	chunks    [][]personRow // row i is chunks[i/personChunk][i%personChunk]
	states    [][]uint8     // providers per row, chunked alike: 0 unknown, else words[state]
	owned     []bool        // chunks this snapshot copied, which it may change in place
	n         int           // rows
	order     []int32       // rows by email: what the table shows; replaced, never changed
	index     *keyIndex     // people.Key(email) -> row, shared: rows keep their places
	words     []string      // appended to only
	wordIx    map[string]uint8
	// listed says what an unknown state means for each provider: its list
	// is still loading ("…"), complete (absent), or failed ("?").
	listed []listState
	lists  []listLoad // each provider's list as it pages in
	added  []int32    // rows not placed in order yet
	// changes are the rows changed after the load (a reload, a look-up, a
	// write), for the other sessions to mark; seq numbers them.
	changes []rowChange
	seq     uint64
	// looked is when (counted in puts) a look-up or a write last set a
	// cell, so that a list page read before it does not put the older
	// status back. Shared by a dataset's snapshots and used only by its
	// writer, under the dataset's lock.
	looked map[int]uint64
	puts   uint64
}

// personChunk is how many rows a snapshot copies to change one of them.
const personChunk = 1024

type personRow struct {
	email  string // as the first provider spelled it
	key    string // people.Key(email): the same bytes when the email is lower case already
	name   string
	search string
}

type listState uint8

const (
	listLoading listState = iota
	listDone
	listFailed
)

// Words a status cell shows besides the providers' own.
const (
	wordAbsent  = "absent"
	wordLooking = "…"
	wordUnknown = "?"
)

func newPersonRows(providers int) *personRows {
	r := &personRows{providers: providers, index: &keyIndex{m: map[string]int32{}}, wordIx: map[string]uint8{},
		listed: make([]listState, providers), lists: make([]listLoad, providers)}
	r.word("")          // state 0: unknown
	r.word(wordUnknown) // what a status past the table's 255 words reads as
	return r
}

// personRowBytes is what a person holds, about (BenchmarkIAMPeopleMemory),
// for the datasets' memory budget.
const personRowBytes = 200

// Bytes implements dataset.Snapshot.
func (r *personRows) Bytes() int64 { return int64(r.n) * personRowBytes }

// next is a copy to build the next snapshot on; r stays as it is.
func (r *personRows) next() *personRows {
	n := *r
	n.chunks, n.states = slices.Clone(r.chunks), slices.Clone(r.states)
	n.owned = make([]bool, len(r.chunks))
	n.listed, n.lists = slices.Clone(r.listed), slices.Clone(r.lists)
	n.added = nil
	return &n
}

// own gives the snapshot its own copy of chunk c before it changes.
func (r *personRows) own(c int) {
	if r.owned[c] {
		return
	}
	r.chunks[c] = append(make([]personRow, 0, personChunk), r.chunks[c]...)
	r.states[c] = append(make([]uint8, 0, personChunk*r.providers), r.states[c]...)
	r.owned[c] = true
}

// at is row i, to read.
func (r *personRows) at(i int) *personRow { return &r.chunks[i/personChunk][i%personChunk] }

// state is provider p's state of row i.
func (r *personRows) state(i, p int) uint8 {
	return r.states[i/personChunk][i%personChunk*r.providers+p]
}

// edit is row i and its states, to change: its chunk is copied first.
func (r *personRows) edit(i int) (*personRow, []uint8) {
	c := i / personChunk
	r.own(c)
	j := i % personChunk
	return &r.chunks[c][j], r.states[c][j*r.providers : (j+1)*r.providers]
}

// changed logs row at as changed, by a session's write or look-up, or (by
// nil) a reload, which every session marks.
func (r *personRows) changed(at int32, by any) {
	r.seq++
	if len(r.changes) >= maxChanges {
		r.changes = slices.Clone(r.changes[len(r.changes)-maxChanges/2:])
	}
	r.changes = append(r.changes, rowChange{seq: r.seq, at: at, by: by})
}

// word is the state of a status word, adding it to the table; past 255
// words (never, with real vendors) it falls back to "?".
func (r *personRows) word(w string) uint8 {
	if s, ok := r.wordIx[w]; ok {
		return s
	}
	if len(r.words) == 255 {
		return r.word(wordUnknown)
	}
	s := uint8(len(r.words))
	r.words = append(r.words, w)
	r.wordIx[w] = s
	return s
}

// row finds or adds the row of a person.
func (r *personRows) row(email, name string) int {
	k := people.Key(email)
	if i, ok := r.find(email); ok {
		if r.at(i).name == "" && name != "" {
			row, _ := r.edit(i)
			row.name = name
			r.reindex(i)
		}
		return i
	}
	i, c := r.n, r.n/personChunk
	if c == len(r.chunks) {
		r.chunks = append(r.chunks, make([]personRow, 0, personChunk))
		r.states = append(r.states, make([]uint8, 0, personChunk*r.providers))
		r.owned = append(r.owned, true)
	}
	r.own(c)
	r.chunks[c] = append(r.chunks[c], personRow{email: email, key: k, name: name})
	r.states[c] = append(r.states[c], make([]uint8, r.providers)...)
	r.n++
	r.index.put(k, int32(i))
	r.reindex(i)
	r.added = append(r.added, int32(i))
	return i
}

// place puts the rows added since the last call in email order. Rows come
// in pages sorted by email (sortEntries, off the key path), so this is a
// merge: a binary search for where each new row goes, and the rows between
// copied wholesale.
func (r *personRows) place() {
	if len(r.added) == 0 {
		return
	}
	cmp := func(a, b int32) int { return strings.Compare(r.at(int(a)).key, r.at(int(b)).key) }
	added := r.added
	if !slices.IsSortedFunc(added, cmp) {
		slices.SortFunc(added, cmp)
	}
	merged := make([]int32, 0, len(r.order)+len(added))
	i := 0
	for _, a := range added {
		j, _ := slices.BinarySearchFunc(r.order[i:], a, cmp)
		merged = append(append(merged, r.order[i:i+j]...), a)
		i += j
	}
	r.order, r.added = append(merged, r.order[i:]...), nil
}

// sortEntries puts a page in email order, in the command that fetched it.
func sortEntries(es []people.Entry) {
	slices.SortFunc(es, func(a, b people.Entry) int { return strings.Compare(people.Key(a.Email), people.Key(b.Email)) })
}

// find is the row of an email in this snapshot.
func (r *personRows) find(email string) (int, bool) {
	i, ok := r.index.find(people.Key(email))
	return int(i), ok && int(i) < r.n
}

// set records what provider p says of a person, adding the row if new
// (place puts new rows in order); changed says whether the cell changed.
func (r *personRows) set(email, name string, p int, status string) (at int, changed bool) {
	if email == "" {
		return -1, false
	}
	i := r.row(email, name)
	if s := r.word(status); r.state(i, p) != s {
		_, states := r.edit(i)
		states[p] = s
		r.reindex(i)
		return i, true
	}
	return i, false
}

// put is set for one person, placed in order at once and logged as
// changed by by when it did change.
func (r *personRows) put(email, name string, p int, status string, by any) {
	at, changed := r.set(email, name, p, status)
	if changed {
		r.changed(int32(at), by)
	}
	if at >= 0 {
		if r.looked == nil {
			r.looked = map[int]uint64{}
		}
		r.puts++
		r.looked[at*r.providers+p] = r.puts
	}
	r.place()
}

// add merges a page of a provider's list.
func (r *personRows) add(p int, entries []people.Entry) {
	r.addPage(p, entries, false, nil, r.puts)
}

// addPage merges a page of provider p's list; on a reload (mark) rows
// whose cells changed are logged for every session to mark, and seen
// records the rows the list names.
// asOf is the snapshot's puts when the page was asked for: a cell a
// look-up or write set since keeps what they found.
func (r *personRows) addPage(p int, entries []people.Entry, mark bool, seen map[int32]bool, asOf uint64) {
	for _, e := range entries {
		if at, ok := r.index.find(people.Key(e.Email)); ok && int(at) < r.n && r.looked[int(at)*r.providers+p] > asOf {
			if seen != nil {
				seen[at] = true
			}
			continue
		}
		at, changed := r.set(e.Email, e.Name, p, e.Status)
		if at < 0 {
			continue
		}
		if mark && changed {
			r.changed(int32(at), nil)
		}
		if seen != nil {
			seen[int32(at)] = true
		}
	}
	r.place()
}

// forget clears provider p's cell of the rows a reload's list did not
// name: they are no longer there.
func (r *personRows) forget(p int, seen map[int32]bool) {
	for i := 0; i < r.n; i++ {
		if r.state(i, p) != 0 && !seen[int32(i)] {
			was := r.status(i, p)
			_, states := r.edit(i)
			states[p] = 0
			r.reindex(i)
			if r.status(i, p) != was {
				r.changed(int32(i), nil) // marked only when the cell reads differently
			}
		}
	}
}

// status is what provider p's cell says of row i.
func (r *personRows) status(i, p int) string {
	if s := r.state(i, p); s != 0 {
		return r.words[s]
	}
	switch r.listed[p] {
	case listDone:
		return wordAbsent
	case listFailed:
		return wordUnknown
	}
	return wordLooking
}

// reindex rebuilds what the filter searches in row i (already the
// snapshot's own): its name, email and statuses.
func (r *personRows) reindex(i int) {
	row, states := r.edit(i)
	parts := []string{row.name, row.email}
	for _, s := range states {
		if s != 0 {
			parts = append(parts, r.words[s])
		}
	}
	row.search = strings.ToLower(strings.Join(parts, " "))
}

// peopleView is one session's view of a shared snapshot: the snapshot,
// the rows this session marks as changed (its own writes are not), and
// what its own look-ups say meanwhile (… while asking, the error when one
// failed), which are no one else's business. Filter, sort, marks and
// cursor are the table's, over this source.
type peopleView struct {
	*personRows
	fresh map[int32]bool
	seq   uint64
	me    any            // the session's tab: its own writes are not marked
	local map[int]string // row*providers+provider -> word
	// publish builds the dataset's next snapshot with change and returns
	// it; nil (a view of its own) builds it here.
	publish func(change func(*personRows)) *personRows
}

func newPeopleView(providers int) *peopleView {
	return &peopleView{personRows: newPersonRows(providers)}
}

// start shows snapshot s to a session opening it: what changed before it
// looked is not marked.
func (v *peopleView) start(s *personRows) { v.personRows, v.seq, v.fresh = s, s.seq, nil }

// apply changes the shared rows for every session and shows the result.
func (v *peopleView) apply(change func(*personRows)) {
	if v.publish != nil {
		v.show(v.publish(change))
		return
	}
	n := v.personRows.next()
	change(n)
	v.show(n)
}

// show moves the view to snapshot s, marking the rows others changed.
func (v *peopleView) show(s *personRows) {
	if s == v.personRows {
		return
	}
	for _, c := range s.changes {
		if c.seq <= v.seq || c.by == v.me && v.me != nil {
			continue
		}
		if v.fresh == nil {
			v.fresh = map[int32]bool{}
		}
		v.fresh[c.at] = true
	}
	v.personRows, v.seq = s, s.seq
}

// seen unmarks a person the analyst opened.
func (v *peopleView) seen(email string) {
	if i, ok := v.find(email); ok {
		delete(v.fresh, int32(i))
	}
}

// put records what provider p says of a person, for every session.
func (v *peopleView) put(email, name string, p int, status string) {
	v.apply(func(n *personRows) { n.put(email, name, p, status, v.me) })
	v.unsay(email, p)
}

// ensure is the row of email, added for every session when new.
func (v *peopleView) ensure(email, name string) int {
	if i, ok := v.find(email); ok {
		return i
	}
	v.apply(func(n *personRows) { n.row(email, name); n.place() })
	i, _ := v.find(email)
	return i
}

// say shows word in provider p's cell of a person in this session only.
func (v *peopleView) say(email string, p int, word string) {
	i, ok := v.find(email)
	if !ok {
		return
	}
	if v.local == nil {
		v.local = map[int]string{}
	}
	v.local[i*v.providers+p] = word
}

// unsay drops what this session said in a cell.
func (v *peopleView) unsay(email string, p int) {
	if i, ok := v.find(email); ok && v.local != nil {
		delete(v.local, i*v.providers+p)
	}
}

// cell is what provider p's cell of row i says to this session.
func (v *peopleView) cell(i, p int) string {
	if v.local != nil {
		if w, ok := v.local[i*v.providers+p]; ok {
			return w
		}
	}
	return v.status(i, p)
}

// Columns: name, email, then one status per provider.
const (
	colPersonName = iota
	colPersonEmail
	colPersonFirstStatus
)

func personColumns(providers []people.Provider) []ui.Column {
	// The email is who the row is; a name narrows first, then the statuses.
	cols := []ui.Column{{Title: "NAME", Width: 16, Flex: 1, Min: 10, Priority: 5}, {Title: "EMAIL", Width: 26, Flex: 2, Min: 20, Priority: 9}}
	vendors := map[string]int{}
	for _, p := range providers {
		vendors[p.Vendor()]++
	}
	for _, p := range providers {
		title := strings.ToUpper(p.Vendor())
		if vendors[p.Vendor()] > 1 {
			title += "/" + p.Tenant()
		}
		width, least := 11, 9 // active, inactive, absent, error 503
		if _, ok := p.(*people.Okta); ok {
			width, least = 16, 12 // PASSWORD_EXPIRED
		}
		cols = append(cols, ui.Column{Title: title, Width: max(len(title), width), Min: least, Priority: 7})
	}
	return cols
}

// Len implements ui.Source.
func (v *peopleView) Len() int { return len(v.order) }

// Key implements ui.Source.
func (v *peopleView) Key(i int) string { return v.at(int(v.order[i])).key }

// Search implements ui.Source.
func (v *peopleView) Search(i int) string { return v.at(int(v.order[i])).search }

// Fresh implements ui.Source: changed by another session or a reload.
func (v *peopleView) Fresh(i int) bool { return v.fresh != nil && v.fresh[v.order[i]] }

// email is the email of the row shown at i.
func (v *peopleView) email(i int) string { return v.at(int(v.order[i])).email }

// Cell implements ui.Source.
func (v *peopleView) Cell(i, col int) string {
	row := int(v.order[i])
	switch col {
	case colPersonName:
		return v.at(row).name
	case colPersonEmail:
		return v.at(row).email
	}
	return v.cell(row, col-colPersonFirstStatus)
}

// Tone implements ui.Source.
func (v *peopleView) Tone(i, col int) ui.Tone {
	if col < colPersonFirstStatus {
		return ui.ToneNone
	}
	return accountTone(v.cell(int(v.order[i]), col-colPersonFirstStatus))
}

// accountTone colours an account status: active green, disabled red,
// absent and unknown muted, the in-between states amber.
func accountTone(s string) ui.Tone {
	switch s {
	case "ACTIVE", "active":
		return ui.ToneGood
	case "SUSPENDED", "DEPROVISIONED", "inactive":
		return ui.ToneBad
	case wordAbsent, wordLooking, wordUnknown, "":
		return ui.ToneMuted
	}
	if strings.HasPrefix(s, "error") {
		return ui.ToneCritical
	}
	return ui.ToneMedium
}
