package server

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// screen is the text a terminal shows after the console's output: enough
// of a terminal for what bubbletea's renderer sends (cursor moves, line and
// screen erases, carriage return, line feed, text), so a benchmark can read
// the status line as drawn now rather than search everything ever sent.
// Colours and modes are skipped.
type screen struct {
	rows, cols int
	grid       [][]rune
	r, c       int
	partial    []byte // an escape sequence or UTF-8 rune cut by the read
}

func newScreen(rows, cols int) *screen {
	s := &screen{rows: rows, cols: cols, grid: make([][]rune, rows)}
	for i := range s.grid {
		s.grid[i] = blank(cols)
	}
	return s
}

func blank(n int) []rune { return []rune(strings.Repeat(" ", n)) }

// String is the screen's text, one line per row, trailing blanks trimmed.
func (s *screen) String() string {
	lines := make([]string, s.rows)
	for i, row := range s.grid {
		lines[i] = strings.TrimRight(string(row), " ")
	}
	return strings.Join(lines, "\n")
}

// Write applies output to the screen.
func (s *screen) Write(p []byte) {
	b := append(s.partial, p...)
	s.partial = nil
	for len(b) > 0 {
		n := s.step(b)
		if n == 0 { // cut short: wait for the rest
			s.partial = append([]byte(nil), b...)
			return
		}
		b = b[n:]
	}
}

// step applies one control, escape sequence or rune at the start of b and
// returns its length, 0 when b holds only part of it.
func (s *screen) step(b []byte) int {
	switch b[0] {
	case '\r':
		s.c = 0
		return 1
	case '\n':
		s.down(1)
		return 1
	case '\b':
		s.c = max(s.c-1, 0)
		return 1
	case 0x1b:
		return s.escape(b)
	}
	if b[0] < 0x20 || b[0] == 0x7f {
		return 1
	}
	if !utf8.FullRune(b) {
		return 0
	}
	r, n := utf8.DecodeRune(b)
	if s.c < s.cols {
		s.grid[s.r][s.c] = r
	}
	s.c++
	return n
}

func (s *screen) down(n int) {
	for range n {
		if s.r == s.rows-1 {
			s.grid = append(s.grid[1:], blank(s.cols))
		} else {
			s.r++
		}
	}
}

// escape applies the escape sequence at the start of b.
func (s *screen) escape(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '[':
		for i := 2; i < len(b); i++ {
			if b[i] >= 0x40 && b[i] <= 0x7e {
				s.csi(string(b[2:i]), b[i])
				return i + 1
			}
		}
		return 0
	case ']', 'P', '_', '^': // a string, ended by BEL or ESC \
		for i := 2; i < len(b); i++ {
			if b[i] == 0x07 {
				return i + 1
			}
			if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '\\' {
				return i + 2
			}
		}
		return 0
	case '(', ')', '*', '+': // charset: one more byte
		if len(b) < 3 {
			return 0
		}
		return 3
	}
	return 2
}

func (s *screen) csi(params string, final byte) {
	if strings.HasPrefix(params, "?") || strings.HasPrefix(params, ">") {
		return // modes and queries
	}
	args := strings.Split(params, ";")
	arg := func(i, def int) int {
		if i < len(args) {
			if n, err := strconv.Atoi(args[i]); err == nil && n > 0 {
				return n
			}
		}
		return def
	}
	switch final {
	case 'H', 'f':
		s.r, s.c = min(arg(0, 1), s.rows)-1, min(arg(1, 1), s.cols)-1
	case 'A':
		s.r = max(s.r-arg(0, 1), 0)
	case 'B':
		s.r = min(s.r+arg(0, 1), s.rows-1)
	case 'C':
		s.c = min(s.c+arg(0, 1), s.cols-1)
	case 'D':
		s.c = max(s.c-arg(0, 1), 0)
	case 'G':
		s.c = min(arg(0, 1), s.cols) - 1
	case 'K':
		row := s.grid[s.r]
		from, to := min(s.c, s.cols), s.cols
		switch arg(0, 0) {
		case 1:
			from, to = 0, min(s.c+1, s.cols)
		case 2:
			from = 0
		}
		copy(row[from:to], blank(to-from))
	case 'J':
		switch arg(0, 0) {
		case 0:
			copy(s.grid[s.r][min(s.c, s.cols):], blank(s.cols-min(s.c, s.cols)))
			for i := s.r + 1; i < s.rows; i++ {
				s.grid[i] = blank(s.cols)
			}
		case 2, 3:
			for i := range s.grid {
				s.grid[i] = blank(s.cols)
			}
		}
	}
}

func TestScreenFollowsTheRenderer(t *testing.T) {
	s := newScreen(3, 10)
	s.Write([]byte("\x1b[?1049h\x1b[2J\x1b[H\x1b[1mone\x1b[0m\x1b[K\r\ntwo\r\nthree"))
	s.Write([]byte("\x1b[H\n\x1b[31mTWO\x1b[0m\x1b[K\r\n\x1b]11;?\x07")) // redraws line 2 only
	s.Write([]byte("é\xc3"))                                             // a rune cut by the read
	s.Write([]byte("\xa9"))
	if got, want := s.String(), "one\nTWO\nééree"; got != want {
		t.Fatalf("screen:\n%q\nwant\n%q", got, want)
	}
	s.Write([]byte("\x1b[2;2H\x1b[J"))
	if got, want := s.String(), "one\nT\n"; got != want {
		t.Fatalf("after erase below:\n%q\nwant\n%q", got, want)
	}
}
