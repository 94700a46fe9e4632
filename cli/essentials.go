package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"triage/backend/essentials"
	"triage/backend/remediations"
	"triage/backend/settle"
)

type essentialsClient func() (*essentials.Client, error)

func essentialsCommand(env *Env) *cobra.Command {
	o := &output{}
	cmd := group(&cobra.Command{
		Use:   "essentials",
		Short: "Proofpoint Essentials sender lists: block or allow a sender for everyone or one user",
		Example: "  triage essentials block-sender invoices@phish.example --yes\n" +
			"  triage essentials allow-sender partner.example --user li.chen@acme.example",
	})
	o.flags(cmd)
	client := func() (*essentials.Client, error) {
		set, err := env.backends()
		if err != nil {
			return nil, err
		}
		names := make([]string, len(set.Essentials))
		for i, c := range set.Essentials {
			names[i] = c.Tenant()
		}
		i, err := pickTenant("Essentials", o.tenant, names)
		if err != nil {
			return nil, err
		}
		return set.Essentials[i], nil
	}
	cmd.AddCommand(essentialsSender(env, o, client, essentials.Block), essentialsSender(env, o, client, essentials.Allow))
	return cmd
}

// essentialsSender is block-sender or allow-sender: it adds the sender to
// the organisation's list or one user's, and records the change in the
// remediation journal as the console's sender form does, so the
// Remediations tab shows it. Blocking is destructive: it asks first.
func essentialsSender(env *Env, o *output, client essentialsClient, list essentials.List) *cobra.Command {
	var user string
	var yes bool
	word := list.Word()
	cmd := &cobra.Command{
		Use:   word + "-sender SENDER",
		Short: fmt.Sprintf("Put a sender (an address or a domain) on the %s list of the organisation, or of one user", word),
		Args:  exactArgs(1, "SENDER (an address or a domain)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sender := strings.TrimSpace(args[0])
			switch {
			case !essentials.ValidSender(sender):
				return Usagef("%q is not an email address or a domain", args[0])
			case user != "" && !emailRE.MatchString(user):
				return Usagef("--user %q is not an email address", user)
			}
			c, err := client()
			if err != nil {
				return err
			}
			whose := "the organisation's " + strings.ReplaceAll(string(list), "_", " ") + " (everyone at " + c.Domain() + ")"
			if user != "" {
				whose = "the " + strings.ReplaceAll(string(list), "_", " ") + " of " + user
			}
			what := fmt.Sprintf("%s on %s at Essentials %s", sender, whose, c.Tenant())
			if list == essentials.Block {
				if err := env.confirm(yes, "Block "+what); err != nil {
					return err
				}
			}
			rec := remediations.Record{Kind: remediations.KindSender, Vendor: "essentials", Tenant: c.Tenant(),
				TargetID: sender, TargetName: sender, Type: string(list), Params: map[string]any{"scope": "organisation"},
				StartedAt: env.now(), Detail: "on " + whose}
			if user != "" {
				rec.Params["scope"] = user
			}
			out := c.AddSenderOnce(env.context(cmd.Context()), user, list, sender)
			w := wording{unknown: "the console's Remediations tab checks it until the list says",
				missing: "reading the list back shows it unchanged, so it was not applied: try again"}
			rec, ok := remediations.Started(rec, out, env.now())
			if !ok {
				return fail(w, out)
			}
			if jerr := env.record(rec); jerr != nil {
				if out.Class == settle.Unknown {
					return fmt.Errorf("%w, and recording it in the journal failed (%v): check the list before trying again", out.Err, jerr)
				}
				env.note("triage: %sed %s, but recording it in the remediation journal failed: %v\n", word, what, jerr)
				return nil
			}
			if err := fail(w, out); err != nil {
				return err
			}
			if out.Lost != "" {
				what += " (" + rec.Detail + ")" // settled by reading back
			}
			env.printer(o).done("%sed %s (recorded in the Remediations tab)", word, what)
			return nil
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "this user's own list (their email) instead of the organisation's")
	if list == essentials.Block {
		cmd.Long = "block-sender refuses mail from the sender: for everyone at the organisation, or with --user for one\n" +
			"person. It asks first on a terminal and needs --yes without one. The block is recorded in the\n" +
			"remediation journal, where the console's Remediations tab shows it."
		cmd.Example = "  triage essentials block-sender invoices@phish.example\n" +
			"  triage essentials block-sender phish.example --user li.chen@acme.example --yes"
		cmd.Flags().BoolVar(&yes, "yes", false, "do not ask")
	} else {
		cmd.Long = "allow-sender lets mail from the sender through, past the spam filters: for everyone at the\n" +
			"organisation, or with --user for one person. It is recorded in the remediation journal, where\n" +
			"the console's Remediations tab shows it."
		cmd.Example = "  triage essentials allow-sender partner.example\n" +
			"  triage essentials allow-sender newsletter@vendor.example --user li.chen@acme.example"
	}
	return cmd
}
