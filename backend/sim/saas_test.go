package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// saasCall calls the simulated tenant with a fresh token and decodes JSON.
func saasCall(t *testing.T, s *SaaS, method, path, body string, scope string) (int, map[string]any, []any) {
	t.Helper()
	tok := saasToken(t, s, scope)
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
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

func saasToken(t *testing.T, s *SaaS, scope string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(SaaSClientID, SaaSClientSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(res.Body).Decode(&tok)
	return tok.AccessToken
}

const allScopes = "api_access incident_api remediation_api"

func startSaaS(t *testing.T, o Options) *SaaS {
	t.Helper()
	s, err := Start(pin(o))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s.SaaS
}

func TestSaaSTokenTakesBasicAuthOnly(t *testing.T) {
	s := startSaaS(t, Options{Rows: 10})
	post := func(form url.Values, basic bool, secret string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", s.URL+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth(SaaSClientID, secret)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	grant := url.Values{"grant_type": {"client_credentials"}, "scope": {allScopes}}
	if st, m := post(grant, true, SaaSClientSecret); st != 200 || m["access_token"] == "" || m["expires_in"] == nil {
		t.Fatalf("good credentials: %d %v", st, m)
	}
	st, m := post(grant, true, "wrong")
	if st != 401 || m["error"] != "unauthorized" || m["error_description"] != "Invalid credentials" || m["resolution"] == nil {
		t.Fatalf("wrong secret: %d %v", st, m)
	}
	if st, _ := post(grant, false, ""); st != 401 {
		t.Fatalf("no Basic header: %d", st)
	}
	inBody := url.Values{"grant_type": {"client_credentials"}, "client_id": {SaaSClientID}, "client_secret": {SaaSClientSecret}}
	if st, _ := post(inBody, true, SaaSClientSecret); st != 400 {
		t.Fatalf("credentials in the body: %d", st)
	}
}

func TestSaaSFeedPagesOnUpdatedTimeWithAnAlwaysPresentNextPath(t *testing.T) {
	s := startSaaS(t, Options{Rows: 25})
	path := "/incident/api/incidents/delta?limit=10&state=open"
	seen := map[float64]bool{}
	for pages := 0; ; pages++ {
		st, m, _ := saasCall(t, s, "GET", path, "", allScopes)
		if st != 200 {
			t.Fatalf("%s: %d %v", path, st, m)
		}
		next, _ := m["nextPath"].(string)
		if !strings.HasPrefix(next, "/incident/api/incidents/delta?") || !strings.Contains(next, "state=open") {
			t.Fatalf("nextPath %q", next)
		}
		res := m["resources"].([]any)
		for _, r := range res {
			inc := r.(map[string]any)
			if inc["state"] != "open" || seen[inc["incident_id"].(float64)] {
				t.Fatalf("page %d: %v", pages, inc["incident_id"])
			}
			seen[inc["incident_id"].(float64)] = true
		}
		if len(res) < 10 {
			break
		}
		path = next
		if pages > 5 {
			t.Fatal("the feed does not end")
		}
	}
	if len(seen) == 0 {
		t.Fatal("no open incidents")
	}
	// A close moves the incident to the end of the feed.
	last := s.Newest(1)[0]
	id := s.Newest(3)[2]
	st, m, _ := saasCall(t, s, "POST", "/incident/api/incidents/"+id+"/state", `{"state":"closed","category":"no_reason"}`, allScopes)
	if st != 200 || m["resolved_by"] != "api" || m["category"] != "no_reason" {
		t.Fatalf("close: %d %v", st, m)
	}
	if s.Newest(1)[0] != id || s.Newest(2)[1] != last {
		t.Fatalf("feed order after a close: %v", s.Newest(2))
	}
	if st, m, _ := saasCall(t, s, "POST", "/incident/api/incidents/"+id+"/state", `{"state":"open","category":"no_reason"}`, allScopes); st != 400 || !strings.Contains(m["error_description"].(string), "only closed") {
		t.Fatalf("reopen: %d %v", st, m)
	}
	if st, _, _ := saasCall(t, s, "GET", "/incident/api/incidents/delta?limit=5", "", allScopes); st != 400 {
		t.Fatalf("limit below 10: %d", st)
	}
	if st, _, _ := saasCall(t, s, "GET", "/incident/api/incidents/delta?from=2026-01-01", "", allScopes); st != 400 {
		t.Fatalf("from without the time: %d", st)
	}
}

func TestSaaSScopesAreEnforced(t *testing.T) {
	s := startSaaS(t, Options{Rows: 10})
	if st, m, _ := saasCall(t, s, "GET", "/incident/api/apps", "", "api_access"); st != 403 || m["error"] != "insufficient_scope" {
		t.Fatalf("apps without incident_api: %d %v", st, m)
	}
	if st, _, list := saasCall(t, s, "GET", "/incident/api/apps", "", allScopes); st != 200 || len(list) != len(SaaSApps) {
		t.Fatalf("apps: %d %v", st, list)
	}
	body := `{"asset_id":"` + s.AssetOf("1") + `","remediation_type":"system_quarantine"}`
	if st, _, _ := saasCall(t, s, "POST", "/remediation/api/assets", body, "api_access incident_api"); st != 403 {
		t.Fatalf("remediation without remediation_api: %d", st)
	}
}

func TestSaaSRemediationRules(t *testing.T) {
	s := startSaaS(t, Options{Rows: 60})
	var slack, box string
	for i := 1; i <= 60 && (slack == "" || box == ""); i++ {
		typ := s.appTypeOf(i)
		switch {
		case typ == "slack" && slack == "":
			slack = s.AssetOf(strconv.Itoa(i))
		case typ == "box" && box == "":
			box = s.AssetOf(strconv.Itoa(i))
		}
	}
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"asset_id":"` + slack + `","remediation_type":"remove_public_sharing","remove_inherited_sharing":false}`, 400},
		{`{"asset_id":"` + box + `","remediation_type":"remove_public_sharing","remove_inherited_sharing":true}`, 200},
		{`{"asset_id":"` + box + `","remediation_type":"system_quarantine","remove_inherited_sharing":false}`, 400},
		{`{"asset_id":"` + box + `","remediation_type":"delete"}`, 400},
		{`{"asset_id":"61099d00000000ffffffffff","remediation_type":"system_quarantine"}`, 404},
	} {
		if st, m, _ := saasCall(t, s, "POST", "/remediation/api/assets", tc.body, allScopes); st != tc.want {
			t.Errorf("%s: %d %v", tc.body, st, m)
		}
	}
	st, m, _ := saasCall(t, s, "GET", "/remediation/api/assets?asset_id="+box+"&remediation_type=remove_public_sharing", "", allScopes)
	if st != 200 || m["status"] != "pending" || !strings.HasSuffix(m["action_date"].(string), "+0000") || m["action_taker"] != "api" {
		t.Fatalf("status: %d %v", st, m)
	}
}

// appTypeOf is the app type of incident id i.
func (s *SaaS) appTypeOf(i int) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return SaaSApps[s.incidents[i-1].app].Type
}

func TestSaaSAtAHundredThousandIncidentsIsCheap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100,000 incidents")
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := newSaaS(anchored(Options{Rows: 100_000}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if per := float64(after.HeapAlloc-before.HeapAlloc) / 100_000; per > 100 {
		t.Fatalf("%.0f bytes per simulated incident", per)
	}
	st, m, _ := saasCall(t, s, "GET", "/incident/api/incidents/delta?limit=1000", "", allScopes)
	if st != 200 || len(m["resources"].([]any)) != 1000 {
		t.Fatalf("first page at 100k: %d", st)
	}
}

// The delta filter takes severities as the numbers 1..5 and pages as
// multiples of 10 (the XSOAR integration's yml and validate_limit): words
// and odd page sizes get the vendor's 400.
func TestSaaSDeltaRefusesSeverityWordsAndOddLimits(t *testing.T) {
	s := startSaaS(t, Options{Rows: 60})
	for _, bad := range []string{"severity=High", "severity=4,critical", "severity=6", "limit=15", "limit=1010", "limit=0"} {
		st, m, _ := saasCall(t, s, "GET", "/incident/api/incidents/delta?"+bad, "", allScopes)
		desc, _ := m["error_description"].(string)
		if st != 400 || m["error"] != "invalid_request" || desc == "" {
			t.Errorf("%s: %d %v, want the vendor's 400", bad, st, m)
		}
	}
	st, m, _ := saasCall(t, s, "GET", "/incident/api/incidents/delta?limit=20&severity=4,5", "", allScopes)
	if st != 200 {
		t.Fatalf("numbers: %d %v", st, m)
	}
	res := m["resources"].([]any)
	if len(res) == 0 {
		t.Fatal("severity 4,5 matched nothing")
	}
	for _, r := range res {
		if sev := r.(map[string]any)["severity"]; sev != "High" && sev != "Critical" && sev != 4.0 && sev != 5.0 {
			t.Fatalf("severity filter 4,5 let %v through", sev)
		}
	}
}
