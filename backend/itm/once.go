package itm

import (
	"context"
	"strings"

	"triage/backend/clean"
	"triage/backend/settle"
)

// The writes as the front-ends make them: sent once and, when the answer
// is lost, settled by reading the incident back (settle.Do). The Outcome's
// Value is the incident as reading back found it, nil when it was not read.

// CommentOnce adds a comment; a lost one is looked for among the
// incident's comments.
func (c *Client) CommentOnce(ctx context.Context, fqid, text, kind string) settle.Outcome[*Ticket] {
	return settle.Do(ctx, func(ctx context.Context) (*Ticket, error) { return nil, c.Comment(ctx, fqid, text, kind) },
		c.readBack(fqid, func(t *Ticket) bool { return hasComment(t, text) }))
}

// AssignOnce makes assignee the owner; a lost one is read back as the
// incident's assignee.
func (c *Client) AssignOnce(ctx context.Context, fqid, assignee string) settle.Outcome[*Ticket] {
	return settle.Do(ctx, func(ctx context.Context) (*Ticket, error) { return nil, c.Assign(ctx, fqid, assignee) },
		c.readBack(fqid, func(t *Ticket) bool { return t.Assignee() == assignee }))
}

// SetStatusOnce changes the workflow status; a lost one is read back as
// the incident's status.
func (c *Client) SetStatusOnce(ctx context.Context, fqid string, s StatusChange) settle.Outcome[*Ticket] {
	return settle.Do(ctx, func(ctx context.Context) (*Ticket, error) { return nil, c.SetStatus(ctx, fqid, s) },
		c.readBack(fqid, func(t *Ticket) bool { return t.StatusID() == s.ID }))
}

func (c *Client) readBack(fqid string, there func(*Ticket) bool) settle.Check[*Ticket] {
	return func(ctx context.Context) (*Ticket, bool, error) {
		t, err := c.Ticket(ctx, fqid)
		if err != nil {
			return nil, false, err
		}
		return t, there(t), nil
	}
}

// hasComment reports whether a comment with this text is on the incident.
func hasComment(t *Ticket, text string) bool {
	want := strings.TrimSpace(clean.String(text))
	for _, cm := range t.Annotations.Comments {
		if strings.TrimSpace(string(cm.Text)) == want {
			return true
		}
	}
	return false
}
