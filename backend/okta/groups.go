package okta

import (
	"context"
	"net/url"
	"strconv"

	"triage/backend/httpx"
)

// Group gets one group.
func (c *Client) Group(ctx context.Context, id string) (*Group, error) {
	g, _, err := get[Group](ctx, c, httpx.PathEscape("api", "v1", "groups", id), nil)
	return g, err
}

// GroupMembers lists a group's members, one page at a time.
func (c *Client) GroupMembers(ctx context.Context, groupID string, limit int, next string) (Page[User], error) {
	params := url.Values{}
	if limit > 0 {
		params.Set("limit", strconv.Itoa(limit))
	}
	return list[User](ctx, c, httpx.PathEscape("api", "v1", "groups", groupID, "users"), params, next)
}

// UserGroups lists the groups a user belongs to.
func (c *Client) UserGroups(ctx context.Context, userID string) ([]Group, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Path: httpx.PathEscape("api", "v1", "users", userID, "groups")})
	if err != nil {
		return nil, err
	}
	return decodeList[Group](resp)
}
