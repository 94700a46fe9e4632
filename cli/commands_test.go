package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/spf13/cobra"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/saas"
)

// TestPlainGoldens pins the --plain output of every read whose answer is
// a table or fields (the users verbs have theirs in users_test.go).
func TestPlainGoldens(t *testing.T) {
	h := newHarness(t, 20, nil)
	fqid := h.sim.ITM.FQIDs(1)[0]
	incident := h.sim.SaaS.Newest(1)[0]
	app := h.sim.Okta.Apps()[0].ID
	finance := h.sim.Okta.GroupID("Finance")
	for _, c := range []struct {
		name string
		args []string
	}{
		{"itm show", []string{"itm", "show", fqid}},
		{"itm users", []string{"itm", "users", "--limit", "5"}},
		{"saas incidents", []string{"saas", "incidents", "--limit", "5"}},
		{"saas show", []string{"saas", "show", incident}},
		{"saas apps", []string{"saas", "apps"}},
		{"okta app-users", []string{"okta", "app-users", app}},
		{"okta user-apps", []string{"okta", "user-apps", li}},
		{"okta assignment", []string{"okta", "assignment", app, li}},
		{"okta logs", []string{"okta", "logs", "--since", "2026-11-24T12:00:00Z", "--limit", "5"}},
		{"okta group", []string{"okta", "group", finance}},
		{"okta group members", []string{"okta", "group", finance, "--members"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := c.args
			out, errs, code := h.run("", append(args, "--plain")...)
			if code != 0 || out == "" {
				t.Fatalf("%v: code %d: %s", args, code, errs)
			}
			// The simulators' ports change from run to run.
			for name, url := range map[string]string{"itm": h.sim.ITM.URL, "saas": h.sim.SaaS.URL, "okta": h.sim.Okta.URL} {
				out = strings.ReplaceAll(out, url, "{"+name+"}")
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// commands is every command of the command line, the root left out.
func commands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range root.Commands() {
		if c.Hidden {
			continue
		}
		out = append(out, c)
		out = append(out, commands(c)...)
	}
	return out
}

func TestEveryCommandHasHelpWithAnExample(t *testing.T) {
	var out bytes.Buffer
	env := &Env{In: strings.NewReader(""), Out: &out, Err: &out}
	root := New(env)
	all := commands(root)
	if len(all) < 30 {
		t.Fatalf("only %d commands", len(all))
	}
	for _, c := range all {
		if c.Short == "" || !strings.HasPrefix(c.Example, "  ") || !strings.Contains(c.Example, "triage ") {
			t.Errorf("%s: short %q, example %q", c.CommandPath(), c.Short, c.Example)
		}
	}
	for _, c := range all {
		args := append(strings.Fields(strings.TrimPrefix(c.CommandPath(), "triage ")), "--help")
		out.Reset()
		if code := Run(context.Background(), env, args); code != 0 || !strings.Contains(out.String(), "Examples:") {
			t.Errorf("%v: code %d\n%s", args, code, out.String())
		}
	}
}

func TestShellCompletions(t *testing.T) {
	h := newHarness(t, 5, nil)
	for shell, want := range map[string]string{"bash": "# bash completion V2 for triage", "zsh": "#compdef triage", "fish": "complete -c triage"} {
		out, errs, code := h.run("", "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: code %d %s\n%.200s", shell, code, errs, out)
		}
	}
	if _, errs, code := h.run("", "completion"); code != 2 || !strings.Contains(errs, "completion needs a command: bash, fish, powershell, zsh") {
		t.Errorf("bare completion: %d %q", code, errs)
	}
	// What the scripts ask the binary: the verbs and flags, described.
	out, _, code := h.run("", "__complete", "users", "")
	for _, verb := range []string{"create\t", "disable\t", "enable\t", "find\t", "update\t"} {
		if code != 0 || !strings.Contains(out, verb) {
			t.Fatalf("__complete users: %d\n%s", code, out)
		}
	}
	out, _, _ = h.run("", "__complete", "users", "disable", "x", "--okta")
	if !strings.Contains(out, "--okta-mode\t") {
		t.Fatalf("__complete users disable --okta:\n%s", out)
	}
}

func TestCheckReportsEveryTenantAndNamesOkta(t *testing.T) {
	h := newHarness(t, 5, func(c *config.Config) { c.Okta[0].APIToken = "wrong" })
	out, errs, code := h.run("", "check", "--no-headers")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var tenants []string
	for _, l := range lines {
		tenants = append(tenants, strings.Join(strings.Split(l, "\t")[:2], " "))
	}
	if code != 1 || strings.Join(tenants, ", ") != "itm demo, saas demo, okta demo, atlassian demo, essentials demo" {
		t.Fatalf("code %d:\n%s", code, out)
	}
	if !strings.HasPrefix(lines[2], "okta\tdemo\tOkta demo: 401") || !strings.HasPrefix(lines[3], "atlassian\tdemo\tOK\t") {
		t.Fatalf("lines:\n%s", out)
	}
	if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "triage: 1 of 5 tenants failed: Okta demo: 401") {
		t.Fatalf("stderr %q", errs)
	}
	out, _, code = h.run("", "check", "--json")
	var results []struct {
		Vendor string
		OK     bool
		Error  string
	}
	if code != 1 || json.Unmarshal([]byte(out), &results) != nil || len(results) != 5 || results[2].OK || !strings.Contains(results[2].Error, "Okta demo: 401") {
		t.Fatalf("--json: %d %s", code, out)
	}
}

// --severity takes words or numbers and sends 1..5; --limit N prints the
// N most recently updated, newest first, like itm tickets.
func TestSaaSIncidentsSendSeverityNumbersAndListNewestFirst(t *testing.T) {
	h := newHarness(t, 200, nil)
	out, errs, code := h.run("", "saas", "incidents", "--severity", "High,Critical", "--limit", "15", "--json")
	var incidents []struct {
		ID       json.Number `json:"incident_id"`
		Severity any         `json:"severity"`
		Updated  time.Time   `json:"updated_at"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &incidents) != nil || len(incidents) != 15 {
		t.Fatalf("code %d, %d incidents: %s", code, len(incidents), errs)
	}
	for i, in := range incidents {
		if l := saas.ParseSeverity(fmt.Sprint(in.Severity)).Level; l != 4 && l != 5 {
			t.Fatalf("severity %v listed", in.Severity)
		}
		if i > 0 && in.Updated.After(incidents[i-1].Updated) {
			t.Fatalf("incident %d (%s) is newer than the one above it (%s)", i, in.Updated, incidents[i-1].Updated)
		}
	}
	qs := h.sim.SaaS.Queries("GET /incident/api/incidents/delta")
	if len(qs) == 0 || qs[0].Get("severity") != "4,5" {
		t.Fatalf("sent %v, want severity=4,5", qs)
	}
	// The newest of all matching: nothing left out is newer than the last listed.
	out, _, _ = h.run("", "saas", "incidents", "--severity", "High,Critical", "--json")
	var all []struct {
		Updated time.Time `json:"updated_at"`
	}
	if json.Unmarshal([]byte(out), &all) != nil || len(all) <= 15 {
		t.Fatalf("%d matching incidents in all, want more than 15", len(all))
	}
	newer := 0
	for _, in := range all {
		if in.Updated.After(incidents[14].Updated) {
			newer++
		}
	}
	if newer > 14 {
		t.Fatalf("%d matching incidents are newer than the 15th listed", newer)
	}
	// The table reads the same way: the newest incident of the feed first.
	out, _, _ = h.run("", "saas", "incidents", "--limit", "1", "--plain", "--no-headers")
	if id := strings.SplitN(out, "\t", 2)[0]; id != h.sim.SaaS.Newest(1)[0] {
		t.Fatalf("first row %q, want the newest incident %s", out, h.sim.SaaS.Newest(1)[0])
	}
	sent := len(h.sim.SaaS.Queries("GET /incident/api/incidents/delta"))
	_, errs, code = h.run("", "saas", "incidents", "--severity", "severe")
	if code != 2 || !strings.Contains(errs, `--severity: severity "severe": use critical, high, medium, low, informational or 1 to 5`) {
		t.Fatalf("unknown word: %d %q", code, errs)
	}
	if _, errs, code = h.run("", "saas", "incidents", "--limit", "-3"); code != 2 || !strings.Contains(errs, "--limit -3") {
		t.Fatalf("negative limit: %d %q", code, errs)
	}
	if n := len(h.sim.SaaS.Queries("GET /incident/api/incidents/delta")); n != sent {
		t.Fatalf("a refused command sent %d requests", n-sent)
	}
}

func TestSaaSIncidentsJSONFollowsEveryPage(t *testing.T) {
	t.Parallel() // the longest tests run side by side
	// Two full pages of 500 and one more incident.
	h := newHarness(t, 1001, nil)
	out, errs, code := h.run("", "saas", "incidents", "--json")
	var incidents []struct {
		ID json.RawMessage `json:"incident_id"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &incidents) != nil || len(incidents) != 1001 {
		t.Fatalf("code %d, %d incidents: %s", code, len(incidents), errs)
	}
	seen := map[string]bool{}
	for _, in := range incidents {
		seen[string(in.ID)] = true
	}
	if n := h.sim.SaaS.Count("GET /incident/api/incidents/delta"); n != 3 || len(seen) != 1001 {
		t.Fatalf("%d pages, %d distinct incidents", n, len(seen))
	}
}

func TestSaaSAndOktaIDsCannotReachAnotherEndpoint(t *testing.T) {
	h := newHarness(t, 5, nil)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"saas", "show", "../apps"}, "..%2Fapps"},
		{[]string{"saas", "close", "../apps", "misidentified", "--yes"}, "..%2Fapps"},
		{[]string{"okta", "app-users", "../../groups"}, "..%2F..%2Fgroups"},
		{[]string{"okta", "group", "../../apps"}, "..%2F..%2Fapps"},
		{[]string{"okta", "user-apps", "../../apps"}, "..%2F..%2Fapps"},
		{[]string{"okta", "assignment", "../../apps", "../../apps"}, "..%2F..%2Fapps"},
	}
	// Each id stays one path segment: the vendor answers 404 for the
	// escaped id instead of serving another endpoint.
	for _, c := range cases {
		_, errs, code := h.run("", c.args...)
		if code != 1 || !strings.Contains(errs, "404") || !strings.Contains(errs, c.want) {
			t.Errorf("%v: code %d, %q", c.args, code, errs)
		}
	}
}

func TestAPIWritesNeedTheResponderRoleAndConfirmation(t *testing.T) {
	h := newHarness(t, 5, nil)
	h.who = identity.Analyst{Name: "bob", Role: "read-only"}
	fqid := h.sim.ITM.FQIDs(1)[0]
	path := "/activity/events/" + fqid + "/annotations/comments"
	body := `{"data":[{"kind":"it:comment:note","text":"via api"}]}`
	_, errs, code := h.run("", "api", "itm", "POST", path, "--data", body, "--yes")
	if code != 1 || !strings.Contains(errs, "bob has the read-only role") || len(h.sim.ITM.Comments(fqid)) != 0 {
		t.Fatalf("read-only: %d %q", code, errs)
	}
	if es := h.audit.Entries(); len(es) != 1 || es[0].Outcome != audit.Refused || es[0].Action != "api.post" {
		t.Fatalf("audit %+v", es)
	}
	// On a terminal a write asks first; "n" sends nothing.
	h.who, h.tty = identity.Analyst{Name: "alice", Role: "responder"}, true
	_, errs, code = h.run("n\n", "api", "itm", "POST", path, "--data", body)
	if code != 1 || !strings.Contains(errs, "POST "+path+" on itm demo? [y/N]") || len(h.sim.ITM.Comments(fqid)) != 0 {
		t.Fatalf("answered n: %d %q", code, errs)
	}
	if _, errs, code = h.run("y\n", "api", "itm", "POST", path, "--data", body); code != 0 || len(h.sim.ITM.Comments(fqid)) != 1 {
		t.Fatalf("answered y: %d %q", code, errs)
	}
}

func TestITMEmailIsTheRawMessageByteForByte(t *testing.T) {
	h := newHarness(t, 5, nil)
	fqid := h.sim.ITM.FQIDs(1)[0]
	out, errs, code := h.run("", "itm", "email", fqid, "--raw")
	if code != 0 || !strings.Contains(out, "Subject: ") || !strings.Contains(out, "From: ") || !strings.Contains(out, "\r\n") {
		t.Fatalf("code %d %s\n%.300s", code, errs, out)
	}
	raw, _, _ := h.run("", "api", "itm", "GET", "/activity/events/"+fqid+"/messages/default/contents/_raw?stream=true", "--raw")
	if raw != out {
		t.Fatalf("itm email differs from the stored message:\n%.300s\n---\n%.300s", out, raw)
	}
	if _, errs, code = h.run("", "itm", "email", "../../auth/users"); code != 1 || !strings.Contains(errs, "..%2F..%2Fauth%2Fusers") {
		t.Fatalf("escaped id: %d %s", code, errs)
	}
}
