package views

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"triage/backend"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/lenient"
	"triage/backend/okta"
	"triage/backend/sim"
	"triage/ui"
)

// oktaBenchApp is an App on the Okta tab's System Log pane holding n
// events, without a network.
func oktaBenchApp(b *testing.B, n int) (*App, *logPane) {
	b.Helper()
	cfg := config.Default()
	cfg.Okta = []config.Okta{{Name: "bench", URL: "https://bench.invalid", APIToken: "x"}}
	set, err := backend.Open(cfg, backend.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	c := &Common{Ctx: context.Background(), Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set,
		Analyst: identity.Analyst{Name: "bench", Role: "responder"}, Log: slog.New(slog.DiscardHandler), Clock: clock.Pin(testNow)}
	app := New(c)
	app.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	tab := app.tabs[0].(*oktaTab)
	tab.pane = paneLog
	p := tab.log
	events := &eventSet{newestFirst: true, ended: "complete"}
	for _, page := range syntheticPages(n, testNow) {
		events.add(page.rows, page.packed, false)
		events.pages++
	}
	p.started, p.rows, p.drawn.epoch = true, newEventView(events), -1
	p.draw()
	p.table.SetSource(p.rows)
	return app, p
}

// syntheticPages are n events in pages of 1000, newest first, over the
// seven days before now: the rows and packed JSON a load would hold.
func syntheticPages(n int, now time.Time) []logPage {
	types := []string{"user.session.start", "user.authentication.sso", "policy.evaluate_sign_on", "user.session.end", "user.authentication.auth_via_mfa"}
	results := []string{"SUCCESS", "SUCCESS", "SUCCESS", "ALLOW", "FAILURE", "DENY"}
	step := 7 * 24 * time.Hour / time.Duration(max(n, 1))
	var pages []logPage
	for start := 0; start < n; start += okta.MaxLogPage {
		events := make([]okta.LogEvent, 0, okta.MaxLogPage)
		for i := start; i < min(start+okta.MaxLogPage, n); i++ {
			var e okta.LogEvent
			e.UUID = lenient.String(fmt.Sprintf("%08x-5c1b-11ef-9a3b-%012x", i, uint64(i)*2654435761))
			e.Published = lenient.Time{Time: now.Add(-time.Duration(i) * step)}
			e.EventType = lenient.String(types[i%len(types)])
			e.Severity = "INFO"
			e.DisplayMessage = "User login to Okta"
			e.Actor = okta.Actor{ID: "00u1", Type: "User", AlternateID: lenient.String(fmt.Sprintf("person.%d@acme.example", i%5000)), DisplayName: "Person"}
			e.Outcome.Result = lenient.String(results[i%len(results)])
			e.Client.IPAddress = lenient.String(fmt.Sprintf("198.51.100.%d", i%250))
			e.Client.GeographicalContext.City, e.Client.GeographicalContext.Country = "London", "United Kingdom"
			e.Raw = []byte(fmt.Sprintf(`{"uuid":"%s","published":"%s","eventType":"%s","actor":{"alternateId":"%s"},"client":{"ipAddress":"%s"}}`,
				e.UUID, e.Published.Format(time.RFC3339Nano), e.EventType, e.Actor.AlternateID, e.Client.IPAddress))
			events = append(events, e)
		}
		rows, packed := rowsOf(events)
		pages = append(pages, logPage{rows: rows, packed: packed})
	}
	return pages
}

// logPage is one page's rows and compressed JSON.
type logPage struct {
	rows   []eventRow
	packed []byte
}

// BenchmarkOktaLogKeypress is j in the System Log pane (tab bar, query,
// progress, histogram, 39 rows at 160 columns in true colour).
func BenchmarkOktaLogKeypress(b *testing.B) {
	benchKeypress(b, "events", func(b *testing.B, n int) *App { a, _ := oktaBenchApp(b, n); return a })
}

// BenchmarkOktaLogFilter is the / filter over every loaded event.
func BenchmarkOktaLogFilter(b *testing.B) {
	benchFilter(b, "events", "person.42@ failure", func(b *testing.B, n int) *ui.Table { _, p := oktaBenchApp(b, n); return p.table })
}

// BenchmarkOktaHistogramPage is the histogram's work when a page of 1,000
// events arrives with 100,000 loaded: counting them, then the one redraw
// the next frame needs.
func BenchmarkOktaHistogramPage(b *testing.B) {
	_, p := oktaBenchApp(b, 100_000)
	page := syntheticPages(okta.MaxLogPage, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))[0]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range page.rows {
			p.hist.Add(page.rows[j].published, page.rows[j].failed)
		}
		_ = p.hist.View(160)
	}
}

// BenchmarkOktaEventsMemory reports the heap held per loaded event (its row
// and its compressed JSON) for 100,000 events loaded from the simulator
// through the client, as the tab loads them.
func BenchmarkOktaEventsMemory(b *testing.B) {
	s, err := sim.Start(sim.Options{Rows: 100_000, Clock: clock.Pin(testNow)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	client, err := okta.New(s.Config().Okta[0], httpx.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := &eventSet{}
		var packed [][]byte
		held := heldBytes(func() any {
			next := ""
			for {
				page, err := client.Logs(context.Background(), okta.LogQuery{Since: testNow.Add(-8 * 24 * time.Hour)}, next)
				if err != nil {
					b.Fatal(err)
				}
				r, block := rowsOf(page.Events)
				rows.loaded = append(rows.loaded, r...)
				packed = append(packed, block)
				if !page.More {
					break
				}
				next = page.Next
			}
			return []any{rows, packed}
		})
		n := float64(rows.Len())
		var raw int
		for _, p := range packed {
			raw += len(p)
		}
		b.ReportMetric(held/n, "bytes/event")
		b.ReportMetric(float64(raw)/n, "packed-json-bytes/event")
		b.ReportMetric(n, "events")
	}
}
