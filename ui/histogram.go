package ui

import (
	"fmt"
	"strings"
	"time"
)

// Histogram counts events per time bucket as they arrive and draws them as
// bars over the loaded range, with failures stacked at the bottom of each
// bar in the bad tone and again on a line of their own (so they stand out
// without colour too).
//
// Counting is incremental: Add touches one fine bucket. Drawing re-bins the
// fine buckets into the columns available, and the result is kept until an
// event arrives or the width changes, so a frame costs nothing.
type Histogram struct {
	st     *Styles
	Bars   int // bar rows
	bucket time.Duration
	origin time.Time // start of fine bucket 0
	total  []int32
	bad    []int32
	lo, hi time.Time // earliest and latest event
	events int
	fails  int
	cache  string
	cacheW int
	dirty  bool
}

// HistogramLines is how many lines View draws.
const HistogramLines = 5

// NewHistogram starts an empty histogram.
func NewHistogram(st *Styles) *Histogram {
	h := &Histogram{st: st, Bars: HistogramLines - 2}
	h.Reset(time.Time{}, time.Hour)
	return h
}

// Reset empties the histogram for a new range starting near from and
// spanning about span; events outside it still count.
func (h *Histogram) Reset(from time.Time, span time.Duration) {
	// Fine buckets of a few thousandths of the span (a second at least)
	// keep re-binning exact enough at any width.
	h.bucket = max((span / 4096).Truncate(time.Second), time.Second)
	h.origin = from.Truncate(h.bucket)
	h.total, h.bad = h.total[:0], h.bad[:0]
	h.lo, h.hi = time.Time{}, time.Time{}
	h.events, h.fails = 0, 0
	h.dirty = true
}

// Add counts one event; failed marks a failure or denial.
func (h *Histogram) Add(t time.Time, failed bool) {
	if t.IsZero() {
		return
	}
	i := int(t.Sub(h.origin) / h.bucket)
	if t.Before(h.origin) {
		// Earlier than expected: move the origin back, keeping the counts.
		shift := int((h.origin.Sub(t) + h.bucket - 1) / h.bucket)
		h.total = append(make([]int32, shift), h.total...)
		h.bad = append(make([]int32, shift), h.bad...)
		h.origin = h.origin.Add(-time.Duration(shift) * h.bucket)
		i = int(t.Sub(h.origin) / h.bucket)
	}
	for len(h.total) <= i {
		h.total = append(h.total, 0)
		h.bad = append(h.bad, 0)
	}
	h.total[i]++
	h.events++
	if failed {
		h.bad[i]++
		h.fails++
	}
	if h.lo.IsZero() || t.Before(h.lo) {
		h.lo = t
	}
	if t.After(h.hi) {
		h.hi = t
	}
	h.dirty = true
}

// Events and Failures are what was counted.
func (h *Histogram) Events() int   { return h.events }
func (h *Histogram) Failures() int { return h.fails }

var levels = []rune(" ▁▂▃▄▅▆▇█")

// View draws HistogramLines lines width cells wide.
func (h *Histogram) View(width int) string {
	if !h.dirty && width == h.cacheW {
		return h.cache
	}
	h.cache, h.cacheW, h.dirty = h.draw(width), width, false
	return h.cache
}

const histLabel = 8 // "events  " / "failed  "

func (h *Histogram) draw(width int) string {
	if h.events == 0 {
		return h.st.Muted.Render("No events to chart yet.") + strings.Repeat("\n", HistogramLines-1)
	}
	first, last := int(h.lo.Sub(h.origin)/h.bucket), int(h.hi.Sub(h.origin)/h.bucket)
	// Every column covers the same whole number of fine buckets, so equal
	// rates draw equal bars; only the newest column may be partial.
	fine := last - first + 1
	avail := max(width-histLabel, 1)
	k := (fine + avail - 1) / avail
	cols := (fine + k - 1) / k
	total, bad := make([]int, cols), make([]int, cols)
	peak, peakBad := 0, 0
	for c := 0; c < cols; c++ {
		for i := first + c*k; i < min(first+(c+1)*k, last+1); i++ {
			total[c] += int(h.total[i])
			bad[c] += int(h.bad[i])
		}
		peak, peakBad = max(peak, total[c]), max(peakBad, bad[c])
	}
	per := time.Duration(k) * h.bucket

	var b strings.Builder
	b.WriteString(h.st.Muted.Render(fmt.Sprintf("events per %s · %s → %s · peak %s · ", span(per),
		h.lo.Local().Format("01-02 15:04"), h.hi.Local().Format("01-02 15:04"), Count(peak))))
	b.WriteString(h.st.Tone(ToneBad, fmt.Sprintf("%s failed or denied", Count(h.fails))))
	eighths := h.Bars * 8
	for row := h.Bars - 1; row >= 0; row-- {
		b.WriteByte('\n')
		if row == 0 {
			b.WriteString(h.st.Muted.Render(Fit("events", histLabel)))
		} else {
			b.WriteString(strings.Repeat(" ", histLabel))
		}
		for c := 0; c < cols; c++ {
			th, bh := scale(total[c], peak, eighths), scale(bad[c], peak, eighths)
			fill := min(max(th-row*8, 0), 8)
			glyph := string(levels[fill])
			switch {
			case fill == 0:
				b.WriteString(glyph)
			case row*8 < bh:
				b.WriteString(h.st.Tone(ToneBad, glyph))
			default:
				b.WriteString(h.st.Tone(ToneAccent, glyph))
			}
		}
	}
	b.WriteByte('\n')
	b.WriteString(h.st.Tone(ToneBad, Fit("failed", histLabel)))
	var strip strings.Builder
	for c := 0; c < cols; c++ {
		strip.WriteRune(levels[scale(bad[c], peakBad, 8)])
	}
	b.WriteString(h.st.Tone(ToneBad, strip.String()))
	return b.String()
}

// scale maps n of peak onto 0..steps, never hiding a non-zero count.
func scale(n, peak, steps int) int {
	if n <= 0 || peak <= 0 {
		return 0
	}
	return max((n*steps+peak-1)/peak, 1)
}

// span writes a bucket width the way people say it: 30s, 15m, 2h, 1d.
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(int(d/time.Second), 1))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}
