package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/itm"
)

func itmCommand(env *Env) *cobra.Command {
	o := &output{}
	cmd := group(&cobra.Command{
		Use:     "itm",
		Short:   "Proofpoint ITM incidents: list, show, raw email, comment, assign, set status, users",
		Example: "  triage itm tickets --since 24h\n  triage itm show 318f804455445698-email:pps --json",
	})
	o.flags(cmd)
	client := func() (*itm.Client, error) {
		set, err := env.backends()
		if err != nil {
			return nil, err
		}
		names := make([]string, len(set.ITM))
		for i, c := range set.ITM {
			names[i] = c.Tenant()
		}
		i, err := pickTenant("ITM", o.tenant, names)
		if err != nil {
			return nil, err
		}
		return set.ITM[i], nil
	}
	cmd.AddCommand(itmTickets(env, o, client), itmShow(env, o, client), itmEmail(env, client),
		itmComment(env, o, client), itmAssign(env, o, client), itmStatus(env, o, client), itmUsers(env, o, client))
	return cmd
}

type itmClient func() (*itm.Client, error)

func itmTickets(env *Env, o *output, client itmClient) *cobra.Command {
	var since, status, severity, person string
	var limit int
	cmd := &cobra.Command{
		Use:   "tickets",
		Short: "List incidents, newest first (every page unless --limit)",
		Example: "  triage itm tickets --since 24h --status new,in-progress\n" +
			"  triage itm tickets --severity critical --json | jq '.[].fqid'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			q := itm.Query{Statuses: splitList(status), Severities: splitList(severity), People: splitList(person)}
			if since != "" {
				if q.Since, err = clock.ParseWhen(since, env.now()); err != nil {
					return Usage(fmt.Errorf("--since: %w", err))
				}
			}
			ctx := env.context(cmd.Context())
			// Severity is filtered on each page, not by the server (its
			// values carry a tenant's score: incident:severity:850:critical,
			// PPAPP formatSeverity), so a page may hold fewer matches than
			// it has rows: whole pages are read until --limit rows match.
			var tickets []itm.Ticket
			for {
				q.Limit = 500
				if limit > 0 && len(q.Severities) == 0 {
					q.Limit = min(500, limit-len(tickets))
				}
				page, err := c.Incidents(ctx, q)
				if err != nil {
					return err
				}
				tickets = append(tickets, page.Tickets...)
				if !page.More || (limit > 0 && len(tickets) >= limit) {
					break
				}
				q.Offset += q.Limit // More: the page was full
			}
			if limit > 0 && len(tickets) > limit {
				tickets = tickets[:limit]
			}
			p := env.printer(o)
			if o.json {
				return p.json(tickets)
			}
			rows := make([][]string, len(tickets))
			for i := range tickets {
				t := &tickets[i]
				rows[i] = []string{t.Observed().UTC().Format(time.RFC3339), itm.ParseSeverity(string(t.Incident.Severity)).Word,
					itm.StatusName(string(t.Incident.Status)), string(t.Incident.Name), t.Person(), t.Subject(), t.Key()}
			}
			return p.table([]string{"OBSERVED", "SEVERITY", "STATUS", "INCIDENT", "USER", "SUBJECT", "FQID"}, rows)
		},
	}
	f := cmd.Flags()
	f.StringVar(&since, "since", "30d", "observed since: a duration (24h, 7d) or a time (2026-11-01)")
	f.StringVar(&status, "status", "", "statuses, comma-separated (new, in-progress, escalated, on-hold, resolved, ...)")
	f.StringVar(&severity, "severity", "", "severities, comma-separated (critical, high, medium, low)")
	f.StringVar(&person, "person", "", "emails of the incident's user or message sender, comma-separated")
	f.IntVar(&limit, "limit", 0, "at most this many incidents (default: all)")
	return cmd
}

func itmShow(env *Env, o *output, client itmClient) *cobra.Command {
	return &cobra.Command{
		Use:     "show FQID",
		Short:   "Show one incident",
		Example: "  triage itm show 318f804455445698-email:pps\n  triage itm show 318f804455445698-email:pps --json",
		Args:    exactArgs(1, "FQID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			t, err := c.Ticket(env.context(cmd.Context()), args[0])
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				return p.json(t.Raw)
			}
			var comments []string
			for _, cm := range t.Annotations.Comments {
				comments = append(comments, string(cm.Text))
			}
			var msgs []string
			for _, m := range t.Messages {
				msgs = append(msgs, fmt.Sprintf("%s from %s", m.Subject, m.Sender.Email))
			}
			return p.fields(
				[2]string{"fqid", t.Key()},
				[2]string{"incident", string(t.Incident.Name)},
				[2]string{"severity", itm.ParseSeverity(string(t.Incident.Severity)).Word},
				[2]string{"status", itm.StatusName(string(t.Incident.Status))},
				[2]string{"observed", t.Observed().UTC().Format(time.RFC3339)},
				[2]string{"user", t.Person()},
				[2]string{"assignee", t.Assignee()},
				[2]string{"messages", strings.Join(msgs, "; ")},
				[2]string{"comments", strings.Join(comments, " | ")},
			)
		},
	}
}

func itmEmail(env *Env, client itmClient) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "email FQID",
		Short: "Print the incident's raw message (RFC 822) on stdout",
		Long: `email prints the message as stored, cleaned of terminal controls (escape
sequences, control characters, bidi overrides), locally and over SSH.

--raw prints it byte for byte, for evidence, to a file or a pipe; it is
refused when stdout is a terminal (and over SSH with -t). Over SSH without
-t, triage cannot tell where the bytes go: redirect them.`,
		Example: "  triage itm email 318f804455445698-email:pps | less\n" +
			"  triage itm email 318f804455445698-email:pps --raw > message.eml\n" +
			"  ssh jump triage itm email 318f804455445698-email:pps --raw > message.eml",
		Args: exactArgs(1, "FQID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			const example = "triage itm email FQID --raw > message.eml"
			if raw {
				if err := env.rawAllowed(example); err != nil {
					return err
				}
			}
			c, err := client()
			if err != nil {
				return err
			}
			msg, err := c.RawMessage(env.context(cmd.Context()), args[0])
			if err != nil {
				return err
			}
			if raw {
				return env.raw(msg, example)
			}
			return env.text(string(msg))
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "the message byte for byte, escape sequences included (not to a terminal)")
	return cmd
}

func itmComment(env *Env, o *output, client itmClient) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:   "comment FQID TEXT|-",
		Short: `Add a comment ("-" reads the text from stdin)`,
		Example: "  triage itm comment 318f804455445698-email:pps 'Confirmed with the manager.'\n" +
			"  echo 'Escalated to legal' | triage itm comment 318f804455445698-email:pps -",
		Args: exactArgs(2, "FQID and TEXT (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := args[1]
			if text == "-" {
				b, err := io.ReadAll(io.LimitReader(env.In, 1<<20))
				if err != nil {
					return err
				}
				text = strings.TrimRight(string(b), "\n")
			}
			if strings.TrimSpace(text) == "" {
				return Usagef("the comment is empty")
			}
			c, err := client()
			if err != nil {
				return err
			}
			out := c.CommentOnce(env.context(cmd.Context()), args[0], text, kind)
			w := wording{unknown: "check the ticket before sending again", shows: "reading the ticket back shows it",
				missing: "the ticket does not show it, so it was not applied: send it again"}
			if err := fail(w, out); err != nil {
				return err
			}
			env.printer(o).done("comment added to %s%s", args[0], note(w, out))
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", itm.DefaultCommentKind, "comment kind")
	return cmd
}

func itmAssign(env *Env, o *output, client itmClient) *cobra.Command {
	return &cobra.Command{
		Use:     "assign FQID ASSIGNEE_ID",
		Short:   "Make ASSIGNEE_ID the owner of the incident",
		Example: "  triage itm assign 318f804455445698-email:pps u-soc-002\n  triage itm users --alias 'sam*'   # find the id",
		Args:    exactArgs(2, "FQID and ASSIGNEE_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			ctx := env.context(cmd.Context())
			out := c.AssignOnce(ctx, args[0], args[1])
			if err := fail(ticketChange, out); err != nil {
				return err
			}
			env.printer(o).done("%s assigned to %s%s", args[0], args[1], note(ticketChange, out))
			return nil
		},
	}
}

func itmStatus(env *Env, o *output, client itmClient) *cobra.Command {
	var category, assignee string
	cmd := &cobra.Command{
		Use:   "status FQID STATUS_ID",
		Short: "Set the incident's workflow status (an id, or a title from the config's statuses)",
		Example: "  triage itm status 318f804455445698-email:pps 3e37bcdb-0005-4c1e-9a51-2f0c6d1b7a05\n" +
			"  triage itm status 318f804455445698-email:pps Resolved --assignee u-soc-002",
		Args: exactArgs(2, "FQID and STATUS_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			change := statusChange(c.Statuses(), args[1])
			change.Category, change.Assignee = category, assignee
			ctx := env.context(cmd.Context())
			out := c.SetStatusOnce(ctx, args[0], change)
			if err := fail(ticketChange, out); err != nil {
				return err
			}
			env.printer(o).done("%s status set to %s%s", args[0], strings.TrimSpace(change.Title+" "+change.ID), note(ticketChange, out))
			return nil
		},
	}
	cmd.Flags().StringVar(&category, "category", "", "disposition category")
	cmd.Flags().StringVar(&assignee, "assignee", "", "also assign to this id")
	return cmd
}

// ticketChange words the outcome of an assignment or a status change.
var ticketChange = wording{unknown: "check the ticket before trying again", shows: "reading the ticket back shows it",
	missing: "the ticket does not show the change, so it was not applied: try again"}

// statusChange resolves a status given as an id or a configured title.
func statusChange(statuses []config.Status, arg string) itm.StatusChange {
	for _, s := range statuses {
		if s.ID == arg || strings.EqualFold(s.Title, arg) {
			return itm.StatusChange{ID: s.ID, Title: s.Title}
		}
	}
	return itm.StatusChange{ID: arg}
}

func itmUsers(env *Env, o *output, client itmClient) *cobra.Command {
	var q itm.UserQuery
	cmd := &cobra.Command{
		Use:     "users",
		Short:   "List ITM users (the people incidents can be assigned to)",
		Example: "  triage itm users --alias 'li*'\n  triage itm users --status active --limit 50 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			users, err := c.Users(env.context(cmd.Context()), q)
			if err != nil {
				return err
			}
			p := env.printer(o)
			if o.json {
				if users == nil {
					users = []itm.User{}
				}
				return p.json(users)
			}
			rows := make([][]string, len(users))
			for i, u := range users {
				rows[i] = []string{string(u.ID), string(u.Alias), string(u.Email), strings.TrimSpace(string(u.FirstName + " " + u.LastName)), string(u.Status)}
			}
			return p.table([]string{"ID", "ALIAS", "EMAIL", "NAME", "STATUS"}, rows)
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Alias, "alias", "", "username or email; * wildcards allowed")
	f.StringVar(&q.Status, "status", "", "statuses, comma-separated (active, inactive, pending, deleted, error)")
	f.IntVar(&q.Limit, "limit", 100, "page size")
	f.IntVar(&q.Offset, "offset", 0, "first user to list")
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// exactArgs is cobra.ExactArgs with a usage error that names the arguments.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return Usagef("%s needs %s (see %s --help)", cmd.Name(), what, cmd.CommandPath())
		}
		return nil
	}
}
