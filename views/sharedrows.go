package views

import (
	"context"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/dataset"
)

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

// watchSet waits for a dataset's next state while a page is being read,
// and looks again every so often while none is; msg wraps the state for
// the tab, whose handling starts the next watch, so a tab has one watch
// per query. It ends with ctx (the tab moved on to another query).
func watchSet[S dataset.Snapshot](ctx context.Context, set *dataset.Set[S], version uint64, every time.Duration, msg func(dataset.State[S]) tea.Msg) tea.Cmd {
	if !set.Read().Busy {
		return pollAfter(ctx, every, func() tea.Msg { return msg(set.Read()) })
	}
	return func() tea.Msg {
		st, err := set.Wait(ctx, version)
		if err != nil {
			return nil
		}
		return msg(st)
	}
}

// failures says a dataset's failure once: two waits of one session on one
// read (its load and its refresh, asked for while the read was running)
// both see the read end, and one failure is one line on the status bar.
type failures struct{ said uint64 }

// first is true the first time the state of version is seen failing.
func (f *failures) first(version uint64) bool {
	if version == f.said {
		return false
	}
	f.said = version
	return true
}

// publisher is how a view of set writes: it builds the dataset's next
// snapshot from the current one with next and change, and returns it. Nil
// (no dataset yet: the view builds its own) when set is.
func publisher[S dataset.Snapshot](set *dataset.Set[S], next func(S) S) func(change func(S)) S {
	if set == nil {
		return nil
	}
	return func(change func(S)) S {
		return set.Publish(func(s S) S { n := next(s); change(n); return n }).Snap
	}
}
