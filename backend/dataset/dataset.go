// Package dataset shares one tenant's query results between every session
// of a server: a dataset is loaded once, refreshed once, and read through
// immutable snapshots. A session keeps only its own view of a snapshot (its
// filter, sort, marks and cursor); the rows are stored once.
//
// The package knows nothing of vendors: a dataset's snapshot type S and the
// loader that builds it come from the tab that reads it.
package dataset

import (
	"context"
	"sync"
	"time"

	"triage/backend/clock"
)

// Key names a dataset: one kind of list ("saas"), one tenant, one query as
// the analyst wrote it. A relative window ("since:-24h") is the same key
// for every session; the loader re-reads it against the clock.
type Key struct {
	Kind, Tenant, Query string
}

// Snapshot is an immutable state of a dataset. Bytes is roughly what it
// holds, for the memory budget.
type Snapshot interface {
	Bytes() int64
}

// State is one published state of a dataset.
type State[S Snapshot] struct {
	Snap    S
	Version uint64
	Done    bool  // the load reached the end of the feed
	Err     error // why the last load or refresh stopped, if it failed
	Busy    bool  // a load or refresh is running
}

// Set is one shared dataset.
type Set[S Snapshot] struct {
	clock clock.Clock
	ctx   context.Context // the dataset's loads; cancelled when it is dropped
	stop  context.CancelFunc

	mu      sync.Mutex
	state   State[S]
	changed chan struct{} // closed on each publish
	seen    time.Time     // last read by a session
	waiting int           // sessions waiting for its next state: looking at it now
}

func newSet[S Snapshot](c clock.Clock, empty S) *Set[S] {
	ctx, stop := context.WithCancel(context.Background())
	return &Set[S]{clock: c, ctx: ctx, stop: stop, state: State[S]{Snap: empty}, changed: make(chan struct{}), seen: c.Now()}
}

// Context is the dataset's own: loads run under it, not under a session's,
// so a session that leaves does not stop the others' load.
func (d *Set[S]) Context() context.Context { return d.ctx }

// Read is the current state; reading counts as looking at the dataset.
func (d *Set[S]) Read() State[S] {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen = d.clock.Now()
	return d.state
}

// Wait blocks until a state newer than version is published, or ctx ends.
func (d *Set[S]) Wait(ctx context.Context, version uint64) (State[S], error) {
	for {
		d.mu.Lock()
		st, ch := d.state, d.changed
		if st.Version > version {
			d.seen = d.clock.Now()
		}
		d.mu.Unlock()
		if st.Version > version {
			return st, nil
		}
		d.mu.Lock()
		d.waiting++
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		d.mu.Lock()
		d.waiting--
		d.mu.Unlock()
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
	}
}

// Idle waits until no load or refresh is running, or ctx ends: the
// answer for the session that asked for one, whoever ran it.
func (d *Set[S]) Idle(ctx context.Context) (State[S], error) {
	st := d.Read()
	for st.Busy {
		var err error
		if st, err = d.Wait(ctx, st.Version); err != nil {
			return st, err
		}
	}
	return st, nil
}

// Begin marks a load or refresh as running; it returns false when one
// already is, so the caller shares it instead of starting another.
func (d *Set[S]) Begin() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state.Busy {
		return false
	}
	d.state.Busy = true
	d.publishLocked()
	return true
}

// Publish replaces the snapshot with next(current), under the dataset's
// lock: next must not change current, only build from it.
func (d *Set[S]) Publish(next func(S) S) State[S] {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state.Snap = next(d.state.Snap)
	d.publishLocked()
	return d.state
}

// Restart replaces the snapshot with empty for a load from the start (a
// window that moved back): the dataset is no longer read to its end. The
// caller has begun it; sessions on it stay on it and see the new load.
func (d *Set[S]) Restart(empty S) State[S] {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state.Snap, d.state.Done, d.state.Err = empty, false, nil
	d.publishLocked()
	return d.state
}

// End closes a load or refresh: done says the feed was read to its end,
// err why it stopped short.
func (d *Set[S]) End(done bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state.Busy, d.state.Err = false, err
	d.state.Done = d.state.Done || done
	d.publishLocked()
}

func (d *Set[S]) publishLocked() {
	d.state.Version++
	close(d.changed)
	d.changed = make(chan struct{})
}

// lastSeen is when a session last read it; now while one is waiting on it.
func (d *Set[S]) lastSeen(now time.Time) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.waiting > 0 {
		return now
	}
	return d.seen
}

func (d *Set[S]) bytes() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state.Snap.Bytes()
}

// DefaultMemory is the budget when [serve] dataset_memory is not set.
const DefaultMemory = 1 << 30

// DefaultIdle is how long nobody must have looked at a dataset before it may
// be dropped to stay within the budget.
const DefaultIdle = 5 * time.Minute

// Registry holds a server's datasets, one per key.
type Registry struct {
	clock  clock.Clock
	budget int64
	idle   time.Duration

	mu   sync.Mutex
	sets map[Key]held
}

// held is a dataset as the registry sees it, whatever its snapshot type.
type held interface {
	lastSeen(now time.Time) time.Time
	bytes() int64
	drop()
}

func (d *Set[S]) drop() { d.stop() }

// New is a registry keeping its datasets within budget bytes (0: the
// default), dropping those nobody has read for idle (0: the default).
func New(c clock.Clock, budget int64, idle time.Duration) *Registry {
	if budget <= 0 {
		budget = DefaultMemory
	}
	if idle <= 0 {
		idle = DefaultIdle
	}
	return &Registry{clock: clock.Or(c), budget: budget, idle: idle, sets: map[Key]held{}}
}

// Open returns the dataset for key, creating it with an empty snapshot
// when there is none (created is then true: the caller starts its load).
// Datasets of another snapshot type under the same key are replaced.
func Open[S Snapshot](r *Registry, key Key, empty func() S) (d *Set[S], created bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h, ok := r.sets[key]; ok {
		if d, ok := h.(*Set[S]); ok {
			d.mu.Lock()
			d.seen = r.clock.Now()
			d.mu.Unlock()
			return d, false
		}
		h.drop()
	}
	d = newSet(r.clock, empty())
	r.sets[key] = d
	r.trimLocked(key)
	return d, true
}

// Drop forgets key's dataset, e.g. after a load that failed at once; a
// session still reading it keeps its snapshot.
func (r *Registry) Drop(key Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h, ok := r.sets[key]; ok {
		h.drop()
		delete(r.sets, key)
	}
}

// Trim drops idle datasets, least recently read first, while the whole
// is over budget. Open trims too; a server may call it from time to time.
func (r *Registry) Trim() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trimLocked(Key{})
}

// TrimEvery trims every d until stop closes: datasets grow as they page
// and refresh, not only when one is opened. A server runs it.
func (r *Registry) TrimEvery(d time.Duration, stop <-chan struct{}) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			r.Trim()
		case <-stop:
			return
		}
	}
}

// Bytes is what the registry's datasets hold, roughly.
func (r *Registry) Bytes() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var total int64
	for _, h := range r.sets {
		total += h.bytes()
	}
	return total
}

// Len is how many datasets are held.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sets)
}

func (r *Registry) trimLocked(keep Key) {
	var total int64
	type cand struct {
		key  Key
		seen time.Time
		size int64
	}
	var idle []cand
	now := r.clock.Now()
	for k, h := range r.sets {
		size := h.bytes()
		total += size
		if seen := h.lastSeen(now); k != keep && now.Sub(seen) >= r.idle {
			idle = append(idle, cand{k, seen, size})
		}
	}
	for total > r.budget && len(idle) > 0 {
		oldest := 0
		for i, c := range idle {
			if c.seen.Before(idle[oldest].seen) {
				oldest = i
			}
		}
		c := idle[oldest]
		idle = append(idle[:oldest], idle[oldest+1:]...)
		r.sets[c.key].drop()
		delete(r.sets, c.key)
		total -= c.size
	}
}
