package saas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"triage/backend/clean"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/lenient"
)

// Client talks to one SaaS Security tenant.
type Client struct {
	http  *httpx.Client
	token *httpx.Token
}

// New builds the client of tenant t. The token is the client-credentials
// grant at /oauth/token with the id and secret as HTTP Basic auth (never in
// the body) and the scopes space-separated in the form body; it is reused
// until a minute before it expires.
func New(t config.SaaS, deps httpx.Options) (*Client, error) {
	base := strings.TrimRight(t.BaseURL, "/")
	tokenURL := base + "/oauth/token"
	tok := httpx.NewToken(httpx.BasicClientCredentials(tokenURL, t.ClientID, t.ClientSecret.Reveal(), t.Scopes), time.Minute)
	if u, err := url.Parse(tokenURL); err == nil {
		tok.SetTokenPath(u.Path)
	}
	deps.Vendor, deps.Tenant, deps.BaseURL, deps.Conn, deps.Auth = "SaaS", t.Name, base, t.Conn, tok
	deps.Secrets = []string{t.ClientSecret.Reveal()}
	hc, err := httpx.New(deps)
	if err != nil {
		return nil, err
	}
	return &Client{http: hc, token: tok}, nil
}

// HTTP is the tenant's HTTP client, for `triage api`.
func (c *Client) HTTP() *httpx.Client { return c.http }

// Tenant is the tenant's name.
func (c *Client) Tenant() string { return c.http.Tenant() }

// String names the client in messages.
func (c *Client) String() string { return "SaaS " + c.Tenant() }

// TokenRequests counts token requests, for tests and the request-cost check.
func (c *Client) TokenRequests() int64 { return c.token.Requests() }

// Check tests connectivity by getting a token.
func (c *Client) Check(ctx context.Context) error {
	c.token.Invalidate()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.http.BaseURL().String(), nil)
	return c.token.Authorize(ctx, req)
}

// Query selects incidents. Zero values mean "no filter".
type Query struct {
	From       time.Time // updated at or after
	To         time.Time // updated before
	AppIDs     []string
	State      string   // open or closed; "" for both
	Severities []string // words (high) or numbers (4), sent as 1..5, see SeverityFilter
	Statuses   []string // state-status values, see StatusFilter
	Limit      int      // page size: a multiple of 10 from 10 to 1000, see PageSize
}

// Page sizes. The delta endpoint takes a multiple of 10 from 10 to 1000:
// the XSOAR integration (SaasSecurity.py validate_limit) rounds to a
// multiple of 10 ("SaaS API limit") and gives 1000 as the API's maximum.
const (
	DefaultLimit = 500
	MinLimit     = 10
	MaxLimit     = 1000
)

// PageSize is the smallest page the endpoint takes that holds n incidents:
// n rounded up to a multiple of 10, from 10 to 1000.
func PageSize(n int) int {
	return min(max((n+9)/10*10, MinLimit), MaxLimit)
}

// checkLimit refuses a page size the endpoint would refuse.
func checkLimit(n int) error {
	if n < MinLimit || n > MaxLimit || n%10 != 0 {
		return fmt.Errorf("page size %d: the SaaS Security API takes a multiple of 10 from %d to %d", n, MinLimit, MaxLimit)
	}
	return nil
}

// Page is one page of the delta feed.
type Page struct {
	Incidents []Incident
	// NextPath is the vendor's link to the next page, query included. The
	// vendor always sends one; only a full page means there is more.
	NextPath string
	More     bool
	// Unreadable counts resources in the answer that were not incident
	// objects with an id; they are reported, not silently dropped.
	Unreadable int

	limit     int    // the page size in effect
	requested string // the path and query this page came from
}

const deltaPath = "/incident/api/incidents/delta"

// Incidents returns the first page of the delta feed for q. Follow the rest
// with More. A severity or page size the endpoint would refuse is an error
// here, before anything is sent.
func (c *Client) Incidents(ctx context.Context, q Query) (Page, error) {
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if err := checkLimit(q.Limit); err != nil {
		return Page{}, fmt.Errorf("SaaS %s: %w", c.Tenant(), err)
	}
	severities, err := SeverityFilter(q.Severities)
	if err != nil {
		return Page{}, fmt.Errorf("SaaS %s: %w", c.Tenant(), err)
	}
	params := url.Values{"limit": {strconv.Itoa(q.Limit)}}
	if !q.From.IsZero() {
		params.Set("from", TimeParam(q.From))
	}
	if !q.To.IsZero() {
		params.Set("to", TimeParam(q.To))
	}
	if len(q.AppIDs) > 0 {
		params.Set("app_ids", strings.Join(q.AppIDs, ","))
	}
	if q.State != "" {
		params.Set("state", strings.ToLower(q.State))
	}
	if len(severities) > 0 {
		params.Set("severity", strings.Join(severities, ","))
	}
	if len(q.Statuses) > 0 {
		vals := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			vals[i] = StatusFilter(s)
		}
		params.Set("status", strings.Join(vals, ","))
	}
	return c.page(ctx, &httpx.Request{Path: deltaPath, Query: params}, deltaPath+"?"+params.Encode(), q.Limit)
}

// More follows p's nextPath exactly as the vendor wrote it (it carries its
// own query), returning the next page.
func (c *Client) More(ctx context.Context, p Page) (Page, error) {
	if !p.More {
		return Page{}, fmt.Errorf("SaaS %s: no further page to follow", c.Tenant())
	}
	if p.NextPath == p.requested {
		return Page{}, fmt.Errorf("SaaS %s: the vendor's nextPath does not advance (%s): stopping rather than reading the same page again", c.Tenant(), clean.Line(p.NextPath))
	}
	req := &httpx.Request{Path: p.NextPath}
	if u, err := url.Parse(p.NextPath); err == nil && u.IsAbs() {
		req = &httpx.Request{URL: p.NextPath} // httpx refuses another host
	}
	return c.page(ctx, req, p.NextPath, p.limit)
}

func (c *Client) page(ctx context.Context, req *httpx.Request, requested string, limit int) (Page, error) {
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return Page{}, err
	}
	var env struct {
		Limit     lenient.Int       `json:"limit"`
		NextPath  lenient.String    `json:"nextPath"`
		Resources []json.RawMessage `json:"resources"`
	}
	if bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("[")) {
		// A bare list has no nextPath: it is the whole answer.
		err = resp.Decode(&env.Resources)
	} else {
		err = resp.Decode(&env)
	}
	if err != nil {
		return Page{}, err
	}
	if env.Limit > 0 {
		limit = int(env.Limit) // the vendor's own page size decides what "full" is
	}
	p := Page{NextPath: strings.TrimSpace(string(env.NextPath)), limit: limit, requested: requested,
		Incidents: make([]Incident, 0, len(env.Resources))}
	for _, raw := range env.Resources {
		var inc Incident
		if err := json.Unmarshal(raw, &inc); err != nil || inc.ID == "" {
			p.Unreadable++ // not an object, or one that cannot be opened or acted on
			continue
		}
		clean.Value(&inc)
		p.Incidents = append(p.Incidents, inc)
	}
	// The feed ends on a page shorter than the limit: nextPath is always
	// there, so it cannot say so itself.
	p.More = len(env.Resources) >= limit && limit > 0 && p.NextPath != ""
	return p, nil
}

func incidentPath(id string, rest ...string) string {
	return httpx.PathEscape(append([]string{"incident", "api", "incidents", id}, rest...)...)
}

// Incident gets one incident by id, with its raw JSON.
func (c *Client) Incident(ctx context.Context, id string) (*Incident, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: incidentPath(id)})
	if err != nil {
		return nil, err
	}
	var inc Incident
	if err := resp.Decode(&inc); err != nil {
		return nil, err
	}
	inc.Raw = json.RawMessage(bytes.TrimSpace(resp.Body))
	if inc.ID == "" {
		inc.ID = lenient.String(id)
	}
	return &inc, nil
}

// State reads an incident's state, category, resolver and resolution date.
func (c *Client) State(ctx context.Context, id string) (IncidentState, error) {
	var s IncidentState
	_, err := c.http.Get(ctx, incidentPath(id, "state"), nil, &s)
	return s, err
}

// Close closes an incident with a category (misidentified, no_reason,
// business_justified); an incident already closed takes a new category the
// same way. It is never retried blindly: when the answer is lost the error
// says so (httpx.IsUnknown) and Closed reads the state back.
func (c *Client) Close(ctx context.Context, id, category string) (IncidentState, error) {
	var s IncidentState
	_, err := c.http.Send(ctx, http.MethodPost, incidentPath(id, "state"),
		map[string]string{"state": "closed", "category": category},
		&httpx.Write{Action: "saas.close", Target: id, Params: map[string]any{"category": category},
			Answer: httpx.Answer{Keys: []string{"state"}}}, &s) // the state; an empty 2xx is taken too
	return s, err
}

// Closed reads the incident's state back and reports whether it is closed
// with category: the check before offering to send a lost close again.
func (c *Client) Closed(ctx context.Context, id, category string) (bool, IncidentState, error) {
	s, err := c.State(ctx, id)
	if err != nil {
		return false, s, err
	}
	return strings.EqualFold(string(s.State), "closed") && string(s.Category) == category, s, nil
}

// Apps lists the tenant's monitored apps.
func (c *Client) Apps(ctx context.Context) ([]App, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: "/incident/api/apps"})
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := resp.Decode(&raw); err != nil {
		return nil, err
	}
	apps, err := lenient.List[App](raw, "apps", "resources", "data")
	if err != nil {
		return nil, resp.Fail("malformed app list: %s", clean.Line(err.Error()))
	}
	clean.Value(&apps)
	return apps, nil
}

// RemediationRequest asks for one remediation of one asset.
type RemediationRequest struct {
	AssetID string
	Type    string // Quarantine, Restore or RemovePublicSharing
	// RemoveInherited also removes shared links on parent folders; it is
	// sent only with RemovePublicSharing.
	RemoveInherited bool
}

// Remediate starts a remediation. The vendor answers any 2xx and works on
// it afterwards; RemediationStatus follows it. Never retried blindly.
func (c *Client) Remediate(ctx context.Context, r RemediationRequest) error {
	body := map[string]any{"asset_id": r.AssetID, "remediation_type": r.Type}
	params := map[string]any{"remediation_type": r.Type}
	if r.Type == RemovePublicSharing {
		body["remove_inherited_sharing"] = r.RemoveInherited
		params["remove_inherited_sharing"] = r.RemoveInherited
	}
	_, err := c.http.Send(ctx, http.MethodPost, "/remediation/api/assets", body,
		&httpx.Write{Action: "saas.remediate", Target: r.AssetID, Params: params}, nil)
	return err
}

// RemediationStatus reads the status of the latest remediation of a type on
// an asset.
func (c *Client) RemediationStatus(ctx context.Context, assetID, remediationType string) (Remediation, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: "/remediation/api/assets",
		Query: url.Values{"asset_id": {assetID}, "remediation_type": {remediationType}}})
	if err != nil {
		return Remediation{}, err
	}
	var raw json.RawMessage
	if err := resp.Decode(&raw); err != nil {
		return Remediation{}, err
	}
	// One object is documented; a list is read as its latest entry.
	list, err := lenient.List[Remediation](raw, "resources", "data")
	if err != nil || len(list) == 0 {
		var one Remediation
		if err := json.Unmarshal(raw, &one); err != nil {
			return Remediation{}, resp.Fail("malformed remediation status: %s", clean.Line(err.Error()))
		}
		list = []Remediation{one}
	}
	latest := list[0]
	for _, r := range list[1:] {
		if r.ActionDate.After(latest.ActionDate.Time) {
			latest = r
		}
	}
	clean.Value(&latest)
	if latest.Status == "" {
		return latest, resp.Fail("the remediation status has no status field")
	}
	return latest, nil
}

// Started reads a remediation's status back after a start whose answer was
// lost: it landed when the vendor reports it pending, or acted on at or
// after since (less a minute of clock skew).
func (c *Client) Started(ctx context.Context, r RemediationRequest, since time.Time) (bool, Remediation, error) {
	st, err := c.RemediationStatus(ctx, r.AssetID, r.Type)
	if err != nil {
		if httpx.IsNotFound(err) {
			return false, st, nil // no remediation of this type on the asset
		}
		return false, st, err
	}
	landed := Outcome(string(st.Status)) == Pending || !st.ActionDate.IsZero() && !st.ActionDate.Before(since.Add(-time.Minute))
	return landed, st, nil
}
