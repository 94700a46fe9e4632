package views

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"triage/backend/httpx"
	"triage/backend/okta"
	"triage/ui"
)

// --- System Log events --------------------------------------------------------

const (
	evColPublished = iota
	evColSeverity
	evColType
	evColActor
	evColOutcome
	evColClient
	evColTargets
	evColMessage
)

// eventColumns: at 80 columns the targets and the message hide first.
var eventColumns = []ui.Column{
	{Title: "PUBLISHED", Width: 14, Priority: 8},
	{Title: "SEV", Width: 5, Priority: 5},
	{Title: "EVENT TYPE", Width: 22, Flex: 2, Min: 16, Priority: 8},
	{Title: "ACTOR", Width: 22, Flex: 2, Min: 14, Priority: 7},
	{Title: "OUTCOME", Width: 12, Flex: 1, Min: 10, Priority: 7},
	{Title: "CLIENT", Width: 14, Flex: 1, Min: 10, Priority: 4},
	{Title: "TARGETS", Width: 8, Flex: 1, Priority: 2},
	{Title: "MESSAGE", Width: 8, Flex: 2, Priority: 3},
}

// eventRow is the compact list form of a System Log event. The whole event
// stays, compressed, in its page (eventSet.packed); it is decoded again when
// opened.
type eventRow struct {
	uuid      string
	published time.Time
	severity  string
	eventType string
	actor     string
	outcome   string // result, and the reason when there is one
	client    string // IP, city and country
	targets   string
	message   string
	search    string
	page      int32 // which raw page holds the event
	index     int32 // its place in that page
	failed    bool
}

// newEventRow builds the row of e; in shares the strings that repeat.
func newEventRow(e *okta.LogEvent, in interner) eventRow {
	client := strings.TrimSpace(string(e.Client.IPAddress) + " " + e.Client.GeographicalContext.Place())
	var targets []string
	for _, t := range e.Target {
		targets = append(targets, t.Label())
	}
	r := eventRow{
		uuid:      string(e.UUID),
		published: e.Published.Time,
		severity:  in.get(string(e.Severity)),
		eventType: in.get(string(e.EventType)),
		actor:     in.get(e.Actor.Label()),
		outcome:   in.get(outcomeText(e.Outcome)),
		client:    in.get(client),
		targets:   in.get(strings.Join(targets, ", ")),
		message:   in.get(string(e.DisplayMessage)),
		failed:    e.Outcome.Failed(),
	}
	r.search = strings.ToLower(strings.Join([]string{r.uuid, r.severity, r.eventType, r.actor, r.outcome, r.client, r.targets, r.message}, " "))
	return r
}

// eventSet is one snapshot of a System Log query's events, shared by every
// session on the query (dataset.Key{Kind: "okta-log"}); published snapshots
// are never changed: a page is appended past the end earlier snapshots
// see, and a slide cuts into clipped arrays. A session reads it through an
// eventView.
type eventSet struct {
	loaded      []eventRow // the query's pages in the order they came
	tailed      []eventRow // events read since by polling, oldest first
	dropped     int        // tailed events a slide removed, so views count what arrived
	packed      [][]byte   // each page's events as Okta sent them, compressed
	packedBytes int64
	newestFirst bool
	epoch       int // a new load or a slide: views count their histogram again

	pages  int       // query pages read
	link   string    // the last next link: where the load stopped
	ended  string    // how the load ended: complete, stopped, capped, failed; "" while it runs
	poll   string    // the polling cursor Okta gave the last poll
	since  time.Time // the window's start the events were read for
	polled time.Time // when new events were last asked for
	budget httpx.Bucket
	known  bool    // budget holds what Okta last said
	run    *logRun // the load running or last run; nil before any
}

// logRun is one load of a query. Every session showing it follows it, and
// esc leaves it: the load stops only when its last follower leaves (esc,
// another query, the session's end), so one analyst's esc does not cut a
// colleague's load short, and no load spends Okta's budget for nobody.
type logRun struct {
	stop func() // cancels the load and marks it stopped

	mu        sync.Mutex
	followers int
	stopped   bool // its last follower left
}

// follow counts a session as following the run until leave is called or
// ctx, the session's, ends; false when the run was already stopped.
func (r *logRun) follow(ctx context.Context) (leave func(), ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil, false
	}
	r.followers++
	var once sync.Once
	left := func() {
		once.Do(func() {
			r.mu.Lock()
			r.followers--
			last := r.followers == 0 && !r.stopped
			r.stopped = r.stopped || last
			r.mu.Unlock()
			if last {
				r.stop()
			}
		})
	}
	unwatch := context.AfterFunc(ctx, left)
	return func() { unwatch(); left() }, true
}

func newEventSet() *eventSet { return &eventSet{} }

// eventRowBytes is what a loaded row holds besides its compressed JSON
// (BenchmarkOktaEventsMemory), for the memory budget.
const eventRowBytes = 475

// Bytes implements dataset.Snapshot.
func (r *eventSet) Bytes() int64 {
	return int64(len(r.loaded)+len(r.tailed))*eventRowBytes + r.packedBytes
}

// next is a copy to build the next snapshot on; r stays as it is.
func (r *eventSet) next() *eventSet {
	n := *r
	return &n
}

// Len is how many events it holds.
func (r *eventSet) Len() int { return len(r.loaded) + len(r.tailed) }

// loading says a load is running.
func (r *eventSet) loading() bool { return r.run != nil && r.ended == "" }

// add files a page's rows, from the query's pages or from polling.
func (r *eventSet) add(rows []eventRow, packed []byte, tailed bool) {
	page := int32(len(r.packed))
	r.packed = append(r.packed, packed)
	r.packedBytes += int64(len(packed))
	for i := range rows {
		rows[i].page = page
	}
	if tailed {
		r.tailed = append(r.tailed, rows...)
	} else {
		r.loaded = append(r.loaded, rows...)
	}
}

func (r *eventSet) at(i int) *eventRow {
	if r.newestFirst {
		if i < len(r.tailed) {
			return &r.tailed[len(r.tailed)-1-i]
		}
		return &r.loaded[i-len(r.tailed)]
	}
	if i < len(r.loaded) {
		return &r.loaded[i]
	}
	return &r.tailed[i-len(r.loaded)]
}

// tailIndex is row i's place among every event polling added (counting
// those a slide dropped); false for a row of the query's pages.
func (r *eventSet) tailIndex(i int) (int, bool) {
	switch {
	case r.newestFirst && i < len(r.tailed):
		return r.dropped + len(r.tailed) - 1 - i, true
	case !r.newestFirst && i >= len(r.loaded):
		return r.dropped + i - len(r.loaded), true
	}
	return 0, false
}

// newest is the latest event loaded, zero when none: the last one tailed,
// else the newest end of the query's pages.
func (r *eventSet) newest() time.Time {
	switch {
	case len(r.tailed) > 0:
		return r.tailed[len(r.tailed)-1].published
	case len(r.loaded) == 0:
		return time.Time{}
	case r.newestFirst:
		return r.loaded[0].published
	}
	return r.loaded[len(r.loaded)-1].published
}

// edge are the uuids of the events published at the newest time held: a
// poll from that time gets them again.
func (r *eventSet) edge() map[string]bool {
	newest := r.newest()
	edge := map[string]bool{}
	for i := range r.Len() {
		at := i
		if !r.newestFirst {
			at = r.Len() - 1 - i
		}
		row := r.at(at)
		if !row.published.Equal(newest) {
			break
		}
		edge[row.uuid] = true
	}
	return edge
}

// slide moves the window's start forward to since: the events published
// before it go.
func (r *eventSet) slide(since time.Time) {
	keep := func(row *eventRow) bool { return !row.published.Before(since) }
	if r.newestFirst {
		cut := len(r.loaded)
		for cut > 0 && !keep(&r.loaded[cut-1]) {
			cut--
		}
		r.loaded = slices.Clip(r.loaded[:cut])
	} else {
		cut := 0
		for cut < len(r.loaded) && !keep(&r.loaded[cut]) {
			cut++
		}
		r.loaded = slices.Clip(r.loaded[cut:])
	}
	cut := 0
	for cut < len(r.tailed) && !keep(&r.tailed[cut]) {
		cut++
	}
	r.tailed, r.dropped = slices.Clip(r.tailed[cut:]), r.dropped+cut
	r.since = since
	r.epoch++
	r.freePages()
}

// freePages lets go of the raw pages no row is in any more, so a query
// tailed for days does not keep every page it ever read. Pages keep their
// numbers; earlier snapshots keep their own list.
func (r *eventSet) freePages() {
	used := make([]bool, len(r.packed))
	for i := range r.loaded {
		used[r.loaded[i].page] = true
	}
	for i := range r.tailed {
		used[r.tailed[i].page] = true
	}
	packed := slices.Clone(r.packed)
	for i := range packed {
		if !used[i] && packed[i] != nil {
			r.packedBytes -= int64(len(packed[i]))
			packed[i] = nil
		}
	}
	r.packed = packed
}

// eventView is one session's view of a shared snapshot: the snapshot, and
// which of the events polling added it marks new.
type eventView struct {
	*eventSet
	base int             // events polling had added when this session looked: not marked
	seen map[string]bool // new events this session opened
}

// newEventView shows snapshot s to a session opening the query: what
// arrived before it looked is not marked.
func newEventView(s *eventSet) *eventView {
	return &eventView{eventSet: s, base: s.dropped + len(s.tailed)}
}

// arrived is how many events polling added since this session looked.
func (v *eventView) arrived() int { return max(v.dropped+len(v.tailed)-v.base, 0) }

// eventView is a ui.Source.
func (v *eventView) Key(i int) string { return v.at(i).uuid }

func (v *eventView) Search(i int) string { return v.at(i).search }

func (v *eventView) Fresh(i int) bool {
	at, tailed := v.tailIndex(i)
	return tailed && at >= v.base && !v.seen[v.at(i).uuid]
}

func (v *eventView) Cell(i, col int) string { return eventCells[col](v.at(i)) }

// eventCells are the log table's cells, column by column.
var eventCells = [...]func(*eventRow) string{
	evColPublished: func(r *eventRow) string {
		if r.published.IsZero() {
			return ""
		}
		return r.published.Local().Format("01-02 15:04:05")
	},
	evColSeverity: func(r *eventRow) string { return r.severity },
	evColType:     func(r *eventRow) string { return r.eventType },
	evColActor:    func(r *eventRow) string { return r.actor },
	evColOutcome:  func(r *eventRow) string { return r.outcome },
	evColClient:   func(r *eventRow) string { return r.client },
	evColTargets:  func(r *eventRow) string { return r.targets },
	evColMessage:  func(r *eventRow) string { return r.message },
}

func (v *eventView) Tone(i, col int) ui.Tone {
	row := v.at(i)
	switch col {
	case evColPublished:
		return ui.ToneMuted
	case evColSeverity:
		return logSeverityTones[row.severity]
	case evColOutcome:
		return outcomeTone(row.outcome)
	}
	return ui.ToneNone
}

// The System Log's severities and outcome results that stand out.
var (
	logSeverityTones = map[string]ui.Tone{"ERROR": ui.ToneCritical, "WARN": ui.ToneHigh, "DEBUG": ui.ToneMuted}
	outcomeTones     = map[string]ui.Tone{"FAILURE": ui.ToneBad, "DENY": ui.ToneBad, "CHALLENGE": ui.ToneMedium, "RATE_LIMIT": ui.ToneMedium}
)

// outcomeText is the result, and the reason when there is one.
func outcomeText(o okta.Outcome) string {
	if o.Reason != "" {
		return string(o.Result) + ": " + string(o.Reason)
	}
	return string(o.Result)
}

func outcomeTone(outcome string) ui.Tone {
	result, _, _ := strings.Cut(outcome, ":")
	return outcomeTones[result]
}

// rowsOf turns a page into rows and one compressed block of the events'
// JSON, where each row's index finds its event again.
func rowsOf(events []okta.LogEvent) ([]eventRow, []byte) {
	in := interner{}
	rows := make([]eventRow, len(events))
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	var n [binary.MaxVarintLen64]byte
	for i := range events {
		rows[i] = newEventRow(&events[i], in)
		rows[i].index = int32(i)
		zw.Write(n[:binary.PutUvarint(n[:], uint64(len(events[i].Raw)))])
		zw.Write(events[i].Raw)
	}
	zw.Close()
	return rows, bytes.Clone(buf.Bytes())
}

// unpack finds event i of a compressed page.
func unpack(block []byte, i int32) (okta.LogEvent, error) {
	data, err := io.ReadAll(flate.NewReader(bytes.NewReader(block)))
	if err != nil {
		return okta.LogEvent{}, err
	}
	for at := int32(0); len(data) > 0; at++ {
		size, n := binary.Uvarint(data)
		if n <= 0 || uint64(len(data)-n) < size {
			break
		}
		if at == i {
			return okta.DecodeEvent(data[n : n+int(size)])
		}
		data = data[n+int(size):]
	}
	return okta.LogEvent{}, errors.New("the event is not in its page")
}
