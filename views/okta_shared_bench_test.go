package views

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/identity"
	"triage/backend/okta"
	"triage/backend/sim"
	"triage/ui"
)

// weekQuery is seven days of System Log, newest first.
const weekQuery = "since:-7d sort:desc"

// logProbe is one headless session that opens the System Log pane on a
// week of events and says when the load is complete.
type logProbe struct {
	app    *App
	loaded chan struct{}
	done   bool
}

func (p *logProbe) Init() tea.Cmd {
	t := tabOf[*oktaTab](p.app)
	t.pane, t.log.text = paneLog, weekQuery
	return t.log.load()
}

func (p *logProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.app.Update(msg)
	if log := tabOf[*oktaTab](p.app).log; !p.done && log.started && log.rows.ended == "complete" {
		p.done = true
		close(p.loaded)
	}
	return p, cmd
}

func (p *logProbe) View() string { return p.app.View() }

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
	s, err := sim.Start(sim.Options{Rows: 2000, Clock: clock.Pin(testNow)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Okta.SetRateWindow(2 * time.Second)
	s.Okta.SetRateLimit(okta.LogsPath, 20)
	cfg := s.Config()
	cfg.State.Dir = b.TempDir()
	share := 0.5
	cfg.Okta[0].RateShare = &share
	set, err := backend.Open(cfg, backend.Options{Audit: &audit.Memory{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
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

	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	collectorBefore := s.Okta.Count("GET /api/v1/logs")
	start := time.Now()
	var progs []*tea.Program
	var ended []chan struct{}
	probes := make([]*logProbe, n)
	for i := range probes {
		c := &Common{Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set, Clock: clock.Pin(testNow),
			Analyst: identity.Analyst{Name: fmt.Sprintf("analyst%d", i), Role: "responder"}, Log: slog.New(slog.DiscardHandler), StateDir: cfg.State.Dir}
		probes[i] = &logProbe{app: New(c), loaded: make(chan struct{})}
		p := tea.NewProgram(probes[i], tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithContext(ctx), tea.WithoutRenderer())
		done := make(chan struct{})
		go func() { p.Run(); close(done) }() //nolint:errcheck // ended by Quit
		go p.Send(tea.WindowSizeMsg{Width: 160, Height: 48})
		progs, ended = append(progs, p), append(ended, done)
	}
	for i, p := range probes {
		select {
		case <-p.loaded:
		case <-time.After(2 * time.Minute):
			b.Fatalf("session %d did not load the System Log", i)
		}
	}
	run.elapsed = time.Since(start)
	cancel()
	collector.Wait()
	for i, p := range progs {
		p.Quit()
		<-ended[i]
	}
	run.collector, run.collector429 = creqs.Load(), c429.Load()
	// The simulator counts every GET of the System Log: the collector's too.
	run.requests = int64(s.Okta.Count("GET /api/v1/logs")-collectorBefore) - run.collector
	return run
}
