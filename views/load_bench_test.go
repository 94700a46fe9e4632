package views

import (
	"context"
	"io"
	"log/slog"
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

// loadProbe runs the console headless and reports when the first frame was
// drawn and when every tab had finished loading. Sequential loads the tabs
// one after another, the baseline the concurrent start is measured against.
type loadProbe struct {
	app        *App
	sequential bool
	next       int
	start      time.Time
	firstFrame time.Duration
	loaded     chan time.Duration
	signalled  bool
}

func (p *loadProbe) Init() tea.Cmd {
	p.start = time.Now()
	if !p.sequential {
		cmds := []tea.Cmd{p.app.Init()}
		for _, t := range p.app.tabs {
			cmds = append(cmds, shownNow(t))
		}
		return tea.Batch(cmds...)
	}
	p.next = 1
	return tea.Batch(p.app.tabs[0].Init(), shownNow(p.app.tabs[0]))
}

// shownNow starts what a tab loads only when first shown (the IAM
// directories), so that "every tab loaded" covers every tab's data.
func shownNow(t Tab) tea.Cmd {
	if s, ok := t.(shownTab); ok {
		return s.Shown()
	}
	return nil
}

func (p *loadProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.app.Update(msg)
	if p.sequential && p.next < len(p.app.tabs) && p.app.tabs[p.next-1].Busy() == "" {
		cmd = tea.Batch(cmd, p.app.tabs[p.next].Init(), shownNow(p.app.tabs[p.next]))
		p.next++
	}
	if !p.signalled && (!p.sequential || p.next == len(p.app.tabs)) {
		idle := true
		for _, t := range p.app.tabs {
			idle = idle && t.Busy() == ""
		}
		if idle {
			p.signalled = true
			p.loaded <- time.Since(p.start)
		}
	}
	return p, cmd
}

func (p *loadProbe) View() string {
	if p.firstFrame == 0 {
		p.firstFrame = time.Since(p.start)
	}
	return p.app.View()
}

// loadOnce starts a console on simulators answering after latency and
// returns its first-frame and all-loaded times.
func loadOnce(b *testing.B, latency time.Duration, sequential bool) (first, all time.Duration) {
	s, err := sim.Start(sim.Options{Latency: latency, Clock: clock.Pin(testNow)})
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
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &Common{Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set,
		Analyst: identity.Analyst{Name: "bench", Role: "responder"}, Log: slog.New(slog.DiscardHandler), StateDir: cfg.State.Dir}
	probe := &loadProbe{app: New(c), sequential: sequential, loaded: make(chan time.Duration, 1)}
	p := tea.NewProgram(probe, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithContext(ctx))
	go p.Send(tea.WindowSizeMsg{Width: 160, Height: 48})
	done := make(chan struct{})
	go func() { p.Run(); close(done) }() //nolint:errcheck // ended by Quit
	select {
	case all = <-probe.loaded:
	case <-time.After(30 * time.Second):
		b.Fatal("the tabs did not finish loading")
	}
	p.Quit()
	<-done
	return probe.firstFrame, all
}

// BenchmarkStartup is the console's start against simulators answering
// each request after 50 ms: the first frame, every tab loaded when they
// load at once (as the console does), and the same tabs loaded one after
// another, with the ratio.
func BenchmarkStartup(b *testing.B) {
	var first, concurrent, sequential time.Duration
	for i := 0; i < b.N; i++ {
		f, all := loadOnce(b, 50*time.Millisecond, false)
		_, seq := loadOnce(b, 50*time.Millisecond, true)
		first, concurrent, sequential = first+f, concurrent+all, sequential+seq
	}
	n := float64(b.N)
	b.ReportMetric(float64(first.Microseconds())/1000/n, "first-frame-ms")
	b.ReportMetric(float64(concurrent.Milliseconds())/n, "all-tabs-ms")
	b.ReportMetric(float64(sequential.Milliseconds())/n, "sequential-ms")
	b.ReportMetric(float64(sequential)/float64(concurrent), "speedup")
}
