package views

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/backend/sim"
)

// openSaaS shows tab 2 once its incidents are in.
func openSaaS(h console, rows int) {
	h.base().t.Helper()
	h.typeKeys("2")
	h.waitFor(count(rows) + " incidents  ")
}

// dataRows are the table's row lines on screen: after the header, the
// lines made of a row's gutter and a first cell.
func dataRows(frame string) []string {
	var out []string
	in := false
	for _, l := range lines(uncursored(frame)) {
		switch {
		case strings.Contains(l, "  ID  ") || strings.Contains(l, "  STARTED  "):
			in = true
		case in && isRow(l):
			out = append(out, l)
		case in:
			return out
		}
	}
	return out
}

func isRow(l string) bool {
	for _, gutter := range []string{"  ", "● ", "✔ "} {
		if rest, ok := strings.CutPrefix(l, gutter); ok {
			return rest != "" && rest[0] != ' '
		}
	}
	return false
}

// allRows reports whether the table shows rows and each holds text.
func allRows(frame, text string) bool {
	rows := dataRows(frame)
	for _, l := range rows {
		if !strings.Contains(l, text) {
			return false
		}
	}
	return len(rows) > 0
}

// rowOf is the screen line of incident id in the list.
func rowOf(frame, id string) string {
	for _, l := range lines(uncursored(frame)) {
		if strings.HasPrefix(strings.TrimLeft(l, " ●✔"), id+" ") {
			return l
		}
	}
	return ""
}

func TestSaaSTabListsIncidentsGolden(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	frame := h.screen()
	assertNoControls(t, frame)
	for _, want := range []string{"2 SaaS incidents", "saas/demo", "query: all incidents", "critical", "ID", "EXPOSURE", "RESOLVER"} {
		if !strings.Contains(frame, want) {
			t.Fatalf("list lacks %q:\n%s", want, frame)
		}
	}
	if top := h.sim.SaaS.Newest(1)[0]; !strings.HasPrefix(strings.TrimSpace(dataRows(frame)[0]), top+" ") {
		t.Fatalf("the newest incident (%s) is not on top:\n%s", top, frame)
	}
	h.golden(frame)
}

func TestSaaSDetailShowsEveryFieldGolden(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	h.typeKeys("j", "enter")
	h.waitFor("Policy page")
	frame := h.screen()
	id := h.sim.SaaS.Newest(2)[1]
	for _, want := range []string{"Incident " + id, "Asset id", "SHA-256", "Owner", "Exposure", "Asset page", "https://acme.aperture.example/cloud_assets/"} {
		if !strings.Contains(frame, want) {
			t.Fatalf("detail lacks %q:\n%s", want, frame)
		}
	}
	h.golden(frame)
	h.typeKeys("v")
	h.waitFor("Raw JSON", `"asset_owner_email": `)
	h.typeKeys("v", "y")
	h.waitFor("Copy from incident " + id)
	h.typeKeys("enter")
	h.waitFor("Copied asset page: https://acme.aperture.example/cloud_assets/" + h.sim.SaaS.AssetOf(id))
	h.typeKeys("esc")
	h.waitFor("RESOLVER")
}

func TestCloseAsBusinessJustifiedUpdatesTheRowAndIsAudited(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	id := h.sim.SaaS.Newest(1)[0]
	h.typeKeys("s")
	h.waitFor("Close incident " + id + " as")
	h.typeText("business")
	h.typeKeys("enter")
	h.waitFor("Close this incident?", "new category: Business justified (business_justified)")
	h.typeKeys("y")
	h.waitFor("Incident " + id + " closed as Business justified by api")
	if state, cat := h.sim.SaaS.IncidentState(id); state != "closed" || cat != saas.BusinessJustified {
		t.Fatalf("vendor has %s/%s", state, cat)
	}
	row := rowOf(h.screen(), id)
	if !strings.Contains(row, "Closed-Business Justified") || !strings.Contains(row, " "+testNow.Format("2006-01-02 15:04")+" ") || !strings.HasSuffix(strings.TrimSpace(row), " api") {
		t.Fatalf("row after close: %q", row)
	}
	es := h.audit.Entries()
	if len(es) != 1 || es[0].Action != "saas.close" || es[0].Target != id || es[0].Params["category"] != saas.BusinessJustified ||
		es[0].Outcome != audit.OK || es[0].Analyst != "alice" || es[0].Vendor != "saas" {
		t.Fatalf("audit %+v", es)
	}
	// Closed incidents may change category; the picker says so.
	h.typeKeys("s")
	h.waitFor("Change the category of closed incident " + id)
	h.typeText("mis")
	h.typeKeys("enter", "y")
	h.waitFor("closed as Misidentified")
	if _, cat := h.sim.SaaS.IncidentState(id); cat != saas.Misidentified {
		t.Fatalf("category now %s", cat)
	}
}

func TestQuarantineStartsAndTab3ShowsItReachSuccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{2, 3}})
	openSaaS(h, 120)
	id := h.sim.SaaS.Newest(1)[0]
	asset := h.sim.SaaS.AssetOf(id)
	h.typeKeys("x")
	h.waitFor("Remediate ", "Quarantine", "Restore")
	h.typeText("quarantine")
	h.typeKeys("enter")
	h.waitFor("Quarantine this asset?", asset)
	h.typeKeys("y")
	h.waitFor("started: tab 3 follows it")
	h.typeKeys("3")
	h.waitFor("Quarantine", "alice", "pending")
	h.clock.Advance(sim.SaaSRemediationTime) // the vendor finishes it
	h.waitUntil("the quarantine to succeed", func(f string) bool {
		return strings.Contains(f, " success ") && strings.Contains(f, "Quarantine")
	})
	if st := h.sim.SaaS.RemediationStatus(asset, saas.Quarantine); st != "success" {
		t.Fatalf("vendor says %q", st)
	}
	es := h.audit.Entries()
	if len(es) != 1 || es[0].Action != "saas.remediate" || es[0].Target != asset || es[0].Params["remediation_type"] != saas.Quarantine || es[0].Outcome != audit.OK {
		t.Fatalf("audit %+v", es)
	}
	recs, err := remediations.Open(h.stateDir).List()
	if err != nil || len(recs) != 1 || recs[0].Status != remediations.Success || recs[0].TargetID != asset || recs[0].StartedBy != "alice" || recs[0].Source != "incident "+id {
		t.Fatalf("journal: %+v %v", recs, err)
	}
	h.typeKeys("enter")
	h.waitFor("Quarantine of ", "Started by", "alice", "Finished")
}

func TestRemovePublicSharingOffersTheInheritedToggle(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	// Only some apps can have public sharing removed.
	h.typeKeys("A")
	h.waitFor("Show incidents of app", "Slack Enterprise")
	h.typeText("slack")
	h.typeKeys("enter")
	h.waitFor(`app:"Slack Enterprise"`)
	h.waitUntil("only Slack rows", func(f string) bool { return allRows(f, "Slack E") })
	h.typeKeys("x")
	h.waitFor("Remediate ", "Restore")
	if strings.Contains(h.screen(), "Remove public sharing") {
		t.Fatal("public-sharing removal offered for Slack")
	}
	h.typeKeys("esc", "A")
	h.typeText("box")
	h.typeKeys("enter")
	h.waitFor(`app:"Box 1"`)
	h.waitUntil("only Box rows", func(f string) bool { return allRows(f, "Box 1") })
	h.typeKeys("x")
	h.typeText("remove")
	h.typeKeys("enter")
	h.waitFor("Remove this asset's public sharing?", "[ ] also remove shared links on parent folders")
	h.typeKeys("i")
	h.waitFor("[x] also remove shared links on parent folders")
	h.typeKeys("y")
	h.waitFor("Remove public sharing of ")
	es := h.audit.Entries()
	if len(es) != 1 || es[0].Params["remediation_type"] != saas.RemovePublicSharing || es[0].Params["remove_inherited_sharing"] != true {
		t.Fatalf("audit %+v", es)
	}
}

func TestFailedCloseShowsTheVendors400AndKeepsTheChoice(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	id := h.sim.SaaS.Newest(1)[0]
	h.sim.SaaS.Inject(&sim.Fault{Path: "/incident/api/incidents/" + id + "/state", Status: 400, Times: 1,
		Body: `{"error":"invalid_request","error_description":"invalid category \"misidentified\" for this tenant"}`})
	h.typeKeys("s")
	h.typeText("mis")
	h.typeKeys("enter", "y")
	h.waitFor("not closed")
	status := lines(h.screen())[31]
	if !strings.Contains(status, "SaaS demo: 400") || !strings.Contains(status, "invalid category") {
		t.Fatalf("status line %q", status)
	}
	if state, _ := h.sim.SaaS.IncidentState(id); state != "open" {
		t.Fatalf("vendor state %s", state)
	}
	h.typeKeys("s")
	h.waitFor("› Misidentified")
	h.typeKeys("enter", "y")
	h.waitFor("closed as Misidentified")
	if es := h.audit.Entries(); len(es) != 2 || es[0].Outcome != audit.Failed || es[0].Status != 400 || es[1].Outcome != audit.OK {
		t.Fatalf("audit %+v", es)
	}
}

func TestFailedRemediationKeepsTheChoiceAndStartsNothing(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2, 3}})
	openSaaS(h, 120)
	h.sim.SaaS.Inject(&sim.Fault{Path: "/remediation/api/assets", Status: 503, Times: 1,
		Body: `{"error":"temporarily_unavailable","error_description":"remediation service is restarting"}`})
	h.typeKeys("x")
	h.typeText("rest")
	h.typeKeys("enter", "y")
	h.waitFor("Restore not started", "503", "remediation service is restarting")
	if n := h.sim.SaaS.Remediations(); n != 0 {
		t.Fatalf("%d remediations at the vendor", n)
	}
	if n := h.sim.SaaS.Count("POST /remediation/api/assets"); n != 1 {
		t.Fatalf("a write was retried: %d requests", n)
	}
	h.typeKeys("x")
	h.waitFor("› Restore")
	h.typeKeys("esc", "3")
	h.waitFor("No remediations started from the console yet")
}

func TestLostRemediationAnswerIsReadBackNotResent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{2, 3}})
	openSaaS(h, 120)
	asset := h.sim.SaaS.AssetOf(h.sim.SaaS.Newest(1)[0])
	h.sim.SaaS.Inject(&sim.Fault{Path: "/remediation/api/assets", DropAfter: true, Times: 1})
	h.typeKeys("x")
	h.typeText("quar")
	h.typeKeys("enter", "y")
	h.waitFor("started: tab 3 follows it")
	if n := h.sim.SaaS.Count("POST /remediation/api/assets"); n != 1 {
		t.Fatalf("%d remediation requests, want 1", n)
	}
	if es := h.audit.Entries(); len(es) != 2 || es[0].Outcome != audit.Unknown || es[1].Outcome != audit.Confirmed {
		t.Fatalf("audit %+v", es)
	}
	h.typeKeys("3")
	h.waitFor("pending")
	h.clock.Advance(sim.SaaSRemediationTime) // the vendor finishes it
	h.waitUntil("success", func(f string) bool { return strings.Contains(f, " success ") })
	if st := h.sim.SaaS.RemediationStatus(asset, saas.Quarantine); st != "success" {
		t.Fatalf("vendor says %q", st)
	}
}

func TestReadOnlyAnalystCannotCloseOrRemediateButCanLookUp(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{analyst: identity.Analyst{Name: "bob", Role: "read-only"}, loads: []int{2, 3}})
	openSaaS(h, 120)
	id := h.sim.SaaS.Newest(1)[0]
	h.typeKeys("s")
	h.waitFor("bob has the read-only role: set status / close is not available")
	h.typeKeys("x")
	h.waitFor("bob has the read-only role: remediate is not available")
	if state, _ := h.sim.SaaS.IncidentState(id); state != "open" || h.sim.SaaS.Remediations() != 0 {
		t.Fatal("a write reached the vendor")
	}
	// Both refusals are audited, as the backend audits a refused write.
	es := h.audit.Entries()
	if len(es) != 2 || es[0].Action != "saas.close" || es[1].Action != "saas.remediate" {
		t.Fatalf("audit %+v", es)
	}
	for _, e := range es {
		if e.Outcome != audit.Refused || e.Analyst != "bob" || e.Vendor != "saas" || e.Tenant != "demo" || e.Target != id {
			t.Fatalf("refusal audited as %+v", e)
		}
	}
	h.typeKeys("3", "n")
	h.waitFor("Look up a remediation: asset id")
}

func TestLookUpAnyAssetsRemediation(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2, 3}})
	openSaaS(h, 120)
	asset := h.sim.SaaS.AssetOf(h.sim.SaaS.Newest(3)[2])
	if err := h.app.c.Backends.SaaS[0].Remediate(h.app.c.Context(), saas.RemediationRequest{AssetID: asset, Type: saas.Quarantine}); err != nil {
		t.Fatal(err)
	}
	h.typeKeys("3", "n")
	h.typeText(asset)
	h.typeKeys("enter")
	h.waitFor("Remediation of " + asset)
	h.typeText("quar")
	h.typeKeys("enter")
	h.waitFor("Quarantine of ", "as the vendor reports it now", "Action taker")
	// An asset with no such remediation: the vendor's 404, and n keeps the id.
	h.typeKeys("n")
	h.waitFor(asset)
	h.typeKeys("enter")
	h.typeText("restore")
	h.typeKeys("enter")
	h.waitFor("SaaS demo: 404 not_found: no system_restore remediation")
}

func TestRemediationsAreReadFromTheJournalAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A record left by an earlier run, finished, and one still pending.
	j := remediations.Open(dir)
	started := testNow.Add(-time.Hour)
	j.Add(remediations.Record{Kind: remediations.KindAsset, Vendor: "saas", Tenant: "demo", TargetID: "61099d00000001aaaaaaaaaa", TargetName: "roadmap.pptx",
		Type: saas.Restore, StartedBy: "carol", StartedAt: started, Status: remediations.Success, FinishedAt: started.Add(3 * time.Second)})
	j.Add(remediations.Record{Kind: remediations.KindAsset, Vendor: "saas", Tenant: "elsewhere", TargetID: "abc", TargetName: "payroll.xlsx",
		Type: saas.Quarantine, StartedBy: "dave", StartedAt: started.Add(time.Minute), Status: remediations.Pending})
	h := newDriver(t, setup{stateDir: dir, loads: []int{3}})
	h.typeKeys("3")
	h.waitFor("roadmap.pptx", "carol", "success", "3s", "payroll.xlsx", "dave", "pending")
	h.checkRemediations() // the first check of the pending one is due
	h.waitFor(`saas tenant "elsewh`)
	frame := h.screen()
	if strings.Index(frame, "payroll.xlsx") > strings.Index(frame, "roadmap.pptx") {
		t.Fatalf("not newest first:\n%s", frame)
	}
	if _, err := os.Stat(filepath.Join(dir, remediations.FileName)); err != nil {
		t.Fatal(err)
	}
}

func TestSaaSQueryAndAppFilterNarrowTheList(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	h.typeKeys("f")
	h.waitFor("SaaS query")
	h.typeText("state:closed severity:high")
	h.typeKeys("enter")
	h.waitUntil("only closed high rows", func(f string) bool {
		rows := dataRows(f)
		for _, l := range rows {
			if !strings.Contains(l, "Closed-") || !(strings.Contains(l, " High ") || strings.Contains(l, " 4 ")) {
				return false
			}
		}
		return len(rows) > 0 && strings.Contains(f, "query: state:closed severity:high")
	})
	h.typeKeys("f")
	h.typeText(" bogus:1")
	h.typeKeys("enter")
	h.waitFor("unknown query term")
	// The filter takes 1..5 (SaasSecurity.yml): a word that is no severity
	// is said before anything is sent.
	h.typeKeys("esc", "f")
	h.typeText(" severity:severe")
	h.typeKeys("enter")
	h.waitFor(`severity "severe": use critical`)
	h.typeKeys("esc", "/")
	h.typeText("closed-dismiss")
	h.typeKeys("enter")
	h.waitUntil("only dismissed rows", func(f string) bool {
		return allRows(f, "Closed-Dismiss")
	})
}

func TestSaaSHostileVendorTextIsInert(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{sim: sim.Options{Hostile: true, Rows: 40}, loads: []int{2}})
	openSaaS(h, 40)
	frame := h.screen()
	assertNoControls(t, frame)
	if !strings.Contains(frame, "<U+202E>") && !strings.Contains(frame, "ALLOW") && !strings.Contains(frame, "click here") {
		t.Fatalf("hostile rows not on screen: the test would prove nothing\n%s", frame)
	}
	for i := 0; i < 8; i++ {
		h.typeKeys("enter")
		h.waitFor("Asset page")
		assertNoControls(t, h.screen())
		h.typeKeys("v")
		h.waitFor("Raw JSON")
		assertNoControls(t, h.screen())
		h.typeKeys("v", "y")
		h.waitFor("Copy from incident")
		assertNoControls(t, h.screen())
		h.typeKeys("esc", "esc", "j")
	}
	h.typeKeys("A")
	h.waitFor("Show incidents of app")
	assertNoControls(t, h.screen())
}

func TestSaaSWrongSecretIsTheVendorsAnswerOnOneLine(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{edit: func(c *config.Config) { c.SaaS[0].ClientSecret = "wrong" }, loads: []int{2}})
	h.typeKeys("2")
	h.waitFor("Invalid credentials")
	frame := h.screen()
	status := lines(frame)[len(lines(frame))-1]
	if !strings.Contains(status, "✗ SaaS demo: 401 unauthorized: Invalid credentials") {
		t.Fatalf("status line %q", status)
	}
	if strings.Contains(frame, "wrong") {
		t.Fatal("the secret reached the screen")
	}
}

func TestRefreshFollowsTheDeltaFeedAndMarksChanges(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	// Another analyst closes an incident further down the list.
	id := h.sim.SaaS.Newest(5)[4]
	if _, err := h.app.c.Backends.SaaS[0].Close(h.app.c.Context(), id, saas.NoReason); err != nil {
		t.Fatal(err)
	}
	before := h.sim.SaaS.Count("GET /incident/api/incidents/delta")
	h.typeKeys("r")
	frame := h.waitUntil("the closed incident on top, marked", func(f string) bool {
		rows := dataRows(f)
		return len(rows) > 0 && strings.HasPrefix(rows[0], "● "+id+" ") && strings.Contains(rows[0], "Closed-No Reason")
	})
	if n := h.sim.SaaS.Count("GET /incident/api/incidents/delta") - before; n != 1 {
		t.Fatalf("refresh made %d delta requests, want 1", n)
	}
	if !strings.Contains(frame, "120 incidents") {
		t.Fatalf("refresh duplicated a row:\n%s", frame)
	}
}

func TestTenantSwitcherForSeveralTenants(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}, edit: func(c *config.Config) {
		eu := c.SaaS[0]
		eu.Name = "eu"
		c.SaaS = append(c.SaaS, eu)
	}})
	openSaaS(h, 120)
	h.typeKeys("?")
	h.waitFor("switch tenant", "close with a category", "filter by app")
	h.typeKeys("esc", "T")
	h.waitFor("Switch SaaS Security tenant")
	h.typeText("eu")
	h.typeKeys("enter")
	h.waitFor("saas/eu", "SaaS tenant eu")
	h.waitFor("120 incidents  ")
}

func TestAFeedThatFailsKeepsItsRowsAndRContinues(t *testing.T) {
	t.Parallel()
	// The first page fails (a 500 is not retried), then the second.
	h := newDriver(t, setup{sim: sim.Options{Rows: 1200}, loads: []int{2}, vendors: func(s *sim.Sim) {
		s.SaaS.Inject(&sim.Fault{Path: "/incident/api/incidents/delta", Status: 500, Times: 1,
			Body: `{"error":"server_error","error_description":"incident store unavailable"}`})
	}})
	h.typeKeys("2")
	h.waitFor("incident store unavailable", "(r tries again)")
	h.sim.SaaS.Inject(&sim.Fault{Path: "/incident/api/incidents/delta", Status: 500, Times: 1, Skip: 1,
		Body: `{"error":"server_error","error_description":"incident store unavailable"}`})
	h.typeKeys("r")
	h.waitFor("incident store unavailable", "(500 loaded; r continues)")
	before := h.sim.SaaS.Count("GET /incident/api/incidents/delta")
	h.typeKeys("r")
	h.waitUntil("the whole feed", func(f string) bool { return strings.Contains(f, "All 1,200 SaaS incidents loaded") })
	if n := h.sim.SaaS.Count("GET /incident/api/incidents/delta") - before; n != 2 {
		t.Fatalf("r read %d pages, want the 2 still missing", n)
	}
}

// A tenant's configured query is what its tab opens on; one the tab cannot
// parse is said with the file and tenant, and the default is used.
func TestTenantsOpenOnTheirConfiguredQuery(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{edit: func(c *config.Config) {
		c.SaaS[0].Query = "state:closed severity:high"
		c.ITM[0].Query = "since:45d colour:blue"
	}})
	h.waitFor(`[[itm]] "demo" query "since:45d colour:blue"`)
	h.waitFor("query: since:30d")
	h.typeKeys("2")
	h.waitUntil("only closed high incidents", func(f string) bool {
		rows := dataRows(f)
		for _, l := range rows {
			if !strings.Contains(l, "Closed-") || !(strings.Contains(l, " High ") || strings.Contains(l, " 4 ")) {
				return false
			}
		}
		return len(rows) > 0 && strings.Contains(f, "query: state:closed severity:high")
	})
}

// The palette runs the tab's bindings themselves: marking every row, then
// the close of the marked rows by their count, which opens the same picker
// as s and sends nothing until confirmed.
func TestSaaSPaletteMarksEveryRowAndClosesTheMarked(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	h.typeKeys(":")
	h.typeText("mark every shown")
	h.typeKeys("enter")
	h.waitFor("120 rows marked", "120 marked")
	h.typeKeys(":")
	h.typeText("close the 120 marked")
	h.waitFor("Close the 120 marked incidents with a category")
	h.typeKeys("enter")
	h.waitFor("Close the 120 marked incidents as")
	h.typeKeys("esc")
	h.waitFor("120 marked")
	if es := h.audit.Entries(); len(es) != 0 {
		t.Fatalf("sent before asking: audit %+v", es)
	}
}
