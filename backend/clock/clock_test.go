package clock

import (
	"strings"
	"testing"
	"time"

	"triage/backend/clock/clocktest"
)

func TestParseWhen(t *testing.T) {
	ny := clocktest.NewYork()
	now := time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC).In(ny) // 01:30 EST, the second time
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"24h", now.Add(-24 * time.Hour)},
		{"-24h", now.Add(-24 * time.Hour)},
		{"7d", now.Add(-7 * 24 * time.Hour)},
		{"90m", now.Add(-90 * time.Minute)},
		// A bare date is midnight in the analyst's zone: 00:00 EDT, two and
		// a half hours before 01:30 EST.
		{"2026-11-01", now.Add(-150 * time.Minute)},
		{"2026-10-31", time.Date(2026, 10, 31, 4, 0, 0, 0, time.UTC)},
		{"2026-11-01T10:00:00Z", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-11-01T10:00:00+02:00", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
	} {
		got, err := ParseWhen(c.in, now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseWhen(%q) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	if _, err := ParseWhen("yesterday", now); err == nil || !strings.Contains(err.Error(), "use 24h, 7d, 2026-11-01") {
		t.Errorf("a word: %v", err)
	}
}

func TestPinnedStandsStillUntilAdvanced(t *testing.T) {
	at := time.Date(2028, 2, 29, 23, 59, 59, 0, time.UTC)
	p := Pin(at)
	if !p.Now().Equal(at) || !p.Now().Equal(at) {
		t.Fatalf("moved by itself: %s", p.Now())
	}
	p.Advance(time.Second)
	if want := time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC); !p.Now().Equal(want) {
		t.Fatalf("after a second: %s, want %s", p.Now(), want)
	}
	if _, ok := Or(nil).(Real); !ok || Or(p) != p {
		t.Fatal("Or: nil is the wall clock, a clock is itself")
	}
}
