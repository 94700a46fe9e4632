//go:build linux

package main

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"triage/backend/clock"
	"triage/backend/sim"
	"triage/cli"
)

// TestCLIWriteIsRefusedPastTheFileSizeLimit is the attack of `ulimit -f`:
// the command runs with a file-size limit its audit log has reached, so
// the line cannot be appended (EFBIG). The write is refused and ITM gets
// no request. The limit is the process's, so the command runs in a child
// process of this test.
func TestCLIWriteIsRefusedPastTheFileSizeLimit(t *testing.T) {
	if cfg := os.Getenv("TRIAGE_TEST_FSIZE_CONFIG"); cfg != "" {
		fsizeChild(cfg, os.Getenv("TRIAGE_TEST_FSIZE_FQID"))
		return
	}
	s, err := sim.Start(sim.Options{Rows: 20, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(path, []byte("{}\n"), 0o600); err != nil { // the size the limit allows
		t.Fatal(err)
	}
	cfg := auditConfig(t, s, dir, path, "refuse")
	fqid := s.ITM.FQIDs(1)[0]
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIWriteIsRefusedPastTheFileSizeLimit$")
	cmd.Env = append(os.Environ(), "TRIAGE_TEST_FSIZE_CONFIG="+cfg, "TRIAGE_TEST_FSIZE_FQID="+fqid)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "exit 1: ITM demo: not sent: audit log "+path+" cannot be written: write: file too large") {
		t.Fatalf("child printed:\n%s", out)
	}
	if n := s.ITM.Requests(); n != 0 {
		t.Fatalf("%d requests reached ITM", n)
	}
	if got := s.ITM.Comments(fqid); len(got) != 0 {
		t.Fatalf("vendor has %q", got)
	}
}

// fsizeChild runs the comment under a file-size limit of the audit log's
// size and prints the exit code and the error line.
func fsizeChild(cfg, fqid string) {
	info, err := os.Stat(filepath.Join(filepath.Dir(cfg), "audit.jsonl"))
	if err != nil {
		panic(err)
	}
	signal.Ignore(syscall.SIGXFSZ) // the write then fails with EFBIG instead of killing the process
	limit := uint64(info.Size())
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		panic(err)
	}
	root, done := rootCommand(clock.Pin(simNow))
	root.SetArgs([]string{"--config", cfg, "itm", "comment", fqid, "Past the limit."})
	err = root.Execute()
	done()
	msg := ""
	if err != nil {
		msg = cli.Message(err)
	}
	os.Stdout.WriteString("exit " + strconv.Itoa(cli.ExitCode(err)) + ": " + msg + "\n")
}
