// Package itm is the client of the Proofpoint ITM (Insider Threat
// Management) API: incidents found through activity event queries, their
// detail and raw email, comments, assignment, workflow status and users.
package itm

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"triage/backend/lenient"
)

// Ticket is an ITM incident: an activity event that carries an incident.
// Fields follow the vendor's event shape; any may be missing.
type Ticket struct {
	ID           string         `json:"id"`
	FQID         string         `json:"fqid"`
	Event        Event          `json:"event"`
	Incident     Incident       `json:"incident"`
	Indicators   []Indicator    `json:"indicators"`
	Messages     []Message      `json:"messages"`
	User         User           `json:"user"`
	Resources    []Resource     `json:"resources"`
	Annotations  Annotations    `json:"annotations"`
	ContextID    lenient.String `json:"contextId"`
	PartitionKey lenient.String `json:"partitionKey"`
	Status       *APIStatus     `json:"_status"`
	// Raw is the event as the vendor sent it, for the raw JSON view. It is
	// kept only for a ticket opened in detail, not for list rows.
	Raw json.RawMessage `json:"-"`
}

// Event is the activity event's own metadata.
type Event struct {
	ID         lenient.String `json:"id"`
	Kind       lenient.String `json:"kind"`
	ObservedAt lenient.Time   `json:"observedAt"`
	IngestedAt lenient.Time   `json:"ingestedAt"`
}

// Incident is what made the event a ticket.
type Incident struct {
	ID           lenient.String `json:"id"`
	Kind         lenient.String `json:"kind"`
	Status       lenient.String `json:"status"`   // incident:status:new
	Severity     lenient.String `json:"severity"` // incident:severity:850:critical
	Name         lenient.String `json:"name"`
	Reasons      []Reason       `json:"reasons"`
	Remediations struct {
		Status lenient.String `json:"status"`
	} `json:"remediations"`
}

// Reason is one rule that raised the incident.
type Reason struct {
	ID         lenient.String `json:"id"`
	Name       lenient.String `json:"name"`
	Alias      lenient.String `json:"alias"`
	Severity   lenient.String `json:"severity"`
	Indicators []struct {
		Index lenient.Int `json:"index"`
	} `json:"indicators"`
}

// Indicator is one detection with its matches.
type Indicator struct {
	ID      lenient.String `json:"id"`
	Name    lenient.String `json:"name"`
	Kind    lenient.String `json:"kind"`
	Matches []Match        `json:"matches"`
}

// Match is one thing an indicator matched.
type Match struct {
	Op     lenient.String `json:"op"`
	Object struct {
		ID   lenient.String `json:"id"`
		Name lenient.String `json:"name"`
		Kind lenient.String `json:"kind"`
	} `json:"object"`
	Snippets []struct {
		Content struct {
			Data lenient.String `json:"data"`
		} `json:"content"`
	} `json:"snippets"`
	Result struct {
		Value lenient.String `json:"value"`
		Stats struct {
			Count lenient.Int `json:"count"`
		} `json:"stats"`
	} `json:"result"`
}

// Message is an email involved in the incident.
type Message struct {
	Subject     lenient.String `json:"subject"`
	Kind        lenient.String `json:"kind"`
	SentAt      lenient.Time   `json:"sentAt"`
	Sender      Party          `json:"sender"`
	Recipients  []Party        `json:"recipients"`
	Attachments []struct {
		Name lenient.String `json:"name"`
	} `json:"attachments"`
	Location struct {
		Name lenient.String `json:"name"`
	} `json:"location"`
	Headers struct {
		Parsed struct {
			From []struct {
				Email       lenient.String `json:"email"`
				DisplayName lenient.String `json:"displayName"`
			} `json:"from"`
		} `json:"parsed"`
	} `json:"headers"`
}

// Party is a sender or recipient.
type Party struct {
	Email lenient.String `json:"email"`
	Name  lenient.String `json:"name"`
	ID    lenient.String `json:"id"`
}

// User is the person the incident is about, or an ITM user account.
type User struct {
	ID             lenient.String `json:"id"`
	Email          lenient.String `json:"email"`
	Name           lenient.String `json:"name"`
	DisplayName    lenient.String `json:"displayName"`
	Alias          lenient.String `json:"alias"`
	FirstName      lenient.String `json:"firstName"`
	LastName       lenient.String `json:"lastName"`
	Status         lenient.String `json:"status"`
	Classification struct {
		Labels []struct {
			Value lenient.String `json:"value"`
		} `json:"labels"`
	} `json:"classification"`
}

// Label is the best short name for a user.
func (u User) Label() string {
	for _, s := range []lenient.String{u.Email, u.DisplayName, u.Name, u.Alias} {
		if s != "" {
			return string(s)
		}
	}
	if n := strings.TrimSpace(string(u.FirstName + " " + u.LastName)); n != "" {
		return n
	}
	return string(u.ID)
}

// Resource is an affected resource (a file, a device).
type Resource struct {
	ID             lenient.String `json:"id"`
	Name           lenient.String `json:"name"`
	Kind           lenient.String `json:"kind"`
	Classification struct {
		Labels []struct {
			Kind lenient.String `json:"kind"`
			Name lenient.String `json:"name"`
		} `json:"labels"`
	} `json:"classification"`
}

// Annotations are the analysts' comments, the history and the workflow.
type Annotations struct {
	Comments []Comment `json:"comments"`
	History  []Comment `json:"history"`
	Workflow Workflow  `json:"workflow"`
}

// Comment is a comment or a history line.
type Comment struct {
	Text      lenient.String `json:"text"`
	Kind      lenient.String `json:"kind"`
	Alias     lenient.String `json:"alias"`
	CreatedAt lenient.Time   `json:"createdAt"`
	Author    lenient.String `json:"author"`
}

// Workflow is the ticket's workflow state.
type Workflow struct {
	State struct {
		Disposition struct {
			Status struct {
				ID    lenient.String `json:"id"`
				Alias lenient.String `json:"alias"`
			} `json:"status"`
			Category lenient.String `json:"category"`
		} `json:"disposition"`
		Assignee struct {
			ID lenient.String `json:"id"`
		} `json:"assignee"`
	} `json:"state"`
	Assignment struct {
		ID lenient.String `json:"id"`
	} `json:"assignment"`
}

// APIStatus is ITM's _status envelope; status is a number or a string.
type APIStatus struct {
	Code    lenient.String `json:"code"`
	Status  lenient.Int    `json:"status"`
	Message lenient.String `json:"message"`
}

// Key is the id used in URLs: the fqid, else the id.
func (t *Ticket) Key() string {
	if t.FQID != "" {
		return t.FQID
	}
	return t.ID
}

// Observed is when the activity happened.
func (t *Ticket) Observed() time.Time { return t.Event.ObservedAt.Time }

// Assignee is the id the ticket is assigned to, wherever the tenant keeps it.
func (t *Ticket) Assignee() string {
	if a := t.Annotations.Workflow.State.Assignee.ID; a != "" {
		return string(a)
	}
	return string(t.Annotations.Workflow.Assignment.ID)
}

// Person is the email of whom the ticket is about: its user, else the
// sender of its first message.
func (t *Ticket) Person() string {
	if t.User.Email != "" {
		return string(t.User.Email)
	}
	if len(t.Messages) > 0 {
		return string(t.Messages[0].Sender.Email)
	}
	return t.User.Label()
}

// Subject is the first message's subject.
func (t *Ticket) Subject() string {
	if len(t.Messages) > 0 {
		return string(t.Messages[0].Subject)
	}
	return ""
}

// Severity is a parsed incident:severity:<score>:<word> value.
type Severity struct {
	Word  string // critical, high, medium, low, or whatever the vendor sent
	Score int    // 850; 0 when absent
}

// ParseSeverity reads "incident:severity:850:critical" and also bare words.
func ParseSeverity(s string) Severity {
	parts := strings.Split(s, ":")
	sev := Severity{Word: strings.ToLower(parts[len(parts)-1])}
	if len(parts) >= 2 {
		if n, err := strconv.Atoi(parts[len(parts)-2]); err == nil {
			sev.Score = n
		}
	}
	if sev.Score == 0 {
		sev.Score = map[string]int{"critical": 850, "high": 700, "medium": 500, "low": 300, "info": 100}[sev.Word]
	}
	return sev
}

// StatusName reads "incident:status:in-progress" as "in-progress".
func StatusName(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// StatusValue is the full vendor value of a status name.
func StatusValue(name string) string {
	if strings.Contains(name, ":") {
		return name
	}
	return "incident:status:" + name
}

// Display turns a slug such as "false-positive" into "False positive".
func Display(slug string) string {
	s := strings.ReplaceAll(strings.ReplaceAll(slug, "-", " "), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Statuses the vendor's legacy workflow used; status ids are per tenant.
var KnownStatuses = []string{"new", "reopened", "in-progress", "escalated", "on-hold", "resolved", "false-positive", "not-an-issue"}

// StatusID is the id of the incident's workflow status.
func (t *Ticket) StatusID() string {
	return string(t.Annotations.Workflow.State.Disposition.Status.ID)
}
