package views

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"triage/backend/config"
	"triage/backend/sim"
	"triage/ui"
)

// promptly is how soon a key must show its effect while a vendor is slow:
// generous for a loaded machine, far below the vendor's delay.
const promptly = 2 * time.Second

// keysAnswerPromptly presses each key and waits a short while for the
// frame that shows it was handled.
func (h *harness) keysAnswerPromptly(steps []struct {
	key   string
	shows string
}) {
	h.t.Helper()
	for _, s := range steps {
		h.typeKeys(s.key)
		h.waitUntil("key "+s.key+" to show "+s.shows, func(f string) bool { return strings.Contains(f, s.shows) })
	}
}

// statusLine is the last line of the frame: where errors have their home.
func statusLine(frame string) string {
	ls := lines(frame)
	return ls[len(ls)-1]
}

func TestConsoleAnswersKeysWhileAVendorIsSlow(t *testing.T) {
	h := newHarness(t, setup{edit: func(c *config.Config) { c.ITM[0].Conn.Timeout = config.Duration{Duration: 700 * time.Millisecond} }})
	h.waitFor("120 of 120 incidents")
	// Every ITM answer now takes a minute: the refresh waits out four
	// attempts of 0.7s and the backoff between them.
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/activity/event-queries", Delay: time.Minute})
	h.typeKeys("r")
	start := time.Now()
	h.keysAnswerPromptly([]struct{ key, shows string }{
		{"2", "alice saas/demo"}, {"?", "Everywhere"}, {"esc", "120 incidents"}, {"4", "alice okta/demo"},
		{"1", "alice itm/demo"}, {"/", "/"}, {"esc", "120 of 120 incidents"},
	})
	if time.Since(start) > 4*time.Second {
		t.Fatalf("the keys took %s", time.Since(start))
	}
	if strings.HasPrefix(statusLine(h.screen()), "✗ ") {
		t.Fatal("the refresh ended before the keys were pressed: the test proves nothing")
	}
	frame := h.waitUntil("the refresh to give up", func(f string) bool { return strings.HasPrefix(statusLine(f), "✗ ") })
	if got := statusLine(frame); !strings.HasPrefix(got, "✗ ITM demo: no answer within the timeout [POST /v2/apis/activity/event-queries]") {
		t.Fatalf("status line %q", got)
	}
	if strings.Count(frame, "@acme.exam") < 20 {
		t.Fatalf("the failed refresh lost the rows:\n%s", frame)
	}
	// The vendor recovers: r, once the error has been up long enough to
	// read, clears it and reads again without a new one.
	h.sim.ITM.Inject(nil)
	time.Sleep(ui.ErrorHold)
	before := h.sim.ITM.Count("POST /v2/apis/activity/event-queries")
	h.typeKeys("r")
	h.waitUntil("the refresh to succeed", func(f string) bool {
		return strings.Contains(statusLine(f), "120 of 120 incidents") && h.sim.ITM.Count("POST /v2/apis/activity/event-queries") > before
	})
}

func TestConsoleAnswersKeysThroughA429Storm(t *testing.T) {
	h := newHarness(t, setup{})
	openOkta(h)
	storm := &sim.Fault{Path: "/api/v1/logs", Status: 429, Header: http.Header{"Retry-After": {"1"}},
		Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorCauses":[]}`}
	h.sim.Okta.Inject(storm)
	h.typeKeys("]")
	h.waitUntil("the System Log pane", func(f string) bool { return strings.Contains(f, "loading:") })
	h.keysAnswerPromptly([]struct{ key, shows string }{
		{"[", "50 apps"}, {"2", "alice saas/demo"}, {"5", "alice"}, {"4", "alice okta/demo"}, {"?", "Everywhere"}, {"esc", "alice okta/demo"},
	})
	if strings.HasPrefix(statusLine(h.screen()), "✗ ") {
		t.Fatal("the load ended before the keys were pressed: the test proves nothing")
	}
	frame := h.waitUntil("the storm to end the load", func(f string) bool { return strings.HasPrefix(statusLine(f), "✗ ") })
	if got := statusLine(frame); !strings.HasPrefix(got, "✗ Okta demo: 429 E0000047: API call exceeded rate limit due to too many requests. [GET /api/v1/logs") {
		t.Fatalf("status line %q", got)
	}
	if n := h.sim.Okta.Count("GET /api/v1/logs"); n != 4 {
		t.Fatalf("%d System Log requests: want the four attempts of one read", n)
	}
}

func TestATenantWithoutTLSVerificationIsNamedInTheHeader(t *testing.T) {
	h := newHarness(t, setup{edit: func(c *config.Config) { c.SaaS[0].Conn.InsecureSkipVerify = true }})
	frame := h.waitFor2("TLS NOT VERIFIED: saas/demo")
	if !strings.Contains(lines(frame)[0], "TLS NOT VERIFIED: saas/demo") {
		t.Fatalf("not in the header:\n%s", frame)
	}
	h.typeKeys("4")
	h.waitFor("alice okta/demo", "TLS NOT VERIFIED: saas/demo") // on every tab
}
