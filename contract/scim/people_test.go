package scimcontract

import (
	"testing"

	"triage/backend"
	"triage/backend/atlassian"
	"triage/backend/people"
)

// The people provider is what the console's people tab and new-person
// form use: its verbs must land in the same places as the client's.
func TestThePeopleProviderAgainstTheReferee(t *testing.T) {
	ref := startReferee(t)
	ps := people.Providers(&backend.Set{Atlassian: []*atlassian.Client{ref.client(t, apiKey)}})
	if len(ps) != 1 || ps[0].Vendor() != "Atlassian" {
		t.Fatalf("providers %v", ps)
	}
	p := ps[0]

	if a, err := p.Find(ctx(), "dana@acme.example"); err != nil || a != nil {
		t.Fatalf("find a person not yet there: %+v, %v", a, err)
	}
	pr := people.Profile{Email: "dana@acme.example", First: "Dana", Last: "New", Display: "Dana New", Title: "Analyst",
		Department: "Security", Organization: "Acme Labs"}
	a, err := p.Create(ctx(), pr)
	if err != nil {
		t.Fatalf("create a person: %v", err)
	}
	if a.Profile != pr || !a.Enabled || a.Login != "dana@acme.example" {
		t.Fatalf("create a person: the account read back %+v", a)
	}
	s := ref.dir.storedUser(a.ID)
	const op = "people: create"
	mustStored(t, op, s, "dana@acme.example", "userName")
	mustStored(t, op, s, "Dana", "name", "givenName")
	mustStored(t, op, s, "New", "name", "familyName")
	mustStored(t, op, s, "Dana New", "displayName")
	mustStored(t, op, s, "Analyst", "title")
	mustStored(t, op, s, "Security", enterpriseURN, "department")
	mustStored(t, op, s, "Acme Labs", enterpriseURN, "organization")

	a, err = p.Find(ctx(), "DANA@acme.example")
	if err != nil || a == nil || a.Profile != pr {
		t.Fatalf("find the person: %+v, %v", a, err)
	}

	// The update form: every field changed, then some cleared.
	after := people.Profile{Email: pr.Email, First: "Dee", Last: "Newer", Display: "Dee Newer", Title: "Lead",
		Department: "Finance", Organization: "Acme Bank"}
	a, err = p.Update(ctx(), a, people.Applicable(p, a, people.Diff(a.Profile, after)))
	if err != nil {
		t.Fatalf("update every field: %v", err)
	}
	if a.Profile != after {
		t.Fatalf("update every field: the account read back %+v", a.Profile)
	}
	s = ref.dir.storedUser(a.ID)
	mustStored(t, "people: update", s, "Dee", "name", "givenName")
	mustStored(t, "people: update", s, "Newer", "name", "familyName")
	mustStored(t, "people: update", s, "Dee Newer", "displayName")
	mustStored(t, "people: update", s, "Lead", "title")
	mustStored(t, "people: update", s, "Finance", enterpriseURN, "department")
	mustStored(t, "people: update", s, "Acme Bank", enterpriseURN, "organization")

	cleared := after
	cleared.Title, cleared.Department, cleared.Organization = "", "", ""
	if a, err = p.Update(ctx(), a, people.Applicable(p, a, people.Diff(a.Profile, cleared))); err != nil {
		t.Fatalf("clear title, department, organization: %v", err)
	}
	s = ref.dir.storedUser(a.ID)
	mustStored(t, "people: clear", s, "", "title")
	mustStored(t, "people: clear", s, "", enterpriseURN)
	mustStored(t, "people: clear", s, "Dee", "name", "givenName")
	if a.Profile != cleared {
		t.Fatalf("clear: the account read back %+v", a.Profile)
	}

	if err := p.Disable(ctx(), a, people.Suspend); err != nil {
		t.Fatalf("disable the person: %v", err)
	}
	mustStored(t, "people: disable", ref.dir.storedUser(a.ID), "false", "active")
	if a, err = p.Find(ctx(), pr.Email); err != nil || a.Enabled || !a.CanEnable() {
		t.Fatalf("find after disable: %+v, %v", a, err)
	}
	if err := p.Enable(ctx(), a); err != nil {
		t.Fatalf("enable the person: %v", err)
	}
	mustStored(t, "people: enable", ref.dir.storedUser(a.ID), "true", "active")

	ref.seedGroup(t, "soc-analysts", a.ID)
	d, err := p.Details(ctx(), &people.Account{ID: a.ID})
	if err != nil || len(d.Groups) != 1 || d.Groups[0] != "soc-analysts" {
		t.Fatalf("details (groups): %+v, %v", d, err)
	}

	l, err := p.List(ctx(), "")
	if err != nil || len(l.Entries) != 1 || l.Entries[0].Email != pr.Email || !l.Entries[0].Enabled || l.Next != "" {
		t.Fatalf("list people: %+v, %v", l, err)
	}
	ref.noRefusals(t)
}
