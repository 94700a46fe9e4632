package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/clean"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/backend/settle"
	"triage/ui"
)

// How pending remediations are checked: soon after the start, then less and
// less often, until the vendor says success or failure; after a day the
// tab stops asking (r asks again).
const (
	pollFirst   = time.Second
	pollMax     = time.Minute
	pollGiveUp  = 24 * time.Hour
	clockPeriod = time.Second
)

type remMode int

const (
	remList remMode = iota
	remDetail
	remLookupResult
)

type remModal int

const (
	remNoModal remModal = iota
	remLookupAsset
	remLookupType
	remLookupTenant
)

// remediationsTab is tab 3: every remediation started from the console,
// newest first, followed until it ends, and a look-up of any asset's.
type remediationsTab struct {
	c       *Common
	journal *remediations.Journal
	recs    []remediations.Record // newest first
	unsaved map[string]bool       // started, but the journal could not be written
	rows    *recordRows
	table   *ui.Table
	width   int
	height  int
	loading string
	polls   map[string]*poll
	ticking bool

	mode   remMode
	openID string
	pane   pane

	modal  remModal
	prompt *ui.Prompt
	picker *ui.Picker
	filter filterBar
	// the look-up being asked for, kept when it fails
	lookupAsset, lookupType string
	lookup                  saas.Remediation
	lookupTenant            string
}

// poll is the checking of one pending record.
type poll struct {
	attempt   int
	scheduled bool
	failing   bool // the last check failed; said once, not on every retry
}

type (
	// remediationStartedMsg says the SaaS tab started (or failed to start)
	// a remediation; tab 3 follows what started.
	remediationStartedMsg struct {
		from       *saasTab
		key        string // the incident
		choice     fixChoice
		rec        remediations.Record // zero when nothing started
		out        settle.Result
		journalErr error
		quiet      bool // one row of a bulk action, which reports itself
	}
	journalLoadedMsg struct {
		tab  *remediationsTab
		recs []remediations.Record
		err  error
	}
	pollDueMsg struct {
		tab *remediationsTab
		id  string
	}
	pollDoneMsg struct {
		tab        *remediationsTab
		rec        remediations.Record
		err        error
		journalErr error
	}
	clockMsg      struct{ tab *remediationsTab }
	lookupDoneMsg struct {
		tab    *remediationsTab
		tenant string
		result saas.Remediation
		err    error
	}
)

// journalOf is the session's remediation journal, in its state directory.
func journalOf(c *Common) *remediations.Journal {
	dir := c.StateDir
	if dir == "" {
		dir = c.Backends.Config.State.Dir
	}
	return remediations.Open(dir)
}

func newRemediationsTab(c *Common) *remediationsTab {
	t := &remediationsTab{c: c, journal: journalOf(c), unsaved: map[string]bool{}, polls: map[string]*poll{}}
	t.rows = &recordRows{now: c.now}
	t.table = ui.NewTable(c.Styles, c.Keys, recordColumns)
	var how []string
	if len(c.Backends.SaaS) > 0 {
		how = append(how, "x on a SaaS incident starts one, n looks one up")
	}
	if len(c.Backends.Essentials) > 0 {
		how = append(how, "b on a person (tab 5) or an ITM message blocks a sender")
	}
	t.table.Empty = "No remediations started from the console yet: " + strings.Join(how, "; ") + "."
	t.table.SetSource(t.rows)
	t.pane = newPane(c)
	t.filter = newFilterBar(c.Styles, t.table)
	return t
}

// Name implements Tab.
func (t *remediationsTab) Name() string { return spec(t.Number()).Name }

// Number implements Tab.
func (t *remediationsTab) Number() int { return 3 }

// Tenant implements Tab: the list spans every tenant.
func (t *remediationsTab) Tenant() string { return "" }

// Init implements Tab: the journal is read at start.
func (t *remediationsTab) Init() tea.Cmd { return t.load() }

// Capturing implements Tab.
func (t *remediationsTab) Capturing() bool { return t.modal != remNoModal || t.filter.Typing() }

// Busy implements Tab.
func (t *remediationsTab) Busy() string { return t.loading }

// Info implements Tab.
func (t *remediationsTab) Info() string {
	pending := 0
	for _, r := range t.recs {
		if !r.Done() {
			pending++
		}
	}
	parts := []string{fmt.Sprintf("%s remediations", count(len(t.recs)))}
	if pending > 0 {
		parts = append(parts, fmt.Sprintf("%d in progress", pending))
	}
	return infoLine(t.table, parts...)
}

// SetSize implements Tab.
func (t *remediationsTab) SetSize(w, h int) {
	t.width, t.height = w, h
	t.table.SetSize(w, h-2)
	t.pane.SetSize(w, h)
	t.render()
}

// Help implements Tab.
func (t *remediationsTab) Help() []ui.HelpGroup {
	k := t.c.Keys
	bindings := []key.Binding{relabel(k.Refresh, "re-read the journal, check pending ones now"), relabel(k.Copy, "copy the asset id")}
	if len(t.c.Backends.SaaS) > 0 {
		lookup := key.NewBinding(key.WithKeys(k.New.Keys()...), key.WithHelp(k.New.Help().Key, "look up the status of an asset's remediation"))
		bindings = append([]key.Binding{lookup}, bindings...)
	}
	return []ui.HelpGroup{{Title: "Remediations", Bindings: bindings}}
}

// Refresh implements Tab: re-read the journal (another session may have
// added to it) and check pending remediations now.
func (t *remediationsTab) Refresh() tea.Cmd { return t.load() }

func (t *remediationsTab) load() tea.Cmd {
	t.loading = "Reading the remediation journal…"
	j := t.journal
	return func() tea.Msg {
		recs, err := j.List()
		return journalLoadedMsg{tab: t, recs: recs, err: err}
	}
}

func (t *remediationsTab) onLoaded(m journalLoadedMsg) tea.Cmd {
	t.loading = ""
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
	t.show()
	var cmds []tea.Cmd
	for _, r := range t.recs {
		if !r.Done() {
			p := t.pollOf(r.ID)
			p.attempt = 0
			cmds = append(cmds, t.schedule(r.ID))
		}
	}
	return tea.Batch(append(cmds, t.tick())...)
}

func (t *remediationsTab) show() {
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
		t.show()
		return nil
	}
	check := t.checker(rec)
	if check == nil {
		t.recs[i].Detail = fmt.Sprintf("%s tenant %q is not configured: not checked", rec.Vendor, rec.Tenant)
		t.show()
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
			return func(r *remediations.Record, now time.Time) { applyStatus(r, st, err, now) }, err
		}
	case "essentials":
		for _, org := range t.c.Backends.Essentials {
			if org.Tenant() == rec.Tenant {
				user, _ := rec.Params["scope"].(string)
				if user == "organisation" {
					user = ""
				}
				return func(ctx context.Context) (func(*remediations.Record, time.Time), error) {
					lists, err := org.SenderLists(ctx, user)
					return func(r *remediations.Record, now time.Time) { applySenderCheck(r, lists, err, now) }, err
				}
			}
		}
	}
	return nil
}

// applySenderCheck records what reading a sender list found: the sender
// on the list is done; one that is not, after a lost answer, did not land.
func applySenderCheck(r *remediations.Record, lists essentials.SenderList, err error, now time.Time) {
	r.CheckedAt = now
	switch {
	case err != nil:
		r.Detail = "last check failed: " + clean.Line(err.Error())
	case lists.Has(essentials.List(r.Type), r.TargetID):
		r.Status, r.FinishedAt, r.Detail = remediations.Success, now, "on the list: the vendor confirms it"
	case r.Status == remediations.Unknown:
		r.Status, r.FinishedAt, r.Detail = remediations.Failed, now, "not on the list: the change did not land"
	}
}

// applyStatus records what a status check found.
func applyStatus(r *remediations.Record, st saas.Remediation, err error, now time.Time) {
	r.CheckedAt = now
	switch {
	case err != nil && httpx.IsNotFound(err) && r.Status == remediations.Unknown:
		// The start's answer was lost and the vendor has nothing: it never began.
		r.Status, r.FinishedAt = remediations.Failed, now
		r.Detail = "not started: the vendor has no such remediation of the asset"
		return
	case err != nil:
		r.Detail = "last check failed: " + clean.Line(err.Error())
		return
	case r.Status == remediations.Unknown && !st.ActionDate.IsZero() && st.ActionDate.Before(r.StartedAt.Add(-time.Minute)):
		r.Status, r.FinishedAt = remediations.Failed, now
		r.Detail = "not started: the vendor's latest one is from " + st.ActionDate.UTC().Format(time.RFC3339)
		return
	}
	r.VendorStatus = string(st.Status)
	if st.AssetName != "" && r.TargetName == "" {
		r.TargetName = string(st.AssetName)
	}
	r.Detail = ""
	if st.ActionTaker != "" || !st.ActionDate.IsZero() {
		r.Detail = strings.TrimSpace(fmt.Sprintf("by %s at %s", orDash(string(st.ActionTaker)), st.ActionDate.UTC().Format("2006-01-02 15:04:05 MST")))
	}
	switch out := saas.Outcome(string(st.Status)); out {
	case saas.Success, saas.Failed:
		r.Status = out
		r.FinishedAt = now
		if st.ActionDate.After(r.StartedAt) && st.ActionDate.Before(now) {
			r.FinishedAt = st.ActionDate.Time
		}
	default:
		r.Status = remediations.Pending
	}
}

func (t *remediationsTab) onPolled(m pollDoneMsg) tea.Cmd {
	i, ok := t.find(m.rec.ID)
	if !ok {
		return nil
	}
	was := t.recs[i]
	t.recs[i] = m.rec
	t.show()
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
		cmds = append(cmds, ui.Failf("%s failed at the vendor: %s", what, orDash(firstNonEmpty(m.rec.Detail, m.rec.VendorStatus))))
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

func (t *remediationsTab) onStarted(m remediationStartedMsg) tea.Cmd {
	if m.rec.ID == "" { // not applied: nothing recorded
		return nil
	}
	if m.journalErr != nil {
		t.unsaved[m.rec.ID] = true
	}
	t.recs = append([]remediations.Record{m.rec}, t.recs...)
	t.show()
	if m.rec.Done() {
		return nil // confirmed by the vendor already: nothing to follow
	}
	return tea.Batch(t.schedule(m.rec.ID), t.tick())
}

// Update implements Tab.
func (t *remediationsTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case remediationStartedMsg:
		return t.onStarted(m)
	case senderListedMsg:
		return t.onStarted(remediationStartedMsg{rec: m.rec, journalErr: m.journalErr})
	case journalLoadedMsg:
		if m.tab == t {
			return t.onLoaded(m)
		}
	case pollDueMsg:
		if m.tab == t {
			return t.onDue(m)
		}
	case pollDoneMsg:
		if m.tab == t {
			return t.onPolled(m)
		}
	case clockMsg:
		if m.tab == t {
			t.ticking = false
			t.render()
			return t.tick()
		}
	case lookupDoneMsg:
		if m.tab == t {
			return t.onLookup(m)
		}
	case tea.KeyMsg:
		return t.key(m)
	default:
		if cmd := t.table.Update(msg); cmd != nil {
			return cmd
		}
		return t.forwardToForm(msg)
	}
	return nil
}

func (t *remediationsTab) forwardToForm(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case t.modal == remLookupAsset && t.prompt != nil:
		_, cmd = t.prompt.Update(msg)
	case t.picker != nil && t.modal != remNoModal:
		_, cmd = t.picker.Update(msg)
	default:
		cmd = t.filter.Update(msg)
	}
	return cmd
}

// pressed matches a binding's keys even when it is disabled: n here looks
// a remediation up, a read, which a read-only analyst may do although
// "new" is disabled for them.
func pressed(m tea.KeyMsg, b key.Binding) bool {
	for _, k := range b.Keys() {
		if m.String() == k {
			return true
		}
	}
	return false
}

func (t *remediationsTab) key(m tea.KeyMsg) tea.Cmd {
	if t.modal != remNoModal {
		return t.modalKey(m)
	}
	if t.filter.Typing() {
		return t.filter.Key(m)
	}
	k := t.c.Keys
	switch {
	case pressed(m, k.New) && len(t.c.Backends.SaaS) > 0:
		t.prompt = ui.NewPrompt(t.c.Styles, "Look up a remediation: asset id", t.lookupAsset, "the asset id, e.g. 61099dc46b544e38fa3ce89a")
		t.prompt.Help = "enter then picks the remediation type · esc cancels"
		t.modal = remLookupAsset
		return nil
	case key.Matches(m, k.Refresh):
		return t.Refresh()
	case key.Matches(m, k.Copy):
		if r, ok := t.current(); ok && plainID(r.TargetID) {
			return ui.Copy(t.c.Styles.R, "asset id", r.TargetID)
		}
		return nil
	}
	if t.mode != remList {
		if key.Matches(m, k.Back) {
			t.mode, t.openID = remList, ""
			return nil
		}
		return t.pane.Key(m)
	}
	switch {
	case key.Matches(m, k.Open):
		if r, ok := t.current(); ok {
			t.mode, t.openID = remDetail, r.ID
			t.render()
			t.pane.vp.GotoTop()
		}
		return nil
	case key.Matches(m, k.Filter):
		t.filter.Open()
		return nil
	case key.Matches(m, k.Back):
		if t.table.Filter() != "" {
			return t.table.SetFilter("")
		}
		return nil
	}
	t.table.HandleKey(m)
	return nil
}

// current is the record open in detail, else under the cursor.
func (t *remediationsTab) current() (remediations.Record, bool) {
	id := t.openID
	if t.mode == remList {
		id = t.table.CursorKey()
	}
	if i, ok := t.find(id); ok {
		return t.recs[i], true
	}
	return remediations.Record{}, false
}

func (t *remediationsTab) modalKey(m tea.KeyMsg) tea.Cmd {
	if t.modal == remLookupAsset {
		out, cmd := t.prompt.Update(m)
		switch out {
		case ui.Submitted:
			asset := strings.TrimSpace(t.prompt.Value())
			if asset == "" {
				return nil
			}
			t.lookupAsset = asset
			var items []ui.Item
			for _, c := range saas.RemediationTypes {
				items = append(items, ui.Item{Label: c.Label, Detail: c.Value, Value: c.Value})
			}
			t.prompt, t.picker = nil, ui.NewPicker(t.c.Styles, "Remediation of "+asset, items)
			t.picker.Select(t.lookupType)
			t.modal = remLookupType
		case ui.Cancelled:
			t.modal, t.prompt = remNoModal, nil
		}
		return cmd
	}
	res, cmd := t.picker.Update(m)
	switch {
	case res.Cancelled:
		t.modal, t.picker = remNoModal, nil
		return nil
	case !res.Done:
		return cmd
	}
	if t.modal == remLookupType {
		t.lookupType = res.Item.Value
		if len(t.c.Backends.SaaS) > 1 {
			var items []ui.Item
			for _, c := range t.c.Backends.SaaS {
				items = append(items, ui.Item{Label: c.Tenant(), Value: c.Tenant()})
			}
			t.picker = ui.NewPicker(t.c.Styles, "At which SaaS Security tenant?", items)
			t.modal = remLookupTenant
			return nil
		}
		t.modal, t.picker = remNoModal, nil
		return t.runLookup(t.c.Backends.SaaS[0].Tenant())
	}
	t.modal, t.picker = remNoModal, nil
	return t.runLookup(res.Item.Value)
}

func (t *remediationsTab) runLookup(tenant string) tea.Cmd {
	client := t.client(tenant)
	if client == nil {
		return nil
	}
	t.loading = "Looking up the remediation…"
	ctx, asset, typ := t.c.Context(), t.lookupAsset, t.lookupType
	return func() tea.Msg {
		st, err := client.RemediationStatus(ctx, asset, typ)
		return lookupDoneMsg{tab: t, tenant: tenant, result: st, err: err}
	}
}

func (t *remediationsTab) onLookup(m lookupDoneMsg) tea.Cmd {
	t.loading = ""
	if m.err != nil {
		return ui.Fail(fmt.Errorf("%s of asset %s: %w (n reopens with it)", saas.Label(t.lookupType), t.lookupAsset, m.err))
	}
	t.lookup, t.lookupTenant = m.result, m.tenant
	t.mode, t.openID = remLookupResult, ""
	t.render()
	return nil
}

// render rebuilds the detail pane, when one is shown.
func (t *remediationsTab) render() {
	st := t.c.Styles
	switch t.mode {
	case remDetail:
		if r, ok := t.current(); ok {
			t.pane.Show(recordDoc(st, r, t.width, t.c.now()), true)
		}
	case remLookupResult:
		d := ui.NewDoc(st, t.width)
		l := t.lookup
		d.Section(fmt.Sprintf("%s of %s  ·  as the vendor reports it now", saas.Label(string(l.Type)), orDash(string(l.AssetName))))
		d.FieldTone("Status", string(l.Status), remediationTone(saas.Outcome(string(l.Status))))
		d.Field("Asset", string(l.AssetName))
		d.Field("Asset id", string(l.AssetID))
		d.Field("Type", string(l.Type))
		d.Field("Action taker", string(l.ActionTaker))
		if !l.ActionDate.IsZero() {
			d.Field("Action date", when(l.ActionDate, t.c.now()))
		}
		d.Field("Tenant", "saas/"+t.lookupTenant)
		d.Line("")
		d.Muted("n looks up another · esc back to the list")
		t.pane.Show(d.String(), false)
	}
}

// View implements Tab.
func (t *remediationsTab) View() string {
	st := t.c.Styles
	switch t.modal {
	case remLookupAsset:
		return ui.Center(st, t.width, t.height, t.prompt.View(min(t.width, 90)))
	case remLookupType, remLookupTenant:
		return ui.Center(st, t.width, t.height, t.picker.View(min(t.width, 80)))
	}
	if t.mode != remList {
		return t.pane.View()
	}
	bar := "started from the console, newest first · journal " + t.journal.Path()
	if len(t.c.Backends.SaaS) > 0 {
		bar += " · n look up any asset"
	}
	return st.Muted.Render(bar) + "\n" + t.table.View() + "\n" + t.filter.View(t.width)
}

// --- rows and detail -----------------------------------------------------

// recordRows shows journal records in the table.
type recordRows struct {
	recs []remediations.Record
	now  func() time.Time
}

const (
	colRemStarted = iota
	colRemAsset
	colRemType
	colRemWho
	colRemStatus
	colRemElapsed
	colRemTenant
	colRemDetail
)

var recordColumns = []ui.Column{
	{Title: "STARTED", Width: 16},
	{Title: "ASSET", Width: 14, Flex: 2},
	{Title: "TYPE", Width: 12, Flex: 1},
	{Title: "WHO", Width: 8, Flex: 1},
	{Title: "STATUS", Width: 9},
	{Title: "ELAPSED", Width: 8},
	{Title: "TENANT", Width: 10},
	{Title: "DETAIL", Width: 10, Flex: 3},
}

func (r *recordRows) Len() int         { return len(r.recs) }
func (r *recordRows) Key(i int) string { return r.recs[i].ID }
func (r *recordRows) Fresh(int) bool   { return false }

func (r *recordRows) Search(i int) string {
	x := r.recs[i]
	return strings.ToLower(strings.Join([]string{x.TargetName, x.TargetID, x.Type, recordLabel(x), x.StartedBy, x.Status, x.VendorStatus, x.Tenant, x.Detail, x.Source}, " "))
}

func (r *recordRows) Cell(i, col int) string {
	x := &r.recs[i]
	switch col {
	case colRemStarted:
		return timeCell(x.StartedAt)
	case colRemAsset:
		if x.TargetName != "" {
			return x.TargetName
		}
		return x.TargetID
	case colRemType:
		return recordLabel(*x)
	case colRemWho:
		return x.StartedBy
	case colRemStatus:
		return recordStatus(*x)
	case colRemElapsed:
		return elapsed(x.Elapsed(r.now()))
	case colRemTenant:
		return x.Vendor + "/" + x.Tenant
	case colRemDetail:
		return x.Detail
	}
	return ""
}

func (r *recordRows) Tone(i, col int) ui.Tone {
	switch col {
	case colRemStatus:
		return remediationTone(r.recs[i].Status)
	case colRemStarted, colRemElapsed, colRemTenant, colRemDetail:
		return ui.ToneMuted
	}
	return ui.ToneNone
}

// recordStatus is the vendor's own word while it is one the console does not
// know, else the console's.
func recordStatus(r remediations.Record) string {
	if r.VendorStatus != "" && r.Status == remediations.Pending {
		return r.VendorStatus
	}
	return r.Status
}

func remediationTone(status string) ui.Tone {
	switch status {
	case remediations.Success:
		return ui.ToneGood
	case remediations.Failed:
		return ui.ToneBad
	case remediations.Unknown:
		return ui.ToneMedium
	}
	return ui.ToneAccent
}

// elapsed says a duration the short way: 8s, 3m 12s, 2h 5m, 3d 4h.
func elapsed(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

func recordDoc(st *ui.Styles, r remediations.Record, width int, now time.Time) string {
	d := ui.NewDoc(st, width)
	sender := r.Kind == remediations.KindSender
	if sender {
		d.Section(fmt.Sprintf("%s %s", recordLabel(r), orDash(r.TargetID)))
	} else {
		d.Section(fmt.Sprintf("%s of %s", recordLabel(r), orDash(firstNonEmpty(r.TargetName, r.TargetID))))
	}
	d.FieldTone("Status", recordStatus(r), remediationTone(r.Status))
	d.Field("Vendor status", r.VendorStatus)
	d.Field("Detail", r.Detail)
	if sender {
		d.Field("Sender", r.TargetID)
		d.Field("List", r.Type)
		d.Field("For", fmt.Sprint(r.Params["scope"]))
	} else {
		d.Field("Asset", r.TargetName)
		d.Field("Asset id", r.TargetID)
		d.Field("Type", r.Type)
	}
	if v, ok := r.Params["remove_inherited_sharing"]; ok {
		d.Field("Parent folders", fmt.Sprintf("remove inherited sharing: %v", v))
	}
	d.Field("Started from", r.Source)
	d.Field("Started by", r.StartedBy)
	d.Field("Started", r.StartedAt.Local().Format("2006-01-02 15:04:05 MST"))
	if !r.FinishedAt.IsZero() {
		d.Field("Finished", r.FinishedAt.Local().Format("2006-01-02 15:04:05 MST"))
	}
	d.Field("Elapsed", elapsed(r.Elapsed(now)))
	if !r.CheckedAt.IsZero() {
		d.Field("Last checked", r.CheckedAt.Local().Format("2006-01-02 15:04:05 MST"))
	}
	d.Field("Tenant", r.Vendor+"/"+r.Tenant)
	d.Field("Record", r.ID)
	d.Line("")
	if sender {
		d.Muted("r re-read the journal · esc back")
	} else {
		d.Muted("y copy the asset id · r check again · esc back")
	}
	return d.String()
}

// recordLabel names what a record did: a SaaS remediation type, or a
// sender-list change.
func recordLabel(r remediations.Record) string {
	if r.Kind == remediations.KindSender {
		if essentials.List(r.Type) == essentials.Allow {
			return "Allow sender"
		}
		return "Block sender"
	}
	return saas.Label(r.Type)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
