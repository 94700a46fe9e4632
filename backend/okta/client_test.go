package okta_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/okta"
	"triage/backend/sim"
)

var analyst = identity.Analyst{Name: "alice", Role: "responder"}

func ctx() context.Context { return identity.With(context.Background(), analyst) }

// simNow is the simulated present of these tests.
var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func startSim(t *testing.T, o sim.Options) (*sim.Sim, *okta.Client, *audit.Memory) {
	t.Helper()
	if o.Clock == nil {
		o.Clock = clock.Pin(simNow)
	}
	s, err := sim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	mem := &audit.Memory{}
	c, err := okta.New(s.Config().Okta[0], httpx.Options{Audit: mem, Retry: httpx.Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, mem
}

func TestAppsPageByLinkAgainstTheSimulator(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{})
	var all []okta.App
	next, pages := "", 0
	for {
		p, err := c.Apps(ctx(), okta.AppQuery{Limit: 25}, next)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Items...)
		pages++
		if p.Next == "" {
			break
		}
		if !strings.Contains(p.Next, "after=") {
			t.Fatalf("next link without a cursor: %s", p.Next)
		}
		next = p.Next
	}
	want := s.Okta.Apps()
	if len(all) != len(want) || pages != 3 || len(want) < 50 {
		t.Fatalf("%d apps over %d pages, want %d over 3", len(all), pages, len(want))
	}
	for i, a := range all {
		if string(a.ID) != want[i].ID || a.Label == "" || a.Name == "" || a.SignOnMode == "" || a.Created.IsZero() || len(a.Raw) == 0 {
			t.Fatalf("app %d: %+v", i, a)
		}
	}

	p, err := c.Apps(ctx(), okta.AppQuery{Q: "sales"}, "")
	if err != nil || len(p.Items) == 0 {
		t.Fatalf("q=sales: %v %d", err, len(p.Items))
	}
	for _, a := range p.Items {
		if !strings.HasPrefix(strings.ToLower(string(a.Name)), "sales") && !strings.HasPrefix(strings.ToLower(string(a.Label)), "sales") {
			t.Fatalf("q leaked %s %s", a.Name, a.Label)
		}
	}
	p, err = c.Apps(ctx(), okta.AppQuery{Filter: `status eq "INACTIVE"`}, "")
	if err != nil || len(p.Items) == 0 {
		t.Fatalf("status filter: %v", err)
	}
	for _, a := range p.Items {
		if a.Status != "INACTIVE" {
			t.Fatalf("status filter leaked %s", a.Status)
		}
	}
}

func TestAUsersAppsAssignmentsAndGroups(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{})
	li := s.Okta.UserID("li.chen@acme.example")
	p, err := c.Apps(ctx(), okta.AppQuery{Filter: okta.UserFilter(li)}, "")
	if err != nil || len(p.Items) == 0 {
		t.Fatalf("li's apps: %v %d", err, len(p.Items))
	}
	links, err := c.UserAppLinks(ctx(), li)
	if err != nil || len(links) == 0 || links[0].AppInstanceID == "" || links[0].LinkURL == "" {
		t.Fatalf("app links: %v %+v", err, links)
	}
	office := s.Okta.Apps()[0].ID
	au, assigned, err := c.Assignment(ctx(), office, li)
	if err != nil || !assigned || au.Login() != "li.chen@acme.example" || au.Scope != "GROUP" {
		t.Fatalf("assignment to Office 365: %v %v %+v", assigned, err, au)
	}
	// Someone not assigned: Okta's 404 is the answer "no", not an error.
	var notAssigned string
	for _, a := range s.Okta.Apps() {
		found := false
		for _, l := range s.Okta.AppUserLogins(a.ID) {
			found = found || l == "li.chen@acme.example"
		}
		if !found {
			notAssigned = a.ID
			break
		}
	}
	if _, assigned, err := c.Assignment(ctx(), notAssigned, li); err != nil || assigned {
		t.Fatalf("unassigned app: %v %v", assigned, err)
	}
	if _, _, err := c.Assignment(ctx(), "0oaNOSUCHAPP00000000", li); httpx.StatusOf(err) != 404 || !strings.Contains(err.Error(), "AppInstance") {
		t.Fatalf("unknown app must be an error, got %v", err)
	}

	var users []okta.AppUser
	next := ""
	for {
		page, err := c.AppUsers(ctx(), office, 40, next)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, page.Items...)
		if next = page.Next; next == "" {
			break
		}
	}
	if want := s.Okta.AppUserLogins(office); len(users) != len(want) || users[0].Login() != want[0] {
		t.Fatalf("%d app users, want %d", len(users), len(want))
	}

	groups, err := c.UserGroups(ctx(), li)
	if err != nil || len(groups) < 2 || groups[0].Profile.Name != "Everyone" {
		t.Fatalf("li's groups: %v %+v", err, groups)
	}
	g, err := c.Group(ctx(), string(groups[1].ID))
	if err != nil || g.Profile.Name != groups[1].Profile.Name || g.Type != "OKTA_GROUP" {
		t.Fatalf("group: %v %+v", err, g)
	}
	members, err := c.GroupMembers(ctx(), string(g.ID), 5, "")
	if err != nil || len(members.Items) == 0 || members.Items[0].Login() == "" {
		t.Fatalf("members: %v %+v", err, members)
	}
	if _, err := c.Group(ctx(), "00gNOPE"); !httpx.IsNotFound(err) {
		t.Fatalf("unknown group: %v", err)
	}
}

// loadLogs reads a query to its end the way the tab does.
func loadLogs(t *testing.T, c *okta.Client, q okta.LogQuery) (events []okta.LogEvent, pages int, last okta.LogPage) {
	t.Helper()
	next := ""
	for {
		p, err := c.Logs(ctx(), q, next)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, p.Events...)
		pages++
		last = p
		if !p.More {
			return events, pages, last
		}
		next = p.Next
	}
}

func TestSystemLogWithoutUntilStopsOnTheEmptyPage(t *testing.T) {
	// A week of 1400 events: a day's take several pages of 50.
	_, c, _ := startSim(t, sim.Options{Rows: 1400})
	since := simNow.Add(-24 * time.Hour)
	events, pages, last := loadLogs(t, c, okta.LogQuery{Since: since, Limit: 50})
	if len(events) < 100 || len(events) > 600 {
		t.Fatalf("%d events in a day of 1400 over a week", len(events))
	}
	if len(last.Events) != 0 || last.Next == "" {
		t.Fatalf("a polling query must end on an empty page that still links on: %+v", last)
	}
	// Every page with events, then the empty one.
	if pages != (len(events)+49)/50+1 {
		t.Fatalf("%d pages for %d events", pages, len(events))
	}
	seen := map[string]bool{}
	for i, e := range events {
		if e.Published.Before(since) || (i > 0 && e.Published.Before(events[i-1].Published.Time)) {
			t.Fatalf("event %d out of order or range: %s", i, e.Published)
		}
		if seen[string(e.UUID)] {
			t.Fatalf("event %s twice", e.UUID)
		}
		seen[string(e.UUID)] = true
	}
	desc, _, _ := loadLogs(t, c, okta.LogQuery{Since: since, Descending: true})
	if len(desc) != len(events) || desc[0].UUID != events[len(events)-1].UUID {
		t.Fatalf("newest first: %d events, first %s", len(desc), desc[0].UUID)
	}
	// Bounded by until: the last page has no next link.
	bounded, _, last := loadLogs(t, c, okta.LogQuery{Since: since, Until: since.Add(6 * time.Hour), Limit: 1000})
	if last.Next != "" || len(bounded) == 0 || bounded[len(bounded)-1].Published.After(since.Add(6*time.Hour)) {
		t.Fatalf("bounded query: %d events, next %q", len(bounded), last.Next)
	}
	if b, ok := c.Budget(okta.LogsPath); !ok || b.Limit != 120 || b.Remaining >= 120 {
		t.Fatalf("budget after paging: %+v %v", b, ok)
	}
}

func TestSystemLogFiltersAndKeywords(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 1000})
	checks := []struct {
		filter string
		ok     func(okta.LogEvent) bool
	}{
		{`eventType eq "user.session.start"`, func(e okta.LogEvent) bool { return e.EventType == "user.session.start" }},
		{`actor.alternateId eq "li.chen@acme.example"`, func(e okta.LogEvent) bool { return e.Actor.AlternateID == "li.chen@acme.example" }},
		{`outcome.result eq "FAILURE" or outcome.result eq "DENY"`, func(e okta.LogEvent) bool { return e.Outcome.Failed() }},
		{`eventType co "mfa" and severity eq "WARN"`, func(e okta.LogEvent) bool {
			return strings.Contains(string(e.EventType), "mfa") && e.Severity == "WARN"
		}},
		{`target.alternateId sw "slack"`, func(e okta.LogEvent) bool {
			for _, tg := range e.Target {
				if strings.HasPrefix(strings.ToLower(string(tg.AlternateID)), "slack") {
					return true
				}
			}
			return false
		}},
	}
	for _, ch := range checks {
		events, _, _ := loadLogs(t, c, okta.LogQuery{Filter: ch.filter})
		if len(events) == 0 {
			t.Fatalf("%s: nothing matched; the test proves nothing", ch.filter)
		}
		for _, e := range events {
			if !ch.ok(e) {
				t.Fatalf("%s let through %s %s %s", ch.filter, e.EventType, e.Actor.AlternateID, e.Outcome.Result)
			}
		}
	}
	events, _, _ := loadLogs(t, c, okta.LogQuery{Keywords: "amsterdam failure"})
	for _, e := range events {
		if e.Client.GeographicalContext.City != "Amsterdam" || e.Outcome.Result != "FAILURE" {
			t.Fatalf("q leaked %s %s", e.Client.GeographicalContext.City, e.Outcome.Result)
		}
	}
	if len(events) == 0 {
		t.Fatal("the password spray from Amsterdam is missing")
	}
}

func TestInvalidFilterIsOktas400WithItsCause(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{})
	for _, f := range []string{`eventType eq`, `eventType eq "x" and (`, `nosuch.attribute eq "1"`, `eventType equals "x"`} {
		_, err := c.Logs(ctx(), okta.LogQuery{Filter: f}, "")
		var e *httpx.Error
		if !errors.As(err, &e) || e.Status != 400 || e.Code != "E0000001" || !strings.Contains(e.Message, "Api validation failed: filter; Invalid filter expression") {
			t.Fatalf("%s: %v", f, err)
		}
		if strings.ContainsAny(err.Error(), "\n\r") || !strings.HasPrefix(err.Error(), "Okta demo: 400") {
			t.Fatalf("not one clear line: %q", err)
		}
	}
}

func TestUserLookupsAndLifecycle(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{})
	u, err := c.User(ctx(), "li.chen@acme.example")
	if err != nil || u.Status != "ACTIVE" || u.Login() != "li.chen@acme.example" || u.Profile.Name() != "Li Chen" || u.ETag == "" || len(u.Raw) == 0 {
		t.Fatalf("user by login: %v %+v", err, u)
	}
	if byShort, err := c.User(ctx(), "li.chen"); err != nil || byShort.ID != u.ID {
		t.Fatalf("user by short login: %v", err)
	}
	found, ok, err := c.FindUser(ctx(), "li.chen@acme.example")
	if err != nil || !ok || found.ID != u.ID {
		t.Fatalf("find: %v %v", ok, err)
	}
	if _, ok, err := c.FindUser(ctx(), "nobody@acme.example"); err != nil || ok {
		t.Fatalf("find nobody: %v %v", ok, err)
	}
	_, err = c.User(ctx(), "nobody@acme.example")
	if !httpx.IsNotFound(err) || !strings.Contains(err.Error(), "E0000007") {
		t.Fatalf("unknown user: %v", err)
	}

	id := string(u.ID)
	step := func(what string, err error, want string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := s.Okta.UserStatus(id); got != want {
			t.Fatalf("after %s the status is %s, want %s", what, got, want)
		}
	}
	step("suspend", c.Suspend(ctx(), id), "SUSPENDED")
	if err := c.Suspend(ctx(), id); httpx.StatusOf(err) != 400 || !strings.Contains(err.Error(), "not active") {
		t.Fatalf("second suspend: %v", err)
	}
	step("unsuspend", c.Unsuspend(ctx(), id), "ACTIVE")
	reset, err := c.ResetPassword(ctx(), id, false, true)
	step("reset_password", err, "RECOVERY")
	if reset.ResetPasswordURL == "" {
		t.Fatal("no reset link without email")
	}
	step("clear sessions", c.ClearSessions(ctx(), id, true), "RECOVERY")
	step("deactivate", c.Deactivate(ctx(), id), "DEPROVISIONED")
	if err := c.Deactivate(ctx(), id); httpx.StatusOf(err) != 404 {
		t.Fatalf("second deactivate: %v", err)
	}
	act, err := c.Activate(ctx(), id, false)
	step("activate", err, "ACTIVE")
	if act.ActivationURL == "" {
		t.Fatal("no activation link without email")
	}
	expired, err := c.ExpirePassword(ctx(), id)
	step("expire_password", err, "PASSWORD_EXPIRED")
	if expired.Status != "PASSWORD_EXPIRED" {
		t.Fatalf("expire_password answers the user: %+v", expired)
	}
	if err := c.Unlock(ctx(), id); httpx.StatusOf(err) != 403 || !strings.Contains(err.Error(), "E0000032") {
		t.Fatalf("unlock of a user not locked out: %v", err)
	}

	var actions []string
	for _, e := range mem.Entries() {
		if e.Outcome == audit.OK {
			actions = append(actions, e.Action)
		}
		if e.Target != id || e.Vendor != "okta" || e.Analyst != "alice" {
			t.Fatalf("audit entry %+v", e)
		}
	}
	want := "okta.suspend okta.unsuspend okta.reset_password okta.clear_sessions okta.deactivate okta.activate okta.expire_password"
	if strings.Join(actions, " ") != want {
		t.Fatalf("audited writes\n got %s\nwant %s", strings.Join(actions, " "), want)
	}
	if n := len(mem.Entries()); n != 10 {
		t.Fatalf("%d audit entries, want 10 (failed writes too)", n)
	}
	// The writes are in the System Log, as on a real org.
	events, _, _ := loadLogs(t, c, okta.LogQuery{Filter: `target.alternateId eq "li.chen@acme.example" and eventType sw "user.lifecycle"`})
	if len(events) != 4 || events[0].EventType != "user.lifecycle.suspend" || events[0].Actor.AlternateID != "svc-triage@acme.example" {
		t.Fatalf("lifecycle events in the log: %d %+v", len(events), events)
	}
}

func TestCreateFindAndPartialUpdate(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{})
	vpn := s.Okta.GroupID("VPN Users")
	u, err := c.CreateUser(ctx(), okta.NewUser{
		Profile:  okta.Profile{"login": "new.hire@acme.example", "email": "new.hire@acme.example", "firstName": "New", "lastName": "Hire", "department": "Sales"},
		GroupIDs: []string{vpn}, Activate: true,
	})
	if err != nil || u.Status != "PROVISIONED" || u.ID == "" {
		t.Fatalf("create: %v %+v", err, u)
	}
	groups, _ := c.UserGroups(ctx(), string(u.ID))
	if len(groups) != 2 || groups[1].Profile.Name != "VPN Users" {
		t.Fatalf("groups of the new user: %+v", groups)
	}
	_, err = c.CreateUser(ctx(), okta.NewUser{Profile: okta.Profile{"login": "li.chen@acme.example", "email": "li.chen@acme.example", "firstName": "Li", "lastName": "Chen"}})
	if httpx.StatusOf(err) != 400 || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate login: %v", err)
	}
	_, err = c.CreateUser(ctx(), okta.NewUser{Profile: okta.Profile{"login": "x@acme.example"}})
	if httpx.StatusOf(err) != 400 || !strings.Contains(err.Error(), "firstName: The field cannot be left blank") {
		t.Fatalf("missing fields: %v", err)
	}

	li, _ := c.User(ctx(), "li.chen@acme.example")
	after := okta.Profile{}
	for k, v := range li.Profile {
		after[k] = v
	}
	after["title"] = "Principal Analyst"
	changed := okta.Changed(li.Profile, after)
	if len(changed) != 1 || changed["title"] != "Principal Analyst" {
		t.Fatalf("changed fields: %v", changed)
	}
	updated, err := c.UpdateUser(ctx(), string(li.ID), changed)
	if err != nil || updated.Profile.Get("title") != "Principal Analyst" || updated.Profile.Get("department") != li.Profile.Get("department") || updated.Profile.Get("firstName") != "Li" {
		t.Fatalf("partial update: %v %+v", err, updated)
	}
	p, err := c.Users(ctx(), okta.UserQuery{Filter: `status eq "SUSPENDED"`}, "")
	if err != nil || len(p.Items) == 0 {
		t.Fatalf("status filter: %v", err)
	}
	for _, u := range p.Items {
		if u.Status != "SUSPENDED" {
			t.Fatalf("status filter leaked %s", u.Status)
		}
	}
	p, err = c.Users(ctx(), okta.UserQuery{Q: "li"}, "")
	if err != nil || len(p.Items) == 0 || len(p.Items) > 10 {
		t.Fatalf("q: %v %d", err, len(p.Items))
	}
	es := mem.Entries()
	if es[0].Action != "okta.create_user" || es[0].Target != "new.hire@acme.example" || es[len(es)-1].Action != "okta.update_user" ||
		strings.Contains(strings.Join(es[len(es)-1].Params["fields"].([]string), ","), "login") {
		t.Fatalf("audit %+v", es)
	}
}

func TestReadOnlyAnalystCannotSuspend(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{})
	id := s.Okta.UserID("li.chen@acme.example")
	ro := identity.With(context.Background(), identity.Analyst{Name: "bob", Role: "read-only"})
	err := c.Suspend(ro, id)
	if !errors.Is(err, httpx.ErrReadOnly) || s.Okta.UserStatus(id) != "ACTIVE" {
		t.Fatalf("read-only suspend: %v, status %s", err, s.Okta.UserStatus(id))
	}
	if es := mem.Entries(); len(es) != 1 || es[0].Outcome != audit.Refused || es[0].Action != "okta.suspend" {
		t.Fatalf("audit %+v", es)
	}
	if s.Okta.Count("POST /api/v1/users") != 0 {
		t.Fatal("the refused write reached the vendor")
	}
}

func TestRevokedTokenIsOneClearLine(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{})
	s.Okta.RevokeAPIToken()
	_, err := c.Apps(ctx(), okta.AppQuery{}, "")
	if err == nil || err.Error() != "Okta demo: 401 E0000011: Invalid token provided [GET /api/v1/apps, request oae0000000000000000001]" {
		t.Fatalf("err = %v", err)
	}
}

func TestBadAnswersAreClearErrors(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{})
	cases := []struct {
		fault *sim.Fault
		want  string
	}{
		{&sim.Fault{Status: 502, Body: "<html><head><title>502 Bad Gateway</title></head></html>", Header: http.Header{"Content-Type": {"text/html"}}}, "502: HTML page: 502 Bad Gateway"},
		{&sim.Fault{Status: 200, Body: `[{"uuid":"1","published":"2026-`}, "malformed JSON"},
		{&sim.Fault{Status: 200, Body: ""}, "empty response where data was expected"},
		{&sim.Fault{Status: 200, Body: `<!DOCTYPE html><html><title>Sign In</title></html>`, Header: http.Header{"Content-Type": {"text/html"}}}, "HTML page: Sign In"},
	}
	for _, cs := range cases {
		cs.fault.Path = "/api/v1/logs"
		s.Okta.Inject(cs.fault)
		_, err := c.Logs(ctx(), okta.LogQuery{}, "")
		s.Okta.Inject(nil)
		if err == nil || !strings.Contains(err.Error(), cs.want) || !strings.HasPrefix(err.Error(), "Okta demo: ") || strings.ContainsAny(err.Error(), "\n\r") {
			t.Errorf("%q: %v", cs.fault.Body, err)
		}
	}
}

func TestRateLimitStormGivesUpWithOktasMessage(t *testing.T) {
	t.Parallel() // it waits for a rate-limit reset on the wall clock
	s, err := sim.Start(sim.Options{RateLimitRate: 1, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := okta.New(s.Config().Okta[0], httpx.Options{Retry: httpx.Retry{Attempts: 2}})
	start := time.Now()
	_, err = c.Apps(ctx(), okta.AppQuery{}, "")
	var e *httpx.Error
	if !errors.As(err, &e) || e.Status != 429 || e.Code != "E0000047" || !strings.Contains(err.Error(), "exceeded rate limit") {
		t.Fatalf("err = %v", err)
	}
	// The retry waited for the reset Okta announced a second ahead.
	if n := s.Okta.Requests(); n != 2 || time.Since(start) < time.Second {
		t.Fatalf("%d requests in %s", n, time.Since(start))
	}
}

func TestBucketDepletesToOktas429(t *testing.T) {
	s, err := sim.Start(sim.Options{Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Okta.SetRateLimit("/api/v1/logs", 2)
	var last *http.Response
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("GET", s.Okta.URL+"/api/v1/logs?limit=1", nil)
		req.Header.Set("Authorization", "SSWS "+sim.OktaAPIToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := []string{"1", "0", "0"}[i]; resp.Header.Get("X-Rate-Limit-Remaining") != want || resp.Header.Get("X-Rate-Limit-Limit") != "2" {
			t.Fatalf("request %d: remaining %q", i, resp.Header.Get("X-Rate-Limit-Remaining"))
		}
		last = resp
	}
	reset, _ := time.Parse(time.RFC1123, last.Header.Get("Date"))
	if last.StatusCode != 429 || last.Header.Get("X-Rate-Limit-Reset") == "" || reset.IsZero() {
		t.Fatalf("third request: %d %v", last.StatusCode, last.Header)
	}
}

func TestAdminURL(t *testing.T) {
	for base, want := range map[string]string{
		"https://acme.okta.com":        "https://acme-admin.okta.com/admin/app/slack/instance/0oa1/",
		"https://acme.oktapreview.com": "https://acme-admin.oktapreview.com/admin/app/slack/instance/0oa1/",
		"https://login.acme.example":   "https://login.acme.example/admin/app/slack/instance/0oa1/",
		"http://127.0.0.1:8080":        "http://127.0.0.1:8080/admin/app/slack/instance/0oa1/",
	} {
		c, err := okta.New(config.Okta{Name: "x", URL: base, APIToken: "t"}, httpx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.AdminURL("/admin/app/slack/instance/0oa1/"); got != want {
			t.Errorf("%s: %s, want %s", base, got, want)
		}
	}
}
