package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"triage/backend/identity"
	"triage/backend/sim"
)

const li = "li.chen@acme.example"

// states is li's account status at Okta, Atlassian and Essentials.
func (h *harness) states(email string) string {
	okta := h.sim.Okta.UserStatus(email)
	atl, _ := h.sim.Atlassian.Active(email)
	ess, _ := h.sim.Essentials.Active(email)
	return strings.Join([]string{okta, activeWord(atl), activeWord(ess)}, " ")
}

func activeWord(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}

type findJSON struct {
	Email     string `json:"email"`
	Providers []struct {
		Vendor, Tenant, Result, Note, Error string
		Account                             *struct {
			ID, Email, Status string
			Enabled           bool
			Raw               map[string]any
		}
	}
}

func TestUsersFindCoversEveryProvider(t *testing.T) {
	h := newHarness(t, 60, nil)
	out, errs, code := h.run("", "users", "find", li, "--json")
	var got findJSON
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("code %d: %s\n%s", code, errs, out)
	}
	var vendors []string
	for _, p := range got.Providers {
		vendors = append(vendors, p.Vendor)
		if p.Tenant != "demo" || p.Result != "found" || p.Account == nil || !strings.EqualFold(p.Account.Email, li) ||
			!p.Account.Enabled || len(p.Account.Raw) == 0 {
			t.Fatalf("%s: %+v", p.Vendor, p)
		}
	}
	if got.Email != li || strings.Join(vendors, ",") != "okta,atlassian,essentials" {
		t.Fatalf("providers %v for %q", vendors, got.Email)
	}

	out, errs, code = h.run("", "users", "find", li, "--plain")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errs)
	}
	golden.RequireEqual(t, []byte(out))

	// Absent everywhere is an answer, not a failure.
	out, _, code = h.run("", "users", "find", "nobody@acme.example", "--json")
	var nobody findJSON
	json.Unmarshal([]byte(out), &nobody)
	if code != 0 || len(nobody.Providers) != 3 || nobody.Providers[0].Result != "absent" || nobody.Providers[2].Account != nil {
		t.Fatalf("absent: code %d %s", code, out)
	}

	// Only the providers asked for.
	out, _, code = h.run("", "users", "find", li, "--provider", "essentials,okta", "--no-headers")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "okta\t") ||
		!strings.HasPrefix(lines[1], "essentials\t") {
		t.Fatalf("--provider essentials,okta: %d\n%s", code, out)
	}
}

func TestUsersFindSaysWhichProviderFailed(t *testing.T) {
	h := newHarness(t, 60, nil)
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/users/", Status: 500, Body: `{"message":"user store unavailable"}`})
	out, errs, code := h.run("", "users", "find", li, "--json")
	var got findJSON
	json.Unmarshal([]byte(out), &got)
	if code != 1 || len(got.Providers) != 3 || got.Providers[0].Result != "found" || got.Providers[2].Result != "error" ||
		!strings.Contains(got.Providers[2].Error, "user store unavailable") {
		t.Fatalf("code %d: %s", code, out)
	}
	if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "1 of 3 providers failed: Essentials demo: 500: user store unavailable") {
		t.Fatalf("stderr %q", errs)
	}
}

func TestUsersDisableAsksOrNeedsYes(t *testing.T) {
	h := newHarness(t, 60, nil)
	_, errs, code := h.run("", "users", "disable", li)
	if code != 2 || !strings.Contains(errs, "Disable "+li+" at Okta demo (suspend), Atlassian demo, Essentials demo: refusing without --yes") {
		t.Fatalf("no terminal, no --yes: code %d, %q", code, errs)
	}
	if got := h.states(li); got != "ACTIVE active active" || len(h.audit.Entries()) != 0 {
		t.Fatalf("disabled without confirmation: %s, %d writes", got, len(h.audit.Entries()))
	}

	// On a terminal, "n" leaves them as they are and "y" goes ahead.
	h.tty = true
	_, errs, code = h.run("n\n", "users", "disable", li)
	if code != 1 || !strings.Contains(errs, "cancelled") || h.states(li) != "ACTIVE active active" {
		t.Fatalf("answered n: code %d, %q, %s", code, errs, h.states(li))
	}
	out, errs, code := h.run("y\n", "users", "disable", li, "--provider", "okta")
	if code != 0 || !strings.Contains(errs, "Disable "+li+" at Okta demo (suspend)? [y/N]") || !strings.Contains(out, "okta\tdemo\tdisabled\tSUSPENDED") {
		t.Fatalf("answered y: code %d, %q\n%s", code, errs, out)
	}
}

func TestUsersDisableAndEnableEverywhere(t *testing.T) {
	h := newHarness(t, 60, nil)
	out, errs, code := h.run("", "users", "disable", li, "--yes")
	if code != 0 {
		t.Fatalf("disable: %d %s", code, errs)
	}
	golden.RequireEqual(t, []byte(out))
	if got := h.states(li); got != "SUSPENDED inactive inactive" {
		t.Fatalf("after disable: %s", got)
	}
	// Again: nothing to do, and nothing sent.
	writes := len(h.audit.Entries())
	out, _, code = h.run("", "users", "disable", li, "--yes", "--no-headers")
	if code != 0 || strings.Count(out, "\tunchanged\t") != 3 || !strings.Contains(out, "already SUSPENDED") || len(h.audit.Entries()) != writes {
		t.Fatalf("disable again: %d\n%s", code, out)
	}
	out, errs, code = h.run("", "users", "enable", li, "--json")
	var got findJSON
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.Providers[0].Result != "enabled" || got.Providers[0].Account.Status != "ACTIVE" {
		t.Fatalf("enable: %d %s\n%s", code, errs, out)
	}
	if got := h.states(li); got != "ACTIVE active active" {
		t.Fatalf("after enable: %s", got)
	}
	// Okta can deactivate instead, and enable activates them again.
	out, errs, code = h.run("", "users", "disable", li, "--provider", "okta", "--okta-mode", "deactivate", "--yes")
	if code != 0 || !strings.Contains(out, "okta\tdemo\tdisabled\tDEPROVISIONED") || h.states(li) != "DEPROVISIONED active active" {
		t.Fatalf("deactivate: %d %s\n%s", code, errs, out)
	}
	if _, errs, code = h.run("", "users", "enable", li); code != 0 || h.states(li) != "ACTIVE active active" {
		t.Fatalf("enable after deactivate: %d %s %s", code, errs, h.states(li))
	}
	var actions []string
	for _, e := range h.audit.Entries() {
		actions = append(actions, e.Action)
		if e.Analyst != "alice" {
			t.Fatalf("audit %+v", e)
		}
	}
	if len(actions) != 8 {
		t.Fatalf("audit actions %v", actions)
	}
	if _, errs, code = h.run("", "users", "disable", li, "--okta-mode", "delete", "--yes"); code != 2 || !strings.Contains(errs, "use suspend or deactivate") {
		t.Fatalf("--okta-mode delete: %d %s", code, errs)
	}
	if _, errs, code = h.run("", "users", "enable", "nobody@acme.example"); code != 1 ||
		!strings.Contains(errs, "nobody@acme.example is not at Okta demo, Atlassian demo, Essentials demo") {
		t.Fatalf("nobody: %d %s", code, errs)
	}
}

func TestUsersPartialFailureSaysWhereAndExitsOne(t *testing.T) {
	h := newHarness(t, 60, nil)
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/users/" + li, Method: "PUT", Status: 500,
		Body: `{"message":"user store unavailable"}`})
	out, errs, code := h.run("", "users", "disable", li, "--yes", "--no-headers")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 3 || !strings.HasPrefix(lines[0], "okta\tdemo\tdisabled\tSUSPENDED") ||
		!strings.HasPrefix(lines[1], "atlassian\tdemo\tdisabled\tinactive") || !strings.HasPrefix(lines[2], "essentials\tdemo\terror\tactive") {
		t.Fatalf("code %d:\n%s", code, out)
	}
	if !strings.Contains(errs, "1 of 3 providers failed: Essentials demo: 500: user store unavailable [PUT /api/v1/orgs/acme.example/users/li.chen@acme.example]") {
		t.Fatalf("stderr %q", errs)
	}
	// Okta suspends only ACTIVE people (one just created is PROVISIONED),
	// and the line says what to do instead.
	h.run("", "users", "create", "--email", "new.hire@acme.example", "--first", "New", "--last", "Hire", "--provider", "okta")
	out, errs, code = h.run("", "users", "disable", "new.hire@acme.example", "--provider", "okta", "--yes")
	if code != 1 || !strings.Contains(out, "okta\tdemo\terror\tPROVISIONED") || !strings.Contains(out, "Okta suspends only ACTIVE users: --okta-mode deactivate") ||
		!strings.Contains(errs, "Okta demo: 400") {
		t.Fatalf("suspend a PROVISIONED person: %d %s\n%s", code, errs, out)
	}
}

func TestUsersLostAnswersAreReadBackNotResent(t *testing.T) {
	h := newHarness(t, 60, nil)
	out, _, _ := h.run("", "users", "find", li, "--provider", "atlassian", "--json")
	var found findJSON
	if json.Unmarshal([]byte(out), &found) != nil || found.Providers[0].Account == nil {
		t.Fatalf("find:\n%s", out)
	}
	patch := "PATCH /scim/directory/" + sim.AtlassianDirectoryID + "/Users/" + found.Providers[0].Account.ID
	h.sim.Atlassian.Inject(&sim.Fault{Path: "/scim/directory/", Method: "PATCH", DropAfter: true, Times: 1})
	out, errs, code := h.run("", "users", "disable", li, "--provider", "atlassian", "--yes")
	if code != 0 || !strings.Contains(out, "atlassian\tdemo\tdisabled\tinactive") || !strings.Contains(out, "the answer was lost; reading back shows it applied") {
		t.Fatalf("lost and applied: %d %s\n%s", code, errs, out)
	}
	if n := h.sim.Atlassian.Count(patch); n != 1 {
		t.Fatalf("%d PATCHes: a lost write was sent again", n)
	}
	// Lost without being applied: read back, and said to be not applied.
	h.sim.Atlassian.Inject(&sim.Fault{Path: "/scim/directory/", Method: "PATCH", Drop: true, Times: 1})
	out, errs, code = h.run("", "users", "enable", li, "--provider", "atlassian")
	if code != 1 || !strings.Contains(out, "atlassian\tdemo\terror\tinactive") || !strings.Contains(errs, "reading back shows it was not applied: try again") {
		t.Fatalf("lost and not applied: %d %s\n%s", code, errs, out)
	}
	if n := h.sim.Atlassian.Count(patch); n != 2 {
		t.Fatalf("%d PATCHes, want 2", n)
	}
}

func TestUsersCreate(t *testing.T) {
	h := newHarness(t, 60, nil)
	out, errs, code := h.run("", "users", "create", "--email", "new.hire@acme.example", "--first", "New", "--last", "Hire",
		"--title", "Analyst", "--department", "Security")
	if code != 0 {
		t.Fatalf("create: %d %s", code, errs)
	}
	golden.RequireEqual(t, []byte(out))
	if h.sim.Okta.UserStatus("new.hire@acme.example") == "" || h.sim.Atlassian.Title("new.hire@acme.example") != "Analyst" ||
		h.sim.Essentials.Name("new.hire@acme.example") != "New Hire" {
		t.Fatal("not created everywhere")
	}
	// A second create fails at each provider, on its own line.
	out, errs, code = h.run("", "users", "create", "--email", "new.hire@acme.example", "--first", "New", "--last", "Hire", "--provider", "atlassian")
	if code != 1 || !strings.Contains(out, "atlassian\tdemo\terror") || !strings.Contains(errs, "409") {
		t.Fatalf("second create: %d %s\n%s", code, errs, out)
	}
}

func TestUsersUpdateSendsOnlyWhatChanged(t *testing.T) {
	h := newHarness(t, 60, nil)
	out, errs, code := h.run("", "users", "update", li, "--set", "title=Lead Analyst", "--set", "last-name=Chen-Wu")
	if code != 0 {
		t.Fatalf("update: %d %s", code, errs)
	}
	golden.RequireEqual(t, []byte(out))
	if h.sim.Atlassian.Title(li) != "Lead Analyst" || h.sim.Essentials.Name(li) != "Li Chen-Wu" {
		t.Fatalf("updated: %q %q", h.sim.Atlassian.Title(li), h.sim.Essentials.Name(li))
	}
	// What is already so is not sent again.
	writes := len(h.audit.Entries())
	out, _, code = h.run("", "users", "update", li, "--set", "lastName=Chen-Wu", "--no-headers")
	if code != 0 || strings.Count(out, "\tunchanged\t") != 3 || len(h.audit.Entries()) != writes {
		t.Fatalf("update again: %d\n%s", code, out)
	}
}

func TestUsersUsageErrors(t *testing.T) {
	h := newHarness(t, 5, nil)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"users"}, "users needs a command: create, disable, enable, find, update"},
		{[]string{"users", "find"}, "find needs EMAIL"},
		{[]string{"users", "find", li, "--provider", "ldap"}, `--provider "ldap": use okta, atlassian or essentials`},
		{[]string{"users", "find", li, "--tenant", "prod"}, `no IAM tenant named "prod" is configured (configured: Okta demo, Atlassian demo, Essentials demo)`},
		{[]string{"users", "create", "--email", "nope", "--first", "A", "--last", "B"}, `--email "nope" is not an email address`},
		{[]string{"users", "create", "--email", "a@acme.example", "--first", "A"}, "create needs --first and --last"},
		{[]string{"users", "update", li}, "update needs at least one --set"},
		{[]string{"users", "update", li, "--set", "title"}, "use FIELD=VALUE"},
		{[]string{"users", "update", li, "--set", "phone=1"}, "FIELD is first, last, display, title, department or organization"},
		{[]string{"users", "update", li, "--set", "first="}, "the first name cannot be empty"},
	}
	for _, c := range cases {
		_, errs, code := h.run("", c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: code %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
	if len(h.audit.Entries()) != 0 {
		t.Fatal("a usage error wrote something")
	}
}

func TestUsersReadOnlyWritesExitOne(t *testing.T) {
	h := newHarness(t, 60, nil)
	h.who = identity.Analyst{Name: "bob", Role: "read-only"}
	out, errs, code := h.run("", "users", "disable", li, "--yes")
	if code != 1 || strings.Count(out, "bob has the read-only role") != 3 || !strings.Contains(errs, "3 of 3 providers failed") {
		t.Fatalf("code %d %s\n%s", code, errs, out)
	}
	if h.states(li) != "ACTIVE active active" {
		t.Fatalf("read-only disabled them: %s", h.states(li))
	}
	// Reading is allowed.
	if _, errs, code = h.run("", "users", "find", li); code != 0 {
		t.Fatalf("read-only find: %d %s", code, errs)
	}
}

func TestUsersIDsCannotReachAnotherEndpoint(t *testing.T) {
	h := newHarness(t, 60, nil)
	out, errs, code := h.run("", "users", "find", "../../apps", "--json")
	var got findJSON
	json.Unmarshal([]byte(out), &got)
	if code != 0 || len(got.Providers) != 3 || got.Providers[0].Result != "absent" || got.Providers[2].Result != "absent" {
		t.Fatalf("code %d %s\n%s", code, errs, out)
	}
	if h.sim.Okta.Count("GET /api/v1/apps") != 0 || h.sim.Okta.Count("GET /api/v1/users/../../apps") != 1 ||
		h.sim.Essentials.Count("GET /api/v1/orgs/acme.example/users/../../apps@acme.example") != 1 {
		t.Fatal("the id was not one path segment")
	}
	if _, errs, code = h.run("", "users", "disable", "../../apps", "--yes"); code != 1 || !strings.Contains(errs, "is not at") || len(h.audit.Entries()) != 0 {
		t.Fatalf("disable: %d %s", code, errs)
	}
}

// An Okta person never activated (STAGED) is activated, and one activated
// who has not finished (PROVISIONED) gets the activation started again
// (reactivate, as Okta's spec allows only that from PROVISIONED): neither
// is "already enabled".
func TestUsersEnableActivatesStagedAndProvisionedOktaPeople(t *testing.T) {
	h := newHarness(t, 300, nil)
	find := func(status string) string {
		for i := 0; i < 100; i++ {
			if email := sim.PersonAt(i).Email; h.sim.Okta.UserStatus(email) == status {
				return email
			}
		}
		t.Fatalf("no %s person in the simulator", status)
		return ""
	}
	staged, provisioned := find("STAGED"), find("PROVISIONED")
	for _, c := range []struct{ email, op string }{{staged, "activate"}, {provisioned, "reactivate"}} {
		id := h.sim.Okta.UserID(c.email)
		out, errs, code := h.run("", "users", "enable", c.email, "--provider", "okta", "--no-headers")
		if code != 0 || !strings.HasPrefix(out, "okta\tdemo\tenabled\tPROVISIONED") {
			t.Fatalf("enable %s: %d %s\n%s", c.email, code, errs, out)
		}
		if n := h.sim.Okta.Count("POST /api/v1/users/" + id + "/lifecycle/" + c.op); n != 1 {
			t.Fatalf("%s: %d POSTs to lifecycle/%s", c.email, n, c.op)
		}
	}
	es := h.audit.Entries()
	if len(es) != 2 || es[0].Action != "okta.activate" || es[0].Outcome != "ok" || es[1].Action != "okta.reactivate" || es[1].Outcome != "ok" {
		t.Fatalf("audit %+v", es)
	}
}
