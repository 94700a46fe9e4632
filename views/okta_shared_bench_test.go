package views

import (
	"fmt"
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
	// The SIEM's collector: its own token, the same bucket.
	var run logSessionsRun
	before := s.Okta.Count("GET /api/v1/logs")
	collector := s.Okta.StartCollector(testNow.Add(-time.Hour), 250*time.Millisecond)
	start := time.Now()
	_, stop := runSessions(b, set, state, n, "the System Log",
		func(a *App) tea.Cmd {
			t := tabOf[*oktaTab](a)
			t.pane, t.log.text = paneLog, weekQuery
			return t.log.load()
		},
		func(a *App) bool { log := tabOf[*oktaTab](a).log; return log.started && log.rows.ended == "complete" })
	run.elapsed = time.Since(start)
	run.collector, run.collector429 = collector.Stop()
	stop()
	// The simulator counts every GET of the System Log: the collector's too.
	run.requests = int64(s.Okta.Count("GET /api/v1/logs")-before) - run.collector
	return run
}
