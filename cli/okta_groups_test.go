package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/identity"
)

func TestOktaGroupsSearchAndLimit(t *testing.T) {
	h := newHarness(t, 200, nil)
	out, errs, code := h.run("", "okta", "groups", "--query", "project", "--plain", "--no-headers")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 26 || !strings.Contains(lines[0], "Project Atlas\tOKTA_GROUP") {
		t.Fatalf("groups --query project: %d %d lines %s", code, len(lines), errs)
	}
	if qs := h.sim.Okta.Queries("GET /api/v1/groups"); len(qs) != 1 || qs[0].Get("q") != "project" || qs[0].Get("limit") != "200" {
		t.Fatalf("asked %v", qs)
	}
	// --limit 3 asks for a page of 3, once, and prints 3.
	out, errs, code = h.run("", "okta", "groups", "--limit", "3", "--json")
	var groups []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &groups) != nil || len(groups) != 3 || groups[0]["type"] != "BUILT_IN" {
		t.Fatalf("groups --limit 3: %d %s %s", code, out, errs)
	}
	if qs := h.sim.Okta.Queries("GET /api/v1/groups"); len(qs) != 2 || qs[1].Get("limit") != "3" {
		t.Fatalf("--limit 3 asked %v", qs)
	}
}

func TestOktaGroupAndAppWrites(t *testing.T) {
	h := newHarness(t, 200, nil)
	h.tty = true
	o := h.sim.Okta
	contractors := o.GroupID("Contractors")
	li := o.UserID("li.chen@acme.example")

	// On a terminal it asks, naming the person and the group; N sends nothing.
	_, errs, code := h.run("n\n", "okta", "group-add", contractors, "li.chen@acme.example")
	if code != 1 || !strings.Contains(errs, "Add Li Chen <li.chen@acme.example> to Okta group Contractors ("+contractors+") on demo? [y/N]") ||
		!strings.Contains(errs, "cancelled") || slices.Contains(o.GroupMemberLogins(contractors), "li.chen@acme.example") {
		t.Fatalf("cancelled add: %d %s", code, errs)
	}
	if _, errs, code = h.run("y\n", "okta", "group-add", contractors, "li.chen"); code != 0 || !strings.Contains(errs, "Li Chen <li.chen@acme.example> added to group Contractors") {
		t.Fatalf("add: %d %s", code, errs)
	}
	if !slices.Contains(o.GroupMemberLogins(contractors), "li.chen@acme.example") {
		t.Fatal("not a member after group-add")
	}
	// Without a terminal, --yes is needed; an id is a USER too.
	h.tty = false
	if _, errs, code = h.run("", "okta", "group-remove", contractors, li); code != 2 || !strings.Contains(errs, "refusing without --yes") {
		t.Fatalf("remove without --yes: %d %s", code, errs)
	}
	if _, errs, code = h.run("", "okta", "group-remove", contractors, li, "--yes"); code != 0 || slices.Contains(o.GroupMemberLogins(contractors), "li.chen@acme.example") {
		t.Fatalf("remove: %d %s", code, errs)
	}

	// An app that no group grants and she lacks: assign, then unassign.
	var app, label string
	for _, a := range o.Apps() {
		if (a.Name == "figma" || a.Name == "miro") && !slices.Contains(o.AppUserLogins(a.ID), "li.chen@acme.example") {
			app, label = a.ID, a.Label
			break
		}
	}
	out, errs, code := h.run("", "okta", "assign", app, "li.chen@acme.example", "--yes", "--json")
	var res map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res["user_id"] != li || res["target"] != label {
		t.Fatalf("assign: %d %s %s", code, out, errs)
	}
	if !slices.Contains(o.AppUserLogins(app), "li.chen@acme.example") {
		t.Fatal("not assigned after assign")
	}
	if _, errs, code = h.run("", "okta", "unassign", app, "li.chen@acme.example", "--yes"); code != 0 || !strings.Contains(errs, "unassigned from "+label) {
		t.Fatalf("unassign: %d %s", code, errs)
	}
	// Okta's refusal comes through with its message: Everyone grants Office 365.
	if _, errs, code = h.run("", "okta", "unassign", o.Apps()[0].ID, "li.chen@acme.example", "--yes"); code != 1 ||
		!strings.Contains(errs, "403") || !strings.Contains(errs, "Deactivate application for user forbidden") {
		t.Fatalf("group-granted unassign: %d %s", code, errs)
	}
	// Unknown ids fail before anything is asked or sent.
	if _, errs, code = h.run("", "okta", "group-add", "00gNOPE", "li.chen@acme.example", "--yes"); code != 1 || !strings.Contains(errs, "404") {
		t.Fatalf("unknown group: %d %s", code, errs)
	}
	if _, errs, code = h.run("", "okta", "assign", app, "nobody@acme.example", "--yes"); code != 1 || !strings.Contains(errs, "nobody@acme.example (User)") {
		t.Fatalf("unknown user: %d %s", code, errs)
	}
	var actions []string
	for _, e := range h.audit.Entries() {
		actions = append(actions, e.Action+":"+e.Outcome)
		if e.Target != li || e.Analyst != "alice" {
			t.Fatalf("audit %+v", e)
		}
	}
	if got := strings.Join(actions, " "); got != "okta.group_add_user:ok okta.group_remove_user:ok okta.app_assign_user:ok okta.app_unassign_user:ok okta.app_unassign_user:error" {
		t.Fatalf("audit: %s", got)
	}
}

func TestOktaMembershipReadOnly(t *testing.T) {
	h := newHarness(t, 50, nil)
	h.who = identity.Analyst{Name: "bob", Role: "read-only"}
	contractors := h.sim.Okta.GroupID("Contractors")
	_, errs, code := h.run("", "okta", "group-add", contractors, "li.chen@acme.example")
	if code != 1 || !strings.Contains(errs, "bob has the read-only role: okta.group_add_user was not sent") {
		t.Fatalf("read-only: %d %s", code, errs)
	}
	if slices.Contains(h.sim.Okta.GroupMemberLogins(contractors), "li.chen@acme.example") || h.sim.Okta.Count("PUT /api/v1/groups/"+contractors+"/users/"+h.sim.Okta.UserID("li.chen")) != 0 {
		t.Fatal("the refused write reached Okta")
	}
	if es := h.audit.Entries(); len(es) != 1 || es[0].Outcome != audit.Refused || es[0].Analyst != "bob" {
		t.Fatalf("audit %+v", es)
	}
}
