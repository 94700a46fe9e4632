package views

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/prefs"
	"triage/backend/sim"
)

func TestBulkCommentOnMarkedTicketsListsEachResultAndRetriesFailures(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	ids := h.sim.ITM.FQIDs(3)
	h.typeKeys("space", "space", "space")
	h.waitFor("3 marked")
	// The second ticket's comment fails once.
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/activity/events/" + ids[1] + "/annotations/comments", Status: 503, Body: `{"_status":{"status":"503","message":"busy"}}`, Times: 1})
	h.typeKeys("c")
	h.waitFor("Comment on 3 marked tickets")
	h.typeText("Same note for all three.")
	h.typeKeys("ctrl+s")
	h.waitFor("Add this comment to 3 tickets?")
	h.typeKeys("y")
	h.waitFor("finished", "2 done, 1 failed")
	if got := len(h.sim.ITM.Comments(ids[1])); got != 0 {
		t.Fatalf("the failed row has %d comments", got)
	}
	h.typeKeys("R")
	h.waitFor("3 done, 0 failed")
	for _, id := range ids {
		if got := h.sim.ITM.Comments(id); len(got) != 1 || got[0] != "Same note for all three." {
			t.Fatalf("%s comments %q", id, got)
		}
	}
	failed, ok := 0, 0
	for _, e := range h.audit.Entries() {
		switch e.Outcome {
		case audit.Failed:
			failed++
		case audit.OK:
			ok++
		}
	}
	if failed != 1 || ok != 3 {
		t.Fatalf("audit: %d ok, %d failed", ok, failed)
	}
}

func TestBulkCloseOfThreeMarkedSaaSIncidentsAfterOneConfirm(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	ids := h.sim.SaaS.Newest(3)
	h.typeKeys("space", "space", "space")
	h.waitFor("3 marked")
	before := h.sim.SaaS.Count("POST /incident/api/incidents/")
	h.typeKeys("s")
	h.waitFor("Close the 3 marked incidents as")
	h.typeText("mis")
	h.typeKeys("enter")
	h.waitFor("Close 3 incidents as Misidentified?")
	h.typeKeys("y")
	h.waitFor("3 done, 0 failed")
	if n := h.sim.SaaS.Count("POST /incident/api/incidents/") - before; n != 3 {
		t.Fatalf("%d state updates, want 3", n)
	}
	for _, id := range ids {
		if state, cat := h.sim.SaaS.IncidentState(id); state != "closed" || cat != "misidentified" {
			t.Fatalf("incident %s: %s %s", id, state, cat)
		}
	}
}

func TestReadOnlyAnalystGetsNoBulkWrites(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, analyst: identity.Analyst{Name: "bob", Role: "read-only"}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("space", "space", "c")
	h.waitFor("read-only role")
	if n := h.sim.ITM.Count("POST /v2/apis/activity/events/"); n != 0 {
		t.Fatalf("%d comments sent", n)
	}
}

func TestPaletteRunsActionsAndOpensSavedViews(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1, 4}, edit: func(c *config.Config) {
		c.Views = []config.View{
			{Name: "escalated criticals", Tab: "itm", Query: "status:escalated severity:critical"},
			{Name: "li's logins", Tab: "okta-logs", Query: "actor:li.chen@acme.example since:-48h"},
		}
	}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys(":")
	h.waitFor("Command", "Comment")
	h.typeText("escalated crit")
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
		return rows > 0
	})
	// The palette remembers: the view is first next time.
	h.typeKeys(":")
	h.waitFor("Command")
	frame := h.screen()
	if i, j := strings.Index(frame, "Open saved view: escalated criticals"), strings.Index(frame, "Comment"); i < 0 || j < 0 || i > j {
		t.Fatalf("the last command is not first:\n%s", frame)
	}
	h.typeKeys("esc")
	// A key action through the palette: the comment editor opens.
	h.typeKeys(":")
	h.typeText("comment")
	h.typeKeys("enter")
	h.waitFor("Comment on")
	h.typeKeys("esc")
	// A saved view on another tab switches to it.
	h.typeKeys(":")
	h.typeText("li's logins")
	h.typeKeys("enter")
	h.waitFor("actor:li.chen@acme.example")
	h.waitUntil("only li.chen's events", func(frame string) bool {
		rows := 0
		for _, l := range lines(frame) {
			if strings.Contains(l, "@acme.example") && strings.Contains(l, " INFO ") || strings.Contains(l, " WARN ") {
				rows++
				if !strings.Contains(l, "li.chen@acme.example") {
					return false
				}
			}
		}
		return rows > 0
	})
}

func TestPaletteShowsTheAuditLog(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.typeKeys("c")
	h.typeText("for the audit")
	h.typeKeys("ctrl+s")
	h.waitFor("Comment saved")
	h.typeKeys(":")
	h.typeText("audit")
	h.typeKeys("enter")
	h.waitFor("Audit log", "itm.comment", "alice (you)")
	h.typeKeys("esc")
	h.waitFor("OBSERVED")
}

// A held key or fast typing over SSH arrives as one message of several
// runes; each must still move the cursor.
func TestRunesThatArriveTogetherAreSeparateKeys(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	h.typeKeys("enter")
	h.waitFor("Why it fired", h.sim.ITM.FQIDs(4)[3])
}

func TestSortAndColumnsAreRememberedPerAnalyst(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	h := newDriver(t, setup{loads: []int{1}, stateDir: state})
	h.waitFor("120 of 120 incidents")
	// The header's arrow shows at once; the rows follow when the sort,
	// which runs off the key path, is done.
	first := func(frame string) string {
		for _, l := range lines(uncursored(frame))[4:] {
			if strings.Contains(l, "acme.example") {
				return l
			}
		}
		return ""
	}
	h.typeKeys(":")
	h.typeText("sort by severity")
	h.typeKeys("enter", "g")
	h.waitUntil("the least severe first", func(f string) bool {
		return strings.Contains(f, "SEVER… ▲") && strings.Contains(first(f), " low ")
	})
	h.typeKeys(":")
	h.typeText("sort by severity, desc")
	h.typeKeys("enter", "g")
	h.waitUntil("the most severe first", func(f string) bool {
		return strings.Contains(f, "SEVER… ▼") && strings.Contains(first(f), " critical ")
	})
	h.typeKeys(":")
	h.typeText("hide the subject")
	h.typeKeys("enter")
	h.waitUntil("no SUBJECT column", func(f string) bool { return !strings.Contains(f, "SUBJECT") })

	// The next session of the same analyst starts that way: the driver ran
	// the saves to their end.
	again := newDriver(t, setup{loads: []int{1}, stateDir: state})
	frame := again.waitUntil("the sort and columns of the last session", func(f string) bool {
		return strings.Contains(f, "120 of 120 incidents") && strings.Contains(f, "SEVER… ▼") && strings.Contains(first(f), " critical ")
	})
	if strings.Contains(frame, "SUBJECT") {
		t.Fatal("the hidden column came back")
	}
}

func TestRowsNewSinceTheAnalystLastLookedAreMarked(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	seen := testNow.Add(-30 * time.Hour)
	prefs.Open(state, "alice").Update(func(p *prefs.Prefs) { p.Tabs["itm"] = prefs.Tab{LastSeen: seen} })
	h := newDriver(t, setup{loads: []int{1}, stateDir: state})
	h.waitFor("120 of 120 incidents")
	frame := h.waitUntil("marked rows", func(f string) bool { return strings.Contains(f, "● ") })
	for _, l := range lines(uncursored(frame))[4:] {
		if !strings.Contains(l, "acme.example") {
			continue
		}
		rest := strings.TrimPrefix(strings.TrimPrefix(l, "● "), "  ")
		when, err := time.ParseInLocation("2006-01-02 15:04", rest[:16], time.UTC)
		if err != nil {
			t.Fatalf("row %q: %v", l, err)
		}
		if fresh := strings.HasPrefix(l, "● "); fresh != when.After(seen) {
			t.Fatalf("row observed %s marked %v, last seen %s", when, fresh, seen)
		}
	}
}

func TestCopyAndOpenGiveOurOwnIDsAndLinks(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1, 4}})
	h.waitFor("120 of 120 incidents")
	fqid := h.sim.ITM.FQIDs(1)[0]
	h.typeKeys("y")
	h.waitFor("Copied ITM incident id: " + fqid)
	h.typeKeys("o")
	h.waitFor("ITM incident (copied): " + h.cfg.ITM[0].BaseURL + "/v2/apps/search/incidents/new/search?fqid=")
	h.typeKeys("4")
	h.waitFor("apps")
	h.typeKeys("o")
	h.waitFor("Okta app (copied): " + h.cfg.Okta[0].URL + "/admin/app/")
}

// A bulk remediation says its assets were started, not done; when tab 3's
// checks learn that the vendor failed them, the status line says so, with
// what the vendor said, and so does tab 3's row.
func TestBulkRemediationSaysStartedAndTab3AnnouncesTheFailure(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{2, 3}})
	openSaaS(h, 120)
	h.typeKeys("space", "space")
	h.waitFor("2 marked")
	h.typeKeys("x")
	h.waitFor("Remediate the 2 marked incidents' assets")
	h.typeText("restore") // the assets are not quarantined: the vendor fails both
	h.typeKeys("enter")
	h.waitFor("Restore 2 assets?")
	h.typeKeys("y")
	h.waitFor("Restore of 2 assets: all 2 started; tab 3 follows them")
	if strings.Contains(h.screen(), "done") {
		t.Fatalf("a started remediation reads as done:\n%s", h.screen())
	}
	h.typeKeys("esc", "3")
	h.waitFor("Restore", "pending")
	h.clock.Advance(sim.SaaSRemediationTime)
	h.waitFor(`failed at the vendor: status "failed", and SaaS Security gives no reason`)
	h.waitUntil("both rows failed", func(f string) bool { return strings.Count(f, " failed ") >= 2 })
	h.typeKeys("enter")
	h.waitUntil("the record's detail to give the reason", func(f string) bool {
		for _, line := range strings.Split(f, "\n") {
			if strings.Contains(line, "Detail") && strings.Contains(line, `status "failed"`) {
				return true
			}
		}
		return false
	})
}
