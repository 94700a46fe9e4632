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

// value names a choice in a picker.
func (c senderChoice) value() string {
	return fmt.Sprintf("%d|%s|%s", c.tenant, c.list, c.user)
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

// verb is the change as a sentence starts it: "Block", "Allow".
func (c senderChoice) verb() string {
	w := c.list.Word()
	return strings.ToUpper(w[:1]) + w[1:]
}

// senderListedMsg is the answer, to the tab that asked (origin): rec is
// the journal record of a change that landed (tab 3 adds it).
type senderListedMsg struct {
	origin     any
	choice     senderChoice
	rec        remediations.Record // zero when not applied
	out        settle.Result
	journalErr error
}

// askSender opens the change in b's modal slot: the sender (the one of
// senders, a pick of several, else typed), then which list and whose,
// then y/N. users are the people whose own lists may be changed; kept is
// the choice of a change that failed, to start from.
func askSender(b *listTab, origin any, source string, senders, users []string, kept *senderChoice) tea.Cmd {
	a := &senderAsk{b: b, origin: origin, source: source, users: users}
	if kept != nil {
		a.choice = *kept
	}
	st := b.c.Styles
	switch {
	case len(senders) == 1 && kept == nil:
		a.choice.sender = senders[0]
		return a.pickList()
	case len(senders) > 1:
		items := make([]ui.Item, len(senders))
		for i, s := range senders {
			items[i] = ui.Item{Label: s, Value: s}
		}
		p := ui.NewPicker(st, "Which sender?", items)
		p.Custom = "sender"
		p.Select(a.choice.sender)
		var pick func(ui.Item) tea.Cmd
		pick = func(it ui.Item) tea.Cmd {
			cmd, err := a.pickSender(it.Value)
			if err != nil {
				b.show(ui.PickerModal(st, p, pick)) // stays open to pick again
				return ui.Fail(err)
			}
			return cmd
		}
		return b.show(ui.PickerModal(st, p, pick))
	}
	p := ui.NewPrompt(st, "Sender to block or allow at Proofpoint Essentials", a.choice.sender, "an address (invoices@phish.example) or a domain (phish.example)")
	p.Help = "enter then picks block or allow, and for whom · esc cancels"
	m := ui.PromptModal(st, p, func(text string) (tea.Cmd, error) { return a.pickSender(strings.TrimSpace(text)) })
	return b.show(senderPrompt{m, st, p})
}

// senderPrompt draws the prompt as narrow as the picker after it.
type senderPrompt struct {
	ui.Modal
	st *ui.Styles
	p  *ui.Prompt
}

func (m senderPrompt) View(w, h int) string { return ui.Center(m.st, w, h, m.p.View(min(w, 90))) }

// senderAsk is the change as the analyst builds it.
type senderAsk struct {
	b      *listTab
	origin any
	source string // where it was started from, for the journal
	users  []string
	choice senderChoice
}

func (a *senderAsk) pickSender(s string) (tea.Cmd, error) {
	if !essentials.ValidSender(s) {
		return nil, fmt.Errorf("%q is not an email address or a domain", s)
	}
	a.choice.sender = s
	return a.pickList(), nil
}

// pickList offers block or allow, for everyone or one of the users, at
// each Essentials organisation.
func (a *senderAsk) pickList() tea.Cmd {
	var items []ui.Item
	choices := map[string]senderChoice{}
	orgs := a.b.c.Backends.Essentials
	for t, org := range orgs {
		at := ""
		if len(orgs) > 1 {
			at = " · " + org.Tenant()
		}
		for _, l := range []essentials.List{essentials.Block, essentials.Allow} {
			for _, u := range append([]string{""}, a.users...) {
				c := senderChoice{tenant: t, sender: a.choice.sender, user: u, list: l}
				choices[c.value()] = c
				items = append(items, ui.Item{Label: c.verb() + " for " + c.scope(org.Domain()), Detail: string(l) + at, Value: c.value()})
			}
		}
	}
	p := ui.NewPicker(a.b.c.Styles, "Mail from "+a.choice.sender, items)
	p.Select(a.choice.value())
	return a.b.show(ui.PickerModal(a.b.c.Styles, p, func(it ui.Item) tea.Cmd {
		a.choice = choices[it.Value]
		return a.confirm()
	}))
}

func (a *senderAsk) confirm() tea.Cmd {
	c, st := a.choice, a.b.c.Styles
	org := a.b.c.Backends.Essentials[c.tenant]
	effect := "Mail from it is refused"
	if c.list == essentials.Allow {
		effect = "Mail from it is let through, past the spam filters"
	}
	cf := ui.NewConfirm(st, fmt.Sprintf("%s %s at Essentials %s?", c.verb(), c.sender, org.Tenant()), c.list.Word()+" it",
		"Sender: "+c.sender, "List: "+c.listName(org.Domain()), effect+".", "Recorded in the Remediations tab (3).")
	return a.b.show(ui.ConfirmModal(st, cf, func() tea.Cmd { return sendSender(a.b.c, a.origin, a.source, c) },
		func() tea.Cmd { return ui.Toast("Sender lists left as they were") }))
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

// senderOutcome is what the tab that started a change says of it; kept
// is where that tab keeps a change that did not go through, to start from.
func senderOutcome(m senderListedMsg, kept **senderChoice, cm *Common) tea.Cmd {
	c, org := m.choice, cm.Backends.Essentials[m.choice.tenant]
	*kept = nil
	if m.out.Class == settle.NotApplied {
		*kept = &c
	}
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
	done := fmt.Sprintf("%sed %s for %s at Essentials %s (tab 3)", c.verb(), c.sender, who, org.Tenant())
	if m.out.Lost != "" {
		return ui.Toast("%s: %s", done, m.rec.Detail)
	}
	return ui.Toast("%s", done)
}
