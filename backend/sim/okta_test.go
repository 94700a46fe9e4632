package sim

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"triage/backend/clock"
)

func TestSCIMFilters(t *testing.T) {
	event := map[string][]string{
		"eventType":          {"user.session.start"},
		"outcome.result":     {"FAILURE"},
		"actor.alternateId":  {"li.chen@acme.example"},
		"target.alternateId": {"Slack", "li.chen@acme.example"},
		"severity":           {"WARN"},
	}
	get := func(a string) []string { return event[a] }
	known := func(a string) bool { _, ok := event[a]; return ok || a == "client.ipAddress" }
	for expr, want := range map[string]bool{
		`eventType eq "user.session.start"`:                                              true,
		`EventType eq "user.session.start"`:                                              false, // attribute names are exact here
		`eventType eq "USER.SESSION.START"`:                                              true,
		`outcome.result eq "FAILURE" and actor.alternateId eq "li.chen@acme.example"`:    true,
		`outcome.result eq "SUCCESS" or severity eq "WARN"`:                              true,
		`outcome.result eq "SUCCESS" or (severity eq "INFO" and eventType co "session")`: false,
		`target.alternateId eq "slack"`:                                                  true,
		`target.alternateId sw "li."`:                                                    true,
		`not (eventType co "session")`:                                                   false,
		`client.ipAddress pr`:                                                            false,
		`eventType ew "start" and eventType ne "x"`:                                      true,
		`actor.alternateId eq "li.chen\"@acme.example"`:                                  false,
	} {
		f, err := compileSCIM(expr, known)
		if err != nil {
			if expr == `EventType eq "user.session.start"` {
				continue
			}
			t.Fatalf("%s: %v", expr, err)
		}
		if got := f(get); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
	for expr, msg := range map[string]string{
		``:                           "empty",
		`eventType eq`:               "needs a value",
		`eventType eq user`:          "must be in double quotes",
		`eventType like "x"`:         `unknown operator "like"`,
		`(eventType eq "x"`:          "not closed",
		`eventType eq "x" and`:       "ends where an expression",
		`eventType eq "x" extra`:     `unexpected "extra"`,
		`nosuch eq "x"`:              `attribute "nosuch" is not supported`,
		`eventType eq "unterminated`: "unterminated string",
		`"quoted" eq "x"`:            "is not an attribute name",
		`not eventType eq "x"`:       "parenthesised",
	} {
		_, err := compileSCIM(expr, known)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", expr, err, msg)
		}
	}
}

// The log is generated, not stored: a quarter of a million events cost
// almost nothing until they are served.
func TestOktaLogScalesWithoutHoldingEvents(t *testing.T) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	o := anchored(Options{Rows: 250_000})
	s, err := newOkta(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := s.LogSize(); n != 250_000 {
		t.Fatalf("log size %d", n)
	}
	// What it holds is the 20,000 users, not the events.
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 16<<20 {
		t.Fatalf("starting with 250,000 events took %d MB", grew>>20)
	}
	l := &s.log
	for i := 1; i < l.base; i += 997 {
		if l.at(i).Before(l.at(i - 1)) {
			t.Fatalf("event %d is older than %d", i, i-1)
		}
	}
	if l.at(0).Before(l.from) || l.at(l.base-1).After(o.epoch) {
		t.Fatalf("events outside the seven days: %s .. %s", l.at(0), l.at(l.base-1))
	}
}

// Live arrivals and writes interleave without breaking time order, which
// the cursor and since/until depend on.
func TestOktaEventsAfterNowStayInOrder(t *testing.T) {
	now := clock.Pin(epochForTests)
	s, err := Start(Options{Rows: 100, Live: true, Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now.Advance(10 * time.Second) // three arrivals are due
	if uuid := s.Okta.Emit("user.session.start", "li.chen@acme.example", "FAILURE"); uuid == "" {
		t.Fatal("emit failed")
	}
	if uuid := s.Okta.Emit("no.such.event", "li.chen@acme.example", ""); uuid != "" {
		t.Fatal("unknown event type emitted")
	}
	l := &s.Okta.log
	if len(l.extra) != 4 {
		t.Fatalf("%d events after now, want 3 arrivals and the emitted one", len(l.extra))
	}
	for i := 1; i < l.total(); i++ {
		if l.at(i).Before(l.at(i - 1)) {
			t.Fatalf("event %d is older than %d", i, i-1)
		}
	}
}

func TestOktaHostileStringsReachTheWire(t *testing.T) {
	s, err := Start(pin(Options{Hostile: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req, _ := http.NewRequest("GET", s.Okta.URL+"/api/v1/logs?limit=50", nil)
	req.Header.Set("Authorization", "SSWS "+OktaAPIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 1<<20)
	n, _ := resp.Body.Read(buf)
	for i := n; i < len(buf); {
		m, err := resp.Body.Read(buf[i:])
		i += m
		n = i
		if err != nil {
			break
		}
	}
	if !strings.Contains(string(buf[:n]), `\u001b`) {
		t.Fatal("hostile mode put no escape sequence in the log: the console's tests would prove nothing")
	}
}
