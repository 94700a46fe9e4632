package views

import (
	"testing"
	"time"

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
// other session on the query gets every page, each read once.
func TestASessionLeavingMidLoadLeavesTheLoadToTheOthers(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{sim: sim.Options{Rows: 6000}, loads: []int{4}})
	openOkta(a)
	b := secondDriver(t, a, "bob")
	openOkta(b)
	// The first page takes a while, so the load is surely running when a
	// leaves.
	a.sim.Okta.Inject(&sim.Fault{Path: "/api/v1/logs", Times: 1, Delay: 300 * time.Millisecond})
	pa := tabOf[*oktaTab](a.app).log
	tabOf[*oktaTab](a.app).pane = paneLog
	pa.load() // starts the load; a never waits for its answer
	if !pa.set.Read().Busy {
		t.Fatal("the load is not running: the test would prove nothing")
	}
	a.end()
	openSystemLog(b)
	pb := tabOf[*oktaTab](b.app).log
	if pb.rows.ended != "complete" || pb.rows.Len() == 0 || pb.rows.eventSet != pa.set.Read().Snap {
		t.Fatalf("the other session's load ended %q with %d events", pb.rows.ended, pb.rows.Len())
	}
	if n := logRequests(b); n != pb.rows.pages {
		t.Fatalf("%d requests for %d pages: a page was read twice", n, pb.rows.pages)
	}
}

// A relative window slides with the clock: the events that fell out of it
// go, and only the newer ones are read.
func TestTheSystemLogWindowSlidesAndReadsOnlyTheNewer(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{sim: sim.Options{Rows: 6000}, loads: []int{4}})
	openOkta(a)
	openSystemLog(a)
	p := tabOf[*oktaTab](a.app).log
	held, pages, read := p.rows.Len(), p.rows.pages, logRequests(a)
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
	// A session opening the query now shares the slid events.
	b := secondDriver(t, a, "bob")
	openOkta(b)
	openSystemLog(b)
	if n := logRequests(a) - read; n != 2 || tabOf[*oktaTab](b.app).log.rows.Len() != p.rows.Len() {
		t.Fatalf("the second session read %d more time(s)", n-2)
	}
}
