package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"triage/backend/clean"
)

// Auth puts credentials on a request.
type Auth interface {
	Authorize(ctx context.Context, r *http.Request) error
}

// Invalidator is an Auth whose credential can go stale (a revoked or expired
// bearer token); on a 401 the client invalidates it and retries once.
type Invalidator interface {
	Invalidate()
}

// Challenger is an Auth that learns from a refusal's challenge something
// that makes the same request acceptable (a DPoP nonce); the client then
// sends it once more, write or not, since a refused request was not
// applied.
type Challenger interface {
	LearnChallenge(status int, h http.Header) bool
}

// Headers is a static credential sent as headers on every request: Okta's
// "SSWS <token>", Atlassian's bearer SCIM key, Essentials' X-User and
// X-Password.
type Headers map[string]string

// Authorize sets the headers.
func (h Headers) Authorize(_ context.Context, r *http.Request) error {
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return nil
}

// TokenFunc fetches a fresh token. ctx carries the tenant's HTTP client.
type TokenFunc func(ctx context.Context) (*oauth2.Token, error)

// Token is a cached bearer token shared by every session of a process: one
// token request per tenant per token lifetime, refreshed a margin before it
// expires, and concurrent callers wait for one fetch instead of each making
// their own.
type Token struct {
	fetch    TokenFunc
	margin   time.Duration
	mu       sync.Mutex
	tok      *oauth2.Token
	requests atomic.Int64
	client   *Client // set by New, for the HTTP stack and error naming
	path     string
	dpop     *DPoP // proofs of possession, when the vendor may ask for them
	dpopHTTP *http.Client
}

// NewToken caches tokens from fetch, renewing them margin before expiry.
func NewToken(fetch TokenFunc, margin time.Duration) *Token {
	return &Token{fetch: fetch, margin: margin}
}

// ClientCredentials is the OAuth 2.0 client-credentials grant through
// x/oauth2: style says whether the id and secret go in the form body (ITM,
// Okta's private_key_jwt) or as HTTP Basic auth (SaaS Security). params adds
// form fields such as client_assertion, built fresh for every request.
func ClientCredentials(tokenURL, id, secret string, scopes []string, style oauth2.AuthStyle, params func() (url.Values, error)) TokenFunc {
	return func(ctx context.Context) (*oauth2.Token, error) {
		cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: tokenURL, Scopes: scopes, AuthStyle: style}
		if params != nil {
			v, err := params()
			if err != nil {
				return nil, err
			}
			cc.EndpointParams = v
		}
		return cc.Token(ctx)
	}
}

// UseDPoP lets the token be DPoP-bound (RFC 9449): proofs go to the token
// endpoint once d is on (or the endpoint asks for them), and a token of
// type DPoP is sent with a proof on every call.
func (t *Token) UseDPoP(d *DPoP) { t.dpop = d }

// DPoP is the token's proof-of-possession key, nil without.
func (t *Token) DPoP() *DPoP { return t.dpop }

// Requests counts the token requests made, for the request-cost benchmark.
func (t *Token) Requests() int64 { return t.requests.Load() }

// Granted is the scopes of the current token: the token answer's scope,
// or nil before the first token or when the answer did not say.
func (t *Token) Granted() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == nil {
		return nil
	}
	s, _ := t.tok.Extra("scope").(string)
	return strings.Fields(s)
}

// Authorize sets the token, fetching one if there is none or it is about
// to expire: "Bearer <token>", or for a DPoP-bound token "DPoP <token>"
// with a fresh proof for this method and URL carrying the token's hash
// (RFC 9449 §7.1).
func (t *Token) Authorize(ctx context.Context, r *http.Request) error {
	tok, err := t.get(ctx)
	if err != nil {
		return err
	}
	if !isDPoP(tok) {
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		return nil
	}
	if t.dpop == nil {
		return errors.New("the token is DPoP-bound but no DPoP key was made for it")
	}
	_, nonce := t.dpop.nonces()
	proof, err := t.dpop.Proof(r.Method, r.URL, tok.AccessToken, nonce)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "DPoP "+tok.AccessToken)
	r.Header.Set("DPoP", proof)
	return nil
}

// LearnChallenge reads a refused call's challenge: a DPoP resource server
// asking for a nonce (RFC 9449 §9) keeps it, and true means sending the
// call again will do.
func (t *Token) LearnChallenge(status int, h http.Header) bool {
	return t.dpop != nil && status == http.StatusUnauthorized && t.dpop.learnResource(h)
}

// Invalidate drops the cached token so the next request fetches a new one.
func (t *Token) Invalidate() {
	t.mu.Lock()
	t.tok = nil
	t.mu.Unlock()
}

func (t *Token) get(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && (t.tok.Expiry.IsZero() || time.Until(t.tok.Expiry) > t.margin) {
		return t.tok, nil
	}
	if hc := t.httpClient(); hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	var tok *oauth2.Token
	var err error
	// With DPoP the endpoint may answer "send proofs" and then "with my
	// nonce": each is one more request, a fresh assertion each time.
	for try := 1; ; try++ {
		t.requests.Add(1)
		start := time.Now()
		tok, err = t.fetch(ctx)
		if t.client != nil {
			t.client.logToken(ctx, start, err)
		}
		if err == nil || t.dpop == nil || try == 3 || !t.dpop.learnToken(err) {
			break
		}
	}
	if err != nil {
		return nil, t.tokenError(err)
	}
	if tok.AccessToken == "" {
		return nil, t.tokenError(errors.New("the token response had no access_token"))
	}
	t.tok = tok
	return tok, nil
}

// httpClient is the tenant's HTTP client for token requests, adding DPoP
// proofs when they are on; nil outside a Client (tests of TokenFuncs).
func (t *Token) httpClient() *http.Client {
	if t.client == nil {
		return nil
	}
	if t.dpop == nil {
		return t.client.tokenHTTP
	}
	if t.dpopHTTP == nil {
		base := t.client.tokenHTTP
		rt := base.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		t.dpopHTTP = &http.Client{Transport: dpopTransport{base: rt, d: t.dpop}, Timeout: base.Timeout}
	}
	return t.dpopHTTP
}

// tokenError names the vendor and tenant of a failed token request and keeps
// the vendor's own message (x/oauth2 exposes the response).
func (t *Token) tokenError(err error) error {
	e := &Error{Method: http.MethodPost, Path: t.path, Err: err}
	if t.client != nil {
		e.Vendor, e.Tenant = t.client.vendor, t.client.tenant
	}
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re):
		if re.Response != nil {
			e.Status = re.Response.StatusCode
			e.RequestID = requestID(re.Response.Header)
			e.Code, e.Message = VendorMessage(re.Response.Header.Get("Content-Type"), re.Body)
		}
		if re.ErrorCode != "" && e.Code == "" {
			e.Code = clean.Line(re.ErrorCode)
		}
		if e.Status == http.StatusUnauthorized || e.Status == http.StatusBadRequest || e.Status == http.StatusForbidden {
			e.Message = strings.TrimSpace(e.Message + " (token refused: check the tenant's credentials)")
		}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		e.Message = "token request: " + err.Error()
	default:
		// Transport failures and undecodable answers (an HTML page, a
		// truncated body) are described without echoing the body.
		e.Message = "token request failed: " + clean.Line(describeTransport(err))
	}
	if t.client != nil {
		e.Code, e.Message = t.client.conceal(e.Code, nil), t.client.conceal(e.Message, nil)
	}
	return e
}

// BasicClientCredentials is the client-credentials grant with the id and
// secret sent as plain HTTP Basic auth, base64("id:secret"), as Palo Alto's
// SaaS Security documents it. x/oauth2's header style form-encodes the id
// and secret first (RFC 6749 §2.3.1), which changes any secret holding
// "+", "/" or "=" and gets it refused, so this one request is built here.
func BasicClientCredentials(tokenURL, id, secret string, scopes []string) TokenFunc {
	return func(ctx context.Context) (*oauth2.Token, error) {
		form := url.Values{"grant_type": {"client_credentials"}}
		if len(scopes) > 0 {
			form.Set("scope", strings.Join(scopes, " "))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(id, secret)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=ISO-8859-1")
		req.Header.Set("Accept", "application/json")
		hc := http.DefaultClient
		if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
			hc = c
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return nil, &oauth2.RetrieveError{Response: resp, Body: body}
		}
		var t struct {
			AccessToken string      `json:"access_token"`
			TokenType   string      `json:"token_type"`
			ExpiresIn   json.Number `json:"expires_in"`
		}
		if err := json.Unmarshal(body, &t); err != nil {
			return nil, errors.New("the token answer is not JSON")
		}
		tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType}
		if secs, err := t.ExpiresIn.Int64(); err == nil && secs > 0 {
			tok.Expiry = time.Now().Add(time.Duration(secs) * time.Second)
		}
		return tok, nil
	}
}
