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
	"triage/backend/saas"
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

// benchSizes are the rows every tab is measured at.
var benchSizes = []int{1_000, 10_000, 100_000}

// benchKeypress times what an analyst waits for on j (g at the bottom):
// the root App's Update and the whole frame's View, with n rows loaded by
// app, at each size; unit names the rows ("rows", "people", "events").
func benchKeypress(b *testing.B, unit string, app func(*testing.B, int) *App) {
	down := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}}
	top := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'g'}}
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("%s=%d", unit, n), func(b *testing.B) {
			a := app(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%(n-1) == n-2 {
					a.Update(top)
				}
				a.Update(down)
				_ = a.View()
			}
		})
	}
}

// benchFilter times the "/" filter's work over every row of the table
// table returns, at each size: the debounced command's work, off the key
// path.
func benchFilter(b *testing.B, unit, query string, table func(*testing.B, int) *ui.Table) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("%s=%d", unit, n), func(b *testing.B) {
			tb := table(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tb.ApplyFilterNow(query)
			}
		})
	}
}

// heldBytes is the heap that what build returns keeps alive.
func heldBytes(build func() any) float64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(after.HeapAlloc - before.HeapAlloc)
}

// BenchmarkITMKeypress is j in tab 1 with n tickets loaded.
func BenchmarkITMKeypress(b *testing.B) {
	benchKeypress(b, "rows", func(b *testing.B, n int) *App { a, _ := benchApp(b, n); return a })
}

// BenchmarkITMFilter is the filter over every loaded ticket.
func BenchmarkITMFilter(b *testing.B) {
	benchFilter(b, "rows", "person.42 critical", func(b *testing.B, n int) *ui.Table { _, t := benchApp(b, n); return t.table })
}

// BenchmarkITMRowsMemory reports the heap held per loaded ticket row.
func BenchmarkITMRowsMemory(b *testing.B) {
	const n = 100_000
	tickets := syntheticTickets(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		held := heldBytes(func() any { rows := newTicketRows(); rows.append(tickets); return rows })
		b.ReportMetric(held/n, "bytes/row")
	}
}

// benchSaaSApp is an App whose SaaS tab holds n incidents, without a
// network.
func benchSaaSApp(b *testing.B, n int) (*App, *saasTab) {
	b.Helper()
	cfg := config.Default()
	cfg.SaaS = []config.SaaS{{Name: "bench", BaseURL: "https://bench.invalid", ClientID: "x", ClientSecret: "y"}}
	set, err := backend.Open(cfg, backend.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	c := &Common{Ctx: context.Background(), Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set,
		Analyst: identity.Analyst{Name: "bench", Role: "responder"}, Log: slog.New(slog.DiscardHandler), StateDir: b.TempDir()}
	app := New(c)
	app.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	tab := app.tabs[0].(*saasTab)
	tab.rows.add(syntheticIncidents(n, 0), false)
	tab.table.SetSource(tab.rows)
	return app, tab
}

// syntheticIncidents are n incidents updated a minute apart, newest last as
// the delta feed sends them, starting after offset others.
func syntheticIncidents(n, offset int) []saas.Incident {
	sevs := []string{"Critical", "High", "Medium", "Low", "4"}
	statuses := []string{"Open-New", "Open-In Progress", "Closed-Business Justified"}
	apps := []string{"Box 1", "Office 365 1", "Google Drive", "Slack Enterprise"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]saas.Incident, n)
	for i := range out {
		k := offset + i
		inc := &out[i]
		inc.ID = lenient.String(fmt.Sprint(k + 1))
		inc.UpdatedAt = lenient.Time{Time: start.Add(time.Duration(k) * time.Minute)}
		inc.Severity = lenient.String(sevs[k%len(sevs)])
		inc.Status = lenient.String(statuses[k%len(statuses)])
		inc.State = "open"
		inc.AppName = lenient.String(apps[k%len(apps)])
		inc.AppType = "box"
		inc.AssetID = lenient.String(fmt.Sprintf("61099d%018x", k))
		inc.AssetName = lenient.String(fmt.Sprintf("quarterly numbers %d.xlsx", k))
		inc.ExposureLevel = "public"
		inc.AssetOwnerEmail = lenient.String(fmt.Sprintf("person.%d@acme.example", k%5000))
		inc.PolicyName = "PCI - card numbers in a public link"
	}
	return out
}

// BenchmarkSaaSKeypress is j in tab 2 with n incidents loaded.
func BenchmarkSaaSKeypress(b *testing.B) {
	benchKeypress(b, "rows", func(b *testing.B, n int) *App { a, _ := benchSaaSApp(b, n); return a })
}

// BenchmarkSaaSFilter is the "/" filter over every loaded incident.
func BenchmarkSaaSFilter(b *testing.B) {
	benchFilter(b, "rows", "person.42 critical", func(b *testing.B, n int) *ui.Table { _, t := benchSaaSApp(b, n); return t.table })
}

// BenchmarkSaaSPage is folding one page of 500 newer incidents into n
// loaded ones: the work in Update when a page of the delta feed arrives.
func BenchmarkSaaSPage(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			rows := newIncidentRows()
			rows.add(syntheticIncidents(n, 0), false)
			page := syntheticIncidents(500, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				next := rows.next() // the dataset's next snapshot, as a page is published
				next.add(page, false)
				b.StopTimer() // take the page out again
				for _, inc := range page {
					delete(rows.index.m, string(inc.ID))
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkSaaSRowsMemory reports the heap held per loaded incident row.
func BenchmarkSaaSRowsMemory(b *testing.B) {
	const n = 100_000
	incs := syntheticIncidents(n, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		held := heldBytes(func() any { rows := newIncidentRows(); rows.add(incs, false); return rows })
		b.ReportMetric(held/n, "bytes/row")
	}
}
