package views

import "slices"

// sharedRows is what the ITM and SaaS rows have in common as a shared
// dataset's snapshots: the rows' array, shared with the snapshot before
// until a row is replaced, and the log of rows changed since the load, for
// the other sessions to mark. C is how a change names its row.
type sharedRows[R, C any] struct {
	rows    []R
	shared  bool // rows' array is also an earlier snapshot's: copy before replacing a row
	changes []C
	seq     uint64
}

// own gives the snapshot its own rows before one is replaced in place.
func (s *sharedRows[R, C]) own() {
	if s.shared {
		s.rows = slices.Clone(s.rows)
		s.shared = false
	}
}

// logChange adds a change, keeping the log bounded: a session further
// behind than maxChanges reads the rows whole.
func (s *sharedRows[R, C]) logChange(c C) {
	if len(s.changes) >= maxChanges {
		s.changes = slices.Clone(s.changes[len(s.changes)-maxChanges/2:])
	}
	s.changes = append(s.changes, c)
}
