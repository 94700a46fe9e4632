package itm

import (
	"context"
	"encoding/json"
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
	"triage/backend/identity"
	"triage/backend/lenient"
)

// DefaultCommentKind is the comment kind analysts use.
const DefaultCommentKind = "it:comment:note"

// Client talks to one ITM tenant.
type Client struct {
	http     *httpx.Client
	token    *httpx.Token
	statuses []config.Status
	base     string // https://tenant.explore.proofpoint.com/v2/apis
}

// Deps are the process-wide pieces a client shares.
type Deps = httpx.Options

// New builds the client of tenant t. Requests go to {base_url}/{api_version}/apis;
// the token is the client-credentials grant with the id and secret in the
// form body and scope "*".
func New(t config.ITM, deps httpx.Options) (*Client, error) {
	base := strings.TrimRight(t.BaseURL, "/") + "/" + t.APIVersion + "/apis"
	tokenURL := base + "/auth/oauth/token"
	tok := httpx.NewToken(httpx.ClientCredentials(tokenURL, t.ClientID, t.ClientSecret.Reveal(), []string{"*"}, oauth2.AuthStyleInParams, nil), time.Minute)
	if u, err := url.Parse(tokenURL); err == nil {
		tok.SetTokenPath(u.Path)
	}
	deps.Vendor, deps.Tenant, deps.BaseURL, deps.Conn, deps.Auth = "ITM", t.Name, base, t.Conn, tok
	deps.Secrets = []string{t.ClientSecret.Reveal()}
	hc, err := httpx.New(deps)
	if err != nil {
		return nil, err
	}
	return &Client{http: hc, token: tok, statuses: t.Statuses, base: base}, nil
}

// WebURL is the incident's page in the ITM web console: the API root with
// "apps" for "apis", as the vendor's own links are built.
func (c *Client) WebURL(fqid string) string {
	return strings.TrimSuffix(c.base, "/apis") + "/apps/search/incidents/new/search?fqid=" + url.QueryEscape(fqid)
}

// HTTP is the tenant's HTTP client, for `triage api`.
func (c *Client) HTTP() *httpx.Client { return c.http }

// Tenant is the tenant's name.
func (c *Client) Tenant() string { return c.http.Tenant() }

// Statuses are the tenant's configured workflow statuses.
func (c *Client) Statuses() []config.Status { return c.statuses }

// TokenRequests counts token requests, for the request-cost benchmark.
func (c *Client) TokenRequests() int64 { return c.token.Requests() }

// Check tests connectivity the way the vendor's own connector does: by
// getting a token.
func (c *Client) Check(ctx context.Context) error {
	c.token.Invalidate()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base, nil)
	return c.token.Authorize(ctx, req)
}

// Query selects incidents. Zero values mean "no filter".
type Query struct {
	Since      time.Time // observed at or after
	Until      time.Time // observed before
	Statuses   []string  // status names (new, in-progress) or full values
	Severities []string  // severity words; applied to the page (ITM severity values carry a tenant score)
	People     []string  // emails: the incident's user or a message sender
	Offset     int
	Limit      int
}

// Page is one page of incidents, newest first.
type Page struct {
	Tickets []Ticket
	Total   int  // from _meta.stats.total; -1 when not reported
	Offset  int  // of the first ticket
	More    bool // another page may follow
}

// queryBody builds the event-queries body: incidents only, sorted by
// observed time (newest first) then event id, for stable offset paging.
func (q Query) body() map[string]any {
	filters := []any{map[string]any{"$isNull": map[string]any{"incident.id": false}}}
	if !q.Since.IsZero() {
		filters = append(filters, map[string]any{"$datetimeGE": map[string]any{"event.observedAt": q.Since.UnixMilli()}})
	}
	if !q.Until.IsZero() {
		filters = append(filters, map[string]any{"$datetimeLT": map[string]any{"event.observedAt": q.Until.UnixMilli()}})
	}
	if len(q.Statuses) > 0 {
		vals := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			vals[i] = StatusValue(s)
		}
		filters = append(filters, map[string]any{"$stringIn": map[string]any{"incident.status": vals}})
	}
	if len(q.People) > 0 {
		filters = append(filters, map[string]any{"$or": []any{
			map[string]any{"$stringIn": map[string]any{"user.email": q.People}},
			map[string]any{"$stringIn": map[string]any{"messages.sender.email": q.People}},
		}})
	}
	return map[string]any{
		"sort": []any{
			map[string]any{"event.observedAt": map[string]any{"order": "desc", "unmapped_type": "boolean"}},
			map[string]any{"event.id": map[string]any{"order": "asc", "unmapped_type": "boolean"}},
		},
		"filters": map[string]any{"$and": filters},
	}
}

// Incidents returns one page of incidents matching q.
func (c *Client) Incidents(ctx context.Context, q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = 500
	}
	params := url.Values{
		"offset":         {strconv.Itoa(q.Offset)},
		"limit":          {strconv.Itoa(q.Limit)},
		"entityTypes":    {"event"},
		"trackTotalHits": {"true"},
	}
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: "/activity/event-queries", Query: params, JSON: q.body(), Read: true})
	if err != nil {
		return Page{}, err
	}
	var env struct {
		Status *APIStatus        `json:"_status"`
		Data   []json.RawMessage `json:"data"`
		Meta   struct {
			Stats struct {
				Total *lenient.Int `json:"total"`
			} `json:"stats"`
		} `json:"_meta"`
	}
	if err := resp.Decode(&env); err != nil {
		return Page{}, err
	}
	if env.Status != nil && env.Status.Status >= 400 {
		return Page{}, resp.Fail("%s %s", env.Status.Code, env.Status.Message)
	}
	page := Page{Offset: q.Offset, Total: -1, Tickets: make([]Ticket, 0, len(env.Data))}
	for _, raw := range env.Data {
		var t Ticket
		if err := json.Unmarshal(raw, &t); err != nil {
			continue // one malformed event must not hide the rest
		}
		clean.Value(&t)
		if !matchesSeverity(t, q.Severities) {
			continue
		}
		page.Tickets = append(page.Tickets, t)
	}
	if env.Meta.Stats.Total != nil {
		page.Total = int(*env.Meta.Stats.Total)
	}
	page.More = len(env.Data) == q.Limit && (page.Total < 0 || q.Offset+len(env.Data) < page.Total)
	return page, nil
}

func matchesSeverity(t Ticket, words []string) bool {
	if len(words) == 0 {
		return true
	}
	w := ParseSeverity(string(t.Incident.Severity)).Word
	for _, s := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

func eventPath(fqid string, rest ...string) string {
	return httpx.PathEscape(append([]string{"activity", "events", fqid}, rest...)...)
}

// Ticket gets one incident with everything the vendor has on it.
func (c *Client) Ticket(ctx context.Context, fqid string) (*Ticket, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: eventPath(fqid)})
	if err != nil {
		return nil, err
	}
	var t Ticket
	if err := resp.Decode(&t); err != nil {
		return nil, err
	}
	if t.Status != nil && t.Status.Status >= 400 {
		return nil, resp.Fail("%s %s", t.Status.Code, t.Status.Message)
	}
	t.Raw = json.RawMessage(resp.Body)
	if t.FQID == "" {
		t.FQID = fqid
	}
	return &t, nil
}

// RawMessage returns the incident's message exactly as the vendor stores it
// (RFC 822), for saving as evidence; it is not safe to print to a terminal.
func (c *Client) RawMessage(ctx context.Context, fqid string) ([]byte, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{
		Path:   eventPath(fqid, "messages", "default", "contents", "_raw"),
		Query:  url.Values{"stream": {"true"}},
		Accept: "application/octet-stream, message/rfc822, text/plain, */*",
	})
	if err != nil {
		return nil, err
	}
	if resp.Empty() {
		return nil, resp.Fail("the message has no stored content")
	}
	return resp.Body, nil
}

// RawEmail is the raw message cleaned for the terminal.
func (c *Client) RawEmail(ctx context.Context, fqid string) (string, error) {
	raw, err := c.RawMessage(ctx, fqid)
	if err != nil {
		return "", err
	}
	return clean.String(string(raw)), nil
}

// Comment adds a comment to the incident. kind defaults to it:comment:note.
func (c *Client) Comment(ctx context.Context, fqid, text, kind string) error {
	if kind == "" {
		kind = DefaultCommentKind
	}
	body := map[string]any{"data": []map[string]string{{"alias": commentAlias(ctx), "kind": kind, "text": text}}}
	_, err := c.http.Send(ctx, http.MethodPost, eventPath(fqid, "annotations", "comments"), body,
		&httpx.Write{Action: "itm.comment", Target: fqid, Params: map[string]any{"kind": kind, "chars": len(text)}}, nil)
	return err
}

// commentAlias is what a comment's "alias" carries: the analyst's name
// (what the audit line says), never empty. What the field means, from every
// public reference:
//   - Splunk SOAR proofpointitm_connector.py, _handle_add_comment: sends the
//     literal "string" (Swagger UI's example for a string-typed property, left
//     in), so the vendor accepts any string there and its schema types it a
//     string; nothing says it is required or bounded in length.
//   - same file, _handle_set_status: a workflow status's "alias" is its title
//     (proofpointitm.json: "Alias / Status title"); _handle_get_user: the
//     users' "alias" filter is a username or email.
//   - drizzo-tech/proofpoint_itm classes.py (Predicate.__init__/as_dict) and
//     sample_scripts/update_condition.py: an object's alias is its readable
//     identifier, looked up by name; client.py sends no comments at all.
//   - Proofpoint-Projects/ApprovalApp-Public proofpoint-email-events.service.ts
//     (incident reasons): alias is a readable label shown when a name is missing.
//
// So "alias" is a readable label of the object, not an authenticated author
// (the token says who wrote it). triage labels a comment with the analyst's
// name rather than SOAR's placeholder: a string like SOAR's, and one a reader
// of the incident can use.
func commentAlias(ctx context.Context) string {
	if name := identity.From(ctx).Name; name != "" {
		return name
	}
	return "triage"
}

// Assign makes assignee the owner of the incident.
func (c *Client) Assign(ctx context.Context, fqid, assignee string) error {
	_, err := c.http.Send(ctx, http.MethodPut, eventPath(fqid, "annotations", "workflow", "assignment"), map[string]string{"id": assignee},
		&httpx.Write{Action: "itm.assign", Target: fqid, Params: map[string]any{"assignee": assignee}}, nil)
	return err
}

// StatusChange moves an incident to a workflow status.
type StatusChange struct {
	ID       string // the tenant's status id
	Title    string // its display name, sent as the alias when known
	Category string // optional disposition category
	Assignee string // optional new assignee
}

// SetStatus changes the incident's workflow status.
func (c *Client) SetStatus(ctx context.Context, fqid string, s StatusChange) error {
	status := map[string]string{"id": s.ID}
	if s.Title != "" {
		status["alias"] = s.Title
	}
	disposition := map[string]any{"status": status}
	if s.Category != "" {
		disposition["category"] = s.Category
	}
	state := map[string]any{"disposition": disposition}
	if s.Assignee != "" {
		state["assignee"] = map[string]string{"id": s.Assignee}
	}
	params := map[string]any{"status": s.ID}
	if s.Category != "" {
		params["category"] = s.Category
	}
	if s.Assignee != "" {
		params["assignee"] = s.Assignee
	}
	_, err := c.http.Send(ctx, http.MethodPatch, eventPath(fqid, "annotations", "workflow"), map[string]any{"state": state},
		&httpx.Write{Action: "itm.status", Target: fqid, Params: params}, nil)
	return err
}

// UserQuery selects ITM users.
type UserQuery struct {
	Alias  string // username or email; * wildcards allowed
	Status string // CSV of active, inactive, pending, deleted, error
	Offset int
	Limit  int
}

// Users lists ITM users (the people tickets can be assigned to).
func (c *Client) Users(ctx context.Context, q UserQuery) ([]User, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	params := url.Values{"offset": {strconv.Itoa(q.Offset)}, "limit": {strconv.Itoa(q.Limit)}}
	if q.Alias != "" {
		params.Set("alias", q.Alias)
	}
	if q.Status != "" {
		params.Set("status", q.Status)
	}
	resp, err := c.http.Do(ctx, &httpx.Request{Path: "/auth/users", Query: params})
	if err != nil {
		return nil, err
	}
	if resp.Empty() {
		return nil, nil
	}
	users, err := lenient.List[User](resp.Body, "data", "users", "items")
	if err != nil {
		return nil, resp.Fail("malformed JSON: %v", err)
	}
	clean.Value(&users)
	return users, nil
}

// CommentLanded reads the incident back and reports whether a comment with
// this text is on it: the check before offering to resend a comment whose
// answer was lost.
func (c *Client) CommentLanded(ctx context.Context, fqid, text string) (bool, error) {
	t, err := c.Ticket(ctx, fqid)
	if err != nil {
		return false, err
	}
	return hasComment(t, text), nil
}

// String names the client in messages.
func (c *Client) String() string { return fmt.Sprintf("ITM %s", c.Tenant()) }
