package views

import (
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/sim"
)

func TestITMTabListsTicketsGolden(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	frame := h.screen()
	assertNoControls(t, frame)
	h.golden(frame)
}

func TestITMDetailAndRawJSON(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("j", "enter")
	h.waitFor("Why it fired")
	frame := h.screen()
	first := h.sim.ITM.FQIDs(2)[1]
	if !strings.Contains(frame, first) || !strings.Contains(frame, "Comments (0)") {
		t.Fatalf("detail of the second ticket not shown:\n%s", frame)
	}
	h.golden(frame)
	h.typeKeys("v")
	h.waitFor("Raw JSON")
	if f := h.screen(); !strings.Contains(f, `"annotations": {`) {
		t.Fatalf("raw JSON not shown:\n%s", f)
	}
	h.typeKeys("esc")
	h.waitFor("OBSERVED")
}

func TestCommentIsSentAuditedAndShown(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	fqid := h.sim.ITM.FQIDs(1)[0]
	h.typeKeys("c")
	h.waitFor("Comment on")
	h.typeText("Spoke to the manager: approved transfer.")
	h.typeKeys("ctrl+s")
	h.waitFor("Comment saved")
	if got := h.sim.ITM.Comments(fqid); len(got) != 1 || got[0] != "Spoke to the manager: approved transfer." {
		t.Fatalf("vendor has comments %q", got)
	}
	es := h.audit.Entries()
	if len(es) != 1 || es[0].Action != "itm.comment" || es[0].Target != fqid || es[0].Outcome != audit.OK || es[0].Analyst != "alice" {
		t.Fatalf("audit %+v", es)
	}
	h.typeKeys("enter")
	h.waitFor("Comments (1)", "approved transfer")
}

func TestFailedCommentKeepsTheText(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/activity/events/", Status: 500, Body: `{"_status":{"code":"it:error:internal","status":"500","message":"comment store unavailable"}}`, Times: 1})
	h.typeKeys("c")
	h.typeText("Escalating to legal.")
	h.typeKeys("ctrl+s")
	h.waitFor("not saved")
	frame := h.screen()
	if !strings.Contains(frame, "comment store unavailable") || !strings.Contains(frame, "500") {
		t.Fatalf("error line does not carry the vendor's status and message:\n%s", frame)
	}
	h.typeKeys("c")
	h.waitFor("Escalating to legal.")
	// Sending again works and clears the draft.
	h.typeKeys("ctrl+s")
	h.waitFor("Comment saved")
	if es := h.audit.Entries(); len(es) != 2 || es[0].Outcome != audit.Failed || es[1].Outcome != audit.OK {
		t.Fatalf("audit %+v", es)
	}
}

func TestLostAnswerIsReadBackNotResent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	fqid := h.sim.ITM.FQIDs(1)[0]
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/activity/events/" + fqid + "/annotations/comments", DropAfter: true, Times: 1})
	h.typeKeys("c")
	h.typeText("Applied once.")
	h.typeKeys("ctrl+s")
	h.waitFor("went through")
	if got := h.sim.ITM.Comments(fqid); len(got) != 1 {
		t.Fatalf("comment sent %d times", len(got))
	}
	if n := h.sim.ITM.Count("POST /v2/apis/activity/events/"); n != 1 {
		t.Fatalf("%d comment requests, want 1", n)
	}
	if es := h.audit.Entries(); len(es) != 2 || es[0].Outcome != audit.Unknown || es[1].Outcome != audit.Confirmed || !es[0].SameWrite(es[1]) {
		t.Fatalf("audit %+v", es)
	}
}

func TestReadOnlyAnalystCannotComment(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, analyst: identity.Analyst{Name: "bob", Role: "read-only", Fingerprint: "SHA256:abc"}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("c")
	h.waitFor("read-only role")
	if got := h.sim.ITM.Comments(h.sim.ITM.FQIDs(1)[0]); len(got) != 0 {
		t.Fatalf("comment reached the vendor: %q", got)
	}
	if !strings.Contains(h.screen(), "bob SHA256:abc (read-only)") {
		t.Fatal("header does not name the read-only analyst")
	}
	// The refusal is audited, with the key that was refused.
	es := h.audit.Entries()
	if len(es) != 1 || es[0].Outcome != audit.Refused || es[0].Action != "itm.comment" || es[0].Fingerprint != "SHA256:abc" ||
		es[0].Target != h.sim.ITM.FQIDs(1)[0] || es[0].Vendor != "itm" || es[0].Tenant != "demo" {
		t.Fatalf("audit %+v", es)
	}
}

func TestAssignAndCloseWithConfirm(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	fqid := h.sim.ITM.FQIDs(1)[0]
	h.typeKeys("a")
	h.waitFor("Sam Okoro")
	h.typeText("sam")
	h.typeKeys("enter")
	// Nothing is sent until the analyst reads who it goes to and says y.
	h.waitFor("Assign "+short(fqid, 12)+" to Sam Okoro?", "Assignee: — → Sam Okoro")
	if es := h.audit.Entries(); len(es) != 0 {
		t.Fatalf("assigned before y: %+v", es)
	}
	h.typeKeys("y")
	h.waitFor("Assignment saved")
	h.typeKeys("s")
	h.waitFor("Set the status")
	h.typeText("res")
	h.typeKeys("enter")
	h.waitFor("Close this incident?", "Status: New → Resolved")
	h.typeKeys("y")
	h.waitFor("Status change saved")
	h.typeKeys("enter")
	h.waitFor("Why it fired")
	frame := h.screen()
	if !strings.Contains(frame, "Resolved") || !strings.Contains(frame, "u-soc-002") {
		t.Fatalf("detail after writes:\n%s", frame)
	}
	es := h.audit.Entries()
	if len(es) != 2 || es[0].Action != "itm.assign" || es[1].Action != "itm.status" || es[1].Params["status"] != sim.ITMStatuses[4].ID || es[0].Target != fqid {
		t.Fatalf("audit %+v", es)
	}
}

func TestQueryNarrowsTheList(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("f")
	h.waitFor("ITM query")
	for range "since:30d" {
		h.typeKeys("backspace")
	}
	h.typeText("status:escalated severity:critical")
	h.typeKeys("enter")
	h.waitUntil("only escalated critical rows", func(frame string) bool {
		rows := 0
		for _, l := range lines(frame)[3:] {
			if strings.Contains(l, "acme.example") {
				rows++
				if !strings.Contains(l, "Escalated") || !strings.Contains(l, "critical") {
					return false
				}
			}
		}
		return rows > 0 && strings.Contains(frame, "status:escalated")
	})
	h.typeKeys("f")
	h.typeText(" bogus:1")
	h.typeKeys("enter")
	h.waitFor("unknown query term")
}

func TestFilterNarrowsRowsAndEscClears(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("/")
	h.typeText("li.chen")
	h.waitFor("/li.chen:")
	h.typeKeys("enter")
	frame := h.screen()
	rows := 0
	for _, l := range lines(frame) {
		if strings.Contains(l, "@acme.example") {
			rows++
			if !strings.Contains(l, "li.chen@acme.example") {
				t.Fatalf("filter kept %q", l)
			}
		}
	}
	if rows == 0 {
		t.Fatal("filter kept no rows: the demo data should hold li.chen")
	}
	h.typeKeys("esc")
	h.waitFor("120 of 120 incidents  ")
}

func TestHostileVendorTextIsInert(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, sim: sim.Options{Hostile: true, Rows: 40}})
	h.waitFor("40 of 40 incidents")
	frame := h.screen()
	assertNoControls(t, frame)
	if !strings.Contains(frame, "click here <https://e") {
		t.Fatal("hostile rows not on screen: the test would prove nothing")
	}
	for i := 0; i < 8; i++ {
		h.typeKeys("enter")
		h.waitFor("Why it fired")
		assertNoControls(t, h.screen())
		h.typeKeys("v")
		h.waitFor("Raw JSON")
		assertNoControls(t, h.screen())
		h.typeKeys("e")
		h.waitFor("Subject:")
		assertNoControls(t, h.screen())
		h.typeKeys("esc", "esc", "j")
	}
	// An OSC 8 link keeps its hidden target, shown as text, in the detail
	// and in the raw email.
	h.typeKeys("g", "/")
	h.typeText("evil.example")
	h.typeKeys("enter", "enter")
	const link = "click here <https://evil.example/login>"
	if detail := h.waitFor2("Why it fired"); !strings.Contains(detail, "Subject          "+link) {
		t.Fatalf("the detail hides the link's target:\n%s", detail)
	}
	h.typeKeys("e")
	if email := h.waitFor2("Subject:"); !strings.Contains(email, "Subject: "+link) {
		t.Fatalf("the raw email hides the link's target:\n%s", email)
	}
}

// e on a list row opens that row's email, and esc from it shows that
// row's ticket, not one opened before.
func TestRawEmailFromTheListBacksOutToItsOwnTicket(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	itm := tabOf[*itmTab](h.app)
	h.typeKeys("enter")
	h.waitFor("Why it fired")
	first := itm.openKey
	h.typeKeys("esc", "j")
	second := itm.table.CursorKey()
	if second == first {
		t.Fatal("the cursor did not move to another ticket")
	}
	h.typeKeys("e")
	h.waitFor("Subject:")
	h.typeKeys("esc")
	h.waitFor("Why it fired")
	if itm.openKey != second || itm.detail == nil || itm.detail.Key() != second {
		t.Fatalf("esc from the email of %s shows %s (detail %v)", second, itm.openKey, itm.detail != nil)
	}
}

func TestWrongCredentialsAreOneClearLine(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, edit: func(c *config.Config) { c.ITM[0].ClientSecret = "wrong" }})
	h.waitFor("Invalid client credentials")
	frame := h.screen()
	status := lines(frame)[len(lines(frame))-1]
	if !strings.Contains(status, "ITM demo: 401") {
		t.Fatalf("status line %q", status)
	}
}
