package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/clock"
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
