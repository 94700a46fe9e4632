package okta

import (
	"context"

	"triage/backend/settle"
)

// The membership writes as the front-ends make them: sent once and, when
// the answer is lost, settled by reading the membership back (Member,
// Assignment). The Outcomes carry no value: what was read is whether the
// person is in.

// AddToGroupOnce adds a user to a group.
func (c *Client) AddToGroupOnce(ctx context.Context, groupID, userID string) settle.Outcome[bool] {
	return settle.Do(ctx, func(ctx context.Context) (bool, error) { return true, c.AddToGroup(ctx, groupID, userID) },
		func(ctx context.Context) (bool, bool, error) {
			in, err := c.Member(ctx, groupID, userID)
			return in, in, err
		})
}

// RemoveFromGroupOnce removes a user from a group.
func (c *Client) RemoveFromGroupOnce(ctx context.Context, groupID, userID string) settle.Outcome[bool] {
	return settle.Do(ctx, func(ctx context.Context) (bool, error) { return false, c.RemoveFromGroup(ctx, groupID, userID) },
		func(ctx context.Context) (bool, bool, error) {
			in, err := c.Member(ctx, groupID, userID)
			return in, !in, err
		})
}

// AssignUserOnce assigns a user to an app directly.
func (c *Client) AssignUserOnce(ctx context.Context, appID, userID string) settle.Outcome[bool] {
	return settle.Do(ctx, func(ctx context.Context) (bool, error) { _, err := c.AssignUser(ctx, appID, userID); return true, err },
		func(ctx context.Context) (bool, bool, error) {
			_, in, err := c.Assignment(ctx, appID, userID)
			return in, in, err
		})
}

// UnassignUserOnce removes a user's direct assignment to an app.
func (c *Client) UnassignUserOnce(ctx context.Context, appID, userID string) settle.Outcome[bool] {
	return settle.Do(ctx, func(ctx context.Context) (bool, error) { return false, c.UnassignUser(ctx, appID, userID) },
		func(ctx context.Context) (bool, bool, error) {
			_, in, err := c.Assignment(ctx, appID, userID)
			return in, !in, err
		})
}
