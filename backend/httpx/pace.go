package httpx

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Pacer holds a tenant's requests to its share of the vendor's rate limits.
// There is one per tenant client, and the client is shared by every session
// of the process, so the share is server-wide.
//
// With rate-limit headers (X-Rate-Limit-Limit, -Remaining, -Reset, as Okta
// sends on every answer: demisto/content OktaApiModule.py
// get_rate_limit_context reads the same three; okta-sdk-golang v5
// okta/client.go Get429BackoffTime translates Reset through Date) it keeps
// per endpoint bucket a reserve of (1 - share) of the limit for the org's
// other consumers of the API, such as the SIEM's log collector: a request
// waits for the reset rather than spend the reserve.
// Without headers, an optional requests-per-minute ceiling applies.
type Pacer struct {
	mu        sync.Mutex
	headers   bool // the vendor announces its buckets
	share     float64
	perMinute int
	sent      []time.Time // send times of the last minute, oldest first (perMinute)
	buckets   map[string]*Bucket
	holds     map[string]*hold // requests waiting, by bucket
	changed   chan struct{}    // closed when a bucket learns something, waking waiters
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) bool // Options.Wait, for tests
}

// hold is the requests of one bucket waiting for the budget.
type hold struct {
	n     int
	until time.Time
}

// Bucket is the last known state of one rate-limit bucket.
type Bucket struct {
	Limit     int
	Remaining int       // as Okta last said, less what was sent since
	Reset     time.Time // on our clock

	resetRaw int64 // X-Rate-Limit-Reset as sent: names the window
	probing  bool  // one request is out to learn the bucket's window
}

// DefaultRateShare is the fraction of each bucket triage uses when the
// tenant does not say (config rate_share).
const DefaultRateShare = 0.5

// NewPacer returns an empty pacer. With headers it follows the vendor's
// buckets and uses share (0 < share <= 1) of each; perMinute > 0 is a
// ceiling of requests a minute, for vendors that announce nothing.
func NewPacer(headers bool, share float64, perMinute int) *Pacer {
	if share <= 0 || share > 1 {
		share = DefaultRateShare
	}
	return &Pacer{headers: headers, share: share, perMinute: max(perMinute, 0), buckets: map[string]*Bucket{},
		holds: map[string]*hold{}, changed: make(chan struct{}), now: time.Now}
}

// bucketKey groups paths the way vendors bucket them: by the resource
// collection, ignoring ids ("/api/v1/users/00u1/groups" -> "/api/v1/users").
func bucketKey(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return "/" + strings.Join(parts, "/")
}

// reserve is what triage leaves of a bucket of limit requests: the others'
// share, and never less than the last request.
func (p *Pacer) reserve(limit int) int {
	return max(1, limit-int(math.Floor(p.share*float64(limit))))
}

// Observe records the headers of an answer. Answers of one window (the same
// X-Rate-Limit-Reset) only ever lower what is left, since answers to
// concurrent requests arrive in any order; a later reset starts a window.
func (p *Pacer) Observe(path string, h http.Header, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[bucketKey(path)]
	if b != nil && b.probing {
		b.probing = false
		p.wake()
	}
	rem, err1 := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset := smallestReset(h)
	if err1 != nil || reset == 0 {
		return
	}
	limit, _ := strconv.Atoi(h.Get("X-Rate-Limit-Limit"))
	// Translate the server's clock to ours through its Date header. Date
	// is truncated to the second, so the reset lands late, never early.
	resetAt := time.Unix(reset, 0)
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		resetAt = now.Add(resetAt.Sub(d))
	}
	switch {
	case b == nil:
		p.buckets[bucketKey(path)] = &Bucket{Limit: limit, Remaining: rem, Reset: resetAt, resetRaw: reset}
	case reset > b.resetRaw:
		b.Limit, b.Remaining, b.Reset, b.resetRaw = limit, rem, resetAt, reset
	case reset == b.resetRaw:
		b.Limit, b.Remaining = limit, min(b.Remaining, rem)
	}
	p.wake()
}

// Done ends a request that got no answer, so a probe of its bucket does
// not hold the others.
func (p *Pacer) Done(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.buckets[bucketKey(path)]; b != nil && b.probing {
		b.probing = false
		p.wake()
	}
}

func (p *Pacer) wake() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Budget returns what is left of the bucket serving path.
func (p *Pacer) Budget(path string) (Bucket, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.buckets[bucketKey(path)]
	if !ok || b.resetRaw == 0 {
		return Bucket{}, false // not heard of yet
	}
	return *b, true
}

// Waiting is when the requests held for path's bucket (or the per-minute
// ceiling) may go; false when none waits.
func (p *Pacer) Waiting(path string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.holds[bucketKey(path)]
	if !ok {
		return time.Time{}, false
	}
	return h.until, true
}

// Held is when the last request held by the pacer, on any bucket or the
// per-minute ceiling, may go; false when none waits.
func (p *Pacer) Held() (time.Time, bool) {
	if p == nil {
		return time.Time{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var until time.Time
	for _, h := range p.holds {
		if h.until.After(until) {
			until = h.until
		}
	}
	return until, !until.IsZero()
}

// Wait holds a request until the tenant's share of its bucket, and the
// per-minute ceiling, allow it. A bucket not yet seen, or past its reset,
// lets one request out to learn it while the others wait for its answer.
func (p *Pacer) Wait(ctx context.Context, path string) error {
	key := bucketKey(path)
	var h *hold
	defer func() {
		if h != nil {
			p.mu.Lock()
			if h.n--; h.n == 0 {
				delete(p.holds, key)
			}
			p.mu.Unlock()
		}
	}()
	for {
		p.mu.Lock()
		now := p.now()
		var d time.Duration
		probe := false
		if p.headers {
			d, probe = p.delay(key, now)
		}
		if d == 0 && p.perMinute > 0 {
			d = p.ceiling(now)
		}
		if d == 0 || h != nil && p.sleep != nil {
			p.spend(key, now, probe)
			p.mu.Unlock()
			return nil
		}
		if h == nil {
			if h = p.holds[key]; h == nil {
				h = &hold{}
				p.holds[key] = h
			}
			h.n++
		}
		if until := now.Add(d); until.After(h.until) || h.n == 1 {
			h.until = until
		}
		changed := p.changed
		p.mu.Unlock()
		if p.sleep != nil {
			// Tests replace the timer; the wait they were asked for is
			// the whole wait.
			if !p.sleep(ctx, d) {
				return ctx.Err()
			}
			continue
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// spend counts a request that goes now. Callers hold p.mu.
func (p *Pacer) spend(key string, now time.Time, probe bool) {
	if b := p.buckets[key]; b != nil {
		switch {
		case probe:
			b.probing = true
		case now.Before(b.Reset):
			b.Remaining--
		}
	}
	if p.perMinute > 0 {
		p.sent = append(p.sent, now)
	}
}

// probeWait is how long a request waits for a probe's answer before it
// looks again.
const probeWait = time.Second

// delay is how long a request to bucket key must wait (0: it may go now,
// as a probe when probe is true). Callers hold p.mu.
func (p *Pacer) delay(key string, now time.Time) (d time.Duration, probe bool) {
	b := p.buckets[key]
	if b == nil {
		b = &Bucket{}
		p.buckets[key] = b
	}
	if b.resetRaw == 0 || !now.Before(b.Reset) {
		// Unknown, or a new window: one request learns it.
		if b.probing {
			return probeWait, false
		}
		return 0, true
	}
	if b.Remaining <= p.reserve(b.Limit) {
		return b.Reset.Sub(now) + 100*time.Millisecond, false
	}
	return 0, false
}

// ceiling is how long the per-minute ceiling holds a request. Callers hold
// p.mu.
func (p *Pacer) ceiling(now time.Time) time.Duration {
	cut := 0
	for cut < len(p.sent) && !p.sent[cut].After(now.Add(-time.Minute)) {
		cut++
	}
	p.sent = p.sent[cut:]
	if len(p.sent) < p.perMinute {
		return 0
	}
	return p.sent[0].Add(time.Minute).Sub(now)
}
