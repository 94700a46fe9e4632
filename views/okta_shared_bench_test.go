package views

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/config"
	"triage/backend/okta"
	"triage/backend/sim"
)

// weekQuery is seven days of System Log, newest first.
const weekQuery = "since:-7d sort:desc"

// BenchmarkSystemLogSessions opens the System Log pane on seven days of
// events (2,000 events, as BenchmarkSIEMShare in backend/okta) in 1, 10
// and 20 sessions of one server at once, with rate_share 0.5, while a SIEM
// collector with its own token polls the same bucket every 250 ms; the
// bucket allows 20 requests a 2-second window. It counts the System Log
// requests at the simulator, the collector's 429s and how long the loads
// took.
//
//	go test ./views/ -run '^$' -bench SystemLogSessions -benchtime 1x
func BenchmarkSystemLogSessions(b *testing.B) {
	for _, n := range []int{1, 10, 20} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r := openLogSessions(b, n)
				b.ReportMetric(float64(r.requests), "log-requests")
				b.ReportMetric(float64(r.collector), "collector-requests")
				b.ReportMetric(float64(r.collector429), "collector-429s")
				b.ReportMetric(r.elapsed.Seconds(), "load-s")
			}
		})
	}
}

type logSessionsRun struct {
	requests, collector, collector429 int64
	elapsed                           time.Duration
}

func openLogSessions(b *testing.B, n int) logSessionsRun {
	share := 0.5
	s, set, state := openServer(b, 2000, func(s *sim.Sim, cfg *config.Config) {
		s.Okta.SetRateWindow(2 * time.Second)
		s.Okta.SetRateLimit(okta.LogsPath, 20)
		cfg.Okta[0].RateShare = &share
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The SIEM's collector: its own token, the same bucket.
	var run logSessionsRun
	var creqs, c429 atomic.Int64
	var collector sync.WaitGroup
	collector.Add(1)
	go func() {
		defer collector.Done()
		u := s.Okta.URL + okta.LogsPath + "?" + url.Values{"since": {testNow.Add(-time.Hour).Format(time.RFC3339)}, "limit": {"100"}}.Encode()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
			req.Header.Set("Authorization", "SSWS "+sim.OktaAPIToken)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
				creqs.Add(1)
				if res.StatusCode == http.StatusTooManyRequests {
					c429.Add(1)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	collectorBefore := s.Okta.Count("GET /api/v1/logs")
	start := time.Now()
	_, stop := runSessions(b, set, state, n, "the System Log",
		func(a *App) tea.Cmd {
			t := tabOf[*oktaTab](a)
			t.pane, t.log.text = paneLog, weekQuery
			return t.log.load()
		},
		func(a *App) bool { log := tabOf[*oktaTab](a).log; return log.started && log.rows.ended == "complete" })
	run.elapsed = time.Since(start)
	cancel()
	collector.Wait()
	stop()
	run.collector, run.collector429 = creqs.Load(), c429.Load()
	// The simulator counts every GET of the System Log: the collector's too.
	run.requests = int64(s.Okta.Count("GET /api/v1/logs")-collectorBefore) - run.collector
	return run
}
