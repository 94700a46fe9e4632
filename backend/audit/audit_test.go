package audit

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLogAppendsOneLinePerEntryWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l.Record(Entry{Analyst: "alice", Vendor: "itm", Tenant: "prod", Action: "comment", Target: "t1", Outcome: OK, Params: map[string]any{"i": i}})
		}(i)
	}
	wg.Wait()
	l.Close()

	// Reopening appends; it never truncates.
	l, _ = Open(path)
	l.Record(Entry{Analyst: "bob", Action: "assign", Outcome: Failed})
	l.Close()

	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o", info.Mode().Perm())
	}
	f, _ := os.Open(path)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	var last Entry
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %d is not JSON: %v", n+1, err)
		}
		if last.Time.IsZero() {
			t.Fatalf("line %d has no time", n+1)
		}
		n++
	}
	if n != 51 || last.Analyst != "bob" {
		t.Fatalf("%d lines, last %+v", n, last)
	}
}

func TestOpenTightensAnExistingLoosePermission(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	os.WriteFile(path, []byte("{}\n"), 0o644)
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o", info.Mode().Perm())
	}
}
