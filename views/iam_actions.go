package views

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/people"
	"triage/backend/settle"
	"triage/ui"
)

// The writes of the IAM tab. Each is asked for with a confirmation or a
// form that lists the providers it goes to (space picks them); each
// provider's request runs on its own and its result shows as it arrives; a
// provider that failed is the only one selected when the analyst tries
// again; and an answer that was lost is settled in the backend (the
// account read back) before anything is offered again.

type iamAction int

const (
	actDisable iamAction = iota
	actEnable
	actCreate
	actUpdate
	actSessions
	actReset
	actExpire
)

// actionWords name an action: in a confirmation's title ("Disable Li
// Chen?") and its y, as a noun ("Last action: disable"), done ("Disabled
// Li Chen"), under way (the busy line), the key that asks for it again,
// and what a provider did ("" is the account's status).
var actionWords = map[iamAction]struct{ title, yes, noun, past, doing, key, result string }{
	actDisable:  {"Disable", "disable in the selected providers", "disable", "Disabled", "Disabling", "d", ""},
	actEnable:   {"Enable", "enable in the selected providers", "enable", "Enabled", "Enabling", "E", ""},
	actCreate:   {"Create", "", "create", "Created", "Creating", "n", "created"},
	actUpdate:   {"Update", "", "update", "Updated", "Updating", "u", "updated"},
	actSessions: {"Sign out", "sign them out", "clear sessions", "Signed out", "Signing out", "L", "signed out"},
	actReset:    {"Reset the password of", "reset their password", "reset password", "Password reset for", "Resetting the password of", "R", "reset link emailed"},
	actExpire:   {"Expire the password of", "expire their password", "expire password", "Password expired for", "Expiring the password of", "X", "password expired"},
}

// iamIntent is a write being asked for: its person, the providers its
// confirmation or form offers (in the order of its checks) and what it
// changes.
type iamIntent struct {
	action    iamAction
	key       string
	providers []int
	profile   people.Profile         // create: the person; update: what the form started from
	changes   map[int]people.Changes // update: what each provider is sent
}

// outcome is one write to a person: each provider's result, kept as it
// arrives.
type outcome struct {
	action  iamAction
	mode    people.DisableMode
	results []result
}

type result struct {
	asked, done bool
	out         settle.Result
	note        string // why nothing was sent
}

// failed is a result to try again: refused, or lost and read back as not
// applied. A lost answer that could not be read back is not, until r shows
// what the vendor has.
func (r result) failed() bool {
	return r.done && r.out.Class == settle.NotApplied
}

func (o *outcome) finished() bool {
	for _, r := range o.results {
		if r.asked && !r.done {
			return false
		}
	}
	return true
}

// retrying is the providers to preselect for action: the ones that failed
// last time, when the last write was this action and some failed.
func (p *person) retrying(action iamAction) map[int]bool {
	if p.last == nil || p.last.action != action || !p.last.finished() {
		return nil
	}
	out := map[int]bool{}
	for i, r := range p.last.results {
		if r.failed() {
			out[i] = true
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

type iamWriteMsg struct {
	tab    *iamTab
	key    string
	p      int
	action iamAction
	acct   *people.Account // the account after the write, read back
	out    settle.Result
}

// want starts a write on the person in detail or under the cursor. Writes
// act on what every provider says now, so a person not looked up yet is
// looked up first and the confirmation opens when the answers are in.
func (t *iamTab) want(a iamAction) tea.Cmd {
	email := t.cursorEmail()
	if email == "" {
		return nil
	}
	intent := &iamIntent{action: a, key: people.Key(email)}
	if p := t.people[intent.key]; p != nil && p.gen > 0 && p.ready() {
		return t.begin(intent)
	}
	t.after = intent // begun when the answers are in; Busy says so meanwhile
	return t.lookup(email)
}

// begin opens the confirmation or form of a write.
func (t *iamTab) begin(in *iamIntent) tea.Cmd {
	p := t.people[in.key]
	switch {
	case p == nil:
		return nil
	case in.action == actUpdate:
		return t.openUpdate(p, in)
	}
	return t.confirmAction(p, in)
}

// whoLine names the person in a confirmation.
func whoLine(p *person) string {
	if n := p.name(); n != "" {
		return n + " <" + p.email + ">"
	}
	return p.email
}

// oktaActions are Okta's own actions: what the confirmation says and the
// option it offers with o.
var oktaActions = map[iamAction]struct{ line, option string }{
	actSessions: {"Signs them out of every Okta session.", "also revoke the OAuth tokens issued to them"},
	actReset:    {"Okta emails them a link to choose a new password; until then they cannot sign in.", "also end their sessions"},
	actExpire:   {"They must choose a new password at their next sign-in.", ""},
}

// confirmAction asks to disable or enable the person in every provider
// where that applies, or for one of Okta's own actions in the Okta orgs
// that have them: all selected, or, after a partial failure, those that
// failed.
func (t *iamTab) confirmAction(p *person, in *iamIntent) tea.Cmd {
	disable := in.action == actDisable
	okta, oktaOnly := oktaActions[in.action]
	lines := []string{whoLine(p)}
	var checks []ui.Check
	retry := p.retrying(in.action)
	oktaIn := false
	for i, prov := range t.providers {
		a, label := p.accounts[i], people.Label(prov)
		_, isOkta := prov.(*people.Okta)
		note := ""
		switch {
		case oktaOnly && (!isOkta || a == nil):
			continue
		case oktaOnly:
			note = a.Status
		case p.state[i] == lookFailed:
			lines = append(lines, fmt.Sprintf("%s: not checked, the look-up failed (%s)", label, errorWord(p.errs[i])))
			continue
		case a == nil:
			lines = append(lines, label+": absent")
			continue
		case disable && !a.CanDisable(), !disable && !a.CanEnable():
			lines = append(lines, fmt.Sprintf("%s: already %s", label, a.Status))
			continue
		default:
			note = lifecycleNote(prov, a, disable)
		}
		checks = append(checks, ui.Check{Label: label, Note: note, On: retry == nil || retry[i]})
		in.providers = append(in.providers, i)
		oktaIn = oktaIn || isOkta
	}
	w := actionWords[in.action]
	switch {
	case len(checks) == 0 && oktaOnly:
		return ui.Failf("%s is not in Okta", p.email)
	case len(checks) == 0:
		return ui.Failf("nothing to %s: %s", w.noun, strings.Join(lines[1:], "; "))
	}
	var opt *ui.Option
	switch {
	case okta.option != "":
		opt = &ui.Option{Key: "o", Label: okta.option}
	case disable && oktaIn:
		on := p.last != nil && p.last.action == actDisable && p.last.mode == people.Deactivate
		opt = &ui.Option{Key: "m", Label: "Okta: deactivate instead of suspend (removes their app assignments)", On: on}
	}
	if oktaOnly {
		lines = append(lines, okta.line)
	}
	c := ui.NewConfirm(t.c.Styles, w.title+" "+orDash(p.name())+"?", w.yes, lines...)
	c.Checks, c.Option = checks, opt
	return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd { return t.run(in, chosen(in, c.Checks), opt != nil && opt.On) },
		func() tea.Cmd { return ui.Toast("Nothing sent") }))
}

// lifecycleNote says what a provider will do.
func lifecycleNote(prov people.Provider, a *people.Account, disable bool) string {
	switch prov.(type) {
	case *people.Okta:
		switch {
		case disable && a.Status != "ACTIVE":
			return a.Status + " → Okta suspends only ACTIVE users: m deactivates"
		case disable:
			return a.Status + " → suspended"
		case a.Status == "SUSPENDED":
			return a.Status + " → unsuspend"
		case a.Status == "LOCKED_OUT":
			return a.Status + " → unlock"
		}
		return a.Status + " → activate (no email)"
	case *people.Atlassian:
		return fmt.Sprintf("%s → active=%t (PATCH)", a.Status, !disable)
	}
	return fmt.Sprintf("%s → is_active=%t", a.Status, !disable)
}

// --- forms -------------------------------------------------------------------

// providerChecks are a form's checks of the providers, each saying which
// fields it keeps when not all.
func (t *iamTab) providerChecks(provs []int) []ui.Check {
	checks := make([]ui.Check, len(provs))
	for j, i := range provs {
		checks[j] = ui.Check{Label: people.Label(t.providers[i]), On: true}
		if fs := t.providers[i].Fields(); len(fs) < len(people.EveryField) {
			names := make([]string, len(fs))
			for k, f := range fs {
				names[k] = string(f)
			}
			checks[j].Note = "keeps " + strings.Join(names, " and ") + " only"
		}
	}
	return checks
}

// personForm is the form of a person's fields; the email is fixed when
// updating.
func personForm(st *ui.Styles, title string, pr people.Profile, fixedEmail bool) *ui.Form {
	return ui.NewForm(st, title).
		Field("Email", pr.Email, "name@example.com (also the Okta login and SCIM userName)", fixedEmail).
		Field("First name", pr.First, "", false).
		Field("Last name", pr.Last, "", false).
		Field("Display name", pr.Display, "optional", false).
		Field("Title", pr.Title, "optional", false).
		Field("Department", pr.Department, "optional", false).
		Field("Organization", pr.Organization, "optional", false)
}

func formProfile(f *ui.Form) people.Profile {
	return people.Profile{Email: f.Value(0), First: f.Value(1), Last: f.Value(2), Display: f.Value(3), Title: f.Value(4), Department: f.Value(5),
		Organization: f.Value(6)}
}

// openCreate opens the new-person form, or the one kept from last time.
func (t *iamTab) openCreate() tea.Cmd {
	in := &iamIntent{action: actCreate}
	for i := range t.providers {
		in.providers = append(in.providers, i)
	}
	f := t.newDraft
	if f == nil {
		email := ""
		if q := strings.TrimSpace(t.table.Filter()); emailRE.MatchString(q) && t.table.Len() == 0 {
			email = q // the person just looked for, and found nowhere
		}
		f = personForm(t.c.Styles, "New person", people.Profile{Email: email}, false)
		f.Note = "created in each provider checked; space picks them"
		f.Checks = t.providerChecks(in.providers)
	}
	return t.openForm(f, in)
}

// openUpdate opens the update form of a person, prefilled from their
// accounts, or the form kept from a failed update.
func (t *iamTab) openUpdate(p *person, in *iamIntent) tea.Cmd {
	for i, a := range p.accounts {
		if a != nil {
			in.providers = append(in.providers, i)
		}
	}
	if len(in.providers) == 0 {
		return ui.Failf("%s is in no provider: n creates them", p.email)
	}
	f := p.form
	if f == nil || len(f.Checks) != len(in.providers) {
		p.prefill = p.profile()
		f = personForm(t.c.Styles, "Update "+orDash(p.name()), p.prefill, true)
		f.Note = "only the fields you change are sent, to each provider checked"
		f.Checks = t.providerChecks(in.providers)
	}
	in.profile = p.prefill
	return t.openForm(f, in)
}

// openForm opens the create or update form; esc keeps it, to reopen.
func (t *iamTab) openForm(f *ui.Form, in *iamIntent) tea.Cmd {
	return t.show(ui.KeptFormModal(t.c.Styles, f, 96, func(f *ui.Form) (tea.Cmd, error) { return t.submitForm(in, f) }, func() tea.Cmd {
		*t.kept(in.action, t.people[in.key]) = f
		return ui.Toast("Form kept: %s reopens it", actionWords[in.action].key)
	}))
}

// kept is where the form of a create or update is kept, to reopen: the
// one new person's, or the person's own.
func (t *iamTab) kept(action iamAction, p *person) **ui.Form {
	if action == actCreate {
		return &t.newDraft
	}
	return &p.form
}

// chosen is the providers of the intent whose checks are on.
func chosen(in *iamIntent, checks []ui.Check) []int {
	var out []int
	for j, c := range checks {
		if c.On && j < len(in.providers) {
			out = append(out, in.providers[j])
		}
	}
	return out
}

// submitForm checks the form and starts the writes; a form that is not
// right stays open with what was typed.
func (t *iamTab) submitForm(in *iamIntent, f *ui.Form) (tea.Cmd, error) {
	pr := formProfile(f)
	picked := chosen(in, f.Checks)
	switch {
	case len(picked) == 0:
		return nil, errors.New("no provider is checked: space checks one")
	case !emailRE.MatchString(pr.Email):
		f.Focus(0)
		return nil, fmt.Errorf("%q is not an email address", pr.Email)
	case pr.First == "" || pr.Last == "":
		f.Focus(1)
		return nil, errors.New("a first and a last name are needed")
	}
	if in.action == actCreate {
		in.profile, in.key = pr, people.Key(pr.Email)
		t.newDraft = f // kept until every provider has it
		return t.confirmForm(in, picked, createLines(t, pr, picked)), nil
	}
	p := t.people[in.key]
	changes := people.Diff(in.profile, pr)
	if len(changes) == 0 {
		return nil, errors.New("nothing changed: edit a field, or esc")
	}
	in.changes = map[int]people.Changes{}
	for _, i := range picked {
		in.changes[i] = people.Applicable(t.providers[i], p.accounts[i], changes)
	}
	p.form = f
	return t.confirmForm(in, picked, updateLines(t, p, in, picked)), nil
}

// confirmForm shows what a create or update will send where and asks y/N;
// no keeps the form, to reopen with its key.
func (t *iamTab) confirmForm(in *iamIntent, picked []int, lines []string) tea.Cmd {
	w := actionWords[in.action]
	who := in.profile.Email
	if n := in.profile.Name(); n != "" {
		who = n + " <" + who + ">"
	}
	c := ui.NewConfirm(t.c.Styles, w.title+" "+who+"?", fmt.Sprintf("%s in %d provider(s)", strings.ToLower(w.title), len(picked)), lines...)
	return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd {
		if in.action == actCreate {
			t.personOf(in.profile.Email)
		}
		return t.run(in, picked, false)
	}, func() tea.Cmd { return ui.Toast("Nothing sent: %s reopens the form", w.key) }))
}

// createLines say what is created where: the fields given, then each
// provider, with the fields it keeps when not all.
func createLines(t *iamTab, pr people.Profile, picked []int) []string {
	lines := []string{"Email: " + pr.Email}
	for _, f := range people.EveryField {
		if v := pr.Get(f); v != "" {
			lines = append(lines, fmt.Sprintf("%s: %s", capital(string(f)), v))
		}
	}
	lines = append(lines, "")
	for _, i := range picked {
		line := "Created in " + people.Label(t.providers[i])
		if fs := t.providers[i].Fields(); len(fs) < len(people.EveryField) {
			names := make([]string, len(fs))
			for k, f := range fs {
				names[k] = string(f)
			}
			line += " (keeps " + strings.Join(names, " and ") + " only)"
		}
		lines = append(lines, line)
	}
	return lines
}

// updateLines are the update's diff, provider by provider: each field's
// value there now → what is sent, "removed" for a field cleared.
func updateLines(t *iamTab, p *person, in *iamIntent, picked []int) []string {
	var lines []string
	for _, i := range picked {
		label, ch := people.Label(t.providers[i]), in.changes[i]
		if len(ch) == 0 {
			lines = append(lines, label+": nothing to change")
			continue
		}
		lines = append(lines, label+":")
		for _, f := range people.EveryField {
			v, ok := ch[f]
			if !ok {
				continue
			}
			old := p.accounts[i].Profile.Get(f)
			to := fmt.Sprintf("%q", v)
			if v == "" {
				to = "removed"
			}
			from := fmt.Sprintf("%q", old)
			if old == "" {
				from = "(empty)"
			}
			lines = append(lines, fmt.Sprintf("  %s: %s → %s", f, from, to))
		}
	}
	return lines
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// --- running a write -------------------------------------------------------

// run sends the write to each chosen provider at once and shows the person,
// where each provider's result appears as it arrives. opt is the
// confirmation's option (Okta's deactivate, or the action's extra).
func (t *iamTab) run(in *iamIntent, picked []int, opt bool) tea.Cmd {
	p := t.people[in.key]
	o := &outcome{action: in.action, results: make([]result, len(t.providers))}
	if in.action == actDisable && opt {
		o.mode = people.Deactivate
	}
	p.last = o
	var cmds []tea.Cmd
	for _, i := range picked {
		o.results[i].asked = true
		if in.action == actUpdate && len(in.changes[i]) == 0 {
			o.results[i].done, o.results[i].note = true, "nothing to change here"
			o.results[i].out.Class = settle.Applied
			continue
		}
		cmds = append(cmds, t.send(p, i, in, o.mode, opt))
		t.writes++
	}
	t.writing = fmt.Sprintf("%s %s in %d provider(s)…", actionWords[in.action].doing, whoLine(p), len(cmds))
	if len(cmds) == 0 {
		return tea.Batch(t.showPerson(p), t.summary(p, o))
	}
	return tea.Batch(append(cmds, t.showPerson(p))...)
}

// send runs the write at provider i; the backend settles a lost answer
// by reading the account back.
func (t *iamTab) send(p *person, i int, in *iamIntent, mode people.DisableMode, opt bool) tea.Cmd {
	prov, a, ctx, email := t.providers[i], p.accounts[i], t.c.Context(), p.email
	action, profile, changes := in.action, in.profile, in.changes[i]
	okta, _ := prov.(*people.Okta) // Okta's own actions are offered at Okta orgs only
	return func() tea.Msg {
		var out settle.Outcome[*people.Account]
		switch action {
		case actDisable:
			out = people.DisableOnce(ctx, prov, a, mode, email)
		case actEnable:
			out = people.EnableOnce(ctx, prov, a, email)
		case actCreate:
			out = people.CreateOnce(ctx, prov, profile)
		case actUpdate:
			out = people.UpdateOnce(ctx, prov, a, changes, email)
		case actSessions:
			out = people.ClearSessionsOnce(ctx, okta, a, opt)
		case actReset:
			out = people.ResetPasswordOnce(ctx, okta, a, opt, email)
		case actExpire:
			out = people.ExpirePasswordOnce(ctx, okta, a, email)
		}
		m := iamWriteMsg{tab: t, key: p.key, p: i, action: action, acct: out.Value, out: out.Result}
		if out.Applied() && out.Value == nil {
			m.acct, _ = prov.Find(ctx, email) // the account as it is now, for the row
		}
		return m
	}
}

func (t *iamTab) onWrite(m iamWriteMsg) tea.Cmd {
	t.writes--
	p := t.people[m.key]
	if p == nil || p.last == nil || p.last.action != m.action {
		return nil
	}
	r := &p.last.results[m.p]
	r.done, r.out = true, m.out
	if m.acct != nil {
		p.accounts[m.p], p.state[m.p], p.errs[m.p] = m.acct, lookFound, nil
		t.rows.put(p.email, m.acct.Profile.Name(), m.p, m.acct.Status) // for every session
		if t.detail == p {
			p.details[m.p] = nil
			t.render(true)
			return tea.Batch(t.reshow(), t.fetchDetails(p, m.p), t.summary(p, p.last))
		}
	}
	t.render(true)
	return tea.Batch(t.reshow(), t.summary(p, p.last))
}

// summary puts the whole write on the status line once every provider
// has answered: a note when all went through, else an error naming what
// failed where, and how to retry just that.
func (t *iamTab) summary(p *person, o *outcome) tea.Cmd {
	if !o.finished() {
		return nil
	}
	var done, doneLabels, failed, failedLabels, unknown, unknownLabels []string
	for i, r := range o.results {
		if !r.asked {
			continue
		}
		label := people.Label(t.providers[i])
		switch {
		case r.out.Applied():
			done = append(done, label+" "+resultWord(o, r, p.accounts[i]))
			doneLabels = append(doneLabels, label)
		case r.failed():
			failed = append(failed, r.out.Err.Error())
			failedLabels = append(failedLabels, label)
		default:
			unknown = append(unknown, r.out.Err.Error())
			unknownLabels = append(unknownLabels, label)
		}
	}
	w := actionWords[o.action]
	who := orDash(p.name())
	// A new person is looked up everywhere, the providers not asked included.
	var again tea.Cmd
	if o.action == actCreate {
		again = t.lookup(p.email)
	}
	form := o.action == actCreate || o.action == actUpdate // kept until every provider has it
	if len(failed) == 0 && len(unknown) == 0 {
		if form {
			*t.kept(o.action, p) = nil
		}
		return tea.Batch(again, ui.Toast("%s %s: %s", w.past, who, strings.Join(done, " · ")))
	}
	if f := *t.kept(o.action, p); form && f != nil {
		// Reopened, the form sends to the providers that failed only.
		for j := range f.Checks {
			f.Checks[j].On = slices.Contains(failedLabels, f.Checks[j].Label)
		}
	}
	// What failed where and how to retry it comes first: the line is narrow.
	var msg []string
	if len(failed) > 0 {
		msg = append(msg, fmt.Sprintf("%s %s failed at %s (%s retries it alone): %s", w.title, who,
			strings.Join(failedLabels, " and "), w.key, strings.Join(failed, "; ")))
	}
	if len(unknown) > 0 {
		why := "and reading back failed too (r shows what the vendor has before you try again)"
		if o.action == actSessions {
			why = "and Okta cannot show whether their sessions ended (" + w.key + " signs them out again, which is harmless)"
		}
		msg = append(msg, fmt.Sprintf("%s %s: outcome unknown at %s, %s: %s",
			w.title, who, strings.Join(unknownLabels, " and "), why, strings.Join(unknown, "; ")))
	}
	if len(doneLabels) > 0 {
		msg = append(msg, "done at "+strings.Join(doneLabels, ", "))
	}
	return tea.Batch(again, ui.Failf("%s", strings.Join(msg, " — ")))
}

// resultWord says what one provider did.
func resultWord(o *outcome, r result, a *people.Account) string {
	w := actionWords[o.action].result
	switch {
	case r.note != "":
		w = r.note
	case w == "" && a != nil:
		w = a.Status
	case w == "":
		w = "done"
	}
	if r.out.Applied() && r.out.Lost != "" {
		w += " (" + r.out.Lost + "; reading back shows it applied)"
	}
	return w
}
