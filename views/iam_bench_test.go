package views

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"triage/backend"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/people"
	"triage/ui"
)

// iamBenchApp is an App on the IAM tab holding n people listed by Okta,
// Atlassian and Essentials, without a network.
func iamBenchApp(b *testing.B, n int) (*App, *iamTab) {
	b.Helper()
	cfg := config.Default()
	cfg.Okta = []config.Okta{{Name: "bench", URL: "https://okta.bench.invalid", APIToken: "x"}}
	cfg.Atlassian = []config.Atlassian{{Name: "bench", BaseURL: "https://atl.bench.invalid", DirectoryID: "d", Token: "x"}}
	cfg.Essentials = []config.Essentials{{Name: "bench", BaseURL: "https://ppe.bench.invalid", Domain: "acme.example", Username: "a@acme.example", Password: "x"}}
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
	for i, t := range app.tabs {
		if tab, ok := t.(*iamTab); ok {
			app.active = i
			tab.started = true // no load: the rows are put in below
			fillPeople(tab.rows.personRows, n)
			tab.table.SetSource(tab.rows)
			return app, tab
		}
	}
	b.Fatal("no IAM tab")
	return nil, nil
}

// fillPeople lists n people at each of three providers, as complete lists
// would: most everywhere, some absent from one, a few disabled.
func fillPeople(rows *personRows, n int) {
	for p := 0; p < 3; p++ {
		rows.add(p, syntheticEntries(n, p))
		rows.listed[p] = listDone
	}
}

// syntheticEntries are provider p's page of n people, in email order as a
// page arrives.
func syntheticEntries(n, p int) []people.Entry {
	okta := []string{"ACTIVE", "ACTIVE", "ACTIVE", "SUSPENDED", "PASSWORD_EXPIRED", "ACTIVE", "LOCKED_OUT"}
	out := make([]people.Entry, 0, n)
	for i := 0; i < n; i++ {
		if (p == 1 && i%11 == 6) || (p == 2 && i%13 == 9) {
			continue
		}
		e := people.Entry{Email: fmt.Sprintf("person.%06d@acme.example", i), Name: fmt.Sprintf("Person %d", i), Status: "active", Enabled: true}
		if p == 0 {
			e.Status = okta[i%len(okta)]
		} else if i%23 == 11 {
			e.Status, e.Enabled = "inactive", false
		}
		out = append(out, e)
	}
	return out
}

// BenchmarkIAMKeypress is j in tab 5 with n people loaded.
func BenchmarkIAMKeypress(b *testing.B) {
	benchKeypress(b, "people", func(b *testing.B, n int) *App { a, _ := iamBenchApp(b, n); return a })
}

// BenchmarkIAMFilter is the "/" filter over every loaded person.
func BenchmarkIAMFilter(b *testing.B) {
	benchFilter(b, "people", "person.0042 suspended", func(b *testing.B, n int) *ui.Table { _, t := iamBenchApp(b, n); return t.table })
}

// BenchmarkIAMPage is what Update does when a page of 200 Okta users (its
// largest) arrives with n people loaded: new rows merged into the email
// order, statuses updated, the filter's keys rebuilt for changed rows.
func BenchmarkIAMPage(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			page := syntheticEntries(n+200, 0)[n:]
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				rows := newPersonRows(3)
				fillPeople(rows, n)
				b.StartTimer()
				rows.add(0, page)
			}
		})
	}
}

// BenchmarkIAMChunk is the largest piece of work one Update does when a
// list arrives whole (Essentials answers every user at once): one chunk of
// 5,000 people merged into n loaded.
func BenchmarkIAMChunk(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			chunk := syntheticEntries(n+listChunk, 2)[n-n/13:][:listChunk]
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				rows := newPersonRows(3)
				fillPeople(rows, n)
				b.StartTimer()
				rows.add(2, chunk)
			}
		})
	}
}

// BenchmarkIAMPeopleMemory reports the heap held per person merged from
// three providers.
func BenchmarkIAMPeopleMemory(b *testing.B) {
	const n = 100_000
	lists := [][]people.Entry{syntheticEntries(n, 0), syntheticEntries(n, 1), syntheticEntries(n, 2)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		held := heldBytes(func() any {
			rows := newPersonRows(3)
			for p, l := range lists {
				rows.add(p, l)
			}
			return rows
		})
		b.ReportMetric(held/n, "bytes/person")
	}
}
