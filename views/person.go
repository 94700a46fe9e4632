package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/httpx"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/people"
	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/ui"
)

// The Person view is what p opens: everything the vendors know about one
// person (or one SaaS asset), loaded at once and shown as each vendor
// answers. Each section counts what it found and opens its full tab,
// filtered to that person or asset.

// subject is who or what a pivot is about.
type subject struct {
	asset  bool   // a SaaS asset rather than a person
	id     string // the email, or the asset id
	label  string // a name to show
	tenant int    // the SaaS tenant of an asset
}

// pivoter is a tab that can name the person or asset under the cursor.
type pivoter interface {
	Subject() (subject, bool)
}

// How far back the Person view looks.
const (
	pivotLogWindow    = 7 * 24 * time.Hour
	pivotTicketWindow = 90 * 24 * time.Hour
	pivotSaaSWindow   = 30 * 24 * time.Hour
	pivotSaaSPages    = 10 // the SaaS feed has no owner filter: read at most this many pages
	pivotLines        = 6  // lines shown per section
)

// answer is what one vendor says about the subject.
type answer struct {
	count int
	more  bool // count is a lower bound
	lines []string
	keys  []string // what a bulk action on the section acts on (open tickets)
	name  string   // the person's name, when an account gives it
	err   error
}

// section is one vendor's part of the view.
type section struct {
	answer
	title string               // "ITM incidents · demo"
	done  bool                 // answered
	open  func(a *App) tea.Cmd // opens the section's full tab, filtered
	load  func(context.Context) answer
}

// followMsg asks the App to open the view of a subject (a tab cannot reach
// the App's overlays itself).
type followMsg struct{ s subject }

// sectionMsg is one section's answer.
type sectionMsg struct {
	v *personView
	i int
	answer
}

// personView shows one subject across every vendor.
type personView struct {
	a        *App
	c        *Common
	subj     subject
	sections []*section
	cursor   int
	pane     pane
	cancel   context.CancelFunc
}

// openPerson builds the view of a subject and starts every section.
func (a *App) openPerson(s subject) tea.Cmd {
	if a.person != nil {
		a.person.cancel()
	}
	v := &personView{a: a, c: a.c, subj: s, pane: newPane(a.c)}
	v.pane.SetSize(a.width, a.bodyHeight())
	if s.asset {
		v.sections = assetSections(a, s)
	} else {
		v.sections = personSections(a, s.id)
	}
	a.person, a.overlay = v, overlayPerson
	ctx, cancel := context.WithCancel(a.c.Context())
	v.cancel = cancel
	cmds := make([]tea.Cmd, len(v.sections))
	for i, sec := range v.sections {
		load := sec.load
		cmds[i] = func() tea.Msg { return sectionMsg{v, i, load(ctx)} }
	}
	v.render()
	return tea.Batch(cmds...)
}

func (v *personView) apply(m sectionMsg) {
	v.sections[m.i].answer, v.sections[m.i].done = m.answer, true
	if v.subj.label == "" && m.name != "" {
		v.subj.label = m.name
	}
	v.render()
}

func (v *personView) busy() string {
	n := 0
	for _, s := range v.sections {
		if !s.done {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("Asking %d of %d sources about %s…", n, len(v.sections), v.subj.id)
}

func (v *personView) render() {
	st := v.c.Styles
	d := ui.NewDoc(st, v.pane.Width())
	what := "Person"
	if v.subj.asset {
		what = "SaaS asset"
	}
	head := v.subj.id
	if v.subj.label != "" && v.subj.label != v.subj.id {
		head = v.subj.label + " <" + v.subj.id + ">"
	}
	d.Section(fmt.Sprintf("%s: %s", what, head))
	if v.subj.asset {
		d.Muted("j/k choose a section · enter opens its tab (esc there comes back) · r reload · esc close")
	} else {
		d.Muted("j/k choose a section · enter opens its tab (esc there comes back) · d disable everywhere · L clear Okta sessions · +/- assign or unassign an Okta app · c comment on their open ITM tickets · r reload · esc close")
	}
	for i, s := range v.sections {
		state := st.Muted.Render("loading…")
		switch {
		case s.err != nil:
			state = st.Error.Render("failed")
		case s.done && s.more:
			state = st.Bold.Render(itoa(s.count) + "+")
		case s.done:
			state = st.Bold.Render(itoa(s.count))
		}
		title := "  " + s.title
		if i == v.cursor {
			title = st.Selected.Render("▸ " + s.title)
		}
		d.Line("")
		d.Line(title + "  " + state)
		if s.err != nil {
			d.Line("    " + st.Error.Render(strings.ReplaceAll(s.err.Error(), "\n", " ")))
		}
		for _, l := range s.lines {
			d.Line("    " + ui.Fit(l, max(v.pane.Width()-4, 10)))
		}
	}
	v.pane.Show(d.String(), true)
}

func (v *personView) move(by int) {
	v.cursor = min(max(v.cursor+by, 0), len(v.sections)-1)
	v.render()
}

// where implements bound: a refused write names the person.
func (v *personView) where() (string, string) { return "", v.subj.id }

// bindings are the view's keys. Its writes (a person's, not an asset's)
// close the view and open the tab that asks first.
func (v *personView) bindings() []binding {
	a, k, email := v.a, v.c.Keys, v.subj.id
	person := func() bool { return !v.subj.asset }
	iam := func(act iamAction) func() tea.Cmd {
		return func() tea.Cmd {
			a.closePerson()
			return onTab(a, "no IAM provider is configured", func(t *iamTab) tea.Cmd { return t.wantFor(email, act) })
		}
	}
	okta := func(kind changeKind) func() tea.Cmd {
		return func() tea.Cmd {
			return onTab(a, "no Okta org is configured", func(t *oktaTab) tea.Cmd { a.closePerson(); return t.changeFor(email, kind) })
		}
	}
	return []binding{
		{key: &k.Back, nav: true, run: func() tea.Cmd { a.closePerson(); return nil }},
		{key: &k.Down, nav: true, run: func() tea.Cmd { v.move(1); return nil }},
		{key: &k.Up, nav: true, run: func() tea.Cmd { v.move(-1); return nil }},
		{key: &k.Open, nav: true, run: func() tea.Cmd {
			if sec := v.sections[v.cursor]; sec.open != nil {
				return a.jump(v, sec.open)
			}
			return nil
		}},
		{key: &k.Refresh, run: func() tea.Cmd { return a.openPerson(v.subj) }},
		{key: &k.Disable, write: "iam.disable_user", shown: person, run: iam(actDisable)},
		{key: &k.Comment, write: "itm.comment", shown: person, run: v.commentOnOpenTickets},
		{key: &k.Sessions, write: "okta.clear_sessions", shown: person, run: iam(actSessions)},
		{key: &k.Add, write: "okta.app_assign_user", shown: person, run: okta(chAssign)},
		{key: &k.Remove, write: "okta.app_unassign_user", shown: person, run: okta(chUnassign)},
	}
}

// personKey handles a key in the view.
func (a *App) personKey(m tea.KeyMsg) tea.Cmd {
	if key.Matches(m, a.c.Keys.Quit) {
		if isInterrupt(m) {
			return a.quit()
		}
		m = a.backKey() // q closes the view, as esc does
	}
	if m.Type == tea.KeyBackspace {
		m = a.backKey()
	}
	if cmd, ok := press(a.c, a.person, a.person.bindings(), m); ok {
		return cmd
	}
	return a.person.pane.Key(m)
}

func (a *App) closePerson() {
	a.person.cancel()
	a.overlay, a.person = overlayNone, nil
}

// onTab shows the tab of type T and runs do on it; without that tab,
// missing is said ("" says nothing).
func onTab[T Tab](a *App, missing string, do func(T) tea.Cmd) tea.Cmd {
	for i, t := range a.tabs {
		if tab, ok := t.(T); ok {
			return tea.Batch(a.switchTo(i), do(tab))
		}
	}
	if missing == "" {
		return nil
	}
	return ui.Failf("%s", missing)
}

// commentOnOpenTickets opens the ITM tab's comment editor for every open
// ticket the view found.
func (v *personView) commentOnOpenTickets() tea.Cmd {
	var keys []string
	for _, s := range v.sections {
		keys = append(keys, s.keys...)
	}
	if len(keys) == 0 {
		return ui.Failf("%s has no open ITM tickets in the last %d days", v.subj.id, int(pivotTicketWindow.Hours()/24))
	}
	return onTab(v.a, "", func(t *itmTab) tea.Cmd { v.a.closePerson(); return t.commentOn(keys) })
}

// --- sections of a person ----------------------------------------------------

func personSections(a *App, email string) []*section {
	set := a.c.Backends
	var out []*section
	for _, p := range people.Providers(set) {
		out = append(out, accountSection(p, email))
	}
	for _, c := range set.Okta {
		out = append(out, oktaLogSection(a, c, email))
	}
	for ti, c := range set.ITM {
		out = append(out, ticketSection(a, ti, c, email))
	}
	for ti, c := range set.SaaS {
		out = append(out, saasSection(a, ti, c, "SaaS incidents whose assets they own", func(in *saas.Incident) bool {
			return strings.EqualFold(string(in.AssetOwnerEmail), email) || strings.EqualFold(in.Owner(), email)
		}, email))
	}
	for _, c := range set.Essentials {
		c := c
		out = append(out, &section{
			title: "Essentials sender lists naming them · " + c.Tenant(),
			open:  func(a *App) tea.Cmd { return a.lookupPerson(email) },
			load: func(ctx context.Context) answer {
				var m answer
				org, err := c.SenderLists(ctx, "")
				if err != nil {
					return answer{err: err}
				}
				for _, entry := range []struct {
					name string
					list []string
				}{{"organisation allow list", org.Allow}, {"organisation block list", org.Block}} {
					for _, s := range entry.list {
						if strings.EqualFold(s, email) {
							m.count++
							m.lines = append(m.lines, "on the "+entry.name)
						}
					}
				}
				if own, err := c.SenderLists(ctx, email); err == nil {
					m.count += len(own.Allow) + len(own.Block)
					if len(own.Allow)+len(own.Block) > 0 {
						m.lines = append(m.lines, fmt.Sprintf("their own lists: %d allowed, %d blocked senders", len(own.Allow), len(own.Block)))
					}
				}
				return m
			},
		})
	}
	// Last: every group is a line, and a person may have dozens.
	for _, c := range set.Okta {
		out = append(out, oktaGroupsSection(c, email))
	}
	return out
}

func accountSection(p people.Provider, email string) *section {
	return &section{
		title: "Account · " + people.Label(p),
		open:  func(a *App) tea.Cmd { return a.lookupPerson(email) },
		load: func(ctx context.Context) answer {
			acct, err := p.Find(ctx, email)
			switch {
			case err != nil:
				return answer{err: err}
			case acct == nil:
				return answer{lines: []string{"absent"}}
			}
			lines := []string{fmt.Sprintf("%s · %s · %s", acct.Status, acct.Profile.Name(), acct.Login)}
			if d, err := p.Details(ctx, acct); err == nil {
				if len(d.Groups) > 0 {
					lines = append(lines, fmt.Sprintf("groups (%d): %s", len(d.Groups), strings.Join(d.Groups, ", ")))
				}
				if len(d.Apps) > 0 {
					lines = append(lines, fmt.Sprintf("apps (%d): %s", len(d.Apps), strings.Join(d.Apps, ", ")))
				}
			}
			return answer{count: 1, lines: lines, name: acct.Profile.Name()}
		},
	}
}

// oktaGroupsSection lists every group of the person, read to the last page.
func oktaGroupsSection(c *okta.Client, email string) *section {
	return &section{
		title: "Okta groups · " + c.Tenant(),
		open:  func(a *App) tea.Cmd { return a.openGroups() },
		load: func(ctx context.Context) answer {
			u, err := c.User(ctx, email)
			switch {
			case httpx.IsNotFound(err):
				return answer{lines: []string{"not an Okta user"}}
			case err != nil:
				return answer{err: err}
			}
			groups, err := c.UserGroups(ctx, string(u.ID))
			if err != nil {
				return answer{err: err}
			}
			m := answer{count: len(groups)}
			for _, g := range groups {
				m.lines = append(m.lines, fmt.Sprintf("%-32s %-10s %s", g.Profile.Name, g.Type, g.ID))
			}
			return m
		},
	}
}

func oktaLogSection(a *App, c *okta.Client, email string) *section {
	return &section{
		title: fmt.Sprintf("Okta System Log, last %d days · %s", int(pivotLogWindow.Hours()/24), c.Tenant()),
		open:  func(a *App) tea.Cmd { return a.openLogFor(email) },
		load: func(ctx context.Context) answer {
			q := okta.LogQuery{
				Filter: "actor.alternateId eq " + okta.Quote(email) + " or target.alternateId eq " + okta.Quote(email),
				Since:  a.c.now().Add(-pivotLogWindow), Descending: true, Limit: 200,
			}
			page, err := c.Logs(ctx, q, "")
			if err != nil {
				return answer{err: err}
			}
			m := answer{count: len(page.Events), more: page.More && len(page.Events) == q.Limit}
			failed := 0
			for _, e := range page.Events {
				if e.Outcome.Failed() {
					failed++
				}
			}
			if failed > 0 {
				m.lines = append(m.lines, fmt.Sprintf("%d failed or denied", failed))
			}
			for _, e := range page.Events[:min(len(page.Events), pivotLines)] {
				m.lines = append(m.lines, fmt.Sprintf("%s  %-28s %s  %s", e.Published.Local().Format("01-02 15:04"), e.EventType, e.Outcome.Result, e.Client.IPAddress))
			}
			return m
		},
	}
}

func ticketSection(a *App, tenant int, c *itm.Client, email string) *section {
	return &section{
		title: fmt.Sprintf("ITM incidents, last %d days · %s", int(pivotTicketWindow.Hours()/24), c.Tenant()),
		open:  func(a *App) tea.Cmd { return a.openTicketsFor(tenant, email) },
		load: func(ctx context.Context) answer {
			page, err := c.Incidents(ctx, itm.Query{People: []string{email}, Since: a.c.now().Add(-pivotTicketWindow), Limit: 500})
			if err != nil {
				return answer{err: err}
			}
			m := answer{count: len(page.Tickets), more: page.More}
			if page.Total > m.count {
				m.count = page.Total
			}
			for i := range page.Tickets {
				t := &page.Tickets[i]
				status := itm.StatusName(string(t.Incident.Status))
				if !closing(status) {
					m.keys = append(m.keys, t.Key())
				}
				if i < pivotLines {
					m.lines = append(m.lines, fmt.Sprintf("%s  %-8s %-12s %s · %s", t.Observed().Local().Format("01-02 15:04"),
						itm.ParseSeverity(string(t.Incident.Severity)).Word, itm.Display(status), t.Incident.Name, t.Subject()))
				}
			}
			if len(m.keys) > 0 {
				m.lines = append([]string{fmt.Sprintf("%d open (c comments on all of them)", len(m.keys))}, m.lines...)
			}
			return m
		},
	}
}

// saasSection scans the recent SaaS feed (it has no owner or asset filter)
// for the incidents that match.
func saasSection(a *App, tenant int, c *saas.Client, title string, match func(*saas.Incident) bool, filter string) *section {
	return &section{
		title: fmt.Sprintf("%s, last %d days · %s", title, int(pivotSaaSWindow.Hours()/24), c.Tenant()),
		open:  func(a *App) tea.Cmd { return a.openIncidentsFor(tenant, filter) },
		load: func(ctx context.Context) answer {
			page, err := c.Incidents(ctx, saas.Query{From: a.c.now().Add(-pivotSaaSWindow)})
			var found []saas.Incident
			for pages := 1; err == nil; pages++ {
				for i := range page.Incidents {
					if match(&page.Incidents[i]) {
						found = append(found, page.Incidents[i])
					}
				}
				if !page.More || pages >= pivotSaaSPages {
					break
				}
				page, err = c.More(ctx, page)
			}
			if err != nil {
				return answer{err: err}
			}
			m := answer{count: len(found), more: page.More}
			for i := len(found) - 1; i >= 0 && len(m.lines) < pivotLines; i-- { // newest last in the feed
				in := &found[i]
				m.lines = append(m.lines, fmt.Sprintf("%-6s %-8s %-26s %s · %s", in.ID, in.Severity, in.Status, in.AssetName, in.AppName))
			}
			return m
		},
	}
}

// --- sections of an asset ----------------------------------------------------

func assetSections(a *App, s subject) []*section {
	set := a.c.Backends
	if s.tenant >= len(set.SaaS) {
		return nil
	}
	c := set.SaaS[s.tenant]
	journal := journalOf(a.c)
	return []*section{
		saasSection(a, s.tenant, c, "Incidents on this asset", func(in *saas.Incident) bool { return string(in.AssetID) == s.id }, s.id),
		{
			title: "Remediations of this asset",
			open:  func(a *App) tea.Cmd { return onTab(a, "", func(*remediationsTab) tea.Cmd { return nil }) },
			load: func(ctx context.Context) answer {
				recs, err := journal.List()
				if err != nil {
					return answer{err: err}
				}
				var m answer
				for _, r := range recs {
					if r.Kind == remediations.KindAsset && r.TargetID == s.id {
						m.count++
						if len(m.lines) < pivotLines {
							m.lines = append(m.lines, fmt.Sprintf("%s  %-22s %-8s by %s", r.StartedAt.Local().Format("01-02 15:04"), saas.Label(r.Type), r.Status, r.StartedBy))
						}
					}
				}
				for _, typ := range []string{saas.Quarantine, saas.RemovePublicSharing} {
					if st, err := c.RemediationStatus(ctx, s.id, typ); err == nil && st.Status != "" {
						m.lines = append(m.lines, fmt.Sprintf("vendor: %s %s (%s, by %s)", saas.Label(typ), st.Status, st.ActionDate.Local().Format("2006-01-02 15:04"), st.ActionTaker))
					}
				}
				return m
			},
		},
	}
}

// --- opening the full tabs -----------------------------------------------------

func (a *App) lookupPerson(email string) tea.Cmd {
	return onTab(a, "no IAM provider is configured", func(t *iamTab) tea.Cmd { return t.lookFor(email) })
}

func (a *App) openTicketsFor(tenant int, email string) tea.Cmd {
	return onTab(a, "", func(t *itmTab) tea.Cmd {
		return t.queryFor(tenant, fmt.Sprintf("since:%dd person:%s", int(pivotTicketWindow.Hours()/24), email))
	})
}

func (a *App) openIncidentsFor(tenant int, filter string) tea.Cmd {
	return onTab(a, "", func(t *saasTab) tea.Cmd {
		t.mode = listMode
		return tea.Batch(t.table.SetFilter(filter), ui.Toast("SaaS incidents filtered to %s", filter))
	})
}

// openGroups shows the Okta tab's groups.
func (a *App) openGroups() tea.Cmd {
	return onTab(a, "", func(t *oktaTab) tea.Cmd {
		if t.pane == paneGroups {
			return nil
		}
		return t.switchPane(int(paneGroups) - int(t.pane))
	})
}

func (a *App) openLogFor(email string) tea.Cmd {
	return onTab(a, "", func(t *oktaTab) tea.Cmd {
		t.pane = paneLog
		cmd, err := t.log.setQuery(fmt.Sprintf("since:-%dh actor:%s", int(pivotLogWindow.Hours()), email))
		if err != nil {
			return ui.Fail(err)
		}
		return cmd
	})
}
