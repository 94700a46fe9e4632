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

type sectionState int

const (
	sectionLoading sectionState = iota
	sectionDone
	sectionFailed
)

// section is one vendor's answer about the subject.
type section struct {
	title string // "ITM incidents · demo"
	state sectionState
	count int
	more  bool // count is a lower bound
	lines []string
	err   error
	keys  []string             // what a bulk action on the section acts on (open tickets)
	open  func(a *App) tea.Cmd // opens the section's full tab, filtered
	load  func(context.Context) sectionMsg
}

// followMsg asks the App to open the view of a subject (a tab cannot reach
// the App's overlays itself).
type followMsg struct{ s subject }

// sectionMsg is one section's answer.
type sectionMsg struct {
	v     *personView
	i     int
	count int
	more  bool
	lines []string
	keys  []string
	name  string // the person's name, when an account gives it
	err   error
}

// personView shows one subject across every vendor.
type personView struct {
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
	v := &personView{c: a.c, subj: s, pane: newPane(a.c)}
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
		cmds[i] = func() tea.Msg {
			m := load(ctx)
			m.v, m.i = v, i
			return m
		}
	}
	v.render()
	return tea.Batch(cmds...)
}

func (v *personView) apply(m sectionMsg) {
	sec := v.sections[m.i]
	sec.count, sec.more, sec.lines, sec.keys, sec.err = m.count, m.more, m.lines, m.keys, m.err
	sec.state = sectionDone
	if m.err != nil {
		sec.state = sectionFailed
	}
	if v.subj.label == "" && m.name != "" {
		v.subj.label = m.name
	}
	v.render()
}

func (v *personView) busy() string {
	n := 0
	for _, s := range v.sections {
		if s.state == sectionLoading {
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
		d.Muted("j/k choose a section · enter opens its tab · r reload · esc close")
	} else {
		d.Muted("j/k choose a section · enter opens its tab · d disable everywhere · L clear Okta sessions · +/- assign or unassign an Okta app · c comment on their open ITM tickets · r reload · esc close")
	}
	for i, s := range v.sections {
		marker := "  "
		if i == v.cursor {
			marker = "▸ "
		}
		var state string
		switch s.state {
		case sectionLoading:
			state = st.Muted.Render("loading…")
		case sectionFailed:
			state = st.Error.Render("failed")
		default:
			n := itoa(s.count)
			if s.more {
				n += "+"
			}
			state = st.Bold.Render(n)
		}
		title := marker + s.title + "  " + state
		if i == v.cursor {
			title = st.Selected.Render(marker+s.title) + "  " + state
		}
		d.Line("")
		d.Line(title)
		if s.err != nil {
			d.Line("    " + st.Error.Render(strings.ReplaceAll(s.err.Error(), "\n", " ")))
		}
		for _, l := range s.lines {
			d.Line("    " + ui.Fit(l, max(v.pane.Width()-4, 10)))
		}
	}
	v.pane.Show(d.String(), true)
}

// key handles a key in the view.
func (a *App) personKey(m tea.KeyMsg) tea.Cmd {
	v, k := a.person, a.c.Keys
	switch {
	case key.Matches(m, k.Back):
		v.cancel()
		a.overlay, a.person = overlayNone, nil
		return nil
	case key.Matches(m, k.Down):
		v.cursor = min(v.cursor+1, len(v.sections)-1)
		v.render()
		return nil
	case key.Matches(m, k.Up):
		v.cursor = max(v.cursor-1, 0)
		v.render()
		return nil
	case key.Matches(m, k.Open):
		if sec := v.sections[v.cursor]; sec.open != nil {
			v.cancel()
			a.overlay, a.person = overlayNone, nil
			return sec.open(a)
		}
		return nil
	case key.Matches(m, k.Refresh):
		return a.openPerson(v.subj)
	}
	if !v.subj.asset {
		if refused := refuseWrite(a.c, m, "", v.subj.id, writeKey{k.Disable, "iam.disable_user"}, writeKey{k.Comment, "itm.comment"},
			writeKey{k.Sessions, "okta.clear_sessions"}, writeKey{k.Add, "okta.app_assign_user"}, writeKey{k.Remove, "okta.app_unassign_user"}); refused != nil {
			return refused
		}
		switch {
		case key.Matches(m, k.Add):
			return a.oktaChangeFor(v.subj.id, chAssign)
		case key.Matches(m, k.Remove):
			return a.oktaChangeFor(v.subj.id, chUnassign)
		case key.Matches(m, k.Disable):
			return a.closePersonThen(func() tea.Cmd { return a.iamAction(v.subj.id, actDisable) })
		case m.String() == "L" && a.c.Analyst.CanWrite():
			return a.closePersonThen(func() tea.Cmd { return a.iamAction(v.subj.id, actSessions) })
		case key.Matches(m, k.Comment):
			return a.commentOnOpenTickets(v)
		}
	}
	return v.pane.Key(m)
}

func (a *App) closePersonThen(next func() tea.Cmd) tea.Cmd {
	a.person.cancel()
	a.overlay, a.person = overlayNone, nil
	return next()
}

// tabOf finds the tab with the given number, and its index.
func (a *App) tabOf(number int) (Tab, int) {
	for i, t := range a.tabs {
		if t.Number() == number {
			return t, i
		}
	}
	return nil, -1
}

// iamAction runs an IAM tab action (disable, clear sessions) on a person,
// with the tab's own confirmation.
func (a *App) iamAction(email string, act iamAction) tea.Cmd {
	t, i := a.tabOf(5)
	iam, ok := t.(*iamTab)
	if !ok {
		return ui.Failf("no IAM provider is configured")
	}
	return tea.Batch(a.switchTo(i), iam.wantFor(email, act))
}

// oktaChangeFor assigns the person an Okta app, or unassigns one, with the
// Okta tab's picker and confirmation.
func (a *App) oktaChangeFor(email string, kind changeKind) tea.Cmd {
	t, i := a.tabOf(4)
	tab, ok := t.(*oktaTab)
	if !ok {
		return ui.Failf("no Okta org is configured")
	}
	return a.closePersonThen(func() tea.Cmd { return tea.Batch(a.switchTo(i), tab.changeFor(email, kind)) })
}

// commentOnOpenTickets opens the ITM tab's comment editor for every open
// ticket the view found.
func (a *App) commentOnOpenTickets(v *personView) tea.Cmd {
	var keys []string
	for _, s := range v.sections {
		keys = append(keys, s.keys...)
	}
	if len(keys) == 0 {
		return ui.Failf("%s has no open ITM tickets in the last %d days", v.subj.id, int(pivotTicketWindow.Hours()/24))
	}
	t, i := a.tabOf(1)
	tab, ok := t.(*itmTab)
	if !ok {
		return nil
	}
	return a.closePersonThen(func() tea.Cmd { return tea.Batch(a.switchTo(i), tab.commentOn(keys)) })
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
			load: func(ctx context.Context) sectionMsg {
				var m sectionMsg
				org, err := c.SenderLists(ctx, "")
				if err != nil {
					return sectionMsg{err: err}
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
		load: func(ctx context.Context) sectionMsg {
			acct, err := p.Find(ctx, email)
			switch {
			case err != nil:
				return sectionMsg{err: err}
			case acct == nil:
				return sectionMsg{lines: []string{"absent"}}
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
			return sectionMsg{count: 1, lines: lines, name: acct.Profile.Name()}
		},
	}
}

// oktaGroupsSection lists every group of the person, read to the last page.
func oktaGroupsSection(c *okta.Client, email string) *section {
	return &section{
		title: "Okta groups · " + c.Tenant(),
		open:  func(a *App) tea.Cmd { return a.openGroups() },
		load: func(ctx context.Context) sectionMsg {
			u, err := c.User(ctx, email)
			switch {
			case httpx.IsNotFound(err):
				return sectionMsg{lines: []string{"not an Okta user"}}
			case err != nil:
				return sectionMsg{err: err}
			}
			groups, err := c.UserGroups(ctx, string(u.ID))
			if err != nil {
				return sectionMsg{err: err}
			}
			m := sectionMsg{count: len(groups)}
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
		load: func(ctx context.Context) sectionMsg {
			q := okta.LogQuery{
				Filter: "actor.alternateId eq " + okta.Quote(email) + " or target.alternateId eq " + okta.Quote(email),
				Since:  a.c.now().Add(-pivotLogWindow), Descending: true, Limit: 200,
			}
			page, err := c.Logs(ctx, q, "")
			if err != nil {
				return sectionMsg{err: err}
			}
			m := sectionMsg{count: len(page.Events), more: page.More && len(page.Events) == q.Limit}
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
		load: func(ctx context.Context) sectionMsg {
			page, err := c.Incidents(ctx, itm.Query{People: []string{email}, Since: a.c.now().Add(-pivotTicketWindow), Limit: 500})
			if err != nil {
				return sectionMsg{err: err}
			}
			m := sectionMsg{count: len(page.Tickets), more: page.More}
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
		load: func(ctx context.Context) sectionMsg {
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
				return sectionMsg{err: err}
			}
			m := sectionMsg{count: len(found), more: page.More}
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
			open:  func(a *App) tea.Cmd { _, i := a.tabOf(3); return a.switchTo(i) },
			load: func(ctx context.Context) sectionMsg {
				recs, err := journal.List()
				if err != nil {
					return sectionMsg{err: err}
				}
				var m sectionMsg
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
	t, i := a.tabOf(5)
	iam, ok := t.(*iamTab)
	if !ok {
		return ui.Failf("no IAM provider is configured")
	}
	return tea.Batch(a.switchTo(i), iam.lookFor(email))
}

func (a *App) openTicketsFor(tenant int, email string) tea.Cmd {
	t, i := a.tabOf(1)
	tab, ok := t.(*itmTab)
	if !ok {
		return nil
	}
	return tea.Batch(a.switchTo(i), tab.queryFor(tenant, fmt.Sprintf("since:%dd person:%s", int(pivotTicketWindow.Hours()/24), email)))
}

func (a *App) openIncidentsFor(tenant int, filter string) tea.Cmd {
	t, i := a.tabOf(2)
	tab, ok := t.(*saasTab)
	if !ok {
		return nil
	}
	tab.mode = listMode
	return tea.Batch(a.switchTo(i), tab.table.SetFilter(filter), ui.Toast("SaaS incidents filtered to %s", filter))
}

// openGroups shows the Okta tab's groups.
func (a *App) openGroups() tea.Cmd {
	t, i := a.tabOf(4)
	tab, ok := t.(*oktaTab)
	if !ok {
		return nil
	}
	var load tea.Cmd
	if tab.pane != paneGroups {
		load = tab.switchPane(int(paneGroups) - int(tab.pane))
	}
	return tea.Batch(a.switchTo(i), load)
}

func (a *App) openLogFor(email string) tea.Cmd {
	t, i := a.tabOf(4)
	tab, ok := t.(*oktaTab)
	if !ok {
		return nil
	}
	tab.pane = paneLog
	cmd, err := tab.log.setQuery(fmt.Sprintf("since:-%dh actor:%s", int(pivotLogWindow.Hours()), email))
	if err != nil {
		return ui.Fail(err)
	}
	return tea.Batch(a.switchTo(i), cmd)
}
