package scimcontract

import (
	"context"
	"strings"
	"testing"

	"triage/backend/atlassian"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
)

func ctx() context.Context {
	return identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder"})
}

// client is triage's Atlassian client of the referee's directory.
func (ref *referee) client(t *testing.T, key string) *atlassian.Client {
	t.Helper()
	c, err := atlassian.New(config.Atlassian{Name: "acme", BaseURL: ref.srv.URL, DirectoryID: dirID, Token: config.Secret(key)},
		httpx.Options{Retry: httpx.Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noRefusals fails when triage sent a request it must never send.
func (ref *referee) noRefusals(t *testing.T) {
	t.Helper()
	ref.dir.mu.Lock()
	defer ref.dir.mu.Unlock()
	if len(ref.dir.refused) > 0 {
		t.Errorf("triage sent requests it never should: %v", ref.dir.refused)
	}
}

func TestTheKeyIsCheckedAsAtlassianDoes(t *testing.T) {
	ref := startReferee(t)
	if err := ref.client(t, apiKey).Check(ctx()); err != nil {
		t.Fatalf("check (GET /Users?count=1): %v", err)
	}
	err := ref.client(t, "wrong-key").Check(ctx())
	if httpx.StatusOf(err) != 401 || !strings.Contains(err.Error(), "Atlassian acme: 401: Unauthorized") {
		t.Fatalf("check with a wrong key: %v", err)
	}
}

// everyone is a user with every field NewUser has.
var everyone = atlassian.NewUser{UserName: "li.chen@acme.example", Email: "li.chen@acme.example", GivenName: "Li",
	FamilyName: "Chen", DisplayName: "Li Chen", Title: "Analyst", Department: "Security", Organization: "Acme Labs",
	ExternalID: "emp-0042"}

func TestCreateStoresEveryFieldWhereTheSchemaPutsIt(t *testing.T) {
	ref := startReferee(t)
	c := ref.client(t, apiKey)
	u, err := c.CreateUser(ctx(), everyone)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	s := ref.dir.storedUser(string(u.ID))
	const op = "create user"
	mustStored(t, op, s, "li.chen@acme.example", "userName")
	mustStored(t, op, s, "Li", "name", "givenName")
	mustStored(t, op, s, "Chen", "name", "familyName")
	mustStored(t, op, s, "Li Chen", "displayName")
	mustStored(t, op, s, "Analyst", "title")
	mustStored(t, op, s, "emp-0042", "externalId")
	mustStored(t, op, s, "true", "active")
	// RFC 7643 section 4.3: department and organization are the enterprise
	// extension's; the core User has neither.
	mustStored(t, op, s, "Security", enterpriseURN, "department")
	mustStored(t, op, s, "Acme Labs", enterpriseURN, "organization")
	mustStored(t, op, s, "", "department")
	mustStored(t, op, s, "", "organization")
	emails, _ := s["emails"].([]any)
	if len(emails) != 1 {
		t.Fatalf("%s: stored emails %v", op, s["emails"])
	}
	e := emails[0].(map[string]any)
	if e["value"] != "li.chen@acme.example" || e["type"] != "work" || e["primary"] != true {
		t.Errorf("%s: stored email %v", op, e)
	}
	// What the client returns is read from the server's answer.
	if u.Email() != everyone.Email || u.FullName() != "Li Chen" || u.DepartmentName() != "Security" ||
		u.OrganizationName() != "Acme Labs" || !u.IsActive() || u.ExternalID != "emp-0042" || u.Title != "Analyst" {
		t.Errorf("%s: the client read back %+v", op, u)
	}

	// A second create of the same userName, in other case, is a 409 said plainly.
	dup := everyone
	dup.UserName = "Li.Chen@ACME.example"
	_, err = c.CreateUser(ctx(), dup)
	if !atlassian.IsExists(err) || !strings.Contains(err.Error(), "already exists in the directory: Atlassian acme: 409 uniqueness: User Li.Chen@ACME.example already exists") {
		t.Fatalf("create a duplicate: %v", err)
	}
	ref.noRefusals(t)
}

func TestFindGetAndPage(t *testing.T) {
	ref := startReferee(t)
	c := ref.client(t, apiKey)
	ids := map[string]bool{}
	for _, name := range []string{"ann", "bo", "cy", `d"q\uote`, "eve"} {
		u, err := c.CreateUser(ctx(), atlassian.NewUser{UserName: name + "@acme.example", GivenName: name})
		if err != nil {
			t.Fatalf("create user %s: %v", name, err)
		}
		ids[string(u.ID)] = true
	}

	for _, name := range []string{"cy@acme.example", "CY@acme.example", `d"q\uote@acme.example`} {
		u, found, err := c.FindUser(ctx(), name)
		if err != nil || !found || !strings.EqualFold(string(u.UserName), name) {
			t.Fatalf("find user (filter userName eq) %s: found %v, %v, %+v", name, found, err, u)
		}
	}
	if u, found, err := c.FindUser(ctx(), "nobody@acme.example"); err != nil || found {
		t.Fatalf("find an absent user: found %v %+v, %v", found, u, err)
	}

	for id := range ids {
		u, err := c.User(ctx(), id)
		if err != nil || string(u.ID) != id {
			t.Fatalf("get user %s: %v %+v", id, err, u)
		}
	}
	if _, err := c.User(ctx(), "u999"); !httpx.IsNotFound(err) || !strings.Contains(err.Error(), "Resource u999 not found") {
		t.Fatalf("get an unknown user: %v", err)
	}

	seen, pages := map[string]bool{}, 0
	for start := 1; start != 0; pages++ {
		p, err := c.Users(ctx(), start, 2)
		if err != nil {
			t.Fatalf("list users from %d: %v", start, err)
		}
		if p.Total != 5 || p.Unreadable != 0 || len(p.Items) > 2 {
			t.Fatalf("list users from %d: total %d, %d items, %d unreadable", start, p.Total, len(p.Items), p.Unreadable)
		}
		for _, u := range p.Items {
			if seen[string(u.ID)] {
				t.Fatalf("list users: %s twice", u.ID)
			}
			seen[string(u.ID)] = true
		}
		start = p.Next()
	}
	if pages != 3 || len(seen) != len(ids) {
		t.Fatalf("list users: %d pages, %d users of %d", pages, len(seen), len(ids))
	}
	// A count over the server's ceiling is cut to it, not refused.
	if p, err := c.Users(ctx(), 1, 1000); err != nil || len(p.Items) != 5 {
		t.Fatalf("list users with count=1000: %v, %d items", err, len(p.Items))
	}
	ref.noRefusals(t)
}

func TestUpdateEveryFieldAndRemoveWithAnEmptyValue(t *testing.T) {
	ref := startReferee(t)
	c := ref.client(t, apiKey)
	u, err := c.CreateUser(ctx(), everyone)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	id := string(u.ID)
	u, err = c.UpdateUser(ctx(), id, map[string]string{
		atlassian.PathGivenName: "Lee", atlassian.PathFamilyName: "Chan", atlassian.PathDisplayName: "Lee Chan",
		atlassian.PathTitle: "Lead", atlassian.PathDepartment: "Finance", atlassian.PathOrganization: "Acme Bank",
	})
	if err != nil {
		t.Fatalf("update every field (PATCH replace): %v", err)
	}
	s := ref.dir.storedUser(id)
	const op = "update every field"
	mustStored(t, op, s, "Lee", "name", "givenName")
	mustStored(t, op, s, "Chan", "name", "familyName")
	mustStored(t, op, s, "Lee Chan", "displayName")
	mustStored(t, op, s, "Lead", "title")
	mustStored(t, op, s, "Finance", enterpriseURN, "department")
	mustStored(t, op, s, "Acme Bank", enterpriseURN, "organization")
	mustStored(t, op, s, "li.chen@acme.example", "userName")
	mustStored(t, op, s, "emp-0042", "externalId")
	if u.DepartmentName() != "Finance" || u.OrganizationName() != "Acme Bank" || u.FullName() != "Lee Chan" {
		t.Errorf("%s: the client read back %+v", op, u)
	}

	_, err = c.UpdateUser(ctx(), id, map[string]string{atlassian.PathGivenName: "", atlassian.PathDisplayName: "",
		atlassian.PathTitle: "", atlassian.PathDepartment: "", atlassian.PathOrganization: ""})
	if err != nil {
		t.Fatalf("update with empty values (PATCH remove): %v", err)
	}
	s = ref.dir.storedUser(id)
	const rm = "remove fields"
	mustStored(t, rm, s, "", "name", "givenName")
	mustStored(t, rm, s, "Chan", "name", "familyName")
	mustStored(t, rm, s, "", "displayName")
	mustStored(t, rm, s, "", "title")
	mustStored(t, rm, s, "", enterpriseURN, "department")
	mustStored(t, rm, s, "", enterpriseURN, "organization")
	mustStored(t, rm, s, "li.chen@acme.example", "userName")

	// A path the schema does not have is the server's 400, said with its
	// words (the library names it invalidValue: no such attribute).
	_, err = c.UpdateUser(ctx(), id, map[string]string{"department": "Finance"})
	if httpx.StatusOf(err) != 400 || !strings.Contains(err.Error(), "Atlassian acme: 400 invalidValue: A required value was missing") {
		t.Fatalf("a PATCH of a bare department: %v", err)
	}
	ref.noRefusals(t)
}

func TestDisableAndEnable(t *testing.T) {
	ref := startReferee(t)
	c := ref.client(t, apiKey)
	u, err := c.CreateUser(ctx(), everyone)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	id := string(u.ID)
	if u, err = c.Disable(ctx(), id); err != nil || u.IsActive() {
		t.Fatalf("disable (PATCH active=false): %v, active %v", err, u != nil && u.IsActive())
	}
	mustStored(t, "disable", ref.dir.storedUser(id), "false", "active")
	if u, err = c.Enable(ctx(), id); err != nil || !u.IsActive() {
		t.Fatalf("enable (PATCH active=true): %v", err)
	}
	s := ref.dir.storedUser(id)
	mustStored(t, "enable", s, "true", "active")
	mustStored(t, "enable", s, "Security", enterpriseURN, "department") // nothing else changed
	if _, err := c.Disable(ctx(), "u999"); !httpx.IsNotFound(err) {
		t.Fatalf("disable an unknown user: %v", err)
	}
	ref.noRefusals(t)
}

func TestGroups(t *testing.T) {
	ref := startReferee(t)
	c := ref.client(t, apiKey)
	u, err := c.CreateUser(ctx(), everyone)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	gid := ref.seedGroup(t, "soc-analysts", string(u.ID))
	ref.seedGroup(t, "finance")

	p, err := c.Groups(ctx(), 1, 1)
	if err != nil || p.Total != 2 || len(p.Items) != 1 || p.Next() != 2 {
		t.Fatalf("list groups: %v, total %d, %d items, next %d", err, p.Total, len(p.Items), p.Next())
	}
	g, found, err := c.FindGroup(ctx(), "SOC-Analysts")
	if err != nil || !found || string(g.ID) != gid {
		t.Fatalf("find group (filter displayName eq): found %v, %v, %+v", found, err, g)
	}
	if _, found, err := c.FindGroup(ctx(), "nobody"); err != nil || found {
		t.Fatalf("find an absent group: found %v, %v", found, err)
	}
	g, err = c.Group(ctx(), gid)
	if err != nil || g.DisplayName != "soc-analysts" || len(g.Members) != 1 || string(g.Members[0].Value) != string(u.ID) {
		t.Fatalf("get group: %v %+v", err, g)
	}
	u, err = c.User(ctx(), string(u.ID))
	if err != nil || len(u.Groups) != 1 || u.Groups[0].Display != "soc-analysts" {
		t.Fatalf("get user with its groups: %v %+v", err, u)
	}
	ref.noRefusals(t)
}
