package views

import (
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/identity"
	"triage/backend/sim"
)

// p on the first ITM ticket: a view naming the person, which asks Okta's
// System Log with a filter on their email, Atlassian with userName eq, and
// the SaaS incidents; one provider failing does not stop the others.
func TestPivotOnATicketFollowsThePersonEverywhere(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	frame := h.screen()
	var email string
	for _, l := range lines(frame)[4:] {
		for _, f := range strings.Fields(l) {
			if strings.HasSuffix(f, "@acme.example") {
				email = f
			}
		}
		if email != "" {
			break
		}
	}
	if email == "" {
		t.Fatal("no person on the first row")
	}
	h.sim.Atlassian.Inject(&sim.Fault{Path: "/scim/", Status: 500, Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"directory unavailable"}`})
	h.typeKeys("p")
	h.waitFor("Person:", email)
	frame = h.waitUntil("every section answered", func(f string) bool { return !strings.Contains(f, "loading…") })
	for _, want := range []string{"Account · okta demo", "Okta System Log", "ITM incidents", "SaaS incidents whose assets they own", "Essentials sender lists"} {
		if !strings.Contains(strings.ToLower(frame), strings.ToLower(want)) {
			t.Fatalf("no %q section:\n%s", want, frame)
		}
	}
	if !strings.Contains(frame, "failed") || !strings.Contains(frame, "directory unavailable") {
		t.Fatalf("the failing provider is not shown as failed:\n%s", frame)
	}
	logs := h.sim.Okta.Queries("GET /api/v1/logs")
	found := false
	for _, q := range logs {
		if strings.Contains(q.Get("filter"), `actor.alternateId eq "`+email+`"`) && strings.Contains(q.Get("filter"), `target.alternateId eq "`+email+`"`) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no System Log query filtered on %s: %v", email, logs)
	}
	scim := h.sim.Atlassian.Queries("GET " + scimUsersPath(h))
	found = false
	for _, q := range scim {
		if q.Get("filter") == `userName eq "`+email+`"` {
			found = true
		}
	}
	if !found {
		t.Fatalf("no Atlassian userName eq %s: %v", email, scim)
	}
	if h.sim.SaaS.Count("GET /incident/api/incidents/delta") == 0 {
		t.Fatal("the SaaS incidents were not asked")
	}
	if q := h.sim.ITM.Queries("POST /v2/apis/activity/event-queries"); len(q) < 2 {
		t.Fatal("the person's ITM incidents were not queried")
	}

	// enter on the ITM section opens tab 1 on their incidents.
	h.typeKeys("down", "down", "down", "down")
	for i := 0; i < 8 && !strings.Contains(selectedSection(h.screen()), "ITM incidents"); i++ {
		h.typeKeys("down")
	}
	h.typeKeys("enter")
	h.waitFor("query: since:90d person:" + email)
	h.waitUntil("only their incidents", func(f string) bool {
		rows := 0
		for _, l := range lines(f)[4:] {
			if strings.Contains(l, "@acme.example") {
				rows++
				if !strings.Contains(l, email) {
					return false
				}
			}
		}
		return rows > 0
	})
}

func selectedSection(frame string) string {
	for _, l := range lines(frame) {
		if strings.HasPrefix(strings.TrimSpace(l), "▸") {
			return l
		}
	}
	return ""
}

// scimUsersPath is the simulated directory's Users endpoint.
func scimUsersPath(h *driver) string {
	return "/scim/directory/" + h.cfg.Atlassian[0].DirectoryID + "/Users"
}

// From the Person view, c comments on every open ticket of the person.
func TestPersonViewCommentsOnAllTheirOpenTickets(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, sim: sim.Options{Rows: 300}})
	h.waitFor("300 of 300 incidents")
	h.typeKeys("f", "ctrl+u")
	h.typeText("person:li.chen@acme.example")
	h.typeKeys("enter")
	h.waitFor("person:li.chen@acme.example")
	// The query line names li.chen too: wait for the rows themselves.
	h.waitUntil("li.chen's rows", func(f string) bool {
		l := lines(f)
		return !strings.Contains(f, "300 of 300 incidents") && len(l) > 4 && strings.Contains(l[4], "li.chen@acme.example")
	})
	h.typeKeys("p")
	h.waitFor("Person:", "li.chen@acme.example")
	frame := h.waitUntil("the ITM section", func(f string) bool { return strings.Contains(f, "open (c comments on all of them)") })
	open := 0
	for _, l := range lines(frame) {
		if i := strings.Index(l, " open (c comments"); i > 0 {
			open = atoiPrefix(strings.TrimSpace(l[:i]))
		}
	}
	if open == 0 {
		t.Fatalf("no open tickets counted:\n%s", frame)
	}
	h.typeKeys("c")
	h.waitFor("Comment on " + itoa(open) + " open tickets")
	h.typeText("Reviewed with the person view.")
	h.typeKeys("ctrl+s")
	h.waitFor("Add this comment to " + itoa(open) + " tickets?")
	h.typeKeys("y")
	h.waitFor(itoa(open) + " done, 0 failed")
	if n := h.sim.ITM.Count("POST /v2/apis/activity/events/"); n != open {
		t.Fatalf("%d comments sent, want %d", n, open)
	}
}

func atoiPrefix(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// p on a remediation follows the asset: its incidents and remediations.
func TestPivotOnAnAssetShowsItsIncidentsAndRemediations(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2}})
	openSaaS(h, 120)
	h.typeKeys(":")
	h.typeText("follow this asset")
	h.typeKeys("enter")
	h.waitFor("SaaS asset:")
	frame := h.waitUntil("answers", func(f string) bool { return !strings.Contains(f, "loading…") })
	if !strings.Contains(frame, "Incidents on this asset") || !strings.Contains(frame, "Remediations of this asset") {
		t.Fatalf("asset view:\n%s", frame)
	}
	h.typeKeys("esc")
	h.waitFor("OWNER")
}

// In an open Okta app, p asks which assigned user to follow.
func TestPivotFromAnOktaAppChoosesAnAssignedUser(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	h.typeKeys("enter")
	h.waitFor("Assigned users (")
	h.typeKeys("p")
	h.waitFor("Follow whom?")
	h.typeKeys("enter")
	h.waitFor("Person:", "Account · Okta demo")
}

// Every write of the person view, as its bindings list them, is refused
// and audited for a read-only analyst, and for a responder opens the form
// or confirmation of the tab it belongs to, with nothing sent.
func TestEveryPersonViewWriteIsRefusedReadOnlyAndAsksFirst(t *testing.T) {
	t.Parallel()
	readOnly := newDriver(t, setup{analyst: identity.Analyst{Name: "bob", Role: "read-only"}})
	responder := newDriver(t, setup{})
	follow := func(d *driver) *personView {
		d.send(followMsg{s: subject{id: li}})
		d.waitFor("Person:", li, "open (c comments on all of them)")
		return d.app.person
	}
	writes := 0
	for _, b := range follow(readOnly).bindings() {
		if b.write == "" {
			continue
		}
		writes++
		keyName := b.key.Keys()[0]
		before := len(readOnly.audit.Entries())
		readOnly.typeKeys(keyName)
		readOnly.waitFor("read-only role")
		es := readOnly.audit.Entries()
		if len(es) != before+1 || es[before].Outcome != audit.Refused || es[before].Action != b.write || es[before].Target != li {
			t.Errorf("%s for a read-only analyst: audit %+v", keyName, es[before:])
		}
		if readOnly.app.person == nil {
			t.Errorf("%s closed a read-only analyst's person view", keyName)
		}

		follow(responder)
		responder.typeKeys(keyName)
		tab := responder.app.current()
		if responder.app.person != nil || !tab.Capturing() {
			t.Errorf("%s opened no form or confirmation:\n%s", keyName, responder.screen())
		}
		if es := responder.audit.Entries(); len(es) != 0 {
			t.Errorf("%s sent before asking: audit %+v", keyName, es)
		}
		for i := 0; i < 5 && tab.Capturing(); i++ {
			responder.typeKeys("esc")
		}
	}
	if writes != 5 {
		t.Fatalf("%d person-view writes checked", writes)
	}
}
