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

// iamProbe is one headless session that shows the IAM tab and says when
// every provider's list is in.
type iamProbe struct {
	app    *App
	loaded chan struct{}
	done   bool
}

func (p *iamProbe) Init() tea.Cmd { return tabOf[*iamTab](p.app).Shown() }

func (p *iamProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.app.Update(msg)
	if t := tabOf[*iamTab](p.app); !p.done && !t.loading && t.rows.Len() > 0 {
		p.done = true
		close(p.loaded)
	}
	return p, cmd
}

func (p *iamProbe) View() string { return p.app.View() }

// BenchmarkIAMSharedSessions shows the IAM tab in 1, 10 and 50 sessions of
// one server at once, against simulators of 100,000 people, and counts the
// requests at Okta, the SCIM directory and Essentials and the live heap the
// sessions add.
//
//	go test ./views/ -run '^$' -bench IAMSharedSessions -benchtime 1x
func BenchmarkIAMSharedSessions(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				reqs, heap := openIAMSessions(b, n, 100_000)
				b.ReportMetric(float64(reqs), "requests")
				b.ReportMetric(heap/(1<<20), "heap-MiB")
			}
		})
	}
}

func openIAMSessions(b *testing.B, n, rows int) (reqs int64, heap float64) {
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
	probes := make([]*iamProbe, n)
	for i := range probes {
		c := &Common{Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set, Clock: clock.Pin(testNow),
			Analyst: identity.Analyst{Name: fmt.Sprintf("analyst%d", i), Role: "responder"}, Log: slog.New(slog.DiscardHandler), StateDir: cfg.State.Dir}
		probes[i] = &iamProbe{app: New(c), loaded: make(chan struct{})}
		p := tea.NewProgram(probes[i], tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithContext(ctx), tea.WithoutRenderer())
		done := make(chan struct{})
		go func() { p.Run(); close(done) }() //nolint:errcheck // ended by Quit
		go p.Send(tea.WindowSizeMsg{Width: 160, Height: 48})
		progs, ended = append(progs, p), append(ended, done)
	}
	for i, p := range probes {
		select {
		case <-p.loaded:
		case <-time.After(5 * time.Minute):
			b.Fatalf("session %d did not load the IAM tab", i)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	reqs = s.Okta.Requests() + s.Atlassian.Requests() + s.Essentials.Requests()
	for _, p := range probes {
		if t := tabOf[*iamTab](p.app); t.rows.personRows != tabOf[*iamTab](probes[0].app).rows.personRows {
			b.Fatal("the sessions hold different copies of the people")
		}
	}
	for i, p := range progs {
		p.Quit()
		<-ended[i]
	}
	runtime.KeepAlive(probes)
	return reqs, float64(after.HeapAlloc) - float64(before.HeapAlloc)
}
