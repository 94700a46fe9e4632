package views

import (
	"testing"
	"time"

	"triage/backend/clock"
)

// FuzzQuery: the server-query language (ITM, SaaS, the Okta log) never
// panics, and what it accepts has only known terms.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"since:7d status:new,in-progress", `person:"a b" severity:high`, "bogus:1", ":", `"`, "since:", "since:-24h until:2026-11-01T10:00:00Z"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		terms, err := parseQuery(text, "since", "until", "status", "severity", "person")
		if err == nil {
			for _, term := range terms {
				if len(term.Values) == 0 {
					t.Fatalf("term %q without a value from %q", term.Name, text)
				}
			}
		}
		_, _ = clock.ParseWhen(text, now)
		_, _ = parseLogQuery(text, now)
	})
}
