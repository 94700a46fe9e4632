package okta_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/okta"
	"triage/backend/sim"
)

// vendorGroup is a group as okta-sdk-golang v5 api/openapi.yaml's Group
// schema shows it.
const vendorGroup = `{"id":"%s","created":"2015-02-06T10:11:28.000Z","lastUpdated":"2015-10-05T19:16:43.000Z",
"lastMembershipUpdated":"2015-11-28T19:15:32.000Z","objectClass":["okta:user_group"],"type":"OKTA_GROUP",
"profile":{"name":"%s","description":"All users West of The Rockies"},
"_links":{"users":{"href":"https://x/api/v1/groups/%[1]s/users"},"apps":{"href":"https://x/api/v1/groups/%[1]s/apps"}}}`

// vendorAppUser is the spec's AppUserSSOResponse example.
const vendorAppUser = `{"id":"00ud4tVDDXYVKPXKVLCO","externalId":null,"created":"2024-01-27T03:52:45.000Z","lastUpdated":"2024-01-27T03:52:45.000Z",
"scope":"USER","status":"ACTIVE","statusChanged":"2024-01-27T03:52:45.000Z","passwordChanged":null,"syncState":"DISABLED",
"credentials":{"userName":"rae.cloud@example.com"},"profile":{"name":"Rae Cloud","email":"rae.cloud@example.com"},
"_links":{"app":{"href":"https://x/api/v1/apps/0oa1"},"user":{"href":"https://x/api/v1/users/00ud4tVDDXYVKPXKVLCO"}}}`

// A person's groups span pages: Okta answers at most the page asked for
// (20 unless told) with a Link to the rest, and a client that reads one
// page loses the groups after it without a word. This server pages by
// two whatever limit is asked, so only following the Link finds the five.
func TestUserGroupsFollowsTheLinkToTheLastPage(t *testing.T) {
	var rec *recorder
	rec = newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
		base := rec.srv.URL + "/api/v1/users/00u1/groups"
		all := []string{"Everyone", "Sales", "VPN Users", "Project Atlas", "Project Cobalt"}
		start := map[string]int{"": 0, "00g2": 2, "00g4": 4}[r.URL.Query().Get("after")]
		end := min(start+2, len(all))
		var items []string
		for i := start; i < end; i++ {
			items = append(items, fmt.Sprintf(vendorGroup, fmt.Sprintf("00g%d", i+1), all[i]))
		}
		next := ""
		if end < len(all) {
			next = fmt.Sprintf("%s?limit=200&after=00g%d", base, end)
		}
		return 200, links(base+"?"+r.URL.RawQuery, next), "[" + strings.Join(items, ",") + "]"
	})
	c, _ := okta.New(config.Okta{Name: "prod", URL: rec.srv.URL, APIToken: "t"}, httpx.Options{})
	groups, err := c.UserGroups(ctx(), "00u1")
	if err != nil || len(groups) != 5 || groups[4].Profile.Name != "Project Cobalt" || len(groups[4].Raw) == 0 {
		t.Fatalf("groups: %v %d %+v", err, len(groups), groups)
	}
	got := rec.requests()
	want := []string{"limit=200", "limit=200&after=00g2", "limit=200&after=00g4"}
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, r := range got {
		if r.Method != "GET" || r.Path != "/api/v1/users/00u1/groups" || r.RawQuery != want[i] {
			t.Errorf("request %d: %s %s?%s, want ?%s", i, r.Method, r.Path, r.RawQuery, want[i])
		}
	}
}

// The group and assignment calls, byte for byte as api/openapi.yaml and
// api_group.go / api_application_users.go send them, answered as the spec
// documents.
func TestGroupAndAssignmentRequestsAreAsDocumented(t *testing.T) {
	var rec *recorder
	rec = newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
		base := rec.srv.URL
		switch p := r.Method + " " + r.URL.Path; {
		case p == "GET /api/v1/groups" && r.URL.Query().Get("after") == "":
			return 200, links(base+r.URL.RequestURI(), base+"/api/v1/groups?after=00g2%2B&limit=2&q=West"),
				"[" + fmt.Sprintf(vendorGroup, "00g1", "West Coast Users") + "," + fmt.Sprintf(vendorGroup, "00g2", "West Coast Admins") + "]"
		case p == "GET /api/v1/groups":
			return 200, links(base+r.URL.RequestURI(), ""), "[" + fmt.Sprintf(vendorGroup, "00g3", "West Coast Sales") + "]"
		case p == "POST /api/v1/apps/0oa1/users":
			return 200, nil, vendorAppUser
		case p == "DELETE /api/v1/apps/0oa1/users/00u2":
			return 403, nil, `{"errorCode":"E0000046","errorSummary":"Deactivate application for user forbidden.","errorLink":"E0000046","errorId":"oae9","errorCauses":[{"errorSummary":"The application cannot be unassigned from the user while their group memberships grant them access"}]}`
		case p == "PUT /api/v1/groups/00gNOPE/users/00u1":
			return 404, nil, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00gNOPE (UserGroup)","errorLink":"E0000007","errorId":"oae8","errorCauses":[]}`
		case r.Method == "PUT", r.Method == "DELETE":
			return 204, nil, ""
		}
		return 404, nil, `{"errorCode":"E0000022","errorSummary":"The endpoint does not support the provided HTTP method"}`
	})
	mem := &audit.Memory{}
	c, _ := okta.New(config.Okta{Name: "prod", URL: rec.srv.URL, APIToken: "00abc-ssws"}, httpx.Options{Audit: mem})
	p, err := c.Groups(ctx(), okta.GroupQuery{Q: "West", Limit: 2}, "")
	if err != nil || len(p.Items) != 2 || p.Items[1].Profile.Name != "West Coast Admins" || p.Items[0].Type != "OKTA_GROUP" || p.Next == "" {
		t.Fatalf("groups: %v %+v", err, p)
	}
	if p, err = c.Groups(ctx(), okta.GroupQuery{Q: "West", Limit: 2}, p.Next); err != nil || len(p.Items) != 1 || p.Next != "" {
		t.Fatalf("second page: %v %+v", err, p)
	}
	if err := c.AddToGroup(ctx(), "00g1", "00u1"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveFromGroup(ctx(), "00g1", "00u1"); err != nil {
		t.Fatal(err)
	}
	au, err := c.AssignUser(ctx(), "0oa1", "00ud4tVDDXYVKPXKVLCO")
	if err != nil || au.Scope != "USER" || au.Login() != "rae.cloud@example.com" || len(au.Raw) == 0 {
		t.Fatalf("assign: %v %+v", err, au)
	}
	if err := c.UnassignUser(ctx(), "0oa1", "00u1"); err != nil {
		t.Fatal(err)
	}
	err = c.UnassignUser(ctx(), "0oa1", "00u2")
	if httpx.StatusOf(err) != 403 || !strings.Contains(err.Error(), "Deactivate application for user forbidden") || !strings.Contains(err.Error(), "prod") {
		t.Fatalf("group-granted unassign: %v", err)
	}
	if err := c.AddToGroup(ctx(), "00gNOPE", "00u1"); !httpx.IsNotFound(err) || !strings.Contains(err.Error(), "UserGroup") {
		t.Fatalf("unknown group: %v", err)
	}

	want := []struct{ method, path, query, body string }{
		{"GET", "/api/v1/groups", "limit=2&q=West", ""},
		{"GET", "/api/v1/groups", "after=00g2%2B&limit=2&q=West", ""},
		{"PUT", "/api/v1/groups/00g1/users/00u1", "", ""},
		{"DELETE", "/api/v1/groups/00g1/users/00u1", "", ""},
		{"POST", "/api/v1/apps/0oa1/users", "", `{"id":"00ud4tVDDXYVKPXKVLCO","scope":"USER"}`},
		{"DELETE", "/api/v1/apps/0oa1/users/00u1", "", ""},
		{"DELETE", "/api/v1/apps/0oa1/users/00u2", "", ""},
		{"PUT", "/api/v1/groups/00gNOPE/users/00u1", "", ""},
	}
	got := rec.requests()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		if r.Method != w.method || r.Path != w.path || r.RawQuery != w.query || r.Body != w.body {
			t.Errorf("request %d:\n got %s %s?%s %q\nwant %s %s?%s %q", i, r.Method, r.Path, r.RawQuery, r.Body, w.method, w.path, w.query, w.body)
		}
		if w.body != "" && r.ContentType != "application/json" {
			t.Errorf("request %d: Content-Type %q", i, r.ContentType)
		}
	}
	var actions []string
	for _, e := range mem.Entries() {
		actions = append(actions, e.Action+":"+e.Outcome)
	}
	if strings.Join(actions, " ") != "okta.group_add_user:ok okta.group_remove_user:ok okta.app_assign_user:ok okta.app_unassign_user:ok okta.app_unassign_user:error okta.group_add_user:error" {
		t.Fatalf("audit: %v", actions)
	}
}

// An assignment answered without the AppUser (a proxy's empty 200) is not
// taken as done: its outcome is unknown.
func TestAssignAnsweredWithoutTheAssignmentIsUnknown(t *testing.T) {
	rec := newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) { return 200, nil, "" })
	c, _ := okta.New(config.Okta{Name: "prod", URL: rec.srv.URL, APIToken: "t"}, httpx.Options{})
	if _, err := c.AssignUser(ctx(), "0oa1", "00u1"); !httpx.IsUnknown(err) {
		t.Fatalf("empty answer to an assignment: %v", err)
	}
}

func TestGroupsAgainstTheSimulator(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{})
	// q matches the start of the name, any case; small pages follow Link.
	var names []string
	next, pages := "", 0
	for {
		p, err := c.Groups(ctx(), okta.GroupQuery{Q: "project", Limit: 10}, next)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range p.Items {
			names = append(names, string(g.Profile.Name))
		}
		pages++
		if next = p.Next; next == "" {
			break
		}
	}
	if len(names) != 26 || pages != 3 || names[0] != "Project Atlas" || names[25] != "Project Zephyr" {
		t.Fatalf("%d project groups over %d pages: %v", len(names), pages, names)
	}
	p, err := c.Groups(ctx(), okta.GroupQuery{}, "")
	if err != nil || len(p.Items) < 40 || p.Items[0].Profile.Name != "Everyone" || p.Items[0].Type != "BUILT_IN" || p.Next != "" {
		t.Fatalf("every group: %v %d", err, len(p.Items))
	}

	// A person in every project group has more groups than one page.
	busy := sim.PersonAt(3).Email
	id := s.Okta.UserID(busy)
	first, err := c.UserGroupsPage(ctx(), id, 0, "")
	if err != nil || len(first.Items) != 20 || first.Next == "" {
		t.Fatalf("first page at Okta's default: %v %d %q", err, len(first.Items), first.Next)
	}
	groups, err := c.UserGroups(ctx(), id)
	want := s.Okta.UserGroupNames(busy)
	if err != nil || len(groups) != len(want) || len(want) < 28 {
		t.Fatalf("%s: %v, %d groups, want %d", busy, err, len(groups), len(want))
	}
	for i, g := range groups {
		if string(g.Profile.Name) != want[i] {
			t.Fatalf("group %d: %s, want %s", i, g.Profile.Name, want[i])
		}
	}
	// Members page by Link too.
	vpn := s.Okta.GroupID("VPN Users")
	var logins []string
	next = ""
	for {
		p, err := c.GroupMembers(ctx(), vpn, 7, next)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Items {
			logins = append(logins, u.Login())
		}
		if next = p.Next; next == "" {
			break
		}
	}
	if wantM := s.Okta.GroupMemberLogins(vpn); strings.Join(logins, ",") != strings.Join(wantM, ",") || len(wantM) < 8 {
		t.Fatalf("members %d, want %d", len(logins), len(wantM))
	}
}

func TestMembershipAndAssignmentWritesAgainstTheSimulator(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{})
	li := s.Okta.UserID("li.chen@acme.example")
	contractors := s.Okta.GroupID("Contractors")
	if in, _ := c.Member(ctx(), contractors, li); in {
		t.Fatal("li.chen starts outside Contractors")
	}
	for range 2 { // adding twice is as adding once: 204, one event
		if err := c.AddToGroup(ctx(), contractors, li); err != nil {
			t.Fatal(err)
		}
	}
	if in, err := c.Member(ctx(), contractors, li); !in || err != nil {
		t.Fatalf("after add: %v %v", in, err)
	}
	for range 2 {
		if err := c.RemoveFromGroup(ctx(), contractors, li); err != nil {
			t.Fatal(err)
		}
	}
	if in, _ := c.Member(ctx(), contractors, li); in {
		t.Fatal("still a member after remove")
	}
	if err := c.AddToGroup(ctx(), contractors, "00uNOSUCHUSER0000000"); !httpx.IsNotFound(err) || !strings.Contains(err.Error(), "E0000007") {
		t.Fatalf("unknown user: %v", err)
	}
	if err := c.AddToGroup(ctx(), "00gNOSUCHGROUP000000", li); !httpx.IsNotFound(err) || !strings.Contains(err.Error(), "UserGroup") {
		t.Fatalf("unknown group: %v", err)
	}
	if err := c.RemoveFromGroup(ctx(), s.Okta.GroupID("Everyone"), li); httpx.StatusOf(err) != 403 {
		t.Fatalf("Everyone is not managed through the API: %v", err)
	}

	// An app she does not have, that no group grants: assign, assign
	// again, unassign.
	var app string
	for _, a := range s.Okta.Apps() {
		if _, ok, _ := c.Assignment(ctx(), a.ID, li); !ok && a.Name == "figma" || !ok && a.Name == "miro" {
			app = a.ID
			break
		}
	}
	if app == "" {
		t.Fatal("the seed gives li.chen every figma and miro instance: pick another app")
	}
	au, err := c.AssignUser(ctx(), app, li)
	if err != nil || au.Scope != "USER" || string(au.ID) != li {
		t.Fatalf("assign: %v %+v", err, au)
	}
	if _, err := c.AssignUser(ctx(), app, li); err != nil {
		t.Fatalf("assign again: %v", err)
	}
	if _, ok, _ := c.Assignment(ctx(), app, li); !ok {
		t.Fatal("not assigned after assign")
	}
	if err := c.UnassignUser(ctx(), app, li); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Assignment(ctx(), app, li); ok {
		t.Fatal("assigned after unassign")
	}
	if err := c.UnassignUser(ctx(), app, li); !httpx.IsNotFound(err) {
		t.Fatalf("unassign of no assignment: %v", err)
	}
	// Office 365 comes through Everyone: Okta refuses to unassign it.
	office := s.Okta.Apps()[0].ID
	if err := c.UnassignUser(ctx(), office, li); httpx.StatusOf(err) != 403 || !strings.Contains(err.Error(), "E0000046") {
		t.Fatalf("group-granted unassign: %v", err)
	}
	if _, err := c.AssignUser(ctx(), office, "00uNOSUCHUSER0000000"); !httpx.IsNotFound(err) {
		t.Fatalf("assign of an unknown user: %v", err)
	}

	var actions []string
	for _, e := range mem.Entries() {
		if e.Outcome == audit.OK {
			actions = append(actions, e.Action)
		}
	}
	if got := strings.Join(actions, " "); got != "okta.group_add_user okta.group_add_user okta.group_remove_user okta.group_remove_user okta.app_assign_user okta.app_assign_user okta.app_unassign_user" {
		t.Fatalf("audited: %s", got)
	}
	// One event per change that changed something, the group or app a target.
	events, _, _ := loadLogs(t, c, okta.LogQuery{Filter: `target.alternateId eq "li.chen@acme.example" and (eventType sw "group.user_membership" or eventType sw "application.user_membership")`})
	var kinds []string
	for _, e := range events {
		if e.Published.Before(simNow.Add(-1)) {
			continue // generated history
		}
		kinds = append(kinds, string(e.EventType)+"@"+e.Target[0].Type.String())
	}
	if got := strings.Join(kinds, " "); got != "group.user_membership.add@UserGroup group.user_membership.remove@UserGroup application.user_membership.add@AppInstance application.user_membership.remove@AppInstance" {
		t.Fatalf("System Log: %s", got)
	}
}

func TestReadOnlyAnalystCannotChangeMembership(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{})
	li := s.Okta.UserID("li.chen@acme.example")
	vpn := s.Okta.GroupID("Contractors")
	ro := identity.With(context.Background(), identity.Analyst{Name: "bob", Role: "read-only"})
	if err := c.AddToGroup(ro, vpn, li); !errors.Is(err, httpx.ErrReadOnly) {
		t.Fatalf("read-only add: %v", err)
	}
	if _, err := c.AssignUser(ro, s.Okta.Apps()[3].ID, li); !errors.Is(err, httpx.ErrReadOnly) {
		t.Fatalf("read-only assign: %v", err)
	}
	if s.Okta.Count("PUT /api/v1/groups/"+vpn+"/users/"+li) != 0 || len(s.Okta.UserGroupNames(li)) != len(s.Okta.UserGroupNames("li.chen")) {
		t.Fatal("the refused write reached the vendor")
	}
	if es := mem.Lines(); len(es) != 2 || es[0].Outcome != audit.Refused || es[0].Action != "okta.group_add_user" || es[1].Action != "okta.app_assign_user" {
		t.Fatalf("audit %+v", es)
	}
}

// Each write's audit line is written before it is sent: with the audit log
// failing, nothing reaches Okta.
func TestMembershipWriteIsNotSentUnaudited(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{})
	mem.SetFail(errors.New("disk full"))
	li := s.Okta.UserID("li.chen@acme.example")
	if err := c.AddToGroup(ctx(), s.Okta.GroupID("Contractors"), li); !errors.Is(err, httpx.ErrAuditUnavailable) {
		t.Fatalf("unaudited add: %v", err)
	}
	for _, g := range s.Okta.UserGroupNames(li) {
		if g == "Contractors" {
			t.Fatal("sent without its audit line")
		}
	}
}
