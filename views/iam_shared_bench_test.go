package views

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

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
	s, set, state := openServer(b, rows, nil)
	before := liveHeap()
	apps, stop := runSessions(b, set, state, n, "the IAM tab",
		func(a *App) tea.Cmd { return tabOf[*iamTab](a).Shown() },
		func(a *App) bool { t := tabOf[*iamTab](a); return !t.loading && t.rows.Len() > 0 })
	defer stop()
	heap = liveHeap() - before
	reqs = s.Okta.Requests() + s.Atlassian.Requests() + s.Essentials.Requests()
	for _, a := range apps {
		if tabOf[*iamTab](a).rows.personRows != tabOf[*iamTab](apps[0]).rows.personRows {
			b.Fatal("the sessions hold different copies of the people")
		}
	}
	return reqs, heap
}
