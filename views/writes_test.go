package views

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/saas"
	"triage/backend/sim"
)

// Every write path of the console, with its answer lost twice: once after
// the vendor applied it (sim.Fault.DropAfter) and once before (Drop). The
// first is read back and reported as done, never sent again; the second is
// read back, reported as not applied, and goes through when retried. Every
// attempt has its audit line. (ITM comments, SaaS remediations, Atlassian
// disables and Essentials sender blocks lost after applying are in the
// tabs' own tests.)

// outcomes are the audit entries' actions and outcomes, in order.
func outcomes(mem *audit.Memory) []string {
	var out []string
	for _, e := range mem.Entries() {
		out = append(out, e.Action+" "+e.Outcome)
	}
	return out
}

func TestITMLostWritesAreReadBackAndSentOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	fqid := h.sim.ITM.FQIDs(1)[0]
	ev := "/v2/apis/activity/events/" + fqid
	client, ctx := h.app.c.Backends.ITM[0], h.app.c.Context()
	status := func() string {
		tk, err := client.Ticket(ctx, fqid)
		if err != nil {
			t.Fatal(err)
		}
		return string(tk.Annotations.Workflow.State.Disposition.Status.ID)
	}
	assignee := func() string {
		tk, err := client.Ticket(ctx, fqid)
		if err != nil {
			t.Fatal(err)
		}
		return tk.Assignee()
	}

	assign := ev + "/annotations/workflow/assignment"
	h.sim.ITM.Inject(&sim.Fault{Path: assign, DropAfter: true, Times: 1})
	h.typeKeys("a")
	h.waitFor("Sam Okoro")
	h.typeText("okoro")
	h.typeKeys("enter")
	h.waitFor("Assign " + short(fqid, 12) + " to Sam Okoro?")
	h.typeKeys("y")
	h.waitFor("Assignment on " + short(fqid, 12) + " went through: the answer was lost, and reading the ticket")
	if n := h.sim.ITM.Count("PUT " + assign); n != 1 || assignee() != "u-soc-002" {
		t.Fatalf("%d assignments sent, assignee %q", n, assignee())
	}
	h.sim.ITM.Inject(&sim.Fault{Path: assign, Drop: true, Times: 1})
	h.typeKeys("a")
	h.waitFor("Kim Lindqvist")
	h.typeText("lindqvist")
	h.typeKeys("enter", "y")
	h.waitFor("Assignment not saved (the answer was lost, read-back shows it missing)")
	if got := assignee(); got != "u-soc-002" {
		t.Fatalf("assignee %q after a write the vendor never applied", got)
	}
	h.typeKeys("a")
	h.waitFor("Kim Lindqvist")
	h.typeText("lindqvist")
	h.typeKeys("enter", "y")
	h.waitFor("Assignment saved")
	if n := h.sim.ITM.Count("PUT " + assign); n != 3 || assignee() != "u-soc-003" {
		t.Fatalf("%d assignments sent (want the lost one, the dropped one and the retry), assignee %q", n, assignee())
	}

	workflow := ev + "/annotations/workflow"
	h.sim.ITM.Inject(&sim.Fault{Path: workflow, Method: "PATCH", DropAfter: true, Times: 1})
	h.typeKeys("s")
	h.waitFor("Set the status")
	h.typeText("progress")
	h.typeKeys("enter", "y")
	h.waitFor("Status change on " + short(fqid, 12) + " went through: the answer was lost")
	if n := h.sim.ITM.Count("PATCH " + workflow); n != 1 || status() != sim.ITMStatuses[1].ID {
		t.Fatalf("%d status changes sent, status %s", n, status())
	}
	h.sim.ITM.Inject(&sim.Fault{Path: workflow, Method: "PATCH", Drop: true, Times: 1})
	h.typeKeys("s")
	h.waitFor("Set the status")
	h.typeText("escalated")
	h.typeKeys("enter", "y")
	h.waitFor("Status change not saved (the answer was lost, read-back shows it missing)")
	if got := status(); got != sim.ITMStatuses[1].ID {
		t.Fatalf("status %s after a write the vendor never applied", got)
	}
	h.typeKeys("s")
	h.waitFor("Set the status")
	h.typeText("escalated")
	h.typeKeys("enter", "y")
	h.waitFor("Status change saved")
	if got := status(); got != sim.ITMStatuses[2].ID {
		t.Fatalf("status %s after the retry", got)
	}

	// A comment lost before it landed keeps its text for the retry.
	comments := ev + "/annotations/comments"
	h.sim.ITM.Inject(&sim.Fault{Path: comments, Drop: true, Times: 1})
	h.typeKeys("c")
	h.waitFor("Comment on")
	h.typeText("Called the manager.")
	h.typeKeys("ctrl+s")
	h.waitFor("Comment not saved (the answer was lost, read-back shows it missing; draft kept, c then ctrl+s resends)")
	h.typeKeys("!") // the whole message, not only what fits the status line
	h.waitFor("Messages ·")
	if frame := h.screen(); strings.Contains(frame, "may have been") || !strings.Contains(frame, "[POST") {
		t.Fatalf("a settled write still says it may have applied:\n%s", frame)
	}
	h.typeKeys("esc")
	if got := h.sim.ITM.Comments(fqid); len(got) != 0 {
		t.Fatalf("vendor has %q", got)
	}
	h.typeKeys("c")
	h.waitFor("Called the manager.")
	h.typeKeys("ctrl+s")
	h.waitFor("Comment saved")
	if got := h.sim.ITM.Comments(fqid); !slices.Equal(got, []string{"Called the manager."}) {
		t.Fatalf("vendor has %q", got)
	}

	// A lost answer is read back once, and what that showed is audited.
	want := []string{"itm.assign unknown", "itm.assign confirmed", "itm.assign unknown", "itm.assign error", "itm.assign ok",
		"itm.status unknown", "itm.status confirmed", "itm.status unknown", "itm.status error", "itm.status ok",
		"itm.comment unknown", "itm.comment error", "itm.comment ok"}
	if got := outcomes(h.audit); !slices.Equal(got, want) {
		t.Fatalf("audit %v, want %v", got, want)
	}
}

func TestSaaSLostWritesAreReadBackAndSentOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	ids := h.sim.SaaS.Newest(2)
	first, second := ids[0], ids[1]

	state := "/incident/api/incidents/" + first + "/state"
	h.sim.SaaS.Inject(&sim.Fault{Path: state, Method: "POST", DropAfter: true, Times: 1})
	h.typeKeys("s")
	h.waitFor("Close incident " + first + " as")
	h.typeText("business")
	h.typeKeys("enter", "y")
	h.waitFor("Incident " + first + " closed as Business justified: the answer was lost, and reading the state back")
	if st, cat := h.sim.SaaS.IncidentState(first); st != "closed" || cat != saas.BusinessJustified || h.sim.SaaS.Count("POST "+state) != 1 {
		t.Fatalf("vendor has %s/%s after %d requests", st, cat, h.sim.SaaS.Count("POST "+state))
	}

	h.typeKeys("j")
	state = "/incident/api/incidents/" + second + "/state"
	h.sim.SaaS.Inject(&sim.Fault{Path: state, Method: "POST", Drop: true, Times: 1})
	h.typeKeys("s")
	h.waitFor("Close incident " + second + " as")
	h.typeText("misid")
	h.typeKeys("enter", "y")
	h.waitFor("incident " + second + " not closed (the answer was lost, and reading back shows it unchanged; s reopens")
	if st, _ := h.sim.SaaS.IncidentState(second); st != "open" {
		t.Fatalf("vendor has %s after a close it never applied", st)
	}
	h.typeKeys("s")
	h.waitFor("› Misidentified")
	h.typeKeys("enter", "y")
	h.waitFor("Incident " + second + " closed as Misidentified")
	if st, cat := h.sim.SaaS.IncidentState(second); st != "closed" || cat != saas.Misidentified {
		t.Fatalf("vendor has %s/%s after the retry", st, cat)
	}

	// A remediation lost before the vendor took it starts nothing and keeps
	// the choice.
	h.sim.SaaS.Inject(&sim.Fault{Path: "/remediation/api/assets", Method: "POST", Drop: true, Times: 1})
	h.typeKeys("x")
	h.typeText("quar")
	h.typeKeys("enter", "y")
	h.waitFor("Quarantine not started (the answer was lost, and reading back shows no new remediation; x reopens with it chosen)")
	if n := h.sim.SaaS.Remediations(); n != 0 {
		t.Fatalf("%d remediations at the vendor", n)
	}
	h.typeKeys("x")
	h.waitFor("› Quarantine")
	h.typeKeys("enter", "y")
	h.waitFor("started: tab 3 follows it")
	if n := h.sim.SaaS.Remediations(); n != 1 {
		t.Fatalf("%d remediations at the vendor after the retry", n)
	}

	want := []string{"saas.close unknown", "saas.close confirmed", "saas.close unknown", "saas.close error", "saas.close ok",
		"saas.remediate unknown", "saas.remediate error", "saas.remediate ok"}
	if got := outcomes(h.audit); !slices.Equal(got, want) {
		t.Fatalf("audit %v, want %v", got, want)
	}
}

func TestIAMLostWritesAtEveryProviderAreReadBackAndSentOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{5}})
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	oktaUser := "/api/v1/users/" + h.sim.Okta.UserID(li)
	scim := "/scim/directory/" + sim.AtlassianDirectoryID + "/Users/"
	essUser := "/api/v1/orgs/acme.example/users/" + li
	writes := func() [3]int {
		return [3]int{h.sim.Okta.Count("POST " + oktaUser + "/lifecycle/"), h.sim.Atlassian.Count("PATCH " + scim), h.sim.Essentials.Count("PUT " + essUser)}
	}
	lost := func(drop, dropAfter bool) {
		h.sim.Okta.Inject(&sim.Fault{Path: oktaUser + "/lifecycle/", Method: "POST", Drop: drop, DropAfter: dropAfter, Times: 1})
		h.sim.Atlassian.Inject(&sim.Fault{Path: scim, Method: "PATCH", Drop: drop, DropAfter: dropAfter, Times: 1})
		h.sim.Essentials.Inject(&sim.Fault{Path: essUser, Method: "PUT", Drop: drop, DropAfter: dropAfter, Times: 1})
	}

	// Disable, lost before any provider applied it: nothing changed, each
	// is offered again, and the retry goes through once.
	lost(true, false)
	h.typeKeys("d")
	h.waitFor("Disable Li Chen?", "[x] Okta demo", "[x] Atlassian demo", "[x] Essentials demo")
	h.typeKeys("y")
	h.waitFor("Disable Li Chen failed at Okta demo and Atlassian demo and Essentials demo (d retries it alone)")
	if st := h.sim.Okta.UserStatus(li); st != "ACTIVE" {
		t.Fatalf("Okta %s after a suspend it never applied", st)
	}
	if a, _ := h.sim.Atlassian.Active(li); !a {
		t.Fatal("Atlassian disabled by a write it never applied")
	}
	if a, _ := h.sim.Essentials.Active(li); !a {
		t.Fatal("Essentials disabled by a write it never applied")
	}
	h.typeKeys("d")
	h.waitFor("[x] Okta demo", "[x] Atlassian demo", "[x] Essentials demo")
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ SUSPENDED", "Atlassian demo   ✓ inactive", "Essentials demo  ✓ inactive")
	if got := writes(); got != [3]int{2, 2, 2} {
		t.Fatalf("writes %v, want the dropped one and the retry at each", got)
	}

	// Enable, applied everywhere and every answer lost: read back, not sent
	// again.
	lost(false, true)
	h.typeKeys("E")
	h.waitFor("Enable Li Chen?")
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ ACTIVE (the answer was lost; reading back shows it applied)",
		"Atlassian demo   ✓ active (the answer was lost; reading back shows it applied)",
		"Essentials demo  ✓ active (the answer was lost; reading back shows it applied)")
	if got := writes(); got != [3]int{3, 3, 3} {
		t.Fatalf("writes %v: a lost enable was sent again", got)
	}

	// Okta's password actions.
	h.sim.Okta.Inject(&sim.Fault{Path: oktaUser + "/lifecycle/expire_password", DropAfter: true, Times: 1})
	h.typeKeys("X")
	h.waitFor("Expire the password of Li Chen?")
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ password expired (the answer was lost; reading back shows it applied)")
	h.sim.Okta.Inject(&sim.Fault{Path: oktaUser + "/lifecycle/reset_password", Drop: true, Times: 1})
	h.typeKeys("R")
	h.waitFor("Reset the password of Li Chen?")
	h.typeKeys("y")
	h.waitFor("Reset the password of Li Chen failed at Okta demo (R retries it alone)")
	if st := h.sim.Okta.UserStatus(li); st != "PASSWORD_EXPIRED" {
		t.Fatalf("Okta %s after a reset it never applied", st)
	}
	h.typeKeys("R")
	h.waitFor("Reset the password of Li Chen?")
	h.typeKeys("y")
	h.waitFor("Okta demo        ✓ reset link emailed")
	if st := h.sim.Okta.UserStatus(li); st != "RECOVERY" {
		t.Fatalf("Okta %s after the retried reset", st)
	}
	// Sessions cannot be read back: a lost sign-out is reported unknown,
	// never sent again by itself.
	sessions := oktaUser + "/sessions"
	h.sim.Okta.Inject(&sim.Fault{Path: sessions, DropAfter: true, Times: 1})
	h.typeKeys("L")
	h.waitFor("Sign out Li Chen?")
	h.typeKeys("y")
	h.waitFor("outcome unknown at Okta demo, and Okta cannot show whether their sessions ended")
	h.typeKeys("!")
	h.waitFor("Messages ·", "which is harmless")
	h.typeKeys("esc")
	if n := h.sim.Okta.Count("DELETE " + sessions); n != 1 {
		t.Fatalf("%d sign-outs sent", n)
	}

	got := audited(h.audit)
	want := []string{
		"atlassian.disable_user error", "atlassian.disable_user ok", "atlassian.disable_user unknown",
		"atlassian.enable_user confirmed", "atlassian.enable_user unknown",
		"essentials.disable_user error", "essentials.disable_user ok", "essentials.disable_user unknown",
		"essentials.enable_user confirmed", "essentials.enable_user unknown",
		"okta.clear_sessions unknown", "okta.expire_password confirmed", "okta.expire_password unknown",
		"okta.reset_password error", "okta.reset_password ok", "okta.reset_password unknown",
		"okta.suspend error", "okta.suspend ok", "okta.suspend unknown", "okta.unsuspend confirmed", "okta.unsuspend unknown",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit %v, want %v", got, want)
	}
}

func TestLostSenderBlockBeforeItLandedIsOfferedAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{5}})
	openIAM(h)
	lists := "/api/v1/orgs/acme.example/sender-lists"
	h.sim.Essentials.Inject(&sim.Fault{Path: lists, Method: "POST", Drop: true, Times: 1})
	h.typeKeys("b")
	h.waitFor("Sender to block or allow")
	h.typeText("bulk.example")
	h.typeKeys("enter", "enter", "y")
	h.waitFor("could not block bulk.example for everyone at acme.example (the answer was lost, and reading the list back")
	if _, block := h.sim.Essentials.Senders(""); slices.Contains(block, "bulk.example") {
		t.Fatal("the sender is on the list after a write the vendor never applied")
	}
	h.typeKeys("b")
	h.waitFor("bulk.example")
	h.typeKeys("enter", "enter", "y")
	h.waitFor("✓ Blocked bulk.example for everyone")
	_, block := h.sim.Essentials.Senders("")
	if n := len(slices.DeleteFunc(slices.Clone(block), func(s string) bool { return s != "bulk.example" })); n != 1 || h.sim.Essentials.Count("POST "+lists) != 2 {
		t.Fatalf("block list %q after %d requests", block, h.sim.Essentials.Count("POST "+lists))
	}
	if got := outcomes(h.audit); !slices.Equal(got, []string{"essentials.block_sender unknown", "essentials.block_sender error", "essentials.block_sender ok"}) {
		t.Fatalf("audit %v", got)
	}
}

func TestBulkCommentWithLostAnswersIsReadBackAndSentOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	ids := h.sim.ITM.FQIDs(3)
	bulk := func(text string) {
		h.typeKeys("space", "space", "space")
		h.waitFor("3 marked")
		h.typeKeys("c")
		h.waitFor("Comment on 3 marked tickets")
		h.typeText(text)
		h.typeKeys("ctrl+s")
		h.waitFor("Add this comment to 3 tickets?")
		h.typeKeys("y")
	}
	// The first ticket applies the comment and the answer is lost.
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/activity/events/" + ids[0] + "/annotations/comments", DropAfter: true, Times: 1})
	bulk("First note.")
	h.waitFor("3 done, 0 failed")
	// The second ticket's answer is lost before it applied it.
	h.typeKeys("esc", "g")
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/activity/events/" + ids[1] + "/annotations/comments", Drop: true, Times: 1})
	bulk("Second note.")
	h.waitFor("2 done, 1 failed")
	if got := h.sim.ITM.Comments(ids[1]); !slices.Equal(got, []string{"First note."}) {
		t.Fatalf("the failed row has %q", got)
	}
	h.typeKeys("R")
	h.waitFor("3 done, 0 failed")
	for _, id := range ids {
		if got := h.sim.ITM.Comments(id); !slices.Equal(got, []string{"First note.", "Second note."}) {
			t.Fatalf("%s has %q: a comment was lost or sent twice", id, got)
		}
	}
	// 7 writes, each with its outcome; the 2 lost answers also with what
	// reading back showed.
	count := map[string]int{}
	for _, e := range h.audit.Entries() {
		count[e.Outcome]++
	}
	if want := map[string]int{audit.OK: 5, audit.Unknown: 2, audit.Confirmed: 1, audit.Failed: 1}; !maps.Equal(count, want) {
		t.Fatalf("audit outcomes %v, want %v", count, want)
	}
}
