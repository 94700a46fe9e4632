package dataset

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"triage/backend/clock"
)

type rows []string

func (r rows) Bytes() int64 { return int64(len(r)) * 100 }

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func TestTwoSessionsShareOneDataset(t *testing.T) {
	r := New(clock.Pin(t0), 0, 0)
	key := Key{"saas", "acme", "since:-24h"}
	a, created := Open(r, key, func() rows { return nil })
	if !created {
		t.Fatal("the first Open did not create the dataset")
	}
	b, created := Open(r, key, func() rows { return nil })
	if created || a != b {
		t.Fatalf("the second Open on the same key made another dataset (created %v)", created)
	}
	if c, created := Open(r, Key{"saas", "acme", "state:open"}, func() rows { return nil }); !created || c == a {
		t.Fatal("a new query did not start a new dataset")
	}
}

func TestBeginIsSharedAndWaitSeesEachPublish(t *testing.T) {
	r := New(clock.Pin(t0), 0, 0)
	d, _ := Open(r, Key{"saas", "acme", ""}, func() rows { return nil })
	if !d.Begin() {
		t.Fatal("the first Begin was refused")
	}
	if d.Begin() {
		t.Fatal("a second Begin while the first runs was allowed: two loads of one query")
	}
	st := d.Read()
	var wg sync.WaitGroup
	got := make([]State[rows], 2)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = d.Wait(context.Background(), st.Version)
		}()
	}
	old := d.Read().Snap
	d.Publish(func(s rows) rows { return append(s[:len(s):len(s)], "1") })
	wg.Wait()
	for i, g := range got {
		if len(g.Snap) != 1 || g.Snap[0] != "1" {
			t.Fatalf("session %d saw %v, want the published row", i, g.Snap)
		}
	}
	if len(old) != 0 {
		t.Fatalf("an earlier snapshot changed: %v", old)
	}
	d.End(true, errors.New("boom"))
	if st := d.Read(); st.Busy || !st.Done || st.Err == nil {
		t.Fatalf("after End: %+v", st)
	}
	if !d.Begin() {
		t.Fatal("Begin after End was refused")
	}
}

func TestWaitEndsWithItsContext(t *testing.T) {
	d, _ := Open(New(clock.Pin(t0), 0, 0), Key{}, func() rows { return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Wait(ctx, d.Read().Version); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled context: %v", err)
	}
}

func TestIdleDatasetsAreDroppedOverBudget(t *testing.T) {
	clk := clock.Pin(t0)
	r := New(clk, 1000, time.Minute) // ten rows
	full := func() rows { return make(rows, 8) }
	old, _ := Open(r, Key{Query: "old"}, full)
	clk.Advance(2 * time.Minute)
	recent, _ := Open(r, Key{Query: "recent"}, func() rows { return nil })
	recent.Publish(func(rows) rows { return make(rows, 8) })
	if r.Len() != 2 {
		t.Fatalf("%d datasets held, want 2 before the trim", r.Len())
	}
	clk.Advance(30 * time.Second)
	r.Trim() // over budget: 1,600 bytes; only "old" is idle
	if r.Len() != 1 {
		t.Fatalf("%d datasets after the trim, want 1", r.Len())
	}
	if old.Context().Err() == nil {
		t.Fatal("the dropped dataset's loads were not cancelled")
	}
	if recent.Context().Err() != nil {
		t.Fatal("the dataset read within the idle time was dropped")
	}
	if _, created := Open(r, Key{Query: "old"}, full); !created {
		t.Fatal("opening a dropped query did not start it again")
	}
}

func TestAWaitingSessionKeepsItsDataset(t *testing.T) {
	clk := clock.Pin(t0)
	r := New(clk, 100, time.Minute)
	d, _ := Open(r, Key{Query: "watched"}, func() rows { return make(rows, 5) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan struct{})
	go func() {
		d.mu.Lock()
		v := d.state.Version
		d.mu.Unlock()
		close(waiting)
		d.Wait(ctx, v)
	}()
	<-waiting
	for { // until the waiter is registered
		d.mu.Lock()
		n := d.waiting
		d.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	clk.Advance(time.Hour)
	r.Trim()
	if r.Len() != 1 {
		t.Fatal("a dataset a session is waiting on was dropped")
	}
}
