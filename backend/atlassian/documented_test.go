package atlassian_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"triage/backend/atlassian"
	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
)

// recorder is a stand-in Atlassian directory that records every request
// and answers from a script, to check the client speaks the documented API
// exactly, independent of our simulator.
type recorder struct {
	mu     sync.Mutex
	reqs   []recorded
	answer func(r *http.Request) (status int, body string)
}

type recorded struct {
	Method, Path, Query, Auth, Accept, ContentType, Body string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"),
		r.Header.Get("Accept"), r.Header.Get("Content-Type"), string(b)})
	rec.mu.Unlock()
	status, body := rec.answer(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (rec *recorder) requests() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.reqs...)
}

const dirID = "315e79ae-404a-4061-8a88-df91c8c7db34"

func ctx() context.Context {
	return identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder"})
}

// newClient is a client of a stand-in server answering with answer.
func newClient(t *testing.T, answer func(r *http.Request) (int, string)) (*atlassian.Client, *recorder, *audit.Memory) {
	t.Helper()
	rec := &recorder{answer: answer}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	mem := &audit.Memory{}
	c, err := atlassian.New(config.Atlassian{Name: "acme", BaseURL: srv.URL, DirectoryID: dirID, Token: "scim-key-1"},
		httpx.Options{Audit: mem, Retry: httpx.Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec, mem
}

// vendorUser is a user as Atlassian returns it (the XSOAR Atlassian IAM
// README's captured answer): the atlassian-external 1.0 and enterprise 2.0
// extensions, primary as a boolean, groups empty.
const vendorUser = `{"active": true,
 "emails": [{"primary": true, "type": "work", "value": "testatlas@paloaltonetworks.com"}],
 "groups": [],
 "id": "247b915a-9d6c-4cd5-b5a5-071b1b3abc2e",
 "meta": {"created": "2021-02-16T15:05:41.185473Z", "lastModified": "2021-02-16T15:05:41.185473Z",
   "location": "https://api.atlassian.com/scim/directory/315e79ae-404a-4061-8a88-df91c8c7db34/Users/247b915a-9d6c-4cd5-b5a5-071b1b3abc2e",
   "resourceType": "User"},
 "schemas": ["urn:scim:schemas:extension:atlassian-external:1.0", "urn:ietf:params:scim:schemas:core:2.0:User",
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
 "urn:scim:schemas:extension:atlassian-external:1.0": {"atlassianAccountId": "602bdf457b23f40068547c25"},
 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Security", "organization": "PANW"},
 "title": "Team Lead",
 "userName": "testatlas@paloaltonetworks.com"}`

// vendorUserNoActive is the README's get-user answer, which leaves active
// out (SCIM reads that as true).
const vendorUserNoActive = `{"emails": [{"primary": true, "type": "work", "value": "test@paloaltonetworks.com"}], "groups": [],
 "id": "550364dd-1c1e-4953-bffc-418fce013c2e", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
 "title": "Team Lead", "userName": "testDemisto"}`

func list(total int, resources ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":` + itoa(total) +
		`,"startIndex":1,"itemsPerPage":` + itoa(len(resources)) + `,"Resources":[` + strings.Join(resources, ",") + `]}`
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRequestsAreExactlyAsDocumented(t *testing.T) {
	c, rec, mem := newClient(t, func(r *http.Request) (int, string) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/scim/directory/"+dirID+"/Users":
			return 200, list(1, strings.ReplaceAll(vendorUser, "testatlas@paloaltonetworks.com", "li.chen@acme.example"))
		case r.Method == "POST":
			return 201, vendorUser
		}
		return 200, vendorUser
	})
	if err := c.Check(ctx()); err != nil {
		t.Fatal(err)
	}
	u, found, err := c.FindUser(ctx(), "li.chen@acme.example")
	if err != nil || !found || u.ID != "247b915a-9d6c-4cd5-b5a5-071b1b3abc2e" {
		t.Fatalf("find: %v %v %+v", found, err, u)
	}
	if _, err := c.Users(ctx(), 101, 100); err != nil {
		t.Fatal(err)
	}
	id := string(u.ID)
	c.Disable(ctx(), id)
	c.Enable(ctx(), id)
	c.UpdateUser(ctx(), id, map[string]string{atlassian.PathTitle: "Lead", atlassian.PathGivenName: "Li"})
	c.CreateUser(ctx(), atlassian.NewUser{UserName: "new.person@acme.example", GivenName: "New", FamilyName: "Person", Title: "Analyst"})
	c.User(ctx(), "../Groups")

	base := "/scim/directory/" + dirID
	want := []recorded{
		{Method: "GET", Path: base + "/Users", Query: "count=1"},
		{Method: "GET", Path: base + "/Users", Query: "filter=" + url.QueryEscape(`userName eq "li.chen@acme.example"`)},
		{Method: "GET", Path: base + "/Users", Query: "count=100&startIndex=101"},
		{Method: "PATCH", Path: base + "/Users/" + id, Body: `{"Operations":[{"op":"replace","path":"active","value":false}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`},
		{Method: "PATCH", Path: base + "/Users/" + id, Body: `{"Operations":[{"op":"replace","path":"active","value":true}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`},
		{Method: "PATCH", Path: base + "/Users/" + id, Body: `{"Operations":[{"op":"replace","path":"name.givenName","value":"Li"},{"op":"replace","path":"title","value":"Lead"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`},
		{Method: "POST", Path: base + "/Users", Body: `{"active":true,"emails":[{"primary":true,"type":"work","value":"new.person@acme.example"}],"name":{"familyName":"Person","givenName":"New"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"title":"Analyst","userName":"new.person@acme.example"}`},
		{Method: "GET", Path: base + "/Users/..%2FGroups"},
	}
	got := rec.requests()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.Method || g.Path != w.Path || g.Query != w.Query || g.Body != w.Body {
			t.Errorf("request %d:\n got %s %s ?%s %s\nwant %s %s ?%s %s", i, g.Method, g.Path, g.Query, g.Body, w.Method, w.Path, w.Query, w.Body)
		}
		if g.Auth != "Bearer scim-key-1" || g.Accept != "application/json" {
			t.Errorf("request %d: auth %q accept %q", i, g.Auth, g.Accept)
		}
		if (g.Body != "") != (g.ContentType == "application/json") {
			t.Errorf("request %d: content type %q with body %q", i, g.ContentType, g.Body)
		}
	}
	es := mem.Entries()
	if len(es) != 4 || es[0].Action != "atlassian.disable_user" || es[0].Target != id || es[0].Vendor != "atlassian" || es[0].Tenant != "acme" ||
		es[1].Action != "atlassian.enable_user" || es[2].Action != "atlassian.update_user" || es[3].Action != "atlassian.create_user" {
		t.Fatalf("audit %+v", es)
	}
}

func TestVendorUserShapesDecode(t *testing.T) {
	answers := map[string]string{"/full": vendorUser, "/bare": vendorUserNoActive,
		"/off": `{"id":"x","userName":"a@b.example","active":"false","emails":[{"value":"other@b.example"},{"value":"a@b.example","primary":"true"}],"name":{"givenName":"Ann","familyName":"Bee"}}`}
	c, _, _ := newClient(t, func(r *http.Request) (int, string) {
		return 200, answers[strings.TrimPrefix(r.URL.Path, "/scim/directory/"+dirID+"/Users")]
	})
	u, err := c.User(ctx(), "full")
	if err != nil {
		t.Fatal(err)
	}
	if !u.IsActive() || u.Email() != "testatlas@paloaltonetworks.com" || u.External.AtlassianAccountID != "602bdf457b23f40068547c25" ||
		u.DepartmentName() != "Security" || u.Enterprise.Organization != "PANW" || u.Title != "Team Lead" ||
		!u.Meta.Created.Equal(u.Meta.LastModified.Time) || u.Meta.Created.Year() != 2021 || len(u.Raw) == 0 {
		t.Fatalf("decoded %+v", u)
	}
	u, _ = c.User(ctx(), "bare")
	if !u.IsActive() || u.Email() != "test@paloaltonetworks.com" || u.UserName != "testDemisto" {
		t.Fatalf("a user without active: %+v", u)
	}
	u, _ = c.User(ctx(), "off")
	if u.IsActive() || u.Email() != "a@b.example" || u.FullName() != "Ann Bee" {
		t.Fatalf("string booleans: active=%v email=%s name=%s", u.IsActive(), u.Email(), u.FullName())
	}
}

func TestListPagingAndLowerCaseResources(t *testing.T) {
	c, _, _ := newClient(t, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("startIndex") == "3" {
			// totalResults left out, resources spelled in lower case
			return 200, `{"startIndex":3,"resources":[` + vendorUserNoActive + `]}`
		}
		return 200, strings.Replace(list(3, vendorUser, vendorUser), `"startIndex":1`, `"startIndex":"1"`, 1)
	})
	p, err := c.Users(ctx(), 1, 2)
	if err != nil || len(p.Items) != 2 || p.Total != 3 || p.Next() != 3 {
		t.Fatalf("page 1: %v items=%d total=%d next=%d", err, len(p.Items), p.Total, p.Next())
	}
	p, err = c.Users(ctx(), p.Next(), 2)
	if err != nil || len(p.Items) != 1 || p.StartIndex != 3 || p.Next() != 0 {
		t.Fatalf("page 2: %v items=%d start=%d next=%d", err, len(p.Items), p.StartIndex, p.Next())
	}
}

func TestErrorsAreOneClearLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"SCIM error with a string status", 400, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"Filtering on emails is not supported"}`,
			"Atlassian acme: 400 invalidFilter: Filtering on emails is not supported"},
		{"bad key", 401, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"Unauthorized"}`, "Atlassian acme: 401: Unauthorized"},
		{"HTML error page", 502, `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`, "Atlassian acme: 502: HTML page: 502 Bad Gateway"},
		{"server error", 500, `{"status":"500","detail":"Internal error, request id 9f2"}`, "Atlassian acme: 500: Internal error, request id 9f2"},
		{"truncated JSON", 200, `{"id":"x","userName":"a@b`, "Atlassian acme: 200: malformed JSON"},
		{"empty body", 200, ``, "Atlassian acme: 200: empty response where data was expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newClient(t, func(*http.Request) (int, string) { return tc.status, tc.body })
			_, err := c.User(ctx(), "x")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v\nwant it to start %q", err, tc.want)
			}
		})
	}
}

func TestNotFoundAndDuplicatesAreSaidPlainly(t *testing.T) {
	c, _, _ := newClient(t, func(r *http.Request) (int, string) {
		switch r.Method {
		case "POST":
			return 409, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"User already exists"}`
		case "GET":
			if r.URL.Query().Get("filter") != "" {
				return 200, list(0)
			}
			return 404, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"User not found"}`
		}
		return 204, ""
	})
	_, found, err := c.FindUser(ctx(), "nobody@acme.example")
	if found || err != nil {
		t.Fatalf("absent user: %v %v", found, err)
	}
	if _, err := c.User(ctx(), "gone"); !httpx.IsNotFound(err) {
		t.Fatalf("404: %v", err)
	}
	_, err = c.CreateUser(ctx(), atlassian.NewUser{UserName: "li.chen@acme.example"})
	if !atlassian.IsExists(err) || !strings.HasPrefix(err.Error(), "li.chen@acme.example already exists in the directory: Atlassian acme: 409 uniqueness: User already exists") {
		t.Fatalf("duplicate: %v", err)
	}
	var he *httpx.Error
	if !errors.As(err, &he) || he.Status != 409 {
		t.Fatalf("the vendor error is not kept: %v", err)
	}
}

func TestEmptyPatchAnswerIsReadBack(t *testing.T) {
	c, rec, _ := newClient(t, func(r *http.Request) (int, string) {
		if r.Method == "PATCH" {
			return 204, ""
		}
		return 200, strings.Replace(vendorUser, `"active": true`, `"active": false`, 1)
	})
	u, err := c.Disable(ctx(), "247b915a")
	if err != nil || u.IsActive() {
		t.Fatalf("disable with a 204: %v %+v", err, u)
	}
	if rq := rec.requests(); len(rq) != 2 || rq[1].Method != "GET" {
		t.Fatalf("requests %+v", rq)
	}
}

func TestReadOnlyAnalystSendsNothing(t *testing.T) {
	c, rec, mem := newClient(t, func(*http.Request) (int, string) { return 200, vendorUser })
	ro := identity.With(context.Background(), identity.Analyst{Name: "bob", Role: "read-only"})
	if _, err := c.Disable(ro, "x"); !errors.Is(err, httpx.ErrReadOnly) {
		t.Fatalf("err %v", err)
	}
	if len(rec.requests()) != 0 || len(mem.Entries()) != 1 || mem.Entries()[0].Outcome != audit.Refused {
		t.Fatalf("requests %d, audit %+v", len(rec.requests()), mem.Entries())
	}
}
