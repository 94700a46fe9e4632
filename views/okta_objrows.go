package views

import (
	"bytes"
	"strings"

	"triage/ui"
)

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

// objRow is an Okta object as listed, and the words the filter matches.
type objRow[T any] struct {
	obj    T
	search string
}

// objRows is one snapshot of an Okta list (an org's apps or groups, for
// one search), in the order listed, shared by every session on the search;
// published snapshots are never changed (see incidentRows). An org has
// hundreds of apps or groups, not millions: each row keeps its object
// whole. A session reads it through an objView.
type objRows[T any] struct {
	sharedRows[objRow[T], keyChange] // changes are rows a refresh found new or changed
	index                            *keyIndex

	// Okta's link paging
	loaded bool   // the first page is in
	link   string // the next page's link; "" at the end
	more   bool
	pages  int   // pages read, for a refresh to read as many
	size   int64 // bytes held, roughly
}

func newObjRows[T any]() *objRows[T] { return &objRows[T]{index: &keyIndex{m: map[string]int32{}}} }

// objRowBytes is what a row holds besides its raw JSON and its words.
const objRowBytes = 400

// Bytes implements dataset.Snapshot.
func (r *objRows[T]) Bytes() int64 { return r.size }

// next is a copy to build the next snapshot on; r stays as it is.
func (r *objRows[T]) next() *objRows[T] {
	n := *r
	n.shared = true
	return &n
}

func (r *objRows[T]) find(id string) (int, bool) {
	at, ok := r.index.find(id)
	return int(at), ok && int(at) < len(r.rows)
}

func (r *objRows[T]) get(id string) (T, bool) {
	if at, ok := r.find(id); ok {
		return r.rows[at].obj, true
	}
	var zero T
	return zero, false
}

func objRowOf[T any](obj T, cols objCols[T]) objRow[T] {
	return objRow[T]{obj: obj, search: strings.ToLower(strings.Join(cols.words(&obj), " "))}
}

func rowBytes[T any](row *objRow[T], cols objCols[T]) int64 {
	return int64(objRowBytes + len(cols.raw(&row.obj)) + len(row.search))
}

// append adds a page at the end; an object listed already is skipped.
func (r *objRows[T]) append(objs []T, cols objCols[T]) {
	for i := range objs {
		id := cols.id(&objs[i])
		if _, dup := r.find(id); dup {
			continue
		}
		row := objRowOf(objs[i], cols)
		r.index.put(id, int32(len(r.rows)))
		r.rows = append(r.rows, row)
		r.size += rowBytes(&row, cols)
	}
}

// replace puts the list read again in place of the rows: objects new to it
// or changed are logged for every session to mark; those gone are gone.
func (r *objRows[T]) replace(objs []T, cols objCols[T]) {
	r.seq++
	old := r.index
	var rows []objRow[T]
	index := &keyIndex{m: make(map[string]int32, len(objs))}
	r.size = 0
	for i := range objs {
		id := cols.id(&objs[i])
		if _, dup := index.m[id]; dup {
			continue
		}
		row := objRowOf(objs[i], cols)
		if at, ok := old.find(id); !ok || int(at) >= len(r.rows) || !bytes.Equal(cols.raw(&r.rows[at].obj), cols.raw(&row.obj)) {
			r.logChange(keyChange{seq: r.seq, key: id})
		}
		index.m[id] = int32(len(rows))
		rows = append(rows, row)
		r.size += rowBytes(&row, cols)
	}
	r.rows, r.shared, r.index = rows, false, index
}

// update puts an object read again after a write in its row; the other
// sessions mark it when it changed (by: the session that wrote).
func (r *objRows[T]) update(obj T, cols objCols[T], by any) {
	id := cols.id(&obj)
	at, ok := r.find(id)
	if !ok {
		return
	}
	r.own()
	r.seq++
	row := objRowOf(obj, cols)
	if !bytes.Equal(cols.raw(&r.rows[at].obj), cols.raw(&row.obj)) {
		r.logChange(keyChange{seq: r.seq, key: id, by: by})
	}
	r.size += rowBytes(&row, cols) - rowBytes(&r.rows[at], cols)
	r.rows[at] = row
}

// objView is one session's view of a shared snapshot: the snapshot and the
// objects this session marks as changed.
type objView[T any] struct {
	*objRows[T]
	cols  objCols[T]
	fresh map[string]bool
	seq   uint64
	me    any
}

// show moves the view to snapshot s, marking the objects changed since.
func (v *objView[T]) show(s *objRows[T]) {
	if s == v.objRows {
		return
	}
	for _, c := range s.changes {
		if c.seq <= v.seq || c.by == v.me && v.me != nil {
			continue
		}
		if v.fresh == nil {
			v.fresh = map[string]bool{}
		}
		v.fresh[c.key] = true
	}
	v.objRows, v.seq = s, s.seq
}

// start shows snapshot s to a session opening the search: what changed
// before it looked is not marked.
func (v *objView[T]) start(s *objRows[T]) { v.objRows, v.seq, v.fresh = s, s.seq, nil }

// objects are the objects listed, in order.
func (v *objView[T]) objects() []T {
	out := make([]T, len(v.rows))
	for i := range v.rows {
		out[i] = v.rows[i].obj
	}
	return out
}

// objView is a ui.Source and a ui.SortKeyer.
func (v *objView[T]) Len() int { return len(v.rows) }

func (v *objView[T]) Key(i int) string { return v.cols.id(&v.rows[i].obj) }

func (v *objView[T]) Search(i int) string { return v.rows[i].search }

func (v *objView[T]) Fresh(i int) bool { return v.fresh != nil && v.fresh[v.Key(i)] }

func (v *objView[T]) Cell(i, col int) string { return v.cols.columns[col].cell(&v.rows[i].obj) }

func (v *objView[T]) Tone(i, col int) ui.Tone { return v.cols.tone(&v.rows[i].obj, col) }

func (v *objView[T]) SortKey(i, col int) string {
	if v.cols.sort != nil {
		if s := v.cols.sort(&v.rows[i].obj, col); s != "" {
			return s
		}
	}
	return v.Cell(i, col)
}
