// Package oktasdk drives triage's Okta simulator with Okta's own Go SDK
// (github.com/okta/okta-sdk-golang/v5), a client nobody here wrote: every
// request the SDK sends for an operation triage uses must be accepted, and
// every answer must decode into the SDK's models. It runs in each way a
// tenant can authenticate: an API token (SSWS), a service app's
// private_key_jwt, and a service app that requires DPoP.
package oktasdk

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"

	"triage/backend/clock"
	"triage/backend/sim"
)

// seen is one request as it reached the simulator.
type seen struct {
	method, path, query string
	header              http.Header
	status              int
	answer              string // the body, for the token endpoint's refusals
}

// capture keeps an answer's status and the start of its body.
type capture struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (c *capture) WriteHeader(status int) { c.status = status; c.ResponseWriter.WriteHeader(status) }

func (c *capture) Write(b []byte) (int, error) {
	if len(c.body) < 2048 {
		c.body = append(c.body, b[:min(len(b), 2048-len(c.body))]...)
	}
	return c.ResponseWriter.Write(b)
}

// front is a reverse proxy before the simulator that keeps every request,
// so a test can say what the SDK sent, not only what it made of the answer.
type front struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newFront(t *testing.T, target string) *front {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	f := &front{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &capture{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(c, r)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), c.status, string(c.body)})
		f.mu.Unlock()
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *front) requests(method, path string) []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seen
	for _, r := range f.reqs {
		if r.method == method && r.path == path {
			out = append(out, r)
		}
	}
	return out
}

// mode is one way of authenticating, set up on a fresh simulator.
type mode struct {
	name   string
	config func(t *testing.T, s *sim.Sim, orgURL string) []okta.ConfigSetter
	// scheme is the Authorization scheme every API call must carry.
	scheme string
}

// rsaPEM is a new service-app key: its PKCS#1 PEM for the SDK, its public
// half for the simulator.
func rsaPEM(t *testing.T) (string, *rsa.PublicKey) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), &k.PublicKey
}

var modes = []mode{
	{name: "SSWS", scheme: "SSWS", config: func(t *testing.T, s *sim.Sim, orgURL string) []okta.ConfigSetter {
		return []okta.ConfigSetter{okta.WithAuthorizationMode("SSWS"), okta.WithToken(sim.OktaAPIToken)}
	}},
	{name: "private_key_jwt", scheme: "Bearer", config: func(t *testing.T, s *sim.Sim, orgURL string) []okta.ConfigSetter {
		key, pub := rsaPEM(t)
		s.Okta.TrustKey("", pub)
		return []okta.ConfigSetter{okta.WithAuthorizationMode("PrivateKey"), okta.WithClientId(sim.OktaClientID),
			okta.WithPrivateKey(key), okta.WithScopes(allScopes)}
	}},
	// The service app that requires DPoP: the SDK asks without a proof,
	// reads invalid_dpop_proof, retries with one, then with the nonce
	// (okta/client.go getAccessTokenForPrivateKey,
	// getAccessTokenForDpopPrivateKey).
	{name: "DPoP", scheme: "DPoP", config: func(t *testing.T, s *sim.Sim, orgURL string) []okta.ConfigSetter {
		key, pub := rsaPEM(t)
		s.Okta.TrustKey("", pub)
		return []okta.ConfigSetter{okta.WithAuthorizationMode("PrivateKey"), okta.WithClientId(sim.OktaDPoPClientID),
			okta.WithPrivateKey(key), okta.WithScopes(allScopes)}
	}},
}

// allScopes are the scopes of every operation below (okta/api/openapi.yaml,
// each operation's oauth2 security).
var allScopes = []string{"okta.apps.read", "okta.apps.manage", "okta.users.read", "okta.users.manage",
	"okta.groups.read", "okta.groups.manage", "okta.logs.read"}

// start is a simulator on a pinned instant behind a recording front, and
// an SDK client of it in mode m.
func start(t *testing.T, m mode) (*sim.Sim, *front, *okta.APIClient) {
	t.Helper()
	s, err := sim.Start(sim.Options{Rows: 300, Clock: clock.Pin(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	f := newFront(t, s.Okta.URL)
	setters := append([]okta.ConfigSetter{okta.WithOrgUrl(f.URL), okta.WithTestingDisableHttpsCheck(true), okta.WithCache(false),
		okta.WithRateLimitMaxRetries(2), okta.WithRateLimitMaxBackOff(10), okta.WithRequestTimeout(60)}, m.config(t, s, f.URL)...)
	cfg, err := okta.NewConfiguration(setters...)
	if err != nil {
		t.Fatal(err)
	}
	// The SDK keeps only the org URL's host name for API calls
	// (configuration.go: cfg.Host = purl.Hostname()), which no Okta org
	// notices on 443; the loopback simulator has a port of its own.
	cfg.Host = strings.TrimPrefix(f.URL, "http://")
	return s, f, okta.NewAPIClient(cfg)
}

// must fails the operation with what the simulator answered, and the
// token endpoint's refusals, which the SDK reports only as "Empty access
// token".
func must(t *testing.T, f *front, op string, resp *okta.APIResponse, err error) {
	t.Helper()
	if err == nil {
		return
	}
	detail := ""
	for _, r := range f.requests("POST", "/oauth2/v1/token") {
		if r.status != http.StatusOK {
			detail += fmt.Sprintf("\n  token endpoint: %d %s", r.status, r.answer)
		}
	}
	if resp != nil && resp.Response != nil {
		detail = fmt.Sprintf(" (HTTP %d)", resp.StatusCode)
	}
	if e, ok := err.(*okta.GenericOpenAPIError); ok {
		detail += ": " + string(e.Body())
	}
	t.Fatalf("%s: the SDK's request was refused or its answer did not decode%s: %v", op, detail, err)
}

func TestTheOfficialSDKSpeaksToTheSimulator(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, f, c := start(t, m)
			ctx := context.Background()
			li := s.Okta.UserID("li.chen@acme.example")

			// Apps: a page, the next by its Link, search, one app.
			apps, resp, err := c.ApplicationAPI.ListApplications(ctx).Limit(5).Execute()
			must(t, f, "list apps", resp, err)
			if len(apps) != 5 || !resp.HasNextPage() {
				t.Fatalf("list apps: %d apps, next %v", len(apps), resp.HasNextPage())
			}
			var more []okta.ListApplications200ResponseInner
			resp, err = resp.Next(&more)
			must(t, f, "next page of apps", resp, err)
			if len(more) == 0 {
				t.Fatal("the apps' next page is empty")
			}
			appID := s.Okta.Apps()[0].ID
			app, resp, err := c.ApplicationAPI.GetApplication(ctx, appID).Execute()
			must(t, f, "get app", resp, err)
			if app == nil || app.GetActualInstance() == nil {
				t.Fatalf("get app decoded as %+v", app)
			}

			// An app's users, paged; one assignment; a person's app links.
			appUsers, resp, err := c.ApplicationUsersAPI.ListApplicationUsers(ctx, appID).Limit(2).Execute()
			must(t, f, "list app users", resp, err)
			if len(appUsers) == 0 || appUsers[0].GetId() == "" {
				t.Fatalf("app users decoded as %+v", appUsers)
			}
			assigned := appUsers[0].GetId()
			au, resp, err := c.ApplicationUsersAPI.GetApplicationUser(ctx, appID, assigned).Execute()
			must(t, f, "get app user", resp, err)
			if au.GetId() != assigned {
				t.Fatalf("app user decoded as %+v", au)
			}
			links, resp, err := c.UserAPI.ListAppLinks(ctx, li).Execute()
			must(t, f, "list app links", resp, err)
			if len(links) == 0 || links[0].AdditionalProperties["appInstanceId"] == nil {
				t.Fatalf("app links decoded as %+v", links)
			}

			// Users: find by login, get, create, update, the lifecycle,
			// passwords and sessions.
			found, resp, err := c.UserAPI.ListUsers(ctx).Filter(`profile.login eq "li.chen@acme.example"`).Limit(2).Execute()
			must(t, f, "find user", resp, err)
			if len(found) != 1 || found[0].GetId() != li {
				t.Fatalf("find user: %+v", found)
			}
			u, resp, err := c.UserAPI.GetUser(ctx, "li.chen@acme.example").Execute()
			must(t, f, "get user by login", resp, err)
			if u.GetId() != li || u.GetStatus() == "" {
				t.Fatalf("get user decoded as %+v", u)
			}
			login := "sdk." + strings.ToLower(strings.ReplaceAll(m.name, "_", "")) + "@acme.example"
			profile := okta.NewUserProfile()
			profile.SetLogin(login)
			profile.SetEmail(login)
			profile.SetFirstName("Sam")
			profile.SetLastName("Kit")
			created, resp, err := c.UserAPI.CreateUser(ctx).Body(okta.CreateUserRequest{Profile: *profile,
				Credentials: &okta.UserCredentials{Password: &okta.PasswordCredential{Value: okta.PtrString("Pw-9-contract")}}}).Activate(false).Execute()
			must(t, f, "create user", resp, err)
			if created.GetStatus() != "STAGED" || s.Okta.UserStatus(login) != "STAGED" {
				t.Fatalf("create user: answer %q, simulator %q", created.GetStatus(), s.Okta.UserStatus(login))
			}
			id := created.GetId()
			title := okta.NewUserProfile()
			title.SetTitle("Lead")
			updated, resp, err := c.UserAPI.UpdateUser(ctx, id).User(okta.UpdateUserRequest{Profile: title}).Execute()
			must(t, f, "update user", resp, err)
			if updated.Profile.GetTitle() != "Lead" || updated.Profile.GetLogin() != login {
				t.Fatalf("a partial update must keep the rest: %+v", updated.Profile)
			}
			act, resp, err := c.UserAPI.ActivateUser(ctx, id).SendEmail(false).Execute()
			must(t, f, "activate user", resp, err)
			if act.GetActivationToken() == "" {
				t.Fatalf("activate without email must answer the token: %+v", act)
			}
			for _, step := range []struct {
				op, want string
				run      func() (*okta.APIResponse, error)
			}{
				{"suspend", "SUSPENDED", func() (*okta.APIResponse, error) { return c.UserAPI.SuspendUser(ctx, id).Execute() }},
				{"unsuspend", "ACTIVE", func() (*okta.APIResponse, error) { return c.UserAPI.UnsuspendUser(ctx, id).Execute() }},
				{"revoke sessions", "ACTIVE", func() (*okta.APIResponse, error) {
					return c.UserAPI.RevokeUserSessions(ctx, id).OauthTokens(false).Execute()
				}},
				{"expire password", "PASSWORD_EXPIRED", func() (*okta.APIResponse, error) {
					_, resp, err := c.UserAPI.ExpirePassword(ctx, id).Execute()
					return resp, err
				}},
				{"reset password", "RECOVERY", func() (*okta.APIResponse, error) {
					tok, resp, err := c.UserAPI.GenerateResetPasswordToken(ctx, id).SendEmail(false).RevokeSessions(true).Execute()
					if err == nil && tok.GetResetPasswordUrl() == "" {
						err = fmt.Errorf("no resetPasswordUrl in %+v", tok)
					}
					return resp, err
				}},
				{"deactivate", "DEPROVISIONED", func() (*okta.APIResponse, error) {
					return c.UserAPI.DeactivateUser(ctx, id).SendEmail(false).Execute()
				}},
			} {
				resp, err := step.run()
				must(t, f, step.op, resp, err)
				if got := s.Okta.UserStatus(login); got != step.want {
					t.Fatalf("%s: the simulator holds %s, want %s", step.op, got, step.want)
				}
			}
			lockedOut := withStatus(t, s, "LOCKED_OUT")
			resp, err = c.UserAPI.UnlockUser(ctx, s.Okta.UserID(lockedOut)).Execute()
			must(t, f, "unlock user", resp, err)
			if got := s.Okta.UserStatus(lockedOut); got != "ACTIVE" {
				t.Fatalf("unlock: %s", got)
			}

			// Groups: list and search, one, members paged, a person's,
			// add and remove a member.
			groups, resp, err := c.GroupAPI.ListGroups(ctx).Q("Every").Limit(10).Execute()
			must(t, f, "list groups", resp, err)
			if len(groups) == 0 || groups[0].Profile == nil || groups[0].Profile.GetName() != "Everyone" {
				t.Fatalf("list groups decoded as %+v", groups)
			}
			everyone := groups[0].GetId()
			g, resp, err := c.GroupAPI.GetGroup(ctx, everyone).Execute()
			must(t, f, "get group", resp, err)
			if g.GetId() != everyone {
				t.Fatalf("get group: %+v", g)
			}
			members, resp, err := c.GroupAPI.ListGroupUsers(ctx, everyone).Limit(3).Execute()
			must(t, f, "list group members", resp, err)
			if len(members) != 3 || !resp.HasNextPage() {
				t.Fatalf("group members: %d, next %v", len(members), resp.HasNextPage())
			}
			var next []okta.GroupMember
			resp, err = resp.Next(&next)
			must(t, f, "next page of members", resp, err)
			theirs, resp, err := c.UserAPI.ListUserGroups(ctx, li).Execute()
			must(t, f, "list user groups", resp, err)
			if len(theirs) == 0 {
				t.Fatal("li.chen is in no group")
			}
			vpn := s.Okta.GroupID("VPN Users")
			resp, err = c.GroupAPI.AssignUserToGroup(ctx, vpn, id).Execute()
			must(t, f, "add group member", resp, err)
			if !inGroup(t, f, c, id, vpn) {
				t.Fatal("add group member: not in the group")
			}
			resp, err = c.GroupAPI.UnassignUserFromGroup(ctx, vpn, id).Execute()
			must(t, f, "remove group member", resp, err)
			if inGroup(t, f, c, id, vpn) {
				t.Fatal("remove group member: still in the group")
			}

			// App assignment and unassignment.
			_, resp, err = c.UserAPI.ActivateUser(ctx, id).SendEmail(false).Execute()
			must(t, f, "activate again", resp, err)
			// An app no group of theirs grants: Okta refuses to unassign one
			// a group gives (E0000046).
			appID = ""
			for _, a := range s.Okta.Apps() {
				if !slices.Contains(s.Okta.AppUserLogins(a.ID), login) {
					appID = a.ID
					break
				}
			}
			if appID == "" {
				t.Fatal("every app is granted to the new user by a group")
			}
			assign := okta.AppUserAssignRequest{Id: id, Scope: okta.PtrString("USER")}
			given, resp, err := c.ApplicationUsersAPI.AssignUserToApplication(ctx, appID).AppUser(assign).Execute()
			must(t, f, "assign app", resp, err)
			if given.GetId() != id || !slices.Contains(s.Okta.AppUserLogins(appID), login) {
				t.Fatalf("assign app: answer %+v, assigned %v", given, s.Okta.AppUserLogins(appID))
			}
			resp, err = c.ApplicationUsersAPI.UnassignUserFromApplication(ctx, appID, id).SendEmail(false).Execute()
			must(t, f, "unassign app", resp, err)
			if slices.Contains(s.Okta.AppUserLogins(appID), login) {
				t.Fatal("unassign app: still assigned")
			}

			// The System Log: filtered, newest first, paged; then a 429 the
			// SDK waits out and retries with Okta's retry headers.
			since := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
			events, resp, err := c.SystemLogAPI.ListLogEvents(ctx).Since(since).Filter(`eventType eq "user.session.start"`).
				SortOrder("DESCENDING").Limit(20).Execute()
			must(t, f, "list log events", resp, err)
			if len(events) == 0 || events[0].GetEventType() != "user.session.start" || events[0].Published == nil {
				t.Fatalf("log events decoded as %+v", events)
			}
			var older []okta.LogEvent
			if resp.HasNextPage() {
				resp, err = resp.Next(&older)
				must(t, f, "next page of log events", resp, err)
			}
			reset := time.Now().Add(time.Second).Unix()
			s.Okta.Inject(&sim.Fault{Path: "/api/v1/logs", Status: http.StatusTooManyRequests, Times: 1,
				Header: http.Header{"X-Rate-Limit-Limit": {"120"}, "X-Rate-Limit-Remaining": {"0"},
					"X-Rate-Limit-Reset": {strconv.FormatInt(reset, 10)}, "X-Okta-Request-Id": {"oae-429-contract"}},
				Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oae-429-contract","errorCauses":[]}`})
			before := len(f.requests("GET", "/api/v1/logs"))
			_, resp, err = c.SystemLogAPI.ListLogEvents(ctx).Since(since).Limit(5).Execute()
			must(t, f, "log events after a 429", resp, err)
			logs := f.requests("GET", "/api/v1/logs")[before:]
			if len(logs) != 2 || logs[1].header.Get("X-Okta-Retry-For") != "oae-429-contract" || logs[1].header.Get("X-Okta-Retry-Count") == "" {
				t.Fatalf("after a 429 the SDK must retry once with Okta's retry headers: %d requests, %v", len(logs), logs)
			}

			// Every API call carried the mode's scheme.
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, r := range f.reqs {
				if strings.HasPrefix(r.path, "/api/") && !strings.HasPrefix(r.header.Get("Authorization"), m.scheme+" ") {
					t.Fatalf("%s %s went with %q", r.method, r.path, r.header.Get("Authorization"))
				}
			}
		})
	}
}

// withStatus is the login of a seeded person Okta holds in status.
func withStatus(t *testing.T, s *sim.Sim, status string) string {
	t.Helper()
	for i := 0; i < 300; i++ {
		if email := sim.PersonAt(i).Email; s.Okta.UserStatus(email) == status {
			return email
		}
	}
	t.Fatalf("no %s person in the simulator", status)
	return ""
}

// inGroup asks, through the SDK, whether the user is in the group.
func inGroup(t *testing.T, f *front, c *okta.APIClient, user, group string) bool {
	t.Helper()
	gs, resp, err := c.UserAPI.ListUserGroups(context.Background(), user).Execute()
	must(t, f, "list user groups", resp, err)
	for _, g := range gs {
		if g.GetId() == group {
			return true
		}
	}
	return false
}
