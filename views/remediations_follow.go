package views

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/ui"
)

// Following remediations: the journal is read at start and on r, and each
// record still pending is checked at the vendor until it ends.

// How pending remediations are checked: soon after the start, then less and
// less often, until the vendor says success or failure; after a day the
// tab stops asking (r asks again).
const (
	pollFirst   = time.Second
	pollMax     = time.Minute
	pollGiveUp  = 24 * time.Hour
	clockPeriod = time.Second
)

// poll is the checking of one pending record.
type poll struct {
	attempt   int
	scheduled bool
	failing   bool // the last check failed; said once, not on every retry
}

func (t *remediationsTab) load() tea.Cmd {
	t.loading = "Reading the remediation journal…"
	j := t.journal
	return func() tea.Msg {
		recs, err := j.List()
		return journalLoadedMsg{tab: t, recs: recs, err: err}
	}
}

func (t *remediationsTab) onLoaded(m journalLoadedMsg) tea.Cmd {
	t.loading, t.loadErr = "", m.err
	if m.err != nil {
		return ui.Fail(m.err)
	}
	recs := m.recs
	for _, r := range t.recs {
		if t.unsaved[r.ID] {
			recs = append([]remediations.Record{r}, recs...)
		}
	}
	t.recs = recs
	t.refill()
	var cmds []tea.Cmd
	for _, r := range t.recs {
		if !r.Done() {
			t.pollOf(r.ID).attempt = 0
			cmds = append(cmds, t.schedule(r.ID))
		}
	}
	return tea.Batch(append(cmds, t.tick())...)
}

// onStarted follows a remediation another tab started (nothing when it
// did not apply).
func (t *remediationsTab) onStarted(rec remediations.Record, journalErr error) tea.Cmd {
	if rec.ID == "" {
		return nil
	}
	if journalErr != nil {
		t.unsaved[rec.ID] = true
	}
	t.recs = append([]remediations.Record{rec}, t.recs...)
	t.refill()
	if rec.Done() {
		return nil // confirmed by the vendor already: nothing to follow
	}
	return tea.Batch(t.schedule(rec.ID), t.tick())
}

// refill shows the records in the table and the open one in the pane.
func (t *remediationsTab) refill() {
	t.rows.recs = t.recs
	t.table.SetSource(t.rows)
	t.render()
}

func (t *remediationsTab) pollOf(id string) *poll {
	p := t.polls[id]
	if p == nil {
		p = &poll{}
		t.polls[id] = p
	}
	return p
}

// schedule checks a record after its backoff, unless a check is already
// on its way.
func (t *remediationsTab) schedule(id string) tea.Cmd {
	p := t.pollOf(id)
	if p.scheduled {
		return nil
	}
	p.scheduled = true
	d := min(pollFirst<<min(p.attempt, 8), pollMax)
	return tea.Tick(d, func(time.Time) tea.Msg { return pollDueMsg{tab: t, id: id} })
}

// tick keeps the elapsed times moving while something is being followed.
func (t *remediationsTab) tick() tea.Cmd {
	if t.ticking || !t.following() {
		return nil
	}
	t.ticking = true
	return tea.Tick(clockPeriod, func(time.Time) tea.Msg { return clockMsg{tab: t} })
}

func (t *remediationsTab) following() bool {
	for _, p := range t.polls {
		if p.scheduled {
			return true
		}
	}
	return false
}

func (t *remediationsTab) find(id string) (int, bool) {
	for i, r := range t.recs {
		if r.ID == id {
			return i, true
		}
	}
	return 0, false
}

func (t *remediationsTab) client(tenant string) *saas.Client {
	for _, c := range t.c.Backends.SaaS {
		if c.Tenant() == tenant {
			return c
		}
	}
	return nil
}

func (t *remediationsTab) onDue(m pollDueMsg) tea.Cmd {
	p := t.pollOf(m.id)
	p.scheduled = false
	i, ok := t.find(m.id)
	if !ok || t.recs[i].Done() {
		return nil
	}
	rec := t.recs[i]
	if t.c.now().Sub(rec.StartedAt) > pollGiveUp {
		t.recs[i].Detail = "still not finished after a day: r checks again"
		t.refill()
		return nil
	}
	check := t.checker(rec)
	if check == nil {
		t.recs[i].Detail = fmt.Sprintf("%s tenant %q is not configured: not checked", rec.Vendor, rec.Tenant)
		t.refill()
		return nil
	}
	ctx, j, unsaved := t.c.Context(), t.journal, t.unsaved[rec.ID]
	return func() tea.Msg {
		apply, err := check(ctx)
		now := t.c.now()
		if unsaved {
			apply(&rec, now)
			return pollDoneMsg{tab: t, rec: rec, err: err}
		}
		saved, jerr := j.Update(rec.ID, func(r *remediations.Record) { apply(r, now) })
		if jerr != nil {
			saved = rec
			apply(&saved, now)
		}
		return pollDoneMsg{tab: t, rec: saved, err: err, journalErr: jerr}
	}
}

// checker asks the vendor about a record: a SaaS remediation's status, or
// an Essentials sender list. What it learnt is applied to the record; nil
// when the record's tenant is not configured.
func (t *remediationsTab) checker(rec remediations.Record) func(context.Context) (func(*remediations.Record, time.Time), error) {
	switch rec.Vendor {
	case "saas":
		client := t.client(rec.Tenant)
		if client == nil {
			return nil
		}
		return func(ctx context.Context) (func(*remediations.Record, time.Time), error) {
			st, err := client.RemediationStatus(ctx, rec.TargetID, rec.Type)
			return func(r *remediations.Record, now time.Time) { remediations.AssetChecked(r, st, err, now) }, err
		}
	case "essentials":
		for _, org := range t.c.Backends.Essentials {
			if org.Tenant() == rec.Tenant {
				user := rec.ListUser()
				return func(ctx context.Context) (func(*remediations.Record, time.Time), error) {
					lists, err := org.SenderLists(ctx, user)
					return func(r *remediations.Record, now time.Time) { remediations.SenderChecked(r, lists, err, now) }, err
				}
			}
		}
	}
	return nil
}

// failureReason is why a remediation or sender change failed, in the
// vendor's words where it has any. SaaS Security's remediation status
// names no reason (asset_id, asset_name, remediation_type, action_taker,
// action_date, status: demisto/content
// Packs/PrismaSaasSecurity/Integrations/SaasSecurity/SaasSecurity.py
// asset_remediation_status), so for a failure it reports itself the status
// word and who acted when are all there is, and the line says so.
func failureReason(r remediations.Record) string {
	switch {
	case strings.HasPrefix(r.Detail, "not started"), r.Vendor != "saas":
		return orDash(cmp.Or(r.Detail, r.VendorStatus))
	}
	why := fmt.Sprintf("status %q, and SaaS Security gives no reason (its console may say more about the asset)", cmp.Or(r.VendorStatus, remediations.Failed))
	if r.Detail != "" {
		why += "; " + r.Detail
	}
	return why
}

func (t *remediationsTab) onPolled(m pollDoneMsg) tea.Cmd {
	i, ok := t.find(m.rec.ID)
	if !ok {
		return nil
	}
	was := t.recs[i]
	t.recs[i] = m.rec
	t.refill()
	p := t.pollOf(m.rec.ID)
	var cmds []tea.Cmd
	if m.journalErr != nil {
		cmds = append(cmds, ui.Fail(m.journalErr))
	}
	what := fmt.Sprintf("%s of %s", recordLabel(m.rec), orDash(m.rec.TargetName))
	switch {
	case m.rec.Done() && !was.Done() && m.rec.Status == remediations.Success:
		cmds = append(cmds, ui.Toast("%s: %s after %s", what, m.rec.Status, elapsed(m.rec.Elapsed(m.rec.FinishedAt))))
	case m.rec.Done() && !was.Done():
		cmds = append(cmds, ui.Failf("%s failed at the vendor: %s", what, failureReason(m.rec)))
	case m.err != nil && !p.failing:
		p.failing = true
		cmds = append(cmds, ui.Fail(fmt.Errorf("checking %s (will keep trying): %w", what, m.err)))
	}
	if m.err == nil {
		p.failing = false
	}
	if !m.rec.Done() {
		p.attempt++
		cmds = append(cmds, t.schedule(m.rec.ID), t.tick())
	}
	return tea.Batch(cmds...)
}
