package views

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/config"
	"triage/backend/sim"
)

// openOkta opens tab 4 and waits for the first page of apps.
func openOkta(h console) {
	h.base().t.Helper()
	h.waitFor("4 Okta")
	h.typeKeys("4")
	h.waitFor("50 apps (more as you scroll)")
}

// openSystemLog switches to the System Log pane and waits for the load to end.
func openSystemLog(h console) string {
	h.base().t.Helper()
	h.typeKeys("]")
	return h.waitUntil("the System Log loaded", func(f string) bool {
		return strings.Contains(f, " pages · rate limit") && !strings.Contains(f, "loading:")
	})
}

// rowsWith returns the table lines of a frame that hold text.
func rowsWith(frame, text string) []string {
	var out []string
	for _, l := range lines(uncursored(frame)) {
		if strings.Contains(l, text) {
			out = append(out, l)
		}
	}
	return out
}

// loopbackPort is the simulator's port, different every run.
var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

var eventLine = regexp.MustCompile(`^[● ] \d\d-\d\d \d\d:\d\d:\d\d `)

// eventRowsOf returns the System Log table's rows on screen.
func eventRowsOf(frame string) []string {
	var out []string
	for _, l := range lines(uncursored(frame)) {
		if eventLine.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

func TestOktaAppsListGolden(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	frame := h.screen()
	assertNoControls(t, frame)
	if !strings.Contains(frame, "[Apps]  System Log   Groups   [ ] switch panes") || !strings.Contains(frame, "[4 Okta]") {
		t.Fatalf("panes or tab missing:\n%s", frame)
	}
	h.golden(frame)
}

func TestOktaAppsPageInAsYouScrollByTheLinkCursor(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	if n := h.sim.Okta.Count("GET /api/v1/apps"); n != 1 {
		t.Fatalf("%d app requests before scrolling", n)
	}
	h.typeKeys("G")
	h.waitFor("60 apps  ")
	if n := h.sim.Okta.Count("GET /api/v1/apps"); n != 2 {
		t.Fatalf("%d app requests after scrolling, want 2", n)
	}
	h.typeKeys("G")
	apps := h.sim.Okta.Apps()
	h.waitFor(apps[len(apps)-1].Label)
}

func TestOktaAppDetailListsAssignedUsersAndChecksAssignments(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	h.typeKeys("j", "enter") // Slack: everyone
	h.waitFor("Assigned users (")
	frame := h.screen()
	slack := h.sim.Okta.Apps()[1]
	want := h.sim.Okta.AppUserLogins(slack.ID)
	if !strings.Contains(frame, fmt.Sprintf("Assigned users (%d)", len(want))) || !strings.Contains(frame, want[0]) || !strings.Contains(frame, slack.ID) {
		t.Fatalf("detail of %s:\n%s", slack.Label, frame)
	}
	h.golden(loopbackPort.ReplaceAllString(frame, "127.0.0.1:PORT"))

	h.typeKeys("f")
	h.waitFor("Is this person assigned to Slack?")
	h.typeText("li.chen@acme.example")
	h.typeKeys("enter")
	h.waitFor("li.chen@acme.example is assigned to Slack: ACTIVE, scope GROUP")

	h.typeKeys("f")
	h.typeText("nobody@acme.example")
	h.typeKeys("enter")
	h.waitFor("Okta demo: 404 E0000007: Not found: Resource not found: nobody@acme.example (User)")

	// An app li.chen is not assigned to: Okta's 404 is a plain "no".
	h.typeKeys("esc", "g")
	for i, a := range h.sim.Okta.Apps()[:50] {
		assigned := false
		for _, l := range h.sim.Okta.AppUserLogins(a.ID) {
			assigned = assigned || l == "li.chen@acme.example"
		}
		if !assigned {
			for range i {
				h.typeKeys("j")
			}
			h.typeKeys("enter")
			h.waitFor(a.ID, "Assigned users (")
			h.typeKeys("f")
			h.typeText("li.chen")
			h.typeKeys("enter")
			h.waitFor("li.chen@acme.example (ACTIVE) is not assigned to " + a.Label)
			return
		}
	}
	t.Fatal("li.chen is assigned to every app: the test proves nothing")
}

func TestOktaAppSearchByPersonAndName(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	h.typeKeys("f")
	h.waitFor("Okta app search")
	h.typeText("user:li.chen@acme.example status:active")
	h.typeKeys("enter")
	var want []string
	for _, a := range h.sim.Okta.Apps() {
		for _, l := range h.sim.Okta.AppUserLogins(a.ID) {
			if l == "li.chen@acme.example" && a.Status == "ACTIVE" {
				want = append(want, a.Label)
			}
		}
	}
	h.waitFor(fmt.Sprintf("%d apps  ", len(want)), "search: user:li.chen@acme.example")
	h.typeKeys("f")
	for range "user:li.chen@acme.example status:active" {
		h.typeKeys("backspace")
	}
	h.typeText("sales")
	h.typeKeys("enter")
	h.waitFor("search: sales")
	frame := h.waitUntil("only Salesforce", func(f string) bool { return strings.Contains(f, "2 apps  ") })
	if len(rowsWith(frame, "salesforce ")) != 2 {
		t.Fatalf("search for sales:\n%s", frame)
	}
	h.typeKeys("f")
	h.typeText(" bogus:1")
	h.typeKeys("enter")
	h.waitFor(`app search: unknown query term "bogus"`)
	h.typeKeys("esc")
	h.typeKeys("f")
	h.typeKeys("ctrl+u")
	h.typeText("user:nobody@acme.example")
	h.typeKeys("enter")
	h.waitFor("404 E0000007: Not found: Resource not found: nobody@acme.example (User)")
}

func TestOktaSystemLogPaneGoldenWithHistogram(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{sim: sim.Options{Rows: 2000}, loads: []int{4}})
	openOkta(h)
	frame := openSystemLog(h)
	assertNoControls(t, frame)
	for _, want := range []string{"query: since:-24h sort:desc", "events per ", "failed or denied", "\nevents  ", "\nfailed  ", "PUBLISHED", "EVENT TYPE"} {
		if !strings.Contains(frame, want) {
			t.Fatalf("%q missing:\n%s", want, frame)
		}
	}
	h.golden(frame)
	// [ goes back to the apps; ] returns to the log without loading again.
	n := h.sim.Okta.Count("GET /api/v1/logs")
	h.typeKeys("[")
	h.waitFor("search: all apps")
	h.typeKeys("]")
	h.waitFor("query: since:-24h")
	if h.sim.Okta.Count("GET /api/v1/logs") != n {
		t.Fatal("switching panes reloaded the log")
	}
	h.typeKeys("?")
	h.waitFor("Okta System Log", "previous pane", "next pane", "tail new events")
}

func TestOktaLogQueryNarrowsAndPivots(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{sim: sim.Options{Rows: 3000}, loads: []int{4}})
	openOkta(h)
	openSystemLog(h)
	h.typeKeys("f")
	h.waitFor("System Log query")
	h.typeKeys("ctrl+u")
	h.typeText("since:-7d type:user.session.start outcome:failure sort:asc")
	h.typeKeys("enter")
	frame := h.waitUntil("only failed sign-ins", func(f string) bool {
		rows := eventRowsOf(f)
		if len(rows) == 0 || !strings.Contains(f, "query: since:-7d type:user.session.start") || strings.Contains(f, "loading:") {
			return false
		}
		for _, r := range rows {
			if !strings.Contains(r, "user.session.start") || !strings.Contains(r, "FAILURE") {
				return false
			}
		}
		return true
	})
	first := eventRowsOf(frame)[0]
	actor := strings.Fields(first)[4]
	h.typeKeys(":")
	h.typeText("show only")
	h.typeKeys("enter")
	h.waitFor("query: since:-7d sort:asc actor:" + strings.TrimSuffix(actor, "…"))
	frame = h.waitUntil("only the actor's events", func(f string) bool {
		rows := eventRowsOf(f)
		if len(rows) == 0 || strings.Contains(f, "loading:") {
			return false
		}
		for _, r := range rows {
			if !strings.Contains(r, strings.TrimSuffix(actor, "…")) {
				return false
			}
		}
		return true
	})
	assertNoControls(t, frame)
}

func TestOktaInvalidFilterShowsOktasCause(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	openSystemLog(h)
	h.typeKeys("f")
	h.typeText(` filter:eventType eq`)
	h.typeKeys("enter")
	frame := h.waitFor2("Okta demo: 400 E0000001")
	status := lines(frame)[len(lines(frame))-1]
	if !strings.Contains(status, "Invalid filter expression: eventType eq needs a") {
		t.Fatalf("status line %q", status)
	}
	if !strings.Contains(frame, "the load failed") {
		t.Fatalf("progress does not say the load failed:\n%s", frame)
	}
	h.typeKeys("f", "ctrl+u")
	h.typeText("until:whenever")
	h.typeKeys("enter")
	h.waitFor(`log query: until: "whenever" is not a time`)
}

func TestOktaEventDetailShowsTheWholeEvent(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	openSystemLog(h)
	h.typeKeys("enter")
	frame := h.waitFor2("Request IP chain (1)")
	for _, want := range []string{"Event type", "Published", "Outcome", "Actor", "Targets (", "Client", "IP address", "User agent"} {
		if !strings.Contains(frame, want) {
			t.Fatalf("%q missing:\n%s", want, frame)
		}
	}
	h.typeKeys("G")
	h.waitFor("Security context", "AS org", "Authentication context", "Transaction", "Debug context", "requestUri")
	h.typeKeys("v")
	h.waitFor("Raw JSON")
	h.typeKeys("G")
	h.waitFor(`"uuid": "`)
	h.typeKeys("g")
	h.waitFor(`"actor": {`)
	h.typeKeys("esc")
	h.waitFor("PUBLISHED")
}

func TestOktaTailAppendsNewEvents(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	openSystemLog(h)
	var before int
	fmt.Sscanf(lines(h.screen())[4], "%d events", &before)
	h.sim.Okta.Emit("user.session.start", "li.chen@acme.example", "FAILURE")
	h.sim.Okta.Emit("user.account.lock", "li.chen@acme.example", "")
	h.typeKeys("t")
	frame := h.waitFor2("tailing every 5s, 2 new")
	rows := rowsWith(frame, "● ")
	if len(rows) != 2 || !strings.Contains(rows[0], "user.account.lock") || !strings.Contains(rows[1], "FAILURE") {
		t.Fatalf("tailed rows not on top, marked new:\n%s", frame)
	}
	if !strings.Contains(frame, fmt.Sprintf("%d events · 2 pages", before+2)) {
		t.Fatalf("tailing should add to the %d events loaded:\n%s", before, frame)
	}
	h.typeKeys("t")
	h.waitUntil("tailing to stop", func(f string) bool { return !strings.Contains(lines(f)[4], "tailing every") })
	h.typeKeys("enter")
	h.waitFor("Max sign in attempts exceeded")
	h.typeKeys("esc")
	if f := h.waitFor2("PUBLISHED"); len(rowsWith(f, "● ")) != 1 {
		t.Fatalf("opening an event should mark it seen:\n%s", f)
	}
}

// esc during a load stops it and keeps what arrived. The vendor holds the
// second page's request until the console gives up on it, so the load is
// surely in flight when esc is pressed.
func TestOktaEscStopsALongLoadAndKeepsWhatArrived(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{sim: sim.Options{Rows: 6000}, loads: []int{4}}) // more than a page of events a day
	openOkta(h)
	h.sim.Okta.Inject(&sim.Fault{Path: "/api/v1/logs", Skip: 1, Delay: time.Hour})
	h.typeKeys("]")
	h.waitUntil("a page in and the next asked for", func(f string) bool {
		return strings.Contains(f, "loading: 1,000 events") && h.sim.Okta.Count("GET /api/v1/logs") == 2
	})
	// esc cancels the load's one request in flight. Once the load has
	// ended (the pane's answer to its load says the dataset is idle),
	// nothing is left that could ask for another page.
	held := h.whenHandled("the stopped load's end", func(msg tea.Msg) bool {
		m, ok := msg.(oktaLogMsg)
		return ok && m.mine && m.kind == logLoad && !m.state.Busy
	})
	h.typeKeys("esc")
	h.waitFor("stopped: what arrived stays", "Stopped: kept 1,000 events")
	if frame := h.screen(); !strings.Contains(frame, "1,000 events · 1 page · ") || len(eventRowsOf(frame)) < 10 {
		t.Fatalf("rows changed or vanished after esc:\n%s", frame)
	}
	held()
	if n := h.sim.Okta.Count("GET /api/v1/logs"); n != 2 {
		t.Fatalf("%d System Log requests: the load kept paging after esc", n)
	}
	if after := h.screen(); !strings.Contains(after, "1,000 events · 1 page · ") || !strings.Contains(after, "stopped: what arrived stays") {
		t.Fatalf("the late answer changed what was kept:\n%s", after)
	}
}

// The done-when of the Okta issue, through the tab: the first System Log
// request is answered 429 with X-Rate-Limit-Reset a second after the
// answer's Date; Okta means "wait until then", and the client adds a
// second, so the events appear two seconds later, not before.
func TestOktaFirstLogRequestRateLimitedWaitsForTheReset(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{loads: []int{4}})
	openOkta(h)
	now := h.clock.Now()
	h.sim.Okta.Inject(&sim.Fault{Path: "/api/v1/logs", Status: 429, Times: 1,
		Header: http.Header{"Date": {now.UTC().Format(http.TimeFormat)}, "X-Rate-Limit-Limit": {"120"}, "X-Rate-Limit-Remaining": {"0"},
			"X-Rate-Limit-Reset": {fmt.Sprint(now.Add(time.Second).Unix())}},
		Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oae1","errorCauses":[]}`})
	start := time.Now()
	frame := openSystemLog(h)
	if waited := time.Since(start); waited < 2*time.Second {
		t.Fatalf("events after %s: the retry did not wait for the reset", waited)
	}
	// The 429, then the two pages of a polling query (the second empty).
	if h.sim.Okta.Count("GET /api/v1/logs") != 3 || len(eventRowsOf(frame)) == 0 || !strings.Contains(frame, " events · 2 pages") {
		t.Fatalf("want the 429, one retry and the empty page, then events:\n%s", frame)
	}
}

func TestOktaHostileTextIsInert(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{sim: sim.Options{Hostile: true}, loads: []int{4}})
	openOkta(h)
	h.typeKeys("G")
	frame := h.waitFor2("60 apps  ")
	assertNoControls(t, frame)
	if !strings.Contains(frame, "<U+202E>") && !strings.Contains(frame, "click here") {
		t.Fatalf("no hostile label on screen: the test would prove nothing\n%s", frame)
	}
	for i := 0; i < 4; i++ {
		h.typeKeys("enter")
		h.waitFor("Assigned users (")
		assertNoControls(t, h.screen())
		h.typeKeys("v")
		h.waitFor("Raw JSON")
		assertNoControls(t, h.screen())
		h.typeKeys("esc", "k")
	}
	openSystemLog(h)
	for i := 0; i < 8; i++ {
		h.typeKeys("enter")
		h.waitFor("Targets (")
		assertNoControls(t, h.screen())
		h.typeKeys("v")
		h.waitFor("Raw JSON")
		assertNoControls(t, h.screen())
		h.typeKeys("esc", "j")
	}
}

func TestOktaRevokedTokenIsOneClearLine(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{edit: func(c *config.Config) { c.Okta[0].APIToken = "revoked" }})
	// The apps load at start, so the error reaches the status line from
	// whichever tab is shown.
	h.waitFor("Okta demo: 401 E0000011: Invalid token provided [GET /api/v1/apps")
	h.typeKeys("4")
	// The tab says the list failed, and why, in place of its rows: not
	// "No applications match", which would read as an empty org.
	frame := h.waitFor2("✗ Could not load the rows (r tries again): Okta demo: 401 E0000011: Invalid token provided")
	if strings.Contains(frame, "No applications match") {
		t.Fatalf("the failed list reads as empty:\n%s", frame)
	}
}

func TestOktaBadAnswersAreOneClearLine(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	openSystemLog(h)
	for _, c := range []struct {
		fault *sim.Fault
		want  string
	}{
		{&sim.Fault{Status: 500, Body: "<html><title>Internal Server Error</title></html>", Header: http.Header{"Content-Type": {"text/html"}}}, "Okta demo: 500: HTML page: Internal Server Error"},
		{&sim.Fault{Status: 200, Body: `[{"uuid":"x","published":"2026-11`}, "Okta demo: 200: malformed JSON"},
		{&sim.Fault{Status: 200}, "Okta demo: 200: empty response where data was expected"},
		// A reset further off than the client waits: said at once, not retried
		// (TestConsoleAnswersKeysThroughA429Storm retries).
		{&sim.Fault{Status: 429, Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`,
			Header: http.Header{"Retry-After": {"3600"}}}, "Okta demo: 429 E0000047: API call exceeded rate limit"},
	} {
		c.fault.Path = "/api/v1/logs"
		h.sim.Okta.Inject(c.fault)
		h.typeKeys("f", "enter")
		frame := h.waitFor2(c.want)
		status := lines(frame)[len(lines(frame))-1]
		if !strings.HasPrefix(status, "✗ "+c.want) {
			t.Fatalf("status line %q, want %q", status, c.want)
		}
		h.sim.Okta.Inject(nil)
	}
	h.typeKeys("f", "enter")
	h.waitUntil("the log back", func(f string) bool {
		return len(eventRowsOf(f)) > 0 && !strings.Contains(f, "the load failed") && !strings.Contains(f, "loading:")
	})
}

func TestOktaTenantSwitchReloads(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}, edit: func(c *config.Config) {
		second := c.Okta[0]
		second.Name = "second"
		c.Okta = append(c.Okta, second)
	}})
	openOkta(h)
	h.typeKeys("T")
	h.waitFor("Switch Okta org")
	h.typeText("second")
	h.typeKeys("enter")
	h.waitFor("okta/second", "Okta org second")
	h.waitFor("50 apps (more as you scroll)")
	if n := h.sim.Okta.Count("GET /api/v1/apps"); n != 2 {
		t.Fatalf("%d app requests, want one at start and one on switching", n)
	}
	h.typeKeys("?")
	h.waitFor("switch tenant")
}

// An oldest-first query ends on Okta's polling cursor; tailing follows it
// and the new events go at the bottom.
func TestOktaTailOfAnOldestFirstQueryFollowsThePollingCursor(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}})
	openOkta(h)
	openSystemLog(h)
	h.typeKeys("f", "ctrl+u")
	h.typeText("since:-24h sort:asc")
	h.typeKeys("enter")
	h.waitUntil("the oldest-first load", func(f string) bool {
		return strings.Contains(f, "query: since:-24h sort:asc") && strings.Contains(f, " pages · rate limit") && !strings.Contains(f, "loading:")
	})
	h.sim.Okta.Emit("user.session.start", "li.chen@acme.example", "FAILURE")
	h.typeKeys("t")
	h.waitFor2("tailing every 5s, 1 new")
	h.typeKeys("G") // the bottom, now that the new event is there
	h.waitUntil("the new event last", func(frame string) bool {
		rows := eventRowsOf(frame)
		last := rows[len(rows)-1]
		return strings.HasPrefix(last, "● ") && strings.Contains(last, "li.chen@acme.example")
	})
}

// Switching to an org whose load fails at once leaves its error on the
// status line: the switch's note comes before the load, never over it.
func TestASwitchToAFailingOrgShowsItsError(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{4}, edit: func(c *config.Config) {
		wrong := c.Okta[0]
		wrong.Name, wrong.APIToken = "wrong", "not-the-token"
		c.Okta = append(c.Okta, wrong)
	}})
	openOkta(h)
	h.typeKeys("T")
	h.waitFor("Switch Okta org")
	h.typeText("wrong")
	h.typeKeys("enter")
	frame := h.waitUntil("the load's error", func(f string) bool { return strings.HasPrefix(statusLine(f), "✗ ") })
	if got := statusLine(frame); !strings.Contains(got, "Okta wrong: 401") {
		t.Fatalf("status line %q", got)
	}
}

// A load held by the tenant's share of Okta's rate limit says so, with the
// time left, on the status line: the share is server-wide, so the wait may
// be for other analysts' loads.
func TestSystemLogSaysWhenItWaitsForTheRateLimit(t *testing.T) {
	h := newHarness(t, setup{loads: []int{4}, vendors: func(s *sim.Sim) {
		// Two a minute and half for others: the first page takes
		// triage's share, the next waits for the reset.
		s.Okta.SetRateLimit("/api/v1/logs", 2)
	}})
	openOkta(h)
	h.typeKeys("]")
	frame := saysRateLimitWait(t, h, "")
	if !strings.Contains(frame, "rate limit 1/2 left") {
		t.Errorf("the budget Okta reported is not shown:\n%s", frame)
	}
}

// saysRateLimitWait waits for the console to say it waits for Okta's rate
// limit, after what (a regexp: whose load it is), with the seconds left of
// a one-minute window; it returns the frame.
func saysRateLimitWait(t *testing.T, h *harness, what string) string {
	t.Helper()
	frame := h.waitUntil("the wait said", func(f string) bool { return strings.Contains(f, "waiting for Okta's rate limit: ") })
	m := regexp.MustCompile(what + `.*waiting for Okta's rate limit: (\d+) s`).FindStringSubmatch(frame)
	if m == nil {
		t.Fatalf("no seconds in the wait, or not said with %q:\n%s", what, frame)
	}
	if secs, _ := strconv.Atoi(m[1]); secs < 1 || secs > 62 {
		t.Fatalf("waiting %s s for a one-minute window:\n%s", m[1], frame)
	}
	return frame
}
