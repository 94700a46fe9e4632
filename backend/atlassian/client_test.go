package atlassian_test

import (
	"strings"
	"testing"
	"time"

	"triage/backend/atlassian"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/sim"
)

// simNow is the simulated present of these tests.
var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func startSim(t *testing.T, o sim.Options) (*sim.Sim, *atlassian.Client, *audit.Memory) {
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
	c, err := atlassian.New(s.Config().Atlassian[0], httpx.Options{Audit: mem, Retry: httpx.Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, mem
}

func TestListPagesThroughTheSimulatedDirectory(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 250})
	seen := map[string]bool{}
	start, pages := 1, 0
	for start != 0 {
		p, err := c.Users(ctx(), start, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Items {
			if seen[string(u.ID)] {
				t.Fatalf("%s twice", u.ID)
			}
			seen[string(u.ID)] = true
		}
		start = p.Next()
		pages++
	}
	// 250 people, one in eleven not in the directory
	want := 0
	for i := 0; i < 250; i++ {
		if i%11 != 6 {
			want++
		}
	}
	if len(seen) != want || pages != 3 {
		t.Fatalf("%d users over %d pages, want %d over 3", len(seen), pages, want)
	}
}

func TestFindDisableEnableUpdateAgainstTheSimulator(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{Rows: 120})
	u, found, err := c.FindUser(ctx(), "li.chen@acme.example")
	if err != nil || !found || !u.IsActive() || u.Email() != "li.chen@acme.example" || len(u.Groups) == 0 || u.External.AtlassianAccountID == "" {
		t.Fatalf("find: %v %v %+v", found, err, u)
	}
	if _, found, err := c.FindUser(ctx(), sim.PersonAt(6).Email); found || err != nil {
		t.Fatalf("person 6 is not in the directory: %v %v", found, err)
	}
	id := string(u.ID)
	if u, err = c.Disable(ctx(), id); err != nil || u.IsActive() {
		t.Fatalf("disable: %v", err)
	}
	if active, _ := s.Atlassian.Active("li.chen@acme.example"); active {
		t.Fatal("still active at the vendor")
	}
	if u, err = c.Enable(ctx(), id); err != nil || !u.IsActive() {
		t.Fatalf("enable: %v", err)
	}
	if u, err = c.UpdateUser(ctx(), id, map[string]string{atlassian.PathTitle: "Principal Analyst"}); err != nil || u.Title != "Principal Analyst" || u.Name.GivenName != "Li" {
		t.Fatalf("update: %v %+v", err, u)
	}
	if es := mem.Entries(); len(es) != 3 || es[0].Action != "atlassian.disable_user" || es[2].Params["paths"].([]string)[0] != "title" {
		t.Fatalf("audit %+v", es)
	}
}

func TestCreateThenDuplicateIs409(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 120})
	n := atlassian.NewUser{UserName: "new.hire@acme.example", GivenName: "New", FamilyName: "Hire", Department: "Legal"}
	u, err := c.CreateUser(ctx(), n)
	if err != nil || u.ID == "" || !u.IsActive() || u.DepartmentName() != "Legal" {
		t.Fatalf("create: %v %+v", err, u)
	}
	got, err := c.User(ctx(), string(u.ID))
	if err != nil || got.UserName != "new.hire@acme.example" {
		t.Fatalf("get: %v %+v", err, got)
	}
	if _, err := c.CreateUser(ctx(), n); !atlassian.IsExists(err) || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := c.CreateUser(ctx(), atlassian.NewUser{UserName: "x@elsewhere.example"}); httpx.StatusOf(err) != 400 || !strings.Contains(err.Error(), "not verified") {
		t.Fatalf("unverified domain: %v", err)
	}
}

func TestOnlyUserNameAndExternalIDFiltersAreAccepted(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 120})
	_, err := c.HTTP().Do(ctx(), &httpx.Request{Path: "/Users", Query: map[string][]string{"filter": {`emails eq "li.chen@acme.example"`}}})
	if httpx.StatusOf(err) != 400 || !strings.Contains(err.Error(), "invalidFilter") {
		t.Fatalf("emails filter: %v", err)
	}
	_, err = c.HTTP().Do(ctx(), &httpx.Request{Path: "/Users", Query: map[string][]string{"filter": {`userName sw "li"`}}})
	if httpx.StatusOf(err) != 400 {
		t.Fatalf("sw filter: %v", err)
	}
	if _, err = c.HTTP().Do(ctx(), &httpx.Request{Path: "/Users", Query: map[string][]string{"filter": {`externalId eq "nope"`}}}); err != nil {
		t.Fatalf("externalId filter: %v", err)
	}
}

func TestGroupsAndMembers(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 120})
	p, err := c.Groups(ctx(), 1, 100)
	if err != nil || len(p.Items) < 5 {
		t.Fatalf("groups: %v %d", err, len(p.Items))
	}
	g, found, err := c.FindGroup(ctx(), "jira-software-users")
	if err != nil || !found {
		t.Fatalf("find group: %v %v", found, err)
	}
	full, err := c.Group(ctx(), string(g.ID))
	if err != nil || len(full.Members) == 0 || full.Members[0].Value == "" {
		t.Fatalf("members: %v %+v", err, full)
	}
}

func TestWrongKeyIsA401NamingTheDirectory(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 20, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config().Atlassian[0]
	cfg.Token = config.Secret("wrong-key")
	c, _ := atlassian.New(cfg, httpx.Options{})
	err = c.Check(ctx())
	if httpx.StatusOf(err) != 401 || !strings.HasPrefix(err.Error(), "Atlassian demo: 401") || strings.Contains(err.Error(), "wrong-key") {
		t.Fatalf("check: %v", err)
	}
}
