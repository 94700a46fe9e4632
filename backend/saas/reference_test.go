package saas_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/saas"
)

// wire records each request whole: what reference_test compares with the
// reference integration, header by header.
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
	case r.URL.Path == "/oauth/token":
		io.WriteString(rw, `{"access_token":"T1","expires_in":7200,"token_type":"bearer"}`)
	case r.URL.Path == "/incident/api/apps":
		io.WriteString(rw, `[]`)
	case r.Method == http.MethodGet && r.URL.Path == "/remediation/api/assets":
		io.WriteString(rw, `{"asset_id":"a1","remediation_type":"system_quarantine","status":"pending"}`)
	case r.URL.Path == "/incident/api/incidents/delta":
		io.WriteString(rw, `{"resources":[],"nextPath":""}`)
	default:
		io.WriteString(rw, `{"incident_id":"7","state":"closed","category":"misidentified"}`)
	}
}

// TestRequestsMatchTheXSOARIntegration compares each request triage makes
// with the one demisto/content
// Packs/PrismaSaasSecurity/Integrations/SaasSecurity/SaasSecurity.py makes for
// the same operation: method, path, query, body and headers. Paths, queries
// and bodies of the feed are also in TestRequestsAreExactlyAsDocumented; this
// adds the headers and the token request's form.
func TestRequestsMatchTheXSOARIntegration(t *testing.T) {
	rec := &wire{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := saas.New(config.SaaS{Name: "us", BaseURL: srv.URL, ClientID: "cid", ClientSecret: "csecret", Scopes: config.DefaultSaaSScopes}, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		call func() error
	}{
		{"incidents", func() error { _, err := c.Incidents(ctx(), saas.Query{Limit: 50, State: "open"}); return err }},
		{"incident", func() error { _, err := c.Incident(ctx(), "7"); return err }},
		{"close", func() error { _, err := c.Close(ctx(), "7", saas.Misidentified); return err }},
		{"apps", func() error { _, err := c.Apps(ctx()); return err }},
		{"remediate", func() error {
			return c.Remediate(ctx(), saas.RemediationRequest{AssetID: "a1", Type: saas.RemovePublicSharing, RemoveInherited: true})
		}},
		{"remediation status", func() error { _, err := c.RemediationStatus(ctx(), "a1", saas.Quarantine); return err }},
	}
	for _, op := range ops {
		if err := op.call(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("cid:csecret"))
	want := []struct {
		ref                       string // the reference's function
		method, path, query, body string
		header                    map[string]string // "" = must be absent
	}{
		// Client.get_token_request: POST /oauth/token with Basic client
		// credentials, accept: application/json and the form Content-Type
		// with charset=ISO-8859-1. XSOAR puts grant_type and scope in the
		// query with no body; triage sends them as the form body RFC 6749
		// §4.4 defines, so nothing of the grant is in a URL or a proxy log.
		{"get_token_request", "POST", "/oauth/token", "", "grant_type=client_credentials&scope=api_access+incident_api+remediation_api",
			map[string]string{"Authorization": basic, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}},
		// Client.get_incidents: GET /incident/api/incidents/delta?limit=&state=.
		{"get_incidents", "GET", "/incident/api/incidents/delta", "limit=50&state=open", "",
			map[string]string{"Authorization": "Bearer T1", "Accept": "application/json"}},
		// Client.get_incident_by_id.
		{"get_incident_by_id", "GET", "/incident/api/incidents/7", "", "",
			map[string]string{"Authorization": "Bearer T1", "Accept": "application/json"}},
		// Client.update_incident_state: {"state":"closed","category":...}.
		{"update_incident_state", "POST", "/incident/api/incidents/7/state", "", `{"category":"misidentified","state":"closed"}`,
			map[string]string{"Authorization": "Bearer T1", "Content-Type": "application/json"}},
		// Client.get_apps.
		{"get_apps", "GET", "/incident/api/apps", "", "",
			map[string]string{"Authorization": "Bearer T1", "Accept": "application/json"}},
		// Client.remediate_asset: assign_params(remediation_type,
		// remove_inherited_sharing, asset_id), the flag only for
		// remove_public_sharing (remediate_asset_command).
		{"remediate_asset", "POST", "/remediation/api/assets", "", `{"asset_id":"a1","remediation_type":"remove_public_sharing","remove_inherited_sharing":true}`,
			map[string]string{"Authorization": "Bearer T1", "Content-Type": "application/json"}},
		// Client.asset_remediation_status: the same two as query parameters.
		{"asset_remediation_status", "GET", "/remediation/api/assets", "asset_id=a1&remediation_type=system_quarantine", "",
			map[string]string{"Authorization": "Bearer T1", "Accept": "application/json"}},
	}
	// XSOAR's http_request also sends Content-Type: application/json on
	// reads with no body; triage sends a Content-Type only with a body.
	if len(rec.reqs) != len(want) {
		t.Fatalf("%d requests, want %d: %+v", len(rec.reqs), len(want), rec.reqs)
	}
	for i, w := range want {
		r := rec.reqs[i]
		if r.Method != w.method || r.Path != w.path || r.Query != w.query || r.Body != w.body {
			t.Errorf("%s: sent %s %s?%s %s\n want %s %s?%s %s", w.ref, r.Method, r.Path, r.Query, r.Body, w.method, w.path, w.query, w.body)
		}
		for k, v := range w.header {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", w.ref, k, got, v)
			}
		}
		if w.body == "" && r.Header.Get("Content-Type") != "" {
			t.Errorf("%s: a read with a Content-Type (%q)", w.ref, r.Header.Get("Content-Type"))
		}
	}
}
