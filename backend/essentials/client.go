// Package essentials is the client of the Proofpoint Essentials Interface
// API v1 for one organisation: its users (list, get, create, update, delete,
// active or not) and the organisation's and each user's sender lists.
//
// Every request carries X-User and X-Password (not HTTP Basic); organisations
// and users are named in paths by primary domain and primary email.
package essentials

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"triage/backend/clean"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/lenient"
)

// Client talks to one organisation on its stack.
type Client struct {
	http     *httpx.Client
	domain   string
	discover bool                   // the stack is found from the domain, not configured
	found    atomic.Pointer[string] // the stack found, once it is
}

// New builds the client of organisation t: requests go to
// {base_url}/api/v1 with the admin's X-User and X-Password. Without a
// base_url, the first request asks config.EssentialsDiscoveryURL which
// stack the domain is on (Stack), once for the client's life.
func New(t config.Essentials, deps httpx.Options) (*Client, error) {
	deps.Vendor, deps.Tenant, deps.Conn = "Essentials", t.Name, t.Conn
	deps.Secrets = []string{t.Password.Reveal()}
	deps.Auth = httpx.Headers{"X-User": t.Username, "X-Password": t.Password.Reveal()}
	c := &Client{domain: t.Domain, discover: t.BaseURL == ""}
	deps.BaseURL = strings.TrimRight(t.BaseURL, "/") + "/api/v1"
	if c.discover {
		ask := deps
		ask.BaseURL = config.EssentialsDiscoveryURL + "/api/v1"
		asker, err := httpx.New(ask)
		if err != nil {
			return nil, err
		}
		deps.BaseURL = ask.BaseURL // a stand-in until the answer
		deps.Discover = func(ctx context.Context) (string, error) {
			stack, err := findStack(ctx, asker, t.Domain)
			if err != nil {
				return "", err
			}
			c.found.Store(&stack)
			return stack + "/api/v1", nil
		}
	}
	hc, err := httpx.New(deps)
	if err != nil {
		return nil, err
	}
	c.http = hc
	return c, nil
}

// Stack is the organisation's stack (https://usN.proofpointessentials.com):
// configured, or found from the domain on first use.
func (c *Client) Stack(ctx context.Context) (string, error) {
	u, err := c.http.Discovered(ctx)
	if err != nil {
		return "", err
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v1")
	return u.String(), nil
}

// Found says which stack was discovered, for `triage check`; "" when the
// stack is configured or not found yet.
func (c *Client) Found() string {
	if stack := c.found.Load(); stack != nil {
		return "stack " + *stack + " (found for " + c.domain + ")"
	}
	return ""
}

// findStack asks GET /endpoints/{domain}, which any stack answers with the
// stacks the domain is on, and returns the first as a base URL. The vendor's
// API guide documents the call but not its answer's items, so every form a
// client could meet is read: {"endpoints":[...]} (krzydoug/Proofpoint
// Get-ProofPointEndpoint returns $response.endpoints) or a bare array, each
// item a URL, a host name, a stack name ("us2"), or an object naming one.
func findStack(ctx context.Context, asker *httpx.Client, domain string) (string, error) {
	resp, err := asker.Do(ctx, &httpx.Request{Path: httpx.PathEscape("endpoints", domain)})
	if err != nil {
		return "", fmt.Errorf("finding the stack of %s (no base_url is set): %w", domain, err)
	}
	var body json.RawMessage
	if err := resp.Decode(&body); err != nil {
		return "", err
	}
	items, err := lenient.List[json.RawMessage](body, "endpoints", "data")
	if err != nil {
		return "", resp.Fail("the stack lookup for %s is not {\"endpoints\":[...]}: %s", domain, clean.Line(err.Error()))
	}
	for _, item := range items {
		if stack := stackURL(item); stack != "" {
			return stack, nil
		}
	}
	return "", resp.Fail("no stack serves %s (the domain is wrong, or set base_url)", domain)
}

// stackURL reads one endpoints item as an https base URL, "" if it is none.
func stackURL(item json.RawMessage) string {
	var s string
	if json.Unmarshal(item, &s) != nil {
		var o map[string]json.RawMessage
		if json.Unmarshal(item, &o) != nil {
			return ""
		}
		for _, k := range []string{"url", "base_url", "endpoint", "host", "hostname", "stack", "name"} {
			if v, ok := o[k]; ok && json.Unmarshal(v, &s) == nil && s != "" {
				break
			}
		}
	}
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return ""
	}
	if !strings.Contains(s, "://") {
		if !strings.Contains(s, ".") {
			s += ".proofpointessentials.com" // a stack name: us2, eu1
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v1")
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// HTTP is the organisation's HTTP client, for `triage api`.
func (c *Client) HTTP() *httpx.Client { return c.http }

// Tenant is the organisation's name in the config.
func (c *Client) Tenant() string { return c.http.Tenant() }

// Domain is the organisation's primary domain.
func (c *Client) Domain() string { return c.domain }

// String names the client in messages.
func (c *Client) String() string { return "Essentials " + c.Tenant() }

// IsExists reports a create refused because the user exists.
func IsExists(err error) bool { return httpx.StatusOf(err) == http.StatusConflict }

func (c *Client) orgPath(rest ...string) string {
	return httpx.PathEscape(append([]string{"orgs", c.domain}, rest...)...)
}

func (c *Client) userPath(email string, rest ...string) string {
	return c.orgPath(append([]string{"users", email}, rest...)...)
}

// Check tests the credentials and the domain: GET /orgs/{domain}. A 401 or
// 403 is a wrong X-User or X-Password (or a read-only admin); a 404 an
// organisation that is not on this stack.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.Org(ctx)
	return err
}

// Org gets the organisation.
func (c *Client) Org(ctx context.Context) (*Org, error) {
	var o Org
	resp, err := c.http.Do(ctx, &httpx.Request{Path: c.orgPath()})
	if httpx.IsNotFound(err) {
		return nil, fmt.Errorf("organisation %s is not on this Essentials stack (the domain is wrong, or the organisation lives on another stack): %w", c.domain, err)
	}
	if err != nil {
		return nil, err
	}
	if err := resp.Decode(&o); err != nil {
		return nil, err
	}
	o.Raw = resp.Body
	return &o, nil
}

// Users lists every user of the organisation. The API does not page: the
// answer is {"users":[...]}, or a bare array from older stacks. One odd
// entry is skipped rather than losing the list.
func (c *Client) Users(ctx context.Context) ([]User, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: c.orgPath("users")})
	if err != nil {
		return nil, err
	}
	return decodeUsers(resp)
}

// decodeUsers reads a list of users, bare or wrapped in "users".
func decodeUsers(resp *httpx.Response) ([]User, error) {
	var body json.RawMessage
	if err := resp.Decode(&body); err != nil {
		return nil, err
	}
	users, err := usersFrom(body)
	if err != nil {
		return nil, resp.Fail("the user list is neither an array nor {\"users\":[...]}: %s", clean.Line(err.Error()))
	}
	return users, nil
}

// usersFrom decodes the users one at a time, so one odd entry is skipped
// rather than losing the list. Strings are cleaned for the terminal.
func usersFrom(body []byte) ([]User, error) {
	raws, err := lenient.List[json.RawMessage](body, "users", "data")
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(raws))
	for _, raw := range raws {
		var u User
		if json.Unmarshal(raw, &u) != nil {
			continue
		}
		clean.Value(&u)
		out = append(out, u)
	}
	return out, nil
}

// User gets a user by primary email; an unknown one is a 404
// (httpx.IsNotFound).
func (c *Client) User(ctx context.Context, email string) (*User, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: c.userPath(email)})
	if err != nil {
		return nil, err
	}
	var u User
	if err := resp.Decode(&u); err != nil {
		return nil, err
	}
	u.Raw = resp.Body
	return &u, nil
}

// FindUser gets a user by primary email; found is false when the
// organisation has no such user (a 404 means "not here", not a failure).
func (c *Client) FindUser(ctx context.Context, email string) (*User, bool, error) {
	u, err := c.User(ctx, email)
	switch {
	case httpx.IsNotFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return u, true, nil
}

// CreateUser creates one user (201). A user that already exists is said
// plainly (IsExists).
func (c *Client) CreateUser(ctx context.Context, n NewUser) error {
	body := n.body()
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: c.orgPath("users"), JSON: body,
		Write: &httpx.Write{Action: "essentials.create_user", Target: n.Email, Params: map[string]any{"type": body["type"], "welcome_email": n.Welcome}}})
	if IsExists(err) {
		return fmt.Errorf("%s already exists in the organisation: %w", n.Email, err)
	}
	return err
}

// CreateUsers creates several users in one request: the vendor takes an
// array of users on the same endpoint.
func (c *Client) CreateUsers(ctx context.Context, users []NewUser) error {
	body := make([]map[string]any, len(users))
	emails := make([]string, len(users))
	for i, n := range users {
		body[i], emails[i] = n.body(), n.Email
	}
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: c.orgPath("users"), JSON: body,
		Write: &httpx.Write{Action: "essentials.create_users", Target: c.domain, Params: map[string]any{"users": emails}}})
	return err
}

// UpdateUser changes fields of a user the way the API wants it: GET the
// whole user, change the named fields, PUT the whole object back (204).
// Every other field goes back exactly as the vendor sent it.
func (c *Client) UpdateUser(ctx context.Context, email string, changed map[string]any) error {
	return c.update(ctx, email, "essentials.update_user", changed)
}

// Disable sets is_active to false.
func (c *Client) Disable(ctx context.Context, email string) error {
	return c.update(ctx, email, "essentials.disable_user", map[string]any{"is_active": false})
}

// Enable sets is_active to true.
func (c *Client) Enable(ctx context.Context, email string) error {
	return c.update(ctx, email, "essentials.enable_user", map[string]any{"is_active": true})
}

func (c *Client) update(ctx context.Context, email, action string, changed map[string]any) error {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: c.userPath(email)})
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := resp.Decode(&raw); err != nil {
		return err
	}
	// Values stay raw bytes, so what is sent back is what came.
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return resp.Fail("the user is not a JSON object, so it cannot be sent back whole")
	}
	fields := make([]string, 0, len(changed))
	for k, v := range changed {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("Essentials %s: field %s: %w", c.Tenant(), k, err)
		}
		obj[k] = b
		fields = append(fields, k)
	}
	slices.Sort(fields)
	params := map[string]any{"fields": fields}
	if v, ok := changed["is_active"]; ok {
		params["is_active"] = v
	}
	_, err = c.http.Do(ctx, &httpx.Request{Method: http.MethodPut, Path: c.userPath(email), JSON: obj,
		Write: &httpx.Write{Action: action, Target: email, Params: params}})
	return err
}

// DeleteUser deletes a user (204). It cannot be undone: disabling is
// Disable.
func (c *Client) DeleteUser(ctx context.Context, email string) error {
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: c.userPath(email),
		Write: &httpx.Write{Action: "essentials.delete_user", Target: email}})
	return err
}

// senderPath is the organisation's sender lists, or a user's when user is
// an email.
func (c *Client) senderPath(user string) string {
	if user == "" {
		return c.orgPath("sender-lists")
	}
	return c.userPath(user, "sender-lists")
}

// SenderLists reads the organisation's sender lists, or one user's.
func (c *Client) SenderLists(ctx context.Context, user string) (SenderList, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: c.senderPath(user)})
	if err != nil {
		return SenderList{}, err
	}
	return decodeSenderLists(resp)
}

// decodeSenderLists reads {"allow_list":[...],"block_list":[...]}; an
// empty answer is two empty lists.
func decodeSenderLists(resp *httpx.Response) (SenderList, error) {
	if resp.Empty() {
		return SenderList{}, nil
	}
	var s senderLists
	if err := resp.Decode(&s); err != nil {
		return SenderList{}, err
	}
	return s.list(), nil
}

// AddSenders adds addresses or domains to the organisation's list (user
// "") or to one user's: POST {"block_list":[...]} adds, it does not replace.
func (c *Client) AddSenders(ctx context.Context, user string, list List, senders ...string) error {
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: c.senderPath(user),
		JSON:  map[string][]string{string(list): senders},
		Write: &httpx.Write{Action: "essentials." + list.Word() + "_sender", Target: c.scopeTarget(user), Params: senderParams(user, list, senders)}})
	return err
}

// RemoveSenders takes addresses off a list: the list is read and PATCHed
// back without them (PATCH replaces the lists it names).
func (c *Client) RemoveSenders(ctx context.Context, user string, list List, senders ...string) error {
	cur, err := c.SenderLists(ctx, user)
	if err != nil {
		return err
	}
	entries := cur.Block
	if list == Allow {
		entries = cur.Allow
	}
	keep := make([]string, 0, len(entries))
	for _, e := range entries {
		if !slices.ContainsFunc(senders, func(s string) bool { return strings.EqualFold(s, e) }) {
			keep = append(keep, e)
		}
	}
	_, err = c.http.Do(ctx, &httpx.Request{Method: http.MethodPatch, Path: c.senderPath(user),
		JSON:  map[string][]string{string(list): keep},
		Write: &httpx.Write{Action: "essentials.un" + list.Word() + "_sender", Target: c.scopeTarget(user), Params: senderParams(user, list, senders)}})
	return err
}

func (c *Client) scopeTarget(user string) string {
	if user == "" {
		return c.domain
	}
	return user
}

func senderParams(user string, list List, senders []string) map[string]any {
	scope := "organisation"
	if user != "" {
		scope = user
	}
	return map[string]any{"list": string(list), "senders": senders, "scope": scope}
}
