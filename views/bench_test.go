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
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/itm"
	"triage/backend/lenient"
	"triage/ui"
)

// benchApp is an App whose ITM tab holds n tickets, without a network.
func benchApp(b *testing.B, n int) (*App, *itmTab) {
	b.Helper()
	cfg := config.Default()
	cfg.ITM = []config.ITM{{Name: "bench", BaseURL: "https://bench.invalid", APIVersion: "v2", ClientID: "x", ClientSecret: "y"}}
	set, err := backend.Open(cfg, backend.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	c := &Common{Ctx: context.Background(), Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set,
		Analyst: identity.Analyst{Name: "bench", Role: "responder"}, Log: slog.New(slog.DiscardHandler)}
	app := New(c)
	app.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	tab := app.tabs[0].(*itmTab)
	tab.rows.append(syntheticTickets(n))
	tab.table.SetSource(tab.rows)
	return app, tab
}

func syntheticTickets(n int) []itm.Ticket {
	sevs := []string{"incident:severity:850:critical", "incident:severity:700:high", "incident:severity:500:medium", "incident:severity:300:low"}
	statuses := []string{"incident:status:new", "incident:status:in-progress", "incident:status:resolved"}
	names := []string{"EMAIL-DLP-PCI", "USB-MASS-STORAGE-COPY", "CLOUD-UPLOAD-PERSONAL", "PRINT-SENSITIVE-DOC"}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	out := make([]itm.Ticket, n)
	for i := range out {
		t := &out[i]
		t.FQID = fmt.Sprintf("%016x-email:pps", uint64(i)*0x9e3779b97f4a7c15)
		t.Event.ObservedAt = lenient.Time{Time: start.Add(-time.Duration(i) * time.Minute)}
		t.Incident.Severity = lenient.String(sevs[i%len(sevs)])
		t.Incident.Status = lenient.String(statuses[i%len(statuses)])
		t.Incident.Name = lenient.String(names[i%len(names)])
		t.User.Email = lenient.String(fmt.Sprintf("person.%d@acme.example", i%5000))
		t.Messages = []itm.Message{{Subject: lenient.String(fmt.Sprintf("Quarterly numbers %d", i))}}
	}
	return out
}

// BenchmarkITMKeypress is what an analyst waits for on j: the tab's Update
// and the whole frame's View, with n tickets loaded.
func BenchmarkITMKeypress(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			app, _ := benchApp(b, n)
			down := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}}
			top := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'g'}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%(n-1) == n-2 {
					app.Update(top)
				}
				app.Update(down)
				_ = app.View()
			}
		})
	}
}

// BenchmarkITMFilter is the filter over every loaded ticket, off the key
// path (the debounced command's work).
func BenchmarkITMFilter(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			_, tab := benchApp(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tab.table.ApplyFilterNow("person.42 critical")
			}
		})
	}
}

// BenchmarkITMRowsMemory reports the heap held per loaded ticket row.
func BenchmarkITMRowsMemory(b *testing.B) {
	const n = 100_000
	tickets := syntheticTickets(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows := newTicketRows()
		rows.append(tickets)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/row")
		runtime.KeepAlive(rows)
	}
}
