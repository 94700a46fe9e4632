package views

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/dataset"
	"triage/backend/httpx"
	"triage/backend/okta"
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
	rows               *peopleView

	// the providers' people, shared with every session on the same
	// providers (backend/dataset)
	set     *dataset.Set[*personRows]
	loading bool    // the lists are being read, by this session or another
	told    []error // each list's failure this session has said
	started bool    // the lists were asked for (the tab was shown)

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

// listChunk is how many people of a page one snapshot merges.
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
	// iamSharedMsg is a state of the tab's dataset, for the tab to show.
	iamSharedMsg struct {
		tab   *iamTab
		gen   int
		set   *dataset.Set[*personRows]
		state dataset.State[*personRows]
		chain bool // from watch, which this message carries on
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
		providers: provs, people: map[string]*person{}, rows: newPeopleView(len(provs))}
	t.rows.me = t
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
	for i, l := range t.rows.lists {
		if t.loading && !l.done && l.err == nil {
			loading = append(loading, fmt.Sprintf("%s %s", people.Label(t.providers[i]), count(l.loaded)))
		}
	}
	if len(loading) > 0 {
		return "Loading people: " + strings.Join(loading, " · ") + "…" + t.held()
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
	for i, l := range t.rows.lists {
		if t.started && t.loading && !l.done && l.err == nil {
			loading = append(loading, people.Label(t.providers[i]))
		}
	}
	if len(loading) == 0 {
		return ""
	}
	return "Loading people from " + strings.Join(loading, ", ") + "…"
}

// held says how long the lists wait for a provider's share of its rate
// limit, which every session's requests share; "" when none waits. The
// longest wait is said: the lists are in when it is over.
func (t *iamTab) held() string {
	var vendor string
	var until time.Time
	for _, p := range t.providers {
		c := providerHTTP(p)
		if c == nil {
			continue
		}
		u, ok := c.Pacer().Held()
		if _, isOkta := p.(*people.Okta); isOkta {
			// The org's client also reads the System Log and apps, each its
			// own bucket: only the users' bucket holds the list.
			u, ok = c.Pacer().Waiting(okta.UsersPath)
		}
		if ok && u.After(until) {
			vendor, until = c.Vendor(), u
		}
	}
	if w := waitingFor(vendor, time.Until(until)); vendor != "" && w != "" {
		return " · " + w
	}
	return ""
}

// providerHTTP is a provider's client, whose pacer may hold its requests.
func providerHTTP(p people.Provider) *httpx.Client {
	switch p := p.(type) {
	case *people.Okta:
		return p.Client().HTTP()
	case *people.Atlassian:
		return p.Client().HTTP()
	case *people.Essentials:
		return p.Client().HTTP()
	}
	return nil
}

// Info implements Tab.
func (t *iamTab) Info() string {
	parts := []string{count(t.rows.Len()) + " people"}
	for i, l := range t.rows.lists {
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
// again, once for every session: a reload already running is the answer.
func (t *iamTab) reload() tea.Cmd {
	if t.detail != nil {
		return t.Refresh()
	}
	if t.set == nil {
		return t.loadAll()
	}
	if !t.set.Begin() {
		return ui.Toast("Everyone is being read from %d providers already", len(t.providers))
	}
	t.loading = true
	return tea.Batch(t.readLists(t.reqs.current(), t.set, true), ui.Toast("Reloading everyone from %d providers", len(t.providers)))
}

// --- loading the people ----------------------------------------------------

// The people are a dataset shared by every session of the server on the
// same providers (backend/dataset): the first session to show the tab reads
// every provider's list, page by page, under the dataset's own context, so
// it serves every session and outlives the one that started it; the others
// show each snapshot as it is published.

// iamPollEvery is how often an idle tab looks for what other sessions
// changed in its dataset (their writes, look-ups and reloads).
const iamPollEvery = 2 * time.Second

// datasetKey names the people of these providers: one dataset for every
// session configured with them.
func (t *iamTab) datasetKey() dataset.Key {
	labels := make([]string, len(t.providers))
	for i, p := range t.providers {
		labels[i] = p.Vendor() + "/" + p.Tenant()
	}
	return dataset.Key{Kind: "iam", Tenant: strings.Join(labels, ",")}
}

// loadAll opens the providers' dataset, reading the lists if no session
// has.
func (t *iamTab) loadAll() tea.Cmd {
	ctx, gen := t.reqs.next(t.c.Context())
	n := len(t.providers)
	set, _ := dataset.Open(t.c.datasets(), t.datasetKey(), func() *personRows { return newPersonRows(n) })
	t.set, t.told = set, make([]error, n)
	t.rows = t.newView()
	st := set.Read()
	t.rows.start(st.Snap)
	t.loading = st.Busy || !st.Done
	var read tea.Cmd
	switch {
	case st.Done && !st.Busy:
	case set.Begin():
		read = t.readLists(gen, set, false)
	default:
		read = t.await(gen, set) // another session is reading them
	}
	return tea.Batch(read, t.watch(ctx, gen, set.Read().Version), t.reshow(), t.sayFailures())
}

// newView is an empty view of the tab's dataset.
func (t *iamTab) newView() *peopleView {
	v := newPeopleView(len(t.providers))
	v.me = t
	if set := t.set; set != nil {
		v.publish = func(change func(*personRows)) *personRows {
			return set.Publish(func(s *personRows) *personRows { n := s.next(); change(n); return n }).Snap
		}
	}
	return v
}

// readLists reads every provider's list into set at once, page by page,
// publishing each page. It runs under the dataset's context, whether or
// not this session is still there to see it; the session waits for it
// with await. A reload merges into the rows there: cells that changed are
// marked in every session, and people a list no longer names leave its
// column.
func (t *iamTab) readLists(gen int, set *dataset.Set[*personRows], reload bool) tea.Cmd {
	ctx, provs := set.Context(), t.providers
	go func() {
		set.Publish(func(s *personRows) *personRows {
			n := s.next()
			for p := range n.lists {
				n.lists[p] = listLoad{}
			}
			return n
		})
		var wg sync.WaitGroup
		for p, prov := range provs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				readList(ctx, set, p, prov, reload)
			}()
		}
		wg.Wait()
		set.End(true, nil)
	}()
	return t.await(gen, set)
}

// readList reads provider p's list to its end, or its first failure.
func readList(ctx context.Context, set *dataset.Set[*personRows], p int, prov people.Provider, reload bool) {
	var seen map[int32]bool
	if reload {
		seen = map[int32]bool{}
	}
	cursor := ""
	for {
		asOf := set.Read().Snap.puts
		l, err := prov.List(ctx, cursor)
		if err != nil {
			set.Publish(func(s *personRows) *personRows {
				n := s.next()
				n.lists[p].err, n.listed[p] = err, listFailed
				return n
			})
			return
		}
		sortEntries(l.Entries)
		// A list that comes whole (Essentials: 100,000 users in one answer)
		// is merged a chunk per snapshot, so no one merge holds the dataset
		// (and the sessions' writes to it) for long.
		for len(l.Entries) > 0 || l.Next == "" {
			page := l.Entries[:min(len(l.Entries), listChunk)]
			l.Entries = l.Entries[len(page):]
			last := len(l.Entries) == 0 && l.Next == ""
			unreadable := l.Unreadable
			l.Unreadable = 0 // counted once
			set.Publish(func(s *personRows) *personRows {
				n := s.next()
				n.addPage(p, page, reload, seen, asOf)
				ld := &n.lists[p]
				ld.loaded += len(page)
				if unreadable > 0 {
					if ld.unreadable += unreadable; ld.problem == "" {
						ld.problem = l.Problem
					}
				}
				if last {
					ld.done, n.listed[p] = true, listDone
					if ld.unreadable > 0 {
						// Someone it did not list may be one it could
						// not read: "?", not "absent".
						n.listed[p] = listFailed
					}
					if reload {
						n.forget(p, seen)
					}
				}
				return n
			})
			if last {
				break
			}
		}
		if l.Next == "" {
			return
		}
		cursor = l.Next
	}
}

// await is the dataset's state once the load this session asked for, or
// the one another session was running, has ended.
func (t *iamTab) await(gen int, set *dataset.Set[*personRows]) tea.Cmd {
	ctx, _ := t.reqs.paging(t.c.Context())
	return func() tea.Msg {
		st, err := set.Idle(ctx)
		if err != nil {
			return nil // the session ended, or the tab reloaded
		}
		return iamSharedMsg{tab: t, gen: gen, set: set, state: st}
	}
}

// watch waits for the dataset's next state while it is loading, and looks
// again from time to time while it is not.
func (t *iamTab) watch(ctx context.Context, gen int, version uint64) tea.Cmd {
	set := t.set
	return watchSet(ctx, set, version, iamPollEvery, func(st dataset.State[*personRows]) tea.Msg {
		return iamSharedMsg{tab: t, gen: gen, set: set, state: st, chain: true}
	})
}

func (t *iamTab) onShared(m iamSharedMsg) tea.Cmd {
	if m.gen != t.reqs.current() || m.set != t.set {
		return nil
	}
	shown := t.rows.personRows
	t.rows.show(m.state.Snap)
	t.loading = m.state.Busy
	var cmds []tea.Cmd
	if t.rows.personRows != shown {
		cmds = append(cmds, t.reshow())
	}
	cmds = append(cmds, t.sayFailures())
	if m.chain {
		ctx, _ := t.reqs.paging(t.c.Context())
		cmds = append(cmds, t.watch(ctx, m.gen, m.state.Version))
	}
	return tea.Batch(cmds...)
}

// sayFailures says each list that failed once, on the status line, naming
// the provider: its column's "?" cells are not left to explain themselves.
func (t *iamTab) sayFailures() tea.Cmd {
	var cmds []tea.Cmd
	for p, l := range t.rows.lists {
		if l.err != nil && l.err != t.told[p] {
			t.told[p] = l.err
			cmds = append(cmds, ui.Fail(fmt.Errorf("listing %s failed (its column shows ?; r reloads): %w", people.Label(t.providers[p]), l.err)))
		}
	}
	return tea.Sequence(cmds...)
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
	for i := 0; i < t.rows.n; i++ {
		email := t.rows.at(i).email
		local, _, _ := strings.Cut(email, "@")
		if strings.EqualFold(local, q) {
			if match != "" {
				return ui.Failf("more than one person has the login %s: type the whole email to look one up", q)
			}
			match = email
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
			p.email = t.rows.at(i).email
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
	t.rows.ensure(p.email, p.name())
	cmds := make([]tea.Cmd, len(t.providers))
	for i, prov := range t.providers {
		p.state[i] = lookPending
		t.rows.say(p.email, i, wordLooking)
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
		t.rows.say(p.email, m.p, errorWord(m.err)) // this session's failure, not the person's state
		cmds = append(cmds, ui.Fail(fmt.Errorf("looking up %s: %w", p.email, m.err)))
	case m.acct == nil:
		p.state[m.p], p.accounts[m.p] = lookAbsent, nil
		t.rows.put(p.email, p.name(), m.p, wordAbsent)
	default:
		p.state[m.p], p.accounts[m.p] = lookFound, m.acct
		t.rows.put(p.email, m.acct.Profile.Name(), m.p, m.acct.Status)
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
	case iamSharedMsg:
		return t.onShared(m)
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
	t.rows.seen(email)
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
	for i, l := range t.rows.lists {
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
