package sim

import (
	"crypto"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Okta credentials the simulator accepts. The API token is sent as
// "Authorization: SSWS <token>"; the service app signs its client
// assertions with a key registered by TrustKey.
const (
	OktaAPIToken = "00demo-okta-ssws-api-token-triage"
	OktaClientID = "0oademo0service0app7"
)

// OktaScopes are the scopes the simulated service app was granted.
var OktaScopes = []string{"okta.apps.read", "okta.apps.manage", "okta.logs.read", "okta.users.read", "okta.users.manage",
	"okta.groups.read", "okta.groups.manage", "okta.sessions.manage"}

// Okta rate-limit buckets per minute, as in Okta's published example for the
// System Log and its per-org figures for the rest.
const (
	oktaLogsPerMinute  = 120
	oktaOtherPerMinute = 600
)

// Okta simulates an Okta org: applications and assignments, groups, the
// shared people as users with a lifecycle, and a System Log over the seven
// days before Now that is generated on demand, so it scales past 100,000
// events in a few megabytes.
//
// Auth: "SSWS <OktaAPIToken>", or a bearer token from POST
// /oauth2/v1/token, where the client assertion's signature is verified
// against the keys registered with TrustKey and its claims checked (aud is
// the token URL, iss and sub the client id, exp at most an hour after iat,
// a jti never seen before). Anything else is a 401 E0000011.
type Okta struct {
	*Server
	opts    *Options
	bearers *tokens
	limits  *rateLimits
	errors  atomic.Int64

	mu       sync.RWMutex
	apiToken string
	keys     map[string]crypto.PublicKey // service-app keys by kid ("" when the app has one key)
	jtis     map[string]bool
	scopes   map[string][]string // bearer token -> granted scopes

	apps   []*oktaApp
	users  []*oktaUser
	groups []*oktaGroup
	byID   map[string]*oktaUser
	log    oktaLog
}

func newOkta(o *Options) (*Okta, error) {
	s := &Okta{opts: o, bearers: newTokens(), apiToken: OktaAPIToken,
		keys: map[string]crypto.PublicKey{}, jtis: map[string]bool{}, scopes: map[string][]string{},
		limits: newRateLimits(time.Minute)}
	s.seed()
	srv, err := serve("okta", o, s.routes())
	if err != nil {
		return nil, err
	}
	srv.limited = s.randomLimit
	s.Server = srv
	return s, nil
}

// notFound is Okta's 404: E0000007 naming what was asked for and, when
// known, its kind ("User", "AppInstance").
func (s *Okta) notFound(w http.ResponseWriter, what, kind string) {
	if kind != "" {
		what += " (" + kind + ")"
	}
	s.fail(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+what)
}

// now is the simulated present.
func (s *Okta) now() time.Time { return s.opts.now() }

// TrustKey registers a public key of the service app OktaClientID, as an
// admin adds a key to the app; kid "" matches assertions without a kid.
func (s *Okta) TrustKey(kid string, pub crypto.PublicKey) {
	s.mu.Lock()
	s.keys[kid] = pub
	s.mu.Unlock()
}

// RevokeAPIToken revokes the API token, as an admin would: every SSWS
// call is then a 401.
func (s *Okta) RevokeAPIToken() {
	s.mu.Lock()
	s.apiToken = ""
	s.mu.Unlock()
}

// RevokeTokens invalidates every OAuth access token issued.
func (s *Okta) RevokeTokens() { s.bearers.revokeAll() }

// Tokens is how many OAuth access tokens were issued.
func (s *Okta) Tokens() int64 { return s.bearers.Issued() }

// IssuedTokens lists every bearer token the tenant handed out, for tests
// that search output for credentials.
func (s *Okta) IssuedTokens() []string { return s.bearers.list() }

// SetRateLimit sets a bucket's requests per minute ("/api/v1/logs",
// "/api/v1/apps", "/api/v1/users", "/api/v1/groups") and refills it.
func (s *Okta) SetRateLimit(bucket string, perMinute int) { s.limits.set(bucket, perMinute) }

func (s *Okta) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/v1/token", s.token)
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/apps", s.listApps)
	api.HandleFunc("GET /api/v1/apps/{app}", s.getApp)
	api.HandleFunc("GET /api/v1/apps/{app}/users", s.appUsers)
	api.HandleFunc("GET /api/v1/apps/{app}/users/{user}", s.appUser)
	api.HandleFunc("GET /api/v1/groups/{group}", s.getGroup)
	api.HandleFunc("GET /api/v1/groups/{group}/users", s.groupUsers)
	api.HandleFunc("GET /api/v1/users", s.listUsers)
	api.HandleFunc("POST /api/v1/users", s.createUser)
	api.HandleFunc("GET /api/v1/users/{user}", s.getUser)
	api.HandleFunc("POST /api/v1/users/{user}", s.updateUser)
	api.HandleFunc("GET /api/v1/users/{user}/groups", s.userGroups)
	api.HandleFunc("GET /api/v1/users/{user}/appLinks", s.appLinks)
	api.HandleFunc("POST /api/v1/users/{user}/lifecycle/{op}", s.lifecycle)
	api.HandleFunc("DELETE /api/v1/users/{user}/sessions", s.clearSessions)
	api.HandleFunc("GET /api/v1/logs", s.logs)
	s.groupRoutes(api)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.notFound(w, r.Method+" "+r.URL.Path, "")
	})
	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r) {
			return
		}
		if !s.limits.take(w.Header(), r.URL.Path) {
			s.fail(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
			return
		}
		api.ServeHTTP(w, r)
	}))
	return mux
}

// oktaError is Okta's error body.
type oktaError struct {
	ErrorCode    string      `json:"errorCode"`
	ErrorSummary string      `json:"errorSummary"`
	ErrorLink    string      `json:"errorLink"`
	ErrorID      string      `json:"errorId"`
	ErrorCauses  []oktaCause `json:"errorCauses"`
}

type oktaCause struct {
	ErrorSummary string `json:"errorSummary"`
}

func (s *Okta) fail(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	e := oktaError{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorCauses: []oktaCause{}}
	e.ErrorID = fmt.Sprintf("oae%019d", s.errors.Add(1))
	for _, c := range causes {
		e.ErrorCauses = append(e.ErrorCauses, oktaCause{c})
	}
	w.Header().Set("X-Okta-Request-Id", e.ErrorID)
	writeJSON(w, status, e)
}

// invalid is Okta's 400 for a bad parameter ("param: reason"), naming the
// parameter and giving the reason as its cause.
func (s *Okta) invalid(w http.ResponseWriter, problem string) {
	param, reason, _ := strings.Cut(problem, ": ")
	s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+param, reason)
}

// randomLimit answers the RateLimitRate knob's 429s the way Okta does.
func (s *Okta) randomLimit(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(s.limits.limit(r.URL.Path)))
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10))
	s.fail(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
}

// --- auth ----------------------------------------------------------------

func (s *Okta) authorized(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "SSWS "); ok {
		s.mu.RLock()
		valid := s.apiToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.apiToken)) == 1
		s.mu.RUnlock()
		if valid {
			return true
		}
		s.fail(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return false
	}
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok && s.bearers.valid(r) {
		need := scopeFor(r.Method, r.URL.Path)
		s.mu.RLock()
		granted := s.scopes[tok]
		s.mu.RUnlock()
		if hasScope(granted, need) {
			return true
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/oauth2/v1/authorize", realm="IdpMyAccountAPI", scope="%s", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`, s.URL, need))
		s.fail(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
		return false
	}
	if strings.HasPrefix(h, "Bearer ") {
		// Okta's resource server explains a bad bearer token only in the
		// challenge header.
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/oauth2/v1/authorize", realm="IdpMyAccountAPI", error="invalid_token", error_description="The access token is invalid."`, s.URL))
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	s.fail(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
	return false
}

// scopeFor is the okta.* scope an API call needs: .read for reads (.manage
// also allows them), .manage for changes.
func scopeFor(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	res := "users"
	if len(parts) >= 3 {
		res = parts[2]
	}
	if len(parts) >= 5 && parts[4] == "sessions" {
		res = "users"
	}
	if method == http.MethodGet {
		return "okta." + res + ".read"
	}
	return "okta." + res + ".manage"
}

func hasScope(granted []string, need string) bool {
	manage := strings.TrimSuffix(need, ".read") + ".manage"
	for _, g := range granted {
		if g == need || g == manage {
			return true
		}
	}
	return false
}

// token is the org authorization server's client-credentials grant for a
// service app authenticating with private_key_jwt.
func (s *Okta) token(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(status int, code, desc string) {
		writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthErr(http.StatusBadRequest, "invalid_request", "The request must be form-encoded.")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthErr(http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "client_credentials":
		oauthErr(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	case f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || f.Get("client_assertion") == "":
		oauthErr(http.StatusUnauthorized, "invalid_client", "The client_assertion_type and client_assertion parameters are required for private_key_jwt.")
		return
	case f.Get("client_secret") != "":
		oauthErr(http.StatusUnauthorized, "invalid_client", "Client authentication failed: this app authenticates with private_key_jwt, not a secret.")
		return
	}
	if desc := s.checkAssertion(f.Get("client_assertion"), f.Get("client_id")); desc != "" {
		oauthErr(http.StatusUnauthorized, "invalid_client", desc)
		return
	}
	asked := strings.Fields(f.Get("scope"))
	if len(asked) == 0 {
		oauthErr(http.StatusBadRequest, "invalid_scope", "The authorization server requires a scope.")
		return
	}
	var refused []string
	for _, sc := range asked {
		if !hasScope(OktaScopes, sc) {
			refused = append(refused, sc)
		}
	}
	if len(refused) > 0 {
		oauthErr(http.StatusBadRequest, "invalid_scope", "The following scopes are not allowed: "+strings.Join(refused, " "))
		return
	}
	tok := s.bearers.issue("okta", time.Hour)
	s.mu.Lock()
	s.scopes[tok] = asked
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": tok, "scope": strings.Join(asked, " ")})
}

// checkAssertion verifies a client assertion; "" means it is good.
func (s *Okta) checkAssertion(assertion, formClientID string) string {
	aud := s.URL + "/oauth2/v1/token"
	claims := jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(assertion, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		s.mu.RLock()
		defer s.mu.RUnlock()
		if k, ok := s.keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("no key with kid %q is registered for the app", kid)
	}, jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}),
		jwt.WithAudience(aud), jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second))
	switch {
	case err != nil:
		return "The client_assertion token is invalid: " + err.Error()
	case claims.Issuer != OktaClientID || claims.Subject != OktaClientID:
		return "The client_assertion iss and sub claims must be the client id."
	case formClientID != "" && formClientID != OktaClientID:
		return "The client_id does not match the client_assertion."
	case claims.IssuedAt == nil || claims.ExpiresAt.Sub(claims.IssuedAt.Time) > time.Hour:
		return "The client_assertion token has an expiration too far in the future."
	case claims.ID == "":
		return "The client_assertion token must have a jti claim."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jtis[claims.ID] {
		return "The client_assertion token has already been used (jti replay)."
	}
	s.jtis[claims.ID] = true
	return ""
}

// --- rate limits ---------------------------------------------------------

// rateLimits are Okta's per-endpoint buckets: a number of requests per
// window, reported on every answer, refusing with 429 when used up.
type rateLimits struct {
	mu      sync.Mutex
	window  time.Duration
	limits  map[string]int
	buckets map[string]*rlBucket
}

type rlBucket struct {
	remaining int
	reset     time.Time
}

func newRateLimits(window time.Duration) *rateLimits {
	return &rateLimits{window: window, limits: map[string]int{"/api/v1/logs": oktaLogsPerMinute}, buckets: map[string]*rlBucket{}}
}

// rlKey groups paths as Okta's buckets do: by the resource collection.
func rlKey(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return "/" + strings.Join(parts, "/")
}

func (l *rateLimits) limit(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limitLocked(rlKey(path))
}

func (l *rateLimits) limitLocked(key string) int {
	if n, ok := l.limits[key]; ok {
		return n
	}
	return oktaOtherPerMinute
}

func (l *rateLimits) set(bucket string, perMinute int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits[bucket] = perMinute
	delete(l.buckets, bucket)
}

// take spends one request of path's bucket, setting the headers Okta sends
// on every answer; false means the bucket is empty (answer 429).
func (l *rateLimits) take(h http.Header, path string) bool {
	key := rlKey(path)
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := l.limitLocked(key)
	b := l.buckets[key]
	if b == nil || !now.Before(b.reset) {
		b = &rlBucket{remaining: limit, reset: now.Add(l.window).Truncate(time.Second)}
		l.buckets[key] = b
	}
	ok := b.remaining > 0
	if ok {
		b.remaining--
	}
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(b.remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	return ok
}

// --- paging --------------------------------------------------------------

// setLinks writes the Link headers of a page: self, and next with the
// cursor when there is one. The next link carries the request's own query,
// so following it verbatim continues the same query.
func (s *Okta) setLinks(w http.ResponseWriter, r *http.Request, after string) {
	self := s.URL + r.URL.Path
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if after == "" {
		return
	}
	q := r.URL.Query()
	q.Set("after", after)
	w.Header().Add("Link", "<"+s.URL+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
}

// pageLimit reads limit with Okta's bounds for the endpoint.
func pageLimit(q url.Values, def, most int) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("limit: %q is not a number of results", v)
	}
	if n > most {
		return 0, fmt.Errorf("limit: must be between 0 and %d", most)
	}
	return n, nil
}
