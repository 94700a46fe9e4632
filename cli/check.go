package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func checkCommand(env *Env) *cobra.Command {
	var o output
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Test connectivity and credentials of every configured tenant",
		Long:  "check gets a token (or makes the cheapest authenticated call) for every tenant at once and prints one line per tenant. It exits 1 if any failed.",
		Example: "  triage check\n" +
			"  triage check --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := env.backends()
			if err != nil {
				return err
			}
			// What the config's author should fix (a secret in clear that
			// others can read, an audit log that cannot be written) is
			// part of what check checks: the console's status line shows
			// it only until the next message.
			for _, w := range set.Config.Warnings {
				env.note("triage: warning: %s\n", w)
			}
			env.warned = true
			tenants := set.Tenants()
			if len(tenants) == 0 {
				return Usagef("no tenants are configured")
			}
			type result struct {
				Vendor    string `json:"vendor"`
				Tenant    string `json:"tenant"`
				OK        bool   `json:"ok"`
				Error     string `json:"error,omitempty"`
				Found     string `json:"found,omitempty"` // e.g. the Essentials stack found from the domain
				LatencyMS int64  `json:"latency_ms"`
			}
			results := make([]result, len(tenants))
			atOnce(len(tenants), func(i int) {
				t := tenants[i]
				ctx, cancel := context.WithTimeout(env.context(cmd.Context()), 30*time.Second)
				defer cancel()
				start := time.Now()
				err := t.Check(ctx)
				results[i] = result{Vendor: t.Vendor, Tenant: t.Name, OK: err == nil, LatencyMS: time.Since(start).Milliseconds()}
				if err != nil {
					results[i].Error = Message(err)
				}
				if t.Found != nil {
					results[i].Found = t.Found()
				}
			})
			p := env.printer(&o)
			var failed []string
			rows := make([][]string, len(results))
			for i, r := range results {
				status := "OK"
				if r.Found != "" {
					status += ": " + r.Found
				}
				if !r.OK {
					status, failed = r.Error, append(failed, r.Error)
				}
				rows[i] = []string{r.Vendor, r.Tenant, status, fmt.Sprintf("%dms", r.LatencyMS)}
			}
			if o.json {
				err = p.json(results)
			} else {
				err = p.table([]string{"VENDOR", "TENANT", "STATUS", "LATENCY"}, rows)
			}
			if err != nil {
				return err
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d of %d tenants failed: %s", len(failed), len(results), strings.Join(failed, "; "))
			}
			return nil
		},
	}
	o.flags(cmd)
	return cmd
}

// confirm asks before a destructive action. Without a terminal to ask on,
// it refuses unless --yes was given.
func (e *Env) confirm(yes bool, action string) error {
	if yes {
		return nil
	}
	if !e.InTTY {
		return Usagef("%s: refusing without --yes (there is no terminal to confirm on)", action)
	}
	e.note("%s? [y/N] ", action)
	line, _ := bufio.NewReader(e.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("%s: cancelled", action)
}
