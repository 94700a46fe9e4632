package okta_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/okta"
	"triage/backend/sim"
)

// recorder is a stand-in Okta org that records every request and answers
// from a script, to check the client speaks the documented API exactly,
// independent of our simulator.
type recorder struct {
	mu     sync.Mutex
	reqs   []recorded
	answer func(r *http.Request, n int) (status int, header http.Header, body string)
	srv    *httptest.Server
}

type recorded struct {
	Method, Path, RawQuery, Auth, Accept, ContentType, Body string
	At                                                      time.Time
}

func newRecorder(t *testing.T, answer func(r *http.Request, n int) (int, http.Header, string)) *recorder {
	rec := &recorder{answer: answer}
	rec.srv = httptest.NewServer(rec)
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"),
		r.Header.Get("Accept"), r.Header.Get("Content-Type"), string(b), time.Now()})
	n := len(rec.reqs)
	rec.mu.Unlock()
	status, h, body := rec.answer(r, n)
	for k, vs := range h {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Type") == "" {
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

// vendorEvent is a System Log event in the shape of Okta's own answers
// (the XSOAR Okta v2 test data): nulls in nested objects, the ipChain's
// lower-case "ip", two targets.
const vendorEvent = `{
  "actor": {"alternateId": "li.chen@acme.example", "detailEntry": null, "displayName": "Li Chen", "id": "00u1", "type": "User"},
  "authenticationContext": {"authenticationProvider": null, "authenticationStep": 0, "credentialProvider": null, "credentialType": null,
    "externalSessionId": "102abc", "interface": null, "issuer": null},
  "client": {"device": "Unknown", "geographicalContext": {"city": "Boardman", "country": "United States",
    "geolocation": {"lat": 45.8, "lon": -119.7}, "postalCode": "97818", "state": "Oregon"},
    "id": null, "ipAddress": "203.0.113.7", "userAgent": {"browser": "UNKNOWN", "os": "Unknown", "rawUserAgent": "python-requests/2.32"}, "zone": "null"},
  "debugContext": {"debugData": {"requestId": "X1", "requestUri": "/api/v1/groups", "url": "/api/v1/groups"}},
  "device": null,
  "displayMessage": "Remove user from group membership",
  "eventType": "group.user_membership.remove",
  "legacyEventType": "core.user_group_member.user_remove",
  "outcome": {"reason": null, "result": "SUCCESS"},
  "published": "2021-12-13T01:47:08.556Z",
  "request": {"ipChain": [{"geographicalContext": {"city": "Boardman", "country": "United States",
    "geolocation": {"lat": 45.8, "lon": -119.7}, "postalCode": "97818", "state": "Oregon"}, "ip": "203.0.113.7", "source": null, "version": "V4"}]},
  "securityContext": {"asNumber": null, "asOrg": null, "domain": null, "isProxy": null, "isp": null},
  "severity": "INFO",
  "target": [{"alternateId": "test.user@acme.example", "detailEntry": null, "displayName": "Test User", "id": "00u2", "type": "User"},
    {"alternateId": "unknown", "detailEntry": null, "displayName": "VPN Users", "id": "00g1", "type": "UserGroup"}],
  "transaction": {"detail": {}, "id": "X1", "type": "WEB"},
  "uuid": "e7a1c2f0-5c1b-11ec-9a3b-0d4f1b2a3c4d",
  "version": "0"
}`

const vendorApp = `{"id":"%s","name":"workday","label":"Workday - Prod","status":"ACTIVE","signOnMode":"SAML_2_0",
"created":"2020-10-18T17:54:30.000Z","lastUpdated":"2020-10-18T17:56:53.000Z","features":[],
"visibility":{"autoSubmitToolbar":false,"hide":{"iOS":false,"web":false}},
"_links":{"logo":[{"name":"medium","href":"https://ok1static.oktacdn.com/workday.png","type":"image/png"}],"appLinks":[{"name":"login","href":"https://x/home/workday","type":"text/html"}]}}`

const vendorUser = `{"id":"00uujxnbh3uJw4tWA0h7","status":"PROVISIONED","created":"2020-10-18T17:54:30.000Z","activated":"2020-10-18T17:54:30.000Z",
"statusChanged":"2020-10-18T17:54:30.000Z","lastLogin":null,"lastUpdated":"2020-10-18T17:56:53.000Z","passwordChanged":null,
"type":{"id":"oty8zfz6plq7b0r830h7"},"profile":{"firstName":"Demisto-Test","lastName":"Test","mobilePhone":null,"secondEmail":null,
"login":"testdemisto2@paloaltonetworks.com","email":"testdemisto2@paloaltonetworks.com","costCenter":42},
"credentials":{"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"https://x/api/v1/users/00uujxnbh3uJw4tWA0h7"}}}`

func links(self string, next string) http.Header {
	h := http.Header{}
	h.Add("Link", "<"+self+`>; rel="self"`)
	if next != "" {
		h.Add("Link", "<"+next+`>; rel="next"`)
	}
	return h
}

func TestRequestsAreExactlyAsDocumented(t *testing.T) {
	var rec *recorder
	rec = newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
		base := rec.srv.URL
		switch p := r.Method + " " + r.URL.Path; {
		case p == "GET /api/v1/apps" && r.URL.Query().Get("after") == "":
			// An odd but valid cursor: the client must send it back as is.
			return 200, links(base+"/api/v1/apps?q=work&limit=2", base+"/api/v1/apps?after=0oa2%2Bx%3D&limit=2&q=work"),
				"[" + fmt.Sprintf(vendorApp, "0oa1") + "," + fmt.Sprintf(vendorApp, "0oa2") + "]"
		case p == "GET /api/v1/apps":
			return 200, links(base+r.URL.RequestURI(), ""), "[" + fmt.Sprintf(vendorApp, "0oa3") + "]"
		case p == "GET /api/v1/logs" && r.URL.Query().Get("after") == "":
			return 200, links(base+r.URL.RequestURI(), base+"/api/v1/logs?limit=2&sortOrder=DESCENDING&after=1639360028556_1"), "[" + vendorEvent + "," + vendorEvent + "]"
		case p == "GET /api/v1/logs":
			// Polling query: the next link is always there; the page is empty.
			return 200, links(base+r.URL.RequestURI(), base+"/api/v1/logs?limit=2&sortOrder=DESCENDING&after=1639360028556_2"), "[]"
		case p == "GET /api/v1/users/nobody@acme.example":
			return 404, nil, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: nobody@acme.example (User)","errorLink":"E0000007","errorId":"oae4b1Xl9-4TpWbqdLHSnHwyg","errorCauses":[]}`
		case p == "GET /api/v1/users":
			return 200, links(base+r.URL.RequestURI(), ""), "[" + vendorUser + "]"
		case p == "POST /api/v1/users", p == "POST /api/v1/users/00u1", strings.HasSuffix(p, "/lifecycle/expire_password"):
			return 200, nil, vendorUser
		case strings.Contains(p, "/lifecycle/reset_password"):
			return 200, nil, `{"resetPasswordUrl":"https://x/reset_password/abc"}`
		case strings.Contains(p, "/lifecycle/activate"):
			return 200, nil, `{"activationToken":"t","activationUrl":"https://x/welcome/t"}`
		case strings.Contains(p, "/lifecycle/"):
			return 200, nil, ""
		case r.Method == "DELETE":
			return 204, nil, ""
		case p == "GET /api/v1/apps/0oa1/users/00u1":
			return 200, nil, `{"id":"00u1","scope":"USER","status":"ACTIVE","credentials":{"userName":"li.chen@acme.example"},"profile":{"email":"li.chen@acme.example"}}`
		case p == "GET /api/v1/apps/0oa1/users/00u9":
			return 404, nil, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00u9 (AppUser)","errorLink":"E0000007","errorId":"oae1","errorCauses":[]}`
		case strings.HasSuffix(p, "/appLinks"):
			return 200, nil, `[{"id":"0oa1","label":"Workday","linkUrl":"https://x/home/workday","appName":"workday","appInstanceId":"0oa1","appAssignmentId":"0ua1","credentialsSetup":false,"hidden":false,"sortOrder":0}]`
		case strings.HasSuffix(p, "/groups"), strings.HasSuffix(p, "/users") && strings.Contains(p, "groups"):
			return 200, links(base+r.URL.RequestURI(), ""), `[]`
		case strings.HasPrefix(p, "GET /api/v1/groups/"):
			return 200, nil, `{"id":"00g1","type":"OKTA_GROUP","objectClass":["okta:user_group"],"profile":{"name":"VPN Users","description":null}}`
		}
		return 404, nil, `{"errorCode":"E0000022","errorSummary":"The endpoint does not support the provided HTTP method"}`
	})
	c, err := okta.New(config.Okta{Name: "prod", URL: rec.srv.URL, APIToken: "00abc-ssws"}, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Apps, following the Link cursor verbatim.
	p, err := c.Apps(ctx(), okta.AppQuery{Q: "work", Limit: 2}, "")
	if err != nil || len(p.Items) != 2 || p.Items[0].Label != "Workday - Prod" || p.Items[0].Links.Logo[0].Href == "" {
		t.Fatalf("apps: %v %+v", err, p)
	}
	p, err = c.Apps(ctx(), okta.AppQuery{Q: "work", Limit: 2}, p.Next)
	if err != nil || len(p.Items) != 1 || p.Next != "" {
		t.Fatalf("second page: %v %+v", err, p)
	}
	// The System Log, until its empty page.
	since := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	q := okta.LogQuery{Filter: `eventType eq "user.session.start"`, Keywords: "li.chen", Since: since, Descending: true, Limit: 2}
	_, pages, _ := loadLogs(t, c, q)
	if pages != 2 {
		t.Fatalf("%d log pages: the empty page must end the load", pages)
	}
	lp, _ := c.Logs(ctx(), q, "")
	e := lp.Events[0]
	if e.Request.IPChain[0].IP != "203.0.113.7" || e.Outcome.Reason != "" || e.Target[1].Type != "UserGroup" ||
		e.Client.GeographicalContext.Place() != "Boardman, United States" || e.DebugContext.DebugData["requestUri"] != "/api/v1/groups" ||
		e.Published.Format(time.RFC3339Nano) != "2021-12-13T01:47:08.556Z" || e.SecurityContext.IsProxy || string(e.Raw) == "" {
		t.Fatalf("vendor event decoded as %+v", e)
	}
	// Users: lookups, writes and their exact paths, queries and bodies.
	_, err = c.User(ctx(), "nobody@acme.example")
	if !httpx.IsNotFound(err) || !strings.Contains(err.Error(), "request oae4b1Xl9-4TpWbqdLHSnHwyg") {
		t.Fatalf("404 without a request-id header must carry Okta's errorId: %v", err)
	}
	u, found, err := c.FindUser(ctx(), "TestDemisto2@paloaltonetworks.com")
	if err != nil || !found || u.Profile.Get("costCenter") != "42" || u.Profile.Get("mobilePhone") != "" || !u.LastLogin.IsZero() {
		t.Fatalf("find: %v %v %+v", found, err, u)
	}
	c.CreateUser(ctx(), okta.NewUser{Profile: okta.Profile{"login": "n@acme.example"}, Password: "pw-1", GroupIDs: []string{"00g1"}})
	c.UpdateUser(ctx(), "00u1", okta.Profile{"title": "Lead"})
	c.Suspend(ctx(), "00u1")
	c.Unsuspend(ctx(), "00u1")
	c.Deactivate(ctx(), "00u1")
	c.Activate(ctx(), "00u1", false)
	c.Unlock(ctx(), "00u1")
	c.ResetPassword(ctx(), "00u1", false, true)
	c.ExpirePassword(ctx(), "00u1")
	c.ClearSessions(ctx(), "00u1", false)
	if _, ok, err := c.Assignment(ctx(), "0oa1", "00u1"); !ok || err != nil {
		t.Fatalf("assigned: %v %v", ok, err)
	}
	if _, ok, err := c.Assignment(ctx(), "0oa1", "00u9"); ok || err != nil {
		t.Fatalf("404 AppUser is 'not assigned': %v %v", ok, err)
	}
	if l, err := c.UserAppLinks(ctx(), "00u1"); err != nil || len(l) != 1 || l[0].AppName != "workday" {
		t.Fatalf("app links: %v %+v", err, l)
	}
	c.UserGroups(ctx(), "00u1")
	c.Group(ctx(), "00g1")
	c.GroupMembers(ctx(), "00g1", 50, "")
	c.App(ctx(), "../users")

	want := []struct{ method, path, query, body string }{
		{"GET", "/api/v1/apps", "limit=2&q=work", ""},
		{"GET", "/api/v1/apps", "after=0oa2%2Bx%3D&limit=2&q=work", ""},
		{"GET", "/api/v1/logs", "filter=eventType+eq+%22user.session.start%22&limit=2&q=li.chen&since=2026-11-24T12%3A00%3A00.000Z&sortOrder=DESCENDING", ""},
		{"GET", "/api/v1/logs", "limit=2&sortOrder=DESCENDING&after=1639360028556_1", ""},
		{"GET", "/api/v1/logs", "filter=eventType+eq+%22user.session.start%22&limit=2&q=li.chen&since=2026-11-24T12%3A00%3A00.000Z&sortOrder=DESCENDING", ""},
		{"GET", "/api/v1/users/nobody@acme.example", "", ""},
		{"GET", "/api/v1/users", "filter=profile.login+eq+%22TestDemisto2%40paloaltonetworks.com%22&limit=2", ""},
		{"POST", "/api/v1/users", "activate=false", `{"credentials":{"password":{"value":"pw-1"}},"groupIds":["00g1"],"profile":{"login":"n@acme.example"}}`},
		{"POST", "/api/v1/users/00u1", "", `{"profile":{"title":"Lead"}}`},
		{"POST", "/api/v1/users/00u1/lifecycle/suspend", "", ""},
		{"POST", "/api/v1/users/00u1/lifecycle/unsuspend", "", ""},
		{"POST", "/api/v1/users/00u1/lifecycle/deactivate", "sendEmail=false", ""},
		{"POST", "/api/v1/users/00u1/lifecycle/activate", "sendEmail=false", ""},
		{"POST", "/api/v1/users/00u1/lifecycle/unlock", "", ""},
		{"POST", "/api/v1/users/00u1/lifecycle/reset_password", "revokeSessions=true&sendEmail=false", ""},
		{"POST", "/api/v1/users/00u1/lifecycle/expire_password", "", ""},
		{"DELETE", "/api/v1/users/00u1/sessions", "oauthTokens=false", ""},
		{"GET", "/api/v1/apps/0oa1/users/00u1", "", ""},
		{"GET", "/api/v1/apps/0oa1/users/00u9", "", ""},
		{"GET", "/api/v1/users/00u1/appLinks", "", ""},
		{"GET", "/api/v1/users/00u1/groups", "limit=200", ""},
		{"GET", "/api/v1/groups/00g1", "", ""},
		{"GET", "/api/v1/groups/00g1/users", "limit=50", ""},
		{"GET", "/api/v1/apps/..%2Fusers", "", ""},
	}
	got := rec.requests()
	if len(got) != len(want) {
		for _, r := range got {
			t.Logf("%s %s?%s", r.Method, r.Path, r.RawQuery)
		}
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		if r.Method != w.method || r.Path != w.path || r.RawQuery != w.query || (w.body != "" && r.Body != w.body) {
			t.Errorf("request %d:\n got %s %s?%s %s\nwant %s %s?%s %s", i, r.Method, r.Path, r.RawQuery, r.Body, w.method, w.path, w.query, w.body)
		}
		if r.Auth != "SSWS 00abc-ssws" || r.Accept != "application/json" {
			t.Errorf("request %d: Authorization %q, Accept %q", i, r.Auth, r.Accept)
		}
		if w.body != "" && r.ContentType != "application/json" {
			t.Errorf("request %d: Content-Type %q", i, r.ContentType)
		}
	}
}

// The first System Log request is answered 429 with X-Rate-Limit-Reset a
// second after the answer's Date; the client waits until the reset (reset
// minus Date, plus a second) and then gets the events. The org's clock is
// an hour ahead of ours: the wait follows its Date, not our clock.
func TestRetryWaitsForTheRateLimitReset(t *testing.T) {
	t.Parallel() // it waits for the reset on the wall clock
	var rec *recorder
	rec = newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
		orgNow := time.Now().Add(time.Hour)
		h := http.Header{"Date": {orgNow.UTC().Format(http.TimeFormat)}, "X-Rate-Limit-Limit": {"60"}}
		if n == 1 {
			h.Set("X-Rate-Limit-Remaining", "0")
			h.Set("X-Rate-Limit-Reset", fmt.Sprint(orgNow.Add(time.Second).Unix()))
			return 429, h, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oae1","errorCauses":[]}`
		}
		h.Set("X-Rate-Limit-Remaining", "59")
		h.Set("X-Rate-Limit-Reset", fmt.Sprint(orgNow.Add(60*time.Second).Unix()))
		h.Add("Link", "<"+rec.srv.URL+`/api/v1/logs?after=2>; rel="next"`)
		return 200, h, "[" + vendorEvent + "]"
	})
	c, _ := okta.New(config.Okta{Name: "prod", URL: rec.srv.URL, APIToken: "t"}, httpx.Options{})
	// A failure bound, not a measure: waiting by our clock would be an
	// hour.
	bounded, cancel := context.WithTimeout(ctx(), time.Minute)
	defer cancel()
	p, err := c.Logs(bounded, okta.LogQuery{}, "")
	if err != nil || len(p.Events) != 1 {
		t.Fatalf("after the 429: %v %+v", err, p)
	}
	reqs := rec.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want the 429 and one retry", len(reqs))
	}
	// Date has whole seconds, so the reset is 1s after it and the wait 2s.
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 1900*time.Millisecond {
		t.Fatalf("retried after %s, want the reset-Date+1s of 2s", gap)
	}
	if b, ok := c.Budget(okta.LogsPath); !ok || b.Remaining != 59 || b.Limit != 60 {
		t.Fatalf("budget %+v", b)
	}
}

// --- OAuth 2.0 service app (private_key_jwt) ------------------------------

func writeKey(t *testing.T, name string, key crypto.Signer, form string) string {
	t.Helper()
	var der []byte
	var err error
	typ := "PRIVATE KEY"
	switch form {
	case "pkcs1":
		der, typ = x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey)), "RSA PRIVATE KEY"
	case "sec1":
		der, err = x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
		typ = "EC PRIVATE KEY"
	default:
		der, err = x509.MarshalPKCS8PrivateKey(key)
	}
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServiceAppAssertionIsAsDocumented(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, k := range []struct {
		name, form, alg string
		key             crypto.Signer
	}{{"rsa-pkcs1.pem", "pkcs1", "RS256", rsaKey}, {"rsa-pkcs8.pem", "pkcs8", "RS256", rsaKey}, {"ec-sec1.pem", "sec1", "ES256", ecKey}, {"ec-pkcs8.pem", "pkcs8", "ES256", ecKey}} {
		t.Run(k.name, func(t *testing.T) {
			var rec *recorder
			rec = newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
				if r.URL.Path == "/oauth2/v1/token" {
					return 200, nil, fmt.Sprintf(`{"token_type":"Bearer","expires_in":3600,"access_token":"at-%d","scope":"okta.apps.read okta.logs.read"}`, n)
				}
				return 200, links(rec.srv.URL+r.URL.RequestURI(), ""), "[]"
			})
			cfg := config.Okta{Name: "prod", URL: rec.srv.URL, ClientID: "0oaSERVICE", KeyID: "kid-1",
				PrivateKeyFile: writeKey(t, k.name, k.key, k.form), Scopes: []string{"okta.apps.read", "okta.logs.read"}}
			for round := 0; round < 2; round++ { // a second client: a second token request
				c, err := okta.New(cfg, httpx.Options{})
				if err != nil {
					t.Fatal(err)
				}
				c.Apps(ctx(), okta.AppQuery{}, "")
				c.Logs(ctx(), okta.LogQuery{}, "")
				if !c.OAuth() || c.TokenRequests() != 1 {
					t.Fatalf("%d token requests for two calls", c.TokenRequests())
				}
			}
			reqs := rec.requests()
			jtis := map[string]bool{}
			for _, i := range []int{0, 3} {
				tr := reqs[i]
				form, _ := url.ParseQuery(tr.Body)
				if tr.Method != "POST" || tr.Path != "/oauth2/v1/token" || tr.ContentType != "application/x-www-form-urlencoded" || tr.Auth != "" ||
					form.Get("grant_type") != "client_credentials" || form.Get("scope") != "okta.apps.read okta.logs.read" ||
					form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || form.Has("client_secret") {
					t.Fatalf("token request %+v", tr)
				}
				claims := jwt.RegisteredClaims{}
				tok, err := jwt.ParseWithClaims(form.Get("client_assertion"), &claims, func(*jwt.Token) (any, error) { return k.key.Public(), nil },
					jwt.WithValidMethods([]string{k.alg}))
				if err != nil {
					t.Fatalf("assertion does not verify with the app's public key: %v", err)
				}
				if tok.Header["kid"] != "kid-1" || claims.Issuer != "0oaSERVICE" || claims.Subject != "0oaSERVICE" ||
					len(claims.Audience) != 1 || claims.Audience[0] != rec.srv.URL+"/oauth2/v1/token" ||
					claims.ExpiresAt.Sub(claims.IssuedAt.Time) > time.Hour || claims.ID == "" || jtis[claims.ID] {
					t.Fatalf("assertion header %v claims %+v", tok.Header, claims)
				}
				jtis[claims.ID] = true
			}
			for _, i := range []int{1, 2, 4, 5} {
				if reqs[i].Auth != fmt.Sprintf("Bearer at-%d", map[int]int{1: 1, 2: 1, 4: 4, 5: 4}[i]) {
					t.Fatalf("request %d sent %q", i, reqs[i].Auth)
				}
			}
		})
	}
}

func TestServiceAppAgainstTheSimulator(t *testing.T) {
	s, err := sim.Start(sim.Options{Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s.Okta.TrustKey("demo-kid", key.Public())
	cfg := config.Okta{Name: "svc", URL: s.Okta.URL, ClientID: sim.OktaClientID, KeyID: "demo-kid",
		PrivateKeyFile: writeKey(t, "okta.pem", key, "pkcs8"), Scopes: config.DefaultOktaScopes}
	c, err := okta.New(cfg, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.Apps(ctx(), okta.AppQuery{Limit: 5}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if c.TokenRequests() != 1 || s.Okta.Tokens() != 1 {
		t.Fatalf("%d token requests for three calls", c.TokenRequests())
	}
	// A revoked access token: Okta's 401 explains itself only in
	// WWW-Authenticate; the client fetches a new token once and goes on.
	s.Okta.RevokeTokens()
	if err := c.Check(ctx()); err != nil || c.TokenRequests() != 2 {
		t.Fatalf("after revocation: %v, %d token requests", err, c.TokenRequests())
	}
	// Writes are recorded in the log with the service app as the actor.
	id := s.Okta.UserID("li.chen@acme.example")
	if err := c.Suspend(ctx(), id); err != nil {
		t.Fatal(err)
	}
	lp, err := c.Logs(ctx(), okta.LogQuery{Filter: `eventType eq "user.lifecycle.suspend"`}, "")
	if err != nil || len(lp.Events) != 1 || lp.Events[0].Actor.Type != "PublicClientApp" {
		t.Fatalf("suspend event: %v %+v", err, lp.Events)
	}

	// Scopes the app was not given are refused by Okta; missing ones by
	// the resource server.
	narrow := cfg
	narrow.Scopes = []string{"okta.apps.read"}
	nc, _ := okta.New(narrow, httpx.Options{})
	_, err = nc.Logs(ctx(), okta.LogQuery{}, "")
	if httpx.StatusOf(err) != 403 || !strings.Contains(err.Error(), "E0000006") {
		t.Fatalf("logs without okta.logs.read: %v", err)
	}
	bad := cfg
	bad.Scopes = []string{"okta.apps.read", "okta.everything.manage"}
	bc, _ := okta.New(bad, httpx.Options{})
	if _, err = bc.Apps(ctx(), okta.AppQuery{}, ""); err == nil || !strings.Contains(err.Error(), "invalid_scope") {
		t.Fatalf("unknown scope: %v", err)
	}

	// A key the app does not know: one clear line naming the token request.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	wrong := cfg
	wrong.PrivateKeyFile = writeKey(t, "other.pem", other, "sec1")
	wc, _ := okta.New(wrong, httpx.Options{})
	_, err = wc.Apps(ctx(), okta.AppQuery{}, "")
	if err == nil || !strings.HasPrefix(err.Error(), "Okta svc: 401 invalid_client") || !strings.Contains(err.Error(), "[POST /oauth2/v1/token]") ||
		strings.ContainsAny(err.Error(), "\n\r") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestKeyFileProblemsAreClear(t *testing.T) {
	dir := t.TempDir()
	jwk := filepath.Join(dir, "okta.json")
	os.WriteFile(jwk, []byte(`{"kty":"RSA","d":"..."}`), 0o600)
	for path, want := range map[string]string{
		jwk:                          "no PEM block found (Okta's JWK download must be converted to PEM)",
		filepath.Join(dir, "absent"): "private_key_file: open",
	} {
		_, err := okta.New(config.Okta{Name: "prod", URL: "https://x.okta.com", ClientID: "0oa1", PrivateKeyFile: path}, httpx.Options{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "Okta prod: ") {
			t.Errorf("%s: %v", path, err)
		}
	}
}
