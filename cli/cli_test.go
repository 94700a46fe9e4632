package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/sim"
)

var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	sim   *sim.Sim
	cfg   *config.Config
	audit *audit.Memory
	who   identity.Analyst
	tty   bool          // stdin is a terminal: destructive verbs ask on it
	out   bool          // stdout is a terminal
	clock *clock.Pinned // the simulators' and the commands' present
}

func newHarness(t *testing.T, rows int, edit func(*config.Config)) *harness {
	t.Helper()
	return newHarnessAt(t, rows, simNow, edit)
}

// newHarnessAt is newHarness with the simulators and the commands pinned
// at another instant.
func newHarnessAt(t *testing.T, rows int, at time.Time, edit func(*config.Config)) *harness {
	t.Helper()
	return newHarnessWith(t, at, sim.Options{Rows: rows}, edit)
}

// newHarnessWith is newHarnessAt with more of the simulators' options.
func newHarnessWith(t *testing.T, at time.Time, o sim.Options, edit func(*config.Config)) *harness {
	t.Helper()
	now := clock.Pin(at)
	o.Clock = now
	s, err := sim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cfg := s.Config()
	cfg.State.Dir = t.TempDir() // the remediation journal
	if edit != nil {
		edit(cfg)
	}
	return &harness{t: t, sim: s, cfg: cfg, audit: &audit.Memory{}, who: identity.Analyst{Name: "alice", Role: "responder"}, clock: now}
}

// run runs a command line as a script would (no terminal, unless the test
// sets tty or out) and returns stdout, stderr and the exit code.
func (h *harness) run(stdin string, args ...string) (string, string, int) {
	h.t.Helper()
	var out, errb bytes.Buffer
	env := &Env{In: strings.NewReader(stdin), Out: &out, Err: &errb, Analyst: h.who, InTTY: h.tty, OutTTY: h.out, Clock: h.clock,
		Open: func() (*backend.Set, error) { return backend.Open(h.cfg, backend.Options{Audit: h.audit}) }}
	code := Run(context.Background(), env, args)
	return out.String(), errb.String(), code
}

func TestITMTicketsPlainGolden(t *testing.T) {
	h := newHarness(t, 60, nil)
	out, errs, code := h.run("", "itm", "tickets", "--since", "2026-11-20", "--limit", "8")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errs)
	}
	golden.RequireEqual(t, []byte(out))
}

func TestITMTicketsJSONFetchesEveryPage(t *testing.T) {
	t.Parallel() // the longest tests run side by side
	// Two full pages of 500 and one more ticket.
	h := newHarness(t, 1001, nil)
	out, errs, code := h.run("", "itm", "tickets", "--since", "2026-10-01", "--json")
	var tickets []struct {
		FQID string `json:"fqid"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &tickets) != nil {
		t.Fatalf("code %d: %s", code, errs)
	}
	seen := map[string]bool{}
	for _, tk := range tickets {
		seen[tk.FQID] = true
	}
	if len(tickets) != 1001 || len(seen) != 1001 {
		t.Fatalf("%d tickets, %d distinct, want all 1001 across pages", len(tickets), len(seen))
	}
	if n := h.sim.ITM.Count("POST /v2/apis/activity/event-queries"); n != 3 {
		t.Fatalf("%d queries for 1001 tickets, want 3 pages of 500", n)
	}
	out, _, _ = h.run("", "itm", "tickets", "--since", "2026-10-01", "--json", "--limit", "7")
	json.Unmarshal([]byte(out), &tickets)
	if len(tickets) != 7 {
		t.Fatalf("--limit 7 gave %d", len(tickets))
	}
}

// Severity is matched on each page, so --limit N reads pages until N rows
// match: the first N of the full list, not the matches among N rows.
func TestITMTicketsSeverityLimitReturnsNMatches(t *testing.T) {
	h := newHarness(t, 600, nil)
	fqids := func(args ...string) []string {
		t.Helper()
		out, errs, code := h.run("", append([]string{"itm", "tickets", "--since", "2026-06-01", "--json", "--severity", "critical"}, args...)...)
		var tickets []struct {
			FQID     string `json:"fqid"`
			Incident struct {
				Severity string `json:"severity"`
			} `json:"incident"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &tickets) != nil {
			t.Fatalf("%v: code %d: %s", args, code, errs)
		}
		var ids []string
		for _, tk := range tickets {
			if !strings.HasSuffix(tk.Incident.Severity, ":critical") {
				t.Fatalf("%s is %s", tk.FQID, tk.Incident.Severity)
			}
			ids = append(ids, tk.FQID)
		}
		return ids
	}
	all := fqids()
	if len(all) < 13 {
		t.Fatalf("only %d critical incidents in the demo", len(all))
	}
	for _, n := range []int{1, 2, 6, 12, len(all) - 1} {
		got := fqids("--limit", strconv.Itoa(n))
		if strings.Join(got, " ") != strings.Join(all[:n], " ") {
			t.Errorf("--limit %d: %d rows %v, want the first %d of %d", n, len(got), got, n, len(all))
		}
	}
}

func TestITMWritesFromTheCommandLine(t *testing.T) {
	h := newHarness(t, 20, nil)
	fqid := h.sim.ITM.FQIDs(1)[0]
	if _, errs, code := h.run("Escalated to legal\n", "itm", "comment", fqid, "-"); code != 0 {
		t.Fatalf("comment: %d %s", code, errs)
	}
	if got := h.sim.ITM.Comments(fqid); len(got) != 1 || got[0] != "Escalated to legal" {
		t.Fatalf("comments %q", got)
	}
	if _, errs, code := h.run("", "itm", "assign", fqid, "u-soc-003"); code != 0 {
		t.Fatalf("assign: %d %s", code, errs)
	}
	// A status by its configured title.
	if _, errs, code := h.run("", "itm", "status", fqid, "resolved", "--category", "it:workflow:disposition:category:closed"); code != 0 {
		t.Fatalf("status: %d %s", code, errs)
	}
	out, _, _ := h.run("", "itm", "show", fqid, "--plain")
	for _, want := range []string{"status\tresolved", "assignee\tu-soc-003", "comments\tEscalated to legal"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	es := h.audit.Entries()
	if len(es) != 3 || es[2].Params["status"] != sim.ITMStatuses[4].ID || es[0].Analyst != "alice" {
		t.Fatalf("audit %+v", es)
	}
}

func TestReadOnlyWritesExitOne(t *testing.T) {
	h := newHarness(t, 5, nil)
	h.who = identity.Analyst{Name: "bob", Role: "read-only"}
	fqid := h.sim.ITM.FQIDs(1)[0]
	_, errs, code := h.run("", "itm", "comment", fqid, "hello")
	if code != 1 || !strings.Contains(errs, "bob has the read-only role") || len(h.sim.ITM.Comments(fqid)) != 0 {
		t.Fatalf("code %d, %q", code, errs)
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	h := newHarness(t, 5, nil)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"itm", "show"}, 2, "show needs FQID"},
		{[]string{"itm", "tickets", "--since", "yesterday-ish"}, 2, "--since"},
		{[]string{"itm", "tickets", "--tenant", "nope"}, 2, `no ITM tenant named "nope"`},
		{[]string{"itm", "show", "missing-ticket"}, 1, "ITM demo: 404"},
		{[]string{"itm"}, 2, "needs a command"},
		{[]string{"api", "itm", "DELETE", "/activity/events/x"}, 2, "refusing without --yes"},
		{[]string{"saas", "remediate", "61099d000001f255910606b7", "system_quarantine"}, 2, "refusing without --yes"},
		{[]string{"api", "itm", "GET", "relative"}, 2, "must start with /"},
		{[]string{"api", "nothere", "GET", "/x"}, 2, "no nothere tenant"},
		{[]string{"foo"}, 2, `unknown command "foo" for "triage"`},
		{[]string{"itm", "tickts"}, 2, `did you mean "tickets"?`},
		{[]string{"itm", "tickets", "--json", "--plain"}, 2, "--json and --plain are two output formats: give one"},
		{[]string{"saas", "incidents", "--plain", "--json"}, 2, "--json and --plain"},
		{[]string{"itm", "tickets", "--limit", "abc"}, 2, `--limit "abc": give a whole number`},
	}
	for _, c := range cases {
		_, errs, code := h.run("", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Contains(errs, "strconv") {
			t.Errorf("%v: code %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}

func TestIDsCannotReachAnotherEndpoint(t *testing.T) {
	h := newHarness(t, 5, nil)
	_, errs, code := h.run("", "itm", "show", "../../auth/users")
	if code != 1 || !strings.Contains(errs, "404") || !strings.Contains(errs, "..%2F..%2Fauth%2Fusers") {
		t.Fatalf("code %d: %s", code, errs)
	}
}

func TestCheckNamesTheFailingTenant(t *testing.T) {
	h := newHarness(t, 5, func(c *config.Config) {
		c.ITM = append(c.ITM, c.ITM[0])
		c.ITM[1].Name, c.ITM[1].ClientSecret = "broken", "wrong"
	})
	out, errs, code := h.run("", "check")
	if code != 1 || !strings.Contains(out, "itm\tdemo\tOK") || !strings.Contains(out, "itm\tbroken\tITM broken: 401") || !strings.Contains(errs, "1 of 6 tenants failed") {
		t.Fatalf("code %d\n%s\n%s", code, out, errs)
	}
}

func TestAPIReadsAndAuditedWrites(t *testing.T) {
	h := newHarness(t, 5, nil)
	out, errs, code := h.run("", "api", "itm", "GET", "/auth/users?limit=2")
	var body map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &body) != nil || len(body["data"].([]any)) != 2 {
		t.Fatalf("code %d %s %s", code, out, errs)
	}
	fqid := h.sim.ITM.FQIDs(1)[0]
	_, errs, code = h.run(`{"data":[{"kind":"it:comment:note","text":"via api"}]}`, "api", "itm", "POST", "/activity/events/"+fqid+"/annotations/comments", "--data", "-", "--yes")
	if code != 0 || len(h.sim.ITM.Comments(fqid)) != 1 {
		t.Fatalf("api write: %d %s", code, errs)
	}
	if es := h.audit.Entries(); len(es) != 1 || es[0].Action != "api.post" {
		t.Fatalf("audit %+v", es)
	}
	if _, errs, code = h.run("", "api", "itm", "POST", "/x", "--data", "{nope", "--yes"); code != 2 || !strings.Contains(errs, "not JSON") {
		t.Fatalf("bad data: %d %s", code, errs)
	}
}

func TestSaaSVerbs(t *testing.T) {
	// Every page is TestSaaSIncidentsJSONFollowsEveryPage's.
	h := newHarness(t, 60, nil)
	out, errs, code := h.run("", "saas", "incidents", "--json")
	var incidents []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &incidents) != nil || len(incidents) != 60 {
		t.Fatalf("incidents --json: code %d, %d incidents, %s", code, len(incidents), errs)
	}
	out, _, _ = h.run("", "saas", "incidents", "--limit", "4", "--state", "open")
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 5 || !strings.Contains(out, "Open-") {
		t.Fatalf("--limit 4 --state open:\n%s", out)
	}
	id := h.sim.SaaS.Newest(1)[0]
	if _, errs, code = h.run("", "saas", "close", id, "business_justified"); code != 2 || !strings.Contains(errs, "refusing without --yes") {
		t.Fatalf("close without --yes: %d %s", code, errs)
	}
	if state, _ := h.sim.SaaS.IncidentState(id); state != "open" {
		t.Fatalf("closed without confirmation: %s", state)
	}
	if _, errs, code = h.run("", "saas", "close", id, "business_justified", "--yes"); code != 0 {
		t.Fatalf("close: %d %s", code, errs)
	}
	if state, cat := h.sim.SaaS.IncidentState(id); state != "closed" || cat != "business_justified" {
		t.Fatalf("vendor state %s %s", state, cat)
	}
	if _, errs, code = h.run("", "saas", "close", id, "because", "--yes"); code != 2 || !strings.Contains(errs, "misidentified, no_reason or business_justified") {
		t.Fatalf("bad category: %d %s", code, errs)
	}
	asset := h.sim.SaaS.AssetOf(id)
	if _, errs, code = h.run("", "saas", "remediate", asset, "system_quarantine", "--yes"); code != 0 {
		t.Fatalf("remediate: %d %s", code, errs)
	}
	if got := h.sim.SaaS.RemediationStatus(asset, "system_quarantine"); got == "" {
		t.Fatal("the vendor has no remediation")
	}
	out, errs, code = h.run("", "saas", "remediation", asset, "system_quarantine", "--plain")
	if code != 0 || !strings.Contains(out, "type\tsystem_quarantine") {
		t.Fatalf("remediation: %d %s %s", code, out, errs)
	}
	data, _ := os.ReadFile(filepath.Join(h.cfg.State.Dir, "remediations.json"))
	if !strings.Contains(string(data), asset) {
		t.Fatal("the remediation was not recorded in the journal")
	}
	es := h.audit.Entries()
	if len(es) != 2 || es[0].Action != "saas.close" || es[1].Action != "saas.remediate" {
		t.Fatalf("audit %+v", es)
	}
	out, _, code = h.run("", "saas", "apps")
	if code != 0 || !strings.Contains(out, "Box") {
		t.Fatalf("apps:\n%s", out)
	}
}

func TestOktaVerbs(t *testing.T) {
	h := newHarness(t, 200, nil)
	out, errs, code := h.run("", "okta", "apps", "--limit", "5")
	if code != 0 {
		t.Fatalf("apps: %d %s", code, errs)
	}
	golden.RequireEqual(t, []byte(out))
	// --limit 5 asks Okta for a page of 5, once.
	if qs := h.sim.Okta.Queries("GET /api/v1/apps"); len(qs) != 1 || qs[0].Get("limit") != "5" {
		t.Fatalf("--limit 5 asked %v", qs)
	}
	apps := h.sim.Okta.Apps()
	out, errs, code = h.run("", "okta", "user-apps", "li.chen@acme.example", "--json")
	var links []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &links) != nil || len(links) == 0 {
		t.Fatalf("user-apps: %d %s", code, errs)
	}
	assigned := map[string]bool{}
	for _, l := range links {
		assigned[l["appInstanceId"].(string)] = true
	}
	for _, a := range apps[:10] {
		out, errs, code = h.run("", "okta", "assignment", a.ID, "li.chen@acme.example", "--plain")
		want := "assigned\tno"
		if assigned[a.ID] {
			want = "assigned\tyes"
		}
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("assignment %s: %d %q %s (want %q)", a.ID, code, out, errs, want)
		}
	}
	out, errs, code = h.run("", "okta", "logs", "--since", "48h", "--filter", `actor.alternateId eq "li.chen@acme.example"`, "--json")
	var events []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &events) != nil || len(events) == 0 {
		t.Fatalf("logs: %d %s", code, errs)
	}
	for _, e := range events {
		if e["actor"].(map[string]any)["alternateId"] != "li.chen@acme.example" {
			t.Fatalf("filter leaked %v", e["actor"])
		}
	}
	if _, errs, code = h.run("", "okta", "logs", "--filter", "eventType equals nonsense"); code != 1 || !strings.Contains(errs, "Okta demo: 400") {
		t.Fatalf("bad filter: %d %s", code, errs)
	}
	out, errs, code = h.run("", "okta", "group", h.sim.Okta.GroupID("Everyone"), "--members", "--plain")
	if code != 0 || !strings.Contains(out, "li.chen@acme.example") {
		t.Fatalf("group --members: %d %s", code, errs)
	}
	if _, errs, code = h.run("", "okta", "app-users", "0oaNOPE"); code != 1 || !strings.Contains(errs, "404") {
		t.Fatalf("unknown app: %d %s", code, errs)
	}
}

// More apps than one page of Okta's largest: pages of 200 by Link until
// --limit is reached, then cut to it.
func TestOktaAppsLimitAcrossPages(t *testing.T) {
	h := newHarness(t, 21_000, nil)
	if n := len(h.sim.Okta.Apps()); n <= 205 {
		t.Fatalf("only %d apps in the simulator", n)
	}
	out, errs, code := h.run("", "okta", "apps", "--limit", "205", "--no-headers")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 205 {
		t.Fatalf("apps --limit 205: %d %s, %d lines", code, errs, len(lines))
	}
	qs := h.sim.Okta.Queries("GET /api/v1/apps")
	if len(qs) != 2 || qs[0].Get("limit") != "200" || qs[1].Get("limit") != "200" || qs[1].Get("after") == "" {
		t.Fatalf("asked %v", qs)
	}
}
