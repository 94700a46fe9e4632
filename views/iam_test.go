package views

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/remediations"
	"triage/backend/sim"
)

const li = "li.chen@acme.example"

// openIAM shows tab 5 once every provider's list is in.
func openIAM(h console) {
	h.base().t.Helper()
	h.typeKeys("5")
	h.waitUntil("the people of every provider", func(f string) bool {
		return strings.Contains(f, "NAME") && strings.Contains(f, "ESSENTIALS") && !strings.Contains(f, "Loading people")
	})
}

// lookUp filters on an email and looks the person up everywhere.
func lookUp(h console, email string) {
	h.base().t.Helper()
	h.typeKeys("/", "ctrl+u") // from an empty filter
	h.typeText(email)
	h.typeKeys("enter")
}

// personRow is the screen line of a person in the list.
func rowOfPerson(frame, email string) string {
	for _, l := range lines(frame) {
		if strings.Contains(l, " "+email+" ") {
			return l
		}
	}
	return ""
}

// statuses are the three provider cells of a row.
func statuses(row string) []string {
	f := strings.Fields(row)
	if len(f) < 3 {
		return nil
	}
	return f[len(f)-3:]
}

// audited are the audit entries' actions and outcomes, in order.
func audited(mem *audit.Memory) []string {
	var out []string
	for _, e := range mem.Entries() {
		out = append(out, e.Action+" "+e.Outcome)
	}
	slices.Sort(out) // the providers answer in any order
	return out
}

func TestIAMListMergesTheProvidersGolden(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	frame := h.screen()
	assertNoControls(t, frame)
	rows := dataRowsOf(frame)
	if len(rows) < 20 || !strings.Contains(rows[0], "aisha.larsen@acme.example") || !strings.Contains(frame, "120 people") {
		t.Fatalf("not everyone, in email order:\n%s", frame)
	}
	h.golden(frame)
	// Person 6 is not in the Atlassian directory, person 9 not in
	// Essentials, person 104 not in Okta.
	for person, want := range map[int]string{0: "ACTIVE active active", 6: "ACTIVE absent active", 9: "LOCKED_OUT active absent", 104: "absent active active"} {
		email := sim.PersonAt(person).Email
		h.typeKeys("/", "ctrl+u")
		h.typeText(email) // the filter runs as it is typed
		h.waitUntil(email+" alone", func(f string) bool {
			rows := dataRowsOf(f)
			return len(rows) == 1 && strings.Join(statuses(rows[0]), " ") == want && strings.Contains(rows[0], email)
		})
		h.typeKeys("esc")
	}
}

// The directories are read when the tab is first shown, not at start, and
// until then the tab is not loading anything.
func TestIAMReadsNothingUntilShown(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{})
	h.waitFor("120 of 120 incidents")
	var iam *iamTab
	for _, tab := range h.app.tabs {
		if it, ok := tab.(*iamTab); ok {
			iam = it
		}
	}
	if iam == nil {
		t.Fatal("no IAM tab")
	}
	if busy := iam.Busy(); busy != "" {
		t.Fatalf("busy before it was shown: %q", busy)
	}
	if q := h.sim.Okta.Queries("GET /api/v1/users"); len(q) != 0 {
		t.Fatalf("Okta users read before the tab was shown: %v", q)
	}
	openIAM(h)
	if q := h.sim.Okta.Queries("GET /api/v1/users"); len(q) == 0 {
		t.Fatal("Okta users not read once the tab was shown")
	}
}

func TestIAMLookUpQueriesEveryProviderAndShowsOneRow(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	scim := "GET /scim/directory/" + sim.AtlassianDirectoryID + "/Users"
	before := []int{h.sim.Okta.Count("GET /api/v1/users"), h.sim.Atlassian.Count(scim), h.sim.Essentials.Count("GET /api/v1/orgs/acme.example/users/" + li)}
	lookUp(h, li)
	frame := h.waitUntil("one row with three statuses", func(f string) bool {
		rows := dataRowsOf(f)
		return len(rows) == 1 && strings.Join(statuses(rows[0]), " ") == "ACTIVE active active"
	})
	after := []int{h.sim.Okta.Count("GET /api/v1/users"), h.sim.Atlassian.Count(scim), h.sim.Essentials.Count("GET /api/v1/orgs/acme.example/users/" + li)}
	for i, vendor := range []string{"Okta", "Atlassian", "Essentials"} {
		if after[i] != before[i]+1 {
			t.Fatalf("%s answered %d look-ups, want 1:\n%s", vendor, after[i]-before[i], frame)
		}
	}
	h.typeKeys("enter")
	h.waitFor("Okta demo        ACTIVE", "Atlassian demo   active", "Essentials demo  active", "Okta demo  ·  ACTIVE", "Groups ", "Apps ")
	frame = h.screen()
	assertNoControls(t, frame)
	h.golden(frame)
	h.typeKeys("G")
	h.waitFor("Essentials demo  ·  active", "Blocked senders", "jira-software-users")
	h.typeKeys("v")
	h.waitFor("Okta demo  ·  raw JSON", `"id": "00uloPXD6tMEm3n6spYY"`)
	h.typeKeys("G")
	h.waitFor("Essentials demo  ·  raw JSON", `"primary_email": "li.chen@acme.example"`)
}

// dataRowsOf are the rows of the IAM table on screen.
func dataRowsOf(frame string) []string {
	var out []string
	in := false
	for _, l := range lines(uncursored(frame)) {
		switch {
		case strings.Contains(l, "  NAME  "):
			in = true
		case in && isRow(l):
			out = append(out, l)
		case in:
			return out
		}
	}
	return out
}

func TestIAMLookUpWithOneProviderFailing(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/users/" + li, Status: 500, Body: `{"message":"user store unavailable"}`})
	lookUp(h, li)
	h.waitUntil("Essentials failing, the others answering, and the status line saying why", func(f string) bool {
		return strings.HasSuffix(strings.Join(strings.Fields(rowOfPerson(f, li)), " "), "ACTIVE active error 500") &&
			strings.Contains(lines(f)[31], "looking up li.chen@acme.example: Essentials demo: 500: user store unavailable")
	})
	// The cell says "error 500"; the detail says why.
	h.typeKeys("enter")
	h.waitFor("Essentials demo  look-up failed", "Okta demo  ·  ACTIVE")
	h.typeKeys("G")
	h.waitFor("Essentials demo  ·  look-up failed", "user store unavailable")
	// A disable offers only where the person was found, and says why not the rest.
	h.typeKeys("d")
	h.waitFor("Essentials demo: not checked, the look-up failed (error 500)", "[x] Okta demo", "[x] Atlassian demo")
	h.typeKeys("n")
	h.waitFor("Nothing sent")
}

func TestIAMDisableEverywhereThenRetryTheProviderThatFailed(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/users/" + li, Method: "PUT", Status: 500,
		Body: `{"message":"user store unavailable"}`, Times: 1})
	h.typeKeys("d")
	h.waitFor("Disable Li Chen?", "[x] Okta demo", "ACTIVE → suspended", "[x] Atlassian demo", "active=false (PATCH)", "[x] Essentials demo", "is_active=false")
	h.golden(h.screen())
	h.typeKeys("y")
	h.waitFor("Last action: disable (Okta: suspend)", "Okta demo        ✓ SUSPENDED", "Atlassian demo   ✓ inactive",
		"Essentials demo  ✗ Essentials demo: 500: user store unavailable", "(d retries it)")
	h.waitFor("✗ Disable Li Chen failed at Essentials demo (d retries it alone): Essentials demo: 500: user store unavailable")
	if active, _ := h.sim.Atlassian.Active(li); active {
		t.Fatal("Atlassian user still active")
	}
	if active, _ := h.sim.Essentials.Active(li); !active {
		t.Fatal("Essentials changed despite the 500")
	}
	want := []string{"atlassian.disable_user ok", "essentials.disable_user error", "okta.suspend ok"}
	if got := audited(h.audit); !slices.Equal(got, want) {
		t.Fatalf("audit %v", got)
	}
	// The retry offers Essentials alone.
	h.typeKeys("d")
	h.waitFor("Okta demo: already SUSPENDED", "Atlassian demo: already inactive", "[x] Essentials demo")
	h.typeKeys("y")
	h.waitFor("Essentials demo  ✓ inactive", "Disabled Li Chen: Essentials demo inactive")
	if active, _ := h.sim.Essentials.Active(li); active || h.sim.Essentials.Name(li) != "Li Chen" {
		t.Fatalf("Essentials after the retry: active=%v name=%q", active, h.sim.Essentials.Name(li))
	}
	puts := h.sim.Essentials.Puts()
	if last := puts[len(puts)-1]; last["is_active"] != false || last["primary_email"] != li || last["firstname"] != "Li" {
		t.Fatalf("the PUT is not the whole user with is_active false: %v", last)
	}
	es := h.audit.Entries()
	if e := es[len(es)-1]; e.Action != "essentials.disable_user" || e.Outcome != audit.OK || e.Analyst != "alice" || e.Vendor != "essentials" {
		t.Fatalf("last audit %+v", e)
	}
	// Enable undoes it everywhere.
	h.typeKeys("E")
	h.waitFor("Enable Li Chen?", "SUSPENDED → unsuspend", "inactive → active=true (PATCH)")
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ ACTIVE", "Atlassian demo   ✓ active", "Essentials demo  ✓ active")
	if active, _ := h.sim.Essentials.Active(li); !active {
		t.Fatal("not enabled in Essentials")
	}
}

func TestIAMDeactivateInOktaWhenChosen(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	h.typeKeys("d")
	h.waitFor("[ ] Okta: deactivate instead of suspend")
	// Only Okta: space unselects the other two.
	h.typeKeys("m", "down", "space", "down", "space")
	h.waitFor("[x] Okta: deactivate instead of suspend", "[ ] Atlassian demo", "[ ] Essentials demo")
	h.typeKeys("y")
	h.waitFor("Last action: disable (Okta: deactivate)", "Okta demo        ✓ DEPROVISIONED")
	if got := audited(h.audit); !slices.Equal(got, []string{"okta.deactivate ok"}) {
		t.Fatalf("audit %v", got)
	}
}

func TestIAMLostAnswerIsReadBackNotResent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{5}})
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	patch := "PATCH /scim/directory/" + sim.AtlassianDirectoryID + "/Users/"
	h.sim.Atlassian.Inject(&sim.Fault{Path: "/scim/directory/", Method: "PATCH", DropAfter: true, Times: 1})
	h.typeKeys("d", "down", "down", "space") // Okta and Atlassian
	h.typeKeys("y")
	h.waitFor("Atlassian demo   ✓ inactive (the answer was lost; reading back shows it applied)", "Okta demo        ✓ SUSPENDED")
	if n := h.sim.Atlassian.Count(patch); n != 1 {
		t.Fatalf("%d PATCHes: a lost write was sent again", n)
	}
	var lost []string
	for _, e := range h.audit.Entries() {
		if e.Action == "atlassian.disable_user" {
			lost = append(lost, e.Outcome)
		}
	}
	if !slices.Equal(lost, []string{audit.Unknown, audit.Confirmed}) {
		t.Fatalf("audit of the lost write: %v", lost)
	}
}

func TestIAMCreateInChosenProvidersKeepsAFailedForm(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	h.typeKeys("n")
	h.waitFor("New person", "[x] Essentials demo")
	// A form that is not right stays open.
	h.typeKeys("ctrl+s")
	h.waitFor(`"" is not an email address`)
	if !strings.Contains(h.screen(), "New person") {
		t.Fatal("the form closed on a bad email")
	}
	h.typeText("dana.new@acme.example")
	h.typeKeys("enter")
	h.typeText("Dana")
	h.typeKeys("enter")
	h.typeText("New")
	h.typeKeys("enter", "enter", "enter")
	h.typeText("Security")
	h.typeKeys("enter")
	h.typeText("Acme Labs")
	h.typeKeys("tab", "tab", "tab", "space") // Essentials off
	h.waitFor("[ ] Essentials demo")
	h.typeKeys("ctrl+s")
	// What is created where, before anything is sent.
	h.waitFor("Create Dana New <dana.new@acme.example>?", "Department: Security", "Organization: Acme Labs",
		"Created in Okta demo", "Created in Atlassian demo", "y create in 2 provider(s)")
	if strings.Contains(h.screen(), "Created in Essentials") || len(h.audit.Entries()) != 0 {
		t.Fatalf("before y:\n%s\naudit %+v", h.screen(), h.audit.Entries())
	}
	h.typeKeys("y")
	h.waitFor("Last action: create", "Okta demo        ✓ created", "Atlassian demo   ✓ created", "Created Dana New")
	if _, found := h.sim.Essentials.Active("dana.new@acme.example"); found {
		t.Fatal("created in Essentials, which was not checked")
	}
	if active, found := h.sim.Atlassian.Active("dana.new@acme.example"); !found || !active {
		t.Fatal("not created in Atlassian")
	}
	if dep, org := h.sim.Atlassian.Enterprise("dana.new@acme.example"); dep != "Security" || org != "Acme Labs" {
		t.Fatalf("Atlassian keeps department %q and organization %q, want the form's", dep, org)
	}
	// The same person again: each provider says it exists, and the form
	// keeps what was typed.
	h.typeKeys("esc", "n")
	h.waitFor("New person", "[x] Essentials demo")
	h.typeText("dana.new@acme.example")
	h.typeKeys("enter")
	h.typeText("Dana")
	h.typeKeys("enter")
	h.typeText("New")
	h.typeKeys("ctrl+s")
	h.waitFor("Created in Essentials demo (keeps")
	h.typeKeys("y")
	h.waitFor("already exists in the directory: Atlassian demo: 409 uniqueness", "Essentials demo  ✓ created")
	h.waitFor("Create Dana New failed at Okta demo and Atlassian demo (n retries it alone)")
	// n reopens what was typed, for the providers that failed.
	h.typeKeys("n")
	h.waitFor("dana.new@acme.example", "Dana", "[x] Okta demo", "[x] Atlassian demo", "[ ] Essentials demo")
}

func TestIAMUpdateSendsOnlyTheChangedFields(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	h.typeKeys("u")
	h.waitFor("Update Li Chen", "Analyst", "keeps first name and last name only")
	// A cleared department is shown as removed, per provider, and n sends
	// nothing.
	h.typeKeys("tab", "tab", "tab", "tab") // Department
	h.typeKeys("ctrl+u", "ctrl+s")
	h.waitFor("Update Li Chen <"+li+">?", "Okta demo:", `  department: "Finance" → removed`, "Essentials demo: nothing to change")
	if n := strings.Count(h.screen(), `department: "Finance" → removed`); n != 2 {
		t.Fatalf("%d providers show the department removed, want Okta and Atlassian:\n%s", n, h.screen())
	}
	h.typeKeys("n")
	h.waitFor("Nothing sent: u reopens the form")
	if es := h.audit.Entries(); len(es) != 0 {
		t.Fatalf("sent on n: %+v", es)
	}
	h.typeKeys("u") // the form as it was left, on the department
	h.waitFor("Update Li Chen")
	h.typeText("Finance")
	h.typeKeys("shift+tab") // Title
	h.typeKeys("ctrl+u")
	h.typeText("Lead Analyst")
	h.typeKeys("ctrl+s")
	h.waitFor(`  title: "Analyst" → "Lead Analyst"`)
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ updated", "Atlassian demo   ✓ updated", "Essentials demo  ✓ nothing to change here")
	for _, e := range h.audit.Entries() {
		switch e.Action {
		case "okta.update_user":
			if f, _ := e.Params["fields"].([]string); !slices.Equal(f, []string{"title"}) {
				t.Fatalf("Okta sent %v", f)
			}
		case "atlassian.update_user":
			if f, _ := e.Params["paths"].([]string); !slices.Equal(f, []string{"title"}) {
				t.Fatalf("Atlassian sent %v", f)
			}
		default:
			t.Fatalf("unexpected write %s", e.Action)
		}
	}
	if n := len(h.sim.Essentials.Puts()); n != 0 {
		t.Fatalf("%d Essentials PUTs for a title it does not keep", n)
	}
	if h.sim.Atlassian.Title(li) != "Lead Analyst" {
		t.Fatal("Atlassian title unchanged")
	}
	u, _, err := h.app.c.Backends.Okta[0].FindUser(h.app.c.Context(), li)
	if err != nil || u.Profile.Get("title") != "Lead Analyst" || u.Profile.Get("department") != "Finance" {
		t.Fatalf("Okta: %v %v", err, u.Profile)
	}
	// Nothing changed: said, and nothing sent.
	h.typeKeys("u", "ctrl+s")
	h.waitFor("nothing changed")
}

func TestIAMOktaOnlyActions(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}})
	openIAM(h)
	h.typeKeys("?")
	h.waitFor("Okta: clear sessions", "Okta: reset password", "Okta: expire password", "Essentials: senders")
	h.typeKeys("esc")
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	h.typeKeys("L")
	h.waitFor("Sign out Li Chen?", "[ ] also revoke the OAuth tokens")
	h.typeKeys("o", "y")
	h.waitFor("Okta demo        ✓ signed out")
	h.typeKeys("X")
	h.waitFor("Expire the password of Li Chen?")
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ password expired")
	h.typeKeys("R")
	h.waitFor("Reset the password of Li Chen?", "Okta emails them a link")
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ reset link emailed")
	es := h.audit.Entries()
	if len(es) != 3 || es[0].Action != "okta.clear_sessions" || es[0].Params["oauthTokens"] != true ||
		es[1].Action != "okta.expire_password" || es[2].Action != "okta.reset_password" || es[2].Params["sendEmail"] != "true" {
		t.Fatalf("audit %+v", es)
	}
	u, _, _ := h.app.c.Backends.Okta[0].FindUser(h.app.c.Context(), li)
	if u.Status != "RECOVERY" {
		t.Fatalf("Okta status %s", u.Status)
	}
	// Someone not in Okta has no Okta actions.
	outsider := sim.PersonAt(105).Email // the directories have people Okta does not
	h.typeKeys("esc")
	lookUp(h, outsider)
	h.waitUntil("looked up", func(f string) bool {
		s := statuses(rowOfPerson(f, outsider))
		return len(s) == 3 && s[0] == "absent"
	})
	h.typeKeys("L")
	h.waitFor(outsider + " is not in Okta")
}

func TestIAMSenderBlockShowsInTab3(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{3, 5}})
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	h.typeKeys("b")
	h.waitFor("Sender to block or allow at Proofpoint Essentials")
	h.typeText("invoices@phish.example")
	h.typeKeys("enter")
	h.waitFor("Mail from invoices@phish.example", "Block for everyone at acme.example", "Block for li.chen@acme.example only")
	h.typeKeys("down", "enter") // Li Chen's own block list
	h.waitFor("Block invoices@phish.example at Essentials demo?", "List: the block list of li.chen@acme.example")
	h.typeKeys("y")
	h.waitFor("✓ Blocked invoices@phish.example for li.chen@acme.example")
	if _, block := h.sim.Essentials.Senders(li); !slices.Contains(block, "invoices@phish.example") {
		t.Fatalf("Li Chen's block list %v", block)
	}
	h.typeKeys("3")
	h.waitFor("invoices@phish.example", "Block sender", "success", "essential…")
	recs, err := remediations.Open(h.stateDir).List()
	if err != nil || len(recs) != 1 || recs[0].Kind != remediations.KindSender || recs[0].Vendor != "essentials" ||
		recs[0].Type != "block_list" || recs[0].Params["scope"] != li || recs[0].StartedBy != "alice" || recs[0].Status != remediations.Success {
		t.Fatalf("journal %+v %v", recs, err)
	}
	h.typeKeys("enter")
	h.waitFor("Block sender invoices@phish.example", "Sender ", "block_list", li)
	if es := h.audit.Entries(); len(es) != 1 || es[0].Action != "essentials.block_sender" || es[0].Target != li {
		t.Fatalf("audit %+v", es)
	}
}

func TestITMMessageSenderBlockShowsInTab3(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1, 3}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("b")
	h.waitFor("b works on an open incident: enter opens it")
	h.typeKeys("enter")
	h.waitFor("Message 1 of")
	h.typeKeys("b")
	h.waitFor("Mail from ", "Block for everyone at acme.example")
	h.typeKeys("enter")
	h.waitFor("at Essentials demo?", "List: the organisation's block list (everyone at acme.example)")
	h.typeKeys("y")
	h.waitFor(" for everyone at Essentials demo (tab 3)")
	_, block := h.sim.Essentials.Senders("")
	recs, _ := remediations.Open(h.stateDir).List()
	if len(recs) != 1 || !slices.Contains(block, recs[0].TargetID) || !strings.HasPrefix(recs[0].Source, "ITM incident ") {
		t.Fatalf("org block list %v, journal %+v", block, recs)
	}
	h.typeKeys("3")
	h.waitFor(recs[0].TargetID, "Block sender", "success")
}

func TestIAMReadOnlyAnalystIsRefusedEveryWrite(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{analyst: identity.Analyst{Name: "bob", Role: "read-only"}, loads: []int{5}})
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	for key, what := range map[string]string{"d": "disable", "E": "enable", "n": "new", "u": "update", "L": "Okta: clear sessions",
		"R": "Okta: reset password", "X": "Okta: expire password", "b": "block / allow sender"} {
		h.typeKeys(key)
		h.waitFor("bob has the read-only role: " + what + " is not available")
	}
	// Each refusal has its audit line, as a refused write has in the backend.
	es := h.audit.Entries()
	if len(es) != 8 {
		t.Fatalf("%d audit lines for 8 refused keys: %+v", len(es), es)
	}
	for _, e := range es {
		if e.Outcome != audit.Refused || e.Analyst != "bob" || e.Role != "read-only" || e.Target != li || !strings.Contains(e.Error, "read-only role") {
			t.Fatalf("refusal audited as %+v", e)
		}
	}
	// Reading is theirs: the detail opens.
	h.typeKeys("enter")
	h.waitFor("Okta demo  ·  ACTIVE")
}

func TestIAMHostileStringsAreInert(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{sim: sim.Options{Hostile: true, Rows: 40}, loads: []int{5}})
	openIAM(h)
	frame := h.screen()
	assertNoControls(t, frame)
	if !strings.Contains(frame, "<U+202E>") && !strings.Contains(frame, "ALLOW") && !strings.Contains(frame, "click here") {
		t.Fatalf("hostile rows not on screen: the test would prove nothing\n%s", frame)
	}
	for _, i := range []int{31, 38, 59} { // carriage return, bidi override, C0 controls
		lookUp(h, sim.PersonAt(i).Email)
		h.typeKeys("enter")
		h.waitUntil("the person everywhere", func(f string) bool {
			return strings.Contains(f, "Okta demo  ·  ") && !strings.Contains(f, "looking…")
		})
		assertNoControls(t, h.screen())
		h.typeKeys("v")
		h.waitFor("raw JSON")
		assertNoControls(t, h.screen())
		h.typeKeys("esc", "esc")
	}
}

func TestIAMBadAnswersAreOneClearLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		inject func(s *sim.Sim)
		want   string
	}{
		{"Atlassian SCIM invalidFilter", func(s *sim.Sim) {
			s.Atlassian.Inject(&sim.Fault{Path: "/scim/", Status: 400, Times: 1,
				Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"Filter is not supported"}`})
		}, "Atlassian demo: 400 invalidFilter: Filter is not supported"},
		{"Essentials HTML page", func(s *sim.Sim) {
			s.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/", Status: 500, Times: 1, Header: map[string][]string{"Content-Type": {"text/html"}},
				Body: `<html><head><title>Essentials is down for maintenance</title></head></html>`})
		}, "Essentials demo: 500: HTML page: Essentials is down for maintenance"},
		{"Essentials truncated JSON", func(s *sim.Sim) {
			s.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/", Status: 200, Times: 1, Body: `{"uid":1,"primary_email":"li.ch`})
		}, "Essentials demo: 200: malformed JSON"},
		{"Okta empty body", func(s *sim.Sim) {
			s.Okta.Inject(&sim.Fault{Path: "/api/v1/users", Status: 200, Times: 1, Body: ``})
		}, "Okta demo: 200: empty response where data was expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newDriver(t, setup{loads: []int{5}})
			openIAM(h)
			tc.inject(h.sim)
			lookUp(h, li)
			frame := waitStatus(h, tc.want)
			assertNoControls(t, frame)
			if !strings.Contains(rowOfPerson(frame, li), "error") {
				t.Fatalf("row %q", rowOfPerson(frame, li))
			}
		})
	}
}

// waitStatus waits for text on the status line and returns the frame.
func waitStatus(h console, text string) string {
	h.base().t.Helper()
	return h.waitUntil("status line "+text, func(f string) bool { return strings.Contains(lines(f)[31], text) })
}

func TestIAMWrongCredentialsSayWhichProvider(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}, edit: func(c *config.Config) {
		c.Atlassian[0].Token = "wrong-key"
		c.Essentials[0].Password = "wrong-password"
	}})
	h.typeKeys("5")
	h.waitFor("✗ listing Atlassian demo failed: Atlassian demo: 401: The API key is missing, invalid or has been revoked.")
	frame := h.waitUntil("Okta listed, the others unknown", func(f string) bool {
		rows := dataRowsOf(f)
		return len(rows) > 0 && strings.HasSuffix(strings.Join(strings.Fields(rows[0]), " "), "ACTIVE ? ?") &&
			strings.Contains(lines(f)[31], "✗ listing Essentials demo failed (its column shows ?; r reloads): Essentials demo: 401")
	})
	if info := h.app.current().Info(); !strings.Contains(info, "Atlassian demo: listing failed · Essentials demo: listing failed") {
		t.Fatalf("info %q", info)
	}
	if strings.Contains(frame, "wrong-key") || strings.Contains(frame, "wrong-password") {
		t.Fatal("a secret reached the screen")
	}
	lookUp(h, li)
	h.waitUntil("a 401 for each", func(f string) bool {
		return strings.Contains(rowOfPerson(f, li), "error 401") && strings.Contains(lines(f)[31], ": 401")
	})
}

func TestRemediationsTabWithEssentialsAlone(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{edit: func(c *config.Config) { c.SaaS = nil }, loads: []int{3}})
	h.typeKeys("3")
	h.waitFor("3 Remediations", "b on a person (tab 5) or an ITM message blocks a sender")
	if f := h.screen(); strings.Contains(f, "2 SaaS") || strings.Contains(f, "n look up any asset") {
		t.Fatalf("SaaS shown without a SaaS tenant:\n%s", f)
	}
	h.typeKeys("n")
	if f := h.screen(); strings.Contains(f, "Look up a remediation") {
		t.Fatalf("n looks up SaaS remediations without SaaS:\n%s", f)
	}
}

// Large lists, at a size that shows the mechanism (100,000 rows are the
// benchmarks' business): Okta pages in 200 at a time, the directory by
// SCIM pages, and Essentials' one answer of some 5,500 users is merged off
// the key path, 5,000 (listChunk) a snapshot.
func TestIAMLargeListsLoadInChunksAndPages(t *testing.T) {
	t.Parallel()
	const rows = 6_000
	h := newDriver(t, setup{sim: sim.Options{Rows: rows}, loads: []int{5}})
	iam := tabOf[*iamTab](h.app)
	// What the loading line says after each message.
	counts := map[string][]int{}
	h.observe = func() {
		for _, m := range loadingRE.FindAllStringSubmatch(iam.Busy(), -1) {
			n, _ := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
			if c := counts[m[1]]; len(c) == 0 || c[len(c)-1] != n {
				counts[m[1]] = append(c, n)
			}
		}
	}
	h.typeKeys("5")
	h.observe = nil
	if got := counts["Okta"]; len(got) == 0 || got[0] != 0 {
		t.Fatalf("the loading line did not count Okta's people from 0: %v", got)
	}
	scim := "GET /scim/directory/" + sim.AtlassianDirectoryID + "/Users"
	if n := h.sim.Okta.Count("GET /api/v1/users"); n < 5 {
		t.Fatalf("Okta listed in %d request(s): want pages of 200", n)
	}
	if n := h.sim.Atlassian.Count(scim); n < 5 {
		t.Fatalf("Atlassian listed in %d request(s): want SCIM pages", n)
	}
	if l := iam.rows.lists[2]; !l.done || l.loaded <= listChunk || l.err != nil {
		t.Fatalf("Essentials' list %+v: want more than a chunk, all in", l)
	}
	everyone := 0 // Okta has the first third; the directories leave some out
	for i := 0; i < rows; i++ {
		if i < rows/3 || i%11 != 6 || i%13 != 9 {
			everyone++
		}
	}
	h.waitUntil("everyone", func(f string) bool {
		return strings.Contains(f, count(everyone)+" people") && !strings.Contains(f, "Loading people")
	})
	last := sim.PersonAt(rows - 1).Email // beyond Okta's third; in Atlassian and Essentials
	h.typeKeys("/")
	h.typeText(last)
	h.waitUntil(last, func(f string) bool {
		rows := dataRowsOf(f)
		return len(rows) == 1 && strings.HasSuffix(strings.Join(strings.Fields(rows[0]), " "), "absent active active")
	})
}

// loadingRE reads a provider's count off the IAM tab's loading line.
var loadingRE = regexp.MustCompile(`(Okta|Atlassian|Essentials) demo ([\d,]+)`)

// tabOf is the App's tab of type T.
func tabOf[T Tab](a *App) T {
	for _, t := range a.tabs {
		if tab, ok := t.(T); ok {
			return tab
		}
	}
	panic("no such tab")
}

func TestLostSenderBlockAnswerIsReadBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{5}})
	openIAM(h)
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/sender-lists", Method: "POST", DropAfter: true, Times: 1})
	h.typeKeys("b")
	h.waitFor("Sender to block or allow")
	h.typeText("bulk.example")
	h.typeKeys("enter", "enter", "y")
	h.waitFor("✓ Blocked bulk.example for everyone")
	if n := h.sim.Essentials.Count("POST /api/v1/orgs/acme.example/sender-lists"); n != 1 {
		t.Fatalf("%d POSTs: a lost write was sent again", n)
	}
	recs, _ := remediations.Open(h.stateDir).List()
	if len(recs) != 1 || recs[0].Status != remediations.Success || !strings.Contains(recs[0].Detail, "reading the list back shows the sender on it") {
		t.Fatalf("journal %+v", recs)
	}
	if es := h.audit.Entries(); len(es) != 2 || es[0].Outcome != audit.Unknown || es[1].Outcome != audit.Confirmed {
		t.Fatalf("audit %+v", es)
	}
	// A failed block is not recorded, and b starts from it again.
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/sender-lists", Method: "POST", Status: 403, Times: 1,
		Body: `{"message":"The admin is read-only"}`})
	h.typeKeys("b")
	h.waitFor("Sender to block or allow")
	h.typeKeys("ctrl+u")
	h.typeText("phish.example")
	h.typeKeys("enter", "enter", "y")
	h.waitFor("could not block phish.example for everyone at acme.example: Essentials demo: 403: The admin is read-only")
	h.typeKeys("b")
	h.waitFor("phish.example")
	h.typeKeys("enter")
	h.waitFor("› Block for everyone at acme.example")
	if recs, _ := remediations.Open(h.stateDir).List(); len(recs) != 1 {
		t.Fatalf("a failed block was recorded: %+v", recs)
	}
}
