package cli

import (
	"net/http"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/saas"
	"triage/backend/sim"
)

// signIn is what a proxy or an SSO gateway in front of a vendor answers
// when it wants a session of its own: a 200 with a page.
const signIn = `<!DOCTYPE html><html><head><title>Sign in to Acme SSO</title></head><body><form action="/login"></form></body></html>`

// TestWritesAnsweredBySignInPageAreReadBackAndSaidSo: every write command,
// its answer replaced by a proxy's sign-in page with status 200. The
// command never says it was done on that page's word: it reads back,
// once, and says what it found. Kept by the proxy, it exits 1 saying it
// was not applied; passed on, it exits 0 saying the answer is not one the
// vendor documents and reading back shows it. The write is sent once each time,
// and the audit log has the unknown outcome and what reading back showed.
func TestWritesAnsweredBySignInPageAreReadBackAndSaidSo(t *testing.T) {
	h := newHarness(t, 30, nil)
	fqid := h.sim.ITM.FQIDs(1)[0]
	ev := "/v2/apis/activity/events/" + fqid + "/annotations"
	incident := h.sim.SaaS.Newest(1)[0]
	asset := h.sim.SaaS.AssetOf(incident)
	oktaUser := "/api/v1/users/" + h.sim.Okta.UserID(li)
	scim := "/scim/directory/" + sim.AtlassianDirectoryID + "/Users/"
	ITM := func(s *sim.Sim) *sim.Server { return s.ITM.Server }
	SaaS := func(s *sim.Sim) *sim.Server { return s.SaaS.Server }
	Okta := func(s *sim.Sim) *sim.Server { return s.Okta.Server }
	Atlassian := func(s *sim.Sim) *sim.Server { return s.Atlassian.Server }
	Essentials := func(s *sim.Sim) *sim.Server { return s.Essentials.Server }
	for _, w := range []struct {
		name, vendor   string
		server         func(*sim.Sim) *sim.Server
		method, path   string // the write's request: where the page answers
		args           []string
		action         string
		missing, shows string // what the command says when reading back shows it missing, or there
	}{
		{"itm comment", "ITM", ITM, "POST", ev + "/comments", []string{"itm", "comment", fqid, "Escalated to HR."}, "itm.comment",
			"the ticket does not show it, so it was not applied: send it again", "comment added to " + fqid + " (the answer is not one ITM documents (HTML page: Sign in to Acme SSO); reading the ticket back shows it)"},
		{"itm assign", "ITM", ITM, "PUT", ev + "/workflow/assignment", []string{"itm", "assign", fqid, "u-soc-002"}, "itm.assign",
			"the ticket does not show the change, so it was not applied: try again", "assigned to u-soc-002 (the answer is not one ITM documents (HTML page: Sign in to Acme SSO); reading the ticket back shows it)"},
		{"itm status", "ITM", ITM, "PATCH", ev + "/workflow", []string{"itm", "status", fqid, sim.ITMStatuses[2].ID}, "itm.status",
			"the ticket does not show the change, so it was not applied: try again", "(the answer is not one ITM documents (HTML page: Sign in to Acme SSO); reading the ticket back shows it)"},
		{"saas close", "SaaS", SaaS, "POST", "/incident/api/incidents/" + incident + "/state", []string{"saas", "close", incident, saas.Misidentified, "--yes"}, "saas.close",
			"the incident is not closed as misidentified, so it was not applied: try again", "closed as misidentified (the answer is not one SaaS documents (HTML page: Sign in to Acme SSO); reading the state back shows it)"},
		{"saas remediate", "SaaS", SaaS, "POST", "/remediation/api/assets", []string{"saas", "remediate", asset, saas.Quarantine, "--yes"}, "saas.remediate",
			"the vendor shows no such remediation, so it was not started: try again", "started (the answer is not one SaaS documents (HTML page: Sign in to Acme SSO); reading its status back shows it started)"},
		{"users disable at Okta", "Okta", Okta, "POST", oktaUser + "/lifecycle/suspend", []string{"users", "disable", li, "--provider", "okta", "--yes"}, "okta.suspend",
			"reading back shows it was not applied: try again", "okta\tdemo\tdisabled\tSUSPENDED"},
		{"users disable at Atlassian", "Atlassian", Atlassian, "PATCH", scim, []string{"users", "disable", li, "--provider", "atlassian", "--yes"}, "atlassian.disable_user",
			"reading back shows it was not applied: try again", "atlassian\tdemo\tdisabled\tinactive"},
		{"users disable at Essentials", "Essentials", Essentials, "PUT", "/api/v1/orgs/acme.example/users/" + li, []string{"users", "disable", li, "--provider", "essentials", "--yes"}, "essentials.disable_user",
			"reading back shows it was not applied: try again", "essentials\tdemo\tdisabled\tinactive"},
		{"essentials block-sender", "Essentials", Essentials, "POST", "/api/v1/orgs/acme.example/sender-lists", []string{"essentials", "block-sender", "phish.example", "--yes"}, "essentials.block_sender",
			"reading the list back shows it unchanged, so it was not applied: try again", "blocked phish.example on the organisation's block list (everyone at acme.example) at Essentials demo (the answer is not one Essentials documents (HTML page: Sign in to Acme SSO); reading the list back shows the sender on it)"},
	} {
		srv := w.server(h.sim)
		sent := func() int { return srv.Count(w.method + " " + w.path) }
		for _, passed := range []bool{false, true} {
			what := w.name + map[bool]string{false: " (kept by the proxy)", true: " (passed on)"}[passed]
			before, lines := sent(), len(h.audit.Entries())
			srv.Inject(&sim.Fault{Path: w.path, Method: w.method, Status: http.StatusOK, Header: http.Header{"Content-Type": {"text/html"}},
				Body: signIn, Replace: passed, Times: 1})
			out, errs, code := h.run("", w.args...)
			srv.Inject(nil)
			said := out + errs
			page := "the answer is not one " + w.vendor + " documents (HTML page: Sign in to Acme SSO)"
			switch {
			case !passed && (code != 1 || !strings.Contains(errs, page) || !strings.Contains(errs, w.missing) || strings.Contains(said, "may have been applied")):
				t.Errorf("%s: exit %d, said %q; want exit 1 naming the page and %q", what, code, said, w.missing)
			case passed && (code != 0 || !strings.Contains(said, w.shows) || !strings.Contains(said, page)):
				t.Errorf("%s: exit %d, said %q; want exit 0 and %q", what, code, said, w.shows)
			}
			if n := sent() - before; n != 1 {
				t.Errorf("%s: the write was sent %d times, want once", what, n)
			}
			want := []string{audit.Unknown, map[bool]string{false: audit.Failed, true: audit.Confirmed}[passed]}
			var got []string
			for _, e := range h.audit.Entries()[lines:] {
				if e.Action == w.action {
					got = append(got, e.Outcome)
				}
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s: audit %v, want %v", what, got, want)
			}
		}
	}
}
