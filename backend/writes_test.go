package backend_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"triage/backend"
	"triage/backend/atlassian"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/saas"
	"triage/backend/sim"
)

// signIn is what a proxy or an SSO gateway in front of a vendor answers
// when it wants a session of its own: a 200 with a page.
const signIn = `<!DOCTYPE html><html><head><title>Sign in to Acme SSO</title></head><body><form action="/login"></form></body></html>`

// signInPage answers the write's request with the sign-in page; replace
// lets the vendor apply it first, as a proxy that passed it on would.
func signInPage(path, method string, replace bool) *sim.Fault {
	return &sim.Fault{Path: path, Method: method, Status: http.StatusOK, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body: signIn, Replace: replace, Times: 1}
}

// htmlWrite is one write of one client, with how to read it back.
type htmlWrite struct {
	name   string
	vendor string // in the error: "the answer is not one <vendor> documents"
	server func(*sim.Sim) *sim.Server
	method string
	path   string // the write's own path: where the page is injected, and what is counted
	do     func(ctx context.Context, set *backend.Set) error
	// check reads the vendor's state back: is the write there? nil when
	// the vendor cannot show it (Okta's sessions).
	check func(ctx context.Context, set *backend.Set) (bool, error)
}

// TestAWriteAnsweredBySignInPageIsUnknownAndReadBack: every write of every
// client, answered 200 with a proxy's sign-in page. The answer is not
// taken as success: the outcome is unknown and audited so; reading back
// then settles it, once, with no second request: not applied when the
// proxy kept the write, confirmed when it passed it on.
func TestAWriteAnsweredBySignInPageIsUnknownAndReadBack(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s, err := sim.Start(sim.Options{Rows: 30, Clock: clock.Pin(now)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mem := &audit.Memory{}
	set, err := backend.Open(s.Config(), backend.Options{Audit: mem})
	if err != nil {
		t.Fatal(err)
	}
	ctx := identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder"})
	const li = "li.chen@acme.example"
	fqid := s.ITM.FQIDs(1)[0]
	ev := "/v2/apis/activity/events/" + fqid + "/annotations"
	ticket := func(ctx context.Context, set *backend.Set) (*itm.Ticket, error) { return set.ITM[0].Ticket(ctx, fqid) }
	incident := s.SaaS.Newest(1)[0]
	fix := saas.RemediationRequest{AssetID: s.SaaS.AssetOf(incident), Type: saas.Quarantine}
	oktaID := s.Okta.UserID(li)
	oktaUser := "/api/v1/users/" + oktaID
	oktaStatus := func(want string) func(context.Context, *backend.Set) (bool, error) {
		return func(ctx context.Context, set *backend.Set) (bool, error) {
			u, err := set.Okta[0].User(ctx, oktaID)
			return err == nil && string(u.Status) == want, err
		}
	}
	scimUser := func(ctx context.Context, set *backend.Set, userName string) (*atlassian.User, bool, error) {
		return set.Atlassian[0].FindUser(ctx, userName)
	}
	scimID := func() string {
		u, _, err := scimUser(ctx, set, li)
		if err != nil || u == nil {
			t.Fatalf("Atlassian user: %v", err)
		}
		return string(u.ID)
	}()
	scim := "/scim/directory/" + sim.AtlassianDirectoryID + "/Users"
	scimActive := func(want bool) func(context.Context, *backend.Set) (bool, error) {
		return func(ctx context.Context, set *backend.Set) (bool, error) {
			u, found, err := scimUser(ctx, set, li)
			return err == nil && found && u.IsActive() == want, err
		}
	}
	essUser := "/api/v1/orgs/acme.example/users/" + li
	essActive := func(want bool) func(context.Context, *backend.Set) (bool, error) {
		return func(ctx context.Context, set *backend.Set) (bool, error) {
			u, found, err := set.Essentials[0].FindUser(ctx, li)
			return err == nil && found && u.Active() == want, err
		}
	}
	lists := "/api/v1/orgs/acme.example/sender-lists"
	listed := func(want bool) func(context.Context, *backend.Set) (bool, error) {
		return func(ctx context.Context, set *backend.Set) (bool, error) {
			l, err := set.Essentials[0].SenderLists(ctx, "")
			return err == nil && l.Has(essentials.Block, "phish.example") == want, err
		}
	}
	ITM := func(s *sim.Sim) *sim.Server { return s.ITM.Server }
	SaaS := func(s *sim.Sim) *sim.Server { return s.SaaS.Server }
	Okta := func(s *sim.Sim) *sim.Server { return s.Okta.Server }
	Atlassian := func(s *sim.Sim) *sim.Server { return s.Atlassian.Server }
	Essentials := func(s *sim.Sim) *sim.Server { return s.Essentials.Server }

	// In an order the vendors' state machines allow: each write is kept
	// by the proxy first, then passed on.
	writes := []htmlWrite{
		{"ITM comment", "ITM", ITM, "POST", ev + "/comments",
			func(ctx context.Context, set *backend.Set) error {
				return set.ITM[0].Comment(ctx, fqid, "Escalated to HR.", "")
			},
			func(ctx context.Context, set *backend.Set) (bool, error) {
				return set.ITM[0].CommentLanded(ctx, fqid, "Escalated to HR.")
			}},
		{"ITM assign", "ITM", ITM, "PUT", ev + "/workflow/assignment",
			func(ctx context.Context, set *backend.Set) error { return set.ITM[0].Assign(ctx, fqid, "u-soc-002") },
			func(ctx context.Context, set *backend.Set) (bool, error) {
				tk, err := ticket(ctx, set)
				return err == nil && tk.Assignee() == "u-soc-002", err
			}},
		{"ITM status", "ITM", ITM, "PATCH", ev + "/workflow",
			func(ctx context.Context, set *backend.Set) error {
				return set.ITM[0].SetStatus(ctx, fqid, itm.StatusChange{ID: sim.ITMStatuses[2].ID})
			},
			func(ctx context.Context, set *backend.Set) (bool, error) {
				tk, err := ticket(ctx, set)
				return err == nil && string(tk.Annotations.Workflow.State.Disposition.Status.ID) == sim.ITMStatuses[2].ID, err
			}},
		{"SaaS close", "SaaS", SaaS, "POST", "/incident/api/incidents/" + incident + "/state",
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.SaaS[0].Close(ctx, incident, saas.Misidentified)
				return err
			},
			func(ctx context.Context, set *backend.Set) (bool, error) {
				closed, _, err := set.SaaS[0].Closed(ctx, incident, saas.Misidentified)
				return closed, err
			}},
		{"SaaS remediate", "SaaS", SaaS, "POST", "/remediation/api/assets",
			func(ctx context.Context, set *backend.Set) error { return set.SaaS[0].Remediate(ctx, fix) },
			func(ctx context.Context, set *backend.Set) (bool, error) {
				ok, _, err := set.SaaS[0].Started(ctx, fix, now)
				return ok, err
			}},
		{"Okta suspend", "Okta", Okta, "POST", oktaUser + "/lifecycle/suspend",
			func(ctx context.Context, set *backend.Set) error { return set.Okta[0].Suspend(ctx, oktaID) }, oktaStatus("SUSPENDED")},
		{"Okta unsuspend", "Okta", Okta, "POST", oktaUser + "/lifecycle/unsuspend",
			func(ctx context.Context, set *backend.Set) error { return set.Okta[0].Unsuspend(ctx, oktaID) }, oktaStatus("ACTIVE")},
		{"Okta expire password", "Okta", Okta, "POST", oktaUser + "/lifecycle/expire_password",
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.Okta[0].ExpirePassword(ctx, oktaID)
				return err
			}, oktaStatus("PASSWORD_EXPIRED")},
		{"Okta reset password", "Okta", Okta, "POST", oktaUser + "/lifecycle/reset_password",
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.Okta[0].ResetPassword(ctx, oktaID, true, false)
				return err
			}, oktaStatus("RECOVERY")},
		{"Okta deactivate", "Okta", Okta, "POST", oktaUser + "/lifecycle/deactivate",
			func(ctx context.Context, set *backend.Set) error { return set.Okta[0].Deactivate(ctx, oktaID) }, oktaStatus("DEPROVISIONED")},
		{"Okta activate", "Okta", Okta, "POST", oktaUser + "/lifecycle/activate",
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.Okta[0].Activate(ctx, oktaID, false)
				return err
			},
			func(ctx context.Context, set *backend.Set) (bool, error) {
				u, err := set.Okta[0].User(ctx, oktaID)
				return err == nil && u.Status != "DEPROVISIONED", err
			}},
		{"Okta clear sessions", "Okta", Okta, "DELETE", oktaUser + "/sessions",
			func(ctx context.Context, set *backend.Set) error { return set.Okta[0].ClearSessions(ctx, oktaID, true) }, nil},
		{"Okta update user", "Okta", Okta, "POST", oktaUser,
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.Okta[0].UpdateUser(ctx, oktaID, okta.Profile{"title": "Insider risk lead"})
				return err
			},
			func(ctx context.Context, set *backend.Set) (bool, error) {
				u, err := set.Okta[0].User(ctx, oktaID)
				return err == nil && u.Profile.Get("title") == "Insider risk lead", err
			}},
		{"Okta create user", "Okta", Okta, "POST", "/api/v1/users",
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.Okta[0].CreateUser(ctx, okta.NewUser{Profile: okta.Profile{"login": "new.hire@acme.example",
					"email": "new.hire@acme.example", "firstName": "New", "lastName": "Hire"}})
				return err
			},
			func(ctx context.Context, set *backend.Set) (bool, error) {
				_, found, err := set.Okta[0].FindUser(ctx, "new.hire@acme.example")
				return found, err
			}},
		{"Atlassian create user", "Atlassian", Atlassian, "POST", scim,
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.Atlassian[0].CreateUser(ctx, atlassian.NewUser{UserName: "new.hire@acme.example", Email: "new.hire@acme.example",
					GivenName: "New", FamilyName: "Hire"})
				return err
			},
			func(ctx context.Context, set *backend.Set) (bool, error) {
				_, found, err := scimUser(ctx, set, "new.hire@acme.example")
				return found, err
			}},
		{"Atlassian disable (PATCH)", "Atlassian", Atlassian, "PATCH", scim + "/" + scimID,
			func(ctx context.Context, set *backend.Set) error {
				_, err := set.Atlassian[0].Disable(ctx, scimID)
				return err
			}, scimActive(false)},
		{"Essentials disable (PUT)", "Essentials", Essentials, "PUT", essUser,
			func(ctx context.Context, set *backend.Set) error { return set.Essentials[0].Disable(ctx, li) }, essActive(false)},
		{"Essentials block sender", "Essentials", Essentials, "POST", lists,
			func(ctx context.Context, set *backend.Set) error {
				return set.Essentials[0].AddSenders(ctx, "", essentials.Block, "phish.example")
			}, listed(true)},
		{"Essentials unblock sender", "Essentials", Essentials, "PATCH", lists,
			func(ctx context.Context, set *backend.Set) error {
				return set.Essentials[0].RemoveSenders(ctx, "", essentials.Block, "phish.example")
			}, listed(false)},
	}
	for _, w := range writes {
		srv := w.server(s)
		for _, passed := range []bool{false, true} {
			before, lines := srv.Count(w.method+" "+w.path), len(mem.Lines())
			srv.Inject(signInPage(w.path, w.method, passed))
			err := w.do(ctx, set)
			srv.Inject(nil)
			what := w.name + map[bool]string{false: " (kept by the proxy)", true: " (passed on)"}[passed]
			if !httpx.IsUnknown(err) || httpx.StatusOf(err) != 200 || !strings.Contains(err.Error(), "the answer is not one "+w.vendor+" documents (HTML page: Sign in to Acme SSO)") {
				t.Errorf("%s: %v; want an unknown outcome naming the page", what, err)
				continue
			}
			if n := srv.Count(w.method+" "+w.path) - before; n != 1 {
				t.Errorf("%s: %d requests, want 1", what, n)
			}
			got := mem.Lines()[lines:]
			if len(got) != 2 || got[0].Outcome != audit.Pending || got[1].Outcome != audit.Unknown || got[1].Status != 200 ||
				!strings.Contains(got[1].Error, "HTML page: Sign in to Acme SSO") {
				t.Errorf("%s: audit %+v", what, got)
				continue
			}
			if w.check == nil {
				continue // nothing to read back: the outcome stays unknown
			}
			applied, settled := httpx.ReadBack(ctx, err, func(ctx context.Context) (bool, error) { return w.check(ctx, set) })
			last := mem.Lines()[len(mem.Lines())-1]
			switch {
			case applied != passed:
				t.Errorf("%s: read back as applied=%v (%v)", what, applied, settled)
			case passed && (settled != nil || last.Outcome != audit.Confirmed):
				t.Errorf("%s: %v, audit %+v; want confirmed", what, settled, last)
			case !passed && (httpx.IsUnknown(settled) || last.Outcome != audit.Failed || !strings.Contains(last.Error, "not applied")):
				t.Errorf("%s: %v, audit %+v; want not applied", what, settled, last)
			case !last.SameWrite(got[0]):
				t.Errorf("%s: the read-back's line %+v is not the write's", what, last)
			}
			if n := srv.Count(w.method+" "+w.path) - before; n != 1 {
				t.Errorf("%s: %d requests after reading back: it was sent again", what, n)
			}
		}
	}
}
