package sim

import (
	"crypto"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Okta credentials the simulator accepts. The API token is sent as
// "Authorization: SSWS <token>"; the service apps sign their client
// assertions with a key registered by TrustKey. OktaDPoPClientID is a
// second service app that requires DPoP (RFC 9449), as Okta's "Require
// Demonstrating Proof of Possession" setting does (on by default for API
// service apps made since 2024): its token requests need a proof with the
// org's nonce, and its tokens are DPoP-bound.
const (
	OktaAPIToken     = "00demo-okta-ssws-api-token-triage"
	OktaClientID     = "0oademo0service0app7"
	OktaDPoPClientID = "0oademo0dpop0service8"
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
// Auth: "SSWS <OktaAPIToken>", or a token from POST /oauth2/v1/token (see
// okta_auth.go). Anything else is a 401 E0000011.
type Okta struct {
	*Server
	opts    *Options
	bearers *tokens
	limits  *rateLimits
	errors  atomic.Int64

	mu       sync.RWMutex
	apiToken string
	clients  map[string]*serviceApp // service apps by client id
	jtis     map[string]bool        // client assertions' jti
	scopes   map[string][]string    // access token -> granted scopes
	dpop     *dpopState
	retries  []OktaRetry

	apps   []*oktaApp
	users  []*oktaUser
	groups []*oktaGroup
	byID   map[string]*oktaUser
	log    oktaLog
}

func newOkta(o *Options) (*Okta, error) {
	s := &Okta{opts: o, bearers: newTokens(), apiToken: OktaAPIToken,
		clients: map[string]*serviceApp{
			OktaClientID:     {keys: map[string]crypto.PublicKey{}},
			OktaDPoPClientID: {keys: map[string]crypto.PublicKey{}, requireDPoP: true},
		},
		jtis: map[string]bool{}, scopes: map[string][]string{}, dpop: newDPoPState(),
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

// TrustKey registers a public key with both service apps (OktaClientID
// and OktaDPoPClientID), as an admin adds a key to an app; kid "" matches
// assertions without a kid.
func (s *Okta) TrustKey(kid string, pub crypto.PublicKey) {
	s.mu.Lock()
	for _, app := range s.clients {
		app.keys[kid] = pub
	}
	s.mu.Unlock()
}

// RequireDPoP sets whether a service app requires DPoP-bound tokens.
func (s *Okta) RequireDPoP(clientID string, on bool) {
	s.mu.Lock()
	if app := s.clients[clientID]; app != nil {
		app.requireDPoP = on
	}
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

// SetRateWindow shortens the rate-limit window from Okta's minute (at
// least 2s: X-Rate-Limit-Reset counts whole seconds), so tests of pacing
// need not wait minutes; SetRateLimit's numbers are then per window. Every
// bucket refills.
func (s *Okta) SetRateWindow(d time.Duration) {
	l := s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	l.window = max(d, 2*time.Second)
	clear(l.buckets)
}

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
		s.noteRetry(r)
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
