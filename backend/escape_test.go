package backend_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"triage/backend/atlassian"
	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/saas"
)

// Ids come from vendors and analysts; none may change which endpoint is
// called. Every call of every client that puts an id in a URL is made with
// ids that try: the id must arrive as exactly one path segment (or one
// query value), whole.

var hostileIDs = []string{"../../admin", "..", ".", "a?b=c#frag", "50% off", "x/y", "id with spaces", "%2e%2e"}

// recording answers every request with {} (a token at token endpoints) and
// keeps what was asked.
type recording struct {
	mu   sync.Mutex
	reqs []*url.URL
}

func (rec *recording) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/token") {
		w.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":3600}`))
		return
	}
	u := *r.URL
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, &u)
	rec.mu.Unlock()
	w.Write([]byte(`{}`))
}

func (rec *recording) take() []*url.URL {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.reqs
	rec.reqs = nil
	return out
}

// call is one client method with where its id must land: a path template
// whose {id} segment is the id, and optionally a query key holding it.
type call struct {
	name  string
	do    func(ctx context.Context, id string)
	paths []string // every request the call makes matches one of them
	query string   // the query parameter carrying the id, when it is not in the path
}

func TestEveryIDIsPathEscaped(t *testing.T) {
	rec := &recording{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	ctx := identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder"})
	deps := httpx.Options{}

	ic, err := itm.New(config.ITM{Name: "t", BaseURL: srv.URL, APIVersion: "v2", ClientID: "id", ClientSecret: "s"}, deps)
	must(t, err)
	sc, err := saas.New(config.SaaS{Name: "t", BaseURL: srv.URL, ClientID: "id", ClientSecret: "s"}, deps)
	must(t, err)
	oc, err := okta.New(config.Okta{Name: "t", URL: srv.URL, APIToken: "x"}, deps)
	must(t, err)
	ac, err := atlassian.New(config.Atlassian{Name: "t", BaseURL: srv.URL, DirectoryID: "d1", Token: "x"}, deps)
	must(t, err)
	ec, err := essentials.New(config.Essentials{Name: "t", BaseURL: srv.URL, Domain: "acme.example", Username: "u", Password: "p"}, deps)
	must(t, err)

	const ev = "/v2/apis/activity/events/{id}"
	const user = "/api/v1/users/{id}"
	const scim = "/scim/directory/d1/Users/{id}"
	const es = "/api/v1/orgs/acme.example/users/{id}"
	clients := map[string][]call{
		"itm": {
			{"Ticket", func(ctx context.Context, id string) { ic.Ticket(ctx, id) }, []string{ev}, ""},
			{"RawMessage", func(ctx context.Context, id string) { ic.RawMessage(ctx, id) }, []string{ev + "/messages/default/contents/_raw"}, ""},
			{"Comment", func(ctx context.Context, id string) { ic.Comment(ctx, id, "x", "") }, []string{ev + "/annotations/comments"}, ""},
			{"Assign", func(ctx context.Context, id string) { ic.Assign(ctx, id, "u1") }, []string{ev + "/annotations/workflow/assignment"}, ""},
			{"SetStatus", func(ctx context.Context, id string) { ic.SetStatus(ctx, id, itm.StatusChange{ID: "s1"}) }, []string{ev + "/annotations/workflow"}, ""},
			{"CommentLanded", func(ctx context.Context, id string) { ic.CommentLanded(ctx, id, "x") }, []string{ev}, ""},
		},
		"saas": {
			{"Incident", func(ctx context.Context, id string) { sc.Incident(ctx, id) }, []string{"/incident/api/incidents/{id}"}, ""},
			{"State", func(ctx context.Context, id string) { sc.State(ctx, id) }, []string{"/incident/api/incidents/{id}/state"}, ""},
			{"Close", func(ctx context.Context, id string) { sc.Close(ctx, id, "misidentified") }, []string{"/incident/api/incidents/{id}/state"}, ""},
			{"Closed", func(ctx context.Context, id string) { sc.Closed(ctx, id, "misidentified") }, []string{"/incident/api/incidents/{id}/state"}, ""},
			{"RemediationStatus", func(ctx context.Context, id string) { sc.RemediationStatus(ctx, id, saas.Quarantine) }, []string{"/remediation/api/assets"}, "asset_id"},
		},
		"okta": {
			{"App", func(ctx context.Context, id string) { oc.App(ctx, id) }, []string{"/api/v1/apps/{id}"}, ""},
			{"AppUsers", func(ctx context.Context, id string) { oc.AppUsers(ctx, id, 5, "") }, []string{"/api/v1/apps/{id}/users"}, ""},
			{"Assignment of app", func(ctx context.Context, id string) { oc.Assignment(ctx, id, "u1") }, []string{"/api/v1/apps/{id}/users/u1"}, ""},
			{"Assignment of user", func(ctx context.Context, id string) { oc.Assignment(ctx, "a1", id) }, []string{"/api/v1/apps/a1/users/{id}"}, ""},
			{"UserAppLinks", func(ctx context.Context, id string) { oc.UserAppLinks(ctx, id) }, []string{user + "/appLinks"}, ""},
			{"Group", func(ctx context.Context, id string) { oc.Group(ctx, id) }, []string{"/api/v1/groups/{id}"}, ""},
			{"GroupMembers", func(ctx context.Context, id string) { oc.GroupMembers(ctx, id, 5, "") }, []string{"/api/v1/groups/{id}/users"}, ""},
			{"UserGroups", func(ctx context.Context, id string) { oc.UserGroups(ctx, id) }, []string{user + "/groups"}, ""},
			{"User", func(ctx context.Context, id string) { oc.User(ctx, id) }, []string{user}, ""},
			{"UpdateUser", func(ctx context.Context, id string) { oc.UpdateUser(ctx, id, okta.Profile{"title": "x"}) }, []string{user}, ""},
			{"Suspend", func(ctx context.Context, id string) { oc.Suspend(ctx, id) }, []string{user + "/lifecycle/suspend"}, ""},
			{"Unsuspend", func(ctx context.Context, id string) { oc.Unsuspend(ctx, id) }, []string{user + "/lifecycle/unsuspend"}, ""},
			{"Deactivate", func(ctx context.Context, id string) { oc.Deactivate(ctx, id) }, []string{user + "/lifecycle/deactivate"}, ""},
			{"Activate", func(ctx context.Context, id string) { oc.Activate(ctx, id, false) }, []string{user + "/lifecycle/activate"}, ""},
			{"Unlock", func(ctx context.Context, id string) { oc.Unlock(ctx, id) }, []string{user + "/lifecycle/unlock"}, ""},
			{"ResetPassword", func(ctx context.Context, id string) { oc.ResetPassword(ctx, id, false, false) }, []string{user + "/lifecycle/reset_password"}, ""},
			{"ExpirePassword", func(ctx context.Context, id string) { oc.ExpirePassword(ctx, id) }, []string{user + "/lifecycle/expire_password"}, ""},
			{"ClearSessions", func(ctx context.Context, id string) { oc.ClearSessions(ctx, id, false) }, []string{user + "/sessions"}, ""},
		},
		"atlassian": {
			{"User", func(ctx context.Context, id string) { ac.User(ctx, id) }, []string{scim}, ""},
			{"UpdateUser", func(ctx context.Context, id string) { ac.UpdateUser(ctx, id, map[string]string{"title": "x"}) }, []string{scim}, ""},
			{"Disable", func(ctx context.Context, id string) { ac.Disable(ctx, id) }, []string{scim}, ""},
			{"Enable", func(ctx context.Context, id string) { ac.Enable(ctx, id) }, []string{scim}, ""},
			{"Group", func(ctx context.Context, id string) { ac.Group(ctx, id) }, []string{"/scim/directory/d1/Groups/{id}"}, ""},
		},
		"essentials": {
			{"User", func(ctx context.Context, id string) { ec.User(ctx, id) }, []string{es}, ""},
			{"UpdateUser", func(ctx context.Context, id string) { ec.UpdateUser(ctx, id, map[string]any{"firstname": "x"}) }, []string{es}, ""},
			{"Disable", func(ctx context.Context, id string) { ec.Disable(ctx, id) }, []string{es}, ""},
			{"Enable", func(ctx context.Context, id string) { ec.Enable(ctx, id) }, []string{es}, ""},
			{"DeleteUser", func(ctx context.Context, id string) { ec.DeleteUser(ctx, id) }, []string{es}, ""},
			{"SenderLists", func(ctx context.Context, id string) { ec.SenderLists(ctx, id) }, []string{es + "/sender-lists"}, ""},
			{"AddSenders", func(ctx context.Context, id string) { ec.AddSenders(ctx, id, essentials.Block, "x.example") }, []string{es + "/sender-lists"}, ""},
			{"RemoveSenders", func(ctx context.Context, id string) { ec.RemoveSenders(ctx, id, essentials.Block, "x.example") }, []string{es + "/sender-lists"}, ""},
		},
	}
	for vendor, calls := range clients {
		t.Run(vendor, func(t *testing.T) {
			for _, c := range calls {
				for _, id := range hostileIDs {
					rec.take()
					c.do(ctx, id)
					reqs := rec.take()
					if len(reqs) == 0 {
						t.Errorf("%s(%q) sent nothing: the test proves nothing", c.name, id)
					}
					for _, u := range reqs {
						if !landsWhole(u, id, c) {
							t.Errorf("%s(%q) asked for %s?%s; want one of %v with the id whole", c.name, id, u.EscapedPath(), u.RawQuery, c.paths)
						}
					}
				}
			}
		})
	}
}

// landsWhole reports whether the request matches one of the call's
// templates segment for segment, with the id exactly in its place, sends no
// dot segment as is, and leaks nothing of the id into the query.
func landsWhole(u *url.URL, id string, c call) bool {
	if c.query != "" {
		if u.Query().Get(c.query) != id {
			return false
		}
	} else if strings.Contains(u.RawQuery, "b=c") || u.Fragment != "" {
		return false
	}
	got := strings.Split(u.EscapedPath(), "/")
	for _, seg := range got {
		if seg == "." || seg == ".." {
			return false // servers and proxies resolve a dot segment sent as is
		}
	}
	for _, tmpl := range c.paths {
		want := strings.Split(tmpl, "/")
		if len(want) != len(got) {
			continue
		}
		ok := true
		for i, seg := range got {
			plain, err := url.PathUnescape(seg)
			if err != nil || want[i] == "{id}" && plain != id || want[i] != "{id}" && plain != want[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
