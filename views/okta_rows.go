package views

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"time"

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
// stays, compressed, in its page (see rawPages); it is decoded again when
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
	fresh     bool
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

// eventRows is the log table's source: the query's pages in the order they
// came, and what tailing added since, shown at the newest end (the top when
// the query is newest first).
type eventRows struct {
	loaded      []eventRow
	tailed      []eventRow // oldest first
	newestFirst bool
}

// eventRows is a ui.Source.
func (r *eventRows) Len() int { return len(r.loaded) + len(r.tailed) }

func (r *eventRows) at(i int) *eventRow {
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

// newest is the latest event loaded, zero when none: the last one tailed,
// else the newest end of the query's pages.
func (r *eventRows) newest() time.Time {
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

func (r *eventRows) Key(i int) string { return r.at(i).uuid }

func (r *eventRows) Search(i int) string { return r.at(i).search }

func (r *eventRows) Fresh(i int) bool { return r.at(i).fresh }

func (r *eventRows) Cell(i, col int) string { return eventCells[col](r.at(i)) }

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

func (r *eventRows) Tone(i, col int) ui.Tone {
	row := r.at(i)
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
