package main

import (
	"context"
	"fmt"
	"io"

	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/itm"
	"triage/backend/sim"
)

// requestCosts counts the vendor requests of an analyst's workflow the way
// the console makes them (one token per tenant for its lifetime, shared by
// every action), against a client that gets a new token for every action,
// as the SOAR connectors do.
func requestCosts(w io.Writer) error {
	s, err := sim.Start(sim.Options{Rows: 300, Clock: clock.Real{}})
	if err != nil {
		return err
	}
	defer s.Close()
	tenant := s.Config().ITM[0]
	ctx := identity.With(context.Background(), identity.Analyst{Name: "bench", Role: "responder"})
	fqids := s.ITM.FQIDs(10)

	// The workflow: list incidents, then for ten tickets open the ticket,
	// comment on it, and read it back (as the tab does after a write).
	workflow := func(client func() (*itm.Client, error)) error {
		c, err := client()
		if err != nil {
			return err
		}
		if _, err := c.Incidents(ctx, itm.Query{Limit: 500}); err != nil {
			return err
		}
		for _, f := range fqids {
			steps := []func(*itm.Client) error{
				func(c *itm.Client) error { _, err := c.Ticket(ctx, f); return err },
				func(c *itm.Client) error { return c.Comment(ctx, f, "Reviewed.", "") },
				func(c *itm.Client) error { _, err := c.Ticket(ctx, f); return err },
			}
			for _, step := range steps {
				if c, err = client(); err != nil {
					return err
				}
				if err := step(c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	opts := httpx.Options{Audit: &audit.Memory{}}
	shared, err := itm.New(tenant, opts)
	if err != nil {
		return err
	}
	before, tokensBefore := s.ITM.Requests(), s.ITM.Tokens()
	if err := workflow(func() (*itm.Client, error) { return shared, nil }); err != nil {
		return err
	}
	consoleReqs, consoleTokens := s.ITM.Requests()-before, s.ITM.Tokens()-tokensBefore
	before, tokensBefore = s.ITM.Requests(), s.ITM.Tokens()
	if err := workflow(func() (*itm.Client, error) { return itm.New(tenant, opts) }); err != nil {
		return err
	}
	perActionReqs, perActionTokens := s.ITM.Requests()-before, s.ITM.Tokens()-tokensBefore
	fmt.Fprintln(w, "Workflow: list ITM incidents, then for 10 tickets open it, comment, and read it back (31 API calls).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| client | token requests | all requests | requests per ticket |")
	fmt.Fprintln(w, "|---|---|---|---|")
	fmt.Fprintf(w, "| triage (one token per tenant per lifetime) | %d | %d | %.1f |\n", consoleTokens, consoleReqs, float64(consoleReqs-2)/10)
	fmt.Fprintf(w, "| a new token per action (SOAR connectors) | %d | %d | %.1f |\n", perActionTokens, perActionReqs, float64(perActionReqs-2)/10)
	fmt.Fprintf(w, "\nRatio: the token-per-action client makes %.2f× the requests and %d× the token requests.\n",
		float64(perActionReqs)/float64(consoleReqs), perActionTokens/max(consoleTokens, 1))
	return nil
}
