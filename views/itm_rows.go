package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"triage/backend/itm"
	"triage/ui"
)

// ticketRow is the compact list form of an ITM incident; the full ticket is
// fetched when it is opened.
type ticketRow struct {
	key      string
	observed time.Time
	sev      string // severity word
	score    int
	status   string // status name, e.g. in-progress
	name     string
	person   string
	subject  string
	assignee string
	search   string
}

// ticketRows is one snapshot of an ITM query's tickets, newest first,
// shared by every session on the query; published snapshots are never
// changed (see incidentRows). A session reads it through a ticketView.
type ticketRows struct {
	sharedRows[ticketRow, keyChange]           // changes are rows refreshed or written since the load
	index                            *keyIndex // shared while pages are appended; a merge makes a new one
	in                               interner

	// the query's offset paging
	loaded     bool // the first page is in
	nextOffset int
	more       bool
	total      int       // from the vendor; -1 when not reported
	since      time.Time // the window's start the rows were read for
}

// keyChange is a ticket that changed after the load, by a session's write
// (by: its tab) or a refresh (by nil). Tickets move when a refresh puts
// new ones on top, so changes name the ticket, not its position.
type keyChange struct {
	seq uint64
	key string
	by  any
}

func newTicketRows() *ticketRows {
	return &ticketRows{index: &keyIndex{m: map[string]int32{}}, in: interner{}, total: -1}
}

// ticketRowBytes is what a loaded row holds (BenchmarkRowsMemory), for the
// memory budget.
const ticketRowBytes = 360

// Bytes implements dataset.Snapshot.
func (r *ticketRows) Bytes() int64 { return int64(len(r.rows)) * ticketRowBytes }

// next is a copy to build the next snapshot on; r stays as it is.
func (r *ticketRows) next() *ticketRows {
	n := *r
	n.shared = true
	return &n
}

func (r *ticketRows) changed(key string, by any) {
	r.logChange(keyChange{seq: r.seq, key: key, by: by})
}

func (r *ticketRows) find(key string) (int, bool) {
	at, ok := r.index.find(key)
	return int(at), ok && int(at) < len(r.rows)
}

// ticketCols are the ITM table's columns. At 80 columns the ID and then
// the subject hide: when, how bad, its state, the rule and who stay.
var ticketCols = cells[ticketRow]{
	{ui.Column{Title: "OBSERVED", Width: 16, Priority: 7}, func(r *ticketRow) string { return timeCell(r.observed) },
		muted[ticketRow], func(r *ticketRow) string { return sortTime(r.observed) }},
	{ui.Column{Title: "SEVERITY", Width: 8, Priority: 9}, func(r *ticketRow) string { return r.sev },
		func(r *ticketRow) ui.Tone { return severityTone(r.sev) }, func(r *ticketRow) string { return fmt.Sprintf("%06d", r.score) }},
	{ui.Column{Title: "STATUS", Width: 14, Min: 12, Priority: 8}, func(r *ticketRow) string { return itm.Display(r.status) },
		func(r *ticketRow) ui.Tone { return statusTone(r.status) }, nil},
	{ui.Column{Title: "INCIDENT", Width: 18, Flex: 1, Min: 12, Priority: 5}, func(r *ticketRow) string { return r.name }, nil, nil},
	{ui.Column{Title: "USER", Width: 22, Flex: 1, Min: 14, Priority: 6}, func(r *ticketRow) string { return r.person }, nil, nil},
	{ui.Column{Title: "SUBJECT", Width: 16, Flex: 3, Min: 12, Priority: 4}, func(r *ticketRow) string { return r.subject }, nil, nil},
	{ui.Column{Title: "ID", Width: 8, Priority: 1}, func(r *ticketRow) string { return short(r.key, 8) }, muted[ticketRow], nil},
}

var ticketColumns = ticketCols.headers()

func (r *ticketRows) row(t *itm.Ticket) ticketRow {
	sev := itm.ParseSeverity(string(t.Incident.Severity))
	status := itm.StatusName(string(t.Incident.Status))
	row := ticketRow{
		key:      t.Key(),
		observed: t.Observed(),
		sev:      r.in.get(sev.Word),
		score:    sev.Score,
		status:   r.in.get(status),
		name:     r.in.get(string(t.Incident.Name)),
		person:   r.in.get(t.Person()),
		subject:  t.Subject(),
		assignee: r.in.get(t.Assignee()),
	}
	row.search = strings.ToLower(strings.Join([]string{row.key, row.sev, row.status, row.name, row.person, row.subject, row.assignee}, " "))
	return row
}

// append adds a page of older tickets at the end.
func (r *ticketRows) append(ts []itm.Ticket) {
	for i := range ts {
		row := r.row(&ts[i])
		if _, dup := r.find(row.key); dup {
			continue // the list shifted under offset paging
		}
		r.index.put(row.key, int32(len(r.rows)))
		r.rows = append(r.rows, row)
	}
}

// merge folds a refreshed first page in: changed rows are updated in place,
// new ones go on top; both are logged for every session to mark. It
// returns how many were new.
func (r *ticketRows) merge(ts []itm.Ticket) (added int) {
	r.seq++
	var fresh []ticketRow
	for i := range ts {
		row := r.row(&ts[i])
		if at, ok := r.find(row.key); ok {
			r.own()
			old := r.rows[at]
			if old.status != row.status || old.assignee != row.assignee {
				r.changed(row.key, nil)
			}
			r.rows[at] = row
			continue
		}
		r.changed(row.key, nil)
		fresh = append(fresh, row)
	}
	if len(fresh) == 0 {
		return 0
	}
	rows := make([]ticketRow, 0, len(fresh)+len(r.rows))
	rows = append(rows, fresh...)
	rows = append(rows, r.rows...)
	r.rows, r.shared = rows, false
	r.reindex()
	return len(fresh)
}

// update replaces one row from a freshly read ticket; by is the session
// that read it, the others mark it if it changed.
func (r *ticketRows) update(t *itm.Ticket, by any) {
	if at, ok := r.find(t.Key()); ok {
		r.own()
		r.seq++
		row := r.row(t)
		if old := r.rows[at]; old.status != row.status || old.assignee != row.assignee || old.sev != row.sev {
			r.changed(row.key, by)
		}
		r.rows[at] = row
	}
}

// slide moves the window's start forward to since: the tickets observed
// before it go (rows are newest first, so they are the tail).
func (r *ticketRows) slide(since time.Time) {
	cut := len(r.rows)
	for cut > 0 && r.rows[cut-1].observed.Before(since) {
		cut--
	}
	// Clipped: the next page must not write over rows an earlier snapshot
	// still shows.
	r.rows, r.shared = slices.Clip(r.rows[:cut]), false
	if r.total >= 0 {
		r.total -= r.nextOffset - cut
	}
	r.nextOffset, r.since = cut, since
	r.reindex()
}

// reindex gives r a new index: positions moved, and earlier snapshots keep
// theirs.
func (r *ticketRows) reindex() {
	m := make(map[string]int32, len(r.rows))
	for i, row := range r.rows {
		m[row.key] = int32(i)
	}
	r.index = &keyIndex{m: m}
}

func (r *ticketRows) get(key string) (ticketRow, bool) {
	if at, ok := r.find(key); ok {
		return r.rows[at], true
	}
	return ticketRow{}, false
}

// ticketView is one session's view of a shared snapshot: the snapshot and
// the tickets this session marks as changed (not its own writes).
type ticketView struct {
	*ticketRows
	fresh map[string]bool
	seq   uint64
	me    any
	// publish builds the dataset's next snapshot with change and returns
	// it; nil (a view of its own) builds it here.
	publish func(change func(*ticketRows)) *ticketRows
}

func newTicketView() *ticketView { return &ticketView{ticketRows: newTicketRows()} }

// show moves the view to snapshot s, marking the tickets changed since; it
// returns how many of them are new to this view.
func (v *ticketView) show(s *ticketRows) (added int) {
	if s == v.ticketRows {
		return 0
	}
	for _, c := range s.changes {
		if c.seq <= v.seq || c.by == v.me && v.me != nil {
			continue
		}
		if v.fresh == nil {
			v.fresh = map[string]bool{}
		}
		if _, known := v.find(c.key); !known {
			added++
		}
		v.fresh[c.key] = true
	}
	v.ticketRows, v.seq = s, s.seq
	return added
}

// start shows snapshot s to a session opening the query: what changed
// before it looked is not marked.
func (v *ticketView) start(s *ticketRows) { v.ticketRows, v.seq, v.fresh = s, s.seq, nil }

// apply changes the shared rows for every session and shows the result.
func (v *ticketView) apply(change func(*ticketRows)) {
	if v.publish != nil {
		v.show(v.publish(change))
		return
	}
	n := v.ticketRows.next()
	change(n)
	v.show(n)
}

// append adds tickets to the rows (the benchmarks' own loads; a session's
// go through the dataset).
func (v *ticketView) append(ts []itm.Ticket) { v.apply(func(n *ticketRows) { n.append(ts) }) }

// update puts a ticket read whole on its row, for every session.
func (v *ticketView) update(t *itm.Ticket) { v.apply(func(n *ticketRows) { n.update(t, v.me) }) }

func (v *ticketView) seen(key string) { delete(v.fresh, key) }

// Len implements ui.Source.
func (v *ticketView) Len() int { return len(v.rows) }

// Key implements ui.Source.
func (v *ticketView) Key(i int) string { return v.rows[i].key }

// Search implements ui.Source.
func (v *ticketView) Search(i int) string { return v.rows[i].search }

// Fresh implements ui.Source.
func (v *ticketView) Fresh(i int) bool { return v.fresh != nil && v.fresh[v.rows[i].key] }

// Cell implements ui.Source.
func (v *ticketView) Cell(i, col int) string { return ticketCols.cell(&v.rows[i], col) }

// Tone implements ui.Source.
func (v *ticketView) Tone(i, col int) ui.Tone { return ticketCols.tone(&v.rows[i], col) }

// SortKey implements ui.SortKeyer.
func (v *ticketView) SortKey(i, col int) string { return ticketCols.sortKey(&v.rows[i], col) }

// severityTones colour the severity words of both vendors.
var severityTones = map[string]ui.Tone{"critical": ui.ToneCritical, "high": ui.ToneHigh, "medium": ui.ToneMedium,
	"low": ui.ToneLow, "info": ui.ToneLow, "informational": ui.ToneLow}

func severityTone(word string) ui.Tone { return severityTones[strings.ToLower(word)] }

// statusTones: open work stands out, closed work recedes.
var statusTones = map[string]ui.Tone{"new": ui.ToneAccent, "reopened": ui.ToneAccent, "escalated": ui.ToneAccent,
	"resolved": ui.ToneMuted, "false-positive": ui.ToneMuted, "not-an-issue": ui.ToneMuted, "closed": ui.ToneMuted}

func statusTone(status string) ui.Tone { return statusTones[status] }
