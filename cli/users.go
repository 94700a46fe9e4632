package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"triage/backend/people"
	"triage/backend/settle"
)

// The users verbs act on one person across Okta, Atlassian and Proofpoint
// Essentials through backend/people, as the console's IAM tab does, so both
// do the same thing at each provider. Every provider is asked at once, each
// answers on its own line (or JSON object), and the command exits 1 if any
// failed.

func usersCommand(env *Env) *cobra.Command {
	o := &output{}
	var vendors string
	cmd := group(&cobra.Command{
		Use:   "users",
		Short: "One person across Okta, Atlassian and Proofpoint Essentials: find, create, update, disable, enable",
		Long: `users finds a person in every configured IAM provider at once and changes their
account in each, the way the console's IAM users tab does. Each provider's
answer is a line of its own (--json: an object per provider under
"providers"): found, absent, created, updated, unchanged, disabled, enabled,
error, or unknown (the answer was lost and reading back failed). The command
exits 1 if any provider failed, and says where and why on stderr.`,
		Example: "  triage users find li.chen@acme.example\n" +
			"  triage users disable li.chen@acme.example --provider okta,atlassian --yes",
	})
	o.flags(cmd)
	cmd.PersistentFlags().Lookup("tenant").Usage = "only the providers of the tenant of this name (default: every configured tenant)"
	cmd.PersistentFlags().StringVar(&vendors, "provider", "", "providers, comma-separated: okta, atlassian, essentials (default: all)")
	providers := func() ([]people.Provider, error) { return iamProviders(env, vendors, o.tenant) }
	cmd.AddCommand(usersFind(env, o, providers), usersCreate(env, o, providers), usersUpdate(env, o, providers),
		usersDisable(env, o, providers), usersEnable(env, o, providers))
	return cmd
}

type providersFunc func() ([]people.Provider, error)

// iamProviders are the configured providers a command is for: all, or
// those of the vendors named, narrowed to one tenant name.
func iamProviders(env *Env, vendors, tenant string) ([]people.Provider, error) {
	set, err := env.backends()
	if err != nil {
		return nil, err
	}
	wanted := splitList(strings.ToLower(vendors))
	for _, v := range wanted {
		if v != "okta" && v != "atlassian" && v != "essentials" {
			return nil, Usagef("--provider %q: use okta, atlassian or essentials", v)
		}
	}
	var out []people.Provider
	var configured []string
	for _, p := range people.Providers(set) {
		configured = append(configured, people.Label(p))
		if (len(wanted) == 0 || slices.Contains(wanted, vendorOf(p))) && (tenant == "" || p.Tenant() == tenant) {
			out = append(out, p)
		}
	}
	if len(configured) == 0 {
		return nil, Usagef("no IAM provider is configured: add [[okta]], [[atlassian]] or [[essentials]] to the config")
	}
	named := ""
	if tenant != "" {
		named = fmt.Sprintf(" named %q", tenant)
	}
	for _, v := range wanted {
		if !slices.ContainsFunc(out, func(p people.Provider) bool { return vendorOf(p) == v }) {
			return nil, Usagef("no %s tenant%s is configured (configured: %s)", v, named, strings.Join(configured, ", "))
		}
	}
	if len(out) == 0 {
		return nil, Usagef("no IAM tenant%s is configured (configured: %s)", named, strings.Join(configured, ", "))
	}
	return out, nil
}

// vendorOf is a provider's vendor as --provider and the output name it.
func vendorOf(p people.Provider) string { return strings.ToLower(p.Vendor()) }

// answer is one provider's part of a users command.
type answer struct {
	prov   people.Provider
	acct   *people.Account // as the provider last answered; nil when absent or failed
	result string          // found, absent, created, updated, unchanged, disabled, enabled, error, unknown
	note   string
	err    error // a failure: the command exits 1
}

// lookUp asks every provider for the person at once.
func lookUp(ctx context.Context, provs []people.Provider, email string) []answer {
	as := make([]answer, len(provs))
	atOnce(len(provs), func(i int) {
		a, err := provs[i].Find(ctx, email)
		as[i] = answer{prov: provs[i], acct: a, result: "found", err: err}
		switch {
		case err != nil:
			as[i].result = "error"
		case a == nil:
			as[i].result = "absent"
		}
	})
	return as
}

// change is a write to one provider's account, sent once and settled by
// the backend (people's ...Once functions).
type change struct {
	done string // the result once it went through: created, updated, disabled, enabled
	send func(ctx context.Context, p people.Provider, a *people.Account) settle.Outcome[*people.Account]
}

// accountWords words the outcome of an account write.
var accountWords = wording{unknown: "check it before trying again", shows: "reading back shows it applied",
	missing: "reading back shows it was not applied: try again"}

// apply sends the change to the picked answers at once. A write that
// answers no account is read back, so its line shows the status it left.
func (c change) apply(ctx context.Context, as []answer, picked []int, email string) {
	atOnce(len(picked), func(j int) {
		a := &as[picked[j]]
		out := c.send(ctx, a.prov, a.acct)
		switch {
		case out.Class == settle.Unknown:
			a.result, a.err = "unknown", fail(accountWords, out)
		case out.Class == settle.NotApplied:
			a.result, a.err = "error", fail(accountWords, out)
			if out.Value != nil {
				a.acct = out.Value
			}
		case out.Lost != "":
			a.result, a.acct, a.note = c.done, out.Value, out.Lost+"; "+accountWords.shows
		default:
			a.result = c.done
			after := out.Value
			if after == nil {
				var err error
				if after, err = a.prov.Find(ctx, email); err != nil {
					a.note = "done, but reading it back failed: the status shown is from before"
				}
			}
			if after != nil {
				a.acct = after
			}
		}
	})
}

// report prints one line (or JSON object) per provider and returns the
// failures as one error.
func report(env *Env, o *output, email string, as []answer) error {
	p := env.printer(o)
	var failures []string
	for _, a := range as {
		if a.err != nil {
			failures = append(failures, failure(a))
		}
	}
	var err error
	if o.json {
		out := struct {
			Email     string         `json:"email"`
			Providers []providerJSON `json:"providers"`
		}{Email: email, Providers: make([]providerJSON, len(as))}
		for i, a := range as {
			out.Providers[i] = a.json()
		}
		err = p.json(out)
	} else {
		rows := make([][]string, len(as))
		for i, a := range as {
			var notes []string
			if a.err != nil {
				notes = append(notes, failure(a))
			}
			if a.note != "" {
				notes = append(notes, a.note)
			}
			row := []string{vendorOf(a.prov), a.prov.Tenant(), a.result, "", "", "", "", strings.Join(notes, "; ")}
			if a.acct != nil {
				row[3], row[4], row[5], row[6] = a.acct.Status, a.acct.Profile.Email, a.acct.Profile.Name(), a.acct.ID
			}
			rows[i] = row
		}
		err = p.table([]string{"VENDOR", "TENANT", "RESULT", "STATUS", "EMAIL", "NAME", "ID", "NOTE"}, rows)
	}
	if err != nil {
		return err
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d of %d providers failed: %s", len(failures), len(as), strings.Join(failures, "; "))
	}
	return nil
}

// failure is a provider's error on one line, naming the vendor and tenant
// (vendor errors do already; the others are prefixed).
func failure(a answer) string {
	msg := Message(a.err)
	if label := people.Label(a.prov); !strings.HasPrefix(msg, label) {
		msg = label + ": " + msg
	}
	return msg
}

type providerJSON struct {
	Vendor  string       `json:"vendor"`
	Tenant  string       `json:"tenant"`
	Result  string       `json:"result"`
	Note    string       `json:"note,omitempty"`
	Error   string       `json:"error,omitempty"`
	Account *accountJSON `json:"account,omitempty"`
}

type accountJSON struct {
	ID           string          `json:"id"`
	Login        string          `json:"login"`
	Email        string          `json:"email"`
	FirstName    string          `json:"first_name"`
	LastName     string          `json:"last_name"`
	DisplayName  string          `json:"display_name,omitempty"`
	Title        string          `json:"title,omitempty"`
	Department   string          `json:"department,omitempty"`
	Organization string          `json:"organization,omitempty"`
	Status       string          `json:"status"`
	Enabled      bool            `json:"enabled"`
	Locked       bool            `json:"locked,omitempty"`
	Raw          json.RawMessage `json:"raw,omitempty"` // the vendor's own object
}

func (a answer) json() providerJSON {
	out := providerJSON{Vendor: vendorOf(a.prov), Tenant: a.prov.Tenant(), Result: a.result, Note: a.note}
	if a.err != nil {
		out.Error = failure(a)
	}
	if ac := a.acct; ac != nil {
		pr := ac.Profile
		out.Account = &accountJSON{ID: ac.ID, Login: ac.Login, Email: pr.Email, FirstName: pr.First, LastName: pr.Last,
			DisplayName: pr.Display, Title: pr.Title, Department: pr.Department, Organization: pr.Organization, Status: ac.Status, Enabled: ac.Enabled,
			Locked: ac.Locked, Raw: ac.Raw}
	}
	return out
}

// nowhere is the error of a write to a person that no provider has.
func nowhere(email string, as []answer) error {
	var labels []string
	for _, a := range as {
		if a.acct != nil || a.err != nil {
			return nil
		}
		labels = append(labels, people.Label(a.prov))
	}
	return fmt.Errorf("%s is not at %s", email, strings.Join(labels, ", "))
}

func usersFind(env *Env, o *output, providers providersFunc) *cobra.Command {
	return &cobra.Command{
		Use:   "find EMAIL",
		Short: "Look a person up in every IAM provider at once",
		Long: `find asks every configured IAM provider for the person (an email; Okta and
Essentials also take a login such as li.chen) and prints each one's answer:
found with the account, absent, or the error. A person absent everywhere exits
0; a provider that failed exits 1. --json is one object covering every
provider, each with its account (and the vendor's own JSON under "raw").`,
		Example: "  triage users find li.chen@acme.example\n" +
			"  triage users find li.chen@acme.example --json | jq '.providers[] | {vendor, result, status: .account.status}'",
		Args: exactArgs(1, "EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			provs, err := providers()
			if err != nil {
				return err
			}
			return report(env, o, args[0], lookUp(env.context(cmd.Context()), provs, args[0]))
		},
	}
}

// emailRE is the form of an address the providers take as a person's email.
var emailRE = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

func usersCreate(env *Env, o *output, providers providersFunc) *cobra.Command {
	var pr people.Profile
	cmd := &cobra.Command{
		Use:   "create --email E --first F --last L",
		Short: "Create a person in every IAM provider (or those --provider names)",
		Long: `create makes the person's account at each provider at once: at Okta with the
email as the login, activated (Okta emails them the activation); at Atlassian
with the email as the userName; at Essentials as an end user, which keeps
first and last names only. A provider that already has them fails on its own
line and the others go ahead.`,
		Example: "  triage users create --email new.hire@acme.example --first New --last Hire --title Analyst --department Security\n" +
			"  triage users create --email new.hire@acme.example --first New --last Hire --provider okta,atlassian --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pr.Email = strings.TrimSpace(pr.Email)
			switch {
			case !emailRE.MatchString(pr.Email):
				return Usagef("--email %q is not an email address", pr.Email)
			case strings.TrimSpace(pr.First) == "" || strings.TrimSpace(pr.Last) == "":
				return Usagef("create needs --first and --last")
			}
			provs, err := providers()
			if err != nil {
				return err
			}
			var given []people.Field
			for _, f := range people.EveryField {
				if pr.Get(f) != "" {
					given = append(given, f)
				}
			}
			as := make([]answer, len(provs))
			picked := make([]int, len(provs))
			for i, p := range provs {
				as[i], picked[i] = answer{prov: p, note: notKept(p, given)}, i
			}
			change{
				done: "created",
				send: func(ctx context.Context, p people.Provider, _ *people.Account) settle.Outcome[*people.Account] {
					return people.CreateOnce(ctx, p, pr)
				},
			}.apply(env.context(cmd.Context()), as, picked, pr.Email)
			return report(env, o, pr.Email, as)
		},
	}
	f := cmd.Flags()
	f.StringVar(&pr.Email, "email", "", "their email: also the Okta login and the Atlassian userName (required)")
	f.StringVar(&pr.First, "first", "", "first name (required)")
	f.StringVar(&pr.Last, "last", "", "last name (required)")
	f.StringVar(&pr.Display, "display", "", "display name")
	f.StringVar(&pr.Title, "title", "", "job title")
	f.StringVar(&pr.Department, "department", "", "department")
	f.StringVar(&pr.Organization, "organization", "", "organization (company or business unit)")
	return cmd
}

// notKept says which of the fields given a provider has no place for.
func notKept(p people.Provider, given []people.Field) string {
	var out []string
	for _, f := range given {
		if !slices.Contains(p.Fields(), f) {
			out = append(out, string(f))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "keeps no " + strings.Join(out, " or ") + ": not sent"
}

// field is the profile field a --set name means: its name in
// backend/people ("first name"), its first word ("first"), or either
// written without spaces ("firstName", "first-name", "first_name").
func field(name string) (people.Field, bool) {
	squash := strings.NewReplacer(" ", "", "-", "", "_", "")
	n := squash.Replace(strings.ToLower(name))
	for _, f := range people.EveryField {
		if n == squash.Replace(string(f)) || n == strings.Fields(string(f))[0] {
			return f, true
		}
	}
	return "", false
}

func usersUpdate(env *Env, o *output, providers providersFunc) *cobra.Command {
	var sets []string
	cmd := &cobra.Command{
		Use:   "update EMAIL --set FIELD=VALUE...",
		Short: "Change some of a person's profile fields wherever they have an account",
		Long: `update sends only the fields given, and only to the providers where they
differ: Okta a partial profile update, Atlassian a SCIM PATCH of those
attributes, Essentials a PUT of the whole user with the names changed (it
keeps first and last names only). FIELD is first, last, display, title,
department or organization; an empty VALUE clears a field.`,
		Example: "  triage users update li.chen@acme.example --set title='Lead Analyst' --set department=Security\n" +
			"  triage users update li.chen@acme.example --set last=Chen-Wu --provider essentials",
		Args: exactArgs(1, "EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			email := args[0]
			changes := people.Changes{}
			for _, s := range sets {
				name, value, ok := strings.Cut(s, "=")
				f, known := field(name)
				switch {
				case !ok:
					return Usagef("--set %q: use FIELD=VALUE", s)
				case !known:
					return Usagef("--set %q: FIELD is first, last, display, title, department or organization", s)
				case (f == people.FirstName || f == people.LastName) && strings.TrimSpace(value) == "":
					return Usagef("--set %q: the %s cannot be empty", s, f)
				}
				changes[f] = value
			}
			if len(changes) == 0 {
				return Usagef("update needs at least one --set FIELD=VALUE")
			}
			var given []people.Field
			for _, f := range people.EveryField {
				if _, ok := changes[f]; ok {
					given = append(given, f)
				}
			}
			provs, err := providers()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			as := lookUp(ctx, provs, email)
			send := map[people.Provider]people.Changes{}
			var picked []int
			for i := range as {
				a := &as[i]
				if a.acct == nil {
					continue
				}
				a.note = notKept(a.prov, given)
				c := people.Applicable(a.prov, a.acct, changes)
				switch {
				case len(c) > 0:
					send[a.prov], picked = c, append(picked, i)
				case a.note != "":
					a.result = "unchanged"
				default:
					a.result, a.note = "unchanged", "nothing to change here"
				}
			}
			change{
				done: "updated",
				send: func(ctx context.Context, p people.Provider, a *people.Account) settle.Outcome[*people.Account] {
					return people.UpdateOnce(ctx, p, a, send[p], email)
				},
			}.apply(ctx, as, picked, email)
			if err := report(env, o, email, as); err != nil {
				return err
			}
			return nowhere(email, as)
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "FIELD=VALUE, repeatable: first, last, display, title, department, organization")
	return cmd
}

func usersDisable(env *Env, o *output, providers providersFunc) *cobra.Command {
	var yes bool
	var oktaMode string
	cmd := &cobra.Command{
		Use:   "disable EMAIL",
		Short: "Stop a person signing in, wherever they have an account (asks first)",
		Long: `disable looks the person up everywhere, then, where their account is enabled,
stops it signing in the reversible way: Okta suspends (--okta-mode deactivate
deprovisions their apps instead), Atlassian gets PATCH active=false (never the
irreversible DELETE), Essentials is_active=false. It asks first on a terminal
and needs --yes without one. Accounts already disabled are left unchanged.`,
		Example: "  triage users disable li.chen@acme.example\n" +
			"  ssh jump triage users disable li.chen@acme.example --okta-mode deactivate --yes",
		Args: exactArgs(1, "EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			email := args[0]
			var mode people.DisableMode
			switch strings.ToLower(oktaMode) {
			case "suspend":
			case "deactivate":
				mode = people.Deactivate
			default:
				return Usagef("--okta-mode %q: use suspend or deactivate", oktaMode)
			}
			provs, err := providers()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			as := lookUp(ctx, provs, email)
			var picked []int
			var where []string
			for i := range as {
				a := &as[i]
				switch {
				case a.acct == nil:
				case !a.acct.CanDisable():
					a.result, a.note = "unchanged", "already "+a.acct.Status
				default:
					picked = append(picked, i)
					label := people.Label(a.prov)
					if _, ok := a.prov.(*people.Okta); ok {
						label += " (" + mode.String() + ")"
					}
					where = append(where, label)
				}
			}
			if len(picked) > 0 {
				if err := env.confirm(yes, fmt.Sprintf("Disable %s at %s", email, strings.Join(where, ", "))); err != nil {
					return err
				}
			}
			change{
				done: "disabled",
				send: func(ctx context.Context, p people.Provider, a *people.Account) settle.Outcome[*people.Account] {
					return people.DisableOnce(ctx, p, a, mode, email)
				},
			}.apply(ctx, as, picked, email)
			for i := range as {
				if a := &as[i]; a.err != nil && mode == people.Suspend && a.acct != nil && a.acct.Status != "ACTIVE" {
					if _, ok := a.prov.(*people.Okta); ok {
						a.note = "Okta suspends only ACTIVE users: --okta-mode deactivate"
					}
				}
			}
			if err := report(env, o, email, as); err != nil {
				return err
			}
			return nowhere(email, as)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask")
	cmd.Flags().StringVar(&oktaMode, "okta-mode", "suspend", "suspend (keeps their app assignments) or deactivate (deprovisions them)")
	return cmd
}

func usersEnable(env *Env, o *output, providers providersFunc) *cobra.Command {
	return &cobra.Command{
		Use:   "enable EMAIL",
		Short: "Let a disabled or locked-out person sign in again, wherever they have an account",
		Long: `enable undoes disable at each provider where the account is disabled: Okta
unsuspends a suspended person, activates a deactivated or staged one (without
an email), restarts the activation of one who has not finished it
(PROVISIONED) and unlocks a locked-out one; Atlassian and Essentials set active.
Accounts already enabled are left unchanged.`,
		Example: "  triage users enable li.chen@acme.example\n" +
			"  triage users enable li.chen@acme.example --provider okta --json",
		Args: exactArgs(1, "EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			email := args[0]
			provs, err := providers()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			as := lookUp(ctx, provs, email)
			var picked []int
			for i := range as {
				switch a := &as[i]; {
				case a.acct == nil:
				case !a.acct.CanEnable():
					a.result, a.note = "unchanged", "already "+a.acct.Status
				default:
					picked = append(picked, i)
				}
			}
			change{
				done: "enabled",
				send: func(ctx context.Context, p people.Provider, a *people.Account) settle.Outcome[*people.Account] {
					return people.EnableOnce(ctx, p, a, email)
				},
			}.apply(ctx, as, picked, email)
			if err := report(env, o, email, as); err != nil {
				return err
			}
			return nowhere(email, as)
		},
	}
}
