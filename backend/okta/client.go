// Package okta is the client of the Okta management API: applications and
// their assignments, groups, users and their lifecycle, and the System Log.
// It authenticates with an API token (SSWS) or as an OAuth 2.0 service app
// (private_key_jwt), pages by Link headers, and paces itself by Okta's
// rate-limit headers.
package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"triage/backend/clean"
	"triage/backend/config"
	"triage/backend/httpx"
)

// Client talks to one Okta org.
type Client struct {
	http   *httpx.Client
	token  *httpx.Token // nil with an API token
	scopes []string     // asked for with each token
	base   *url.URL
}

// New builds the client of org t: "Authorization: SSWS <api_token>", or an
// OAuth 2.0 service app whose token comes from {url}/oauth2/v1/token with a
// client assertion signed by its private key, DPoP-bound when the app
// requires it (dpop = true, or when the token endpoint says so).
func New(t config.Okta, deps httpx.Options) (*Client, error) {
	deps.Vendor, deps.Tenant, deps.BaseURL, deps.Conn = "Okta", t.Name, t.URL, t.Conn
	deps.Secrets = []string{t.APIToken.Reveal()}
	deps.Pace = true
	// A 429 means Okta did not process the request: a write is sent once
	// more after the reset, and every retry after a 429 names the one it
	// repeats (okta-sdk-golang v5 okta/client.go doWithRetries).
	deps.Retry.Writes429 = true
	deps.Retry.Mark = retryMark
	c := &Client{scopes: t.Scopes}
	if len(c.scopes) == 0 {
		c.scopes = Scopes()
	}
	if t.APIToken != "" {
		deps.Auth = httpx.Headers{"Authorization": "SSWS " + t.APIToken.Reveal()}
	} else {
		tokenURL := strings.TrimRight(t.URL, "/") + "/oauth2/v1/token"
		s, err := loadSigner(t.PrivateKeyFile, t.KeyID, t.ClientID, tokenURL)
		if err != nil {
			return nil, fmt.Errorf("Okta %s: %w", t.Name, err)
		}
		c.token = httpx.NewToken(httpx.ClientCredentials(tokenURL, t.ClientID, "", c.scopes, oauth2.AuthStyleInParams, s.params), time.Minute)
		if u, err := url.Parse(tokenURL); err == nil {
			c.token.SetTokenPath(u.Path)
		}
		d, err := httpx.NewDPoP(t.DPoP)
		if err != nil {
			return nil, fmt.Errorf("Okta %s: %w", t.Name, err)
		}
		c.token.UseDPoP(d)
		deps.Auth = c.token
		deps.Forbidden = c.forbidden
	}
	hc, err := httpx.New(deps)
	if err != nil {
		return nil, err
	}
	c.http, c.base = hc, hc.BaseURL()
	return c, nil
}

// retryMark names a retry after a 429 as Okta's SDK does: X-Okta-Retry-For
// is the X-Okta-Request-Id of the 429, X-Okta-Retry-Count the retry's
// number from 1 (okta-sdk-golang v5 okta/client.go doWithRetries).
func retryMark(prev *httpx.Response, n int) http.Header {
	h := http.Header{"X-Okta-Retry-Count": {strconv.Itoa(n)}}
	if id := prev.Header.Get("X-Okta-Request-Id"); id != "" {
		h.Set("X-Okta-Retry-For", id)
	}
	return h
}

// HTTP is the tenant's HTTP client, for `triage api`.
func (c *Client) HTTP() *httpx.Client { return c.http }

// AdminURL is a page of the org's admin console: acme.okta.com has its
// console at acme-admin.okta.com; other hosts (custom domains) serve it
// themselves.
func (c *Client) AdminURL(path string) string {
	u := c.http.BaseURL()
	host := u.Hostname()
	for _, suffix := range []string{".okta.com", ".oktapreview.com", ".okta-emea.com", ".okta-gov.com"} {
		if org, ok := strings.CutSuffix(host, suffix); ok && !strings.Contains(org, ".") && !strings.HasSuffix(org, "-admin") {
			u.Host = org + "-admin" + suffix
			if port := u.Port(); port != "" {
				u.Host += ":" + port
			}
		}
	}
	u.Path, u.RawQuery = path, ""
	return u.String()
}

// Tenant is the org's name in the config.
func (c *Client) Tenant() string { return c.http.Tenant() }

// String names the client in messages.
func (c *Client) String() string { return "Okta " + c.Tenant() }

// OAuth reports whether the client is a service app rather than an API token.
func (c *Client) OAuth() bool { return c.token != nil }

// DPoP reports whether the service app's token requests carry proofs of
// possession (configured, or asked for by Okta).
func (c *Client) DPoP() bool { return c.token != nil && c.token.DPoP().On() }

// TokenRequests counts OAuth token requests (0 with an API token).
func (c *Client) TokenRequests() int64 {
	if c.token == nil {
		return 0
	}
	return c.token.Requests()
}

// Budget is what is left of the rate-limit bucket serving path (as Okta
// last reported it), e.g. LogsPath; false before the first answer.
func (c *Client) Budget(path string) (httpx.Bucket, bool) {
	return c.http.Pacer().Budget(path)
}

// Waiting is when requests held for path's bucket by the tenant's share of
// the rate limit may go (requests of every session wait together); false
// when none waits.
func (c *Client) Waiting(path string) (time.Time, bool) {
	return c.http.Pacer().Waiting(path)
}

// Check tests connectivity the way that works for both auth modes: a
// service app has no user, so /users/me would fail.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.http.Do(ctx, &httpx.Request{Path: "/api/v1/users", Query: url.Values{"limit": {"1"}}})
	return err
}

// Page is one page of a list and the link to the next.
type Page[T any] struct {
	Items []T
	// Next is the Link rel="next" URL, verbatim; "" on the last page. Pass
	// it back to the same method to get the following page.
	Next string
}

// rawKeeper is an object that keeps its own JSON.
type rawKeeper interface{ keepRaw(json.RawMessage) }

func (a *App) keepRaw(b json.RawMessage)      { a.Raw = b }
func (a *AppUser) keepRaw(b json.RawMessage)  { a.Raw = b }
func (g *Group) keepRaw(b json.RawMessage)    { g.Raw = b }
func (u *User) keepRaw(b json.RawMessage)     { u.Raw = b }
func (e *LogEvent) keepRaw(b json.RawMessage) { e.Raw = b }

// list gets one page of path with query q, or follows next verbatim.
func list[T any](ctx context.Context, c *Client, path string, q url.Values, next string) (Page[T], error) {
	req := &httpx.Request{Path: path, Query: q}
	if next != "" {
		req = &httpx.Request{URL: next}
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return Page[T]{}, err
	}
	items, err := decodeList[T](resp)
	if err != nil {
		return Page[T]{}, err
	}
	return Page[T]{Items: items, Next: c.next(resp)}, nil
}

// decodeList decodes a JSON array one element at a time, so one odd
// element is skipped rather than losing the page, and each keeps its raw
// JSON. Strings are cleaned for the terminal.
func decodeList[T any](resp *httpx.Response) ([]T, error) {
	var raws []json.RawMessage
	if err := resp.Decode(&raws); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raws))
	for _, raw := range raws {
		var item T
		if err := json.Unmarshal(raw, &item); err != nil {
			continue
		}
		clean.Value(&item)
		if k, ok := any(&item).(rawKeeper); ok {
			k.keepRaw(raw)
		}
		out = append(out, item)
	}
	return out, nil
}

// get decodes one object.
func get[T any](ctx context.Context, c *Client, path string, q url.Values) (*T, *httpx.Response, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: path, Query: q})
	if err != nil {
		return nil, nil, err
	}
	var item T
	if err := resp.Decode(&item); err != nil {
		return nil, resp, err
	}
	if k, ok := any(&item).(rawKeeper); ok {
		k.keepRaw(json.RawMessage(resp.Body))
	}
	return &item, resp, nil
}

// next is the response's next link; a relative one is resolved against
// the org's URL (httpx refuses to send credentials to any other host).
func (c *Client) next(resp *httpx.Response) string {
	link := NextLink(resp.Header)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil || u.IsAbs() {
		return link
	}
	return c.base.ResolveReference(u).String()
}

// Quote makes a value safe inside a SCIM filter's double quotes.
func Quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// write sends a change described for the role check and the audit log.
func (c *Client) write(ctx context.Context, method, path string, q url.Values, body any, w *httpx.Write, out any) (*httpx.Response, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Method: method, Path: path, Query: q, JSON: body, Write: w})
	if err != nil {
		return nil, err
	}
	if out != nil && !resp.Empty() {
		if err := resp.Decode(out); err != nil {
			return resp, err
		}
		if k, ok := out.(rawKeeper); ok {
			k.keepRaw(json.RawMessage(resp.Body))
		}
	}
	return resp, nil
}

// notFoundIn reports a 404 whose Okta message names the missing resource
// kind, e.g. "(AppInstance)" for an unknown app.
func notFoundIn(err error, kind string) bool {
	var e *httpx.Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound && strings.Contains(e.Message, "("+kind+")")
}
