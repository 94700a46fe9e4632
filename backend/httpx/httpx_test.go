package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/identity"
)

var responder = identity.Analyst{Name: "alice", Role: "responder"}

func writer(ctx context.Context) context.Context { return identity.With(ctx, responder) }

// tokenServer issues bearer tokens and counts the requests.
type tokenServer struct {
	issued  atomic.Int64
	expires int
}

func (ts *tokenServer) handle(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if r.Form.Get("client_secret") != "right" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"Invalid client credentials"}`)
		return
	}
	n := ts.issued.Add(1)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":%d}`, n, ts.expires)
}

func newClient(t *testing.T, srv *httptest.Server, auth Auth, sink audit.Sink) *Client {
	t.Helper()
	c, err := New(Options{Vendor: "ITM", Tenant: "prod", BaseURL: srv.URL + "/v2/apis", Auth: auth, Audit: sink,
		Conn:  config.Conn{Timeout: config.Duration{Duration: 10 * time.Second}}, // no test here times out on purpose
		Retry: Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func oauthToken(srv *httptest.Server, secret string) *Token {
	tok := NewToken(ClientCredentials(srv.URL+"/v2/apis/auth/oauth/token", "id", secret, []string{"*"}, oauth2.AuthStyleInParams, nil), 30*time.Second)
	tok.SetTokenPath("/v2/apis/auth/oauth/token")
	return tok
}

func TestTokenIsFetchedOnceAndShared(t *testing.T) {
	ts := &tokenServer{expires: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/apis/auth/oauth/token", ts.handle)
	mux.HandleFunc("GET /v2/apis/ping", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tok := oauthToken(srv, "right")
	c := newClient(t, srv, tok, nil)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out map[string]bool
			if _, err := c.Get(context.Background(), "/ping", nil, &out); err != nil || !out["ok"] {
				t.Errorf("get: %v %v", err, out)
			}
		}()
	}
	wg.Wait()
	if n := ts.issued.Load(); n != 1 || tok.Requests() != 1 {
		t.Fatalf("%d tokens issued for 20 concurrent requests, want 1", n)
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	ts := &tokenServer{expires: 20} // inside the 30s margin: every use renews
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/apis/auth/oauth/token", ts.handle)
	mux.HandleFunc("GET /v2/apis/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newClient(t, srv, oauthToken(srv, "right"), nil)
	c.Get(context.Background(), "/ping", nil, nil)
	c.Get(context.Background(), "/ping", nil, nil)
	if n := ts.issued.Load(); n != 2 {
		t.Fatalf("%d tokens, want a renewal before expiry (2)", n)
	}
}

func TestRevokedTokenIsRefreshedOnceOn401(t *testing.T) {
	ts := &tokenServer{expires: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/apis/auth/oauth/token", ts.handle)
	var calls atomic.Int64
	mux.HandleFunc("POST /v2/apis/activity/events/f1/annotations/comments", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") == "Bearer tok-1" { // revoked mid-session
			w.WriteHeader(401)
			return
		}
		w.WriteHeader(201)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mem := &audit.Memory{}
	c := newClient(t, srv, oauthToken(srv, "right"), mem)
	_, err := c.Send(writer(context.Background()), "POST", "/activity/events/f1/annotations/comments", map[string]any{"x": 1},
		&Write{Action: "itm.comment", Target: "f1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || ts.issued.Load() != 2 {
		t.Fatalf("calls=%d tokens=%d, want 2 and 2", calls.Load(), ts.issued.Load())
	}
	if es := mem.Entries(); len(es) != 1 || es[0].Outcome != audit.OK || es[0].Analyst != "alice" || es[0].Status != 201 {
		t.Fatalf("audit = %+v", es)
	}
}

func TestWrongClientSecretNamesVendorTenantStatusAndMessage(t *testing.T) {
	ts := &tokenServer{expires: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/apis/auth/oauth/token", ts.handle)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newClient(t, srv, oauthToken(srv, "wrong"), nil)
	_, err := c.Get(context.Background(), "/ping", nil, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	msg := err.Error()
	for _, want := range []string{"ITM prod", "401", "Invalid client credentials", "credentials"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "wrong") {
		t.Fatalf("secret in error: %q", msg)
	}
}

func TestReadsRetryTransientStatusesThenSucceed(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(503)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		case 3:
			w.WriteHeader(502)
		default:
			fmt.Fprint(w, `{"n":1}`)
		}
	}))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	var out map[string]int
	if _, err := c.Get(context.Background(), "/x", nil, &out); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 4 || out["n"] != 1 {
		t.Fatalf("calls = %d, out = %v", calls.Load(), out)
	}
}

func TestReadsGiveUpAfterTheAttemptBudget(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		fmt.Fprint(w, `{"message":"maintenance"}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	_, err := c.Get(context.Background(), "/x", nil, nil)
	if calls.Load() != 4 || StatusOf(err) != 503 || !strings.Contains(err.Error(), "maintenance") {
		t.Fatalf("calls=%d err=%v", calls.Load(), err)
	}
}

func TestRetryAfterLongerThanTheBudgetFailsFast(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	// Waiting as asked would take an hour; the context ends a wrong wait
	// early, and 10s is a failure bound, not a measure.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, "/x", nil, nil)
	if StatusOf(err) != 429 || calls.Load() != 1 || time.Since(start) > 10*time.Second {
		t.Fatalf("err=%v calls=%d after %s", err, calls.Load(), time.Since(start))
	}
}

func TestWritesAreNotRetriedAndAreAudited(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(503)
	}))
	defer srv.Close()
	mem := &audit.Memory{}
	c := newClient(t, srv, nil, mem)
	_, err := c.Send(writer(context.Background()), "PUT", "/a", map[string]string{"id": "u1"}, &Write{Action: "itm.assign", Target: "f1", Params: map[string]any{"assignee": "u1"}}, nil)
	if err == nil || calls.Load() != 1 {
		t.Fatalf("err=%v calls=%d, want one failed attempt", err, calls.Load())
	}
	es := mem.Entries()
	if len(es) != 1 || es[0].Outcome != audit.Failed || es[0].Status != 503 || es[0].Params["assignee"] != "u1" {
		t.Fatalf("audit = %+v", es)
	}
}

func TestReadOnlyAnalystWriteNeverLeaves(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	mem := &audit.Memory{}
	c := newClient(t, srv, nil, mem)
	ctx := identity.With(context.Background(), identity.Analyst{Name: "bob", Role: "read-only", Fingerprint: "SHA256:abc"})
	_, err := c.Send(ctx, "POST", "/c", map[string]string{}, &Write{Action: "itm.comment", Target: "f1"}, nil)
	if !errors.Is(err, ErrReadOnly) || calls.Load() != 0 {
		t.Fatalf("err=%v calls=%d", err, calls.Load())
	}
	es := mem.Entries()
	if len(es) != 1 || es[0].Outcome != audit.Refused || es[0].Fingerprint != "SHA256:abc" {
		t.Fatalf("audit = %+v", es)
	}
	// No identity at all is treated as read-only too.
	if _, err := c.Send(context.Background(), "POST", "/c", nil, &Write{Action: "x"}, nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("anonymous write: %v", err)
	}
}

func TestUndescribedWriteIsAProgrammingError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	if _, err := c.Do(writer(context.Background()), &Request{Method: "DELETE", Path: "/x"}); err == nil {
		t.Fatal("a DELETE without Write was sent")
	}
}

// hijack answers with a partial response and drops the connection, as a
// vendor that applied a write and then lost the answer would.
func hijack(w http.ResponseWriter, partial string) {
	conn, buf, _ := w.(http.Hijacker).Hijack()
	buf.WriteString(partial)
	buf.Flush()
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
}

func TestLostAnswerToAWriteIsUnknownNotRetried(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		hijack(w, "")
	}))
	defer srv.Close()
	mem := &audit.Memory{}
	c := newClient(t, srv, nil, mem)
	_, err := c.Send(writer(context.Background()), "POST", "/c", map[string]string{"text": "hi"}, &Write{Action: "itm.comment", Target: "f1"}, nil)
	if !IsUnknown(err) || calls.Load() != 1 {
		t.Fatalf("err=%v calls=%d", err, calls.Load())
	}
	if es := mem.Entries(); len(es) != 1 || es[0].Outcome != audit.Unknown {
		t.Fatalf("audit = %+v", es)
	}
}

func TestConnectionResetMidBodyIsRetriedForReads(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			hijack(w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n{\"data\":[")
			return
		}
		fmt.Fprint(w, `{"data":[1]}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	var out struct{ Data []int }
	if _, err := c.Get(context.Background(), "/x", nil, &out); err != nil || len(out.Data) != 1 {
		t.Fatalf("err=%v out=%v", err, out)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls = %d", calls.Load())
	}
}

func TestBadBodiesBecomeClearErrors(t *testing.T) {
	cases := map[string]struct {
		ctype, body, want string
	}{
		"html page with 200": {"text/html", "<html><head><title>Service Unavailable</title></head><body>x</body></html>", "HTML page: Service Unavailable"},
		"empty 200":          {"application/json", "", "empty response"},
		"truncated json":     {"application/json", `{"data":[{"id":`, "malformed JSON"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			c := newClient(t, srv, nil, nil)
			var out map[string]any
			_, err := c.Get(context.Background(), "/x", nil, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "ITM prod") {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestEmptyAnswerToAWriteIsSuccess(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	var out map[string]any
	if _, err := c.Send(writer(context.Background()), "PATCH", "/w", map[string]any{}, &Write{Action: "itm.status"}, &out); err != nil {
		t.Fatal(err)
	}
}

func TestSlowLorisAnswerTimesOut(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for i := 0; i < 1000; i++ {
			select {
			case <-release:
				return
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
				w.Write([]byte(" "))
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := New(Options{Vendor: "SaaS", Tenant: "us", BaseURL: srv.URL, Conn: config.Conn{Timeout: config.Duration{Duration: 200 * time.Millisecond}}, Retry: Retry{Attempts: 2, BaseDelay: time.Millisecond}})
	start := time.Now()
	_, err := c.Get(context.Background(), "/slow", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "timeout") || calls.Load() != 2 {
		t.Fatalf("err = %v after %d attempts", err, calls.Load())
	}
	// Two attempts of 200ms; read to its end, the body alone takes 50s.
	// 10s is a failure bound, not a measure.
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %s", d)
	}
}

func TestVendorMessageShapes(t *testing.T) {
	cases := []struct{ body, code, msg string }{
		{`{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorCauses":[{"errorSummary":"token revoked"}]}`, "E0000011", "Invalid token provided; token revoked"},
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"User already exists"}`, "uniqueness", "User already exists"},
		{`{"error":"unauthorized","resolution":"Check credentials","error_description":"Invalid credentials"}`, "unauthorized", "Invalid credentials (Check credentials)"},
		{`{"_status":{"code":"it:error:not-found","status":"404","message":"event not found"}}`, "it:error:not-found", "event not found"},
		{`{"errors":[{"status":400,"error_message":"bad email","identifier":"x"}]}`, "", "bad email"},
		{`{"message":"\u001b]0;pwn\u0007Denied"}`, "", "Denied"},
		{`plain text failure`, "", "plain text failure"},
	}
	for _, c := range cases {
		code, msg := VendorMessage("application/json", []byte(c.body))
		if code != c.code || msg != c.msg {
			t.Errorf("%s: got (%q, %q), want (%q, %q)", c.body, code, msg, c.code, c.msg)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("Retry-After", "7")
	if d := retryDelay(h, now); d != 7*time.Second {
		t.Fatalf("Retry-After seconds: %s", d)
	}
	h = http.Header{}
	h.Set("Date", now.Format(http.TimeFormat))
	h.Add("X-Rate-Limit-Reset", fmt.Sprint(now.Add(5*time.Second).Unix()))
	h.Add("X-Rate-Limit-Reset", fmt.Sprint(now.Add(3*time.Second).Unix()))
	// Local clock 10s ahead of the server must not matter: Date is used.
	if d := retryDelay(h, now.Add(10*time.Second)); d != 4*time.Second {
		t.Fatalf("X-Rate-Limit-Reset: %s, want reset-Date+1s = 4s", d)
	}
}

func TestPathEscapeKeepsIdsInTheirSegment(t *testing.T) {
	for id, want := range map[string]string{
		"../admin":  "/events/..%2Fadmin",
		"..":        "/events/%2E%2E",
		"a?b#c d%":  "/events/a%3Fb%23c%20d%25",
		"plain-123": "/events/plain-123",
	} {
		if got := PathEscape("events", id); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
	var seen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.URL.EscapedPath(); fmt.Fprint(w, "{}") }))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	c.Get(context.Background(), PathEscape("activity", "events", "../../auth/users"), nil, nil)
	if seen != "/v2/apis/activity/events/..%2F..%2Fauth%2Fusers" {
		t.Fatalf("server saw %q", seen)
	}
}

func TestLinkToAnotherHostIsRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c := newClient(t, srv, Headers{"Authorization": "SSWS x"}, nil)
	if _, err := c.Do(context.Background(), &Request{URL: "https://evil.example/api/v1/logs?after=1"}); err == nil {
		t.Fatal("followed a link to another host")
	}
}

func TestRedactedLogHoldsNoSecret(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Redact(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), []string{"hunter2-secret"}))
	log.Debug("sending Bearer eyJabc.def", "url", "https://x/?k=hunter2-secret", "authorization", "SSWS 00abc", "client_secret", "whatever",
		slog.Group("req", "hdr", "Authorization: Basic dXNlcjpwYXNz"))
	out := buf.String()
	for _, leak := range []string{"hunter2-secret", "eyJabc", "00abc", "whatever", "dXNlcjpwYXNz"} {
		if strings.Contains(out, leak) {
			t.Errorf("log holds %q: %s", leak, out)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("log is not JSON: %v", err)
	}
}

func rateHeaders(now time.Time, limit, remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	h.Set("X-Rate-Limit-Limit", fmt.Sprint(limit))
	h.Set("X-Rate-Limit-Remaining", fmt.Sprint(remaining))
	h.Set("X-Rate-Limit-Reset", fmt.Sprint(reset.Unix()))
	return h
}

// go takes the pacer's next decision for path as Wait would: the delay,
// or the request is counted as sent.
func goNow(p *Pacer, path string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, probe := p.delay(bucketKey(path), now)
	if d == 0 {
		p.spend(bucketKey(path), now, probe)
	}
	return d
}

func TestPacerKeepsTheOthersShareOfTheBucket(t *testing.T) {
	p := NewPacer(true, 0.5, 0)
	now := time.Now().Truncate(time.Second)
	reset := now.Add(30 * time.Second)
	if d := goNow(p, "/api/v1/logs", now); d != 0 {
		t.Fatalf("the first request learns the bucket, delay %s", d)
	}
	if d := goNow(p, "/api/v1/logs", now); d != probeWait {
		t.Fatalf("a second request waits for the first's answer, delay %s", d)
	}
	if _, ok := p.Budget("/api/v1/logs"); ok {
		t.Fatal("a budget before Okta's first answer")
	}
	p.Observe("/api/v1/logs", rateHeaders(now, 100, 60, reset), now)
	// 60 left of 100, half reserved for others: 10 more may go.
	for i := range 10 {
		if d := goNow(p, "/api/v1/logs", now); d != 0 {
			t.Fatalf("request %d of our share waits %s", i+1, d)
		}
	}
	if d := goNow(p, "/api/v1/logs", now); d < 30*time.Second {
		t.Fatalf("share used up, delay %s, want the time to reset", d)
	}
	// A late answer from earlier in the window cannot give the share back.
	p.Observe("/api/v1/logs", rateHeaders(now, 100, 58, reset), now)
	if b, _ := p.Budget("/api/v1/logs"); b.Remaining != 50 || b.Limit != 100 {
		t.Fatalf("budget %+v, want 50 of 100 left", b)
	}
	// Past the reset one request learns the new window.
	later := reset.Add(time.Second)
	if d := goNow(p, "/api/v1/logs", later); d != 0 {
		t.Fatalf("after the reset, delay %s", d)
	}
	p.Observe("/api/v1/logs", rateHeaders(later, 100, 99, later.Add(time.Minute)), later)
	if d := goNow(p, "/api/v1/logs", later); d != 0 {
		t.Fatalf("a new window, delay %s", d)
	}
	if _, ok := p.Budget("/api/v1/users/00u1"); ok {
		t.Fatal("users bucket should be separate from logs")
	}
}

func TestPacerShareOfOneStillLeavesTheLastRequest(t *testing.T) {
	for share, want := range map[float64]int{1: 1, 0.5: 50, 0.25: 75, 0.999: 1} {
		if got := NewPacer(true, share, 0).reserve(100); got != want {
			t.Errorf("share %v: reserve %d, want %d", share, got, want)
		}
	}
}

func TestPacerPerMinuteCeiling(t *testing.T) {
	p := NewPacer(false, 0.5, 3)
	now := time.Now()
	for i := range 3 {
		p.mu.Lock()
		d := p.ceiling(now.Add(time.Duration(i) * time.Second))
		if d == 0 {
			p.spend("/x", now.Add(time.Duration(i)*time.Second), false)
		}
		p.mu.Unlock()
		if d != 0 {
			t.Fatalf("request %d of 3 waits %s", i+1, d)
		}
	}
	p.mu.Lock()
	d := p.ceiling(now.Add(10 * time.Second))
	p.mu.Unlock()
	if d != 50*time.Second {
		t.Fatalf("fourth request in the minute waits %s, want 50s", d)
	}
}

func TestPacerSaysWhenRequestsWait(t *testing.T) {
	p := NewPacer(true, 0.5, 0)
	now := time.Now()
	p.Observe("/api/v1/logs", rateHeaders(now, 10, 5, now.Add(40*time.Second)), now)
	if _, ok := p.Waiting("/api/v1/logs"); ok {
		t.Fatal("nothing waits yet")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Wait(ctx, "/api/v1/logs") }()
	for {
		if until, ok := p.Waiting("/api/v1/logs"); ok {
			if left := time.Until(until); left < 30*time.Second || left > 41*time.Second {
				t.Fatalf("waiting %s, want about 40s", left)
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Wait returned %v with the share used up", err)
		default:
			runtime.Gosched()
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v", err)
	}
	if _, ok := p.Waiting("/api/v1/logs"); ok {
		t.Fatal("the cancelled request still shows as waiting")
	}
}

func TestOAuthChallengeAndOktaErrorIDNameTheProblem(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/challenge") {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://x/oauth2/v1/authorize", realm="IdpMyAccountAPI", error="invalid_token", error_description="The access token is invalid."`)
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		fmt.Fprint(w, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: x (User)","errorLink":"E0000007","errorId":"oaeAbC123","errorCauses":[]}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Headers{"Authorization": "SSWS x"}, nil)
	_, err := c.Get(context.Background(), "/challenge", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "401 invalid_token: The access token is invalid.") {
		t.Fatalf("challenge: %v", err)
	}
	_, err = c.Get(context.Background(), "/users/x", nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.RequestID != "oaeAbC123" || e.Code != "E0000007" {
		t.Fatalf("errorId: %v", err)
	}
}

func TestBasicClientCredentialsSendsThePlainPair(t *testing.T) {
	var got struct{ user, pass, ctype, body string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.user, got.pass, _ = r.BasicAuth()
		got.ctype = r.Header.Get("Content-Type")
		b := new(bytes.Buffer)
		b.ReadFrom(r.Body)
		got.body = b.String()
		if got.pass != "s3cr+t/=x" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"unauthorized","error_description":"Invalid credentials"}`)
			return
		}
		fmt.Fprint(w, `{"access_token":"A","expires_in":7200}`)
	}))
	defer srv.Close()
	tok, err := BasicClientCredentials(srv.URL+"/oauth/token", "id+1", "s3cr+t/=x", []string{"api_access", "incident_api"})(context.Background())
	if err != nil || tok.AccessToken != "A" || time.Until(tok.Expiry) < time.Hour {
		t.Fatalf("token %+v, %v", tok, err)
	}
	if got.user != "id+1" || !strings.HasPrefix(got.ctype, "application/x-www-form-urlencoded") || got.body != "grant_type=client_credentials&scope=api_access+incident_api" {
		t.Fatalf("request %+v", got)
	}
	_, err = BasicClientCredentials(srv.URL+"/oauth/token", "id", "wrong", nil)(context.Background())
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != 401 {
		t.Fatalf("refusal: %v", err)
	}
}

func TestTokenEndpointHiccupIsRetriedAndTheWriteSentOnce(t *testing.T) {
	ts := &tokenServer{expires: 3600}
	var tokenCalls, writes atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/apis/auth/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		if tokenCalls.Add(1) == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(503)
			fmt.Fprint(w, `{"error":"temporarily_unavailable"}`)
			return
		}
		ts.handle(w, r)
	})
	mux.HandleFunc("POST /v2/apis/c", func(w http.ResponseWriter, r *http.Request) {
		writes.Add(1)
		w.WriteHeader(201)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mem := &audit.Memory{}
	c := newClient(t, srv, oauthToken(srv, "right"), mem)
	_, err := c.Send(writer(context.Background()), "POST", "/c", map[string]string{"text": "hi"}, &Write{Action: "itm.comment", Target: "f1"}, nil)
	if err != nil || tokenCalls.Load() != 2 || writes.Load() != 1 {
		t.Fatalf("err=%v token requests=%d writes=%d, want nil, 2 and 1", err, tokenCalls.Load(), writes.Load())
	}
	if es := mem.Entries(); len(es) != 1 || es[0].Outcome != audit.OK {
		t.Fatalf("audit = %+v", es)
	}
	// A token endpoint that refuses the credentials is not asked again.
	tokenCalls.Store(1) // past the 503
	bad := newClient(t, srv, oauthToken(srv, "wrong"), nil)
	if _, err := bad.Get(context.Background(), "/c", nil, nil); StatusOf(err) != 401 || tokenCalls.Load() != 2 {
		t.Fatalf("refused credentials: err=%v after %d token requests", err, tokenCalls.Load()-1)
	}
}

func TestAFailQuotingTheVendorIsOneLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	defer srv.Close()
	c := newClient(t, srv, nil, nil)
	resp, err := c.Get(context.Background(), "/x", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := resp.Fail("%s", "bad\r\nDENY\rALLOW\n\x1b[2J").Error()
	if strings.ContainsAny(msg, "\r\n\x1b") || !strings.Contains(msg, "bad DENY ALLOW") {
		t.Fatalf("not one clean line: %q", msg)
	}
}

func TestEchoedCredentialsNeverReachAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/token") {
			r.ParseForm()
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"secret %s is wrong"}`, r.Form.Get("client_secret"))
			return
		}
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"errorCode":"%s","errorSummary":"bad header Authorization: %s; X-Password: %s"}`,
			r.Header.Get("X-Password"), r.Header.Get("Authorization"), r.Header.Get("X-Password"))
	}))
	defer srv.Close()
	for name, o := range map[string]Options{
		"headers": {Auth: Headers{"Authorization": "SSWS 00token-abc", "X-User": "admin@acme.example", "X-Password": "pa55word"}},
		"token": {Auth: NewToken(ClientCredentials(srv.URL+"/token", "id", "client-s3cret", nil, oauth2.AuthStyleInParams, nil), time.Minute),
			Secrets: []string{"client-s3cret"}},
	} {
		o.Vendor, o.Tenant, o.BaseURL = "Okta", "prod", srv.URL
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(context.Background(), "/x", nil, nil)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		msg := err.Error()
		for _, secret := range []string{"00token-abc", "pa55word", "client-s3cret"} {
			if strings.Contains(msg, secret) {
				t.Errorf("%s: %q holds %q", name, msg, secret)
			}
		}
		if !strings.Contains(msg, redacted) {
			t.Errorf("%s: %q: the echo was not there to conceal", name, msg)
		}
	}
}
