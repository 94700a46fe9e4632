package views

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/backend/settle"
	"triage/ui"
)

type remMode int

const (
	remList remMode = iota
	remDetail
	remLookupResult
)

// remediationsTab is tab 3: every remediation started from the console
// (SaaS remediations, Essentials sender-list changes), newest first,
// followed until it ends, and a look-up of any asset's.
type remediationsTab struct {
	listTab
	journal *remediations.Journal
	recs    []remediations.Record // newest first
	unsaved map[string]bool       // started, but the journal could not be written
	rows    *recordRows
	loading string
	polls   map[string]*poll
	ticking bool

	mode   remMode
	openID string

	// lookupKey is n here: a read, which a read-only analyst may do
	// although n ("new") is a write elsewhere and disabled for them.
	lookupKey key.Binding
	// the look-up being asked for, kept when it fails
	lookupAsset, lookupType string
	lookup                  saas.Remediation
	lookupTenant            string
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

// journalOf is the remediation journal every session shares, in the state
// store.
func journalOf(c *Common) *remediations.Journal { return remediations.New(c.state()) }

func newRemediationsTab(c *Common) *remediationsTab {
	var how []string
	if len(c.Backends.SaaS) > 0 {
		how = append(how, "x on a SaaS incident starts one, n looks one up")
	}
	if len(c.Backends.Essentials) > 0 {
		how = append(how, "b on a person (tab 5) or an ITM message blocks a sender")
	}
	t := &remediationsTab{listTab: newListTab(c, recordColumns, "No remediations started from the console yet: "+strings.Join(how, "; ")+"."),
		journal: journalOf(c), unsaved: map[string]bool{}, polls: map[string]*poll{}, rows: &recordRows{now: c.now},
		lookupKey: key.NewBinding(key.WithKeys(c.Keys.New.Keys()...), key.WithHelp(keyOf(c.Keys.New), "look up the status of an asset's remediation"))}
	t.table.SetSource(t.rows)
	t.loadingRows = func() string { return t.loading }
	return t
}

func (t *remediationsTab) Name() string { return spec(t.Number()).Name }

func (t *remediationsTab) Number() int { return 3 }

// Tenant implements Tab: the list spans every tenant.
func (t *remediationsTab) Tenant() string { return "" }

// Init implements Tab: the journal is read at start.
func (t *remediationsTab) Init() tea.Cmd { return t.load() }

func (t *remediationsTab) Busy() string { return t.loading }

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

func (t *remediationsTab) SetSize(w, h int) {
	t.setSize(w, h)
	t.render()
}

func (t *remediationsTab) Help() []ui.HelpGroup { return helpGroups(t.Name(), t.bindings()) }

// where implements bound: a record spans one tenant, the list every one.
func (t *remediationsTab) where() (string, string) {
	if r, ok := t.current(); ok {
		return r.Tenant, r.ID
	}
	return "", ""
}

// bindings implements bound: the keys of the Remediations tab. It starts
// nothing itself (x in tab 2 and b in tabs 1 and 5 do, and it follows
// them), so none of its keys writes.
func (t *remediationsTab) bindings() []binding {
	k := t.c.Keys
	inList := func() bool { return t.mode == remList }
	bs := []binding{
		{key: &t.lookupKey, shown: func() bool { return len(t.c.Backends.SaaS) > 0 }, run: t.openLookup},
		{key: &k.Copy, desc: "copy the asset id", row: true, run: t.copyTarget},
		{key: &k.Open, nav: true, when: inList, row: true, run: t.open},
		{key: &k.Back, nav: true, when: func() bool { return !inList() }, run: t.back},
	}
	list := t.listBindings("Remediations", inList, t.Refresh)
	for i := range list {
		if list[i].key == &k.Refresh {
			list[i].desc = "re-read the journal, check pending ones now"
		}
	}
	return append(bs, list...)
}

// Refresh implements Tab: re-read the journal (another session may have
// added to it) and check pending remediations now.
func (t *remediationsTab) Refresh() tea.Cmd { return t.load() }

func (t *remediationsTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case remediationStartedMsg:
		return t.onStarted(m.rec, m.journalErr)
	case senderListedMsg:
		return t.onStarted(m.rec, m.journalErr)
	case journalLoadedMsg:
		return t.onLoaded(m)
	case pollDueMsg:
		return t.onDue(m)
	case pollDoneMsg:
		return t.onPolled(m)
	case clockMsg:
		t.ticking = false
		t.render()
		return t.tick()
	case lookupDoneMsg:
		return t.onLookup(m)
	case tea.KeyMsg:
		cmd, _ := t.routeKey(t, m, t.mode == remList)
		return cmd
	}
	return t.forward(msg)
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

func (t *remediationsTab) open() tea.Cmd {
	if r, ok := t.current(); ok {
		t.mode, t.openID = remDetail, r.ID
		t.render()
		t.pane.vp.GotoTop()
	}
	return nil
}

func (t *remediationsTab) back() tea.Cmd {
	t.mode, t.openID = remList, ""
	return nil
}

// copyTarget copies the record's asset id (or sender), when it is a
// plain one.
func (t *remediationsTab) copyTarget() tea.Cmd {
	if r, ok := t.current(); ok && plainID(r.TargetID) {
		return ui.Copy(t.c.Styles.R, "asset id", r.TargetID)
	}
	return nil
}

func (t *remediationsTab) View() string {
	if v, ok := t.overlay(); ok {
		return v
	}
	if t.mode != remList {
		return t.pane.View()
	}
	bar := "started from the console, newest first · journal " + t.journal.Path()
	if len(t.c.Backends.SaaS) > 0 {
		bar += " · n look up any asset"
	}
	return t.listView(t.c.Styles.Muted.Render(bar))
}
