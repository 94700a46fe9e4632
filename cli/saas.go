package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"triage/backend/clock"
	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/backend/settle"
)

type saasClient func() (*saas.Client, error)

func saasCommand(env *Env) *cobra.Command {
	o := &output{}
	cmd := group(&cobra.Command{
		Use:     "saas",
		Short:   "Palo Alto SaaS Security: incidents, close with a category, apps, asset remediation",
		Example: "  triage saas incidents --state open\n  triage saas close 42 business_justified",
	})
	o.flags(cmd)
	client := func() (*saas.Client, error) {
		set, err := env.backends()
		if err != nil {
			return nil, err
		}
		names := make([]string, len(set.SaaS))
		for i, c := range set.SaaS {
			names[i] = c.Tenant()
		}
		i, err := pickTenant("SaaS", o.tenant, names)
		if err != nil {
			return nil, err
		}
		return set.SaaS[i], nil
	}
	cmd.AddCommand(saasIncidents(env, o, client), saasShow(env, o, client), saasClose(env, o, client),
		saasApps(env, o, client), saasRemediate(env, o, client), saasRemediation(env, o, client))
	return cmd
}

func saasIncidents(env *Env, o *output, client saasClient) *cobra.Command {
	var state, severity, status, app, from, to string
	var limit int
	cmd := &cobra.Command{
		Use:   "incidents",
		Short: "List incidents, most recently updated first (every page of the delta feed is read)",
		Example: "  triage saas incidents --state open --severity High,Critical\n" +
			"  triage saas incidents --from 7d --json | jq length",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			q := saas.Query{Severities: splitList(severity), Statuses: splitList(status), AppIDs: splitList(app)}
			if _, err := saas.SeverityFilter(q.Severities); err != nil {
				return Usage(fmt.Errorf("--severity: %w", err))
			}
			if limit < 0 {
				return Usagef("--limit %d: give a number of incidents, or 0 for every page", limit)
			}
			switch strings.ToLower(state) {
			case "open", "closed":
				q.State = strings.ToLower(state)
			case "all", "":
			default:
				return Usagef("--state %q: use open, closed or all", state)
			}
			if from != "" {
				if q.From, err = clock.ParseWhen(from, env.now()); err != nil {
					return Usage(fmt.Errorf("--from: %w", err))
				}
			}
			if to != "" {
				if q.To, err = clock.ParseWhen(to, env.now()); err != nil {
					return Usage(fmt.Errorf("--to: %w", err))
				}
			}
			// The delta feed comes oldest updated first and takes no sort, so
			// the newest N are known only at its end: every page is read,
			// then the list is turned around, like itm tickets (SS.py
			// get_incidents_command pages by nextPath to the end too).
			ctx := env.context(cmd.Context())
			page, err := c.Incidents(ctx, q)
			if err != nil {
				return err
			}
			incidents := page.Incidents
			for page.More {
				if page, err = c.More(ctx, page); err != nil {
					return err
				}
				incidents = append(incidents, page.Incidents...)
			}
			slices.Reverse(incidents) // ties stay in the feed's order, turned around
			slices.SortStableFunc(incidents, func(a, b saas.Incident) int { return b.UpdatedAt.Compare(a.UpdatedAt.Time) })
			if limit > 0 && len(incidents) > limit {
				incidents = incidents[:limit]
			}
			p := env.printer(o)
			if o.json {
				if incidents == nil {
					incidents = []saas.Incident{}
				}
				return p.json(incidents)
			}
			rows := make([][]string, len(incidents))
			for i := range incidents {
				in := &incidents[i]
				rows[i] = []string{string(in.ID), in.UpdatedAt.UTC().Format(time.RFC3339), string(in.Severity), string(in.Status),
					string(in.AppName), string(in.AssetName), string(in.ExposureLevel), in.Owner(), in.Policy()}
			}
			return p.table([]string{"ID", "UPDATED", "SEVERITY", "STATUS", "APP", "ASSET", "EXPOSURE", "OWNER", "POLICY"}, rows)
		},
	}
	f := cmd.Flags()
	f.StringVar(&state, "state", "all", "open, closed or all")
	f.StringVar(&severity, "severity", "", "severities, comma-separated: critical, high, medium, low, informational or 1 to 5 (sent as 1 to 5)")
	f.StringVar(&status, "status", "", "statuses, comma-separated (open-new, open-assigned, closed-business justified, ...)")
	f.StringVar(&app, "app", "", "app ids, comma-separated (see triage saas apps)")
	f.StringVar(&from, "from", "", "updated since: a duration (24h, 7d) or a time")
	f.StringVar(&to, "to", "", "updated before: a duration ago or a time")
	f.IntVar(&limit, "limit", 0, "only the most recently updated N incidents (default: all)")
	return cmd
}

func saasShow(env *Env, o *output, client saasClient) *cobra.Command {
	return &cobra.Command{
		Use:     "show ID",
		Short:   "Show one incident",
		Example: "  triage saas show 42\n  triage saas show 42 --json",
		Args:    exactArgs(1, "an incident ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			in, err := c.Incident(env.context(cmd.Context()), args[0])
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				return p.json(in.Raw)
			}
			return p.fields(
				[2]string{"id", string(in.ID)}, [2]string{"state", in.StateName()}, [2]string{"status", string(in.Status)},
				[2]string{"category", string(in.Category)}, [2]string{"severity", string(in.Severity)},
				[2]string{"app", fmt.Sprintf("%s (%s, %s)", in.AppName, in.AppType, in.AppID)},
				[2]string{"asset", string(in.AssetName)}, [2]string{"asset id", string(in.AssetID)},
				[2]string{"exposure", string(in.ExposureLevel)}, [2]string{"owner", in.Owner()}, [2]string{"policy", in.Policy()},
				[2]string{"updated", in.UpdatedAt.UTC().Format(time.RFC3339)}, [2]string{"resolved by", string(in.ResolvedBy)},
				[2]string{"asset url", string(in.AssetPageURI)}, [2]string{"policy url", string(in.PolicyPageURI)},
			)
		},
	}
}

func saasClose(env *Env, o *output, client saasClient) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "close ID CATEGORY",
		Short: "Close an incident with a category: misidentified, no_reason or business_justified",
		Long:  "close sets the incident's state to closed with the category. An already closed incident takes the new category. It asks first on a terminal and needs --yes without one.",
		Example: "  triage saas close 42 business_justified\n" +
			"  triage saas close 42 misidentified --yes",
		Args: exactArgs(2, "ID and CATEGORY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, category := args[0], strings.ToLower(args[1])
			known := false
			for _, c := range saas.Categories {
				known = known || c.Value == category
			}
			if !known {
				return Usagef("category %q: use misidentified, no_reason or business_justified", args[1])
			}
			c, err := client()
			if err != nil {
				return err
			}
			if err := env.confirm(yes, fmt.Sprintf("Close SaaS incident %s on %s as %s", id, c.Tenant(), category)); err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			out := c.CloseOnce(ctx, id, category)
			w := wording{unknown: "check the incident before trying again", shows: "reading the state back shows it",
				missing: "the incident is not closed as " + category + ", so it was not applied: try again"}
			if err := fail(w, out); err != nil {
				return err
			}
			env.printer(o).done("incident %s closed as %s%s", id, category, note(w, out))
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask")
	return cmd
}

func saasApps(env *Env, o *output, client saasClient) *cobra.Command {
	return &cobra.Command{
		Use:     "apps",
		Short:   "List the monitored cloud apps",
		Example: "  triage saas apps\n  triage saas apps --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			apps, err := c.Apps(env.context(cmd.Context()))
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				if apps == nil {
					apps = []saas.App{}
				}
				return p.json(apps)
			}
			rows := make([][]string, len(apps))
			for i, a := range apps {
				rows[i] = []string{string(a.ID), string(a.Name), string(a.Type)}
			}
			return p.table([]string{"ID", "NAME", "TYPE"}, rows)
		},
	}
}

func remediationType(arg string) (string, error) {
	for _, t := range saas.RemediationTypes {
		if strings.EqualFold(t.Value, arg) || strings.EqualFold(t.Label, arg) {
			return t.Value, nil
		}
	}
	return "", Usagef("remediation type %q: use system_quarantine, system_restore or remove_public_sharing", arg)
}

func saasRemediate(env *Env, o *output, client saasClient) *cobra.Command {
	var yes, inherited bool
	cmd := &cobra.Command{
		Use:   "remediate ASSET_ID TYPE",
		Short: "Start a remediation of an asset: system_quarantine, system_restore or remove_public_sharing",
		Long: "remediate starts the remediation and records it in the remediation journal, where the console's\n" +
			"Remediations tab follows it. It asks first on a terminal and needs --yes without one.",
		Example: "  triage saas remediate 61099d000001f255910606b7 system_quarantine\n" +
			"  triage saas remediate 61099d000001f255910606b7 remove_public_sharing --remove-inherited-sharing --yes",
		Args: exactArgs(2, "ASSET_ID and TYPE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			typ, err := remediationType(args[1])
			if err != nil {
				return err
			}
			if inherited && typ != saas.RemovePublicSharing {
				return Usagef("--remove-inherited-sharing only applies to remove_public_sharing")
			}
			c, err := client()
			if err != nil {
				return err
			}
			if err := env.confirm(yes, fmt.Sprintf("Start %s of asset %s on SaaS %s", typ, args[0], c.Tenant())); err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			req := saas.RemediationRequest{AssetID: args[0], Type: typ, RemoveInherited: inherited}
			started := env.now()
			out := c.RemediateOnce(ctx, req, started)
			w := wording{unknown: "the console's Remediations tab checks it until the vendor says whether it started", shows: "reading its status back shows it started",
				missing: "the vendor shows no such remediation, so it was not started: try again"}
			rec := remediations.Record{Kind: remediations.KindAsset, Vendor: "saas", Tenant: c.Tenant(), TargetID: req.AssetID, Type: req.Type,
				Params: map[string]any{"remove_inherited_sharing": req.RemoveInherited}, StartedAt: started, VendorStatus: string(out.Value.Status)}
			rec, ok := remediations.Started(rec, out, env.now())
			if !ok {
				return fail(w, out)
			}
			if jerr := env.record(rec); jerr != nil {
				if out.Class == settle.Unknown {
					return fmt.Errorf("%w, and recording it in the journal failed (%v): check its status before trying again", out.Err, jerr)
				}
				env.note("triage: the remediation started, but recording it in the journal failed: %v\n", jerr)
			}
			if err := fail(w, out); err != nil {
				return err
			}
			env.printer(o).done("%s of %s started%s; follow it with: triage saas remediation %s %s", typ, args[0], note(w, out), args[0], typ)
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask")
	cmd.Flags().BoolVar(&inherited, "remove-inherited-sharing", false, "also remove shared links on parent folders (remove_public_sharing only)")
	return cmd
}

// record adds a remediation started from the command line to the
// journal, so the console's Remediations tab follows it too.
func (e *Env) record(rec remediations.Record) error {
	set, err := e.backends()
	if err != nil {
		return err
	}
	rec.Source, rec.StartedBy = "command line", e.Analyst.Name
	_, err = remediations.New(set.Store()).Add(rec)
	return err
}

func saasRemediation(env *Env, o *output, client saasClient) *cobra.Command {
	return &cobra.Command{
		Use:     "remediation ASSET_ID TYPE",
		Short:   "Show the status of an asset's remediation",
		Example: "  triage saas remediation 61099d000001f255910606b7 system_quarantine",
		Args:    exactArgs(2, "ASSET_ID and TYPE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			typ, err := remediationType(args[1])
			if err != nil {
				return err
			}
			c, err := client()
			if err != nil {
				return err
			}
			r, err := c.RemediationStatus(env.context(cmd.Context()), args[0], typ)
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				return p.json(r)
			}
			return p.fields([2]string{"asset", string(r.AssetID)}, [2]string{"name", string(r.AssetName)},
				[2]string{"type", string(r.Type)}, [2]string{"status", string(r.Status)},
				[2]string{"by", string(r.ActionTaker)}, [2]string{"at", r.ActionDate.UTC().Format(time.RFC3339)})
		},
	}
}
