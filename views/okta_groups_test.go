package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"triage/backend/audit"
	"triage/backend/identity"
	"triage/backend/okta"
	"triage/backend/sim"
)

// openGroups opens tab 4's Groups pane and waits for the groups.
func openGroups(h *driver) {
	h.t.Helper()
	h.typeKeys("4") // not openOkta: a read-only analyst's header has no room for tab names
	h.waitFor("50 apps (more as you scroll)")
	h.typeKeys("[") // Apps → Groups, the last pane
	h.waitFor(" groups  ")
}

func TestOktaGroupsPaneSearchesAndOpensAGroupWithItsMembers(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openGroups(h)
	frame := h.screen()
	if !strings.Contains(frame, "search: all groups") || len(rowsWith(frame, "Project ")) == 0 || len(rowsWith(frame, "BUILT_IN")) != 1 {
		t.Fatalf("groups pane:\n%s", frame)
	}
	h.typeKeys("f", "ctrl+u")
	h.typeText("vpn")
	h.typeKeys("enter")
	h.waitFor("search: vpn", "1 groups")
	if qs := h.sim.Okta.Queries("GET /api/v1/groups"); len(qs) != 2 || qs[1].Get("q") != "vpn" {
		t.Fatalf("group searches %v", qs)
	}
	h.typeKeys("enter")
	vpn := h.sim.Okta.GroupID("VPN Users")
	members := h.sim.Okta.GroupMemberLogins(vpn)
	frame = h.waitFor2("Members (")
	if !strings.Contains(frame, "VPN Users  ·  "+vpn) || !strings.Contains(frame, "Members ("+itoa(len(members))+", 1 page)") || !strings.Contains(frame, members[0]) {
		t.Fatalf("group detail:\n%s", frame)
	}
	h.golden(frame)
}

func TestOktaGroupAddAndRemoveAreConfirmedByNameAndAudited(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openGroups(h)
	h.typeKeys("f", "ctrl+u")
	h.typeText("Contractors")
	h.typeKeys("enter")
	h.waitFor("search: Contractors", "1 groups")
	h.typeKeys("enter")
	h.waitFor("Members (")
	contractors := h.sim.Okta.GroupID("Contractors")

	h.typeKeys("+")
	h.waitFor("Add who to Contractors?")
	h.typeText("li.chen@acme.example")
	h.typeKeys("enter")
	frame := h.waitFor2("Add Li Chen to Contractors?")
	if !strings.Contains(frame, "Li Chen <li.chen@acme.example>") || !strings.Contains(frame, "Okta group: Contractors ("+contractors+") · org demo") {
		t.Fatalf("confirmation:\n%s", frame)
	}
	h.golden(frame)
	h.typeKeys("y")
	h.waitFor("Li Chen <li.chen@acme.example> added to Contractors")
	if !slices.Contains(h.sim.Okta.GroupMemberLogins(contractors), "li.chen@acme.example") {
		t.Fatal("not a member after y")
	}
	h.waitFor("li.chen@acme.example") // the members reload and show her

	// - picks among the members; N sends nothing.
	h.typeKeys("-")
	h.waitFor("Remove who from Contractors?")
	h.typeText("Li Chen")
	h.typeKeys("enter")
	h.waitFor("Remove Li Chen from Contractors?", "Apps the group grants them go with it.")
	h.typeKeys("n")
	h.waitFor("Nothing sent")
	if !slices.Contains(h.sim.Okta.GroupMemberLogins(contractors), "li.chen@acme.example") {
		t.Fatal("N removed her")
	}
	h.typeKeys("-")
	h.typeText("Li Chen")
	h.typeKeys("enter")
	h.waitFor("Remove Li Chen from Contractors?")
	h.typeKeys("y")
	h.waitFor("Li Chen <li.chen@acme.example> removed from Contractors")
	if slices.Contains(h.sim.Okta.GroupMemberLogins(contractors), "li.chen@acme.example") {
		t.Fatal("still a member after y")
	}
	var got []string
	for _, e := range h.audit.Entries() {
		got = append(got, e.Action+":"+e.Outcome+":"+e.Params["group"].(string))
	}
	if strings.Join(got, " ") != "okta.group_add_user:ok:"+contractors+" okta.group_remove_user:ok:"+contractors {
		t.Fatalf("audit %v", got)
	}
}

func TestOktaGroupWritesReadOnlyAreRefusedWithANote(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}, analyst: identity.Analyst{Name: "bob", Role: "read-only"}})
	openGroups(h)
	h.typeKeys("enter") // Everyone
	h.waitFor("Members (")
	h.typeKeys("+")
	h.waitFor("bob has the read-only role: Okta: add to the group / assign the app is not available")
	if es := h.audit.Entries(); len(es) != 1 || es[0].Outcome != audit.Refused || es[0].Action != "okta.group_add_user" {
		t.Fatalf("audit %+v", es)
	}
	if n := h.sim.Okta.Count("PUT /api/v1/groups/"); n != 0 {
		t.Fatalf("%d writes reached Okta", n)
	}
}

func TestOktaAppAssignAndUnassignFromTheOpenApp(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	// An app of no group that li.chen lacks.
	var row int
	var id, label string
	for i, a := range h.sim.Okta.Apps()[:50] {
		if (a.Name == "figma" || a.Name == "miro") && !slices.Contains(h.sim.Okta.AppUserLogins(a.ID), "li.chen@acme.example") {
			row, id, label = i, a.ID, a.Label
			break
		}
	}
	for range row {
		h.typeKeys("j")
	}
	h.typeKeys("enter")
	h.waitFor(label+"  ·  "+id, "Assigned users (")
	h.typeKeys("+")
	h.waitFor("Assign who to " + label + "?")
	h.typeText("li.chen")
	h.typeKeys("enter")
	h.waitFor("Assign Li Chen to "+label+"?", "Okta app: "+label+" ("+id+")")
	h.typeKeys("y")
	h.waitFor("Li Chen <li.chen@acme.example> assigned to " + label)
	if !slices.Contains(h.sim.Okta.AppUserLogins(id), "li.chen@acme.example") {
		t.Fatal("not assigned after y")
	}
	h.waitUntil("the app's users reloaded with her", func(f string) bool { return len(rowsWith(f, "li.chen@acme.example")) > 0 })
	h.typeKeys("-")
	h.waitFor("Unassign who from " + label + "?")
	h.typeText("Li Chen")
	h.typeKeys("enter")
	h.waitFor("Unassign Li Chen from "+label+"?", "Okta refuses while a group grants the app")
	h.typeKeys("y")
	h.waitFor("Li Chen <li.chen@acme.example> unassigned from " + label)
	if slices.Contains(h.sim.Okta.AppUserLogins(id), "li.chen@acme.example") {
		t.Fatal("still assigned after y")
	}
	// Slack comes through Everyone: nobody listed can be unassigned directly.
	h.typeKeys("esc", "g", "j", "enter")
	h.waitFor("Assigned users (")
	h.typeKeys("-")
	h.waitFor("everyone listed in Slack has it through a group: remove them from the group instead")
}

// The person view lists every Okta group of a person in many groups (more
// than Okta's first page), and + assigns them an app from there.
func TestPersonViewListsEveryGroupAndAssignsAnApp(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	busy := sim.PersonAt(3)
	groups := h.sim.Okta.UserGroupNames(busy.Email)
	if len(groups) <= 20 {
		t.Fatalf("%s has only %d groups: not more than a page", busy.Email, len(groups))
	}
	h.send(followMsg{s: subject{id: busy.Email}})
	h.waitFor("Person:", busy.Email)
	// The groups come last, every one a line: page down through the view.
	title, seen := false, map[string]bool{}
	for range 10 {
		frame := h.screen()
		title = title || strings.Contains(frame, "Okta groups · demo  "+itoa(len(groups)))
		for _, g := range groups {
			if len(rowsWith(frame, g+" ")) > 0 {
				seen[g] = true
			}
		}
		h.typeKeys("pgdown")
	}
	if !title || len(seen) != len(groups) {
		t.Fatalf("section title shown %v, %d of %d groups shown", title, len(seen), len(groups))
	}
	if n := len(h.sim.Okta.Queries("GET /api/v1/users/" + h.sim.Okta.UserID(busy.Email) + "/groups")); n < 1 {
		t.Fatalf("%d group requests", n)
	}

	apps := h.sim.Okta.Apps()
	var target sim.OktaApp
	for _, a := range apps[:50] {
		if (a.Name == "figma" || a.Name == "miro") && !slices.Contains(h.sim.Okta.AppUserLogins(a.ID), busy.Email) {
			target = a
			break
		}
	}
	h.typeKeys("+")
	h.waitFor("Assign " + busy.Name() + " <" + busy.Email + "> to which app?")
	h.typeText(target.Label)
	h.typeKeys("enter")
	h.waitFor("Assign " + busy.Name() + " to " + target.Label + "?")
	h.typeKeys("y")
	h.waitFor("assigned to " + target.Label)
	if !slices.Contains(h.sim.Okta.AppUserLogins(target.ID), busy.Email) {
		t.Fatal("not assigned")
	}
}

// The binding test of every tab sees the pane shown at start (Apps); the
// Groups pane's writes get the same check here: refused for a read-only
// analyst with an audit line, and a form before anything is sent.
func TestOktaGroupWriteBindingsAreRefusedReadOnlyAndAskFirst(t *testing.T) {
	t.Parallel()
	readOnly := newDriver(t, setup{loads: []int{4}, analyst: identity.Analyst{Name: "bob", Role: "read-only"}})
	responder := newDriver(t, setup{loads: []int{4}})
	openGroups(readOnly)
	openGroups(responder)
	ro, rw := tabOf[*oktaTab](readOnly.app), tabOf[*oktaTab](responder.app)
	var writes []string
	for _, b := range ro.bindings() {
		if b.write == "" {
			continue
		}
		writes = append(writes, b.write)
		keyName := b.key.Keys()[0]
		before := len(readOnly.audit.Entries())
		readOnly.typeKeys(keyName)
		readOnly.waitFor("read-only role")
		if es := readOnly.audit.Entries(); len(es) != before+1 || es[before].Outcome != audit.Refused || es[before].Action != b.write {
			t.Errorf("%s for a read-only analyst: audit %+v", keyName, es[before:])
		}
		responder.typeKeys(keyName)
		if !rw.Capturing() {
			t.Errorf("%s opened no form:\n%s", keyName, responder.screen())
		}
		if es := responder.audit.Entries(); len(es) != 0 {
			t.Errorf("%s sent before asking: audit %+v", keyName, es)
		}
		for rw.Capturing() {
			responder.typeKeys("esc")
		}
	}
	if strings.Join(writes, " ") != "okta.group_add_user okta.group_remove_user" {
		t.Fatalf("the Groups pane's writes: %v", writes)
	}
}

// A member added through one session moves the group's "membership
// updated" for every session on the groups list: the other session marks
// the row, the one that wrote does not.
func TestAGroupChangeReachesTheOtherSessionMarked(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{4}})
	openGroups(a)
	b := secondDriver(t, a, "bob")
	openGroups(b)
	contractors := a.sim.Okta.GroupID("Contractors")
	row := func(d *driver) int {
		p := tabOf[*oktaTab](d.app).groups
		at, ok := p.rows.find(contractors)
		if !ok {
			t.Fatalf("Contractors is not listed in %s's session", d.app.c.Analyst.Name)
		}
		return at
	}
	was := tabOf[*oktaTab](b.app).groups.rows.rows[row(b)].obj.LastMembershipUpdated.Time
	a.clock.Advance(time.Hour)
	a.typeKeys("/") // the rows b shows too: every group, filtered here
	a.typeText("Contractors")
	a.typeKeys("enter", "enter")
	a.waitFor("Members (")
	a.typeKeys("+")
	a.typeText("li.chen@acme.example")
	a.typeKeys("enter")
	a.waitFor("Add Li Chen to Contractors?")
	a.typeKeys("y")
	a.waitFor("Li Chen <li.chen@acme.example> added to Contractors")

	b.send(oktaPollGroups(tabOf[*oktaTab](b.app))) // b's next look at the dataset
	bg := tabOf[*oktaTab](b.app).groups
	now := bg.rows.rows[row(b)].obj.LastMembershipUpdated.Time
	if !now.Equal(a.clock.Now().Truncate(time.Millisecond)) || now.Equal(was) {
		t.Fatalf("b's row says membership updated %s (was %s, the add was at %s)", now, was, a.clock.Now())
	}
	if !bg.rows.fresh[contractors] {
		t.Fatal("b does not mark the group a's add changed")
	}
	if tabOf[*oktaTab](a.app).groups.rows.fresh[contractors] {
		t.Fatal("a marks its own add")
	}
}

// oktaPollGroups is the groups list's next look at its dataset.
func oktaPollGroups(tab *oktaTab) oktaSharedMsg[okta.Group] {
	p := tab.groups
	return oktaSharedMsg[okta.Group]{tab: tab, req: p.reqs.current(), set: p.set, state: p.set.Read(), chain: true}
}

// An app assigned to the person whose apps the search lists (user:) is
// read into that list at once, for every session on the search.
func TestAnAssignmentReachesTheListOfThePersonsApps(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	h.typeKeys("f", "ctrl+u")
	h.typeText("user:li.chen@acme.example")
	h.typeKeys("enter")
	h.waitFor("search: user:li.chen@acme.example")
	tab := tabOf[*oktaTab](h.app)
	before := tab.apps.rows.Len()
	var id, label string
	for _, a := range h.sim.Okta.Apps() {
		if !slices.Contains(h.sim.Okta.AppUserLogins(a.ID), "li.chen@acme.example") {
			id, label = a.ID, a.Label
			break
		}
	}
	if _, listed := tab.apps.rows.find(id); id == "" || listed {
		t.Fatalf("no app Li Chen lacks (%q listed %v)", id, listed)
	}
	user := h.sim.Okta.UserID("li.chen@acme.example")
	out := tab.client().AssignUserOnce(h.app.c.Context(), id, user)
	if !out.Applied() {
		t.Fatalf("assigning %s: %v", label, out.Err)
	}
	h.send(oktaChangeMsg{tab: tab, change: oktaChange{kind: chAssign, target: id, targetName: label, user: user,
		person: "Li Chen <li.chen@acme.example>"}, out: out.Result})
	h.settle()
	if _, listed := tab.apps.rows.find(id); !listed || tab.apps.rows.Len() != before+1 {
		t.Fatalf("after the assignment the list holds %d apps (was %d), %s listed %v", tab.apps.rows.Len(), before, label, listed)
	}
}
