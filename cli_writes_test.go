package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/saas"
	"triage/backend/sim"
	"triage/cli"
)

// cliRun runs the triage command line and returns what it printed, on
// stdout then stderr (where it reports what it did), and its error, as the
// shell would show them.
func cliRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	capture := func(f **os.File) (restore func() string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		old := *f
		*f = w
		out := make(chan string)
		go func() {
			b, _ := io.ReadAll(r)
			out <- string(b)
		}()
		return func() string {
			*f = old
			w.Close()
			return <-out
		}
	}
	stdout, stderr := capture(&os.Stdout), capture(&os.Stderr)
	root, done := rootCommand(clock.Pin(simNow)) // the commands print to the process's stdout and stderr
	root.SetArgs(args)
	err := root.Execute()
	done()
	return stdout() + stderr(), err
}

// TestCLILostWritesAreReadBackNotResent: the command line's writes whose
// answer is lost. Applied, the command reads back and says it went
// through, having sent it once; not applied, it says so and exits with an
// error, and running it again applies it once.
func TestCLILostWritesAreReadBackNotResent(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 20, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	auditPath := filepath.Join(dir, "audit.jsonl")
	cfg := writeFile(t, dir, "config.toml", fmt.Sprintf(`[audit]
path = %q
[state]
dir = %q
[[itm]]
name = "demo"
base_url = %q
client_id = %q
client_secret = %q
[[saas]]
name = "demo"
base_url = %q
client_id = %q
client_secret = %q
`, auditPath, filepath.Join(dir, "state"), s.ITM.URL, sim.ITMClientID, sim.ITMClientSecret, s.SaaS.URL, sim.SaaSClientID, sim.SaaSClientSecret))
	fqid := s.ITM.FQIDs(1)[0]
	ev := "/v2/apis/activity/events/" + fqid

	type step struct {
		name   string
		fault  func() // injects the loss
		args   []string
		says   string // in the output, or in the error when fails
		fails  bool
		counts func() int // requests of the write so far
		want   int
	}
	comments := func() int { return s.ITM.Count("POST " + ev + "/annotations/comments") }
	assigns := func() int { return s.ITM.Count("PUT " + ev + "/annotations/workflow/assignment") }
	statuses := func() int { return s.ITM.Count("PATCH " + ev + "/annotations/workflow") }
	id := s.SaaS.Newest(1)[0]
	closes := func() int { return s.SaaS.Count("POST /incident/api/incidents/" + id + "/state") }
	asset := s.SaaS.AssetOf(id)
	starts := func() int { return s.SaaS.Count("POST /remediation/api/assets") }
	itmLoss := func(path, method string, after bool) func() {
		return func() {
			s.ITM.Inject(&sim.Fault{Path: ev + path, Method: method, Drop: !after, DropAfter: after, Times: 1})
		}
	}
	saasLoss := func(path string, after bool) func() {
		return func() {
			s.SaaS.Inject(&sim.Fault{Path: path, Method: "POST", Drop: !after, DropAfter: after, Times: 1})
		}
	}
	c := []string{"--config", cfg}
	steps := []step{
		{"comment lost after", itmLoss("/annotations/comments", "POST", true), append(c, "itm", "comment", fqid, "first note"),
			"the answer was lost; reading the ticket back shows it", false, comments, 1},
		{"comment lost before", itmLoss("/annotations/comments", "POST", false), append(c, "itm", "comment", fqid, "second note"),
			"the ticket does not show it, so it was not applied: send it again", true, comments, 2},
		{"comment again", func() {}, append(c, "itm", "comment", fqid, "second note"), "comment added to", false, comments, 3},
		{"assign lost after", itmLoss("/annotations/workflow/assignment", "PUT", true), append(c, "itm", "assign", fqid, "u-soc-003"),
			"assigned to u-soc-003", false, assigns, 1},
		{"assign lost before", itmLoss("/annotations/workflow/assignment", "PUT", false), append(c, "itm", "assign", fqid, "u-soc-004"),
			"the ticket does not show the change, so it was not applied: try again", true, assigns, 2},
		{"status lost after", itmLoss("/annotations/workflow", "PATCH", true), append(c, "itm", "status", fqid, sim.ITMStatuses[2].ID),
			"status set to", false, statuses, 1},
		{"status lost before", itmLoss("/annotations/workflow", "PATCH", false), append(c, "itm", "status", fqid, sim.ITMStatuses[3].ID),
			"so it was not applied: try again", true, statuses, 2},
		{"close lost before", saasLoss("/incident/api/incidents/"+id+"/state", false), append(c, "saas", "close", id, "misidentified", "--yes"),
			"the incident is not closed as misidentified, so it was not applied: try again", true, closes, 1},
		{"close lost after", saasLoss("/incident/api/incidents/"+id+"/state", true), append(c, "saas", "close", id, "misidentified", "--yes"),
			"closed as misidentified", false, closes, 2},
		{"remediation lost before", saasLoss("/remediation/api/assets", false), append(c, "saas", "remediate", asset, saas.Quarantine, "--yes"),
			"the vendor shows no such remediation, so it was not started: try again", true, starts, 1},
		{"remediation lost after", saasLoss("/remediation/api/assets", true), append(c, "saas", "remediate", asset, saas.Quarantine, "--yes"),
			"started", false, starts, 2},
	}
	for _, st := range steps {
		st.fault()
		out, err := cliRun(t, st.args...)
		s.ITM.Inject(nil)
		s.SaaS.Inject(nil)
		switch {
		case st.fails && (err == nil || !strings.Contains(cli.Message(err), st.says)):
			t.Errorf("%s: want an error saying %q, got %v (printed %q)", st.name, st.says, err, out)
		case !st.fails && (err != nil || !strings.Contains(out, st.says)):
			t.Errorf("%s: want success saying %q, got %v (printed %q)", st.name, st.says, err, out)
		case st.fails && strings.Contains(cli.Message(err), "may have been applied"):
			t.Errorf("%s: the read-back settled it, yet the error says it may have applied: %v", st.name, err)
		}
		if got := st.counts(); got != st.want {
			t.Errorf("%s: %d requests of the write so far, want %d", st.name, got, st.want)
		}
	}
	if got := s.ITM.Comments(fqid); !slices.Equal(got, []string{"first note", "second note"}) {
		t.Errorf("vendor has comments %q", got)
	}
	if st, cat := s.SaaS.IncidentState(id); st != "closed" || cat != saas.Misidentified {
		t.Errorf("vendor has %s/%s", st, cat)
	}
	// Every attempt has its audit line.
	f, err := os.Open(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var outcomes []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e audit.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		outcomes = append(outcomes, e.Action+" "+e.Outcome)
	}
	// A pending line before each write is sent, its outcome after, and for
	// a lost answer what reading back showed: confirmed, or not applied.
	var want []string
	for _, w := range []struct{ action, ends string }{
		{"itm.comment", "unknown confirmed"}, {"itm.comment", "unknown error"}, {"itm.comment", "ok"},
		{"itm.assign", "unknown confirmed"}, {"itm.assign", "unknown error"},
		{"itm.status", "unknown confirmed"}, {"itm.status", "unknown error"},
		{"saas.close", "unknown error"}, {"saas.close", "unknown confirmed"},
		{"saas.remediate", "unknown error"}, {"saas.remediate", "unknown confirmed"},
	} {
		for _, o := range strings.Fields("pending " + w.ends) {
			want = append(want, w.action+" "+o)
		}
	}
	if !slices.Equal(outcomes, want) {
		t.Errorf("audit %v, want %v", outcomes, want)
	}
}

// spoilers make an audit log unwritable, each the way a host can: a
// directory where the file was, a full disk (/dev/full answers every write
// with ENOSPC, as a file past its size limit or a full disk does), a file
// made read-only. undo puts a writable file back.
var spoilers = []struct {
	name  string
	spoil func(t *testing.T, path string)
}{
	{"a directory in its place", func(t *testing.T, path string) {
		os.Remove(path)
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	}},
	{"a full disk", func(t *testing.T, path string) {
		if _, err := os.Stat("/dev/full"); err != nil {
			t.Skip("no /dev/full")
		}
		os.Remove(path)
		if err := os.Symlink("/dev/full", path); err != nil {
			t.Fatal(err)
		}
	}},
	{"a read-only file", func(t *testing.T, path string) {
		if os.Geteuid() == 0 {
			t.Skip("root writes a mode 0400 file")
		}
		os.WriteFile(path, nil, 0o600)
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
	}},
}

// auditLines reads an audit file as "action outcome" lines.
func auditLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e audit.Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		out = append(out, e.Action+" "+e.Outcome)
	}
	return out
}

// auditConfig is a config of the ITM simulator with its audit log at path.
func auditConfig(t *testing.T, s *sim.Sim, dir, path, onError string) string {
	return writeFile(t, dir, "config.toml", fmt.Sprintf(`[audit]
path = %q
on_error = %q
[state]
dir = %q
[[itm]]
name = "demo"
base_url = %q
client_id = %q
client_secret = %q
`, path, onError, filepath.Join(dir, "state"), s.ITM.URL, sim.ITMClientID, sim.ITMClientSecret))
}

// TestCLIWritesAreRefusedWhenTheAuditLogCannotBeWritten: with the audit
// log unwritable, a write is refused before anything reaches the vendor:
// exit 1 and one line saying why. Once the log can be written again, the
// same command goes through.
func TestCLIWritesAreRefusedWhenTheAuditLogCannotBeWritten(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 20, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fqid := s.ITM.FQIDs(1)[0]
	for _, sp := range spoilers {
		t.Run(sp.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "audit.jsonl")
			cfg := auditConfig(t, s, dir, path, "refuse")
			sp.spoil(t, path)
			before := s.ITM.Requests()
			out, err := cliRun(t, "--config", cfg, "itm", "comment", fqid, "Refused unaudited.")
			if err == nil || cli.ExitCode(err) != 1 || !strings.Contains(cli.Message(err), "ITM demo: not sent: audit log "+path+" cannot be written") {
				t.Fatalf("exit %d, %v (printed %q): want a refusal naming the audit log", cli.ExitCode(err), err, out)
			}
			if n := s.ITM.Requests() - before; n != 0 {
				t.Fatalf("%d requests reached ITM", n)
			}
			// Writable again: the same command goes through, audited.
			os.Remove(path)
			if _, err := cliRun(t, "--config", cfg, "itm", "comment", fqid, "Audited."); err != nil {
				t.Fatal(err)
			}
			if got := auditLines(t, path); strings.Join(got, ",") != "itm.comment pending,itm.comment ok" {
				t.Fatalf("audit %v", got)
			}
		})
	}
	if got := s.ITM.Comments(fqid); slices.Contains(got, "Refused unaudited.") {
		t.Fatalf("a refused comment reached the vendor: %q", got)
	}
}

// TestCLIWarnsAndSendsWhenTheConfigChoseWarn: on_error = "warn" is the
// explicit choice to send a write the log cannot record; the command says
// so on stderr and still succeeds.
func TestCLIWarnsAndSendsWhenTheConfigChoseWarn(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 20, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fqid := s.ITM.FQIDs(1)[0]
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	cfg := auditConfig(t, s, dir, path, "warn")
	spoilers[0].spoil(t, path)
	out, err := cliRun(t, "--config", cfg, "itm", "comment", fqid, "Sent unrecorded.")
	if err != nil || !strings.Contains(out, "triage: warning: audit log "+path+" cannot be written") || !strings.Contains(out, `writes are sent unrecorded (audit.on_error = "warn")`) {
		t.Fatalf("%v, printed %q", err, out)
	}
	if got := s.ITM.Comments(fqid); !slices.Equal(got, []string{"Sent unrecorded."}) {
		t.Fatalf("vendor has %q", got)
	}
}

// TestCLIRecreatesADeletedOrRotatedAuditLog: each command's writes go to
// the file at the configured path as it is then, created (0600) if it was
// deleted or rotated away; a rotated file gets nothing more.
func TestCLIRecreatesADeletedOrRotatedAuditLog(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 20, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fqid := s.ITM.FQIDs(1)[0]
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	cfg := auditConfig(t, s, dir, path, "refuse")
	comment := func(text string) {
		t.Helper()
		if out, err := cliRun(t, "--config", cfg, "itm", "comment", fqid, text); err != nil {
			t.Fatalf("%v (printed %q)", err, out)
		}
	}
	comment("First.")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	comment("After the deletion.")
	if got := auditLines(t, path); strings.Join(got, ",") != "itm.comment pending,itm.comment ok" {
		t.Fatalf("after deletion: %v", got)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	comment("After the rotation.")
	comment("And again.")
	if got := auditLines(t, path); len(got) != 4 {
		t.Fatalf("after rotation the new file holds %v", got)
	}
	if got := auditLines(t, path+".1"); len(got) != 2 {
		t.Fatalf("the rotated file holds %v", got)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("recreated: %v %v", info, err)
	}
}

// TestServeLogsWritesRefusedForWantOfAnAuditLog: under `triage serve` the
// clients log to the server's log (g.log, stderr), so a write refused
// because the audit log cannot be written is an error line there, as is
// the problem at start.
func TestServeLogsWritesRefusedForWantOfAnAuditLog(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 20, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	cfg := auditConfig(t, s, dir, path, "refuse")
	spoilers[0].spoil(t, path)
	var log strings.Builder
	g := &globals{configPath: cfg, clock: clock.Pin(simNow), log: slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo})}
	sess, err := openSession(g, false)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.close()
	if w := strings.Join(sess.cfg.Warnings, "\n"); !strings.Contains(w, "audit log "+path+" cannot be written") || !strings.Contains(w, "writes are refused") {
		t.Fatalf("start warnings %q", w)
	}
	ctx := identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder", Fingerprint: "SHA256:k"})
	err = sess.backends.ITM[0].Comment(ctx, s.ITM.FQIDs(1)[0], "Refused.", "")
	if !errors.Is(err, httpx.ErrAuditUnavailable) || s.ITM.Requests() != 0 {
		t.Fatalf("%v, %d requests", err, s.ITM.Requests())
	}
	if l := log.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "write refused: the audit log cannot be written") ||
		!strings.Contains(l, "action=itm.comment") || !strings.Contains(l, path) {
		t.Fatalf("server log %q", l)
	}
	// SIGHUP's reopen, once the directory is gone, creates the file.
	os.Remove(path)
	if err := sess.audit.Reopen(); err != nil || sess.audit.Err() != nil {
		t.Fatalf("reopen: %v", err)
	}
}

// TestCheckPrintsTheConfigWarnings: a config holding a secret in clear that
// others can read is reported by check, on stderr, not only in the console.
func TestCheckPrintsTheConfigWarnings(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 5, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	cfg := auditConfig(t, s, dir, filepath.Join(dir, "audit.jsonl"), "refuse") // client_secret in clear
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := cliRun(t, "--config", cfg, "check")
	want := "triage: warning: " + cfg + " holds secrets and is readable by group or others (mode 0644); run: chmod 600 " + cfg
	if err != nil || !strings.Contains(out, want) || !strings.Contains(out, "itm\tdemo\tOK") {
		t.Fatalf("%v, printed %q; want %q", err, out, want)
	}
	os.Chmod(cfg, 0o600)
	if out, err := cliRun(t, "--config", cfg, "check"); err != nil || strings.Contains(out, "warning") {
		t.Fatalf("%v, printed %q; want no warning at mode 0600", err, out)
	}
}
