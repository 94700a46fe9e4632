package views

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/people"
	"triage/backend/remediations"
	"triage/ui"
)

// What each tab says p is about, and the hooks the Person view uses to
// open a tab on its subject.

// isEmail is a loose check for a person's address (log actors can be
// system principals; SaaS owners can be groups).
func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t")
}

// Subject implements pivoter: the ticket's user, else its sender.
func (t *itmTab) Subject() (subject, bool) {
	if t.mode != listMode && t.detail != nil {
		email := t.detail.Person()
		return subject{id: email, label: string(t.detail.User.DisplayName)}, isEmail(email)
	}
	key := t.table.CursorKey()
	row, ok := t.rows.get(key)
	return subject{id: row.person}, ok && isEmail(row.person)
}

// Subject implements pivoter: the incident's asset owner.
func (t *saasTab) Subject() (subject, bool) {
	row := t.targetRow(t.targetKey())
	return subject{id: row.owner}, isEmail(row.owner)
}

// assetSubject is the asset of the incident under the cursor.
func (t *saasTab) assetSubject() (subject, bool) {
	row := t.targetRow(t.targetKey())
	return subject{asset: true, id: row.assetID, label: row.assetName, tenant: t.tenant}, row.assetID != ""
}

// Subject implements pivoter: the event's actor, else its first target
// that is a person. In the apps pane, an open app's assigned users are
// offered instead (see choices).
func (t *oktaTab) Subject() (subject, bool) {
	if t.pane != paneLog {
		return subject{}, false
	}
	if actor := t.log.actor(); isEmail(actor) {
		return subject{id: actor}, true
	}
	for _, target := range strings.Split(t.log.targets(), ", ") {
		if isEmail(target) {
			return subject{id: target}, true
		}
	}
	return subject{}, false
}

// choices are the people p can follow when there are several: an open
// app's assigned users.
func (t *oktaTab) choices() []subject {
	if t.pane != paneApps || t.apps.openKey == "" {
		return nil
	}
	var out []subject
	for _, u := range t.apps.people {
		if name := string(u.Credentials.UserName); isEmail(name) {
			out = append(out, subject{id: name})
		}
	}
	return out
}

// Subject implements pivoter: the person under the cursor.
func (t *iamTab) Subject() (subject, bool) {
	email := t.cursorEmail()
	return subject{id: email}, isEmail(email)
}

// Subject implements pivoter: the remediated SaaS asset.
func (t *remediationsTab) Subject() (subject, bool) {
	i, ok := t.table.Cursor()
	if !ok {
		return subject{}, false
	}
	r := t.rows.recs[i]
	if r.Kind != remediations.KindAsset {
		return subject{id: r.TargetID}, isEmail(r.TargetID)
	}
	for ti, c := range t.c.Backends.SaaS {
		if c.Tenant() == r.Tenant {
			return subject{asset: true, id: r.TargetID, label: r.TargetName, tenant: ti}, true
		}
	}
	return subject{}, false
}

// chooser is a tab where p can follow one of several people.
type chooser interface {
	choices() []subject
}

// pivot opens the Person (or asset) view of what is under the cursor, or
// asks whom to follow when the tab offers several.
func (a *App) pivot(t Tab) tea.Cmd {
	if ch, ok := t.(chooser); ok {
		if subs := ch.choices(); len(subs) > 0 {
			acts := make([]Action, len(subs))
			for i, s := range subs {
				s := s
				acts[i] = Action{Name: s.id, Group: "Follow", Run: func() tea.Cmd { return a.openPerson(s) }}
			}
			a.openPicker("Follow whom?", acts)
			return nil
		}
	}
	pv, ok := t.(pivoter)
	if !ok {
		return ui.Failf("p: %s has no person or asset to follow", t.Name())
	}
	s, ok := pv.Subject()
	if !ok {
		if o, isOkta := t.(*oktaTab); isOkta && o.pane == paneApps && o.apps.openKey != "" && o.apps.loadingP {
			return ui.Failf("p: the app's assigned users are still loading")
		}
		return ui.Failf("p: no person or asset under the cursor")
	}
	return a.openPerson(s)
}

// wantFor starts an IAM action (disable, clear sessions) on a person, with
// its confirmation, looking them up first as the tab does.
func (t *iamTab) wantFor(email string, a iamAction) tea.Cmd {
	cmds := []tea.Cmd{t.Shown()}
	intent := &iamIntent{action: a, key: people.Key(email)}
	if p := t.people[intent.key]; p != nil && p.gen > 0 && p.ready() {
		return tea.Batch(append(cmds, t.begin(intent))...)
	}
	t.after = intent
	return tea.Batch(append(cmds, t.lookFor(email))...)
}

// lookFor filters the tab to a person and looks them up everywhere.
func (t *iamTab) lookFor(email string) tea.Cmd {
	t.detail = nil
	return tea.Batch(t.Shown(), t.table.SetFilter(email), t.lookup(email))
}

// commentOn opens the comment editor for several tickets, as for marked
// ones: one confirm states the count.
func (t *itmTab) commentOn(keys []string) tea.Cmd {
	t.mode = listMode
	t.bulkKeys = keys
	t.target = bulkDraft
	e := ui.NewEditor(t.c.Styles, "Comment on "+itoa(len(keys))+" open tickets", t.drafts[bulkDraft])
	e.Note = "The same comment goes to each; you confirm the count before it is sent."
	return t.showEditor(e)
}

// queryFor runs a server query on one tenant, as f would.
func (t *itmTab) queryFor(tenant int, text string) tea.Cmd {
	q, err := t.parse(text)
	if err != nil {
		return ui.Fail(err)
	}
	if tenant < len(t.c.Backends.ITM) && tenant != t.tenant {
		t.tenant = tenant
		t.rows = t.newView()
		t.table.SetSource(t.rows)
	}
	t.query, t.queryText, t.mode = q, text, listMode
	return t.loadFirst()
}

// --- putting a tab back: the back stack (views/nav.go) -------------------------

// keep implements keeper: the query with its rows as loaded, the filter,
// the cursor and the open ticket. A jump that runs another query is
// undone without asking ITM again.
func (t *itmTab) keep() func() tea.Cmd {
	tenant, text, query := t.tenant, t.queryText, t.query
	rows, set, total := t.rows, t.set, t.total
	mode, item, email := t.mode, t.itemDetail, t.email
	cursor, filter := t.table.CursorKey(), t.table.Filter()
	return func() tea.Cmd {
		if t.tenant == tenant && t.queryText == text {
			return nil
		}
		if t.tenant != tenant {
			t.users, t.usersReq = nil, false
		}
		ctx, req := t.reqs.next(t.c.Context()) // the jump's query and its pages end
		t.tenant, t.queryText, t.query = tenant, text, query
		t.rows, t.set, t.total = rows, set, total
		t.loading, t.loadingMore, t.refreshing, t.opening, t.toEnd = "", false, false, "", false
		t.mode, t.itemDetail, t.email = mode, item, email
		t.table.SetSource(rows)
		t.table.ApplyFilterNow(filter)
		t.table.Select(cursor)
		t.render(true)
		if set == nil {
			return nil
		}
		return t.watch(ctx, req, 0) // and what other sessions changed meanwhile
	}
}

// keep implements keeper: the filter, the cursor and the open incident.
func (t *saasTab) keep() func() tea.Cmd {
	filter, cursor, mode, item := t.table.Filter(), t.table.CursorKey(), t.mode, t.itemDetail
	return func() tea.Cmd {
		if t.table.Filter() == filter && t.mode == mode && t.openKey == item.openKey {
			return nil
		}
		t.table.ApplyFilterNow(filter)
		t.table.Select(cursor)
		t.mode, t.itemDetail = mode, item
		t.render(true)
		return nil
	}
}

// keep implements keeper: the filter, the cursor and the person open.
func (t *iamTab) keep() func() tea.Cmd {
	filter, cursor, item := t.table.Filter(), t.table.CursorKey(), t.itemDetail
	return func() tea.Cmd {
		if t.table.Filter() == filter && t.detail == item.detail {
			return nil
		}
		t.after = nil // a write the jump started waits no more
		t.table.ApplyFilterNow(filter)
		t.table.Select(cursor)
		t.itemDetail = item
		t.render(true)
		return nil
	}
}

// keep implements keeper: the pane and the System Log's query; a query
// the jump replaced runs again.
func (t *oktaTab) keep() func() tea.Cmd {
	pane, text := t.pane, t.log.text
	return func() tea.Cmd {
		var cmd tea.Cmd
		if t.log.text != text {
			cmd, _ = t.log.setQuery(text) // it parsed before
		}
		t.pane = pane
		return cmd
	}
}

// inDetail implements detailed: a person is open.
func (t *iamTab) inDetail() bool { return t.detail != nil }

// inDetail implements detailed: a remediation is open.
func (t *remediationsTab) inDetail() bool { return t.mode != remList }

// inDetail implements detailed: the pane shown has an app, a group or an
// event open.
func (t *oktaTab) inDetail() bool {
	switch t.pane {
	case paneApps:
		return t.apps.openKey != ""
	case paneGroups:
		return t.groups.openKey != ""
	}
	return t.log.openKey != ""
}
