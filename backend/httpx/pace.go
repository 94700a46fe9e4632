package httpx

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Pacer follows a vendor's rate-limit headers (X-Rate-Limit-Limit,
// -Remaining, -Reset, as Okta sends on every response) per endpoint bucket,
// and slows requests down before a bucket runs dry instead of hitting 429.
type Pacer struct {
	mu      sync.Mutex
	buckets map[string]*Bucket
	sleep   func(ctx context.Context, d time.Duration) bool // Options.Wait, for tests
}

// Bucket is the last known state of one rate-limit bucket.
type Bucket struct {
	Limit     int
	Remaining int
	Reset     time.Time
}

// NewPacer returns an empty pacer.
func NewPacer() *Pacer { return &Pacer{buckets: map[string]*Bucket{}} }

// bucketKey groups paths the way vendors bucket them: by the resource
// collection, ignoring ids ("/api/v1/users/00u1/groups" -> "/api/v1/users").
func bucketKey(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return "/" + strings.Join(parts, "/")
}

// Observe records the headers of a response.
func (p *Pacer) Observe(path string, h http.Header, now time.Time) {
	rem, err1 := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset := smallestReset(h)
	if err1 != nil || reset == 0 {
		return
	}
	limit, _ := strconv.Atoi(h.Get("X-Rate-Limit-Limit"))
	// Translate the server's clock to ours through its Date header.
	resetAt := time.Unix(reset, 0)
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		resetAt = now.Add(resetAt.Sub(d))
	}
	p.mu.Lock()
	p.buckets[bucketKey(path)] = &Bucket{Limit: limit, Remaining: rem, Reset: resetAt}
	p.mu.Unlock()
}

// Budget returns what is left of the bucket serving path.
func (p *Pacer) Budget(path string) (Bucket, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.buckets[bucketKey(path)]
	if !ok {
		return Bucket{}, false
	}
	return *b, true
}

// Wait delays a request when its bucket is nearly empty: with one call left
// it waits for the reset, and below a tenth of the limit it spreads the
// remaining calls over the time to the reset.
func (p *Pacer) Wait(ctx context.Context, path string) error {
	d := p.delay(path, time.Now())
	if d <= 0 {
		return nil
	}
	if p.sleep != nil {
		if !p.sleep(ctx, d) {
			return ctx.Err()
		}
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (p *Pacer) delay(path string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.buckets[bucketKey(path)]
	if !ok || !now.Before(b.Reset) {
		return 0
	}
	left := b.Reset.Sub(now)
	switch {
	case b.Remaining <= 1:
		// Assume the bucket refills at the reset; reserve it for us.
		b.Remaining = b.Limit
		return left + 100*time.Millisecond
	case b.Limit > 0 && b.Remaining*10 < b.Limit:
		b.Remaining--
		return left / time.Duration(b.Remaining+1)
	}
	b.Remaining--
	return 0
}
