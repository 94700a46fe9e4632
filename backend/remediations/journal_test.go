package remediations

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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
