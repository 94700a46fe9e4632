package okta

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"triage/backend/clean"
)

// LogsPath is the System Log endpoint, also the name of its rate-limit
// bucket for Budget.
const LogsPath = "/api/v1/logs"

// MaxLogPage is the most events Okta returns per System Log page.
const MaxLogPage = 1000

// LogQuery selects System Log events. Zero values leave Okta's defaults:
// since seven days before until, until now, oldest first.
type LogQuery struct {
	Filter     string // SCIM filter, e.g. eventType eq "user.session.start"
	Keywords   string // q: up to 10 space-separated keywords
	Since      time.Time
	Until      time.Time
	Descending bool // sortOrder=DESCENDING: newest first
	Limit      int  // events per page, 1..1000 (default 1000)
}

// Values are the query's parameters.
func (q LogQuery) Values() url.Values {
	v := url.Values{}
	if q.Filter != "" {
		v.Set("filter", q.Filter)
	}
	if q.Keywords != "" {
		v.Set("q", q.Keywords)
	}
	if !q.Since.IsZero() {
		v.Set("since", logTime(q.Since))
	}
	if !q.Until.IsZero() {
		v.Set("until", logTime(q.Until))
	}
	if q.Descending {
		v.Set("sortOrder", "DESCENDING")
	} else {
		v.Set("sortOrder", "ASCENDING")
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxLogPage {
		limit = MaxLogPage
	}
	v.Set("limit", strconv.Itoa(limit))
	return v
}

// logTime is the ISO 8601 form Okta takes, in UTC with milliseconds.
func logTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// LogPage is one page of events.
type LogPage struct {
	Events []LogEvent
	// Next is the Link rel="next" URL, verbatim. Without until, Okta always
	// sends one: on the last page it is where later events will appear, the
	// cursor to poll when tailing.
	Next string
	// More is false when the load is complete: an empty page, or no next
	// link.
	More bool
}

// Logs gets one page of events matching q, or, with next, the page at that
// link. Read until More is false.
func (c *Client) Logs(ctx context.Context, q LogQuery, next string) (LogPage, error) {
	p, err := list[LogEvent](ctx, c, LogsPath, q.Values(), next)
	if err != nil {
		return LogPage{}, err
	}
	return LogPage{Events: p.Items, Next: p.Next, More: len(p.Items) > 0 && p.Next != ""}, nil
}

// DecodeEvent decodes one event's JSON as Logs does (cleaned for the
// terminal, raw kept), for an event whose raw JSON was set aside.
func DecodeEvent(raw []byte) (LogEvent, error) {
	var e LogEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return LogEvent{}, err
	}
	clean.Value(&e)
	e.Raw = append(json.RawMessage(nil), raw...)
	return e, nil
}
