package views

import (
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

// marked is the tickets a list action applies to when rows are marked.
func (t *itmTab) marked() []string {
	if t.mode != itmList {
		return nil
	}
	return t.table.Marked()
}

func (t *itmTab) openComment() tea.Cmd {
	if t.bulkKeys = t.marked(); t.bulkKeys != nil {
		t.target = bulkDraft
		t.editor = ui.NewEditor(t.c.Styles, fmt.Sprintf("Comment on %d marked tickets", len(t.bulkKeys)), t.drafts[bulkDraft])
		t.editor.Note = "The same comment goes to each; you confirm the count before it is sent."
		t.modal = itmComment
		return nil
	}
	key := t.targetKey()
	if key == "" {
		return nil
	}
	t.target = key
	t.editor = ui.NewEditor(t.c.Styles, "Comment on "+short(key, 12), t.drafts[key])
	if row, ok := t.rows.get(key); ok {
		t.editor.Note = fmt.Sprintf("%s · %s · %s", row.name, row.person, row.subject)
	}
	t.modal = itmComment
	return nil
}

func (t *itmTab) openAssign() tea.Cmd {
	key := t.targetKey()
	if key == "" {
		return nil
	}
	t.target = key
	t.picker = ui.NewPicker(t.c.Styles, "Assign "+short(key, 12)+" to", t.users)
	t.picker.Custom = "assignee id"
	t.modal = itmAssign
	if t.usersReq {
		return nil
	}
	t.usersReq = true
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		users, err := client.Users(ctx, itm.UserQuery{Limit: 500, Status: "active"})
		return itmUsersMsg{tab: t, users: users, err: err}
	}
}

func (t *itmTab) onUsers(m itmUsersMsg) tea.Cmd {
	if m.err != nil {
		t.usersReq = false
		return ui.Fail(fmt.Errorf("could not list ITM users (type an assignee id instead): %w", m.err))
	}
	t.users = t.users[:0]
	for _, u := range m.users {
		name := strings.TrimSpace(string(u.FirstName + " " + u.LastName))
		if name == "" {
			name = u.Label()
		}
		t.users = append(t.users, ui.Item{Label: name, Detail: string(u.Email) + " " + string(u.ID), Value: string(u.ID)})
	}
	if t.modal == itmAssign && t.picker != nil {
		t.picker.SetItems(t.users)
	}
	return nil
}

func (t *itmTab) openStatus() tea.Cmd {
	t.bulkKeys = t.marked()
	key := t.targetKey()
	if key == "" {
		return nil
	}
	t.target = key
	var items []ui.Item
	for _, s := range t.client().Statuses() {
		items = append(items, ui.Item{Label: s.Title, Detail: s.ID, Value: s.ID})
	}
	title := "Set the status of " + short(key, 12)
	if t.bulkKeys != nil {
		title = fmt.Sprintf("Set the status of %d marked tickets", len(t.bulkKeys))
	}
	t.picker = ui.NewPicker(t.c.Styles, title, items)
	t.picker.Custom = "status id"
	if len(items) == 0 {
		t.picker.Title += " (no statuses in config: type the tenant's status id)"
	}
	t.modal = itmStatus
	return nil
}

func (t *itmTab) openTenant() tea.Cmd {
	var items []ui.Item
	for i, c := range t.c.Backends.ITM {
		items = append(items, ui.Item{Label: c.Tenant(), Value: itoa(i)})
	}
	t.picker = ui.NewPicker(t.c.Styles, "Switch ITM tenant", items)
	t.modal = itmTenant
	return nil
}

// closing reports statuses that end work on a ticket, which ask y/N first.
func closing(title string) bool {
	s := strings.ToLower(title)
	for _, w := range []string{"resolv", "close", "false", "not an issue", "not-an-issue", "dismiss"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func (t *itmTab) modalKey(m tea.KeyMsg) tea.Cmd {
	switch t.modal {
	case itmComment:
		out, cmd := t.editor.Update(m)
		switch out {
		case ui.Submitted:
			text := t.editor.Value()
			t.drafts[t.target] = text // kept until the vendor confirms it
			t.modal, t.editor = itmNoModal, nil
			if t.bulkKeys != nil {
				keys := t.bulkKeys
				return t.confirmBulk(fmt.Sprintf("Add this comment to %d tickets?", len(keys)), fmt.Sprintf("comment on %d tickets", len(keys)),
					[]string{firstLine(text)}, func() tea.Cmd { return t.bulkComment(keys, text) })
			}
			return t.sendComment(t.target, text)
		case ui.Cancelled:
			if v := t.editor.Value(); strings.TrimSpace(v) != "" {
				t.drafts[t.target] = v
				cmd = ui.Toast("Draft kept: c reopens it")
			} else {
				delete(t.drafts, t.target)
			}
			t.modal, t.editor = itmNoModal, nil
		}
		return cmd
	case itmAssign, itmStatus, itmTenant:
		res, cmd := t.picker.Update(m)
		if res.Cancelled {
			t.modal, t.picker = itmNoModal, nil
			return nil
		}
		if !res.Done {
			return cmd
		}
		kind := t.modal
		t.modal, t.picker = itmNoModal, nil
		switch kind {
		case itmAssign:
			return t.sendAssign(t.target, res.Item.Value)
		case itmTenant:
			for i, c := range t.c.Backends.ITM {
				if itoa(i) == res.Item.Value {
					t.tenant = i
					t.mode, t.users, t.usersReq = itmList, nil, false
					t.rows = newTicketRows()
					t.table.SetSource(t.rows)
					said := t.startQuery(t.queryText)
					// The note first: a load that fails at once must not be
					// covered by it on the status line.
					return tea.Sequence(ui.Toast("ITM tenant %s", c.Tenant()), tea.Batch(said, t.loadFirst()))
				}
			}
			return nil
		}
		title := t.statusTitle(res.Item.Value)
		t.pendStatus = itm.StatusChange{ID: res.Item.Value, Title: title}
		if t.bulkKeys != nil {
			keys, change := t.bulkKeys, t.pendStatus
			return t.confirmBulk(fmt.Sprintf("Set %d tickets to %s?", len(keys), orDash(title)), fmt.Sprintf("set %d tickets to %s", len(keys), orDash(title)),
				[]string{fmt.Sprintf("New status: %s (%s)", orDash(title), res.Item.Value)}, func() tea.Cmd { return t.bulkStatus(keys, change) })
		}
		if closing(title) {
			row, _ := t.rows.get(t.target)
			t.confirm = ui.NewConfirm(t.c.Styles, "Close this incident?", "set "+orDash(title),
				fmt.Sprintf("%s  %s", short(t.target, 12), row.name), fmt.Sprintf("%s · %s", row.person, row.subject),
				fmt.Sprintf("New status: %s (%s)", orDash(title), res.Item.Value))
			t.modal = itmConfirmStatus
			return nil
		}
		return t.sendStatus(t.target, t.pendStatus)
	case itmConfirmBulk:
		out := t.confirm.Update(m)
		t.modal, t.confirm = itmNoModal, nil
		if out == ui.Submitted {
			return t.pendBulk()
		}
		return ui.Toast("Nothing sent; the marks stay")
	case itmConfirmStatus:
		out := t.confirm.Update(m)
		t.modal, t.confirm = itmNoModal, nil
		if out == ui.Submitted {
			return t.sendStatus(t.target, t.pendStatus)
		}
		return ui.Toast("Status unchanged")
	case itmSenders:
		done, cmd := t.senders.Key(m)
		if done {
			t.modal, t.senders = itmNoModal, nil
		}
		return cmd
	case itmQuery:
		out, cmd := t.prompt.Update(m)
		switch out {
		case ui.Submitted:
			text := strings.TrimSpace(t.prompt.Value())
			q, err := t.parse(text)
			if err != nil {
				return ui.Fail(fmt.Errorf("ITM query: %w", err))
			}
			t.modal, t.prompt = itmNoModal, nil
			t.query, t.queryText = q, text
			t.mode = itmList
			return t.loadFirst()
		case ui.Cancelled:
			t.modal, t.prompt = itmNoModal, nil
		}
		return cmd
	}
	return nil
}

func (t *itmTab) sendComment(key, text string) tea.Cmd {
	t.writing = "Sending the comment…"
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		return t.written(ctx, client, "comment", key, text, client.CommentOnce(ctx, key, text, ""))
	}
}

func (t *itmTab) sendAssign(key, assignee string) tea.Cmd {
	t.writing = "Assigning…"
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		return t.written(ctx, client, "assign", key, assignee, client.AssignOnce(ctx, key, assignee))
	}
}

func (t *itmTab) sendStatus(key string, s itm.StatusChange) tea.Cmd {
	t.writing = "Setting the status…"
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg {
		return t.written(ctx, client, "status", key, s.ID, client.SetStatusOnce(ctx, key, s))
	}
}

// written is the message of a write: the ticket for its row is the one
// read back, or read now when the write applied.
func (t *itmTab) written(ctx context.Context, client *itm.Client, action, key, text string, out settle.Outcome[*itm.Ticket]) itmWriteMsg {
	m := itmWriteMsg{tab: t, action: action, key: key, text: text, out: out.Result, ticket: out.Value}
	if out.Applied() && m.ticket == nil {
		m.ticket, _ = client.Ticket(ctx, key)
	}
	return m
}

func (t *itmTab) onWrite(m itmWriteMsg) tea.Cmd {
	t.writing = ""
	if m.ticket != nil {
		t.rows.update(m.ticket)
		if m.key == t.openKey && t.mode != itmList {
			t.detail = m.ticket
			t.rerenderKeep()
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

// confirmBulk asks once, stating the count, before a bulk action.
func (t *itmTab) confirmBulk(title, yes string, lines []string, run func() tea.Cmd) tea.Cmd {
	t.confirm = ui.NewConfirm(t.c.Styles, title, yes, lines...)
	t.pendBulk = run
	t.modal = itmConfirmBulk
	return nil
}

// bulkComment sends one comment to each marked ticket.
func (t *itmTab) bulkComment(keys []string, text string) tea.Cmd {
	client := t.client()
	jobs := make([]bulkJob, len(keys))
	for i, k := range keys {
		k := k
		jobs[i] = bulkJob{key: k, label: t.rowLabel(k), run: func(ctx context.Context) (tea.Msg, error) {
			if out := client.CommentOnce(ctx, k, text, ""); !out.Applied() {
				return nil, out.Err
			}
			return t.reread(ctx, client, k), nil
		}}
	}
	delete(t.drafts, bulkDraft)
	t.table.ClearMarks()
	t.bulk = newBulk(t.c, fmt.Sprintf("Comment on %d tickets", len(keys)), jobs)
	t.bulk.setSize(t.width, t.height)
	return t.bulk.start()
}

// bulkStatus sets one status on each marked ticket.
func (t *itmTab) bulkStatus(keys []string, change itm.StatusChange) tea.Cmd {
	client := t.client()
	jobs := make([]bulkJob, len(keys))
	for i, k := range keys {
		k := k
		jobs[i] = bulkJob{key: k, label: t.rowLabel(k), run: func(ctx context.Context) (tea.Msg, error) {
			if out := client.SetStatusOnce(ctx, k, change); !out.Applied() {
				return nil, out.Err
			}
			return t.reread(ctx, client, k), nil
		}}
	}
	t.table.ClearMarks()
	t.bulk = newBulk(t.c, fmt.Sprintf("Set %d tickets to %s", len(keys), orDash(change.Title)), jobs)
	t.bulk.setSize(t.width, t.height)
	return t.bulk.start()
}

// reread fetches a ticket after a write so its row shows the change.
func (t *itmTab) reread(ctx context.Context, client *itm.Client, key string) tea.Msg {
	tk, err := client.Ticket(ctx, key)
	if err != nil {
		return nil // the write went through; the next refresh shows it
	}
	return itmTicketMsg{tab: t, key: key, ticket: tk}
}

func (t *itmTab) rowLabel(key string) string {
	if row, ok := t.rows.get(key); ok {
		return fmt.Sprintf("%s  %s · %s · %s", short(key, 12), row.name, row.person, row.subject)
	}
	return key
}

// Actions implements actioner: marking and the bulk actions.
func (t *itmTab) Actions() []Action {
	acts := []Action{
		{Name: "Mark every shown ticket", Group: "ITM tickets", Run: func() tea.Cmd {
			t.table.MarkAll()
			return ui.Toast("%d tickets marked", len(t.table.Marked()))
		}},
		{Name: "Clear the marks", Group: "ITM tickets", Run: func() tea.Cmd { t.table.ClearMarks(); return nil }},
	}
	if n := len(t.table.Marked()); n > 0 && t.c.Analyst.CanWrite() {
		k := t.c.Keys
		acts = append(acts,
			Action{Name: fmt.Sprintf("Comment on the %d marked tickets", n), Key: keyOf(k.Comment), Group: "ITM tickets", Run: t.openComment},
			Action{Name: fmt.Sprintf("Set the status of the %d marked tickets", n), Key: keyOf(k.Status), Group: "ITM tickets", Run: t.openStatus})
	}
	if t.bulk != nil && !t.bulk.visible {
		acts = append(acts, Action{Name: "Show the last bulk action's results", Group: "ITM tickets", Run: func() tea.Cmd { t.bulk.visible = true; return nil }})
	}
	return acts
}

// openSenders puts a sender of the open incident's messages on an
// Essentials block or allow list: the organisation's, or the one of a
// recipient (or the incident's user) in the organisation.
func (t *itmTab) openSenders() tea.Cmd {
	orgs := t.c.Backends.Essentials
	switch {
	case len(orgs) == 0:
		return ui.Failf("no Proofpoint Essentials organisation is configured: sender lists live there")
	case t.mode == itmList:
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
	t.senders = newSenderFlow(t.c, t, "ITM incident "+short(t.openKey, 8), senders, users, t.keptSender)
	t.modal = itmSenders
	return nil
}
