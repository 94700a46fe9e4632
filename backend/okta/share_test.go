package okta_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"triage/backend/clock"
	"triage/backend/httpx"
	"triage/backend/okta"
	"triage/backend/sim"
)

// shareRun is what a run of sessions loading the System Log beside a SIEM
// collector saw.
type shareRun struct {
	sessions, pages       int
	triageReqs, triage429 int64
	collectorReqs         int64
	collector429          int64
	elapsed               time.Duration
}

// countStatus counts the answers triage's client gets, and its 429s.
type countStatus struct {
	rt            http.RoundTripper
	reqs, limited atomic.Int64
}

func (c *countStatus) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := c.rt.RoundTrip(r)
	if err == nil {
		c.reqs.Add(1)
		if res.StatusCode == http.StatusTooManyRequests {
			c.limited.Add(1)
		}
	}
	return res, err
}

// runShare has sessions analysts load seven days of System Log through one
// tenant client (the process shares it, as backend.Set does) with
// rate_share = share, while a collector polls the same bucket every poll
// with its own token. The bucket allows limit requests per window.
func runShare(tb testing.TB, sessions int, share float64, limit int, window, poll time.Duration) shareRun {
	tb.Helper()
	s, err := sim.Start(sim.Options{Clock: clock.Pin(simNow), Rows: 2000})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	s.Okta.SetRateWindow(window)
	s.Okta.SetRateLimit(okta.LogsPath, limit)
	tenant := s.Config().Okta[0]
	tenant.RateShare = &share
	counter := &countStatus{rt: http.DefaultTransport}
	c, err := okta.New(tenant, httpx.Options{Transport: counter})
	if err != nil {
		tb.Fatal(err)
	}

	run := shareRun{sessions: sessions}
	collector := s.Okta.StartCollector(simNow.Add(-time.Hour), poll)

	start := time.Now()
	var wg sync.WaitGroup
	var pages atomic.Int64
	errs := make(chan error, sessions)
	q := okta.LogQuery{Since: simNow.Add(-7 * 24 * time.Hour), Until: simNow}
	for range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := ""
			for {
				p, err := c.Logs(ctx(), q, next)
				if err != nil {
					errs <- err
					return
				}
				pages.Add(1)
				if !p.More {
					return
				}
				next = p.Next
			}
		}()
	}
	wg.Wait()
	run.elapsed = time.Since(start)
	run.collectorReqs, run.collector429 = collector.Stop()
	close(errs)
	for err := range errs {
		tb.Fatalf("a session's load failed: %v", err)
	}
	run.pages = int(pages.Load())
	run.triageReqs, run.triage429 = counter.reqs.Load(), counter.limited.Load()
	return run
}

// Twenty sessions loading seven days of log keep to half of the System Log
// bucket: the SIEM's collector, polling the same bucket, is never refused.
func TestSIEMCollectorKeepsItsShareWhileTwentySessionsLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for rate-limit windows")
	}
	// 20 a window, 10 of them triage's; the collector polls at most 9
	// times a 2s window.
	r := runShare(t, 20, 0.5, 20, 2*time.Second, 250*time.Millisecond)
	t.Logf("%d sessions, %d pages: triage %d requests (%d refused), collector %d requests (%d refused), %s",
		r.sessions, r.pages, r.triageReqs, r.triage429, r.collectorReqs, r.collector429, r.elapsed.Round(time.Millisecond))
	if r.collector429 != 0 {
		t.Fatalf("the collector was refused %d of %d times", r.collector429, r.collectorReqs)
	}
	if r.triage429 != 0 {
		t.Errorf("triage was refused %d times: the pacer should wait instead", r.triage429)
	}
	if r.pages < 20*2 || r.collectorReqs == 0 {
		t.Fatalf("%d pages, %d collector polls: the run did not load", r.pages, r.collectorReqs)
	}
}

// BenchmarkSIEMShare is the same run, with rate_share 0.5 and, for
// contrast, 1 (triage may take all but the last request of each window).
func BenchmarkSIEMShare(b *testing.B) {
	for _, share := range []float64{0.5, 1} {
		b.Run(fmt.Sprintf("rate_share=%v", share), func(b *testing.B) {
			for range b.N {
				r := runShare(b, 20, share, 20, 2*time.Second, 250*time.Millisecond)
				b.ReportMetric(float64(r.triageReqs), "triage-reqs")
				b.ReportMetric(float64(r.triage429), "triage-429s")
				b.ReportMetric(float64(r.collectorReqs), "collector-reqs")
				b.ReportMetric(float64(r.collector429), "collector-429s")
				b.ReportMetric(r.elapsed.Seconds(), "load-s")
			}
		})
	}
}
