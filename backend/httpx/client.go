// Package httpx is the one HTTP stack every vendor client uses: auth,
// timeouts, TLS and proxies, retries with backoff, rate-limit pacing, vendor
// error decoding, role checks and the audit record of writes, and debug
// logging with secrets redacted.
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"triage/backend/audit"
	"triage/backend/clean"
	"triage/backend/config"
	"triage/backend/identity"
)

// Options configure one tenant's client.
type Options struct {
	Vendor  string // display name: "ITM", "SaaS", "Okta", "Atlassian", "Essentials"
	Tenant  string
	BaseURL string // every request path is relative to it
	Conn    config.Conn
	Auth    Auth
	Audit   audit.Sink // where writes are recorded; nil records nothing
	// AuditOnError is what a write does when its pending line cannot be
	// written: config.AuditRefuse (also "") sends nothing, config.AuditWarn
	// sends it unrecorded. Either way the logger gets an error line.
	AuditOnError string
	Logger       *slog.Logger
	UserAgent    string
	Retry        Retry
	Pace         bool              // follow X-Rate-Limit-* headers, using Conn.RateShare of each bucket (Okta)
	Transport    http.RoundTripper // replaces the TLS/proxy transport (tests)
	// Secrets are the tenant's credentials (a client secret, an API token,
	// a password). With the credentials each request carries, they are
	// scrubbed from every error message, should a vendor echo them back.
	Secrets []string
	// Forbidden explains a 403 the vendor did not explain, e.g. the OAuth
	// scope the call needs; "" adds nothing.
	Forbidden func(method, path string, h http.Header) string
	// Wait replaces the timer of retry and pacing waits (tests); it
	// returns false when ctx ended first.
	Wait func(ctx context.Context, d time.Duration) bool
	// Discover, when set, finds the tenant's base URL on the first request
	// and once only (a failure is tried again on the next one): BaseURL is
	// then only a stand-in until it answers (Essentials' stack lookup).
	Discover func(ctx context.Context) (string, error)
}

// Retry bounds the retries of reads, and of writes refused with 429.
type Retry struct {
	Attempts   int           // total attempts, default 4
	BaseDelay  time.Duration // first backoff, default 300ms, doubled each time with jitter
	MaxElapsed time.Duration // give up when the next wait would pass this, default 70s
	// Writes429 sends a write refused with 429 once more after the
	// announced reset: the vendor says such a request was not processed
	// (Okta: okta-sdk-golang v5 okta/client.go doWithRetries retries every
	// method on 429).
	Writes429 bool
	// Mark names a retry after a 429 in headers, from the 429's answer
	// and the retry's number (Okta's X-Okta-Retry-For and
	// X-Okta-Retry-Count).
	Mark func(prev *Response, n int) http.Header
}

// Client talks to one tenant of one vendor. It is safe for concurrent use and
// shared by every session of the process.
type Client struct {
	vendor, tenant string
	base           atomic.Pointer[url.URL]
	discover       func(ctx context.Context) (string, error)
	discoverMu     sync.Mutex
	discovered     atomic.Bool
	http           *http.Client
	tokenHTTP      *http.Client
	auth           Auth
	audit          audit.Sink
	auditWarn      bool // send a write whose pending line could not be written
	log            *slog.Logger
	ua             string
	retry          Retry
	timeout        time.Duration
	pacer          *Pacer
	secrets        []string
	forbidden      func(method, path string, h http.Header) string
	wait           func(ctx context.Context, d time.Duration) bool
}

// New builds a client. The transport honours the tenant's CA file, its
// opt-in insecure_skip_verify and its proxy (else the environment's).
func New(o Options) (*Client, error) {
	base, err := parseBase(o.Vendor, o.Tenant, o.BaseURL)
	if err != nil {
		return nil, err
	}
	tr := o.Transport
	if tr == nil {
		tr, err = transport(o.Conn)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.Vendor, o.Tenant, err)
		}
	}
	if o.Retry.Attempts <= 0 {
		o.Retry.Attempts = 4
	}
	if o.Retry.BaseDelay <= 0 {
		o.Retry.BaseDelay = 300 * time.Millisecond
	}
	if o.Retry.MaxElapsed <= 0 {
		o.Retry.MaxElapsed = 70 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	timeout := o.Conn.Timeout.Duration
	if timeout <= 0 {
		timeout = config.DefaultTimeout
	}
	c := &Client{
		vendor: o.Vendor, tenant: o.Tenant, discover: o.Discover,
		http:      &http.Client{Transport: tr},
		tokenHTTP: &http.Client{Transport: tr, Timeout: timeout},
		auth:      o.Auth, audit: o.Audit, auditWarn: o.AuditOnError == config.AuditWarn,
		log: o.Logger.With("vendor", o.Vendor, "tenant", o.Tenant),
		ua:  o.UserAgent, retry: o.Retry, timeout: timeout, secrets: o.Secrets,
		forbidden: o.Forbidden, wait: o.Wait,
	}
	c.base.Store(base)
	if c.ua == "" {
		c.ua = "triage"
	}
	// One pacer per tenant client, and the client is shared by every
	// session of the process: rate_share and requests_per_minute are
	// server-wide budgets.
	if o.Pace || o.Conn.RequestsPerMinute > 0 {
		c.pacer = NewPacer(o.Pace, o.Conn.Share(), o.Conn.RequestsPerMinute)
		c.pacer.sleep = o.Wait
	}
	if t, ok := o.Auth.(*Token); ok {
		t.client = c
	}
	return c, nil
}

// SetTokenPath names the token endpoint in errors (the token URL's path).
func (t *Token) SetTokenPath(p string) { t.path = p }

// Vendor and Tenant name the client in messages.
func (c *Client) Vendor() string { return c.vendor }
func (c *Client) Tenant() string { return c.tenant }

func parseBase(vendor, tenant, raw string) (*url.URL, error) {
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("%s %s: base URL %q is not a URL", vendor, tenant, raw)
	}
	return base, nil
}

// BaseURL is the tenant's base URL (a stand-in until a discovered one is
// found: see Discovered).
func (c *Client) BaseURL() *url.URL { u := *c.base.Load(); return &u }

// Discovered finds the base URL when the client discovers it, once, and
// returns it.
func (c *Client) Discovered(ctx context.Context) (*url.URL, error) {
	if c.discover == nil || c.discovered.Load() {
		return c.BaseURL(), nil
	}
	c.discoverMu.Lock()
	defer c.discoverMu.Unlock()
	if c.discovered.Load() {
		return c.BaseURL(), nil
	}
	raw, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	base, err := parseBase(c.vendor, c.tenant, raw)
	if err != nil {
		return nil, err
	}
	c.base.Store(base)
	c.discovered.Store(true)
	return c.BaseURL(), nil
}

// Pacer exposes the rate-limit state, nil when pacing is off.
func (c *Client) Pacer() *Pacer { return c.pacer }

// Auth returns the client's credential, for connectivity checks.
func (c *Client) Auth() Auth { return c.auth }

// CloseIdleConnections closes the connections kept open for reuse, as a
// session ends; requests in flight are not affected.
func (c *Client) CloseIdleConnections() {
	c.http.CloseIdleConnections()
	c.tokenHTTP.CloseIdleConnections()
}

func transport(conn config.Conn) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	tr.ResponseHeaderTimeout = 0                                                                     // the per-attempt context bounds the whole exchange
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: conn.InsecureSkipVerify} //nolint:gosec // opt-in per tenant, shown in the header
	if conn.CAFile != "" {
		pem, err := os.ReadFile(conn.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", conn.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	tr.TLSClientConfig = tlsCfg
	if conn.Proxy != "" {
		pu, err := url.Parse(conn.Proxy)
		if err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
		tr.Proxy = http.ProxyURL(pu)
	} else {
		tr.Proxy = http.ProxyFromEnvironment
	}
	return tr, nil
}

// Request is one call to the vendor.
type Request struct {
	Method string
	Path   string     // relative to the base URL; may carry its own query (a nextPath)
	URL    string     // an absolute URL on the same host (an Okta Link header), instead of Path
	Query  url.Values // added to the path's query
	JSON   any        // marshalled as the JSON body
	Form   url.Values // sent as a form body
	Body   []byte     // a raw body with ContentType
	// ContentType of Body; JSON and Form set their own.
	ContentType string
	Accept      string // default application/json
	Header      http.Header
	// Read marks a non-GET that changes nothing (a search query), so it is
	// retried like a GET.
	Read bool
	// Write marks a change at the vendor: refused for read-only analysts,
	// recorded in the audit log, never retried blindly.
	Write *Write
}

// Write describes a change for the role check and the audit log.
type Write struct {
	Action string         // e.g. "itm.comment"
	Target string         // the id acted on
	Params map[string]any // what was asked, without secrets
	// Answer is the vendor's documented answer to it; any other answer
	// leaves the outcome unknown.
	Answer Answer
}

// Response is a vendor's answer, body read in full.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string
	client    *Client
	method    string
	path      string
	sent      []string // the credentials the request carried
}

const maxBody = 64 << 20

var errAttemptTimeout = errors.New("attempt timed out")

// Do sends the request, retrying reads on 429/502/503/504 and connection
// failures with jittered backoff (honouring Retry-After and
// X-Rate-Limit-Reset), refreshing the token once on a 401, and returns the
// response or an *Error.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	if c.discover != nil && !c.discovered.Load() {
		if _, err := c.Discovered(ctx); err != nil {
			return nil, err
		}
	}
	target, err := c.resolve(req)
	if err != nil {
		return nil, err
	}
	write := req.Write
	idempotent := method == http.MethodGet || method == http.MethodHead || req.Read
	if !idempotent && write == nil {
		return nil, fmt.Errorf("%s %s: %s %s is neither a read nor a described write", c.vendor, c.tenant, method, target.Path)
	}
	path := c.displayPath(target)
	body, contentType, err := encodeBody(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: encoding the request: %w", c.vendor, c.tenant, err)
	}
	var wl *writeLog
	if write != nil {
		wl = c.newWriteLog(ctx, write)
		if who := identity.From(ctx); !who.CanWrite() {
			e := &Error{Vendor: c.vendor, Tenant: c.tenant, Method: method, Path: path, Err: ErrReadOnly,
				Message: fmt.Sprintf("%s has the read-only role: %s was not sent", who.Name, write.Action)}
			wl.outcome(ctx, nil, e)
			return nil, e
		}
		// The audit line goes first: a write the log cannot record is not
		// sent, unless the config chose to warn instead.
		if aerr := wl.line(ctx, audit.Pending, 0, "", ""); aerr != nil {
			if !c.auditWarn {
				c.log.ErrorContext(ctx, "write refused: the audit log cannot be written", "action", write.Action, "target", write.Target, "error", aerr.Error())
				return nil, &Error{Vendor: c.vendor, Tenant: c.tenant, Method: method, Path: path,
					Err: fmt.Errorf("%w: %w", ErrAuditUnavailable, aerr), Message: "not sent: " + aerr.Error()}
			}
			c.log.ErrorContext(ctx, "write sent unrecorded (audit on_error = warn): the audit log cannot be written", "action", write.Action, "target", write.Target, "error", aerr.Error())
		}
	}

	deadline := time.Now().Add(c.retry.MaxElapsed)
	refreshed, challenged, limited := false, false, 0
	var marks http.Header // headers naming a retry after a 429
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, method, target, req, body, contentType, attempt, marks)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				e = &Error{Vendor: c.vendor, Tenant: c.tenant, Method: method, Path: path, Err: err}
			}
			if ctx.Err() != nil {
				e.Message = "cancelled"
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					e.Message = "no answer in time"
				}
			}
			if e.Status == 0 && write != nil && sentMaybe(err) {
				e.Unknown = true
			}
			// A request that never left (its token could not be had) is
			// safe to try again, write or not, when the failure is one
			// that passes: the token endpoint's 429/502/503/504 as well as
			// a dropped connection.
			var ns *notSent
			unsent := errors.As(err, &ns)
			transient := e.Status == 0 && retryableTransport(err) || unsent && retryableStatus(e.Status)
			if (idempotent || unsent) && transient && ctx.Err() == nil && attempt < c.retry.Attempts {
				if c.sleep(ctx, c.backoff(attempt), deadline) {
					continue
				}
			}
			if write != nil {
				wl.outcome(ctx, nil, e)
			}
			return nil, e
		}
		ch, canLearn := c.auth.(Challenger)
		switch {
		case canLearn && !challenged && ch.LearnChallenge(resp.Status, resp.Header):
			// Refused for want of a nonce the answer carries: not applied,
			// so even a write is sent again, once.
			challenged = true
			continue
		case resp.Status == http.StatusUnauthorized && !refreshed:
			if inv, ok := c.auth.(Invalidator); ok {
				// A 401 means the request was refused, so even a write is
				// safe to send again with a fresh token.
				inv.Invalidate()
				refreshed = true
				continue
			}
		case idempotent && retryableStatus(resp.Status) && attempt < c.retry.Attempts,
			write != nil && c.retry.Writes429 && resp.Status == http.StatusTooManyRequests && limited == 0:
			wait := retryDelay(resp.Header, time.Now())
			if wait <= 0 {
				wait = c.backoff(attempt)
			}
			c.log.DebugContext(ctx, "retrying", "method", method, "path", path, "status", resp.Status, "wait", wait.String(), "attempt", attempt)
			if resp.Status == http.StatusTooManyRequests {
				limited++
				if c.retry.Mark != nil {
					marks = c.retry.Mark(resp, limited)
				}
			}
			if c.sleep(ctx, wait, deadline) {
				continue
			}
		}
		if resp.Status >= 400 {
			e := resp.asError()
			if write != nil && (resp.Status == http.StatusBadGateway || resp.Status == http.StatusGatewayTimeout) {
				e.Unknown = true // a gateway gave up; the vendor behind it may have applied it
			}
			if write != nil {
				wl.outcome(ctx, resp, e)
			}
			return nil, e
		}
		if write != nil {
			// Only the vendor's own answer says it applied the write: a
			// proxy's sign-in page answering 200 says nothing either way.
			if why := write.Answer.mismatch(c.vendor, resp); why != "" {
				e := resp.Fail("%s", why)
				e.Unknown = true
				wl.outcome(ctx, resp, e)
				return nil, e
			}
			wl.outcome(ctx, resp, nil)
		}
		return resp, nil
	}
}

// attempt makes one exchange, reading the whole body within the tenant's
// timeout so a slow-loris answer cannot hang the caller.
func (c *Client) attempt(ctx context.Context, method string, target *url.URL, req *Request, body []byte, contentType string, n int, marks http.Header) (*Response, error) {
	if c.pacer != nil {
		if err := c.pacer.Wait(ctx, target.Path); err != nil {
			return nil, err
		}
	}
	actx, cancel := context.WithTimeoutCause(ctx, c.timeout, errAttemptTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(actx, method, target.String(), rd)
	if err != nil {
		if c.pacer != nil {
			c.pacer.Done(target.Path)
		}
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	for k, vs := range marks {
		hr.Header[k] = vs
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	accept := req.Accept
	if accept == "" {
		accept = "application/json"
	}
	hr.Header.Set("Accept", accept)
	hr.Header.Set("User-Agent", c.ua)
	if c.auth != nil {
		if err := c.auth.Authorize(actx, hr); err != nil {
			if c.pacer != nil {
				c.pacer.Done(target.Path)
			}
			return nil, &notSent{err}
		}
	}
	start := time.Now()
	res, err := c.http.Do(hr)
	if err != nil {
		if c.pacer != nil {
			c.pacer.Done(target.Path)
		}
		if context.Cause(actx) == errAttemptTimeout && ctx.Err() == nil {
			err = fmt.Errorf("%w after %s: %v", errAttemptTimeout, c.timeout, err)
		}
		c.log.DebugContext(ctx, "http", "method", method, "path", c.displayPath(target), "attempt", n, "error", err.Error(), "ms", time.Since(start).Milliseconds())
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if c.pacer != nil {
		c.pacer.Observe(target.Path, res.Header, time.Now())
	}
	resp := &Response{Status: res.StatusCode, Header: res.Header, Body: data, RequestID: requestID(res.Header), client: c, method: method,
		path: c.displayPath(target), sent: credentials(hr.Header)}
	c.log.DebugContext(ctx, "http", "method", method, "path", resp.path, "status", res.StatusCode, "attempt", n, "bytes", len(data), "request_id", resp.RequestID, "ms", time.Since(start).Milliseconds())
	if err != nil {
		if context.Cause(actx) == errAttemptTimeout && ctx.Err() == nil {
			err = fmt.Errorf("%w after %s reading the body: %v", errAttemptTimeout, c.timeout, err)
		}
		e := &Error{Vendor: c.vendor, Tenant: c.tenant, Method: method, Path: resp.path, RequestID: resp.RequestID, Err: err}
		return nil, e
	}
	return resp, nil
}

func (c *Client) resolve(req *Request) (*url.URL, error) {
	base := c.base.Load()
	var u *url.URL
	if req.URL != "" {
		parsed, err := url.Parse(req.URL)
		if err != nil {
			return nil, fmt.Errorf("%s %s: bad URL %q", c.vendor, c.tenant, req.URL)
		}
		if parsed.Host != base.Host || parsed.Scheme != base.Scheme {
			// A next link pointing elsewhere must not receive our credentials.
			return nil, fmt.Errorf("%s %s: refusing to follow a link to another host (%s)", c.vendor, c.tenant, parsed.Host)
		}
		u = parsed
	} else {
		rel, err := url.Parse(req.Path)
		if err != nil || rel.IsAbs() || rel.Host != "" {
			return nil, fmt.Errorf("%s %s: bad path %q", c.vendor, c.tenant, req.Path)
		}
		u = base.JoinPath()
		u.RawPath = ""
		u.Path = strings.TrimRight(base.Path, "/") + "/" + strings.TrimLeft(rel.Path, "/")
		if rel.RawPath != "" {
			u.RawPath = strings.TrimRight(base.EscapedPath(), "/") + "/" + strings.TrimLeft(rel.RawPath, "/")
		}
		u.RawQuery = rel.RawQuery
	}
	if len(req.Query) > 0 {
		q := u.Query()
		for k, vs := range req.Query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// displayPath is the escaped path without the base's prefix or the query,
// for messages.
func (c *Client) displayPath(u *url.URL) string {
	return u.EscapedPath()
}

func encodeBody(req *Request) ([]byte, string, error) {
	switch {
	case req.JSON != nil:
		b, err := json.Marshal(req.JSON)
		return b, "application/json", err
	case req.Form != nil:
		return []byte(req.Form.Encode()), "application/x-www-form-urlencoded", nil
	case req.Body != nil:
		return req.Body, req.ContentType, nil
	}
	return nil, "", nil
}

func retryableStatus(s int) bool {
	return s == http.StatusTooManyRequests || s == http.StatusBadGateway || s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout
}

// retryableTransport covers resets, refused and dropped connections and
// timeouts of one attempt.
func retryableTransport(err error) bool {
	if describeTLS(err) != "" {
		return false // a certificate does not get better by asking again
	}
	if errors.Is(err, errAttemptTimeout) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.Contains(msg, "connection refused") || strings.Contains(msg, "EOF") || strings.Contains(msg, "broken pipe")
}

// sentMaybe reports whether a failed exchange may have reached the vendor:
// anything but a failure to connect or to agree on TLS.
func sentMaybe(err error) bool {
	if describeTLS(err) != "" {
		return false // no request leaves before the TLS handshake completes
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return false
	}
	var ns *notSent
	if errors.As(err, &ns) {
		return false
	}
	return !errors.Is(err, ErrReadOnly)
}

// notSent wraps a failure that happened before the request left (getting a
// token), so a write that fails this way is known not to have been applied.
type notSent struct{ err error }

func (n *notSent) Error() string { return n.err.Error() }
func (n *notSent) Unwrap() error { return n.err }

func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.BaseDelay << (attempt - 1)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d unless that passes the deadline or ctx ends; it reports
// whether to try again.
func (c *Client) sleep(ctx context.Context, d time.Duration, deadline time.Time) bool {
	if time.Now().Add(d).After(deadline) {
		return false
	}
	if c.wait != nil {
		return c.wait(ctx, d) && ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// retryDelay reads Retry-After (seconds or a date) or Okta's
// X-Rate-Limit-Reset: reset minus the response's Date, plus one second.
func retryDelay(h http.Header, now time.Time) time.Duration {
	if ra := h.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(ra); err == nil {
			return t.Sub(now)
		}
	}
	if reset := smallestReset(h); reset > 0 {
		date := now
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			date = d
		}
		wait := time.Unix(reset, 0).Sub(date) + time.Second
		if wait < time.Second {
			wait = time.Second
		}
		return wait
	}
	return 0
}

func smallestReset(h http.Header) int64 {
	var best int64
	for _, v := range h.Values("X-Rate-Limit-Reset") {
		for _, part := range strings.Split(v, ",") {
			if n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64); err == nil && (best == 0 || n < best) {
				best = n
			}
		}
	}
	return best
}

func requestID(h http.Header) string {
	for _, k := range []string{"X-Request-Id", "X-Okta-Request-Id", "X-Correlation-Id", "Request-Id", "X-Amzn-Requestid", "X-Trace-Id"} {
		if v := h.Get(k); v != "" {
			if len(v) > 80 {
				v = v[:80]
			}
			return v
		}
	}
	return ""
}

func (r *Response) asError() *Error {
	code, msg := VendorMessage(r.Header.Get("Content-Type"), r.Body)
	if msg == "" && r.Status == http.StatusUnauthorized {
		// An OAuth resource server may say why only in the challenge.
		code, msg = bearerChallenge(r.Header)
	}
	if msg == "" && len(bytes.TrimSpace(r.Body)) == 0 {
		msg = "empty response"
	}
	if r.Status == http.StatusForbidden && r.client.forbidden != nil {
		if why := r.client.forbidden(r.method, r.path, r.Header); why != "" {
			msg = strings.TrimPrefix(msg+"; "+why, "; ")
		}
	}
	id := r.RequestID
	if id == "" {
		id = vendorRequestID(r.Body)
	}
	return &Error{Vendor: r.client.vendor, Tenant: r.client.tenant, Method: r.method, Path: r.path, Status: r.Status,
		Code: r.client.conceal(code, r.sent), Message: r.client.conceal(msg, r.sent), RequestID: r.client.conceal(id, r.sent)}
}

// Fail builds an *Error about this response with a message of the caller's,
// for answers that are well-formed HTTP but wrong data. The message often
// quotes the vendor, so it is made one clean line, without credentials.
func (r *Response) Fail(format string, args ...any) *Error {
	return &Error{Vendor: r.client.vendor, Tenant: r.client.tenant, Method: r.method, Path: r.path, Status: r.Status,
		Message: r.client.conceal(clean.Line(fmt.Sprintf(format, args...)), r.sent), RequestID: r.RequestID}
}

// credentials are the secret values a request carries in its headers: the
// Authorization value and its token without the scheme, and any header
// named for a password, secret, token or key.
func credentials(h http.Header) []string {
	var out []string
	for k, vs := range h {
		lk := strings.ToLower(k)
		if lk != "authorization" && !strings.Contains(lk, "password") && !strings.Contains(lk, "secret") &&
			!strings.Contains(lk, "token") && !strings.Contains(lk, "key") {
			continue
		}
		for _, v := range vs {
			out = append(out, v)
			if _, tok, ok := strings.Cut(v, " "); ok {
				out = append(out, strings.TrimSpace(tok))
			}
		}
	}
	return out
}

// conceal removes the tenant's secrets and the credentials a request
// carried from vendor text bound for an error message: a vendor or a
// gateway may echo them.
func (c *Client) conceal(s string, sent []string) string {
	for _, list := range [][]string{sent, c.secrets} {
		for _, sec := range list {
			if len(sec) >= 4 && strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, redacted)
			}
		}
	}
	return s
}

// writeLog is the audit record of one write: each of its lines carries
// the time the write started, which ties them together.
type writeLog struct {
	c     *Client
	entry audit.Entry
}

func (c *Client) newWriteLog(ctx context.Context, w *Write) *writeLog {
	who := identity.From(ctx)
	return &writeLog{c: c, entry: audit.Entry{
		Time: time.Now(), Analyst: who.Name, Role: who.Role, Fingerprint: who.Fingerprint, ClientAddr: who.Addr,
		Vendor: strings.ToLower(c.vendor), Tenant: c.tenant, Action: w.Action, Target: w.Target, Params: w.Params,
	}}
}

// line records one line of the write; a failure is logged and returned.
func (l *writeLog) line(ctx context.Context, outcome string, status int, requestID, errText string) error {
	if l.c.audit == nil {
		return nil
	}
	e := l.entry
	e.Outcome, e.Status, e.RequestID, e.Error = outcome, status, requestID, errText
	if outcome != audit.Pending {
		e.DurationMS = time.Since(e.Time).Milliseconds()
	}
	err := l.c.audit.Record(e)
	if err != nil && outcome != audit.Pending {
		l.c.log.ErrorContext(ctx, "audit record failed", "action", e.Action, "target", e.Target, "outcome", outcome, "error", err.Error())
	}
	return err
}

// outcome records how the write ended: the response, or the error.
func (l *writeLog) outcome(ctx context.Context, resp *Response, err *Error) {
	outcome, status, requestID, errText := audit.OK, 0, "", ""
	if resp != nil {
		status, requestID = resp.Status, resp.RequestID
	}
	if err != nil {
		outcome, errText, status = audit.Failed, err.Error(), err.Status
		if err.RequestID != "" {
			requestID = err.RequestID
		}
		switch {
		case errors.Is(err, ErrReadOnly):
			outcome = audit.Refused
		case err.Unknown:
			outcome = audit.Unknown
			err.log = l // for ReadBack to record what it finds
		}
	}
	l.line(ctx, outcome, status, requestID, errText)
}

func (c *Client) logToken(ctx context.Context, start time.Time, err error) {
	if err != nil {
		c.log.DebugContext(ctx, "token", "ms", time.Since(start).Milliseconds(), "error", err.Error())
		return
	}
	c.log.DebugContext(ctx, "token", "ms", time.Since(start).Milliseconds())
}
