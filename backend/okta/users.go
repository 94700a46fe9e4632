package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"triage/backend/clean"
	"triage/backend/httpx"
)

// The user API: lookups, create, partial update and lifecycle. Every change
// is an httpx write named "okta.<action>": refused for a read-only analyst,
// recorded in the audit log, never retried blindly.

// userAnswer is the documented answer of the writes that return the
// user: a User object, which has an id.
var userAnswer = httpx.Answer{Keys: []string{"id"}, Body: true}

// UsersPath is the users endpoint, also its rate-limit bucket.
const UsersPath = "/api/v1/users"

func userPath(id string, rest ...string) string {
	return httpx.PathEscape(append([]string{"api", "v1", "users", id}, rest...)...)
}

// User gets a user by id, login or login short name ("li.chen"). An
// unknown user is a 404 (httpx.IsNotFound).
func (c *Client) User(ctx context.Context, idOrLogin string) (*User, error) {
	u, resp, err := get[User](ctx, c, userPath(idOrLogin), nil)
	if err != nil {
		return nil, err
	}
	u.ETag = resp.Header.Get("ETag")
	return u, nil
}

// UserQuery selects users. Filter and Search include deactivated users; a
// plain list (or Q) leaves them out.
type UserQuery struct {
	Filter string // e.g. profile.login eq "a@b.example", status eq "SUSPENDED"
	Search string // Okta's richer search expression (eventually consistent)
	Q      string // first name, last name or email starts with
	Limit  int    // page size (Okta's default is 200; 10 with Q)
}

// Users lists users, one page at a time.
func (c *Client) Users(ctx context.Context, q UserQuery, next string) (Page[User], error) {
	params := url.Values{}
	if q.Filter != "" {
		params.Set("filter", q.Filter)
	}
	if q.Search != "" {
		params.Set("search", q.Search)
	}
	if q.Q != "" {
		params.Set("q", q.Q)
	}
	if q.Limit > 0 {
		params.Set("limit", strconv.Itoa(q.Limit))
	}
	return list[User](ctx, c, UsersPath, params, next)
}

// LoginFilter is the users filter for one login.
func LoginFilter(login string) string { return "profile.login eq " + Quote(login) }

// FindUser looks a login up with filter=profile.login eq "...", which also
// finds deactivated users; found is false when no user has that login.
func (c *Client) FindUser(ctx context.Context, login string) (u *User, found bool, err error) {
	return c.findBy(ctx, "login", login)
}

// FindUserByEmail looks a user up by profile.email, as FindUser does by
// login; the first is taken when several share the address.
func (c *Client) FindUserByEmail(ctx context.Context, email string) (u *User, found bool, err error) {
	return c.findBy(ctx, "email", email)
}

// findBy filters users on profile.<attr> eq value (demisto/content
// Okta_IAM.py get_user: filter=profile.login eq "<email>"). Every user
// answered must hold that value, compared case-insensitively as Okta
// compares logins: a server that ignored the filter answers other people,
// and that is an error, never another person found.
func (c *Client) findBy(ctx context.Context, attr, value string) (*User, bool, error) {
	p, err := c.Users(ctx, UserQuery{Filter: "profile." + attr + " eq " + Quote(value), Limit: 2}, "")
	if err != nil {
		return nil, false, err
	}
	for i := range p.Items {
		if !strings.EqualFold(p.Items[i].Profile.Get(attr), value) {
			return nil, false, &httpx.Error{Vendor: "Okta", Tenant: c.Tenant(), Method: http.MethodGet, Path: UsersPath, Status: http.StatusOK,
				Message: fmt.Sprintf("asked for the user whose %s is %s, answered with someone else: the server ignored the filter, so nobody was taken as found", attr, clean.Line(value))}
		}
	}
	if len(p.Items) == 0 {
		return nil, false, nil
	}
	return &p.Items[0], true, nil
}

// NewUser is a user to create.
type NewUser struct {
	Profile  Profile // login, email, firstName and lastName at least
	Password string  // optional; without one the user activates by email
	GroupIDs []string
	Activate bool // activate now (Okta's default) or leave STAGED
}

// CreateUser creates a user (POST /api/v1/users?activate=...).
func (c *Client) CreateUser(ctx context.Context, n NewUser) (*User, error) {
	body := map[string]any{"profile": n.Profile}
	if n.Password != "" {
		body["credentials"] = map[string]any{"password": map[string]string{"value": n.Password}}
	}
	if len(n.GroupIDs) > 0 {
		body["groupIds"] = n.GroupIDs
	}
	q := url.Values{"activate": {strconv.FormatBool(n.Activate)}}
	var u User
	_, err := c.write(ctx, http.MethodPost, UsersPath, q, body, &httpx.Write{
		Action: "okta.create_user", Target: n.Profile.Get("login"),
		Params: map[string]any{"activate": n.Activate, "fields": n.Profile.Keys(), "groups": len(n.GroupIDs), "password": n.Password != ""},
		Answer: userAnswer,
	}, &u)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// UpdateUser changes only the given profile fields (POST /api/v1/users/{id},
// Okta's partial update; a PUT would clear every field not sent).
func (c *Client) UpdateUser(ctx context.Context, id string, changed Profile) (*User, error) {
	var u User
	_, err := c.write(ctx, http.MethodPost, userPath(id), nil, map[string]any{"profile": changed}, &httpx.Write{
		Action: "okta.update_user", Target: id, Params: map[string]any{"fields": changed.Keys()}, Answer: userAnswer,
	}, &u)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// lifecycle runs POST /api/v1/users/{id}/lifecycle/{op}. Most answer an
// empty 200 (or {}); answer says when Okta documents more.
func (c *Client) lifecycle(ctx context.Context, id, op string, q url.Values, answer httpx.Answer, out any) error {
	params := map[string]any{}
	for k := range q {
		params[k] = q.Get(k)
	}
	_, err := c.write(ctx, http.MethodPost, userPath(id, "lifecycle", op), q, nil,
		&httpx.Write{Action: "okta." + op, Target: id, Params: params, Answer: answer}, out)
	return err
}

// Suspend moves an ACTIVE user to SUSPENDED: they cannot sign in, and
// their app assignments stay.
func (c *Client) Suspend(ctx context.Context, id string) error {
	return c.lifecycle(ctx, id, "suspend", nil, httpx.Answer{}, nil)
}

// Unsuspend returns a SUSPENDED user to ACTIVE.
func (c *Client) Unsuspend(ctx context.Context, id string) error {
	return c.lifecycle(ctx, id, "unsuspend", nil, httpx.Answer{}, nil)
}

// Deactivate deprovisions a user (DEPROVISIONED): destructive, it removes
// their app assignments. No email is sent.
func (c *Client) Deactivate(ctx context.Context, id string) error {
	return c.lifecycle(ctx, id, "deactivate", url.Values{"sendEmail": {"false"}}, httpx.Answer{}, nil)
}

// Activation is the answer to an activation without email.
type Activation struct {
	ActivationToken string `json:"activationToken"`
	ActivationURL   string `json:"activationUrl"`
}

// Activate activates a STAGED or DEPROVISIONED user; without sendEmail the
// answer carries the activation link to hand over.
func (c *Client) Activate(ctx context.Context, id string, sendEmail bool) (*Activation, error) {
	var a Activation
	err := c.lifecycle(ctx, id, "activate", url.Values{"sendEmail": {strconv.FormatBool(sendEmail)}}, httpx.Answer{}, &a)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Reactivate restarts the activation of a PROVISIONED user (one activated
// who has not finished); without sendEmail the answer carries the new
// activation link. okta-sdk-golang v5 api/openapi.yaml reactivateUser: only
// from PROVISIONED, sendEmail defaults to false.
func (c *Client) Reactivate(ctx context.Context, id string, sendEmail bool) (*Activation, error) {
	var a Activation
	err := c.lifecycle(ctx, id, "reactivate", url.Values{"sendEmail": {strconv.FormatBool(sendEmail)}}, httpx.Answer{}, &a)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Unlock returns a LOCKED_OUT user to ACTIVE.
func (c *Client) Unlock(ctx context.Context, id string) error {
	return c.lifecycle(ctx, id, "unlock", nil, httpx.Answer{}, nil)
}

// PasswordReset is the answer to a password reset without email.
type PasswordReset struct {
	ResetPasswordURL string `json:"resetPasswordUrl"`
}

// ResetPassword puts the user in RECOVERY; revokeSessions also signs them
// out everywhere. Without sendEmail the answer carries the reset link.
func (c *Client) ResetPassword(ctx context.Context, id string, sendEmail, revokeSessions bool) (*PasswordReset, error) {
	var r PasswordReset
	q := url.Values{"sendEmail": {strconv.FormatBool(sendEmail)}, "revokeSessions": {strconv.FormatBool(revokeSessions)}}
	if err := c.lifecycle(ctx, id, "reset_password", q, httpx.Answer{}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ExpirePassword makes the user choose a new password at next sign-in
// (PASSWORD_EXPIRED).
func (c *Client) ExpirePassword(ctx context.Context, id string) (*User, error) {
	var u User
	if err := c.lifecycle(ctx, id, "expire_password", nil, userAnswer, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// ClearSessions signs the user out of every Okta session; oauthTokens also
// revokes the OAuth tokens issued to them.
func (c *Client) ClearSessions(ctx context.Context, id string, oauthTokens bool) error {
	q := url.Values{"oauthTokens": {strconv.FormatBool(oauthTokens)}}
	_, err := c.write(ctx, http.MethodDelete, userPath(id, "sessions"), q, nil,
		&httpx.Write{Action: "okta.clear_sessions", Target: id, Params: map[string]any{"oauthTokens": oauthTokens}}, nil)
	return err
}

// Changed returns the fields of after that differ from before, for a
// partial update that sends only what the analyst changed.
func Changed(before, after Profile) Profile {
	out := Profile{}
	for _, k := range after.Keys() {
		if after.Get(k) != before.Get(k) {
			out[k] = after[k]
		}
	}
	return out
}
