package cli

import (
	"slices"
	"strings"
	"testing"

	"triage/backend/remediations"
	"triage/backend/sim"
)

func (h *harness) journal() []remediations.Record {
	h.t.Helper()
	recs, err := remediations.Open(h.cfg.State.Dir).List()
	if err != nil {
		h.t.Fatal(err)
	}
	return recs
}

func TestEssentialsBlockAndAllowSenders(t *testing.T) {
	h := newHarness(t, 20, nil)
	_, errs, code := h.run("", "essentials", "block-sender", "phish.example")
	if code != 2 || !strings.Contains(errs, "Block phish.example on the organisation's block list (everyone at acme.example) at Essentials demo: refusing without --yes") {
		t.Fatalf("no terminal, no --yes: %d %q", code, errs)
	}
	if _, block := h.sim.Essentials.Senders(""); slices.Contains(block, "phish.example") || len(h.journal()) != 0 {
		t.Fatal("blocked without confirmation")
	}
	_, errs, code = h.run("", "essentials", "block-sender", "phish.example", "--yes")
	if code != 0 || !strings.Contains(errs, "blocked phish.example on the organisation's block list") {
		t.Fatalf("block: %d %q", code, errs)
	}
	if _, block := h.sim.Essentials.Senders(""); !slices.Contains(block, "phish.example") {
		t.Fatalf("organisation's block list %v", block)
	}
	// Allowing is not destructive; one user's list.
	if _, errs, code = h.run("", "essentials", "allow-sender", "news@partner.example", "--user", li); code != 0 {
		t.Fatalf("allow: %d %q", code, errs)
	}
	if allow, _ := h.sim.Essentials.Senders(li); !slices.Contains(allow, "news@partner.example") {
		t.Fatalf("%s's allow list %v", li, allow)
	}
	// Both are in the journal as the console records them, for tab 3.
	recs := h.journal()
	if len(recs) != 2 {
		t.Fatalf("journal %+v", recs)
	}
	for _, r := range recs {
		if r.Kind != remediations.KindSender || r.Vendor != "essentials" || r.Tenant != "demo" || r.Status != remediations.Success ||
			r.StartedBy != "alice" || r.Source != "command line" {
			t.Fatalf("record %+v", r)
		}
	}
	if recs[1].Type != "block_list" || recs[1].Params["scope"] != "organisation" || recs[0].Type != "allow_list" || recs[0].Params["scope"] != li {
		t.Fatalf("records %+v", recs)
	}
	es := h.audit.Entries()
	if len(es) != 2 || es[0].Action != "essentials.block_sender" || es[1].Action != "essentials.allow_sender" {
		t.Fatalf("audit %+v", es)
	}
}

func TestEssentialsUsageAndVendorErrors(t *testing.T) {
	h := newHarness(t, 20, nil)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"essentials"}, 2, "essentials needs a command: allow-sender, block-sender"},
		{[]string{"essentials", "block-sender"}, 2, "block-sender needs SENDER"},
		{[]string{"essentials", "block-sender", "not a sender", "--yes"}, 2, `"not a sender" is not an email address or a domain`},
		{[]string{"essentials", "allow-sender", "partner.example", "--user", "li.chen"}, 2, `--user "li.chen" is not an email address`},
		{[]string{"essentials", "allow-sender", "partner.example", "--tenant", "eu"}, 2, `no Essentials tenant named "eu"`},
		{[]string{"essentials", "allow-sender", "partner.example", "--user", "nobody@acme.example"}, 1, "Essentials demo: 404"},
	}
	for _, c := range cases {
		_, errs, code := h.run("", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: code %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if len(h.journal()) != 0 {
		t.Fatal("a failure was recorded as done")
	}
}

func TestEssentialsLostAnswersAreReadBack(t *testing.T) {
	t.Parallel() // the failed read-back waits out its retries' backoff
	h := newHarness(t, 20, nil)
	post := "POST /api/v1/orgs/acme.example/sender-lists"
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/sender-lists", Method: "POST", DropAfter: true, Times: 1})
	if _, errs, code := h.run("", "essentials", "block-sender", "bulk.example", "--yes"); code != 0 || h.sim.Essentials.Count(post) != 1 {
		t.Fatalf("lost and applied: %d %q, %d POSTs", code, errs, h.sim.Essentials.Count(post))
	}
	if recs := h.journal(); len(recs) != 1 || recs[0].Status != remediations.Success || !strings.Contains(recs[0].Detail, "reading the list back shows the sender on it") {
		t.Fatalf("journal %+v", recs)
	}
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/sender-lists", Method: "POST", Drop: true, Times: 1})
	_, errs, code := h.run("", "essentials", "block-sender", "other.example", "--yes")
	if code != 1 || !strings.Contains(errs, "reading the list back shows it unchanged, so it was not applied") || len(h.journal()) != 1 {
		t.Fatalf("lost and not applied: %d %q", code, errs)
	}
	// Lost, and the list cannot be read back either: recorded as unknown,
	// which the Remediations tab checks until the list says.
	h.sim.Essentials.Inject(&sim.Fault{Path: "/api/v1/orgs/acme.example/sender-lists", Drop: true})
	_, errs, code = h.run("", "essentials", "block-sender", "third.example", "--yes")
	if code != 1 || !strings.Contains(errs, "reading back failed too") {
		t.Fatalf("lost, read back failed: %d %q", code, errs)
	}
	if recs := h.journal(); len(recs) != 2 || recs[0].Status != remediations.Unknown || recs[0].TargetID != "third.example" {
		t.Fatalf("journal %+v", recs)
	}
}

func TestEssentialsUserIsOnePathSegment(t *testing.T) {
	h := newHarness(t, 20, nil)
	_, errs, code := h.run("", "essentials", "allow-sender", "escape.example", "--user", "../../x@acme.example")
	if code != 1 || !strings.Contains(errs, "404") || !strings.Contains(errs, "/users/..%2F..%2Fx@acme.example/sender-lists") {
		t.Fatalf("code %d: %s", code, errs)
	}
	if allow, _ := h.sim.Essentials.Senders(""); slices.Contains(allow, "escape.example") {
		t.Fatal("the organisation's list was changed")
	}
}
