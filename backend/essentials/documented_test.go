package essentials_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/identity"
)

// recorder is a stand-in Essentials stack that records every request and
// answers from a script, to check the client speaks the documented API
// exactly, independent of our simulator.
type recorder struct {
	mu     sync.Mutex
	reqs   []recorded
	answer func(r *http.Request) (status int, body string)
}

type recorded struct {
	Method, Path, Query, User, Password, Auth, ContentType, Body string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("X-User"), r.Header.Get("X-Password"),
		r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)})
	rec.mu.Unlock()
	status, body := rec.answer(r)
	if body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (rec *recorder) requests() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.reqs...)
}

func ctx() context.Context {
	return identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder"})
}

func newClient(t *testing.T, answer func(r *http.Request) (int, string)) (*essentials.Client, *recorder, *audit.Memory) {
	t.Helper()
	rec := &recorder{answer: answer}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	mem := &audit.Memory{}
	c, err := essentials.New(config.Essentials{Name: "acme", BaseURL: srv.URL, Domain: "acme.com", Username: "admin@acme.com", Password: "pp-secret"},
		httpx.Options{Audit: mem, Retry: httpx.Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec, mem
}

// cdgUser is a user as current stacks return it (codieg0's scripts read
// these fields): white_list_senders / black_list_senders.
const cdgUser = `{"uid":10234,"primary_email":"li.chen@acme.com","firstname":"Li","surname":"Chen","type":"end_user",
"is_active":true,"is_billable":true,"alias_emails":["lchen@acme.com"],
"white_list_senders":["partner.example"],"black_list_senders":["spam@bulk.example"],
"odin_settings":{"can_impersonate":false,"is_imitable":true},"read_only_user":false,"custom_field":{"kept":true}}`

// specUser is the specification's example spelling (KRZ, the Swagger
// example kept in PSP's history): safe_list_senders / block_list_senders.
const specUser = `{"uid":"77","primary_email":"omar.haddad@acme.com","firstname":"Omar","surname":"Haddad","type":"organization_admin",
"is_active":"false","safe_list_senders":["good@partner.example"],"block_list_senders":["evil.example","SPAM@bulk.example"]}`

func TestRequestsAreExactlyAsDocumented(t *testing.T) {
	c, rec, mem := newClient(t, func(r *http.Request) (int, string) {
		switch {
		case r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/sender-lists"):
			return 200, `{"allow_list":["partner.example"],"block_list":["evil.example","spam@bulk.example"]}`
		case r.Method == "GET" && r.URL.Path == "/api/v1/orgs/acme.com":
			return 200, `{"primary_domain":"acme.com","name":"Acme","eid":4242}`
		case r.Method == "GET" && r.URL.Path == "/api/v1/orgs/acme.com/users":
			return 200, `{"users":[` + cdgUser + `]}`
		case r.Method == "GET":
			return 200, cdgUser
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/users"):
			return 201, ""
		case r.Method == "PUT", r.Method == "DELETE":
			return 204, ""
		}
		return 200, `{}`
	})
	if err := c.Check(ctx()); err != nil {
		t.Fatal(err)
	}
	users, err := c.Users(ctx())
	if err != nil || len(users) != 1 {
		t.Fatalf("users: %v %v", users, err)
	}
	if err := c.Disable(ctx(), "li.chen@acme.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateUser(ctx(), essentials.NewUser{Email: "new.hire@acme.com", First: "New", Last: "Hire"}); err != nil {
		t.Fatal(err)
	}
	c.CreateUsers(ctx(), []essentials.NewUser{{Email: "a@acme.com", First: "A", Last: "One"}, {Email: "b@acme.com", First: "B", Last: "Two"}})
	c.DeleteUser(ctx(), "gone@acme.com")
	c.AddSenders(ctx(), "", essentials.Block, "phish@evil.example")
	c.AddSenders(ctx(), "li.chen@acme.com", essentials.Allow, "partner.example")
	c.RemoveSenders(ctx(), "", essentials.Block, "SPAM@bulk.example")
	c.User(ctx(), "../../me")

	want := []recorded{
		{Method: "GET", Path: "/api/v1/orgs/acme.com"},
		{Method: "GET", Path: "/api/v1/orgs/acme.com/users"},
		{Method: "GET", Path: "/api/v1/orgs/acme.com/users/li.chen@acme.com"},
		{Method: "PUT", Path: "/api/v1/orgs/acme.com/users/li.chen@acme.com"}, // body checked below
		{Method: "POST", Path: "/api/v1/orgs/acme.com/users", Body: `{"firstname":"New","is_active":true,"primary_email":"new.hire@acme.com","send_welcome_email":false,"surname":"Hire","type":"end_user"}`},
		{Method: "POST", Path: "/api/v1/orgs/acme.com/users", Body: `[{"firstname":"A","is_active":true,"primary_email":"a@acme.com","send_welcome_email":false,"surname":"One","type":"end_user"},{"firstname":"B","is_active":true,"primary_email":"b@acme.com","send_welcome_email":false,"surname":"Two","type":"end_user"}]`},
		{Method: "DELETE", Path: "/api/v1/orgs/acme.com/users/gone@acme.com"},
		{Method: "POST", Path: "/api/v1/orgs/acme.com/sender-lists", Body: `{"block_list":["phish@evil.example"]}`},
		{Method: "POST", Path: "/api/v1/orgs/acme.com/users/li.chen@acme.com/sender-lists", Body: `{"allow_list":["partner.example"]}`},
		{Method: "GET", Path: "/api/v1/orgs/acme.com/sender-lists"},
		{Method: "PATCH", Path: "/api/v1/orgs/acme.com/sender-lists", Body: `{"block_list":["evil.example"]}`},
		{Method: "GET", Path: "/api/v1/orgs/acme.com/users/..%2F..%2Fme"},
	}
	got := rec.requests()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.Method || g.Path != w.Path || g.Query != "" || (w.Body != "" && g.Body != w.Body) {
			t.Errorf("request %d:\n got %s %s %s\nwant %s %s %s", i, g.Method, g.Path, g.Body, w.Method, w.Path, w.Body)
		}
		if g.User != "admin@acme.com" || g.Password != "pp-secret" || g.Auth != "" {
			t.Errorf("request %d: X-User %q X-Password %q Authorization %q", i, g.User, g.Password, g.Auth)
		}
		// Content-Type only with a body: some stacks refuse it on a GET.
		if (g.Body != "") != (g.ContentType == "application/json") {
			t.Errorf("request %d (%s %s): Content-Type %q with body %q", i, g.Method, g.Path, g.ContentType, g.Body)
		}
	}
	// The PUT is the whole user as read, is_active changed, every other
	// field (the vendor's own included) sent back unchanged.
	var put, orig map[string]any
	json.Unmarshal([]byte(got[3].Body), &put)
	json.Unmarshal([]byte(cdgUser), &orig)
	orig["is_active"] = false
	a, _ := json.Marshal(put)
	b, _ := json.Marshal(orig)
	if string(a) != string(b) {
		t.Fatalf("PUT body\n got %s\nwant %s", a, b)
	}
	es := mem.Entries()
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action+" "+e.Target)
	}
	wantActions := "essentials.disable_user li.chen@acme.com,essentials.create_user new.hire@acme.com,essentials.create_users acme.com," +
		"essentials.delete_user gone@acme.com,essentials.block_sender acme.com,essentials.allow_sender li.chen@acme.com,essentials.unblock_sender acme.com"
	if strings.Join(actions, ",") != wantActions || es[0].Params["is_active"] != false {
		t.Fatalf("audit:\n got %s\nwant %s", strings.Join(actions, ","), wantActions)
	}
}

func TestUserShapesAndBothSenderSpellingsDecode(t *testing.T) {
	for name, body := range map[string]string{
		"wrapped":     `{"users":[` + cdgUser + `,` + specUser + `]}`,
		"bare array":  `[` + cdgUser + `,` + specUser + `]`,
		"odd element": `{"users":[` + cdgUser + `,"not a user",` + specUser + `]}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _, _ := newClient(t, func(*http.Request) (int, string) { return 200, body })
			us, err := c.Users(ctx())
			if err != nil || len(us) != 2 {
				t.Fatalf("users: %v %d", err, len(us))
			}
			li, omar := us[0], us[1]
			if !li.Active() || li.Name() != "Li Chen" || li.UID != 10234 || strings.Join(li.Allowed(), ",") != "partner.example" ||
				strings.Join(li.Blocked(), ",") != "spam@bulk.example" || len(li.AliasEmails) != 1 {
				t.Fatalf("current spelling: %+v", li)
			}
			if omar.Active() || omar.UID != 77 || strings.Join(omar.Allowed(), ",") != "good@partner.example" ||
				strings.Join(omar.Blocked(), ",") != "evil.example,SPAM@bulk.example" || omar.Type != "organization_admin" {
				t.Fatalf("specification spelling: active=%v %+v", omar.Active(), omar)
			}
		})
	}
	c, _, _ := newClient(t, func(*http.Request) (int, string) { return 200, `{"primary_email":"old@acme.com","isactive":0}` })
	u, err := c.User(ctx(), "old@acme.com")
	if err != nil || u.Active() || len(u.Raw) == 0 {
		t.Fatalf("legacy isactive: %v %+v", err, u)
	}
}

func TestSenderListsDecode(t *testing.T) {
	c, _, _ := newClient(t, func(r *http.Request) (int, string) {
		if strings.Contains(r.URL.Path, "/users/") {
			return 200, ``
		}
		return 200, `{"allow_list":["partner.example",""],"block_list":["evil.example","Evil.Example"]}`
	})
	s, err := c.SenderLists(ctx(), "")
	if err != nil || strings.Join(s.Allow, ",") != "partner.example" || strings.Join(s.Block, ",") != "evil.example" || !s.Has(essentials.Block, "EVIL.example") {
		t.Fatalf("org lists: %v %+v", err, s)
	}
	s, err = c.SenderLists(ctx(), "li.chen@acme.com")
	if err != nil || len(s.Allow)+len(s.Block) != 0 {
		t.Fatalf("an empty answer is two empty lists: %v %+v", err, s)
	}
}

func TestErrorsAreOneClearLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"wrong password", 401, `{"message":"Authentication failed"}`, "Essentials acme: 401: Authentication failed"},
		{"read-only admin", 403, `{"message":"The admin is read-only"}`, "Essentials acme: 403: The admin is read-only"},
		{"errors list", 400, `{"errors":[{"status":400,"error_message":"firstname is required","identifier":"x@acme.com"}]}`, "Essentials acme: 400: firstname is required"},
		{"HTML error page", 503, `<html><title>Service Unavailable</title></html>`, "Essentials acme: 503: HTML page: Service Unavailable"},
		{"empty 500", 500, ``, "Essentials acme: 500 Internal Server Error"},
		{"truncated JSON", 200, `{"uid":1,"primary_email":"li`, "Essentials acme: 200: malformed JSON"},
		{"empty body", 200, ``, "Essentials acme: 200: empty response where data was expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newClient(t, func(*http.Request) (int, string) { return tc.status, tc.body })
			_, err := c.User(ctx(), "li.chen@acme.com")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "pp-secret") {
				t.Fatalf("error %v\nwant it to start %q", err, tc.want)
			}
		})
	}
}

func TestNotFoundUnknownOrgAndDuplicates(t *testing.T) {
	c, _, _ := newClient(t, func(r *http.Request) (int, string) {
		switch {
		case r.Method == "POST":
			return 409, `{"message":"User new@acme.com already exists"}`
		case r.URL.Path == "/api/v1/orgs/acme.com":
			return 404, `{"message":"Organization not found"}`
		}
		return 404, `{"message":"User not found"}`
	})
	if _, found, err := c.FindUser(ctx(), "nobody@acme.com"); found || err != nil {
		t.Fatalf("a 404 user is absent, not an error: %v %v", found, err)
	}
	if err := c.Check(ctx()); err == nil || !strings.Contains(err.Error(), "organisation acme.com is not on this Essentials stack") || !httpx.IsNotFound(err) {
		t.Fatalf("unknown org: %v", err)
	}
	err := c.CreateUser(ctx(), essentials.NewUser{Email: "new@acme.com", First: "N", Last: "U"})
	if !essentials.IsExists(err) || !strings.HasPrefix(err.Error(), "new@acme.com already exists in the organisation: Essentials acme: 409") {
		t.Fatalf("duplicate: %v", err)
	}
	if err := c.Disable(ctx(), "nobody@acme.com"); !httpx.IsNotFound(err) {
		t.Fatalf("disable of an absent user: %v", err)
	}
}
