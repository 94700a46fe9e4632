package views

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/httpx"
	"triage/backend/people"
	"triage/ui"
)

// iamTab is tab 5: one row per person across the identity providers
// (Okta, Atlassian SCIM, Proofpoint Essentials), merged by email, with a
// look-up in every provider at once, the person's detail, and the writes:
// create, update, disable, enable, Okta's session and password actions, and
// Essentials sender lists.
type iamTab struct {
	listTab
	itemDetail[person] // the person in detail
	providers          []people.Provider
	rows               *personRows

	lists   []listLoad // each provider's list, loading page by page
	started bool       // the lists were asked for (the tab was shown)

	people map[string]*person // the people looked up, by people.Key(email)

	after    *iamIntent    // a write waiting for its person's look-up to finish
	newDraft *ui.Form      // the create form, kept when it failed or was closed
	sender   *senderChoice // a sender-list change that failed, to start from
	writes   int           // writes in flight
}

// listLoad is one provider's list as it pages in.
type listLoad struct {
	loaded int
	err    error
	done   bool
	// unreadable counts the accounts the provider listed that could not be
	// read; problem is what was wrong with the first.
	unreadable int
	problem    string
}

// listChunk is how many people of a page one Update merges.
const listChunk = 5_000

// person is what the tab learnt of one person by looking them up in every
// provider, and the last write to them.
type person struct {
	key, email string
	gen        int               // look-up generation: older answers are dropped
	accounts   []*people.Account // per provider; nil where absent or not answered
	state      []lookState       // per provider
	errs       []error           // per provider, when the look-up failed
	details    []*people.Details // per provider, read when the detail is open
	detailErrs []error           // per provider
	last       *outcome          // the last write, each provider's result as it came
	form       *ui.Form          // an update form kept after it failed
	prefill    people.Profile    // what that form started from
}

type lookState uint8

const (
	lookNone lookState = iota
	lookPending
	lookFound
	lookAbsent
	lookFailed
)

// ready reports whether every provider has answered the last look-up.
func (p *person) ready() bool {
	for _, s := range p.state {
		if s == lookNone || s == lookPending {
			return false
		}
	}
	return true
}

// name is the person's name as the first provider that has one says it.
func (p *person) name() string {
	for _, a := range p.accounts {
		if a != nil && a.Profile.Name() != "" {
			return a.Profile.Name()
		}
	}
	return ""
}

// profile merges the accounts' profiles, field by field, in provider
// order: what the update form starts from.
func (p *person) profile() people.Profile {
	pr := people.Profile{Email: p.email}
	for _, a := range p.accounts {
		if a == nil {
			continue
		}
		for _, f := range []struct {
			dst *string
			v   string
		}{{&pr.First, a.Profile.First}, {&pr.Last, a.Profile.Last}, {&pr.Display, a.Profile.Display},
			{&pr.Title, a.Profile.Title}, {&pr.Department, a.Profile.Department}, {&pr.Organization, a.Profile.Organization}} {
			if *f.dst == "" {
				*f.dst = f.v
			}
		}
	}
	return pr
}

// messages of the IAM tab; each names its tab, which alone gets it.
type (
	iamListMsg struct {
		tab     *iamTab
		gen     int
		p       int
		listing people.Listing
		err     error
	}
	iamFoundMsg struct {
		tab  *iamTab
		key  string
		gen  int
		p    int
		acct *people.Account
		err  error
	}
	iamDetailsMsg struct {
		tab     *iamTab
		key     string
		p       int
		details people.Details
		err     error
	}
	// iamResolvedMsg is Okta's answer for a login without a domain, which
	// gives the email to look up everywhere.
	iamResolvedMsg struct {
		tab   *iamTab
		login string
		acct  *people.Account
		err   error
	}
)

func newIAMTab(c *Common) *iamTab {
	provs := people.Providers(c.Backends)
	t := &iamTab{listTab: newListTab(c, personColumns(provs), "No one matches. / filters the people loaded; enter on an email looks the person up in every provider."),
		providers: provs, people: map[string]*person{}, rows: newPersonRows(len(provs)), lists: make([]listLoad, len(provs))}
	t.table.SetSource(t.rows)
	t.loadingRows = t.listing
	return t
}

// Name implements Tab.
func (t *iamTab) Name() string { return spec(t.Number()).Name }

// Number implements Tab.
func (t *iamTab) Number() int { return 5 }

// Tenant implements Tab: the tab spans every provider.
func (t *iamTab) Tenant() string { return "" }

// Init implements Tab: nothing loads until the tab is first shown.
func (t *iamTab) Init() tea.Cmd { return nil }

// Shown is the tab's first showing: every provider's list starts loading
// at once, page by page, while the analyst can already look people up.
func (t *iamTab) Shown() tea.Cmd {
	if t.started {
		return nil
	}
	t.started = true
	return t.loadAll()
}

// Busy implements Tab.
func (t *iamTab) Busy() string {
	if !t.started {
		return ""
	}
	if t.writes > 0 {
		return t.writing
	}
	var loading []string
	for i, l := range t.lists {
		if !l.done && l.err == nil {
			loading = append(loading, fmt.Sprintf("%s %s", people.Label(t.providers[i]), count(l.loaded)))
		}
	}
	if len(loading) > 0 {
		return "Loading people: " + strings.Join(loading, " · ") + "…"
	}
	if a := t.after; a != nil {
		return "Looking " + t.people[a.key].email + " up in every provider before you " + actionWords[a.action].noun + "…"
	}
	if p := t.detail; p != nil && !p.ready() {
		return "Looking " + p.email + " up in every provider…"
	}
	return ""
}

// listing says which providers' lists are still loading, for the table
// while it has no rows.
func (t *iamTab) listing() string {
	var loading []string
	for i, l := range t.lists {
		if t.started && !l.done && l.err == nil {
			loading = append(loading, people.Label(t.providers[i]))
		}
	}
	if len(loading) == 0 {
		return ""
	}
	return "Loading people from " + strings.Join(loading, ", ") + "…"
}

// Info implements Tab.
func (t *iamTab) Info() string {
	parts := []string{count(t.rows.Len()) + " people"}
	for i, l := range t.lists {
		if l.err != nil {
			parts = append(parts, people.Label(t.providers[i])+": listing failed")
		}
	}
	return infoLine(t.table, parts...)
}

// SetSize implements Tab.
func (t *iamTab) SetSize(w, h int) {
	t.setSize(w, h)
	t.render(true)
}

// Help implements Tab.
func (t *iamTab) Help() []ui.HelpGroup { return helpGroups(t.Name(), t.bindings()) }

// where implements bound: the tab spans every provider.
func (t *iamTab) where() (string, string) { return "", t.cursorEmail() }

// Keys of the confirmations, for help.
var (
	iamPickKey  = key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pick providers"))
	iamDeactKey = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "Okta: deactivate"))
	iamYesKey   = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm"))
)

// iamOktaGroup is the help group of the actions only some providers have.
const iamOktaGroup = "Okta and Essentials"

// bindings implements bound: the keys of the IAM tab.
func (t *iamTab) bindings() []binding {
	k := t.c.Keys
	inList := func() bool { return t.detail == nil }
	inDetail := func() bool { return t.detail != nil }
	want := func(a iamAction) func() tea.Cmd { return func() tea.Cmd { return t.want(a) } }
	okta := func() bool { return t.okta() != nil }
	return []binding{
		{key: &k.Filter, desc: "filter; enter looks up", when: inList, run: func() tea.Cmd { t.filter.Open(); return nil }},
		{key: &k.Open, desc: "the person everywhere", when: inList, row: true, run: t.openCursor},
		{key: &k.New, desc: "new person", write: "iam.create_user", run: t.openCreate},
		{key: &k.Update, desc: "update changed fields", write: "iam.update_user", row: true, run: want(actUpdate)},
		{key: &k.Disable, desc: "disable (y/N)", write: "iam.disable_user", row: true, run: want(actDisable)},
		{key: &k.Enable, desc: "enable (y/N)", write: "iam.enable_user", row: true, run: want(actEnable)},
		{key: &k.Raw, desc: "raw JSON", when: inDetail, run: func() tea.Cmd { t.raw = !t.raw; t.render(false); return nil }},
		{key: &k.Refresh, desc: "reload / look up again", run: t.reload},
		{key: &k.Sessions, group: iamOktaGroup, write: "okta.clear_sessions", row: true, shown: okta, run: want(actSessions)},
		{key: &k.ResetPassword, group: iamOktaGroup, write: "okta.reset_password", row: true, shown: okta, run: want(actReset)},
		{key: &k.ExpirePassword, group: iamOktaGroup, write: "okta.expire_password", row: true, shown: okta, run: want(actExpire)},
		{key: &k.Block, desc: "Essentials: senders", group: iamOktaGroup, write: "essentials.sender_list",
			shown: func() bool { return len(t.c.Backends.Essentials) > 0 }, run: t.openSenders},
		{key: &iamPickKey, group: "In a confirmation"},
		{key: &iamDeactKey, group: "In a confirmation"},
		{key: &iamYesKey, group: "In a confirmation"},
		{key: &k.Mark, list: true, when: inList, run: func() tea.Cmd { t.table.ToggleMark(); t.table.Move(1); return nil }},
		{key: &k.Back, nav: true, when: func() bool { return inList() && t.table.Filter() != "" }, run: func() tea.Cmd { return t.table.SetFilter("") }},
		{key: &k.Back, nav: true, when: inDetail, run: func() tea.Cmd { t.detail = nil; return nil }},
	}
}

// Refresh implements Tab: the person in detail is looked up again; the
// whole list is reloaded only on r (a directory of 100,000 is not re-read
// every minute).
func (t *iamTab) Refresh() tea.Cmd {
	if t.detail != nil {
		return t.lookup(t.detail.email)
	}
	return nil
}

// reload is r: the person in detail looked up again, else everyone listed
// again.
func (t *iamTab) reload() tea.Cmd {
	if t.detail != nil {
		return t.Refresh()
	}
	return tea.Batch(t.loadAll(), ui.Toast("Reloading everyone from %d providers", len(t.providers)))
}

// --- loading the people ----------------------------------------------------

func (t *iamTab) loadAll() tea.Cmd {
	ctx, gen := t.reqs.next(t.c.Context())
	t.rows = newPersonRows(len(t.providers))
	t.lists = make([]listLoad, len(t.providers))
	t.table.SetSource(t.rows)
	cmds := make([]tea.Cmd, len(t.providers))
	for i := range t.providers {
		cmds[i] = t.listPage(ctx, gen, i, "")
	}
	return tea.Batch(cmds...)
}

func (t *iamTab) listPage(ctx context.Context, gen, i int, cursor string) tea.Cmd {
	prov := t.providers[i]
	return func() tea.Msg {
		l, err := prov.List(ctx, cursor)
		sortEntries(l.Entries)
		return iamListMsg{tab: t, gen: gen, p: i, listing: l, err: err}
	}
}

func (t *iamTab) onList(m iamListMsg) tea.Cmd {
	if m.gen != t.reqs.current() {
		return nil
	}
	l := &t.lists[m.p]
	if m.err != nil {
		// Said in the tab's bar and on the status line, naming the
		// provider: its column's "?" cells are not left to explain
		// themselves.
		l.err = m.err
		t.rows.listed[m.p] = listFailed
		return ui.Fail(fmt.Errorf("listing %s failed (its column shows ?; r reloads): %w", people.Label(t.providers[m.p]), m.err))
	}
	if n := m.listing.Unreadable; n > 0 {
		if l.unreadable += n; l.problem == "" {
			l.problem = m.listing.Problem
		}
	}
	// A list that comes whole (Essentials: 100,000 users in one answer) is
	// merged a chunk per message, so no one Update holds the keys for long.
	if len(m.listing.Entries) > listChunk {
		rest := m
		rest.listing.Unreadable = 0 // counted once, above
		rest.listing.Entries = m.listing.Entries[listChunk:]
		m.listing.Entries, m.listing.Next = m.listing.Entries[:listChunk], ""
		t.rows.add(m.p, m.listing.Entries)
		l.loaded += listChunk
		return tea.Batch(t.reshow(), func() tea.Msg { return rest })
	}
	t.rows.add(m.p, m.listing.Entries)
	// What a look-up found is fresher than a list page.
	for _, p := range t.people {
		if a := p.accounts[m.p]; a != nil {
			t.rows.set(p.email, a.Profile.Name(), m.p, a.Status)
		}
	}
	l.loaded += len(m.listing.Entries)
	if m.listing.Next != "" {
		ctx, gen := t.reqs.paging(t.c.Context()) // the load's: r cancels its pages too
		return tea.Batch(t.reshow(), t.listPage(ctx, gen, m.p, m.listing.Next))
	}
	l.done = true
	t.rows.listed[m.p] = listDone
	if l.unreadable > 0 {
		// Someone it did not list may be one it could not read: "?", not
		// "absent".
		t.rows.listed[m.p] = listFailed
	}
	return t.reshow()
}

// --- looking a person up ---------------------------------------------------

// emailRE and loginRE say whether a filter names one person.
var (
	emailRE = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	loginRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_+-]*[._][A-Za-z0-9._+-]+$`)
)

// lookupQuery starts a look-up for a filter that names a person: an email
// everywhere at once; a login (li.chen) through the row of that name, else
// through Okta, which knows logins. Anything else is only a filter.
func (t *iamTab) lookupQuery(q string) tea.Cmd {
	q = strings.TrimSpace(q)
	switch {
	case emailRE.MatchString(q):
		return t.lookup(q)
	case !loginRE.MatchString(q):
		return nil
	}
	var match string
	for i := range t.rows.rows {
		local, _, _ := strings.Cut(t.rows.rows[i].email, "@")
		if strings.EqualFold(local, q) {
			if match != "" {
				return ui.Failf("more than one person has the login %s: type the whole email to look one up", q)
			}
			match = t.rows.rows[i].email
		}
	}
	if match != "" {
		return t.lookup(match)
	}
	if o := t.okta(); o != nil {
		ctx := t.c.Context()
		return func() tea.Msg {
			a, err := o.Find(ctx, q)
			return iamResolvedMsg{tab: t, login: q, acct: a, err: err}
		}
	}
	return ui.Failf("%s is not an email address: type the whole address to look the person up", q)
}

// okta is the first Okta org, which knows logins; nil when there is none.
func (t *iamTab) okta() *people.Okta {
	for _, p := range t.providers {
		if o, ok := p.(*people.Okta); ok {
			return o
		}
	}
	return nil
}

func (t *iamTab) onResolved(m iamResolvedMsg) tea.Cmd {
	switch {
	case m.err != nil:
		return ui.Fail(fmt.Errorf("looking up the login %s: %w", m.login, m.err))
	case m.acct == nil || m.acct.Profile.Email == "":
		return ui.Failf("no Okta user has the login %s: type the whole email to look it up in every provider", m.login)
	}
	return tea.Batch(t.table.SetFilter(m.acct.Profile.Email), t.lookup(m.acct.Profile.Email))
}

// personOf is the person with email, created when first looked up.
func (t *iamTab) personOf(email string) *person {
	k := people.Key(email)
	p := t.people[k]
	if p == nil {
		n := len(t.providers)
		p = &person{key: k, email: email, accounts: make([]*people.Account, n), state: make([]lookState, n), errs: make([]error, n),
			details: make([]*people.Details, n), detailErrs: make([]error, n)}
		if i, ok := t.rows.find(email); ok {
			p.email = t.rows.rows[i].email
		}
		t.people[k] = p
	}
	return p
}

// lookup asks every provider about one person at once; each answer shows
// as it arrives.
func (t *iamTab) lookup(email string) tea.Cmd {
	p := t.personOf(email)
	p.gen++
	cmds := make([]tea.Cmd, len(t.providers))
	for i, prov := range t.providers {
		p.state[i] = lookPending
		t.rows.set(p.email, p.name(), i, wordLooking)
		prov, ctx, gen, key, email := prov, t.c.Context(), p.gen, p.key, p.email
		cmds[i] = func() tea.Msg {
			a, err := prov.Find(ctx, email)
			return iamFoundMsg{tab: t, key: key, gen: gen, p: i, acct: a, err: err}
		}
	}
	return tea.Batch(append(cmds, t.reshow())...)
}

func (t *iamTab) onFound(m iamFoundMsg) tea.Cmd {
	p := t.people[m.key]
	if p == nil || m.gen != p.gen {
		return nil
	}
	p.errs[m.p] = m.err
	var cmds []tea.Cmd
	switch {
	case m.err != nil:
		p.state[m.p], p.accounts[m.p] = lookFailed, nil
		t.rows.set(p.email, p.name(), m.p, errorWord(m.err))
		cmds = append(cmds, ui.Fail(fmt.Errorf("looking up %s: %w", p.email, m.err)))
	case m.acct == nil:
		p.state[m.p], p.accounts[m.p] = lookAbsent, nil
		t.rows.set(p.email, p.name(), m.p, wordAbsent)
	default:
		p.state[m.p], p.accounts[m.p] = lookFound, m.acct
		t.rows.set(p.email, m.acct.Profile.Name(), m.p, m.acct.Status)
		if t.detail == p {
			cmds = append(cmds, t.fetchDetails(p, m.p))
		}
	}
	cmds = append(cmds, t.reshow())
	if p.ready() && t.after != nil && t.after.key == p.key {
		intent := t.after
		t.after = nil
		cmds = append(cmds, t.begin(intent))
	}
	t.render(true)
	return tea.Batch(cmds...)
}

// reshow shows the rows again after they changed: new ones in their
// place, the filter run again over them.
func (t *iamTab) reshow() tea.Cmd {
	t.rows.place()
	t.table.SetSource(t.rows)
	return t.table.Refilter()
}

// errorWord is a failed look-up's cell: "error" and the HTTP status.
func errorWord(err error) string {
	if st := httpx.StatusOf(err); st > 0 {
		return fmt.Sprintf("error %d", st)
	}
	return "error"
}

func (t *iamTab) fetchDetails(p *person, i int) tea.Cmd {
	a := p.accounts[i]
	if a == nil {
		return nil
	}
	prov, ctx, key := t.providers[i], t.c.Context(), p.key
	return func() tea.Msg {
		d, err := prov.Details(ctx, a)
		return iamDetailsMsg{tab: t, key: key, p: i, details: d, err: err}
	}
}

func (t *iamTab) onDetails(m iamDetailsMsg) tea.Cmd {
	p := t.people[m.key]
	if p == nil {
		return nil
	}
	d := m.details
	p.details[m.p], p.detailErrs[m.p] = &d, m.err
	t.render(true)
	return nil
}

// --- keys ------------------------------------------------------------------

// Update implements Tab.
func (t *iamTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case tea.KeyMsg:
		return t.key(m)
	case iamListMsg:
		return t.onList(m)
	case iamFoundMsg:
		return t.onFound(m)
	case iamDetailsMsg:
		return t.onDetails(m)
	case iamResolvedMsg:
		return t.onResolved(m)
	case iamWriteMsg:
		return t.onWrite(m)
	case senderListedMsg:
		if m.origin == t {
			return senderOutcome(m, &t.sender, t.c)
		}
		return nil
	}
	return t.forward(msg)
}

func (t *iamTab) key(m tea.KeyMsg) tea.Cmd {
	if t.modal == nil && t.filter.Typing() && key.Matches(m, t.c.Keys.Open) {
		// enter on what names a person looks them up everywhere.
		typed := t.filter.Typed()
		return tea.Batch(t.filter.Key(m), t.lookupQuery(typed))
	}
	if !t.Capturing() && key.Matches(m, t.c.Keys.Back) {
		t.after = nil // a write waiting for its look-up is called off
	}
	cmd, _ := t.routeKey(t, m, t.detail == nil)
	return cmd
}

// openCursor opens the person under the cursor, looking them up
// everywhere.
func (t *iamTab) openCursor() tea.Cmd {
	email := t.cursorEmail()
	t.openPerson(t.personOf(email))
	cmd := t.lookup(email)
	t.render(false)
	return cmd
}

// openPerson shows p in detail.
func (t *iamTab) openPerson(p *person) {
	t.openItem(p.key)
	t.detail = p
}

// cursorEmail is the person in detail, else the one under the cursor.
func (t *iamTab) cursorEmail() string {
	if t.detail != nil {
		return t.detail.email
	}
	if i, ok := t.table.Cursor(); ok {
		return t.rows.email(i)
	}
	return ""
}

// --- view --------------------------------------------------------------------

// showPerson opens the person's detail, where a write's results appear,
// and reads the groups, apps and sender lists of the accounts known.
func (t *iamTab) showPerson(p *person) tea.Cmd {
	t.openPerson(p)
	var cmds []tea.Cmd
	for i, a := range p.accounts {
		if a != nil && p.details[i] == nil && p.detailErrs[i] == nil {
			cmds = append(cmds, t.fetchDetails(p, i))
		}
	}
	t.render(false)
	return tea.Batch(cmds...)
}

// render rebuilds the detail pane; keep holds the scroll position.
func (t *iamTab) render(keep bool) {
	if t.detail == nil {
		return
	}
	t.pane.Show(personDoc(t.c.Styles, t.providers, t.detail, t.width, t.raw, t.c.now()), keep)
}

// View implements Tab.
func (t *iamTab) View() string {
	if v, ok := t.overlay(); ok {
		return v
	}
	if t.detail != nil {
		return t.pane.View()
	}
	st := t.c.Styles
	labels := make([]string, len(t.providers))
	for i, p := range t.providers {
		labels[i] = people.Label(p)
	}
	// One failed list at a time: its column shows "?" meanwhile.
	for i, l := range t.lists {
		switch {
		case l.err != nil:
			return t.listView(st.Error.Render(fmt.Sprintf("✗ listing %s failed: %s — its column shows ?; r reloads, enter on an email still looks people up",
				labels[i], l.err)))
		case l.unreadable > 0:
			return t.listView(st.Error.Render(fmt.Sprintf("✗ %s listed %d account(s) that could not be read (%s) — people it did not list show ?; enter on an email looks them up",
				labels[i], l.unreadable, l.problem)))
		}
	}
	return t.listView(st.Muted.Render(strings.Join(labels, " · ") + " · / filter, enter on an email looks it up everywhere · n new"))
}

// openSenders changes an Essentials sender list: the organisation's, or
// the person's own when they are in Essentials.
func (t *iamTab) openSenders() tea.Cmd {
	var users []string
	source := "IAM users"
	if email := t.cursorEmail(); email != "" && t.inEssentials(email) {
		users, source = []string{email}, "IAM users: "+email
	}
	return askSender(&t.listTab, t, source, nil, users, t.sender)
}

// inEssentials reports whether the person may have an Essentials account:
// looked up and found there, or not looked up yet.
func (t *iamTab) inEssentials(email string) bool {
	p := t.people[people.Key(email)]
	if p == nil || p.gen == 0 {
		return true
	}
	for i, prov := range t.providers {
		if _, ok := prov.(*people.Essentials); ok && p.state[i] != lookAbsent {
			return true
		}
	}
	return false
}
