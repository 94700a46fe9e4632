package views

import (
	"fmt"
	"sort"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// BenchmarkKeypressPercentiles times every keypress (App Update plus the
// whole frame's View) in each tab at 1k, 10k and 100k rows and reports the
// median, the 99th percentile and the worst: the budget is under 2 ms, and
// never over 16 ms (a frame).
func BenchmarkKeypressPercentiles(b *testing.B) {
	tabs := []struct {
		name string
		app  func(*testing.B, int) *App
	}{
		{"itm", func(b *testing.B, n int) *App { a, _ := benchApp(b, n); return a }},
		{"saas", func(b *testing.B, n int) *App { a, _ := benchSaaSApp(b, n); return a }},
		{"okta-log", func(b *testing.B, n int) *App { a, _ := oktaBenchApp(b, n); return a }},
		{"iam", func(b *testing.B, n int) *App { a, _ := iamBenchApp(b, n); return a }},
	}
	down := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}}
	top := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'g'}}
	for _, tab := range tabs {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/rows=%d", tab.name, n), func(b *testing.B) {
				app := tab.app(b, n)
				times := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					key := down
					if i%500 == 499 {
						key = top
					}
					start := time.Now()
					app.Update(key)
					_ = app.View()
					times = append(times, time.Since(start))
				}
				b.StopTimer()
				sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
				at := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
				b.ReportMetric(at(0.5), "p50-ms")
				b.ReportMetric(at(0.99), "p99-ms")
				b.ReportMetric(at(1), "max-ms")
			})
		}
	}
}
