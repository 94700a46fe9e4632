package server

import (
	"strings"
	"testing"

	"triage/backend/config"
	"triage/backend/remediations"
	"triage/backend/store/storetest"
)

// TestTwoServeInstancesOnOnePostgreSQLShowTheSameRemediationHistory: two
// serve hosts behind a load balancer, each with its own state directory,
// share [state] postgres. A sender blocked over SSH on one host is in the
// journal the other reads, and its console's Remediations tab lists it.
func TestTwoServeInstancesOnOnePostgreSQLShowTheSameRemediationHistory(t *testing.T) {
	dsn := storetest.Postgres(t)
	onPostgres := func(c *config.Config) { c.State.Postgres = config.Secret(dsn) }
	first, second := start(t, onPostgres), start(t, onPostgres)
	if first.cfg.State.Dir == second.cfg.State.Dir {
		t.Fatal("the two hosts share a state directory: the test would prove nothing")
	}

	out, errs, code := first.run(first.alice, "", "triage essentials block-sender phish.example --yes")
	if code != 0 {
		t.Fatalf("block over ssh on the first host: code=%d out=%q err=%q", code, out, errs)
	}
	recs, err := remediations.New(second.srv.opts.Backends.State).List()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].TargetID != "phish.example" || recs[0].StartedBy != "alice" || recs[0].Status != remediations.Success {
		t.Fatalf("the second host's journal: %+v", recs)
	}

	// The second host's console, for another analyst, lists it.
	c := second.console(second.bob)
	c.waitFor("ITM")
	c.send("3")
	c.waitFor("phish.example")

	// And what the second host records, the first host reads.
	if out, errs, code = second.run(second.alice, "", "triage essentials allow-sender news@partner.example"); code != 0 {
		t.Fatalf("allow over ssh on the second host: code=%d out=%q err=%q", code, out, errs)
	}
	recs, err = remediations.New(first.srv.opts.Backends.State).List()
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, r := range recs {
		targets = append(targets, r.TargetID)
	}
	if strings.Join(targets, " ") != "news@partner.example phish.example" {
		t.Fatalf("the first host's journal, newest first: %v", targets)
	}
}
