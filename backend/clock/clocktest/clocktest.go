// Package clocktest holds the instants every time-sensitive test runs at:
// the edges of the calendar where date arithmetic goes wrong.
package clocktest

import (
	"time"
	_ "time/tzdata" // New York on a machine without a zone database
)

// Edge is one pinned instant, in the zone of the analyst living it.
type Edge struct {
	Name string
	At   time.Time
}

// NewYork is America/New_York, where US daylight saving time ends on the
// first Sunday of November.
func NewYork() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic("clocktest: the time zone database has no America/New_York: " + err.Error())
	}
	return loc
}

// Edges are the instants: the first seconds of a week, its last second, a
// leap day, the hour New York lives twice, and the last second of a year.
func Edges() []Edge {
	return []Edge{
		{"Monday 00:00:30 UTC", time.Date(2026, 11, 30, 0, 0, 30, 0, time.UTC)},
		{"Sunday 23:59:59 UTC", time.Date(2026, 11, 29, 23, 59, 59, 0, time.UTC)},
		{"29 February", time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC)},
		// 01:30 for the second time: 06:30 UTC, half an hour after the
		// clocks went back from 02:00 EDT to 01:00 EST.
		{"the day daylight saving time ends in New York", time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC).In(NewYork())},
		{"31 December 23:59:59 UTC", time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
}
