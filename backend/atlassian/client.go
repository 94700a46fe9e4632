// Package atlassian is the client of Atlassian's user provisioning API (SCIM
// 2.0) for one directory: users (list, find by userName, get, create, PATCH,
// disable and enable through "active") and groups with their members.
//
// DELETE /Users/{id} is deliberately absent: it unlinks the account from the
// directory for good, which is not "disable".
package atlassian

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"triage/backend/clean"
	"triage/backend/config"
	"triage/backend/httpx"
)

// Client talks to one Atlassian directory.
type Client struct {
	http *httpx.Client
}

// New builds the client of directory t: requests go to
// {base_url}/scim/directory/{directory_id} with "Authorization: Bearer
// <SCIM API key>".
func New(t config.Atlassian, deps httpx.Options) (*Client, error) {
	base := strings.TrimRight(t.BaseURL, "/") + "/scim/directory/" + url.PathEscape(t.DirectoryID)
	deps.Vendor, deps.Tenant, deps.BaseURL, deps.Conn = "Atlassian", t.Name, base, t.Conn
	deps.Secrets = []string{t.Token.Reveal()}
	deps.Auth = httpx.Headers{"Authorization": "Bearer " + t.Token.Reveal()}
	hc, err := httpx.New(deps)
	if err != nil {
		return nil, err
	}
	return &Client{http: hc}, nil
}

// HTTP is the directory's HTTP client, for `triage api`.
func (c *Client) HTTP() *httpx.Client { return c.http }

// Tenant is the directory's name in the config.
func (c *Client) Tenant() string { return c.http.Tenant() }

// String names the client in messages.
func (c *Client) String() string { return "Atlassian " + c.Tenant() }

// Check tests connectivity and the key the way Atlassian's own connector
// does: GET /Users?count=1.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.Users(ctx, 0, 1)
	return err
}

// IsExists reports a create refused because the user (or group) exists.
func IsExists(err error) bool { return httpx.StatusOf(err) == http.StatusConflict }

func userPath(id string) string { return httpx.PathEscape("Users", id) }

// quote makes a value safe inside a SCIM filter's double quotes.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// UserNameFilter is the one user filter Atlassian accepts besides
// externalId: an exact userName.
func UserNameFilter(userName string) string { return "userName eq " + quote(userName) }

// Users lists one page of users: startIndex is 1-based, count the page
// size. Resources that cannot be read are counted in Page.Unreadable.
func (c *Client) Users(ctx context.Context, startIndex, count int) (Page[User], error) {
	p, _, err := list[User](ctx, c, "/Users", pageQuery(startIndex, count))
	return p, err
}

// FindUser looks a userName up with filter=userName eq "..." (the XSOAR
// Atlassian IAM integration's Client.get_user does the same); found is
// false when the directory has no such user. An answer holding a resource
// that cannot be read, or only users of another userName (a server that
// ignored the filter), is an error: "absent" would not be true.
func (c *Client) FindUser(ctx context.Context, userName string) (*User, bool, error) {
	q := url.Values{"filter": {UserNameFilter(userName)}}
	p, resp, err := list[User](ctx, c, "/Users", q)
	if err != nil {
		return nil, false, err
	}
	if err := unreadable(resp, p, "userName "+userName); err != nil {
		return nil, false, err
	}
	// userName is case-insensitive (RFC 7643 section 4.1.1).
	for i := range p.Items {
		if strings.EqualFold(string(p.Items[i].UserName), userName) {
			return &p.Items[i], true, nil
		}
	}
	if len(p.Items) > 0 {
		return nil, false, resp.Fail("the filter userName eq %q was answered with %d users, none of them %s: the directory did not apply the filter",
			userName, len(p.Items), userName)
	}
	return nil, false, nil
}

// unreadable is the error of a look-up whose answer held resources that
// could not be read: what it looked for may be one of them.
func unreadable[T any](resp *httpx.Response, p Page[T], what string) error {
	if p.Unreadable == 0 {
		return nil
	}
	return resp.Fail("%d of the resources answered for %s could not be read (%s): cannot tell whether it is in the directory",
		p.Unreadable, what, p.Problem)
}

// User gets a user by its SCIM id; an unknown id is a 404
// (httpx.IsNotFound).
func (c *Client) User(ctx context.Context, id string) (*User, error) {
	var u User
	if err := c.get(ctx, userPath(id), &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// userAnswer is the documented answer of a create or a PATCH: the User
// (201 or 200), or, from some SCIM servers, an empty answer.
var userAnswer = httpx.Answer{Keys: []string{"id"}}

// CreateUser creates a user (201). A user that already exists is a 409,
// said plainly (IsExists).
func (c *Client) CreateUser(ctx context.Context, n NewUser) (*User, error) {
	var u User
	resp, err := c.write(ctx, http.MethodPost, "/Users", n.body(), &httpx.Write{
		Action: "atlassian.create_user", Target: n.UserName,
		Params: map[string]any{"fields": fieldNames(n)}, Answer: userAnswer,
	}, &u)
	if IsExists(err) {
		return nil, fmt.Errorf("%s already exists in the directory: %w", n.UserName, err)
	}
	if err != nil {
		return nil, err
	}
	if resp.Empty() {
		// An answer without the user: look it up to return it.
		found, ok, err := c.FindUser(ctx, n.UserName)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s was created (%d), but reading it back failed: %w", n.UserName, resp.Status, err)
		case !ok:
			return nil, resp.Fail("%s was created, but the directory does not find it", n.UserName)
		}
		return found, nil
	}
	return &u, nil
}

func fieldNames(n NewUser) []string {
	var out []string
	for _, f := range []struct{ name, v string }{{"givenName", n.GivenName}, {"familyName", n.FamilyName},
		{"displayName", n.DisplayName}, {"title", n.Title}, {"department", n.Department}, {"organization", n.Organization},
		{"externalId", n.ExternalID}} {
		if f.v != "" {
			out = append(out, f.name)
		}
	}
	return out
}

// Patch applies operations to a user with SCIM PATCH, which changes only
// what it names (a PUT would clear every attribute it leaves out). action
// names the change in the audit log, e.g. "atlassian.update_user".
func (c *Client) Patch(ctx context.Context, id, action string, ops ...Op) (*User, error) {
	paths := make([]string, len(ops))
	for i, op := range ops {
		paths[i] = op.Path
	}
	body := map[string]any{"schemas": []string{SchemaPatchOp}, "Operations": ops}
	var u User
	resp, err := c.write(ctx, http.MethodPatch, userPath(id), body, &httpx.Write{
		Action: action, Target: id, Params: map[string]any{"paths": paths}, Answer: userAnswer,
	}, &u)
	if err != nil {
		return nil, err
	}
	if resp.Empty() {
		// Some SCIM servers answer a PATCH with 204: read the result back.
		return c.User(ctx, id)
	}
	return &u, nil
}

// UpdateUser replaces the given attributes (paths such as PathTitle or
// PathGivenName) and leaves every other one as it is. An empty value
// removes the attribute, the way RFC 7644 (section 3.5.2.2) clears one.
func (c *Client) UpdateUser(ctx context.Context, id string, changed map[string]string) (*User, error) {
	paths := make([]string, 0, len(changed))
	for p := range changed {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	ops := make([]Op, len(paths))
	for i, p := range paths {
		ops[i] = Replace(p, changed[p])
		if changed[p] == "" {
			ops[i] = Op{Op: "remove", Path: p}
		}
	}
	return c.Patch(ctx, id, "atlassian.update_user", ops...)
}

// Disable sets active to false: the person can no longer sign in, and the
// account and its groups stay, so Enable undoes it.
func (c *Client) Disable(ctx context.Context, id string) (*User, error) {
	return c.Patch(ctx, id, "atlassian.disable_user", Replace(PathActive, false))
}

// Enable sets active to true.
func (c *Client) Enable(ctx context.Context, id string) (*User, error) {
	return c.Patch(ctx, id, "atlassian.enable_user", Replace(PathActive, true))
}

// Groups lists one page of the directory's groups.
func (c *Client) Groups(ctx context.Context, startIndex, count int) (Page[Group], error) {
	p, _, err := list[Group](ctx, c, "/Groups", pageQuery(startIndex, count))
	return p, err
}

// FindGroup looks a group up by its exact display name (the one filter
// Atlassian accepts on groups); like FindUser, an unreadable resource in
// the answer is an error, not "no such group".
func (c *Client) FindGroup(ctx context.Context, displayName string) (*Group, bool, error) {
	q := url.Values{"filter": {"displayName eq " + quote(displayName)}}
	p, resp, err := list[Group](ctx, c, "/Groups", q)
	if err != nil {
		return nil, false, err
	}
	if err := unreadable(resp, p, "displayName "+displayName); err != nil {
		return nil, false, err
	}
	for i := range p.Items {
		if strings.EqualFold(string(p.Items[i].DisplayName), displayName) {
			return &p.Items[i], true, nil
		}
	}
	return nil, false, nil
}

// Group gets a group with its members.
func (c *Client) Group(ctx context.Context, id string) (*Group, error) {
	var g Group
	if err := c.get(ctx, httpx.PathEscape("Groups", id), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

func pageQuery(startIndex, count int) url.Values {
	q := url.Values{}
	if startIndex > 0 {
		q.Set("startIndex", strconv.Itoa(startIndex))
	}
	if count > 0 {
		q.Set("count", strconv.Itoa(count))
	}
	return q
}

// list gets one ListResponse page, with the answer for error messages.
func list[T resource](ctx context.Context, c *Client, path string, q url.Values) (Page[T], *httpx.Response, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: path, Query: q})
	if err != nil {
		return Page[T]{}, nil, err
	}
	var lr listResponse
	if err := resp.Decode(&lr); err != nil {
		return Page[T]{}, resp, err
	}
	return pageOf[T](lr), resp, nil
}

// resource is a User or a Group as a list holds it.
type resource interface {
	User | Group
}

// pageOf decodes a list's resources one at a time, so one odd resource
// does not lose the page; it is counted in Unreadable instead, never
// dropped unsaid. Each item keeps its raw JSON.
func pageOf[T resource](lr listResponse) Page[T] {
	p := Page[T]{Total: int(lr.TotalResults), StartIndex: max(int(lr.StartIndex), 1)}
	for i, raw := range lr.Resources {
		var item T
		problem := ""
		if err := json.Unmarshal(raw, &item); err != nil {
			problem = err.Error()
		} else if idOf(&item) == "" {
			problem = "it has no id"
		}
		if problem != "" {
			if p.Unreadable++; p.Problem == "" {
				p.Problem = clean.Line(fmt.Sprintf("resource %d: %s", i+1, problem))
			}
			continue
		}
		clean.Value(&item)
		any(&item).(rawKeeper).keepRaw(raw)
		p.Items = append(p.Items, item)
	}
	if read := len(p.Items) + p.Unreadable; p.Total < p.StartIndex-1+read {
		p.Total = p.StartIndex - 1 + read // totalResults missing or short
	}
	return p
}

// idOf is a resource's SCIM id: one without it cannot be opened or changed.
func idOf(r any) string {
	switch v := r.(type) {
	case *User:
		return string(v.ID)
	case *Group:
		return string(v.ID)
	}
	return ""
}

// get decodes one object and keeps its raw JSON.
func (c *Client) get(ctx context.Context, path string, out rawKeeper) error {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: path})
	if err != nil {
		return err
	}
	if err := resp.Decode(out); err != nil {
		return err
	}
	out.keepRaw(json.RawMessage(resp.Body))
	return nil
}

// write sends a change described for the role check and the audit log,
// decoding the answer into out when there is one.
func (c *Client) write(ctx context.Context, method, path string, body any, w *httpx.Write, out rawKeeper) (*httpx.Response, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Method: method, Path: path, JSON: body, Write: w})
	if err != nil {
		return nil, err
	}
	if !resp.Empty() {
		if err := resp.Decode(out); err != nil {
			return resp, err
		}
		out.keepRaw(json.RawMessage(resp.Body))
	}
	return resp, nil
}
