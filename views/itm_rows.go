package views

import (
	"fmt"
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
	fresh    bool
}

// ticketRows is the ITM table's source.
type ticketRows struct {
	rows  []ticketRow
	index map[string]int
	in    interner
}

func newTicketRows() *ticketRows {
	return &ticketRows{index: map[string]int{}, in: interner{}}
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
		if _, dup := r.index[row.key]; dup {
			continue // the list shifted under offset paging
		}
		r.index[row.key] = len(r.rows)
		r.rows = append(r.rows, row)
	}
}

// merge folds a refreshed first page in: changed rows are updated in place,
// new ones go on top marked fresh. It returns how many were new.
func (r *ticketRows) merge(ts []itm.Ticket) (added int) {
	var fresh []ticketRow
	for i := range ts {
		row := r.row(&ts[i])
		if at, ok := r.index[row.key]; ok {
			old := r.rows[at]
			if old.status != row.status || old.assignee != row.assignee {
				row.fresh = true
			} else {
				row.fresh = old.fresh
			}
			r.rows[at] = row
			continue
		}
		row.fresh = true
		fresh = append(fresh, row)
	}
	if len(fresh) == 0 {
		return 0
	}
	rows := make([]ticketRow, 0, len(fresh)+len(r.rows))
	rows = append(rows, fresh...)
	rows = append(rows, r.rows...)
	r.rows = rows
	r.reindex()
	return len(fresh)
}

// update replaces one row from a freshly read ticket.
func (r *ticketRows) update(t *itm.Ticket) {
	if at, ok := r.index[t.Key()]; ok {
		r.rows[at] = r.row(t)
	}
}

func (r *ticketRows) reindex() {
	r.index = make(map[string]int, len(r.rows))
	for i, row := range r.rows {
		r.index[row.key] = i
	}
}

func (r *ticketRows) get(key string) (ticketRow, bool) {
	if at, ok := r.index[key]; ok {
		return r.rows[at], true
	}
	return ticketRow{}, false
}

func (r *ticketRows) seen(key string) {
	if at, ok := r.index[key]; ok {
		r.rows[at].fresh = false
	}
}

// Len implements ui.Source.
func (r *ticketRows) Len() int { return len(r.rows) }

// Key implements ui.Source.
func (r *ticketRows) Key(i int) string { return r.rows[i].key }

// Search implements ui.Source.
func (r *ticketRows) Search(i int) string { return r.rows[i].search }

// Fresh implements ui.Source.
func (r *ticketRows) Fresh(i int) bool { return r.rows[i].fresh }

// Cell implements ui.Source.
func (r *ticketRows) Cell(i, col int) string { return ticketCols.cell(&r.rows[i], col) }

// Tone implements ui.Source.
func (r *ticketRows) Tone(i, col int) ui.Tone { return ticketCols.tone(&r.rows[i], col) }

// SortKey implements ui.SortKeyer.
func (r *ticketRows) SortKey(i, col int) string { return ticketCols.sortKey(&r.rows[i], col) }

// severityTones colour the severity words of both vendors.
var severityTones = map[string]ui.Tone{"critical": ui.ToneCritical, "high": ui.ToneHigh, "medium": ui.ToneMedium,
	"low": ui.ToneLow, "info": ui.ToneLow, "informational": ui.ToneLow}

func severityTone(word string) ui.Tone { return severityTones[strings.ToLower(word)] }

// statusTones: open work stands out, closed work recedes.
var statusTones = map[string]ui.Tone{"new": ui.ToneAccent, "reopened": ui.ToneAccent, "escalated": ui.ToneAccent,
	"resolved": ui.ToneMuted, "false-positive": ui.ToneMuted, "not-an-issue": ui.ToneMuted, "closed": ui.ToneMuted}

func statusTone(status string) ui.Tone { return statusTones[status] }
