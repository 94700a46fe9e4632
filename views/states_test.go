package views

import (
	"strings"
	"testing"

	"triage/backend/sim"
)

// Loading, empty and failed look different in every list: no "No incidents
// match" while the first page is on its way, the vendor's error in place
// of the rows (and on the status line) when it failed, and "no match"
// only when the rows came and none matched.
func TestLoadingEmptyAndFailedLookDifferent(t *testing.T) {
	t.Parallel()
	d := newDriver(t, setup{loads: []int{}})
	itm := d.app.tabs[0].(*itmTab)
	d.typeKeys("1")
	itm.loadFirst() // the first page is on its way, not yet answered
	if s := d.screen(); !strings.Contains(s, "⋯ Loading ITM incidents…") || strings.Contains(s, "No incidents match") {
		t.Fatalf("loading:\n%s", s)
	}
	d.run(itm.loadFirst())
	d.settle()
	d.waitFor("120 of 120 incidents")
	d.typeKeys("/")
	d.typeText("no-such-thing-anywhere")
	d.typeKeys("enter")
	d.waitFor("No incidents match")
	if s := d.screen(); strings.Contains(s, "Loading") || strings.Contains(s, "Could not load") {
		t.Fatalf("empty:\n%s", s)
	}
}

// With the vendor failing, tab 2 says why in place of its rows and on
// the status line, not "no incidents loaded" beside a blank status line.
func TestAFailedLoadShowsTheVendorsErrorOnTheTab(t *testing.T) {
	t.Parallel()
	d := newDriver(t, setup{loads: []int{2}, vendors: func(s *sim.Sim) {
		s.SaaS.Inject(&sim.Fault{Path: "/incident/api/incidents", Method: "GET", Status: 500,
			Body: `{"error":"internal_error","error_description":"incident store unavailable"}`})
	}})
	d.typeKeys("2")
	s := d.screen()
	for _, want := range []string{"✗ no incidents loaded: the query failed", "✗ Could not load the rows (r tries again):", "incident store unavailable"} {
		if !strings.Contains(s, want) {
			t.Fatalf("no %q:\n%s", want, s)
		}
	}
	if status := lines(s)[screenHeight-1]; !strings.Contains(status, "✗") || !strings.Contains(status, "500") {
		t.Fatalf("status line %q", status)
	}
	if strings.Contains(s, "No incidents match") {
		t.Fatalf("a failed load reads as empty:\n%s", s)
	}
}

// The assign picker says the users are loading, not "no match · 0 of 0".
func TestTheAssignPickerSaysItsUsersAreLoading(t *testing.T) {
	t.Parallel()
	d := newDriver(t, setup{loads: []int{1}})
	d.waitFor("120 of 120 incidents")
	itm := d.app.tabs[0].(*itmTab)
	itm.openAssign() // the users are asked for, not yet answered
	if s := d.screen(); !strings.Contains(s, "Loading the tenant's ITM users…") || strings.Contains(s, "no match") || strings.Contains(s, "0 of 0") {
		t.Fatalf("assign picker while users load:\n%s", s)
	}
}

// IAM says its lists are loading while they are, not "No one matches.".
func TestIAMSaysItsListsAreLoading(t *testing.T) {
	t.Parallel()
	d := newDriver(t, setup{loads: []int{}})
	iam := d.app.tabs[4].(*iamTab)
	iam.started = true
	iam.loadAll() // asked for, not yet answered
	d.typeKeys("5")
	if s := d.screen(); !strings.Contains(s, "⋯ Loading people from Okta demo, Atlassian demo, Essentials demo…") || strings.Contains(s, "No one matches") {
		t.Fatalf("IAM while loading:\n%s", s)
	}
}

// The System Log pane says it is loading, then why it could not load,
// never "No events match" for either.
func TestTheSystemLogSaysLoadingThenWhyItFailed(t *testing.T) {
	t.Parallel()
	d := newDriver(t, setup{loads: []int{}, vendors: func(s *sim.Sim) {
		s.Okta.Inject(&sim.Fault{Path: "/api/v1/logs", Method: "GET", Status: 500,
			Body: `{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorCauses":[]}`})
	}})
	okta := d.app.tabs[3].(*oktaTab)
	d.typeKeys("4", "]") // the System Log pane
	log := okta.log
	shown := log.rows
	log.rows = newEventView(&eventSet{run: &logRun{}}) // asked for, not yet answered
	if s := d.screen(); !strings.Contains(s, "⋯ Loading the Okta System Log…") || strings.Contains(s, "No events match") {
		t.Fatalf("while loading:\n%s", s)
	}
	log.rows = shown
	d.run(log.load())
	d.settle()
	s := d.screen()
	if !strings.Contains(s, "✗ Could not load the rows (r tries again):") || !strings.Contains(s, "Internal Server Error") || strings.Contains(s, "No events match") {
		t.Fatalf("after a failed load:\n%s", s)
	}
}
