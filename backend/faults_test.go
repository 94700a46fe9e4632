package backend_test

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"triage/backend"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/saas"
	"triage/backend/sim"
)

// The fault matrix: every vendor's read against every fault the simulators
// can inject. A read either recovers within its budget or fails with one
// line naming the vendor, the tenant and what went wrong; no goroutine
// outlives the reads.

// The tenants' per-attempt timeout. A fault that makes the timeout fire (a
// delay, a trickled answer) runs with short, so its read fails fast; the
// others run with timeout, far above what a healthy exchange on loopback
// takes even under -race on a loaded machine, so that no attempt meant to
// succeed times out and changes the attempts counted. short still leaves
// the healthy exchanges of its faults (the retry after a timed-out
// attempt, a token request) a second. At most concurrent faults run at
// once, so that the start of each (simulators, clients, tokens) does not
// pile up on the CPU.
const (
	timeout    = 5 * time.Second
	short      = time.Second
	concurrent = 24
)

// budget is the longest a read may take: four attempts of a timeout each,
// the backoff between them (at most 0.3+0.6+1.2s) and what the vendor
// asked us to wait. The check allows 10s more: a failure bound, not a
// measure. A loaded machine delays a read by far less, while a read that
// ignores its bound takes far longer (a trickled answer read to its end
// takes minutes).
func budget(f fault) time.Duration {
	return 4*f.attemptTimeout() + 2100*time.Millisecond + f.waited
}

// tenant is one configured tenant and the read the matrix makes of it.
type tenant struct {
	name   string // "ITM demo"
	vendor func(s *sim.Sim) *sim.Server
	method string // of the read
	path   string // the read's API path, where faults are injected
	token  string // the token endpoint; "" for a static credential
	read   func(ctx context.Context, s *backend.Set) (int, error)
	revoke func(s *sim.Sim)       // invalidates every bearer token the simulator issued
	issued func(s *sim.Sim) int64 // tokens the simulator issued
	only   bool                   // runs only the credential cases (a second tenant of a vendor)
	rows   int                    // the read returns at least this many items
}

// subject is a tenant bound to the simulator of one fault.
type subject struct {
	tenant
	server *sim.Server
	sim    *sim.Sim
}

func (sb subject) revoke() { sb.tenant.revoke(sb.sim) }

// issued is how many tokens the simulator issued; -1 for a static
// credential.
func (sb subject) issued() int64 {
	if sb.tenant.issued == nil {
		return -1
	}
	return sb.tenant.issued(sb.sim)
}

// fault is one row of the matrix.
type fault struct {
	name string
	// applies says which tenants the fault makes sense for.
	applies func(tn tenant) bool
	// inject spoils the vendor's next answers; it may also read first to
	// put the client in the state the fault needs (a token to revoke).
	inject func(t *testing.T, sb subject, set *backend.Set)
	// want is "" when the read must recover, else text of its one-line
	// error.
	want string
	// attempts the read makes on the API path; 0 is not checked.
	attempts int
	// replayed marks a reset before the answer, which Go's transport
	// itself replays once for a GET on a reused connection: up to twice
	// the attempts may reach the vendor, and each was a read.
	replayed bool
	// waited is the least the read must have waited (a Retry-After or a
	// rate-limit reset honoured).
	waited time.Duration
	// tokens is the most tokens the simulator issues during the read; -1
	// is not checked.
	tokens int64
	// auth marks the cases about credentials.
	auth bool
	// timeout is the tenant's per-attempt timeout; 0 is the package's
	// timeout.
	timeout time.Duration
}

func (f fault) attemptTimeout() time.Duration {
	if f.timeout > 0 {
		return f.timeout
	}
	return timeout
}

// expected is about how long the fault's read takes, to start the longest
// first.
func (f fault) expected() time.Duration {
	return f.waited + time.Duration(f.attempts)*f.timeout
}

func all(tenant) bool         { return true }
func withToken(t tenant) bool { return t.token != "" }
func static(t tenant) bool    { return t.token == "" }

// inject spoils the answers of the tenant's read.
func inject(build func() *sim.Fault) func(*testing.T, subject, *backend.Set) {
	return func(_ *testing.T, sb subject, _ *backend.Set) {
		f := build()
		f.Path = sb.path
		sb.server.Inject(f)
	}
}

// onToken spoils the answers of the tenant's token endpoint.
func onToken(build func() *sim.Fault) func(*testing.T, subject, *backend.Set) {
	return func(_ *testing.T, sb subject, _ *backend.Set) {
		f := build()
		f.Path = sb.token
		sb.server.Inject(f)
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const outage = `{"message":"simulated outage"}`

var faults = []fault{
	{name: "latency spike past the timeout", applies: all, timeout: short, attempts: 2, tokens: -1,
		inject: inject(func() *sim.Fault { return &sim.Fault{Delay: 3 * short, Times: 1} })},
	{name: "429 burst with Retry-After", applies: all, attempts: 3, waited: 2 * time.Second, tokens: -1,
		inject: inject(func() *sim.Fault {
			return &sim.Fault{Status: 429, Header: hdr("Retry-After", "1"), Body: `{"message":"rate limit exceeded"}`, Times: 2}
		})},
	{name: "429 with X-Rate-Limit-Reset", applies: all, attempts: 2, waited: time.Second, tokens: -1,
		inject: func(t *testing.T, sb subject, set *backend.Set) {
			// A rate-limit window is a protocol timer: the wall clock's.
			reset := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
			inject(func() *sim.Fault {
				return &sim.Fault{Status: 429, Times: 1, Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`,
					Header: hdr("X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", reset)}
			})(t, sb, set)
		}},
	{name: "429 storm", applies: all, want: "429", attempts: 4, waited: 3 * time.Second, tokens: -1,
		inject: inject(func() *sim.Fault {
			return &sim.Fault{Status: 429, Header: hdr("Retry-After", "1"), Body: `{"message":"rate limit exceeded"}`}
		})},
	{name: "500", applies: all, want: "500: simulated outage", attempts: 1, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Status: 500, Body: outage} })},
	{name: "502 then recovery", applies: all, attempts: 3, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Status: 502, Body: outage, Times: 2} })},
	{name: "503 then recovery", applies: all, attempts: 3, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Status: 503, Body: outage, Times: 2} })},
	{name: "504 then recovery", applies: all, attempts: 3, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Status: 504, Body: outage, Times: 2} })},
	{name: "503 that lasts", applies: all, want: "503: simulated outage", attempts: 4, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Status: 503, Body: outage} })},
	{name: "reset before the answer", applies: all, attempts: 2, replayed: true, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Drop: true, Times: 1} })},
	{name: "reset before every answer", applies: all, want: "connection reset by the server", attempts: 4, replayed: true, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Drop: true} })},
	{name: "reset in the middle of the body", applies: all, attempts: 2, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Cut: true, Times: 1} })},
	{name: "reset in the middle of every body", applies: all, want: "connection reset by the server", attempts: 4, tokens: -1,
		inject: inject(func() *sim.Fault { return &sim.Fault{Cut: true} })},
	{name: "truncated JSON", applies: all, want: "200: malformed JSON", attempts: 1, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Status: 200, Body: `{"data":[{"id":"a1","na`} })},
	{name: "HTML error page with status 200", applies: all, want: "200: HTML page: Upstream maintenance", attempts: 1, tokens: -1,
		inject: inject(func() *sim.Fault {
			return &sim.Fault{Status: 200, Header: hdr("Content-Type", "text/html"),
				Body: "<html><head><title>Upstream maintenance</title></head><body><h1>Sorry</h1></body></html>"}
		})},
	{name: "empty 200", applies: all, want: "200: empty response", attempts: 1, tokens: -1, inject: inject(func() *sim.Fault { return &sim.Fault{Status: 200} })},
	{name: "slow-loris answer once", applies: all, timeout: short, attempts: 2, tokens: -1,
		inject: inject(func() *sim.Fault { return &sim.Fault{Trickle: short / 4, Times: 1} })},
	{name: "slow-loris answer every time", applies: all, want: "no answer within the timeout", timeout: short, attempts: 4, tokens: -1,
		inject: inject(func() *sim.Fault { return &sim.Fault{Trickle: short / 4} })},
	// Credentials.
	{name: "token revoked mid-session", applies: withToken, auth: true, attempts: 2, tokens: 1,
		inject: func(t *testing.T, sb subject, set *backend.Set) {
			if _, err := sb.read(context.Background(), set); err != nil {
				t.Fatalf("the read before the revocation: %v", err)
			}
			sb.revoke()
		}},
	{name: "401 that a new token does not cure", applies: withToken, auth: true, want: "401", attempts: 2, tokens: 2,
		inject: inject(func() *sim.Fault {
			return &sim.Fault{Status: 401, Body: `{"error":"invalid_token","error_description":"token revoked"}`}
		})},
	{name: "credential revoked", applies: static, auth: true, want: "401: credential revoked", attempts: 1, tokens: -1,
		inject: inject(func() *sim.Fault { return &sim.Fault{Status: 401, Body: `{"message":"credential revoked"}`} })},
	{name: "token endpoint resets once", applies: withToken, auth: true, attempts: 1, tokens: 2, inject: onToken(func() *sim.Fault { return &sim.Fault{Drop: true, Times: 1} })},
	{name: "token endpoint 503 once", applies: withToken, auth: true, attempts: 1, tokens: 2,
		inject: onToken(func() *sim.Fault {
			return &sim.Fault{Status: 503, Body: `{"error":"temporarily_unavailable","error_description":"try again"}`, Times: 1}
		})},
	{name: "token endpoint down", applies: withToken, auth: true, want: "token request failed: connection", attempts: 0, tokens: 4,
		inject: onToken(func() *sim.Fault { return &sim.Fault{Drop: true} })},
}

// tenants are the reads of the matrix, one per tenant of the simulators'
// config, and a service app (private_key_jwt) as a second Okta tenant.
var tenants = []tenant{
	{name: "ITM demo", vendor: func(s *sim.Sim) *sim.Server { return s.ITM.Server }, method: "POST", path: "/v2/apis/activity/event-queries",
		token: "/v2/apis/auth/oauth/token", rows: 10,
		revoke: func(s *sim.Sim) { s.ITM.RevokeTokens() }, issued: func(s *sim.Sim) int64 { return s.ITM.Tokens() },
		read: func(ctx context.Context, set *backend.Set) (int, error) {
			p, err := set.ITM[0].Incidents(ctx, itmQuery())
			return len(p.Tickets), err
		}},
	{name: "SaaS demo", vendor: func(s *sim.Sim) *sim.Server { return s.SaaS.Server }, method: "GET", path: "/incident/api/incidents/delta",
		token: "/oauth/token", rows: 10,
		revoke: func(s *sim.Sim) { s.SaaS.RevokeTokens() }, issued: func(s *sim.Sim) int64 { return s.SaaS.Tokens() },
		read: func(ctx context.Context, set *backend.Set) (int, error) {
			p, err := set.SaaS[0].Incidents(ctx, saasQuery())
			return len(p.Incidents), err
		}},
	{name: "Okta demo", vendor: func(s *sim.Sim) *sim.Server { return s.Okta.Server }, method: "GET", path: "/api/v1/users", rows: 5,
		read: func(ctx context.Context, set *backend.Set) (int, error) {
			p, err := set.Okta[0].Users(ctx, okta.UserQuery{Limit: 5}, "")
			return len(p.Items), err
		}},
	{name: "Okta svc", vendor: func(s *sim.Sim) *sim.Server { return s.Okta.Server }, method: "GET", path: "/api/v1/users",
		token: "/oauth2/v1/token", only: true, rows: 5,
		revoke: func(s *sim.Sim) { s.Okta.RevokeTokens() }, issued: func(s *sim.Sim) int64 { return s.Okta.Tokens() },
		read: func(ctx context.Context, set *backend.Set) (int, error) {
			p, err := set.Okta[1].Users(ctx, okta.UserQuery{Limit: 5}, "")
			return len(p.Items), err
		}},
	{name: "Atlassian demo", vendor: func(s *sim.Sim) *sim.Server { return s.Atlassian.Server }, method: "GET",
		path: "/scim/directory/" + sim.AtlassianDirectoryID + "/Users", rows: 10,
		read: func(ctx context.Context, set *backend.Set) (int, error) {
			p, err := set.Atlassian[0].Users(ctx, 1, 10)
			return len(p.Items), err
		}},
	{name: "Essentials demo", vendor: func(s *sim.Sim) *sim.Server { return s.Essentials.Server }, method: "GET",
		path: "/api/v1/orgs/" + sim.Domain + "/users", rows: 10,
		read: func(ctx context.Context, set *backend.Set) (int, error) {
			users, err := set.Essentials[0].Users(ctx)
			return len(users), err
		}},
}

func TestFaultMatrix(t *testing.T) {
	before := runtime.NumGoroutine()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeKey(t, key)
	// Every fault has its own simulators and fresh clients, so no fault,
	// token or rate-limit state carries over, and the faults run side by
	// side, the longest first (in goroutines: t.Parallel would hold them
	// to GOMAXPROCS at a time, and they mostly wait).
	type job struct {
		tn tenant
		f  fault
	}
	var jobs []job
	for _, tn := range tenants {
		for _, f := range faults {
			if f.applies(tn) && (!tn.only || f.auth) {
				jobs = append(jobs, job{tn, f})
			}
		}
	}
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(b.f.expected(), a.f.expected()) })
	var wg sync.WaitGroup
	slots := make(chan struct{}, concurrent)
	for _, j := range jobs {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			t.Run(j.tn.name+"/"+j.f.name, func(t *testing.T) {
				sb, set := open(t, j.tn, j.f.attemptTimeout(), key, keyFile)
				runFault(t, sb, j.f, set)
			})
		}()
	}
	wg.Wait()
	// Every request has ended and every simulator is closed: once the
	// kept-alive connections are closed no goroutine of the clients or of
	// the simulators' handlers is left.
	settled := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); settled > before && time.Now().Before(deadline); settled = runtime.NumGoroutine() {
		time.Sleep(50 * time.Millisecond)
	}
	if settled > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before the matrix, %d after:\n%s", before, settled, buf[:runtime.Stack(buf, true)])
	}
}

// open starts the simulators of one fault and opens clients of every
// tenant with the fault's timeout; both end with the test.
func open(t *testing.T, tn tenant, timeout time.Duration, key *ecdsa.PrivateKey, keyFile string) (subject, *backend.Set) {
	t.Helper()
	s, err := sim.Start(sim.Options{Rows: 30, Clock: clock.Pin(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cfg := s.Config()
	s.Okta.TrustKey("matrix", key.Public())
	cfg.Okta = append(cfg.Okta, config.Okta{Name: "svc", URL: s.Okta.URL, ClientID: sim.OktaClientID, KeyID: "matrix",
		PrivateKeyFile: keyFile, Scopes: config.DefaultOktaScopes})
	conn := config.Conn{Timeout: config.Duration{Duration: timeout}}
	for i := range cfg.ITM {
		cfg.ITM[i].Conn = conn
	}
	for i := range cfg.SaaS {
		cfg.SaaS[i].Conn = conn
	}
	for i := range cfg.Okta {
		cfg.Okta[i].Conn = conn
	}
	for i := range cfg.Atlassian {
		cfg.Atlassian[i].Conn = conn
	}
	for i := range cfg.Essentials {
		cfg.Essentials[i].Conn = conn
	}
	set, err := backend.Open(cfg, backend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeIdle(set) })
	return subject{tenant: tn, server: tn.vendor(s), sim: s}, set
}

func runFault(t *testing.T, sb subject, f fault, set *backend.Set) {
	f.inject(t, sb, set)
	tokensBefore := sb.issued()
	calls := sb.server.Count(sb.method + " " + sb.path)
	start := time.Now()
	n, err := sb.read(context.Background(), set)
	took := time.Since(start)
	if f.want == "" {
		if err != nil {
			t.Fatalf("the read did not recover: %v", err)
		}
		if n < sb.rows {
			t.Fatalf("the read recovered with %d items, want %d", n, sb.rows)
		}
	} else {
		if err == nil {
			t.Fatalf("the read succeeded with %d items; want an error saying %q", n, f.want)
		}
		oneClearLine(t, sb.tenant, err.Error(), f.want)
	}
	if limit := budget(f); took > limit+10*time.Second {
		t.Errorf("the read took %s, over its budget of %s and 10s of slack", took.Round(time.Millisecond), limit)
	}
	if took < f.waited {
		t.Errorf("the read took %s: it did not wait the %s the vendor asked for", took.Round(time.Millisecond), f.waited)
	}
	got := sb.server.Count(sb.method+" "+sb.path) - calls
	switch {
	case f.replayed && (got < f.attempts || got > 2*f.attempts):
		t.Errorf("%d requests to %s, want %d to %d", got, sb.path, f.attempts, 2*f.attempts)
	case !f.replayed && f.attempts > 0 && got != f.attempts:
		t.Errorf("%d requests to %s, want %d", got, sb.path, f.attempts)
	}
	if f.tokens >= 0 && tokensBefore >= 0 {
		// The simulator counts tokens it issued; the fetches the faults
		// spoiled are not among them.
		if got := sb.issued() - tokensBefore; got > f.tokens {
			t.Errorf("%d tokens issued, want at most %d", got, f.tokens)
		}
	}
}

// oneClearLine checks an error is one line that starts with the vendor and
// tenant, says want, and carries no transport noise (addresses, Go syntax).
func oneClearLine(t *testing.T, tn tenant, msg, want string) {
	t.Helper()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("more than one line: %q", msg)
	}
	if !strings.HasPrefix(msg, tn.name+": ") {
		t.Errorf("%q does not start with %q", msg, tn.name+": ")
	}
	if !strings.Contains(msg, want) {
		t.Errorf("%q does not say %q", msg, want)
	}
	for _, noise := range []string{"127.0.0.1", "%!", "&{", "<nil>"} {
		if strings.Contains(msg, noise) {
			t.Errorf("%q carries %q", msg, noise)
		}
	}
}

func closeIdle(set *backend.Set) {
	for _, tn := range set.Tenants() {
		tn.HTTP.CloseIdleConnections()
	}
}

func writeKey(t *testing.T, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "okta.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func itmQuery() itm.Query   { return itm.Query{Limit: 10} }
func saasQuery() saas.Query { return saas.Query{Limit: 10} }
