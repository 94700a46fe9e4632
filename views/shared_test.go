package views

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/identity"
	"triage/backend/lenient"
	"triage/backend/saas"
)

// secondDriver is another analyst's console on the same server as d: the
// same clients and datasets, its own session.
func secondDriver(t *testing.T, d *driver, name string) *driver {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := *d.app.c
	c.Ctx, c.Analyst, c.StateDir, c.ownSets = ctx, identity.Analyst{Name: name, Role: "responder"}, t.TempDir(), nil
	s := *d.session
	s.app, s.stateDir, s.end = New(&c), c.StateDir, cancel
	e := &driver{session: &s}
	start := e.start()
	e.send(tea.WindowSizeMsg{Width: screenWidth, Height: screenHeight})
	e.run(start)
	e.settle()
	return e
}

// Two analysts on the same queries share one read of each feed: the second
// console's ITM and SaaS tabs cost the vendors nothing.
func TestTwoSessionsShareOneLoad(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{1, 2}})
	if tabOf[*saasTab](a.app).rows.Len() == 0 || tabOf[*itmTab](a.app).rows.Len() == 0 {
		t.Fatal("the first session loaded no rows: the test would prove nothing")
	}
	itmBefore, saasBefore := a.sim.ITM.Count("POST /v2/apis/activity/event-queries"), a.sim.SaaS.Count("GET /incident/api/incidents/delta")
	if itmBefore == 0 || saasBefore == 0 {
		t.Fatalf("the first session's loads were not counted (ITM %d, SaaS %d)", itmBefore, saasBefore)
	}
	b := secondDriver(t, a, "bob")
	if n := a.sim.ITM.Count("POST /v2/apis/activity/event-queries") - itmBefore; n != 0 {
		t.Fatalf("the second session read ITM incidents %d more time(s)", n)
	}
	if n := a.sim.SaaS.Count("GET /incident/api/incidents/delta") - saasBefore; n != 0 {
		t.Fatalf("the second session read the SaaS feed %d more time(s)", n)
	}
	for _, pair := range [][2]int{{tabOf[*itmTab](a.app).rows.Len(), tabOf[*itmTab](b.app).rows.Len()},
		{tabOf[*saasTab](a.app).rows.Len(), tabOf[*saasTab](b.app).rows.Len()}} {
		if pair[0] != pair[1] {
			t.Fatalf("the sessions show %d and %d rows of the same query", pair[0], pair[1])
		}
	}
	if tabOf[*saasTab](a.app).rows.incidentRows != tabOf[*saasTab](b.app).rows.incidentRows {
		t.Fatal("the sessions hold two copies of the SaaS rows")
	}
	// A new query is a new dataset, read once.
	tabOf[*itmTab](b.app).useQuery("status:new")
	b.send(tabOf[*itmTab](b.app).loadFirst()())
	if n := a.sim.ITM.Count("POST /v2/apis/activity/event-queries") - itmBefore; n != 1 {
		t.Fatalf("a new query read ITM %d time(s), want 1", n)
	}
}

// A close through one session updates the shared row: the other session
// shows the new status, marked changed; the one that wrote it is not.
func TestAWriteReachesTheOtherSessionMarked(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{2}})
	b := secondDriver(t, a, "bob")
	ta, tb := tabOf[*saasTab](a.app), tabOf[*saasTab](b.app)
	var key string
	for i := range ta.rows.Len() {
		if row := ta.rows.at(i); row.state == "open" {
			key = row.key
			break
		}
	}
	if key == "" {
		t.Fatal("no open incident to close")
	}
	a.send(ta.closeOne(a.app.c.Context(), ta.client(), key, "business_justified"))
	if row, _ := ta.rows.get(key); row.state != "closed" {
		t.Fatalf("the writer's row is %q after the close", row.state)
	}
	// b looks at its dataset as its idle poll would.
	b.send(saasSharedMsg{tab: tb, req: tb.reqs.current(), set: tb.set, state: tb.set.Read(), chain: true})
	row, _ := tb.rows.get(key)
	if row.state != "closed" || !strings.Contains(row.status, "Business") {
		t.Fatalf("the other session's row is %q %q after the close", row.state, row.status)
	}
	at, _ := tb.rows.find(key)
	if !tb.rows.fresh[at] {
		t.Fatal("the other session does not mark the closed incident changed")
	}
	if ta.rows.fresh[at] {
		t.Fatal("the session that closed it marks its own write as changed")
	}
	if state, _ := a.sim.SaaS.IncidentState(key); state != "closed" {
		t.Fatalf("the vendor has %q: the close was not sent", state)
	}
}

// A relative window is one query for every session, and it slides: a
// session opening "since:2d" a day after the rows were read shows only the
// last two days, read with one delta request, and the session that read
// them first moves to the same rows.
func TestARelativeSaaSWindowSlidesForward(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{2}})
	at := tabOf[*saasTab](a.app)
	if err := at.useQuery("since:2d"); err != nil {
		t.Fatal(err)
	}
	a.run(at.loadFirst())
	a.settle()
	before := at.rows.Len()
	from := a.clock.Now().Add(-48 * time.Hour)
	if before == 0 || at.rows.at(before-1).updated.Before(from) {
		t.Fatalf("%d rows read for since:2d, the oldest before its start", before)
	}
	a.clock.Advance(24 * time.Hour)
	reads := a.sim.SaaS.Count("GET /incident/api/incidents/delta")

	b := secondDriver(t, a, "bob")
	bt := tabOf[*saasTab](b.app)
	if err := bt.useQuery("since:2d"); err != nil {
		t.Fatal(err)
	}
	b.run(bt.loadFirst())
	b.settle()
	if n := a.sim.SaaS.Count("GET /incident/api/incidents/delta") - reads; n != 1 {
		t.Fatalf("sliding the window took %d delta request(s), want 1", n)
	}
	slid := from.Add(24 * time.Hour)
	if bt.rows.Len() == 0 || bt.rows.Len() >= before {
		t.Fatalf("%d rows after the window slid a day, %d before: nothing slid out", bt.rows.Len(), before)
	}
	for i := 0; i < bt.rows.Len(); i++ {
		if r := bt.rows.at(i); r.updated.Before(slid) {
			t.Fatalf("incident %s updated %s is older than the window's start %s", r.key, r.updated, slid)
		}
		if _, ok := bt.rows.find(bt.rows.at(i).key); !ok {
			t.Fatalf("incident %s is shown but not in the index", bt.rows.at(i).key)
		}
	}
	a.run(at.Refresh())
	a.settle()
	if at.rows.incidentRows != bt.rows.incidentRows && at.rows.Len() != bt.rows.Len() {
		t.Fatalf("the first session shows %d rows, the second %d", at.rows.Len(), bt.rows.Len())
	}
}

// A refresh that slides the window and brings new incidents counts them
// by incident id: the rows the slide moved up are not new.
func TestASlidingRefreshCountsItsNewIncidents(t *testing.T) {
	t.Parallel()
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	inc := func(id int, at time.Time) saas.Incident {
		return saas.Incident{ID: lenient.String(strconv.Itoa(id)), UpdatedAt: lenient.Time{Time: at}, Severity: "high"}
	}
	var old []saas.Incident
	for i := range 10 {
		old = append(old, inc(i+1, base.Add(time.Duration(i)*time.Hour)))
	}
	v := newIncidentView()
	v.add(old, false)
	v.me = "a session"
	s := v.incidentRows.next()
	s.slide(base.Add(5 * time.Hour)) // five go
	s.add([]saas.Incident{inc(100, base.Add(20*time.Hour)), inc(101, base.Add(21*time.Hour))}, true)
	if added := v.show(s); added != 2 {
		t.Fatalf("a slide and 2 new incidents counted %d new", added)
	}
	if v.Len() != 7 || v.Key(0) != "101" || !v.Fresh(0) || v.Fresh(2) {
		t.Fatalf("%d rows, top %s marked %v, third marked %v", v.Len(), v.Key(0), v.Fresh(0), v.Fresh(2))
	}
}
