package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"triage/backend/people"
	"triage/backend/sim"
)

// iamLists are the list requests the simulators answered: Okta's and the
// SCIM directory's pages, and Essentials' one list.
func iamLists(s *sim.Sim) (okta, atlassian, essentials int) {
	return s.Okta.Count("GET /api/v1/users"), s.Atlassian.Count("GET /scim/directory/" + sim.AtlassianDirectoryID + "/Users"),
		s.Essentials.Count("GET /api/v1/orgs/acme.example/users")
}

// pagesOnce fails when a provider's page was asked for twice: two loads
// of the same list, where one serves every session.
func pagesOnce(t *testing.T, s *sim.Sim) {
	t.Helper()
	for vendor, qs := range map[string][]string{
		"Okta":      encoded(s.Okta.Queries("GET /api/v1/users")),
		"Atlassian": encoded(s.Atlassian.Queries("GET /scim/directory/" + sim.AtlassianDirectoryID + "/Users")),
	} {
		if len(qs) == 0 {
			t.Fatalf("%s was not listed: the test would prove nothing", vendor)
		}
		seen := map[string]bool{}
		for _, q := range qs {
			if seen[q] {
				t.Fatalf("%s's page %q was read twice: %v", vendor, q, qs)
			}
			seen[q] = true
		}
	}
}

func encoded[V interface{ Encode() string }](vs []V) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Encode()
	}
	return out
}

// Two analysts showing the IAM tab share one read of every provider's
// list, and a reload in one is one more read of each, for both.
func TestIAMTwoSessionsShareOneRead(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{5}})
	openIAM(a)
	ta := tabOf[*iamTab](a.app)
	if ta.rows.Len() != 120 {
		t.Fatalf("the first session shows %d people, want 120", ta.rows.Len())
	}
	o, at, e := iamLists(a.sim)
	if o == 0 || at == 0 || e != 1 {
		t.Fatalf("the first session's lists were not counted (Okta %d, Atlassian %d, Essentials %d)", o, at, e)
	}
	b := secondDriver(t, a, "bob")
	openIAM(b)
	tb := tabOf[*iamTab](b.app)
	if o2, at2, e2 := iamLists(a.sim); o2 != o || at2 != at || e2 != e {
		t.Fatalf("the second session read the lists again: Okta %d→%d, Atlassian %d→%d, Essentials %d→%d", o, o2, at, at2, e, e2)
	}
	pagesOnce(t, a.sim)
	if tb.rows.Len() != ta.rows.Len() || tb.rows.personRows != ta.rows.personRows {
		t.Fatalf("the sessions hold %d and %d people, in two copies: %t", ta.rows.Len(), tb.rows.Len(), tb.rows.personRows != ta.rows.personRows)
	}
	// A reload in one session reads each list once more, for both.
	a.typeKeys("r")
	b.send(iamSharedMsg{tab: tb, gen: tb.reqs.current(), set: tb.set, state: tb.set.Read(), chain: true})
	o3, at3, e3 := iamLists(a.sim)
	if o3-o != o || at3-at != at || e3-e != 1 {
		t.Fatalf("a reload read Okta %d, Atlassian %d, Essentials %d time(s); one load is %d, %d, 1", o3-o, at3-at, e3-e, o, at)
	}
	if tb.rows.personRows != ta.rows.personRows || tb.loading || ta.loading {
		t.Fatal("after the reload the sessions do not show the same, finished rows")
	}
}

// A disable through one session reaches the other's row without a reload,
// marked changed there and not in the session that wrote it.
func TestIAMDisableReachesTheOtherSessionMarked(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{5}})
	openIAM(a)
	b := secondDriver(t, a, "bob")
	openIAM(b)
	ta, tb := tabOf[*iamTab](a.app), tabOf[*iamTab](b.app)
	before := func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" }
	lookUp(a, li)
	a.waitUntil("looked up", before)
	b.typeKeys("/")
	b.typeText(li)
	b.waitUntil("the person active in the other session", before)
	a.typeKeys("d")
	a.waitFor("Disable Li Chen?")
	a.typeKeys("y")
	a.waitFor("Okta demo        ✓ SUSPENDED", "Atlassian demo   ✓ inactive", "Essentials demo  ✓ inactive")
	// b looks at its dataset as its idle poll would, asking no vendor.
	reqs := a.sim.Okta.Requests() + a.sim.Atlassian.Requests() + a.sim.Essentials.Requests()
	b.send(iamSharedMsg{tab: tb, gen: tb.reqs.current(), set: tb.set, state: tb.set.Read(), chain: true})
	if n := a.sim.Okta.Requests() + a.sim.Atlassian.Requests() + a.sim.Essentials.Requests() - reqs; n != 0 {
		t.Fatalf("the other session made %d request(s) to show the write", n)
	}
	frame := b.waitUntil("the person disabled in the other session", func(f string) bool {
		return strings.Join(statuses(rowOfPerson(f, li)), " ") == "SUSPENDED inactive inactive"
	})
	if row := rowOfPerson(frame, li); !strings.Contains(row, "●") {
		t.Fatalf("the other session does not mark the person changed: %q", row)
	}
	i, _ := ta.rows.find(li)
	if ta.rows.fresh[int32(i)] {
		t.Fatal("the session that disabled the person marks its own write as changed")
	}
	if active, _ := a.sim.Atlassian.Active(li); active {
		t.Fatal("the disable was not sent")
	}
}

// The session that started the lists' load leaves before it ends: the load
// carries on under the dataset's own context for the session still there.
func TestIAMLoadOutlivesTheSessionThatStartedIt(t *testing.T) {
	t.Parallel()
	base := newDriver(t, setup{})
	base.sim.Okta.Inject(&sim.Fault{Path: "/api/v1/users", Method: "GET", Delay: 200 * time.Millisecond, Times: 1})
	a := secondDriver(t, base, "ann")
	ta := tabOf[*iamTab](a.app)
	_ = ta.Shown() // the load starts; its messages are never delivered
	if !ta.set.Read().Busy {
		t.Fatal("the first session started no load: the test would prove nothing")
	}
	a.end() // ann closes her console mid-load
	b := secondDriver(t, base, "bob")
	openIAM(b)
	tb := tabOf[*iamTab](b.app)
	if tb.rows.Len() != 120 || slices.ContainsFunc(tb.rows.lists, func(l listLoad) bool { return l.err != nil || !l.done }) {
		t.Fatalf("the load stopped with the session that started it: %d people, lists %+v", tb.rows.Len(), tb.rows.lists)
	}
	if _, _, e := iamLists(base.sim); e != 1 {
		t.Fatalf("Essentials was listed %d times, want once", e)
	}
	pagesOnce(t, base.sim)
}

// Snapshots are immutable: building the next one from a page or a write
// leaves the one sessions hold as it was, and copies only the chunks of
// rows it changes.
func TestPersonRowsSnapshotsStayAsPublished(t *testing.T) {
	t.Parallel()
	first := newPersonRows(3)
	first.add(0, syntheticEntries(3000, 0))
	email := first.at(int(first.order[0])).email
	second := first.next()
	second.put(email, "", 0, "SUSPENDED", "me")
	second.add(1, syntheticEntries(10, 1))
	i, _ := first.find(email)
	if got := first.status(i, 0); got != "ACTIVE" {
		t.Fatalf("the published snapshot changed: %q", got)
	}
	if got := second.status(i, 0); got != "SUSPENDED" {
		t.Fatalf("the next snapshot says %q", got)
	}
	if first.status(i, 1) != wordLooking || second.status(i, 1) != "active" {
		t.Fatalf("the page reached the published snapshot: %q %q", first.status(i, 1), second.status(i, 1))
	}
	if len(second.changes) != 1 || second.changes[0].by != "me" || len(first.changes) != 0 {
		t.Fatalf("changes %+v / %+v", first.changes, second.changes)
	}
	shared := 0
	for c := range second.chunks {
		if &second.chunks[c][0] == &first.chunks[c][0] {
			shared++
		}
	}
	if shared != len(first.chunks)-1 {
		t.Fatalf("%d of %d chunks shared: a change to one chunk copied others", shared, len(first.chunks))
	}
}

// A list held by the tenant's share of Okta's rate limit says so, with the
// time left: the share is server-wide, so the wait may be for other
// analysts' requests.
func TestIAMSaysWhenItWaitsForTheRateLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{sim: sim.Options{Rows: 1000}, loads: []int{5}, vendors: func(s *sim.Sim) {
		// Two a minute and half for others: Okta's first page of users
		// takes triage's share, the next waits for the reset.
		s.Okta.SetRateLimit("/api/v1/users", 2)
	}})
	h.typeKeys("5")
	saysRateLimitWait(t, h, "Loading people")
}

// A list page asked for before a write and merged after it does not put
// the older status back; a page asked for after the write does apply.
func TestAListPageOlderThanAWriteKeepsTheWrite(t *testing.T) {
	t.Parallel()
	r := newPersonRows(1)
	alice := []people.Entry{{Email: "alice@acme.example", Name: "Alice", Status: "ACTIVE"}}
	r.add(0, alice)
	asked := r.puts // the reload asks for its page
	r.put("alice@acme.example", "Alice", 0, "SUSPENDED", "a session")
	r.addPage(0, alice, true, map[int32]bool{}, asked)
	at, _ := r.index.find(people.Key("alice@acme.example"))
	if got := r.status(int(at), 0); got != "SUSPENDED" {
		t.Fatalf("a page read before the suspend put back %q", got)
	}
	r.addPage(0, alice, true, map[int32]bool{}, r.puts)
	if got := r.status(int(at), 0); got != "ACTIVE" {
		t.Fatalf("a page read after the suspend shows %q", got)
	}
}
