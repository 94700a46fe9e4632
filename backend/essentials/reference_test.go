package essentials_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
)

// wire records each request whole, headers included.
type wire struct {
	mu   sync.Mutex
	reqs []wireReq
}

type wireReq struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

func (w *wire) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	w.reqs = append(w.reqs, wireReq{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(b), r.Header.Clone()})
	w.mu.Unlock()
	rw.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/orgs/acme.example/users":
		rw.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodPut || r.Method == http.MethodDelete:
		rw.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/api/v1/orgs/acme.example":
		io.WriteString(rw, `{"primary_domain":"acme.example","name":"Acme","eid":1}`)
	case r.URL.Path == "/api/v1/orgs/acme.example/users":
		io.WriteString(rw, `{"users":[{"uid":1,"primary_email":"bob@acme.example","firstname":"Bob","surname":"B","type":"end_user","is_active":true}]}`)
	case r.URL.Path == "/api/v1/orgs/acme.example/users/bob@acme.example":
		io.WriteString(rw, `{"uid":1,"primary_email":"bob@acme.example","firstname":"Bob","surname":"B","type":"end_user","is_active":true,"white_list_senders":[],"black_list_senders":[]}`)
	default:
		io.WriteString(rw, `{"allow_list":[],"block_list":["x.example"]}`)
	}
}

// TestRequestsMatchThePublicScripts compares each request triage makes with
// what the public Essentials clients send for the same operation: the curl
// scripts of codieg0/proofpoint-essentials-api and the krzydoug/Proofpoint
// PowerShell module. Every request carries X-User and X-Password (not
// Basic). Paths and bodies are also in the documented tests; this adds the
// headers and each script's form.
func TestRequestsMatchThePublicScripts(t *testing.T) {
	rec := &wire{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := essentials.New(config.Essentials{Name: "acme", BaseURL: srv.URL, Domain: "acme.example", Username: "admin@acme.example", Password: "pw"}, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { return c.Check(ctx()) },
		func() error { _, err := c.Users(ctx()); return err },
		func() error { _, err := c.User(ctx(), "bob@acme.example"); return err },
		func() error {
			return c.CreateUser(ctx(), essentials.NewUser{Email: "ann@acme.example", First: "Ann", Last: "A"})
		},
		func() error { return c.Disable(ctx(), "bob@acme.example") },
		func() error { return c.DeleteUser(ctx(), "bob@acme.example") },
		func() error { _, err := c.SenderLists(ctx(), ""); return err },
		func() error { return c.AddSenders(ctx(), "", essentials.Block, "bad.example") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	auth := map[string]string{"X-User": "admin@acme.example", "X-Password": "pw", "Authorization": ""}
	want := []struct {
		ref                 string
		method, path, body  string
		contentTypeWithBody bool
	}{
		// KRZ Get-ProofPointOrganization: GET orgs/{domain} (triage's check).
		{"krzydoug Public/Get-ProofPointOrganization.ps1", "GET", "/api/v1/orgs/acme.example", "", false},
		// CDG get_users.sh: curl -X GET -H X-User -H X-Password .../orgs/$domain/users.
		{"codieg0 get_users.sh", "GET", "/api/v1/orgs/acme.example/users", "", false},
		// CDG get_personal-sender-list.sh: GET .../orgs/$domain/users/$email.
		{"codieg0 get_personal-sender-list.sh", "GET", "/api/v1/orgs/acme.example/users/bob@acme.example", "", false},
		// KRZ New-ProofPointUser: POST orgs/{domain}/users/ with the user as
		// JSON (201). KRZ ends the path with "/"; triage does not, as the
		// vendor's guide writes .../orgs/mycompany.com/users.
		{"krzydoug Public/New-ProofPointUser.ps1", "POST", "/api/v1/orgs/acme.example/users",
			`{"firstname":"Ann","is_active":true,"primary_email":"ann@acme.example","send_welcome_email":false,"surname":"A","type":"end_user"}`, true},
		// CDG not_billable.sh: GET the user, edit one field with jq, PUT the
		// whole JSON back with Content-Type: application/json (KRZ
		// Set-ProofPointUser likewise; 204).
		{"codieg0 not_billable.sh (the read)", "GET", "/api/v1/orgs/acme.example/users/bob@acme.example", "", false},
		{"krzydoug Public/Set-ProofPointUser.ps1", "PUT", "/api/v1/orgs/acme.example/users/bob@acme.example",
			`{"black_list_senders":[],"firstname":"Bob","is_active":false,"primary_email":"bob@acme.example","surname":"B","type":"end_user","uid":1,"white_list_senders":[]}`, true},
		// KRZ Remove-ProofPointUser: DELETE orgs/{domain}/users/{email}
		// (204). KRZ also sends {"primary_email":...} as a body; the path
		// names the user, so triage sends none.
		{"krzydoug Public/Remove-ProofPointUser.ps1", "DELETE", "/api/v1/orgs/acme.example/users/bob@acme.example", "", false},
		// CDG get_sender-list.sh: GET .../orgs/$domain/sender-lists.
		{"codieg0 get_sender-list.sh", "GET", "/api/v1/orgs/acme.example/sender-lists", "", false},
		// No public script writes a sender list; the vendor's spec, as
		// MSPbotsAI/proofpoint-mcp essentials_sender_lists.py
		// (post_sender_lists) carries it: POST /orgs/{domain}/sender-lists
		// with at least one list.
		{"MSPbotsAI essentials_sender_lists.py post_sender_lists", "POST", "/api/v1/orgs/acme.example/sender-lists", `{"block_list":["bad.example"]}`, true},
	}
	if len(rec.reqs) != len(want) {
		t.Fatalf("%d requests, want %d: %+v", len(rec.reqs), len(want), rec.reqs)
	}
	for i, w := range want {
		r := rec.reqs[i]
		if r.Method != w.method || r.Path != w.path || r.Query != "" || r.Body != w.body {
			t.Errorf("%s: sent %s %s?%s %s\n want %s %s %s", w.ref, r.Method, r.Path, r.Query, r.Body, w.method, w.path, w.body)
		}
		for k, v := range auth {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", w.ref, k, got, v)
			}
		}
		// Content-Type only with a body (captivatortechnologies/veltrix-apps
		// proofpoint.ts sends it only then; the curl scripts send none on reads).
		if ct := r.Header.Get("Content-Type"); (ct == "application/json") != w.contentTypeWithBody {
			t.Errorf("%s: Content-Type %q", w.ref, ct)
		}
	}
}
