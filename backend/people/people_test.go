package people_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/identity"
	"triage/backend/people"
	"triage/backend/sim"
)

func ctx() context.Context {
	return identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder"})
}

func start(t *testing.T, rows int) (*sim.Sim, []people.Provider, *audit.Memory) {
	t.Helper()
	s, err := sim.Start(sim.Options{Rows: rows, Clock: clock.Pin(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	mem := &audit.Memory{}
	set, err := backend.Open(s.Config(), backend.Options{Audit: mem, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ps := people.Providers(set)
	if len(ps) != 3 || ps[0].Vendor() != "Okta" || ps[1].Vendor() != "Atlassian" || ps[2].Vendor() != "Essentials" {
		t.Fatalf("providers %v", ps)
	}
	return s, ps, mem
}

func TestListingsCoverEveryAccountIncludingDeactivatedOktaUsers(t *testing.T) {
	_, ps, _ := start(t, 900) // 300 Okta users: two pages, then the deactivated ones
	for _, p := range ps {
		seen := map[string]bool{}
		pages, cursor := 0, ""
		for {
			l, err := p.List(ctx(), cursor)
			if err != nil {
				t.Fatalf("%s: %v", people.Label(p), err)
			}
			for _, e := range l.Entries {
				if e.Email == "" || e.Status == "" || seen[people.Key(e.Email)] {
					t.Fatalf("%s: entry %+v (seen before: %v)", people.Label(p), e, seen[people.Key(e.Email)])
				}
				seen[people.Key(e.Email)] = true
			}
			pages++
			if cursor = l.Next; cursor == "" {
				break
			}
		}
		want := map[string]int{"Okta": 300, "Atlassian": 818, "Essentials": 831}[p.Vendor()]
		if len(seen) != want || !seen["li.chen@acme.example"] {
			t.Fatalf("%s: %d accounts over %d pages, want %d", people.Label(p), len(seen), pages, want)
		}
	}
}

func TestFindDisableEnableEverywhere(t *testing.T) {
	s, ps, mem := start(t, 120)
	for _, p := range ps {
		a, err := p.Find(ctx(), "Li.Chen@acme.example")
		if err != nil || a == nil || !a.Enabled || !a.CanDisable() || a.Profile.Name() != "Li Chen" || len(a.Raw) == 0 || len(a.Facts) == 0 {
			t.Fatalf("%s find: %v %+v", people.Label(p), err, a)
		}
		if err := p.Disable(ctx(), a, people.Suspend); err != nil {
			t.Fatalf("%s disable: %v", people.Label(p), err)
		}
		b, _ := p.Find(ctx(), "li.chen@acme.example")
		if b.Enabled || !b.CanEnable() {
			t.Fatalf("%s after disable: %+v", people.Label(p), b)
		}
		if err := p.Enable(ctx(), b); err != nil {
			t.Fatalf("%s enable: %v", people.Label(p), err)
		}
		if c, _ := p.Find(ctx(), "li.chen@acme.example"); !c.Enabled {
			t.Fatalf("%s after enable: %+v", people.Label(p), c)
		}
		d, err := p.Details(ctx(), a)
		if err != nil || (p.Vendor() != "Essentials" && len(d.Groups) == 0) || (p.Vendor() == "Okta" && len(d.Apps) == 0) {
			t.Fatalf("%s details: %v %+v", people.Label(p), err, d)
		}
	}
	if active, _ := s.Atlassian.Active("li.chen@acme.example"); !active {
		t.Fatal("Atlassian user not enabled again")
	}
	// One audit line per provider per write: suspend/unsuspend, PATCH twice, PUT twice.
	if n := len(mem.Entries()); n != 6 {
		t.Fatalf("%d audit entries, want 6", n)
	}
	// Absent people are nil, not errors.
	for _, p := range ps {
		if a, err := p.Find(ctx(), "nobody@acme.example"); a != nil || err != nil {
			t.Fatalf("%s: %v %v", people.Label(p), a, err)
		}
	}
	okta := ps[0]
	a, _ := okta.Find(ctx(), "li.chen@acme.example")
	if err := okta.Disable(ctx(), a, people.Deactivate); err != nil {
		t.Fatal(err)
	}
	if a, _ = okta.Find(ctx(), "li.chen"); a == nil || a.Status != "DEPROVISIONED" {
		t.Fatalf("deactivated, found by short login: %+v", a)
	}
	if err := okta.Enable(ctx(), a); err != nil {
		t.Fatal(err)
	}
}

func TestCreateAndUpdateOnlyWhatChanged(t *testing.T) {
	s, ps, mem := start(t, 120)
	pr := people.Profile{Email: "new.hire@acme.example", First: "New", Last: "Hire", Title: "Analyst", Department: "Security"}
	for _, p := range ps {
		a, err := p.Create(ctx(), pr)
		if err != nil || a.Profile.Email != "new.hire@acme.example" || !a.Enabled {
			t.Fatalf("%s create: %v %+v", people.Label(p), err, a)
		}
		if _, err := p.Create(ctx(), pr); err == nil {
			t.Fatalf("%s: a second create succeeded", people.Label(p))
		}
	}
	before := people.Profile{Email: "li.chen@acme.example", First: "Li", Last: "Chen", Title: "Analyst"}
	after := before
	after.Title, after.Last = "Lead Analyst", "Chen-Wu"
	c := people.Diff(before, after)
	if len(c) != 2 {
		t.Fatalf("diff %v", c)
	}
	written := len(mem.Entries())
	for _, p := range ps {
		a, _ := p.Find(ctx(), "li.chen@acme.example")
		apply := people.Applicable(p, a, c)
		if p.Vendor() == "Essentials" && (len(apply) != 1 || apply[people.LastName] != "Chen-Wu") {
			t.Fatalf("Essentials has no title: %v", apply)
		}
		got, err := p.Update(ctx(), a, apply)
		if err != nil || got.Profile.Last != "Chen-Wu" || got.Profile.First != "Li" {
			t.Fatalf("%s update: %v %+v", people.Label(p), err, got)
		}
		if len(people.Applicable(p, got, c)) != 0 {
			t.Fatalf("%s: the change does not show", people.Label(p))
		}
	}
	if s.Atlassian.Title("li.chen@acme.example") != "Lead Analyst" || s.Essentials.Name("li.chen@acme.example") != "Li Chen-Wu" {
		t.Fatal("not at the vendor")
	}
	for _, e := range mem.Entries()[written:] {
		if fields, ok := e.Params["fields"].([]string); ok && len(fields) > 2 {
			t.Fatalf("%s sent more than the changed fields: %v", e.Action, fields)
		}
	}
}
