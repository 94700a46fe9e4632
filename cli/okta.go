package cli

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"triage/backend/clock"
	"triage/backend/okta"
)

type oktaClient func() (*okta.Client, error)

func oktaCommand(env *Env) *cobra.Command {
	o := &output{}
	cmd := group(&cobra.Command{
		Use:     "okta",
		Short:   "Okta: applications, assignments, groups and the System Log",
		Example: "  triage okta user-apps li.chen@acme.example\n  triage okta logs --since 24h --query 'password reset'",
	})
	o.flags(cmd)
	client := func() (*okta.Client, error) {
		set, err := env.backends()
		if err != nil {
			return nil, err
		}
		names := make([]string, len(set.Okta))
		for i, c := range set.Okta {
			names[i] = c.Tenant()
		}
		i, err := pickTenant("Okta", o.tenant, names)
		if err != nil {
			return nil, err
		}
		return set.Okta[i], nil
	}
	cmd.AddCommand(oktaApps(env, o, client), oktaAppUsers(env, o, client), oktaUserApps(env, o, client),
		oktaAssignment(env, o, client), oktaLogs(env, o, client), oktaGroups(env, o, client), oktaGroup(env, o, client))
	for _, m := range memberships {
		cmd.AddCommand(oktaMembership(env, o, client, m))
	}
	return cmd
}

// raws turns objects that keep their vendor JSON into a JSON array of it.
func raws[T any](items []T, raw func(*T) json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(items))
	for i := range items {
		if r := raw(&items[i]); len(r) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// pages reads every page of an Okta list, up to limit items (0: all).
func pages[T any](limit int, get func(next string) (okta.Page[T], error)) ([]T, error) {
	var all []T
	next := ""
	for {
		p, err := get(next)
		if err != nil {
			return all, err
		}
		all = append(all, p.Items...)
		if p.Next == "" || len(p.Items) == 0 || (limit > 0 && len(all) >= limit) {
			break
		}
		next = p.Next
	}
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// pageSize is the page to ask for: Okta's largest, most, or fewer when
// --limit wants fewer, so `--limit 5` sends limit=5.
func pageSize(limit, most int) int {
	if limit > 0 && limit < most {
		return limit
	}
	return most
}

func oktaApps(env *Env, o *output, client oktaClient) *cobra.Command {
	var query string
	var limit int
	cmd := &cobra.Command{
		Use:     "apps",
		Short:   "List applications (every page unless --limit)",
		Example: "  triage okta apps --query Sales\n  triage okta apps --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			apps, err := pages(limit, func(next string) (okta.Page[okta.App], error) {
				return c.Apps(ctx, okta.AppQuery{Q: query, Limit: pageSize(limit, 200)}, next)
			})
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				return p.json(raws(apps, func(a *okta.App) json.RawMessage { return a.Raw }))
			}
			rows := make([][]string, len(apps))
			for i, a := range apps {
				rows[i] = []string{string(a.ID), string(a.Label), string(a.Name), string(a.Status), string(a.SignOnMode),
					stamp(a.Created.Time), stamp(a.LastUpdated.Time)}
			}
			return p.table([]string{"ID", "LABEL", "NAME", "STATUS", "SIGN-ON", "CREATED", "UPDATED"}, rows)
		},
	}
	cmd.Flags().StringVar(&query, "query", "", "name or label starts with")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many apps (default: all)")
	return cmd
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func oktaAppUsers(env *Env, o *output, client oktaClient) *cobra.Command {
	return &cobra.Command{
		Use:     "app-users APP_ID",
		Short:   "List the people assigned to an application",
		Example: "  triage okta app-users 0oa1abcd2EFGH3ijk4l5",
		Args:    exactArgs(1, "APP_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			users, err := pages(0, func(next string) (okta.Page[okta.AppUser], error) {
				return c.AppUsers(ctx, args[0], 500, next)
			})
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				return p.json(raws(users, func(u *okta.AppUser) json.RawMessage { return u.Raw }))
			}
			rows := make([][]string, len(users))
			for i, u := range users {
				rows[i] = []string{string(u.ID), string(u.Credentials.UserName), string(u.Scope), string(u.Status), stamp(u.LastUpdated.Time)}
			}
			return p.table([]string{"USER ID", "USERNAME", "SCOPE", "STATUS", "UPDATED"}, rows)
		},
	}
}

// userID resolves a login or short name to the user's id.
func userID(ctx context.Context, c *okta.Client, idOrLogin string) (string, error) {
	if !strings.Contains(idOrLogin, "@") {
		return idOrLogin, nil
	}
	u, err := c.User(ctx, idOrLogin)
	if err != nil {
		return "", err
	}
	return string(u.ID), nil
}

func oktaUserApps(env *Env, o *output, client oktaClient) *cobra.Command {
	return &cobra.Command{
		Use:     "user-apps USER",
		Short:   "List a person's applications (USER is an id or a login)",
		Example: "  triage okta user-apps li.chen@acme.example",
		Args:    exactArgs(1, "USER (an id or a login)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			id, err := userID(ctx, c, args[0])
			if err != nil {
				return err
			}
			links, err := c.UserAppLinks(ctx, id)
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				if links == nil {
					links = []okta.AppLink{}
				}
				return p.json(links)
			}
			rows := make([][]string, len(links))
			for i, l := range links {
				rows[i] = []string{string(l.AppInstanceID), string(l.Label), string(l.AppName), string(l.LinkURL)}
			}
			return p.table([]string{"APP ID", "LABEL", "APP", "LINK"}, rows)
		},
	}
}

func oktaAssignment(env *Env, o *output, client oktaClient) *cobra.Command {
	return &cobra.Command{
		Use:   "assignment APP_ID USER_ID",
		Short: "Say whether a person is assigned to an application (USER_ID may be a login)",
		Long:  "assignment prints assigned or not assigned; either answer exits 0. Okta answers 404 for \"not assigned\".",
		Example: "  triage okta assignment 0oa1abcd2EFGH3ijk4l5 li.chen@acme.example\n" +
			"  triage okta assignment 0oa1abcd2EFGH3ijk4l5 00u1abcd2EFGH3ijk4l5 --json",
		Args: exactArgs(2, "APP_ID and USER_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			id, err := userID(ctx, c, args[1])
			if err != nil {
				return err
			}
			au, assigned, err := c.Assignment(ctx, args[0], id)
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				out := map[string]any{"app_id": args[0], "user_id": id, "assigned": assigned}
				if assigned {
					out["assignment"] = au.Raw
				}
				return p.json(out)
			}
			if !assigned {
				return p.fields([2]string{"assigned", "no"}, [2]string{"app", args[0]}, [2]string{"user", id})
			}
			return p.fields([2]string{"assigned", "yes"}, [2]string{"app", args[0]}, [2]string{"user", id},
				[2]string{"scope", string(au.Scope)}, [2]string{"status", string(au.Status)})
		},
	}
}

func oktaLogs(env *Env, o *output, client oktaClient) *cobra.Command {
	var q okta.LogQuery
	var since, until, sort string
	var limit int
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "System Log events (every page until Okta's empty page, unless --limit)",
		Example: "  triage okta logs --since 24h --filter 'actor.alternateId eq \"li.chen@acme.example\"'\n" +
			"  triage okta logs --query 'password reset' --sort desc --limit 100 --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if since != "" {
				if q.Since, err = clock.ParseWhen(since, env.now()); err != nil {
					return Usage(err)
				}
			}
			if until != "" {
				if q.Until, err = clock.ParseWhen(until, env.now()); err != nil {
					return Usage(err)
				}
			}
			switch strings.ToLower(sort) {
			case "asc", "ascending", "":
			case "desc", "descending":
				q.Descending = true
			default:
				return Usagef("--sort %q: use asc or desc", sort)
			}
			q.Limit = 1000
			if limit > 0 {
				q.Limit = min(limit, 1000)
			}
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			var events []okta.LogEvent
			next := ""
			for {
				page, err := c.Logs(ctx, q, next)
				if err != nil {
					return err
				}
				events = append(events, page.Events...)
				if !page.More || (limit > 0 && len(events) >= limit) {
					break
				}
				next = page.Next
			}
			if limit > 0 && len(events) > limit {
				events = events[:limit]
			}
			p := env.printer(o)
			if o.json {
				return p.json(raws(events, func(e *okta.LogEvent) json.RawMessage { return e.Raw }))
			}
			rows := make([][]string, len(events))
			for i, e := range events {
				var targets []string
				for _, t := range e.Target {
					targets = append(targets, t.Label())
				}
				outcome := string(e.Outcome.Result)
				if e.Outcome.Reason != "" {
					outcome += ": " + string(e.Outcome.Reason)
				}
				rows[i] = []string{stamp(e.Published.Time), string(e.Severity), string(e.EventType), e.Actor.Label(), outcome,
					string(e.Client.IPAddress), e.Client.GeographicalContext.Place(), strings.Join(targets, ", "), string(e.DisplayMessage)}
			}
			return p.table([]string{"PUBLISHED", "SEVERITY", "EVENT TYPE", "ACTOR", "OUTCOME", "IP", "PLACE", "TARGETS", "MESSAGE"}, rows)
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Filter, "filter", "", `SCIM filter, e.g. eventType eq "user.session.start"`)
	f.StringVar(&q.Keywords, "query", "", "keywords (q)")
	f.StringVar(&since, "since", "", "since: a duration (24h, 7d) or a time (Okta's default: 7 days)")
	f.StringVar(&until, "until", "", "until: a duration ago or a time")
	f.StringVar(&sort, "sort", "asc", "asc (oldest first) or desc")
	f.IntVar(&limit, "limit", 0, "at most this many events (default: all)")
	return cmd
}

func oktaGroup(env *Env, o *output, client oktaClient) *cobra.Command {
	var members bool
	cmd := &cobra.Command{
		Use:     "group GROUP_ID",
		Short:   "Show a group, and with --members its members",
		Example: "  triage okta group 00g1abcd2EFGH3ijk4l5 --members",
		Args:    exactArgs(1, "GROUP_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			g, err := c.Group(ctx, args[0])
			if err != nil {
				return err
			}
			var users []okta.User
			if members {
				if users, err = pages(0, func(next string) (okta.Page[okta.User], error) {
					return c.GroupMembers(ctx, args[0], 500, next)
				}); err != nil {
					return err
				}
			}
			p := env.printer(o)
			if o.json {
				out := map[string]any{"group": g.Raw}
				if members {
					out["members"] = raws(users, func(u *okta.User) json.RawMessage { return u.Raw })
				}
				return p.json(out)
			}
			if !members {
				return p.fields([2]string{"id", string(g.ID)}, [2]string{"name", string(g.Profile.Name)},
					[2]string{"description", string(g.Profile.Description)}, [2]string{"type", string(g.Type)},
					[2]string{"membership updated", stamp(g.LastMembershipUpdated.Time)})
			}
			rows := make([][]string, len(users))
			for i, u := range users {
				rows[i] = []string{string(u.ID), u.Login(), u.Profile.Get("firstName") + " " + u.Profile.Get("lastName"), string(u.Status)}
			}
			return p.table([]string{"USER ID", "LOGIN", "NAME", "STATUS"}, rows)
		},
	}
	cmd.Flags().BoolVar(&members, "members", false, "list the group's members")
	return cmd
}
