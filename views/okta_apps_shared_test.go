package views

import (
	"strings"
	"testing"
	"time"

	"triage/backend/config"
	"triage/backend/okta"
	"triage/backend/sim"
)

// oktaPoll is the message b's idle watch would bring: its apps dataset as
// it is now.
func oktaPoll(tab *oktaTab) oktaSharedMsg[okta.App] {
	p := tab.apps
	return oktaSharedMsg[okta.App]{tab: tab, req: p.reqs.current(), set: p.set, state: p.set.Read(), chain: true}
}

// Two analysts on one org share one read of each page of the app list:
// the second console's apps cost Okta nothing, and a page one session
// scrolls to is there for the other.
func TestTwoSessionsShareOneReadOfTheOktaApps(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{4}})
	ta := tabOf[*oktaTab](a.app)
	if ta.apps.rows.Len() != appsPageSize || !ta.apps.rows.more {
		t.Fatalf("the first session shows %d apps (more %v): want the first page of a longer list", ta.apps.rows.Len(), ta.apps.rows.more)
	}
	if n := a.sim.Okta.Count("GET /api/v1/apps"); n != 1 {
		t.Fatalf("%d app requests for the first page", n)
	}
	b := secondDriver(t, a, "bob")
	tb := tabOf[*oktaTab](b.app)
	if n := a.sim.Okta.Count("GET /api/v1/apps"); n != 1 {
		t.Fatalf("the second session read the apps again: %d requests", n)
	}
	if tb.apps.rows.objRows != ta.apps.rows.objRows {
		t.Fatal("the sessions hold two copies of the app rows")
	}
	// b goes to the last row: the second page is read once, for both.
	b.typeKeys("4", "G")
	if tb.apps.rows.Len() != len(a.sim.Okta.Apps()) || tb.apps.rows.more {
		t.Fatalf("G in the second session shows %d of %d apps", tb.apps.rows.Len(), len(a.sim.Okta.Apps()))
	}
	if n := a.sim.Okta.Count("GET /api/v1/apps"); n != 2 {
		t.Fatalf("%d app requests for two pages", n)
	}
	a.send(oktaPoll(ta))
	a.typeKeys("4", "G")
	if ta.apps.rows.objRows != tb.apps.rows.objRows || ta.apps.rows.Len() != tb.apps.rows.Len() {
		t.Fatalf("the first session shows %d apps, the second %d", ta.apps.rows.Len(), tb.apps.rows.Len())
	}
	if n := a.sim.Okta.Count("GET /api/v1/apps"); n != 2 {
		t.Fatalf("the first session read a page the other had: %d requests", n)
	}
	// Another search is another dataset, read once.
	b.send(tb.apps.search("sales")())
	if n := a.sim.Okta.Count("GET /api/v1/apps"); n != 3 {
		t.Fatalf("a new search made %d requests, want 1", n-2)
	}
	if ta.apps.rows.Len() == tb.apps.rows.Len() {
		t.Fatalf("the search changed the other session's list too (%d apps)", ta.apps.rows.Len())
	}
}

// A refresh asked in one session is one read, whatever the other sessions
// ask meanwhile, and every session shows its result.
func TestAnOktaAppsRefreshIsOneReadForEverySession(t *testing.T) {
	t.Parallel()
	var g *gate
	a := newDriver(t, setup{loads: []int{4}, edit: func(c *config.Config) {
		g = newGate(t, &c.Okta[0].URL, "/api/v1/apps")
		c.Okta[0].Conn.Timeout = config.Duration{Duration: time.Hour}
	}})
	b := secondDriver(t, a, "bob")
	ta, tb := tabOf[*oktaTab](a.app), tabOf[*oktaTab](b.app)
	before := a.sim.Okta.Count("GET /api/v1/apps")
	if before != 1 {
		t.Fatalf("%d app requests before the refresh", before)
	}
	g.shut(0)
	refresh := ta.apps.refresh()
	g.held(t)
	if again := tb.apps.refresh(); again != nil {
		t.Fatal("the second session started a refresh of its own while one runs")
	}
	if !tb.apps.set.Read().Busy {
		t.Fatal("the shared refresh is not running")
	}
	g.open()
	a.run(refresh)
	a.settle()
	if n := a.sim.Okta.Count("GET /api/v1/apps") - before; n != 1 {
		t.Fatalf("two sessions' refresh made %d requests, want 1", n)
	}
	if ta.apps.refreshing || ta.apps.rows.Len() != appsPageSize {
		t.Fatalf("after the refresh: refreshing %v, %d apps", ta.apps.refreshing, ta.apps.rows.Len())
	}
	shown := tb.apps.rows.objRows
	b.send(oktaPoll(tb))
	if tb.apps.rows.objRows == shown || tb.apps.rows.objRows != ta.apps.rows.objRows {
		t.Fatal("the other session does not show the refreshed rows")
	}
}

// A session that leaves while the apps load does not stop the load: the
// other session waiting for it gets its rows, from the one request.
func TestASessionLeavingMidLoadLeavesTheOktaAppsLoading(t *testing.T) {
	t.Parallel()
	var g *gate
	a := newDriver(t, setup{loads: []int{}, edit: func(c *config.Config) {
		g = newGate(t, &c.Okta[0].URL, "/api/v1/apps")
		c.Okta[0].Conn.Timeout = config.Duration{Duration: time.Hour}
	}})
	b := secondDriver(t, a, "bob")
	ta, tb := tabOf[*oktaTab](a.app), tabOf[*oktaTab](b.app)
	g.shut(0)
	_ = ta.apps.load() // a's session never sees the answer: it leaves
	g.held(t)
	wait := tb.apps.load()
	a.end()
	g.open()
	b.run(wait)
	b.settle()
	if tb.apps.loading || tb.apps.loadErr != nil || tb.apps.rows.Len() != appsPageSize {
		t.Fatalf("the staying session: loading %v, error %v, %d apps", tb.apps.loading, tb.apps.loadErr, tb.apps.rows.Len())
	}
	if n := a.sim.Okta.Count("GET /api/v1/apps"); n != 1 {
		t.Fatalf("%d app requests, want the one both sessions share", n)
	}
}

// The apps' next page held by the org's share of Okta's rate limit says
// so on the status line, as the System Log does.
func TestOktaAppsSayWhenTheyWaitForTheRateLimit(t *testing.T) {
	h := newHarness(t, setup{loads: []int{4}, vendors: func(s *sim.Sim) {
		// Two a minute and half for others: the first page takes
		// triage's share, the next waits for the reset.
		s.Okta.SetRateLimit("/api/v1/apps", 2)
	}})
	openOkta(h)
	h.typeKeys("G")
	saysRateLimitWait(t, h, `Loading Okta apps \(50 so far\)… · `)
}

// A next page that fails is not read again on each look at the dataset:
// the analyst's G (or r) asks again.
func TestAFailedAppsPageIsReadAgainOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	a := newDriver(t, setup{loads: []int{4}})
	ta := tabOf[*oktaTab](a.app)
	if !ta.apps.rows.more {
		t.Fatal("the apps are one page: the test would prove nothing")
	}
	a.sim.Okta.Inject(&sim.Fault{Path: "/api/v1/apps", Status: 400, Body: `{"errorCode":"E0000001","errorSummary":"nope"}`, Times: 100})
	a.typeKeys("4", "G")
	if !strings.HasPrefix(statusLine(a.screen()), "✗ ") {
		t.Fatalf("the failed page is not said:\n%s", a.screen())
	}
	before := a.sim.Okta.Count("GET /api/v1/apps")
	for range 3 {
		a.send(oktaPoll(ta)) // the idle look at the dataset, every 2 s
	}
	if n := a.sim.Okta.Count("GET /api/v1/apps") - before; n != 0 {
		t.Fatalf("the failing page was read %d more time(s) without being asked", n)
	}
	a.typeKeys("G")
	if n := a.sim.Okta.Count("GET /api/v1/apps") - before; n != 1 {
		t.Fatalf("G read the failing page %d time(s), want 1", n)
	}
}
