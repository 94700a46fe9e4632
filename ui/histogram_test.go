package ui

import (
	"strings"
	"testing"
	"time"
)

func TestHistogramCountsBinsAndMarksFailures(t *testing.T) {
	h := NewHistogram(plainStyles())
	from := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	h.Reset(from, 24*time.Hour)
	if v := h.View(60); !strings.HasPrefix(v, "No events to chart yet.") || strings.Count(v, "\n") != HistogramLines-1 {
		t.Fatalf("empty histogram:\n%q", v)
	}
	// One event an hour, failures in the 12th hour only, and one event
	// before the range it was told to expect.
	for hour := 0; hour < 24; hour++ {
		h.Add(from.Add(time.Duration(hour)*time.Hour), hour == 12)
	}
	h.Add(from.Add(-30*time.Minute), false)
	if h.Events() != 25 || h.Failures() != 1 {
		t.Fatalf("counted %d events, %d failures", h.Events(), h.Failures())
	}
	v := h.View(8 + 50)
	lines := strings.Split(v, "\n")
	if len(lines) != HistogramLines {
		t.Fatalf("%d lines:\n%s", len(lines), v)
	}
	span := from.Add(-30*time.Minute).Local().Format("01-02 15:04") + " → " + from.Add(23*time.Hour).Local().Format("01-02 15:04")
	if !strings.Contains(lines[0], span) || !strings.Contains(lines[0], "1 failed or denied") {
		t.Fatalf("title %q", lines[0])
	}
	fails := strings.TrimPrefix(lines[4], "failed  ")
	if strings.Count(fails, "█") != 1 || strings.TrimSpace(strings.ReplaceAll(fails, "█", "")) != "" {
		t.Fatalf("failure line %q: want one full bar", fails)
	}
	// Equal rates draw equal bars: every non-empty column of the bottom row
	// is the same glyph.
	bottom := strings.TrimPrefix(lines[3], "events  ")
	var glyphs []rune
	for _, r := range bottom {
		if r != ' ' {
			glyphs = append(glyphs, r)
		}
	}
	if len(glyphs) != 25 {
		t.Fatalf("bottom row %q: want 25 bars", bottom)
	}
	for _, g := range glyphs {
		if g != glyphs[0] {
			t.Fatalf("uneven bars for equal counts: %q", bottom)
		}
	}
}

func TestHistogramDrawsOnlyWhenSomethingChanged(t *testing.T) {
	h := NewHistogram(plainStyles())
	from := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	h.Reset(from, time.Hour)
	h.Add(from.Add(time.Minute), false)
	first := h.View(80)
	if h.dirty || h.cacheW != 80 {
		t.Fatal("the drawing was not kept")
	}
	if h.View(80) != first {
		t.Fatal("the same data drew differently")
	}
	h.Add(from.Add(30*time.Minute), true)
	if !h.dirty || h.View(80) == first {
		t.Fatal("a new event did not invalidate the drawing")
	}
	if got := h.View(40); h.cacheW != 40 || strings.Contains(strings.Split(got, "\n")[3], strings.Repeat(" ", 40)) {
		t.Fatalf("a new width did not redraw: %q", got)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
