package oktaspec

import (
	"context"
	"strings"
	"testing"
	"time"

	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/okta"
	"triage/backend/sim"
)

// Every operation triage's Okta client performs, run against the
// simulator through a recorder; each request it sent must be one Okta's
// spec allows.
func TestEveryOktaRequestIsOneOktasSpecAllows(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 300, Clock: clock.Pin(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := &recorder{}
	front := rec.proxy(s.Okta.URL)
	defer front.Close()
	_, router := loadSpec(t, front.URL)

	tenant := s.Config().Okta[0]
	tenant.URL = front.URL
	c, err := okta.New(tenant, httpx.Options{Audit: &audit.Memory{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := identity.With(context.Background(), identity.Analyst{Name: "contract", Role: "responder"})
	li := s.Okta.UserID("li.chen@acme.example")
	app := s.Okta.Apps()[0].ID
	group := s.Okta.GroupID("Everyone")
	var created string

	// Each operation as triage performs it; a vendor error is fine here
	// (the simulator may refuse), the request it sent is what is judged.
	ops := []struct {
		name string
		run  func() error
	}{
		{"check", func() error { return c.Check(ctx) }},
		{"apps, a page and the next", func() error {
			p, err := c.Apps(ctx, okta.AppQuery{Limit: 5}, "")
			if err == nil && p.Next != "" {
				_, err = c.Apps(ctx, okta.AppQuery{Limit: 5}, p.Next)
			}
			return err
		}},
		{"apps by name", func() error { _, err := c.Apps(ctx, okta.AppQuery{Q: "Sales", Limit: 20}, ""); return err }},
		{"a person's apps", func() error { _, err := c.Apps(ctx, okta.AppQuery{Filter: okta.UserFilter(li)}, ""); return err }},
		{"one app", func() error { _, err := c.App(ctx, app); return err }},
		{"an app's users", func() error {
			p, err := c.AppUsers(ctx, app, 5, "")
			if err == nil && p.Next != "" {
				_, err = c.AppUsers(ctx, app, 5, p.Next)
			}
			return err
		}},
		{"assignment", func() error { _, _, err := c.Assignment(ctx, app, li); return err }},
		{"a person's app links", func() error { _, err := c.UserAppLinks(ctx, li); return err }},
		{"a group", func() error { _, err := c.Group(ctx, group); return err }},
		{"a group's members", func() error {
			p, err := c.GroupMembers(ctx, group, 10, "")
			if err == nil && p.Next != "" {
				_, err = c.GroupMembers(ctx, group, 10, p.Next)
			}
			return err
		}},
		{"a person's groups, every page", func() error { _, err := c.UserGroups(ctx, s.Okta.UserID(sim.PersonAt(3).Email)); return err }},
		{"groups by name, a page and the next", func() error {
			p, err := c.Groups(ctx, okta.GroupQuery{Q: "Project", Limit: 5}, "")
			if err == nil && p.Next != "" {
				_, err = c.Groups(ctx, okta.GroupQuery{Q: "Project", Limit: 5}, p.Next)
			}
			return err
		}},
		{"add to a group", func() error { return c.AddToGroup(ctx, s.Okta.GroupID("Contractors"), li) }},
		{"remove from a group", func() error { return c.RemoveFromGroup(ctx, s.Okta.GroupID("Contractors"), li) }},
		{"assign an app", func() error { _, err := c.AssignUser(ctx, s.Okta.Apps()[18].ID, li); return err }},
		{"unassign an app", func() error { return c.UnassignUser(ctx, s.Okta.Apps()[18].ID, li) }},
		{"System Log, newest first, filtered, with keywords", func() error {
			q := okta.LogQuery{Filter: `eventType eq "user.session.start"`, Keywords: "li chen", Since: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Descending: true, Limit: 50}
			p, err := c.Logs(ctx, q, "")
			if err == nil && p.More {
				_, err = c.Logs(ctx, q, p.Next)
			}
			return err
		}},
		{"System Log, bounded, oldest first", func() error {
			_, err := c.Logs(ctx, okta.LogQuery{Since: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Limit: 1000}, "")
			return err
		}},
		{"a user by login", func() error { _, err := c.User(ctx, "li.chen@acme.example"); return err }},
		{"find a user", func() error { _, _, err := c.FindUser(ctx, "li.chen@acme.example"); return err }},
		{"users by filter", func() error {
			_, err := c.Users(ctx, okta.UserQuery{Filter: `status eq "SUSPENDED"`, Limit: 20}, "")
			return err
		}},
		{"users by search", func() error {
			_, err := c.Users(ctx, okta.UserQuery{Search: `profile.department eq "Finance"`}, "")
			return err
		}},
		{"users by prefix", func() error { _, err := c.Users(ctx, okta.UserQuery{Q: "li", Limit: 10}, ""); return err }},
		{"create a user, staged", func() error {
			u, err := c.CreateUser(ctx, okta.NewUser{Profile: okta.Profile{"login": "new.hire@acme.example", "email": "new.hire@acme.example",
				"firstName": "New", "lastName": "Hire", "title": "Analyst", "department": "Security"}})
			if u != nil {
				created = string(u.ID)
			}
			return err
		}},
		{"update a user", func() error { _, err := c.UpdateUser(ctx, li, okta.Profile{"title": "Senior analyst"}); return err }},
		{"activate", func() error { _, err := c.Activate(ctx, created, false); return err }},
		{"reactivate an unfinished activation", func() error { _, err := c.Reactivate(ctx, created, false); return err }},
		{"suspend", func() error { return c.Suspend(ctx, li) }},
		{"unsuspend", func() error { return c.Unsuspend(ctx, li) }},
		{"unlock", func() error { return c.Unlock(ctx, li) }},
		{"reset password", func() error { _, err := c.ResetPassword(ctx, li, true, false); return err }},
		{"expire password", func() error { _, err := c.ExpirePassword(ctx, li); return err }},
		{"clear sessions", func() error { return c.ClearSessions(ctx, li, true) }},
		{"deactivate", func() error { return c.Deactivate(ctx, created) }},
	}
	checked := 0
	for _, op := range ops {
		err := op.run()
		reqs := rec.take()
		if len(reqs) == 0 {
			t.Errorf("%s: sent nothing (%v)", op.name, err)
			continue
		}
		for _, r := range reqs {
			if tokenPath(r.uri) {
				continue
			}
			checked++
			if id, problem := check(router, front.URL, r); problem != nil {
				t.Errorf("%s: %s %s (Okta operation %s) is not what Okta's spec allows:\n%s", op.name, r.method, r.uri, orNone(id), indent(problem.Error()))
			}
		}
	}
	if checked < len(ops) {
		t.Fatalf("%d requests checked for %d operations", checked, len(ops))
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// The referee refuses what Okta's spec refuses: without this, a loader
// that lost the spec's parameters would pass everything.
func TestTheSpecRefusesWhatOktaRefuses(t *testing.T) {
	const base = "http://okta.test"
	_, router := loadSpec(t, base)
	for _, c := range []struct {
		what string
		rec  recorded
	}{
		{"an unknown path", recorded{method: "GET", uri: "/api/v1/nonsense"}},
		{"a method the path does not take", recorded{method: "PATCH", uri: "/api/v1/apps"}},
		{"a limit that is not a number", recorded{method: "GET", uri: "/api/v1/apps?limit=many"}},
		{"a query parameter the operation does not have", recorded{method: "GET", uri: "/api/v1/users?limt=5"}},
		{"a user whose profile is not an object", recorded{method: "POST", uri: "/api/v1/users?activate=false",
			header: map[string][]string{"Content-Type": {"application/json"}}, body: []byte(`{"profile":"li.chen"}`)}},
	} {
		if c.rec.header == nil {
			c.rec.header = map[string][]string{}
		}
		if _, problem := check(router, base, c.rec); problem == nil {
			t.Errorf("%s: %s %s passed", c.what, c.rec.method, c.rec.uri)
		}
	}
	ok := recorded{method: "GET", uri: "/api/v1/users?filter=" + strings.ReplaceAll(`profile.login eq "li.chen@acme.example"`, " ", "%20") + "&limit=1", header: map[string][]string{}}
	if op, problem := check(router, base, ok); problem != nil || op != "listUsers" {
		t.Fatalf("a plain user lookup: %s %v", op, problem)
	}
}
