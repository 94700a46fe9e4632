package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

func TestPersonIndexFindsEveryPersonFromTheirEmail(t *testing.T) {
	const n = 5000 // several rounds of names
	for i := 0; i < n; i++ {
		got, ok := PersonIndex(strings.ToUpper(PersonAt(i).Email), n)
		if !ok || got != i {
			t.Fatalf("person %d (%s): got %d %v", i, PersonAt(i).Email, got, ok)
		}
	}
	for _, email := range []string{"nobody@acme.example", "li.chen@other.example", "li.chen1@acme.example", "li@acme.example", "", "x"} {
		if _, ok := PersonIndex(email, n); ok {
			t.Errorf("%q found", email)
		}
	}
	if _, ok := PersonIndex(PersonAt(n).Email, n); ok {
		t.Error("a person beyond n found")
	}
}

// call makes a request to a simulator with headers and returns the status
// and the decoded body.
func call(t *testing.T, method, url, body string, h map[string]string) (int, map[string]any, []any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var obj map[string]any
	var list []any
	if json.Unmarshal(b, &obj) != nil {
		json.Unmarshal(b, &list)
	}
	return res.StatusCode, obj, list
}

func TestAtlassianSpeaksSCIM(t *testing.T) {
	s, err := Start(pin(Options{Rows: 120}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := s.Atlassian.URL + "/scim/directory/" + AtlassianDirectoryID
	auth := map[string]string{"Authorization": "Bearer " + AtlassianSCIMKey}
	st, m, _ := call(t, "GET", base+"/Users?startIndex=11&count=5", "", auth)
	if st != 200 || m["startIndex"] != 11.0 || m["itemsPerPage"] != 5.0 || len(m["Resources"].([]any)) != 5 || m["schemas"].([]any)[0] != scimListSchema {
		t.Fatalf("list page: %d %v", st, m)
	}
	st, m, _ = call(t, "GET", base+`/Users?filter=emails+eq+"li.chen@acme.example"`, "", auth)
	if st != 400 || m["status"] != "400" || m["scimType"] != "invalidFilter" || m["schemas"].([]any)[0] != scimErrorSchema {
		t.Fatalf("emails filter: %d %v", st, m)
	}
	st, m, _ = call(t, "GET", base+"/Users", "", map[string]string{"Authorization": "Bearer nope"})
	if st != 401 || m["status"] != "401" {
		t.Fatalf("bad key: %d %v", st, m)
	}
	st, m, _ = call(t, "GET", s.Atlassian.URL+"/scim/directory/other/Users", "", auth)
	if st != 404 || m["status"] != "404" {
		t.Fatalf("another directory: %d %v", st, m)
	}
	// PATCH without the PatchOp schema is refused; a path-less replace works.
	id := scimUserID(0, 0)
	st, m, _ = call(t, "PATCH", base+"/Users/"+id, `{"Operations":[{"op":"replace","path":"active","value":false}]}`, auth)
	if st != 400 || m["scimType"] != "invalidSyntax" {
		t.Fatalf("PATCH without schemas: %d %v", st, m)
	}
	st, m, _ = call(t, "PATCH", base+"/Users/"+id, `{"schemas":["`+scimPatchSchema+`"],"operations":[{"op":"Replace","value":{"active":"False","title":"Lead"}}]}`, auth)
	if st != 200 || m["active"] != false || m["title"] != "Lead" || m["displayName"] != "Li Chen" {
		t.Fatalf("path-less PATCH: %d %v", st, m)
	}
	// Department is the enterprise extension's: a bare path is not a User
	// attribute (400 invalidPath, as a strict SCIM server answers), the
	// extension's path is, and it is answered inside the extension.
	st, m, _ = call(t, "PATCH", base+"/Users/"+id, `{"schemas":["`+scimPatchSchema+`"],"Operations":[{"op":"replace","path":"department","value":"Security"}]}`, auth)
	if st != 400 || m["scimType"] != "invalidPath" {
		t.Fatalf("PATCH department: %d %v", st, m)
	}
	st, m, _ = call(t, "PATCH", base+"/Users/"+id, `{"schemas":["`+scimPatchSchema+`"],"Operations":[{"op":"replace","path":"`+scimEnterpriseSchema+`:department","value":"Security"}]}`, auth)
	if ext, _ := m[scimEnterpriseSchema].(map[string]any); st != 200 || ext["department"] != "Security" || m["department"] != nil {
		t.Fatalf("PATCH the extension's department: %d %v", st, m)
	}
	// A top-level department on create is dropped, as a strict server does.
	st, m, _ = call(t, "POST", base+"/Users", `{"schemas":["`+scimUserSchema+`"],"userName":"d@acme.example","emails":[{"value":"d@acme.example","primary":true}],"department":"Security"}`, auth)
	if st != 201 || m["department"] != nil || m[scimEnterpriseSchema] != nil {
		t.Fatalf("create with a top-level department: %d %v", st, m)
	}
	// PUT clears what it leaves out.
	st, m, _ = call(t, "PUT", base+"/Users/"+id, `{"userName":"li.chen@acme.example","emails":[{"value":"li.chen@acme.example","primary":true}]}`, auth)
	if st != 200 || m["active"] != true || m["title"] != nil || m["displayName"] != "" {
		t.Fatalf("PUT: %d %v", st, m)
	}
	st, _, _ = call(t, "DELETE", base+"/Users/"+id, "", auth)
	if st != 204 {
		t.Fatalf("DELETE: %d", st)
	}
	if st, _, _ = call(t, "GET", base+"/Users/"+id, "", auth); st != 404 {
		t.Fatalf("deleted user: %d", st)
	}
}

func TestEssentialsHeaderAuthAndContentType(t *testing.T) {
	s, err := Start(pin(Options{Rows: 120}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := s.Essentials.URL + "/api/v1"
	auth := map[string]string{"X-User": EssentialsUser, "X-Password": EssentialsPassword}
	if st, m, _ := call(t, "GET", base+"/orgs/"+Domain, "", map[string]string{"X-User": EssentialsUser, "X-Password": "x"}); st != 401 || m["message"] == nil {
		t.Fatalf("wrong password: %d %v", st, m)
	}
	if st, _, _ := call(t, "GET", base+"/me", "", map[string]string{"Authorization": "Basic " + EssentialsPassword}); st != 401 {
		t.Fatalf("HTTP Basic is not the API's auth: %d", st)
	}
	withType := map[string]string{"X-User": EssentialsUser, "X-Password": EssentialsPassword, "Content-Type": "application/json"}
	if st, m, _ := call(t, "GET", base+"/orgs/"+Domain+"/users", "", withType); st != 400 || !strings.Contains(m["message"].(string), "without a body") {
		t.Fatalf("Content-Type on a GET: %d %v", st, m)
	}
	if st, m, _ := call(t, "GET", base+"/orgs/"+Domain+"/users", "", auth); st != 200 || len(m["users"].([]any)) == 0 {
		t.Fatalf("users: %d", st)
	}
	if st, _, _ := call(t, "GET", base+"/orgs/"+Domain+"/users/"+PersonAt(9).Email, "", auth); st != 404 {
		t.Fatalf("person 9 is not in Essentials: %d", st)
	}
	st, m, _ := call(t, "POST", base+"/orgs/"+Domain+"/sender-lists", `{"block_list":["a b"]}`, withType)
	if errs, _ := m["errors"].([]any); st != 400 || len(errs) != 1 {
		t.Fatalf("bad sender: %d %v", st, m)
	}
	if st, _, _ := call(t, "PUT", base+"/orgs/"+Domain+"/users/li.chen@acme.example", `{"primary_email":"li.chen@acme.example","firstname":"Li","surname":"Chen","is_active":false}`,
		map[string]string{"X-User": EssentialsAuditor, "X-Password": EssentialsPassword, "Content-Type": "application/json"}); st != 403 {
		t.Fatalf("auditor PUT: %d", st)
	}
}

func TestDirectoriesAtAHundredThousandPeopleAreCheap(t *testing.T) {
	if testing.Short() {
		t.Skip("serves 100,000 people")
	}
	o := anchored(Options{Rows: 100_000})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	a, err := newAtlassian(o)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	e, err := newEssentials(o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if held := int64(after.HeapAlloc) - int64(before.HeapAlloc); held > 1<<20 {
		t.Fatalf("two directories of 100,000 people hold %d bytes", held)
	}
	auth := map[string]string{"Authorization": "Bearer " + AtlassianSCIMKey}
	last := PersonAt(99_999).Email
	st, m, _ := call(t, "GET", a.URL+"/scim/directory/"+AtlassianDirectoryID+`/Users?filter=userName+eq+"`+last+`"`, "", auth)
	if st != 200 || m["totalResults"] != 1.0 {
		t.Fatalf("the last person: %d %v", st, m)
	}
	st, m, _ = call(t, "GET", a.URL+"/scim/directory/"+AtlassianDirectoryID+"/Users?startIndex=80000&count=1000", "", auth)
	if st != 200 || len(m["Resources"].([]any)) != 1000 || m["totalResults"].(float64) < 90_000 || m["startIndex"] != 80000.0 {
		t.Fatalf("a late page: %d", st)
	}
}
