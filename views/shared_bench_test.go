package views

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/identity"
	"triage/backend/sim"
	"triage/ui"
)

// tabsProbe is one headless session that opens the ITM and SaaS tabs and
// says when both are loaded: the first page of tickets, the whole SaaS feed.
type tabsProbe struct {
	app    *App
	loaded chan struct{}
	done   bool
}

func (p *tabsProbe) Init() tea.Cmd {
	return tea.Batch(tabOf[*itmTab](p.app).Init(), tabOf[*saasTab](p.app).Init())
}

func (p *tabsProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.app.Update(msg)
	itm, saas := tabOf[*itmTab](p.app), tabOf[*saasTab](p.app)
	if !p.done && itm.loading == "" && itm.rows.Len() > 0 && saas.complete && saas.loading == "" {
		p.done = true
		close(p.loaded)
	}
	return p, cmd
}

func (p *tabsProbe) View() string { return p.app.View() }

// BenchmarkSharedSessions opens the ITM and SaaS tabs in 1, 10 and 50
// sessions of one server (one backend set) against simulators of 100,000
// rows, all at once, and counts the vendor requests at the simulators and
// the live heap the sessions add.
//
//	go test ./views/ -run '^$' -bench SharedSessions -benchtime 1x
func BenchmarkSharedSessions(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				itmReqs, saasReqs, heap := openSessions(b, n, 100_000)
				b.ReportMetric(float64(itmReqs), "itm-requests")
				b.ReportMetric(float64(saasReqs), "saas-requests")
				b.ReportMetric(float64(itmReqs+saasReqs), "requests")
				b.ReportMetric(heap/(1<<20), "heap-MiB")
			}
		})
	}
}

func openSessions(b *testing.B, n, rows int) (itmReqs, saasReqs int64, heap float64) {
	s, err := sim.Start(sim.Options{Rows: rows, Clock: clock.Pin(testNow)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config()
	cfg.State.Dir = b.TempDir()
	set, err := backend.Open(cfg, backend.Options{Audit: &audit.Memory{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var progs []*tea.Program
	var ended []chan struct{}
	probes := make([]*tabsProbe, n)
	for i := range probes {
		c := &Common{Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set, Clock: clock.Pin(testNow),
			Analyst: identity.Analyst{Name: fmt.Sprintf("analyst%d", i), Role: "responder"}, Log: slog.New(slog.DiscardHandler), StateDir: cfg.State.Dir}
		probes[i] = &tabsProbe{app: New(c), loaded: make(chan struct{})}
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
			b.Fatalf("session %d did not load its ITM and SaaS tabs", i)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	itmReqs, saasReqs = s.ITM.Requests(), s.SaaS.Requests()
	for i, p := range progs {
		p.Quit()
		<-ended[i]
	}
	runtime.KeepAlive(probes)
	return itmReqs, saasReqs, float64(after.HeapAlloc) - float64(before.HeapAlloc)
}
