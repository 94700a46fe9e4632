package atlassian_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"triage/backend/atlassian"
)

// Department and organization belong to the enterprise extension (RFC 7643
// section 4.3): create sends them inside it and lists its URI in schemas,
// and a PATCH names them by the extension's path. A bare "department" is
// refused by a strict SCIM server, and dropped silently on create.
func TestEnterpriseAttributesGoThroughTheExtension(t *testing.T) {
	c, rec, _ := newClient(t, func(r *http.Request) (int, string) {
		if r.Method == "POST" {
			return 201, vendorUser
		}
		return 200, vendorUser
	})
	if _, err := c.CreateUser(ctx(), atlassian.NewUser{UserName: "dana@acme.example", Email: "dana@acme.example", GivenName: "Dana",
		FamilyName: "New", Department: "Security", Organization: "Acme Labs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateUser(ctx(), "u1", map[string]string{atlassian.PathDepartment: "Finance", atlassian.PathOrganization: ""}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	var created map[string]any
	if err := json.Unmarshal([]byte(reqs[0].Body), &created); err != nil {
		t.Fatal(err)
	}
	ext, _ := created[atlassian.SchemaEnterprise].(map[string]any)
	schemas, _ := json.Marshal(created["schemas"])
	if ext["department"] != "Security" || ext["organization"] != "Acme Labs" || created["department"] != nil ||
		string(schemas) != `["`+atlassian.SchemaUser+`","`+atlassian.SchemaEnterprise+`"]` {
		t.Fatalf("create sent %s", reqs[0].Body)
	}
	want := `{"Operations":[` +
		`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Finance"},` +
		`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization"}],` +
		`"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`
	if reqs[1].Method != "PATCH" || reqs[1].Body != want {
		t.Fatalf("update sent %s %s\nwant %s", reqs[1].Method, reqs[1].Body, want)
	}
	u, err := c.User(ctx(), "u1")
	if err != nil || u.DepartmentName() != "Security" || u.OrganizationName() != "PANW" {
		t.Fatalf("read back %v %+v", err, u)
	}
}

// A look-up whose answer holds a resource that cannot be read, or only
// other people (a directory that ignored the filter), is an error naming
// the vendor and what was wrong: "not at Atlassian" would not be true.
func TestALookUpNeverSaysAbsentWhenItCannotTell(t *testing.T) {
	other := strings.ReplaceAll(vendorUser, "testatlas@paloaltonetworks.com", "someone.else@acme.example")
	answers := map[string]string{
		"broken":  list(2, `{"id":"u9","userName":["not","a","string"]}`, `"just a string"`),
		"noid":    list(1, `{"userName":"li.chen@acme.example"}`),
		"ignored": list(1, other),
		"absent":  list(0),
		"found":   list(2, other, strings.ReplaceAll(vendorUser, "testatlas@paloaltonetworks.com", "Li.Chen@acme.example")),
	}
	var now string
	c, _, _ := newClient(t, func(r *http.Request) (int, string) { return 200, answers[now] })
	for _, tc := range []struct{ answer, err string }{
		{"broken", "1 of the resources answered for userName li.chen@acme.example could not be read (resource 2: json: cannot unmarshal string"},
		{"noid", "could not be read (resource 1: it has no id)"},
		{"ignored", "none of them li.chen@acme.example: the directory did not apply the filter"},
	} {
		now = tc.answer
		u, found, err := c.FindUser(ctx(), "li.chen@acme.example")
		if err == nil || found || u != nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "Atlassian acme: 200: ") {
			t.Fatalf("%s: found %v, err %v", tc.answer, found, err)
		}
	}
	now = "absent"
	if _, found, err := c.FindUser(ctx(), "li.chen@acme.example"); err != nil || found {
		t.Fatalf("absent: %v %v", found, err)
	}
	now = "found"
	if u, found, err := c.FindUser(ctx(), "li.chen@acme.example"); err != nil || !found || u.Email() != "Li.Chen@acme.example" {
		t.Fatalf("found: %v %v %+v", found, err, u)
	}
	// A list page counts what it could not read, and pages on past it.
	now = "broken"
	p, err := c.Users(ctx(), 1, 2)
	if err != nil || len(p.Items) != 1 || p.Unreadable != 1 || p.Next() != 0 || !strings.HasPrefix(p.Problem, "resource 2: ") {
		t.Fatalf("page %v %+v", err, p)
	}
}
