package views

import (
	"fmt"
	"strings"
	"time"

	"triage/backend/itm"
	"triage/ui"
)

// ticketDoc renders the whole incident for the detail pane.
func ticketDoc(st *ui.Styles, t *itm.Ticket, width int, statusTitle func(id string) string, now time.Time) string {
	d := ui.NewDoc(st, width)
	sev := itm.ParseSeverity(string(t.Incident.Severity))
	status := itm.StatusName(string(t.Incident.Status))
	d.Section(fmt.Sprintf("%s  ·  %s", orDash(string(t.Incident.Name)), t.Key()))
	d.FieldTone("Severity", fmt.Sprintf("%s (%d)", sev.Word, sev.Score), severityTone(sev.Word))
	d.FieldTone("Status", itm.Display(status), statusTone(status))
	if ts := t.Observed(); !ts.IsZero() {
		d.Field("Observed", fmt.Sprintf("%s  (%s)", ts.Local().Format("2006-01-02 15:04:05 MST"), ago(now, ts)))
	}
	d.Field("Kind", string(t.Incident.Kind))
	d.Field("User", userLine(t.User))
	if len(t.User.Classification.Labels) > 0 {
		var ls []string
		for _, l := range t.User.Classification.Labels {
			ls = append(ls, string(l.Value))
		}
		d.Field("User labels", strings.Join(ls, ", "))
	}
	d.Field("Assignee", t.Assignee())
	d.Field("Remediation", string(t.Incident.Remediations.Status))

	if len(t.Incident.Reasons) > 0 || len(t.Indicators) > 0 {
		d.Section("Why it fired")
		for _, r := range t.Incident.Reasons {
			rs := itm.ParseSeverity(string(r.Severity))
			d.FieldTone("Reason", fmt.Sprintf("%s %s", r.Name, parenthesise(rs.Word)), severityTone(rs.Word))
		}
		for _, in := range t.Indicators {
			d.Field("Indicator", fmt.Sprintf("%s %s", in.Name, parenthesise(string(in.Kind))))
			for _, m := range in.Matches {
				line := strings.TrimSpace(fmt.Sprintf("%s %s", m.Op, m.Object.Name))
				if m.Result.Stats.Count > 0 {
					line += fmt.Sprintf(" ×%d", m.Result.Stats.Count)
				}
				d.Field("  match", line)
				for _, sn := range m.Snippets {
					d.Field("  snippet", string(sn.Content.Data))
				}
			}
		}
	}

	for i, m := range t.Messages {
		d.Section(fmt.Sprintf("Message %d of %d", i+1, len(t.Messages)))
		d.Field("Subject", string(m.Subject))
		d.Field("From", partyLine(m.Sender))
		var to []string
		for _, r := range m.Recipients {
			to = append(to, partyLine(r))
		}
		d.Field("To", strings.Join(to, ", "))
		if !m.SentAt.IsZero() {
			d.Field("Sent", m.SentAt.Local().Format("2006-01-02 15:04:05 MST"))
		}
		var att []string
		for _, a := range m.Attachments {
			att = append(att, string(a.Name))
		}
		d.Field("Attachments", strings.Join(att, ", "))
		d.Field("Location", string(m.Location.Name))
	}

	if len(t.Resources) > 0 {
		d.Section("Resources")
		for _, r := range t.Resources {
			var labels []string
			for _, l := range r.Classification.Labels {
				labels = append(labels, string(l.Name))
			}
			line := string(r.Name)
			if len(labels) > 0 {
				line += "  [" + strings.Join(labels, ", ") + "]"
			}
			d.Field(orDash(string(r.Kind)), line)
		}
	}

	d.Section(fmt.Sprintf("Comments (%d)", len(t.Annotations.Comments)))
	if len(t.Annotations.Comments) == 0 {
		d.Muted("  none yet: c adds one")
	}
	for _, c := range t.Annotations.Comments {
		d.Line(st.Muted.Render("  " + commentHead(c)))
		d.Text(string(c.Text))
	}
	if len(t.Annotations.History) > 0 {
		d.Section("History")
		for _, h := range t.Annotations.History {
			when := ""
			if !h.CreatedAt.IsZero() {
				when = h.CreatedAt.Local().Format("2006-01-02 15:04") + "  "
			}
			d.Text(when + string(h.Text))
		}
	}
	wf := t.Annotations.Workflow.State
	d.Section("Workflow")
	id := string(wf.Disposition.Status.ID)
	title := string(wf.Disposition.Status.Alias)
	if title == "" && statusTitle != nil {
		title = statusTitle(id)
	}
	d.Field("Status id", strings.TrimSpace(id+" "+parenthesise(title)))
	d.Field("Category", string(wf.Disposition.Category))
	d.Field("Assignee", t.Assignee())
	d.Field("Context", string(t.ContextID))
	d.Field("Partition", string(t.PartitionKey))
	d.Line("")
	d.Muted("v raw JSON · c comment · a assign · s status · e raw email · esc back")
	return d.String()
}

func commentHead(c itm.Comment) string {
	var parts []string
	if !c.CreatedAt.IsZero() {
		parts = append(parts, c.CreatedAt.Local().Format("2006-01-02 15:04"))
	}
	for _, s := range []string{string(c.Author), string(c.Alias)} {
		if s != "" {
			parts = append(parts, s)
			break
		}
	}
	if c.Kind != "" {
		parts = append(parts, string(c.Kind))
	}
	if len(parts) == 0 {
		return "comment"
	}
	return strings.Join(parts, " · ")
}

func userLine(u itm.User) string {
	if u.Email == "" {
		return u.Label()
	}
	return partyLine(itm.Party{Name: u.DisplayName, Email: u.Email})
}

// partyLine is "name <email>", or whichever of the two there is.
func partyLine(p itm.Party) string {
	if p.Name != "" && p.Email != "" && p.Name != p.Email {
		return string(p.Name) + " <" + string(p.Email) + ">"
	}
	if p.Email != "" {
		return string(p.Email)
	}
	return string(p.Name)
}

func parenthesise(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}
