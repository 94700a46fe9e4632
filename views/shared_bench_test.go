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
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/sim"
	"triage/ui"
)

// sessionProbe is one headless session of a server: it starts what open
// returns and says when loaded holds.
type sessionProbe struct {
	app      *App
	open     func(*App) tea.Cmd
	isLoaded func(*App) bool
	loaded   chan struct{}
	done     bool
}

func (p *sessionProbe) Init() tea.Cmd { return p.open(p.app) }

func (p *sessionProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.app.Update(msg)
	if !p.done && p.isLoaded(p.app) {
		p.done = true
		close(p.loaded)
	}
	return p, cmd
}

func (p *sessionProbe) View() string { return p.app.View() }

// openServer is the backend set of one server on simulators of rows rows;
// edit changes the config first (nil: none).
func openServer(b *testing.B, rows int, edit func(*sim.Sim, *config.Config)) (*sim.Sim, *backend.Set, string) {
	s, err := sim.Start(sim.Options{Rows: rows, Clock: clock.Pin(testNow)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	cfg := s.Config()
	cfg.State.Dir = b.TempDir()
	if edit != nil {
		edit(s, cfg)
	}
	set, err := backend.Open(cfg, backend.Options{Audit: &audit.Memory{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return s, set, cfg.State.Dir
}

// runSessions starts n sessions of one server at once, each running open,
// and waits until loaded holds in every one (what names it for a failure).
// stop ends them.
func runSessions(b *testing.B, set *backend.Set, stateDir string, n int, what string, open func(*App) tea.Cmd, loaded func(*App) bool) (apps []*App, stop func()) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	ctx, cancel := context.WithCancel(context.Background())
	var progs []*tea.Program
	var ended []chan struct{}
	probes := make([]*sessionProbe, n)
	for i := range probes {
		c := &Common{Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set, Clock: clock.Pin(testNow),
			Analyst: identity.Analyst{Name: fmt.Sprintf("analyst%d", i), Role: "responder"}, Log: slog.New(slog.DiscardHandler), StateDir: stateDir}
		probes[i] = &sessionProbe{app: New(c), open: open, isLoaded: loaded, loaded: make(chan struct{})}
		apps = append(apps, probes[i].app)
		p := tea.NewProgram(probes[i], tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithContext(ctx), tea.WithoutRenderer())
		done := make(chan struct{})
		go func() { p.Run(); close(done) }() //nolint:errcheck // ended by Quit
		go p.Send(tea.WindowSizeMsg{Width: 160, Height: 48})
		progs, ended = append(progs, p), append(ended, done)
	}
	stop = func() {
		cancel()
		for i, p := range progs {
			p.Quit()
			<-ended[i]
		}
	}
	for i, p := range probes {
		select {
		case <-p.loaded:
		case <-time.After(5 * time.Minute):
			stop()
			b.Fatalf("session %d did not load %s", i, what)
		}
	}
	return apps, stop
}

// liveHeap is the heap the collector keeps live.
func liveHeap() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

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
	s, set, state := openServer(b, rows, nil)
	before := liveHeap()
	_, stop := runSessions(b, set, state, n, "its ITM and SaaS tabs",
		func(a *App) tea.Cmd { return tea.Batch(tabOf[*itmTab](a).Init(), tabOf[*saasTab](a).Init()) },
		func(a *App) bool {
			itm, saas := tabOf[*itmTab](a), tabOf[*saasTab](a)
			return itm.loading == "" && itm.rows.Len() > 0 && saas.complete && saas.loading == ""
		})
	heap = liveHeap() - before
	itmReqs, saasReqs = s.ITM.Requests(), s.SaaS.Requests()
	stop()
	return itmReqs, saasReqs, heap
}
