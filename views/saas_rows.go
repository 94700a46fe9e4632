package views

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"triage/backend/saas"
	"triage/ui"
)

// incidentRow is the compact list form of a SaaS incident: what the table
// shows and what close and remediate need. The full incident is fetched
// when it is opened.
type incidentRow struct {
	key       string // incident_id
	updated   time.Time
	sev       string // as the vendor sent it
	level     uint8  // 5 critical .. 1 informational, 0 unknown
	status    string // the vendor's display form, Closed-Business Justified
	state     string // open, closed
	category  string
	app       string
	appType   string
	assetID   string
	assetName string
	exposure  string
	owner     string
	policy    string
	resolver  string
	search    string
}

// incidentRows is one snapshot of a SaaS query's incidents, shared by every
// session reading the query: rows in arrival order, shown newest updated
// first through order. A published snapshot is never changed: the dataset's
// writer builds the next one with next(), which shares the rows until one
// of them is replaced. A session reads it through an incidentView.
type incidentRows struct {
	// changes are the rows refreshed or written since the load, for the
	// sessions to mark; seq numbers them.
	sharedRows[incidentRow, rowChange]
	order  []int32 // display position -> rows index
	index  *keyIndex
	counts [6]int // rows by severity level, for the bar over the table
	in     interner
	resume *saas.Page // where the feed stopped on an error, for r to carry on
	newest time.Time  // the latest updated time loaded: where a refresh continues from
	from   time.Time  // the start of the window the rows were read for
	era    uint64     // counts slides, which move rows: views re-key their marks
}

// rowChange is a row that changed after the load: new in a refresh, or
// changed by a refresh or by a session's write (by: that session's tab;
// nil for a refresh, which every session marks).
type rowChange struct {
	seq uint64
	at  int32
	by  any
}

// maxChanges bounds the change log; a session further behind than this
// simply marks nothing older.
const maxChanges = 4096

// keyIndex finds a row by incident id: shared by a dataset's snapshots,
// whose rows keep their positions, and written only by its writer.
type keyIndex struct {
	mu sync.RWMutex
	m  map[string]int32
}

func (x *keyIndex) find(key string) (int32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	at, ok := x.m[key]
	return at, ok
}

func (x *keyIndex) put(key string, at int32) {
	x.mu.Lock()
	x.m[key] = at
	x.mu.Unlock()
}

func newIncidentRows() *incidentRows {
	return &incidentRows{index: &keyIndex{m: map[string]int32{}}, in: interner{}}
}

// incidentRowBytes is what a loaded row holds, measured by
// BenchmarkSaaSRowsMemory (docs/PERFORMANCE.md), for the memory budget.
const incidentRowBytes = 540

// Bytes implements dataset.Snapshot.
func (r *incidentRows) Bytes() int64 { return int64(len(r.rows)) * incidentRowBytes }

// next is a copy to build the next snapshot on; r stays as it is.
func (r *incidentRows) next() *incidentRows {
	n := *r
	n.shared = true
	return &n
}

// changed logs row at as changed, by a session's write or (by nil) a refresh.
func (r *incidentRows) changed(at int32, by any) {
	r.logChange(rowChange{seq: r.seq, at: at, by: by})
}

// find is where key's row is in this snapshot.
func (r *incidentRows) find(key string) (int32, bool) {
	at, ok := r.index.find(key)
	return at, ok && int(at) < len(r.rows)
}

// The status column fits the vendor's longest ("Closed-Business
// Justified") at 120 columns; the date a close happened is the row's
// updated time, so the last column names only who resolved it. At 80
// columns the resolver, policy, exposure and app hide first.
var incidentCols = cells[incidentRow]{
	{ui.Column{Title: "ID", Width: 6, Priority: 7}, func(r *incidentRow) string { return r.key },
		muted[incidentRow], func(r *incidentRow) string { return fmt.Sprintf("%020s", r.key) }}, // numeric ids sort as numbers
	{ui.Column{Title: "UPDATED", Width: 16, Priority: 6}, func(r *incidentRow) string { return timeCell(r.updated) },
		muted[incidentRow], func(r *incidentRow) string { return sortTime(r.updated) }},
	{ui.Column{Title: "SEVERITY", Width: 8, Priority: 9}, func(r *incidentRow) string { return r.sev },
		func(r *incidentRow) ui.Tone { return levelTone(int(r.level)) }, func(r *incidentRow) string { return fmt.Sprintf("%d", r.level) }},
	{ui.Column{Title: "STATUS", Width: 25, Min: 16, Priority: 8}, func(r *incidentRow) string { return r.status },
		func(r *incidentRow) ui.Tone { return incidentStatusTone(r.state, r.status) }, nil},
	{ui.Column{Title: "APP", Width: 8, Flex: 1, Priority: 5}, func(r *incidentRow) string { return r.app }, nil, nil},
	{ui.Column{Title: "ASSET", Width: 10, Flex: 2, Priority: 7}, func(r *incidentRow) string { return r.assetName }, nil, nil},
	{ui.Column{Title: "EXPOSURE", Width: 8, Priority: 5}, func(r *incidentRow) string { return r.exposure },
		func(r *incidentRow) ui.Tone { return exposureTone(r.exposure) }, nil},
	{ui.Column{Title: "OWNER", Width: 10, Flex: 2, Priority: 6}, func(r *incidentRow) string { return r.owner }, nil, nil},
	{ui.Column{Title: "POLICY", Width: 8, Flex: 2, Priority: 3}, func(r *incidentRow) string { return r.policy }, nil, nil},
	{ui.Column{Title: "RESOLVER", Width: 8, Flex: 1, Priority: 2}, func(r *incidentRow) string { return r.resolver }, muted[incidentRow], nil},
}

var incidentColumns = incidentCols.headers()

func (r *incidentRows) row(inc *saas.Incident) incidentRow {
	sev := saas.ParseSeverity(string(inc.Severity))
	row := incidentRow{
		key:       string(inc.ID),
		updated:   inc.UpdatedAt.Time,
		sev:       r.in.get(sev.Raw),
		level:     uint8(sev.Level),
		status:    r.in.get(string(inc.Status)),
		state:     r.in.get(inc.StateName()),
		category:  r.in.get(string(inc.Category)),
		app:       r.in.get(string(inc.AppName)),
		appType:   r.in.get(string(inc.AppType)),
		assetID:   string(inc.AssetID),
		assetName: string(inc.AssetName),
		exposure:  r.in.get(string(inc.ExposureLevel)),
		owner:     r.in.get(inc.Owner()),
		policy:    r.in.get(inc.Policy()),
		resolver:  r.in.get(string(inc.ResolvedBy)),
	}
	if row.status == "" && row.state != "" {
		row.status = r.in.get(saas.StatusText(row.state, row.category))
	}
	row.index()
	return row
}

// index precomputes the lower-case text the "/" filter searches.
func (row *incidentRow) index() {
	sev := row.sev
	if word := saas.SeverityWords[row.level]; !strings.EqualFold(word, sev) {
		sev += " " + word // "4 high": either finds it
	}
	row.search = strings.ToLower(strings.Join([]string{row.key, sev, row.status, row.category,
		row.app, row.assetName, row.assetID, row.exposure, row.owner, row.policy, row.resolver}, " "))
}

// add folds incidents in: new ones join the display order by updated time;
// known ones are replaced, and move to their new place when their updated
// time changed. With mark set (a refresh), new and changed rows are logged
// for the sessions to mark. It returns how many were new.
func (r *incidentRows) add(incs []saas.Incident, mark bool) (added int) {
	var place []int32         // rows to merge into the display order
	moved := map[int32]bool{} // known rows among them, to take out first
	r.seq++
	for i := range incs {
		row := r.row(&incs[i])
		if row.key == "" {
			continue
		}
		if row.updated.After(r.newest) {
			r.newest = row.updated
		}
		if at, ok := r.find(row.key); ok {
			r.own()
			old := &r.rows[at]
			if mark && (old.status != row.status || old.state != row.state || old.category != row.category) {
				r.changed(at, nil)
			}
			if !row.updated.Equal(old.updated) && !moved[at] {
				moved[at] = true
				place = append(place, at)
			}
			r.counts[old.level]--
			r.counts[row.level]++
			*old = row
			continue
		}
		at := int32(len(r.rows))
		r.rows = append(r.rows, row)
		r.index.put(row.key, at)
		r.counts[row.level]++
		place = append(place, at)
		if mark {
			r.changed(at, nil)
		}
		added++
	}
	if len(place) == 0 {
		return added
	}
	order := r.order
	if len(moved) > 0 {
		order = make([]int32, 0, len(r.order))
		for _, at := range r.order {
			if !moved[at] {
				order = append(order, at)
			}
		}
	}
	// Pages come in updated order, oldest first; sort the newcomers and
	// merge them into the display order rather than sorting everything.
	sortNewestFirst(place, r.rows)
	merged := make([]int32, 0, len(order)+len(place))
	a, b := 0, 0
	for a < len(order) || b < len(place) {
		if b == len(place) || a < len(order) && newer(&r.rows[order[a]], &r.rows[place[b]]) {
			merged = append(merged, order[a])
			a++
		} else {
			merged = append(merged, place[b])
			b++
		}
	}
	r.order = merged
	return added
}

// newer orders rows by updated time, then by incident id (numerically when
// the ids are numbers), newest first.
func newer(x, y *incidentRow) bool {
	if !x.updated.Equal(y.updated) {
		return x.updated.After(y.updated)
	}
	if len(x.key) != len(y.key) {
		return len(x.key) > len(y.key)
	}
	return x.key > y.key
}

func sortNewestFirst(idx []int32, rows []incidentRow) {
	sort.Slice(idx, func(a, b int) bool { return newer(&rows[idx[a]], &rows[idx[b]]) })
}

// slide drops the rows updated before from: a relative window
// ("since:7d") that has moved on with the clock. The rows left move up, so
// the index, the display order and the change log are rebuilt for them.
func (r *incidentRows) slide(from time.Time) {
	to := make([]int32, len(r.rows)) // old position -> new, -1 when dropped
	rows := make([]incidentRow, 0, len(r.rows))
	index := &keyIndex{m: make(map[string]int32, len(r.rows))}
	r.counts = [6]int{}
	for at := range r.rows {
		row := r.rows[at]
		if row.updated.Before(from) {
			to[at] = -1
			continue
		}
		to[at] = int32(len(rows))
		index.m[row.key] = to[at]
		r.counts[row.level]++
		rows = append(rows, row)
	}
	order := make([]int32, 0, len(rows))
	for _, at := range r.order {
		if to[at] >= 0 {
			order = append(order, to[at])
		}
	}
	var changes []rowChange
	for _, c := range r.changes {
		if to[c.at] >= 0 {
			c.at = to[c.at]
			changes = append(changes, c)
		}
	}
	r.rows, r.shared, r.index, r.order, r.changes = rows, false, index, order, changes
	r.from = from
	r.era++
}

// update replaces one row from a freshly read incident; by is the session
// that read it, the others mark it if it changed.
func (r *incidentRows) update(inc *saas.Incident, by any) {
	if at, ok := r.find(string(inc.ID)); ok {
		r.own()
		r.seq++
		old := &r.rows[at]
		row := r.row(inc)
		if old.status != row.status || old.state != row.state || old.category != row.category || old.resolver != row.resolver {
			r.changed(at, by)
		}
		r.counts[old.level]--
		r.counts[row.level]++
		*old = row
	}
}

// applyState puts a close's answer on a row when the incident could not be
// read back whole; by is the session whose write it was.
func (r *incidentRows) applyState(key string, s saas.IncidentState, by any) {
	at, ok := r.find(key)
	if !ok {
		return
	}
	r.own()
	r.seq++
	r.changed(at, by)
	row := &r.rows[at]
	if s.State != "" {
		row.state = r.in.get(strings.ToLower(string(s.State)))
	}
	if s.Category != "" {
		row.category = r.in.get(string(s.Category))
	}
	if row.state == "closed" && row.category != "" {
		row.status = r.in.get(saas.StatusText(row.state, row.category))
	}
	row.resolver = r.in.get(string(s.ResolvedBy))
	if s.ResolutionDate.After(row.updated) {
		row.updated = s.ResolutionDate.Time // the vendor updates an incident when it closes
	}
	row.index()
}

func (r *incidentRows) get(key string) (incidentRow, bool) {
	if at, ok := r.find(key); ok {
		return r.rows[at], true
	}
	return incidentRow{}, false
}

// incidentView is one session's view of a shared snapshot: the snapshot,
// and the rows this session marks as changed (its own writes are not).
// Filter, sort, marks and cursor are the table's, over this source.
type incidentView struct {
	*incidentRows
	fresh map[int32]bool
	seq   uint64 // the snapshot's changes this view has marked
	me    any    // the session's tab: its own writes are not marked
	// publish builds the dataset's next snapshot with change and returns
	// it; nil (a view of its own) builds it here.
	publish func(change func(*incidentRows)) *incidentRows
}

func newIncidentView() *incidentView { return &incidentView{incidentRows: newIncidentRows()} }

// start shows snapshot s to a session opening the query: what changed
// before it looked is not marked.
func (v *incidentView) start(s *incidentRows) { v.incidentRows, v.seq, v.fresh = s, s.seq, nil }

// apply changes the shared rows for every session and shows the result.
func (v *incidentView) apply(change func(*incidentRows)) {
	if v.publish != nil {
		v.show(v.publish(change))
		return
	}
	n := v.incidentRows.next()
	change(n)
	v.show(n)
}

// add folds incidents into the rows (the benchmarks' and tests' own
// loads; a session's load goes through the dataset).
func (v *incidentView) add(incs []saas.Incident, mark bool) (added int) {
	v.apply(func(n *incidentRows) { added = n.add(incs, mark) })
	return added
}

// show moves the view to snapshot s, marking the rows changed since.
func (v *incidentView) show(s *incidentRows) (added int) {
	if s == v.incidentRows {
		return 0
	}
	if s.era != v.era && v.fresh != nil {
		// The rows moved in a slide: carry the marks over by incident id.
		fresh := map[int32]bool{}
		for at := range v.fresh {
			if int(at) < len(v.rows) {
				if moved, ok := s.find(v.rows[at].key); ok {
					fresh[moved] = true
				}
			}
		}
		v.fresh = fresh
	}
	for _, c := range s.changes {
		if c.seq <= v.seq || c.by == v.me && v.me != nil {
			continue
		}
		if v.fresh == nil {
			v.fresh = map[int32]bool{}
		}
		if v.isNew(s, c.at) {
			added++
		}
		v.fresh[c.at] = true
	}
	v.incidentRows, v.seq = s, s.seq
	return added
}

// isNew says whether s's row at was not in the view's snapshot: past its
// end, or, after a slide moved the rows, not found by its incident id.
func (v *incidentView) isNew(s *incidentRows, at int32) bool {
	if s.era == v.era {
		return int(at) >= len(v.incidentRows.rows)
	}
	_, known := v.incidentRows.find(s.rows[at].key)
	return !known
}

func (v *incidentView) seen(key string) {
	if at, ok := v.find(key); ok {
		delete(v.fresh, at)
	}
}

// update puts an incident read whole on its row, for every session.
func (v *incidentView) update(inc *saas.Incident) {
	v.apply(func(n *incidentRows) { n.update(inc, v.me) })
}

// applyState puts a close's answer on its row, for every session.
func (v *incidentView) applyState(key string, s saas.IncidentState) {
	v.apply(func(n *incidentRows) { n.applyState(key, s, v.me) })
}

func (v *incidentView) at(i int) *incidentRow { return &v.rows[v.order[i]] }

// Len implements ui.Source.
func (v *incidentView) Len() int { return len(v.order) }

// Key implements ui.Source.
func (v *incidentView) Key(i int) string { return v.at(i).key }

// Search implements ui.Source.
func (v *incidentView) Search(i int) string { return v.at(i).search }

// Fresh implements ui.Source.
func (v *incidentView) Fresh(i int) bool { return v.fresh != nil && v.fresh[v.order[i]] }

// Cell implements ui.Source.
func (v *incidentView) Cell(i, col int) string { return incidentCols.cell(v.at(i), col) }

// Tone implements ui.Source.
func (v *incidentView) Tone(i, col int) ui.Tone { return incidentCols.tone(v.at(i), col) }

// SortKey implements ui.SortKeyer.
func (v *incidentView) SortKey(i, col int) string { return incidentCols.sortKey(v.at(i), col) }

// levelTones colour the severity levels, 0 unknown .. 5 critical.
var levelTones = [6]ui.Tone{ui.ToneNone, ui.ToneLow, ui.ToneLow, ui.ToneMedium, ui.ToneHigh, ui.ToneCritical}

func levelTone(level int) ui.Tone {
	if level < 0 || level >= len(levelTones) {
		return ui.ToneNone
	}
	return levelTones[level]
}

// exposureTone marks what is shared publicly.
func exposureTone(level string) ui.Tone {
	if level == "public" {
		return ui.ToneBad
	}
	return ui.ToneNone
}

// incidentStatusTone: new work stands out, closed work recedes.
func incidentStatusTone(state, status string) ui.Tone {
	switch {
	case state == "closed":
		return ui.ToneMuted
	case strings.EqualFold(status, "Open-New"):
		return ui.ToneAccent
	}
	return ui.ToneNone
}

// severityGlyphs draw each level's share of the bar, legible without colour.
var severityGlyphs = []string{"·", "░", "▒", "▓", "█", "█"}

// severityBar is the count-by-severity line over the table: a stacked bar
// of the loaded incidents by level, then the counts, most severe first.
func severityBar(st *ui.Styles, counts [6]int, width int) string {
	total := 0
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		return st.Muted.Render("no incidents loaded")
	}
	barWidth := min(max(width/5, 10), 30)
	last := 0 // the least severe level present takes what rounding leaves
	for last < 5 && counts[last] == 0 {
		last++
	}
	var bar, legend strings.Builder
	used := 0
	for level := 5; level >= 0; level-- {
		n := counts[level]
		if n == 0 {
			continue
		}
		cells := min(max(n*barWidth/total, 1), barWidth-used)
		if level == last {
			cells = barWidth - used
		}
		used += cells
		bar.WriteString(st.Tone(levelTone(level), strings.Repeat(severityGlyphs[level], cells)))
		if legend.Len() > 0 {
			legend.WriteString("  ")
		}
		name := saas.SeverityWords[level]
		if level == 0 {
			name = "other"
		}
		legend.WriteString(st.Tone(levelTone(level), name) + " " + count(n))
	}
	return bar.String() + "  " + legend.String()
}
