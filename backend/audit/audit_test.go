package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// lines reads the JSONL file at path.
func lines(t *testing.T, path string) []Entry {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []Entry
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%q is not an entry: %v", l, err)
		}
		out = append(out, e)
	}
	return out
}

func TestADeletedOrRotatedLogIsWrittenAfresh(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Record(Entry{Action: "first"}); err != nil {
		t.Fatal(err)
	}
	// Rotated: renamed away, as logrotate does without copytruncate.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(Entry{Action: "second"}); err != nil {
		t.Fatal(err)
	}
	// Deleted.
	if err := os.Remove(path + ".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(Entry{Action: "third"}); err != nil {
		t.Fatal(err)
	}
	if es := lines(t, path); len(es) != 1 || es[0].Action != "third" {
		t.Fatalf("after deletion the file holds %+v", es)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("recreated with mode %04o", info.Mode().Perm())
	}
	if l.Err() != nil {
		t.Fatalf("Err after a written line: %v", l.Err())
	}
}

func TestARenamedLogGetsNothingMore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, _ := Open(path)
	l.Record(Entry{Action: "before"})
	os.Rename(path, path+".1")
	l.Record(Entry{Action: "after"})
	if es := lines(t, path+".1"); len(es) != 1 || es[0].Action != "before" {
		t.Fatalf("the rotated file holds %+v", es)
	}
	if es := lines(t, path); len(es) != 1 || es[0].Action != "after" {
		t.Fatalf("the new file holds %+v", es)
	}
}

func TestUnwritableLogsFailEveryLineAndSayWhy(t *testing.T) {
	cases := map[string]func(t *testing.T, path string){
		"a directory in its place": func(t *testing.T, path string) {
			os.Remove(path)
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		},
		"a full disk": func(t *testing.T, path string) {
			if _, err := os.Stat("/dev/full"); err != nil {
				t.Skip("no /dev/full")
			}
			os.Remove(path)
			if err := os.Symlink("/dev/full", path); err != nil {
				t.Fatal(err)
			}
		},
		"read-only (chmod 0400)": func(t *testing.T, path string) {
			if os.Geteuid() == 0 {
				t.Skip("root writes a 0400 file")
			}
			if err := os.Chmod(path, 0o400); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			spoil(t, path)
			err = l.Record(Entry{Action: "x"})
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "cannot be written") {
				t.Fatalf("Record: %v", err)
			}
			if l.Err() == nil || l.Reopen() == nil {
				t.Fatalf("Err %v after a failed line", l.Err())
			}
			if _, err := Open(path); err == nil {
				t.Fatal("Open says an unwritable log is fine")
			}
		})
	}
	if info, err := os.Stat("/dev/full"); err == nil && info.Mode().Perm() != 0o666 {
		t.Fatalf("/dev/full's mode changed to %04o", info.Mode().Perm())
	}
}

func TestReopenRecreatesARotatedLogAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, _ := Open(path)
	l.Record(Entry{Action: "x"})
	os.Rename(path, path+".1")
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(path); err != nil || info.Size() != 0 || info.Mode().Perm() != 0o600 {
		t.Fatalf("after Reopen: %v %v", info, err)
	}
}

func TestMemoryEntriesAreOutcomesAndLinesEverything(t *testing.T) {
	var m Memory
	m.Record(Entry{Action: "a", Outcome: Pending})
	m.Record(Entry{Action: "a", Outcome: OK})
	if len(m.Lines()) != 2 || len(m.Entries()) != 1 || m.Entries()[0].Outcome != OK {
		t.Fatalf("lines %+v entries %+v", m.Lines(), m.Entries())
	}
	m.SetFail(errors.New("disk full"))
	if m.Record(Entry{}) == nil || Problem(&m) == nil || len(m.Lines()) != 2 {
		t.Fatal("a failing Memory kept the line")
	}
}
