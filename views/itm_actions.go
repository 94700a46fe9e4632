package views

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/itm"
	"triage/backend/settle"
	"triage/ui"
)

// The writes of the ITM tab: comment, assign, set status. Each keeps what
// the analyst typed until it is sent, and when an answer is lost it reads
// the ticket back before offering to send again.

func (t *itmTab) openComment() tea.Cmd {
	if t.bulkKeys = t.marked(); t.bulkKeys != nil {
		t.target = bulkDraft
		e := ui.NewEditor(t.c.Styles, fmt.Sprintf("Comment on %d marked tickets", len(t.bulkKeys)), t.drafts[bulkDraft])
		e.Note = "The same comment goes to each; you confirm the count before it is sent."
		return t.showEditor(e)
	}
	key := t.targetKey()
	if key == "" {
		return nil
	}
	t.target = key
	e := ui.NewEditor(t.c.Styles, "Comment on "+short(key, 12), t.drafts[key])
	if row, ok := t.rows.get(key); ok {
		e.Note = fmt.Sprintf("%s · %s · %s", row.name, row.person, row.subject)
	}
	return t.showEditor(e)
}

// showEditor opens the comment editor: its text is kept as a draft until
// the vendor confirms it, and esc keeps it too.
func (t *itmTab) showEditor(e *ui.Editor) tea.Cmd {
	send := func(text string) tea.Cmd {
		t.drafts[t.target] = text // kept until the vendor confirms it
		if t.bulkKeys != nil {
			keys := t.bulkKeys
			return confirmBulk(&t.listTab, fmt.Sprintf("Add this comment to %d tickets?", len(keys)), fmt.Sprintf("comment on %d tickets", len(keys)),
				[]string{firstLine(text)}, func() tea.Cmd { return t.bulkComment(keys, text) })
		}
		return t.sendComment(t.target, text)
	}
	keep := func(text string) tea.Cmd {
		if strings.TrimSpace(text) != "" {
			t.drafts[t.target] = text
			return ui.Toast("Draft kept: c reopens it")
		}
		delete(t.drafts, t.target)
		return nil
	}
	return t.show(ui.EditorModal(t.c.Styles, e, send, keep))
}

func (t *itmTab) openAssign() tea.Cmd {
	key := t.targetKey()
	t.target = key
	t.assignees = ui.NewPicker(t.c.Styles, "Assign "+short(key, 12)+" to", t.users)
	t.assignees.Custom = "assignee id"
	t.show(ui.PickerModal(t.c.Styles, t.assignees, func(it ui.Item) tea.Cmd { return t.confirmAssign(t.target, it) }))
	if t.usersReq {
		if t.users == nil { // still on their way
			t.assignees.Loading = "Loading the tenant's ITM users…"
		}
		return nil
	}
	t.usersReq = true
	t.assignees.Loading = "Loading the tenant's ITM users…"
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		users, err := client.Users(ctx, itm.UserQuery{Limit: 500, Status: "active"})
		return itmUsersMsg{tab: t, users: users, err: err}
	}
}

// confirmAssign shows who the ticket goes to, by name, and who has it now,
// and asks y/N.
func (t *itmTab) confirmAssign(key string, it ui.Item) tea.Cmd {
	row, _ := t.rows.get(key)
	to := it.Label
	if it.Detail != "" {
		to += " (" + it.Detail + ")"
	}
	if it.Typed {
		to = it.Value + " (typed; not in the tenant's user list)"
	}
	c := ui.NewConfirm(t.c.Styles, fmt.Sprintf("Assign %s to %s?", short(key, 12), it.Label), "assign",
		fmt.Sprintf("%s  %s", short(key, 12), row.name), fmt.Sprintf("%s · %s", row.person, row.subject),
		"Assignee: "+orDash(t.userName(row.assignee))+" → "+to)
	return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd { return t.sendAssign(key, it.Value) },
		func() tea.Cmd { return ui.Toast("Nothing sent: %s keeps its assignee", short(key, 12)) }))
}

// userName is an assignee id as the analyst knows them, once the users are
// listed; else the id.
func (t *itmTab) userName(id string) string {
	for _, u := range t.users {
		if u.Value == id && id != "" {
			return u.Label
		}
	}
	return id
}

func (t *itmTab) onUsers(m itmUsersMsg) tea.Cmd {
	if m.err != nil {
		t.usersReq = false
		if t.modal != nil && t.assignees != nil {
			t.assignees.Failed = "could not list ITM users: " + firstLine(m.err.Error()) + " (type an assignee id instead)"
		}
		return ui.Fail(fmt.Errorf("could not list ITM users (type an assignee id instead): %w", m.err))
	}
	t.users = []ui.Item{} // listed, if empty
	for _, u := range m.users {
		name := strings.TrimSpace(string(u.FirstName + " " + u.LastName))
		if name == "" {
			name = u.Label()
		}
		t.users = append(t.users, ui.Item{Label: name, Detail: string(u.Email) + " " + string(u.ID), Value: string(u.ID)})
	}
	if t.modal != nil && t.assignees != nil {
		t.assignees.SetItems(t.users)
	}
	return nil
}

func (t *itmTab) openStatus() tea.Cmd {
	t.bulkKeys = t.marked()
	key := t.targetKey()
	t.target = key
	var items []ui.Item
	for _, s := range t.client().Statuses() {
		items = append(items, ui.Item{Label: s.Title, Detail: s.ID, Value: s.ID})
	}
	title := "Set the status of " + short(key, 12)
	if t.bulkKeys != nil {
		title = fmt.Sprintf("Set the status of %d marked tickets", len(t.bulkKeys))
	}
	p := ui.NewPicker(t.c.Styles, title, items)
	p.Custom = "status id"
	if len(items) == 0 {
		p.Title += " (no statuses in config: type the tenant's status id)"
	}
	return t.show(ui.PickerModal(t.c.Styles, p, t.pickStatus))
}

// pickStatus shows the ticket's status old → new and asks y/N; for the
// marked tickets, it states the count.
func (t *itmTab) pickStatus(it ui.Item) tea.Cmd {
	title := t.statusTitle(it.Value)
	t.pendStatus = itm.StatusChange{ID: it.Value, Title: title}
	newStatus := fmt.Sprintf("%s (%s)", orDash(title), it.Value)
	if it.Typed {
		newStatus = it.Value + " (typed; not a status the config lists)"
	}
	if t.bulkKeys != nil {
		keys, change := t.bulkKeys, t.pendStatus
		return confirmBulk(&t.listTab, fmt.Sprintf("Set %d tickets to %s?", len(keys), orDash(title)), fmt.Sprintf("set %d tickets to %s", len(keys), orDash(title)),
			[]string{"New status: " + newStatus}, func() tea.Cmd { return t.bulkStatus(keys, change) })
	}
	question := "Set the status of " + short(t.target, 12) + "?"
	if closing(title) {
		question = "Close this incident?"
	}
	row, _ := t.rows.get(t.target)
	key, change := t.target, t.pendStatus
	c := ui.NewConfirm(t.c.Styles, question, "set "+orDash(cmp.Or(title, it.Value)),
		fmt.Sprintf("%s  %s", short(key, 12), row.name), fmt.Sprintf("%s · %s", row.person, row.subject),
		fmt.Sprintf("Status: %s → %s", orDash(itm.Display(row.status)), newStatus))
	return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd { return t.sendStatus(key, change) },
		func() tea.Cmd { return ui.Toast("Status unchanged") }))
}

func (t *itmTab) openQuery() tea.Cmd {
	return t.askQuery("ITM query", "since:7d status:new,in-progress severity:critical,high person:name@example.com",
		"since/until: 24h, 7d or a date · status: new, in-progress, escalated, on-hold, resolved… · severity: critical, high, medium, low")
}

// closing reports statuses that end work on a ticket: their confirmation
// says it closes the incident.
func closing(title string) bool {
	s := strings.ToLower(title)
	for _, w := range []string{"resolv", "close", "false", "not an issue", "not-an-issue", "dismiss"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func (t *itmTab) sendComment(key, text string) tea.Cmd {
	return t.send("Sending the comment…", "comment", key, text, func(ctx context.Context, c *itm.Client) settle.Outcome[*itm.Ticket] {
		return c.CommentOnce(ctx, key, text, "")
	})
}

func (t *itmTab) sendAssign(key, assignee string) tea.Cmd {
	return t.send("Assigning…", "assign", key, assignee, func(ctx context.Context, c *itm.Client) settle.Outcome[*itm.Ticket] {
		return c.AssignOnce(ctx, key, assignee)
	})
}

func (t *itmTab) sendStatus(key string, s itm.StatusChange) tea.Cmd {
	return t.send("Setting the status…", "status", key, s.ID, func(ctx context.Context, c *itm.Client) settle.Outcome[*itm.Ticket] {
		return c.SetStatusOnce(ctx, key, s)
	})
}

// send runs one write on a ticket; the ticket for its row is the one read
// back, or read now when the write applied.
func (t *itmTab) send(busy, action, key, text string, write func(context.Context, *itm.Client) settle.Outcome[*itm.Ticket]) tea.Cmd {
	t.writing = busy
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		out := write(ctx, client)
		m := itmWriteMsg{tab: t, action: action, key: key, text: text, out: out.Result, ticket: out.Value}
		if out.Applied() && m.ticket == nil {
			m.ticket, _ = client.Ticket(ctx, key)
		}
		return m
	}
}

func (t *itmTab) onWrite(m itmWriteMsg) tea.Cmd {
	t.writing = ""
	if m.ticket != nil {
		t.rows.update(m.ticket)
		if m.key == t.openKey && t.mode != listMode {
			t.detail = m.ticket
			t.render(true)
		}
	}
	what := map[string]string{"comment": "Comment", "assign": "Assignment", "status": "Status change"}[m.action]
	id := short(m.key, 12)
	if m.out.Applied() && m.action == "comment" {
		delete(t.drafts, m.key)
	}
	switch out := m.out; {
	case out.Applied() && out.Lost == "":
		return tea.Batch(t.table.Refilter(), ui.Toast("%s saved on %s", what, id))
	case out.Applied():
		return tea.Batch(t.table.Refilter(), ui.Toast("%s on %s went through: %s, and reading the ticket back shows it applied", what, id, out.Lost))
	case out.Checked():
		return ui.Fail(fmt.Errorf("%s not saved (%s, read-back shows it missing%s): %w", what, out.Lost, retryHint(m.action), out.Err))
	case out.Class == settle.Unknown:
		return ui.Fail(fmt.Errorf("%s: outcome unknown and the read-back failed, check %s before retrying: %w", what, id, out.Err))
	}
	return ui.Fail(fmt.Errorf("%s not saved%s: %w", what, retryHint(m.action), m.out.Err))
}

// retryHint tells how to send a kept comment again.
func retryHint(action string) string {
	if action == "comment" {
		return "; draft kept, c then ctrl+s resends"
	}
	return ""
}

// bulkDraft is where the text of a comment for marked tickets is kept.
const bulkDraft = "\x00marked"

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// bulkComment sends one comment to each marked ticket.
func (t *itmTab) bulkComment(keys []string, text string) tea.Cmd {
	delete(t.drafts, bulkDraft)
	return t.bulkWrite(fmt.Sprintf("Comment on %d tickets", len(keys)), keys, func(ctx context.Context, c *itm.Client, k string) settle.Outcome[*itm.Ticket] {
		return c.CommentOnce(ctx, k, text, "")
	})
}

// bulkStatus sets one status on each marked ticket.
func (t *itmTab) bulkStatus(keys []string, change itm.StatusChange) tea.Cmd {
	return t.bulkWrite(fmt.Sprintf("Set %d tickets to %s", len(keys), orDash(change.Title)), keys, func(ctx context.Context, c *itm.Client, k string) settle.Outcome[*itm.Ticket] {
		return c.SetStatusOnce(ctx, k, change)
	})
}

// bulkWrite runs write on each of keys and reads each ticket written
// again, so its row shows the change.
func (t *itmTab) bulkWrite(title string, keys []string, write func(context.Context, *itm.Client, string) settle.Outcome[*itm.Ticket]) tea.Cmd {
	client := t.client()
	return t.runBulk(title, keys, t.rowLabel, func(ctx context.Context, k string) (tea.Msg, error) {
		if out := write(ctx, client, k); !out.Applied() {
			return nil, out.Err
		}
		tk, err := client.Ticket(ctx, k)
		if err != nil {
			return nil, nil // the write went through; the next refresh shows it
		}
		return itemMsg[itm.Ticket]{tab: t, key: k, item: tk}, nil
	})
}

func (t *itmTab) rowLabel(key string) string {
	if row, ok := t.rows.get(key); ok {
		return fmt.Sprintf("%s  %s · %s · %s", short(key, 12), row.name, row.person, row.subject)
	}
	return key
}

// openSenders puts a sender of the open incident's messages on an
// Essentials block or allow list: the organisation's, or the one of a
// recipient (or the incident's user) in the organisation.
func (t *itmTab) openSenders() tea.Cmd {
	orgs := t.c.Backends.Essentials
	switch {
	case len(orgs) == 0:
		return ui.Failf("no Proofpoint Essentials organisation is configured: sender lists live there")
	case t.mode == listMode:
		return ui.Failf("b works on an open incident: enter opens it, then b offers its senders")
	case t.detail == nil:
		return ui.Failf("the incident is still loading")
	}
	inOrg := func(email string) bool {
		_, dom, _ := strings.Cut(email, "@")
		for _, o := range orgs {
			if strings.EqualFold(dom, o.Domain()) {
				return true
			}
		}
		return false
	}
	var senders, users []string
	add := func(list *[]string, email string) {
		if email != "" && !slices.ContainsFunc(*list, func(s string) bool { return strings.EqualFold(s, email) }) {
			*list = append(*list, email)
		}
	}
	for _, msg := range t.detail.Messages {
		add(&senders, string(msg.Sender.Email))
		for _, r := range msg.Recipients {
			if inOrg(string(r.Email)) {
				add(&users, string(r.Email))
			}
		}
	}
	if p := t.detail.Person(); inOrg(p) {
		add(&users, p)
	}
	if len(senders) == 0 {
		return ui.Failf("incident %s has no message with a sender", short(t.openKey, 8))
	}
	return askSender(&t.listTab, t, "ITM incident "+short(t.openKey, 8), senders, users, t.keptSender)
}
