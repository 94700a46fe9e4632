package views

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/config"
	"triage/backend/sim"
)

// logRequests is how many System Log pages the simulator has served.
func logRequests(d *driver) int { return d.sim.Okta.Count("GET /api/v1/logs") }

// showLog delivers the pane's dataset as it is now, as the pane's idle
// look at it would.
func showLog(d *driver) {
	p := tabOf[*oktaTab](d.app).log
	d.send(oktaLogMsg{tab: p.t, req: p.reqs.current(), set: p.set, state: p.set.Read()})
}

// Two analysts on the same System Log query share one read of each page:
// the second session's pane costs Okta nothing and holds the same events.
func TestTwoSessionsShareOneSystemLogRead(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{sim: sim.Options{Rows: 6000}, loads: []int{4}}) // more than a page of events a day
	openOkta(a)
	openSystemLog(a)
	pa := tabOf[*oktaTab](a.app).log
	read := logRequests(a)
	if pa.rows.pages < 2 || read != pa.rows.pages {
		t.Fatalf("%d requests for %d pages: want one request a page, and more than one page", read, pa.rows.pages)
	}
	b := secondDriver(t, a, "bob")
	openOkta(b)
	openSystemLog(b)
	pb := tabOf[*oktaTab](b.app).log
	if n := logRequests(a) - read; n != 0 {
		t.Fatalf("the second session read the System Log %d more time(s)", n)
	}
	if pa.rows.eventSet != pb.rows.eventSet || pb.rows.Len() != pa.rows.Len() || pa.rows.Len() == 0 {
		t.Fatalf("the sessions hold %d and %d events, in two copies: %v", pa.rows.Len(), pb.rows.Len(), pa.rows.eventSet != pb.rows.eventSet)
	}
	// A refresh in one session is one request; the other's, a moment
	// later, is served by it.
	a.run(tabOf[*oktaTab](a.app).Refresh())
	a.settle()
	if n := logRequests(a) - read; n != 1 {
		t.Fatalf("a refresh with nothing new made %d requests, want 1", n)
	}
	b.run(tabOf[*oktaTab](b.app).Refresh())
	b.settle()
	if n := logRequests(a) - read; n != 1 {
		t.Fatalf("the second session's refresh read again: %d requests", n)
	}
	// New events, a poll later: read once, shown and marked new in both.
	a.clock.Advance(tailEvery)
	a.sim.Okta.Emit("user.account.lock", "li.chen@acme.example", "")
	before := logRequests(a)
	b.run(tabOf[*oktaTab](b.app).Refresh())
	b.settle()
	showLog(a)
	if n := logRequests(a) - before; n != 2 {
		t.Fatalf("the poll for one new event made %d requests, want 2 (its page, then Okta's empty one)", n)
	}
	for name, p := range map[string]*logPane{"the session that polled": pb, "the other": pa} {
		if p.rows.arrived() != 1 || !p.rows.Fresh(0) || p.rows.at(0).eventType != "user.account.lock" {
			t.Fatalf("%s: %d new, top row %q marked %v", name, p.rows.arrived(), p.rows.at(0).eventType, p.rows.Fresh(0))
		}
	}
	// A new query is a new dataset, read once.
	text := "since:-24h sort:desc type:user.account.lock"
	cmd, err := pb.setQuery(text)
	if err != nil {
		t.Fatal(err)
	}
	before = logRequests(a)
	b.run(cmd)
	b.settle()
	if pb.rows.eventSet == pa.rows.eventSet || pb.rows.ended != "complete" || logRequests(a) == before {
		t.Fatalf("a new query did not read a dataset of its own: %q, %d requests", pb.rows.ended, logRequests(a)-before)
	}
}

// A session that leaves while its load is running does not stop it: the
// other session following the query gets every page, each read once.
func TestASessionLeavingMidLoadLeavesTheLoadToTheOthers(t *testing.T) {
	t.Parallel()
	a, g := gatedLogDriver(t)
	b := secondDriver(t, a, "bob")
	openOkta(b)
	g.shut(1)                  // the first page comes, the second waits until a has left
	_ = startLog(a, weekQuery) // a never waits for its answer
	g.held(t)
	wait := startLog(b, weekQuery)
	a.end()
	g.open()
	b.run(wait)
	b.settle()
	pa, pb := logPaneOf(a), logPaneOf(b)
	if pb.rows.ended != "complete" || pb.rows.pages < 3 || pb.rows.eventSet != pa.set.Read().Snap {
		t.Fatalf("the other session's load ended %q with %d pages", pb.rows.ended, pb.rows.pages)
	}
	if n := logRequests(b); n != pb.rows.pages {
		t.Fatalf("%d requests for %d pages: a page was read twice", n, pb.rows.pages)
	}
}

// gatedLogDriver is a session with the Okta tab open, a week of System Log
// of several pages, and a gate in front of the System Log.
func gatedLogDriver(t *testing.T) (*driver, *gate) {
	var g *gate
	a := newDriver(t, setup{sim: sim.Options{Rows: 6000}, loads: []int{4}, edit: func(c *config.Config) {
		g = newGate(t, &c.Okta[0].URL, "/api/v1/logs")
		c.Okta[0].Conn.Timeout = config.Duration{Duration: time.Hour} // the gate decides when it answers
	}})
	openOkta(a)
	return a, g
}

func logPaneOf(d *driver) *logPane { return tabOf[*oktaTab](d.app).log }

// startLog shows d's System Log pane on query and returns the pane's wait
// for its load, not yet run: the test runs it once the gate lets the load
// end.
func startLog(d *driver, query string) tea.Cmd {
	d.t.Helper()
	tabOf[*oktaTab](d.app).pane = paneLog
	cmd, err := logPaneOf(d).setQuery(query)
	if err != nil {
		d.t.Fatal(err)
	}
	return cmd
}

// glance shows d's pane the dataset as it is now, as its watch would,
// without waiting for the next state.
func glance(d *driver) {
	p := logPaneOf(d)
	_, _ = d.app.Update(oktaLogMsg{tab: p.t, req: p.reqs.current(), set: p.set, state: p.set.Read()})
}

// twoOnAHeldLoad is two sessions on a week of System Log whose load is
// held after its first page: a started it, b joined (waitB is b's wait
// for the load's end) and a has shown the first page.
func twoOnAHeldLoad(t *testing.T) (a, b *driver, g *gate, waitB tea.Cmd) {
	t.Helper()
	a, g = gatedLogDriver(t)
	b = secondDriver(t, a, "bob")
	openOkta(b)
	g.shut(1)
	_ = startLog(a, weekQuery)
	g.held(t)
	waitB = startLog(b, weekQuery)
	glance(a)
	return a, b, g, waitB
}

// esc in one session stops its view of a shared load, not the load: the
// other session on the query reads on to the end, each page once, while
// the first keeps what had arrived.
func TestEscStopsTheSystemLogLoadForOneSessionOnly(t *testing.T) {
	t.Parallel()
	a, b, g, waitB := twoOnAHeldLoad(t)
	pa, pb := logPaneOf(a), logPaneOf(b)
	if pa.rows.pages != 1 || !pa.loading() {
		t.Fatalf("a shows %d pages, loading %v: the load is not held after its first page", pa.rows.pages, pa.loading())
	}
	a.typeKeys("esc")
	a.waitFor("1,000 events · 1 page · ", "stopped: what arrived stays · f, enter runs it again", "Stopped: kept 1,000 events from 1 page")
	if st := pa.set.Read(); !st.Busy || st.Snap.ended != "" {
		t.Fatalf("esc in one session stopped the shared load: busy %v, ended %q", st.Busy, st.Snap.ended)
	}
	g.open()
	b.run(waitB)
	b.settle()
	if pb.rows.ended != "complete" || pb.rows.pages < 3 {
		t.Fatalf("the other session's load ended %q after %d pages", pb.rows.ended, pb.rows.pages)
	}
	if n := logRequests(b); n != pb.rows.pages {
		t.Fatalf("%d requests for %d pages: want each page read once", n, pb.rows.pages)
	}
	glance(a)
	a.waitFor("1,000 events · 1 page · ", "stopped: what arrived stays")
	if pa.rows.Len() != 1000 || pa.loading() {
		t.Fatalf("the stopped session moved on with the load: %d events, loading %v", pa.rows.Len(), pa.loading())
	}
}

// esc in the only session following a load stops it at Okta: the page
// held when esc is pressed is the last one asked for, and its answer, if
// any, is not kept.
func TestEscInTheLastSessionStopsTheSystemLogLoad(t *testing.T) {
	t.Parallel()
	a, g := gatedLogDriver(t)
	b := secondDriver(t, a, "bob") // on the server, not on the query
	openOkta(b)
	pa := logPaneOf(a)
	g.shut(1)
	waitA := startLog(a, weekQuery)
	g.held(t)
	glance(a)
	a.typeKeys("esc")
	a.waitFor("1,000 events · 1 page · ", "stopped: what arrived stays")
	g.open()
	a.run(waitA) // the load's end
	a.settle()
	if st := pa.set.Read(); st.Busy || st.Snap.ended != "stopped" || st.Snap.pages != 1 {
		t.Fatalf("after esc: busy %v, ended %q, %d pages", st.Busy, st.Snap.ended, st.Snap.pages)
	}
	// The held request may still reach Okta when let go, if the gate has
	// not yet seen the console hang up; no request may follow it.
	if n := logRequests(a); n > 2 {
		t.Fatalf("%d System Log requests reached Okta: the load went on after esc", n)
	}
	a.waitFor("1,000 events · 1 page · ", "stopped: what arrived stays")
}

// The only session following a load leaves: the load stops rather than
// spend Okta's budget for nobody.
func TestTheLastSessionLeavingStopsTheSystemLogLoad(t *testing.T) {
	t.Parallel()
	a, g := gatedLogDriver(t)
	g.shut(1)
	_ = startLog(a, weekQuery)
	g.held(t)
	set := logPaneOf(a).set
	a.end()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	st, err := set.Idle(ctx)
	if err != nil || st.Snap.ended != "stopped" || st.Snap.pages != 1 {
		t.Fatalf("after the session left: %v, ended %q, %d pages", err, st.Snap.ended, st.Snap.pages)
	}
}

// A session that stopped following a load another session still follows
// runs the same query again: it follows the running load, with no request
// of its own, to its end.
func TestRunningAStoppedQueryAgainFollowsTheSharedLoad(t *testing.T) {
	t.Parallel()
	a, b, g, waitB := twoOnAHeldLoad(t)
	pa, pb := logPaneOf(a), logPaneOf(b)
	a.typeKeys("esc")
	a.waitFor("stopped: what arrived stays")
	waitA := startLog(a, weekQuery) // f, enter on the same text
	if !pa.loading() || strings.Contains(a.screen(), "stopped: what arrived stays") {
		t.Fatalf("running the query again does not follow the load:\n%s", a.screen())
	}
	g.open()
	b.run(waitB)
	b.settle()
	a.run(waitA)
	a.settle()
	if pa.rows.ended != "complete" || pa.rows.eventSet != pb.rows.eventSet {
		t.Fatalf("a's load ended %q, on the other session's events: %v", pa.rows.ended, pa.rows.eventSet == pb.rows.eventSet)
	}
	if n := logRequests(a); n != pa.rows.pages {
		t.Fatalf("%d requests for %d pages: running it again read again", n, pa.rows.pages)
	}
	a.waitFor(" pages · rate limit")
}

// A relative window slides with the clock: the events that fell out of it
// go, and only the newer ones are read.
func TestTheSystemLogWindowSlidesAndReadsOnlyTheNewer(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{sim: sim.Options{Rows: 6000}, loads: []int{4}})
	openOkta(a)
	openSystemLog(a)
	p := tabOf[*oktaTab](a.app).log
	held, pages, read, raw := p.rows.Len(), p.rows.pages, logRequests(a), p.rows.packedBytes
	a.clock.Advance(12 * time.Hour)
	a.sim.Okta.Emit("user.account.lock", "li.chen@acme.example", "")
	a.run(tabOf[*oktaTab](a.app).Refresh())
	a.settle()
	if n := logRequests(a) - read; n != 2 {
		t.Fatalf("the slide made %d requests, want 2: the new event's page and Okta's empty one", n)
	}
	since := a.clock.Now().Add(-24 * time.Hour)
	dropped := 0
	for i := range p.rows.Len() {
		if p.rows.at(i).published.Before(since) {
			t.Fatalf("an event of %s is still shown, before the window's start %s", p.rows.at(i).published, since)
		}
	}
	dropped = held + 1 - p.rows.Len()
	if dropped <= 0 || p.rows.pages != pages || p.rows.at(0).eventType != "user.account.lock" {
		t.Fatalf("after the slide: %d events dropped, %d pages (was %d), top %q", dropped, p.rows.pages, pages, p.rows.at(0).eventType)
	}
	// The raw pages only dropped events were in are let go; the kept
	// events' pages stay.
	if p.rows.packedBytes >= raw {
		t.Fatalf("the raw pages hold %d bytes after the slide, %d before", p.rows.packedBytes, raw)
	}
	for i := range p.rows.Len() {
		if p.rows.packed[p.rows.at(i).page] == nil {
			t.Fatalf("event %d's raw page was let go", i)
		}
	}
	// A session opening the query now shares the slid events.
	b := secondDriver(t, a, "bob")
	openOkta(b)
	openSystemLog(b)
	if n := logRequests(a) - read; n != 2 || tabOf[*oktaTab](b.app).log.rows.Len() != p.rows.Len() {
		t.Fatalf("the second session read %d more time(s)", n-2)
	}
}

// The same query run again is a new load: the events polled after it are
// new to the analyst, counted from the new load's start.
func TestARerunQueryMarksTheEventsPolledAfterIt(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{sim: sim.Options{Rows: 600}, loads: []int{4}})
	openOkta(a)
	openSystemLog(a)
	tab := tabOf[*oktaTab](a.app)
	p := tab.log
	for range 3 {
		a.clock.Advance(tailEvery)
		a.sim.Okta.Emit("user.account.lock", "li.chen@acme.example", "")
		a.run(tab.Refresh())
		a.settle()
	}
	if p.rows.arrived() != 3 {
		t.Fatalf("%d events arrived by polling, want 3", p.rows.arrived())
	}
	cmd, err := p.setQuery(p.text)
	if err != nil {
		t.Fatal(err)
	}
	a.run(cmd)
	a.settle()
	a.clock.Advance(tailEvery)
	a.sim.Okta.Emit("user.session.start", "li.chen@acme.example", "")
	a.run(tab.Refresh())
	a.settle()
	if p.rows.arrived() != 1 || !p.rows.Fresh(0) || p.rows.at(0).eventType != "user.session.start" {
		t.Fatalf("after the query ran again: %d arrived, top %q marked %v", p.rows.arrived(), p.rows.at(0).eventType, p.rows.Fresh(0))
	}
}
