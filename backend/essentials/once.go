package essentials

import (
	"context"

	"triage/backend/settle"
)

// AddSenderOnce puts a sender on a list (the organisation's, user "", or
// one user's), sent once; a lost answer is settled by reading the list
// back. The Outcome's Value is the lists reading back found.
func (c *Client) AddSenderOnce(ctx context.Context, user string, list List, sender string) settle.Outcome[SenderList] {
	return settle.Do(ctx, func(ctx context.Context) (SenderList, error) {
		return SenderList{}, c.AddSenders(ctx, user, list, sender)
	},
		c.listed(user, func(l SenderList) bool { return l.Has(list, sender) }))
}

// RemoveSenderOnce takes a sender off a list, sent once; a lost answer is
// settled by reading the list back.
func (c *Client) RemoveSenderOnce(ctx context.Context, user string, list List, sender string) settle.Outcome[SenderList] {
	return settle.Do(ctx, func(ctx context.Context) (SenderList, error) {
		return SenderList{}, c.RemoveSenders(ctx, user, list, sender)
	},
		c.listed(user, func(l SenderList) bool { return !l.Has(list, sender) }))
}

func (c *Client) listed(user string, there func(SenderList) bool) settle.Check[SenderList] {
	return func(ctx context.Context) (SenderList, bool, error) {
		l, err := c.SenderLists(ctx, user)
		if err != nil {
			return l, false, err
		}
		return l, there(l), nil
	}
}
