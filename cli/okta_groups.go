package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"triage/backend/okta"
	"triage/backend/settle"
)

// The group and assignment verbs of `triage okta`: groups lists and
// searches, group-add and group-remove change a membership, assign and
// unassign a person's direct assignment to an app. The writes ask first on
// a terminal (--yes without one), are refused for the read-only role and
// recorded in the audit log by the client.

func oktaGroups(env *Env, o *output, client oktaClient) *cobra.Command {
	var query string
	var limit int
	cmd := &cobra.Command{
		Use:     "groups",
		Short:   "List groups, or those whose name starts with --query (every page unless --limit)",
		Example: "  triage okta groups --query 'VPN'\n  triage okta groups --limit 20 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return Usagef("--limit %d: give a positive number", limit)
			}
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			groups, err := pages(limit, func(next string) (okta.Page[okta.Group], error) {
				return c.Groups(ctx, okta.GroupQuery{Q: query, Limit: pageSize(limit, 200)}, next)
			})
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				return p.json(raws(groups, func(g *okta.Group) json.RawMessage { return g.Raw }))
			}
			rows := make([][]string, len(groups))
			for i, g := range groups {
				rows[i] = []string{string(g.ID), string(g.Profile.Name), string(g.Type), stamp(g.LastMembershipUpdated.Time), string(g.Profile.Description)}
			}
			return p.table([]string{"ID", "NAME", "TYPE", "MEMBERSHIP UPDATED", "DESCRIPTION"}, rows)
		},
	}
	cmd.Flags().StringVar(&query, "query", "", "the group's name starts with")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many groups (default: all)")
	return cmd
}

// who names a user for a confirmation: "Li Chen <li.chen@acme.example>".
func who(u *okta.User) string {
	if n := u.Profile.Name(); n != "" {
		return n + " <" + u.Login() + ">"
	}
	return u.Login()
}

// membership is one of the four writes, described for its command.
type membership struct {
	use, short, long, example string
	target                    string // what the first argument is: "GROUP_ID" or "APP_ID"
	// name looks the group or app up (an unknown id fails here, before
	// anything is asked) and returns what the confirmation calls it.
	name func(ctx context.Context, c *okta.Client, id string) (string, error)
	ask  string // the confirmation, given the person and the target's name: "Add %s to group %s"
	done string // the note when done: "%s added to group %s"
	// send makes the write (its method expression): c, then the target's and the user's ids.
	send func(c *okta.Client, ctx context.Context, id, user string) settle.Outcome[bool]
}

func groupName(ctx context.Context, c *okta.Client, id string) (string, error) {
	g, err := c.Group(ctx, id)
	if err != nil {
		return "", err
	}
	return string(g.Profile.Name), nil
}

func appName(ctx context.Context, c *okta.Client, id string) (string, error) {
	a, err := c.App(ctx, id)
	if err != nil {
		return "", err
	}
	return string(a.Label), nil
}

var memberships = []membership{
	{
		use: "group-add GROUP_ID USER", short: "Add a person to a group (USER: a login or an id; asks first)",
		long:    "group-add makes the person a member of the group (Okta's PUT /api/v1/groups/{groupId}/users/{userId}). Okta manages the members of OKTA_GROUP groups only. Adding a member again changes nothing. It asks first on a terminal and needs --yes without one.",
		example: "  triage okta group-add 00g1abcd2EFGH3ijk4l5 li.chen@acme.example\n  triage okta group-add 00g1abcd2EFGH3ijk4l5 00u1abcd2EFGH3ijk4l5 --yes",
		target:  "GROUP_ID", name: groupName, ask: "Add %s to Okta group %s", done: "%s added to group %s",
		send: (*okta.Client).AddToGroupOnce,
	},
	{
		use: "group-remove GROUP_ID USER", short: "Remove a person from a group (USER: a login or an id; asks first)",
		long:    "group-remove ends the person's membership of the group (Okta's DELETE /api/v1/groups/{groupId}/users/{userId}); apps the group granted go with it. Removing someone who is not a member changes nothing. It asks first on a terminal and needs --yes without one.",
		example: "  triage okta group-remove 00g1abcd2EFGH3ijk4l5 li.chen@acme.example --yes",
		target:  "GROUP_ID", name: groupName, ask: "Remove %s from Okta group %s", done: "%s removed from group %s",
		send: (*okta.Client).RemoveFromGroupOnce,
	},
	{
		use: "assign APP_ID USER", short: "Assign a person to an application directly (USER: a login or an id; asks first)",
		long:    "assign gives the person the app with a direct (USER) assignment (Okta's POST /api/v1/apps/{appId}/users). Assigning again changes nothing. It asks first on a terminal and needs --yes without one.",
		example: "  triage okta assign 0oa1abcd2EFGH3ijk4l5 li.chen@acme.example\n  triage okta assign 0oa1abcd2EFGH3ijk4l5 li.chen@acme.example --yes --json",
		target:  "APP_ID", name: appName, ask: "Assign %s to Okta app %s", done: "%s assigned to %s",
		send: (*okta.Client).AssignUserOnce,
	},
	{
		use: "unassign APP_ID USER", short: "Remove a person's direct assignment to an application (asks first)",
		long: "unassign removes the person's assignment (Okta's DELETE /api/v1/apps/{appId}/users/{userId}). It is destructive: the app profile is lost and a provisioning app may deactivate them there. " +
			"Okta refuses it (403 E0000046) while one of their groups grants the app: remove them from that group instead. It asks first on a terminal and needs --yes without one.",
		example: "  triage okta unassign 0oa1abcd2EFGH3ijk4l5 li.chen@acme.example --yes",
		target:  "APP_ID", name: appName, ask: "Unassign %s from Okta app %s", done: "%s unassigned from %s",
		send: (*okta.Client).UnassignUserOnce,
	},
}

func oktaMembership(env *Env, o *output, client oktaClient, m membership) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use: m.use, Short: m.short, Long: m.long, Example: m.example,
		Args: exactArgs(2, m.target+" and USER (a login or an id)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			target, err := m.name(ctx, c, args[0])
			if err != nil {
				return err
			}
			u, err := c.User(ctx, args[1])
			if err != nil {
				return err
			}
			id, person := string(u.ID), who(u)
			what := fmt.Sprintf("%s (%s)", target, args[0])
			// A read-only analyst is not asked: the client refuses and
			// audits the write without sending it.
			if env.Analyst.CanWrite() {
				if err := env.confirm(yes, fmt.Sprintf(m.ask, person, what)+" on "+c.Tenant()); err != nil {
					return err
				}
			}
			out := m.send(c, ctx, args[0], id)
			if err := fail(accountWords, out); err != nil {
				return err
			}
			if o.json {
				return env.printer(o).json(map[string]any{"tenant": c.Tenant(), "target_id": args[0], "target": target, "user_id": id,
					"login": u.Login(), "done": true})
			}
			env.printer(o).done(m.done+"%s", person, what, note(accountWords, out))
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask")
	return cmd
}
