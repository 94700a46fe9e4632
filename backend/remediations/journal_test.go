package remediations

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"triage/backend/store"
	"triage/backend/store/storetest"
)

func TestRecordsSurviveARestartNewestFirst(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	j := Open(dir)
	if recs, err := j.List(); err != nil || len(recs) != 0 {
		t.Fatalf("a missing journal is empty: %v %v", recs, err)
	}
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	a, err := j.Add(Record{Kind: KindAsset, Vendor: "saas", Tenant: "us", TargetID: "61099dc46b544e38fa3ce89a", TargetName: "payroll.pdf",
		Type: "system_quarantine", StartedBy: "alice", StartedAt: t0, Status: Pending, Params: map[string]any{"incident": "4"}})
	if err != nil || a.ID == "" {
		t.Fatalf("add: %v %+v", err, a)
	}
	b, _ := j.Add(Record{Kind: KindAsset, Vendor: "saas", Tenant: "us", TargetID: "x", Type: "system_restore", StartedBy: "bob", StartedAt: t0.Add(time.Minute), Status: Pending})
	done := t0.Add(90 * time.Second)
	if _, err := j.Update(a.ID, func(r *Record) { r.Status, r.FinishedAt, r.VendorStatus = Success, done, "success" }); err != nil {
		t.Fatal(err)
	}
	// A restart: a new Journal over the same directory.
	recs, err := Open(dir).List()
	if err != nil || len(recs) != 2 {
		t.Fatalf("after restart: %v %v", recs, err)
	}
	if recs[0].ID != b.ID || recs[1].ID != a.ID || recs[1].Status != Success || !recs[1].Done() || recs[1].Elapsed(time.Now()) != 90*time.Second ||
		recs[1].Params["incident"] != "4" || recs[1].TargetName != "payroll.pdf" {
		t.Fatalf("records: %+v", recs)
	}
	info, err := os.Stat(j.Path())
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("journal mode: %v %v", info.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
	if _, err := j.Update("nope", func(*Record) {}); err == nil {
		t.Fatal("updating a missing record succeeded")
	}
}

func TestConcurrentSessionsLoseNothing(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for s := 0; s < 8; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := Open(dir) // each session its own Journal, as SSH sessions have
			for i := 0; i < 10; i++ {
				if _, err := j.Add(Record{TargetID: fmt.Sprintf("%d-%d", s, i), StartedAt: time.Now(), Status: Pending}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	recs, err := Open(dir).List()
	if err != nil || len(recs) != 80 {
		t.Fatalf("%d records, want 80: %v", len(recs), err)
	}
}

func TestAnUnreadableJournalIsNeverOverwritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	os.WriteFile(path, []byte(`{"version":1,"remediations":[{"id":"a"`), 0o600)
	j := Open(dir)
	if _, err := j.List(); err == nil || !strings.Contains(err.Error(), "not readable") {
		t.Fatalf("list: %v", err)
	}
	if _, err := j.Add(Record{TargetID: "x"}); err == nil {
		t.Fatal("add over an unreadable journal succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != `{"version":1,"remediations":[{"id":"a"` {
		t.Fatalf("journal changed: %s", b)
	}
}

func TestElapsedOfAPendingRecordRunsOn(t *testing.T) {
	r := Record{StartedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Status: Pending}
	if got := r.Elapsed(r.StartedAt.Add(time.Minute)); got != time.Minute {
		t.Fatalf("elapsed %s", got)
	}
}

// TestTwoHostsOnPostgresShareOneJournal: records added at once through two
// hosts' journals on one database are all there, in either.
func TestTwoHostsOnPostgresShareOneJournal(t *testing.T) {
	dsn := storetest.Postgres(t)
	var hosts [2]*Journal
	for i := range hosts {
		st, err := store.OpenPostgres(dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		hosts[i] = New(st)
	}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for h, j := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if _, err := j.Add(Record{Kind: KindAsset, Vendor: "saas", Tenant: "demo", TargetID: fmt.Sprintf("asset-%d-%d", h, i),
					Type: "system_quarantine", StartedBy: "alice", StartedAt: at.Add(time.Duration(i) * time.Second), Status: Pending}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for h, j := range hosts {
		recs, err := j.List()
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, r := range recs {
			ids[r.TargetID] = true
		}
		if len(recs) != 20 || len(ids) != 20 {
			t.Fatalf("host %d lists %d records, %d assets: want all 20 of both hosts", h, len(recs), len(ids))
		}
	}
	// An update through one host is what the other lists.
	recs, _ := hosts[0].List()
	if _, err := hosts[1].Update(recs[0].ID, func(r *Record) { r.Status = Success }); err != nil {
		t.Fatal(err)
	}
	again, _ := hosts[0].List()
	if again[0].ID != recs[0].ID || again[0].Status != Success {
		t.Fatalf("after the other host's update: %+v", again[0])
	}
	if _, err := hosts[0].Update("no-such-id", func(*Record) {}); err == nil || !strings.Contains(err.Error(), "no record no-such-id") {
		t.Fatalf("updating a record nobody has: %v", err)
	}
}
