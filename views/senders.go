package views

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/essentials"
	"triage/backend/remediations"
	"triage/backend/settle"
	"triage/ui"
)

// The Essentials sender lists, from the IAM tab (a person) and from an ITM
// message (its sender): which sender, which list and whose (the whole
// organisation's or one user's), then y/N. Each change is recorded in the
// remediation journal, so tab 3 shows it; a block is done when the vendor
// confirms it, and one whose answer was lost is read back (and, if that
// fails too, checked by tab 3 until the list says).

// senderChoice is a change to a sender list.
type senderChoice struct {
	tenant int    // of Backends.Essentials
	sender string // an address or a domain
	user   string // "" for the organisation's lists
	list   essentials.List
}

// value and parseChoice carry a choice through a picker.
func (c senderChoice) value() string {
	return fmt.Sprintf("%d|%s|%s", c.tenant, c.list, c.user)
}

func parseChoice(v, sender string) senderChoice {
	parts := strings.SplitN(v, "|", 3)
	c := senderChoice{sender: sender}
	if len(parts) == 3 {
		fmt.Sscanf(parts[0], "%d", &c.tenant)
		c.list, c.user = essentials.List(parts[1]), parts[2]
	}
	return c
}

// scope says whose list it is.
func (c senderChoice) scope(domain string) string {
	if c.user == "" {
		return "everyone at " + domain
	}
	return c.user + " only"
}

// listName is the list, said in full: "the organisation's block list".
func (c senderChoice) listName(domain string) string {
	list := strings.ReplaceAll(string(c.list), "_", " ")
	if c.user == "" {
		return fmt.Sprintf("the organisation's %s (everyone at %s)", list, domain)
	}
	return fmt.Sprintf("the %s of %s", list, c.user)
}

type senderStep int

const (
	stepSender senderStep = iota // pick or type the sender
	stepWhat                     // block or allow, for whom
	stepConfirm
)

// senderFlow is the form; the tab that opened it hands it keys and shows
// its View, and gets back the answer (senderListedMsg, origin is that tab).
type senderFlow struct {
	c       *Common
	origin  any
	source  string   // where it was started from, for the journal
	users   []string // people whose own lists may be changed
	step    senderStep
	prompt  *ui.Prompt
	picker  *ui.Picker
	confirm *ui.Confirm
	choice  senderChoice
}

// senderListedMsg is the answer: rec is the journal record of a change
// that landed (tab 3 adds it), else err says why not.
type senderListedMsg struct {
	origin     any
	choice     senderChoice
	rec        remediations.Record // zero when not applied
	out        settle.Result
	journalErr error
}

// newSenderFlow starts with the senders to offer (none: the analyst types
// one) and the users whose own lists may be changed; kept is the choice of
// a change that failed, to start from.
func newSenderFlow(c *Common, origin any, source string, senders, users []string, kept *senderChoice) *senderFlow {
	f := &senderFlow{c: c, origin: origin, source: source, users: users}
	if kept != nil {
		f.choice = *kept
	}
	switch {
	case len(senders) == 1 && kept == nil:
		f.choice.sender = senders[0]
		f.pickWhat()
	case len(senders) > 1:
		items := make([]ui.Item, len(senders))
		for i, s := range senders {
			items[i] = ui.Item{Label: s, Value: s}
		}
		f.picker = ui.NewPicker(c.Styles, "Which sender?", items)
		f.picker.Custom = "sender"
		f.picker.Select(f.choice.sender)
	default:
		f.prompt = ui.NewPrompt(c.Styles, "Sender to block or allow at Proofpoint Essentials", f.choice.sender, "an address (invoices@phish.example) or a domain (phish.example)")
		f.prompt.Help = "enter then picks block or allow, and for whom · esc cancels"
	}
	return f
}

// pickWhat offers block or allow, for everyone or one of the users, at each
// Essentials organisation.
func (f *senderFlow) pickWhat() {
	var items []ui.Item
	orgs := f.c.Backends.Essentials
	for t, org := range orgs {
		at := ""
		if len(orgs) > 1 {
			at = " · " + org.Tenant()
		}
		for _, l := range []essentials.List{essentials.Block, essentials.Allow} {
			for _, u := range append([]string{""}, f.users...) {
				c := senderChoice{tenant: t, sender: f.choice.sender, user: u, list: l}
				label := fmt.Sprintf("%s for %s", strings.ToUpper(l.Word()[:1])+l.Word()[1:], c.scope(org.Domain()))
				items = append(items, ui.Item{Label: label, Detail: string(l) + at, Value: c.value()})
			}
		}
	}
	f.step, f.prompt = stepWhat, nil
	f.picker = ui.NewPicker(f.c.Styles, "Mail from "+f.choice.sender, items)
	f.picker.Select(f.choice.value())
}

func (f *senderFlow) ask() {
	org := f.c.Backends.Essentials[f.choice.tenant]
	c := f.choice
	effect := "Mail from it is refused"
	if c.list == essentials.Allow {
		effect = "Mail from it is let through, past the spam filters"
	}
	f.step, f.picker = stepConfirm, nil
	f.confirm = ui.NewConfirm(f.c.Styles, fmt.Sprintf("%s %s at Essentials %s?", strings.ToUpper(c.list.Word()[:1])+c.list.Word()[1:], c.sender, org.Tenant()),
		c.list.Word()+" it",
		"Sender: "+c.sender,
		"List: "+c.listName(org.Domain()),
		effect+".",
		"Recorded in the Remediations tab (3).")
}

// Key handles a key; done means the form closed (sent or cancelled).
func (f *senderFlow) Key(m tea.KeyMsg) (done bool, cmd tea.Cmd) {
	switch {
	case f.prompt != nil:
		out, cmd := f.prompt.Update(m)
		switch out {
		case ui.Cancelled:
			return true, nil
		case ui.Submitted:
			s := strings.TrimSpace(f.prompt.Value())
			if !essentials.ValidSender(s) {
				return false, ui.Failf("%q is not an email address or a domain", s)
			}
			f.choice.sender = s
			f.pickWhat()
			return false, nil
		}
		return false, cmd
	case f.picker != nil:
		res, cmd := f.picker.Update(m)
		switch {
		case res.Cancelled:
			return true, nil
		case !res.Done:
			return false, cmd
		case f.step == stepSender:
			if !essentials.ValidSender(res.Item.Value) {
				return false, ui.Failf("%q is not an email address or a domain", res.Item.Value)
			}
			f.choice.sender = res.Item.Value
			f.pickWhat()
			return false, nil
		}
		f.choice = parseChoice(res.Item.Value, f.choice.sender)
		f.ask()
		return false, nil
	}
	switch f.confirm.Update(m) {
	case ui.Submitted:
		return true, sendSender(f.c, f.origin, f.source, f.choice)
	case ui.Cancelled:
		return true, ui.Toast("Sender lists left as they were")
	}
	return false, nil
}

// Update passes cursor blinks on.
func (f *senderFlow) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case f.prompt != nil:
		_, cmd = f.prompt.Update(msg)
	case f.picker != nil:
		_, cmd = f.picker.Update(msg)
	}
	return cmd
}

// View draws the step shown.
func (f *senderFlow) View(w int) string {
	switch {
	case f.prompt != nil:
		return f.prompt.View(min(w, 90))
	case f.picker != nil:
		return f.picker.View(min(w, 80))
	}
	return f.confirm.View(w)
}

// sendSender adds the sender to the list and records the change in the
// journal once the vendor confirms it (or reading the list back does).
func sendSender(c *Common, origin any, source string, ch senderChoice) tea.Cmd {
	client, ctx, journal, analyst := c.Backends.Essentials[ch.tenant], c.Context(), journalOf(c), c.Analyst.Name
	return func() tea.Msg {
		rec := remediations.Record{Kind: remediations.KindSender, Vendor: "essentials", Tenant: client.Tenant(),
			TargetID: ch.sender, TargetName: ch.sender, Type: string(ch.list), Source: source,
			Params:    map[string]any{"scope": remediations.SenderScope(ch.user)},
			StartedBy: analyst, StartedAt: c.now(), Detail: "on " + ch.listName(client.Domain())}
		out := client.AddSenderOnce(ctx, ch.user, ch.list, ch.sender)
		m := senderListedMsg{origin: origin, choice: ch, out: out.Result}
		if rec, ok := remediations.Started(rec, out, c.now()); ok {
			m.rec, m.journalErr = journal.Add(rec)
		}
		return m
	}
}

// senderOutcome is what the tab that started a change says of it.
func senderOutcome(m senderListedMsg, org *essentials.Client) tea.Cmd {
	c := m.choice
	what := fmt.Sprintf("%s %s for %s", c.list.Word(), c.sender, c.scope(org.Domain()))
	switch {
	case m.out.Class == settle.NotApplied && m.out.Checked():
		return ui.Fail(fmt.Errorf("could not %s (%s, and reading the list back shows it unchanged; b reopens with it): %w", what, m.out.Lost, m.out.Err))
	case m.out.Class == settle.NotApplied:
		return ui.Fail(fmt.Errorf("could not %s: %w (b reopens with it)", what, m.out.Err))
	case m.journalErr != nil:
		return ui.Fail(fmt.Errorf("%s: done, but it could not be written to the remediation journal (tab 3 shows it until you quit): %w", what, m.journalErr))
	case m.rec.Status == remediations.Unknown:
		return ui.Failf("%s: outcome unknown (%s); tab 3 checks until the list says", what, m.rec.Detail)
	}
	who := "everyone"
	if c.user != "" {
		who = c.user
	}
	done := fmt.Sprintf("%sed %s for %s at Essentials %s (tab 3)", strings.ToUpper(c.list.Word()[:1])+c.list.Word()[1:], c.sender, who, org.Tenant())
	if m.out.Lost != "" {
		return ui.Toast("%s: %s", done, m.rec.Detail)
	}
	return ui.Toast("%s", done)
}
