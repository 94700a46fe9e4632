// Package clock is the one source of the present for everything that
// computes a "since": the simulators' data, the console's query windows and
// the command line's --since. The demo and production read the wall clock;
// tests pin an instant, so a test means the same on any date.
package clock

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"triage/backend/config"
	"triage/backend/lenient"
)

// Clock says what time it is.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// Or returns c, or the wall clock when c is nil.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

// Pinned stands still at an instant until it is moved: the clock of tests.
type Pinned struct {
	mu sync.Mutex
	t  time.Time
}

// Pin returns a clock standing at t.
func Pin(t time.Time) *Pinned { return &Pinned{t: t} }

// Now is the pinned instant.
func (p *Pinned) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.t
}

// Advance moves the clock forward by d, as if d had passed.
func (p *Pinned) Advance(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.t = p.t.Add(d)
}

// ParseWhen reads the times analysts type: a relative one ("24h", "-24h",
// "7d": that long before now) or an absolute one ("2026-11-01", RFC 3339).
// A date or time without a zone is read in now's zone, the analyst's, so
// "2026-11-01" is their midnight.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	if d, err := config.ParseDuration(strings.TrimPrefix(s, "-")); err == nil {
		return now.Add(-d), nil
	}
	if t, ok := lenient.ParseTimeIn(s, now.Location()); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use 24h, 7d, 2026-11-01 or 2026-11-01T10:00:00Z", s)
}
