package okta

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"triage/backend/httpx"
)

// AppQuery selects applications. Zero values mean "no filter".
type AppQuery struct {
	Q      string // name or label starts with
	Filter string // e.g. status eq "ACTIVE", or UserFilter(id) for a person's apps
	Limit  int    // page size, at most 200
}

// UserFilter is the apps filter for the apps assigned to a user.
func UserFilter(userID string) string { return "user.id eq " + Quote(userID) }

// Apps lists applications, one page at a time (pass Page.Next back for the
// next).
func (c *Client) Apps(ctx context.Context, q AppQuery, next string) (Page[App], error) {
	params := url.Values{}
	if q.Q != "" {
		params.Set("q", q.Q)
	}
	if q.Filter != "" {
		params.Set("filter", q.Filter)
	}
	if q.Limit > 0 {
		params.Set("limit", strconv.Itoa(min(q.Limit, 200)))
	}
	return list[App](ctx, c, "/api/v1/apps", params, next)
}

// App gets one application.
func (c *Client) App(ctx context.Context, id string) (*App, error) {
	app, _, err := get[App](ctx, c, httpx.PathEscape("api", "v1", "apps", id), nil)
	return app, err
}

// AppUsers lists the people assigned to an app, directly or through a
// group, one page at a time.
func (c *Client) AppUsers(ctx context.Context, appID string, limit int, next string) (Page[AppUser], error) {
	params := url.Values{}
	if limit > 0 {
		params.Set("limit", strconv.Itoa(min(limit, 500)))
	}
	return list[AppUser](ctx, c, httpx.PathEscape("api", "v1", "apps", appID, "users"), params, next)
}

// Assignment checks whether a user is assigned to an app: Okta answers 200
// with the assignment, or 404 when there is none, which is an answer, not
// an error. A 404 naming the app itself (an unknown app) is an error.
func (c *Client) Assignment(ctx context.Context, appID, userID string) (*AppUser, bool, error) {
	au, _, err := get[AppUser](ctx, c, httpx.PathEscape("api", "v1", "apps", appID, "users", userID), nil)
	switch {
	case err == nil:
		return au, true, nil
	case httpx.StatusOf(err) == http.StatusNotFound && !notFoundIn(err, "AppInstance"):
		return nil, false, nil
	}
	return nil, false, err
}

// UserAppLinks lists the app tiles on a user's dashboard: the apps they can
// reach.
func (c *Client) UserAppLinks(ctx context.Context, userID string) ([]AppLink, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: httpx.PathEscape("api", "v1", "users", userID, "appLinks")})
	if err != nil {
		return nil, err
	}
	return decodeList[AppLink](resp)
}
