package okta

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"triage/backend/httpx"
)

// Groups and their members. Membership changes are httpx writes named
// "okta.group_add_user" and "okta.group_remove_user": refused for a
// read-only analyst, recorded in the audit log before they are sent.

// GroupsPath is the groups endpoint, also its rate-limit bucket.
const GroupsPath = "/api/v1/groups"

// Most user groups one page may hold: okta-sdk-golang v5 api/openapi.yaml
// listUserGroups, limit maximum 200 (default 20).
const userGroupsPage = 200

// GroupQuery selects groups. Zero values mean "no filter".
type GroupQuery struct {
	Q     string // the group's name starts with (Okta's q)
	Limit int    // page size
}

// Groups lists groups, one page at a time (pass Page.Next back for the
// next). okta-sdk-golang v5 api/openapi.yaml listGroups: q searches the
// name, limit is the page size, after the Link cursor.
func (c *Client) Groups(ctx context.Context, q GroupQuery, next string) (Page[Group], error) {
	params := url.Values{}
	if q.Q != "" {
		params.Set("q", q.Q)
	}
	if q.Limit > 0 {
		params.Set("limit", strconv.Itoa(q.Limit))
	}
	return list[Group](ctx, c, GroupsPath, params, next)
}

// Group gets one group.
func (c *Client) Group(ctx context.Context, id string) (*Group, error) {
	g, _, err := get[Group](ctx, c, groupPath(id), nil)
	return g, err
}

func groupPath(id string, rest ...string) string {
	return httpx.PathEscape(append([]string{"api", "v1", "groups", id}, rest...)...)
}

// GroupMembers lists a group's members, one page at a time.
func (c *Client) GroupMembers(ctx context.Context, groupID string, limit int, next string) (Page[User], error) {
	params := url.Values{}
	if limit > 0 {
		params.Set("limit", strconv.Itoa(limit))
	}
	return list[User](ctx, c, groupPath(groupID, "users"), params, next)
}

// UserGroups lists every group a user belongs to, following the Link
// header to the last page: Okta answers 20 groups a page unless asked for
// more (listUserGroups, limit default 20, maximum 200), so a person in many
// groups spans several pages.
func (c *Client) UserGroups(ctx context.Context, userID string) ([]Group, error) {
	var all []Group
	next := ""
	for {
		p, err := c.UserGroupsPage(ctx, userID, userGroupsPage, next)
		if err != nil {
			return all, err
		}
		all = append(all, p.Items...)
		if p.Next == "" || len(p.Items) == 0 {
			return all, nil
		}
		next = p.Next
	}
}

// UserGroupsPage gets one page of the groups a user belongs to.
func (c *Client) UserGroupsPage(ctx context.Context, userID string, limit int, next string) (Page[Group], error) {
	params := url.Values{}
	if limit > 0 {
		params.Set("limit", strconv.Itoa(min(limit, userGroupsPage)))
	}
	return list[Group](ctx, c, userPath(userID, "groups"), params, next)
}

// AddToGroup makes a user a member of an OKTA_GROUP (PUT
// /api/v1/groups/{groupId}/users/{userId}; okta-sdk-golang v5
// api_group.go AssignUserToGroup, answered 204 with no body; demisto/content
// Okta_v2.py add_user_to_group sends the same). Adding a member again
// changes nothing and answers 204 too.
func (c *Client) AddToGroup(ctx context.Context, groupID, userID string) error {
	_, err := c.write(ctx, http.MethodPut, groupPath(groupID, "users", userID), nil, nil, &httpx.Write{
		Action: "okta.group_add_user", Target: userID, Params: map[string]any{"group": groupID},
	}, nil)
	return err
}

// RemoveFromGroup ends a user's membership of an OKTA_GROUP (DELETE
// /api/v1/groups/{groupId}/users/{userId}; api_group.go
// UnassignUserFromGroup, 204; Okta_v2.py remove_user_from_group).
func (c *Client) RemoveFromGroup(ctx context.Context, groupID, userID string) error {
	_, err := c.write(ctx, http.MethodDelete, groupPath(groupID, "users", userID), nil, nil, &httpx.Write{
		Action: "okta.group_remove_user", Target: userID, Params: map[string]any{"group": groupID},
	}, nil)
	return err
}

// Member reports whether a user is in a group, reading the user's groups
// (every page): what a lost membership change is read back with.
func (c *Client) Member(ctx context.Context, groupID, userID string) (bool, error) {
	groups, err := c.UserGroups(ctx, userID)
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		if string(g.ID) == groupID {
			return true, nil
		}
	}
	return false, nil
}
