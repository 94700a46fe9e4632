package okta

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"triage/backend/httpx"
)

// AppsPath is the applications endpoint, also its rate-limit bucket.
const AppsPath = "/api/v1/apps"

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
	return list[App](ctx, c, AppsPath, params, next)
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

// assignmentAnswer is the documented answer of an assignment: the AppUser,
// which has the user's id.
var assignmentAnswer = httpx.Answer{Keys: []string{"id"}, Body: true}

// AssignUser assigns a user to an app directly (POST
// /api/v1/apps/{appId}/users with {"id": userId, "scope": "USER"};
// okta-sdk-golang v5 api/openapi.yaml assignUserToApplication: the body is
// an AppUserAssignRequest, an AppUser whose id is required, and the answer
// 200 is the AppUser). No credentials or profile are sent: an SSO app
// needs none, and a provisioning app applies its own profile mappings.
func (c *Client) AssignUser(ctx context.Context, appID, userID string) (*AppUser, error) {
	var au AppUser
	_, err := c.write(ctx, http.MethodPost, httpx.PathEscape("api", "v1", "apps", appID, "users"), nil,
		map[string]string{"id": userID, "scope": "USER"}, &httpx.Write{
			Action: "okta.app_assign_user", Target: userID, Params: map[string]any{"app": appID}, Answer: assignmentAnswer,
		}, &au)
	if err != nil {
		return nil, err
	}
	return &au, nil
}

// UnassignUser removes a user's direct assignment to an app (DELETE
// /api/v1/apps/{appId}/users/{userId}, 204; unassignUserFromApplication,
// sendEmail left at its default, false). Destructive: the app profile is
// lost, and a provisioning app may deactivate them there. Okta refuses it
// with 403 E0000046 while a group assignment still grants the app.
func (c *Client) UnassignUser(ctx context.Context, appID, userID string) error {
	_, err := c.write(ctx, http.MethodDelete, httpx.PathEscape("api", "v1", "apps", appID, "users", userID), nil, nil, &httpx.Write{
		Action: "okta.app_unassign_user", Target: userID, Params: map[string]any{"app": appID},
	}, nil)
	return err
}
