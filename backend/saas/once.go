package saas

import (
	"context"
	"time"

	"triage/backend/settle"
)

// CloseOnce closes an incident with a category, sent once; a lost answer
// is settled by reading the state back (Closed). The Outcome's Value is
// the state the vendor answered or reading back found.
func (c *Client) CloseOnce(ctx context.Context, id, category string) settle.Outcome[IncidentState] {
	return settle.Do(ctx, func(ctx context.Context) (IncidentState, error) { return c.Close(ctx, id, category) },
		func(ctx context.Context) (IncidentState, bool, error) {
			closed, s, err := c.Closed(ctx, id, category)
			return s, closed, err
		})
}

// RemediateOnce starts a remediation, sent once; a lost answer is settled
// by reading the remediation's status back (Started, since the start).
// The Outcome's Value is the status reading back found. The journal
// records it the same way whoever started it (remediations.Started).
func (c *Client) RemediateOnce(ctx context.Context, r RemediationRequest, since time.Time) settle.Outcome[Remediation] {
	return settle.Do(ctx, func(ctx context.Context) (Remediation, error) { return Remediation{}, c.Remediate(ctx, r) },
		func(ctx context.Context) (Remediation, bool, error) {
			started, st, err := c.Started(ctx, r, since)
			return st, started, err
		})
}
