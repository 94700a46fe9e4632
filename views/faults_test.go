package views

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"triage/backend/config"
	"triage/backend/sim"
	"triage/ui"
)

// statusLine is the last line of the frame: where errors have their home.
func statusLine(frame string) string {
	ls := lines(frame)
	return ls[len(ls)-1]
}

// gate stands between the console and a simulated vendor. While it is
// shut, the requests under its path wait at it until it opens (or the
// console gives up on them): a vendor stuck for as long as the test wants,
// and not a moment less.
type gate struct {
	path    string
	mu      sync.Mutex
	opened  chan struct{} // closed while the gate is open
	pass    int           // requests let through before it holds them
	arrived chan string   // a request that reached the shut gate
}

// newGate puts a gate in front of the vendor at *base, for requests under
// path, and points *base at it. Call it from setup.edit, before the
// clients are built.
func newGate(t *testing.T, base *string, path string) *gate {
	target, err := url.Parse(*base)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{path: path, opened: make(chan struct{}), arrived: make(chan string, 16)}
	close(g.opened)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // requests the console gave up on
	var srv *httptest.Server
	// The vendor's next links point back through the gate, as a proxy in
	// front of it would make them: the console follows no link to another
	// host.
	proxy.ModifyResponse = func(r *http.Response) error {
		for i, l := range r.Header.Values("Link") {
			r.Header["Link"][i] = strings.ReplaceAll(l, target.Scheme+"://"+target.Host, srv.URL)
		}
		return nil
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if opened := g.holds(r.URL.Path); opened != nil {
			g.arrived <- r.Method + " " + r.URL.Path
			select {
			case <-opened:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(g.open) // before the server closes: it waits for what is held
	*base = srv.URL
	return g
}

// holds returns what a request to path waits for, or nil if it goes on.
func (g *gate) holds(path string) chan struct{} {
	if !strings.HasPrefix(path, g.path) {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.opened:
		return nil
	default:
	}
	if g.pass > 0 {
		g.pass--
		return nil
	}
	return g.opened
}

// shut holds the requests that come after the next pass ones.
func (g *gate) shut(pass int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pass = pass
	select {
	case <-g.opened:
		g.opened = make(chan struct{})
	default:
	}
}

func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.opened:
	default:
		close(g.opened)
	}
}

// held waits until a request is held at the shut gate.
func (g *gate) held(t *testing.T) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(patience):
		t.Fatalf("no request reached the gate in %s", patience)
	}
}

// The ITM refresh is stuck at the vendor, held there until the test lets it
// go: every key is answered meanwhile, on every tab. When it is let go
// into a failure, the rows stay and the status line says why; r, once the
// error has been up long enough to read, clears it and reads again.
func TestConsoleAnswersKeysWhileAVendorIsSlow(t *testing.T) {
	t.Parallel()
	var itm *gate
	h := newHarness(t, setup{edit: func(c *config.Config) {
		itm = newGate(t, &c.ITM[0].BaseURL, "/v2/apis/activity/event-queries")
		c.ITM[0].Conn.Timeout = config.Duration{Duration: time.Hour} // the gate decides when it answers
	}})
	h.waitFor("120 of 120 incidents")
	itm.shut(0)
	h.typeKeys("r")
	itm.held(t)
	for _, s := range []struct{ key, shows string }{
		{"2", "alice saas/demo"}, {"?", "Everywhere"}, {"esc", "120 incidents"}, {"4", "alice okta/demo"},
		{"1", "alice itm/demo"}, {"/", "words to match"}, {"esc", "120 of 120 incidents"},
	} {
		h.typeKeys(s.key)
		h.waitFor(s.shows)
	}
	if n := h.sim.ITM.Count("POST /v2/apis/activity/event-queries"); n != 1 {
		t.Fatalf("%d ticket queries reached the vendor: want only the first load, the refresh still held", n)
	}
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/activity/event-queries", Status: 500, Times: 1,
		Body: `{"_status":{"code":"it:error:internal","status":"500","message":"search is unavailable"}}`})
	itm.open()
	frame := h.waitUntil("the refresh to fail", func(f string) bool { return strings.HasPrefix(statusLine(f), "✗ ") })
	if got := statusLine(frame); !strings.Contains(got, "ITM demo: 500") || !strings.Contains(got, "search is unavailable") {
		t.Fatalf("status line %q", got)
	}
	if strings.Count(frame, "@acme.exam") < 20 {
		t.Fatalf("the failed refresh lost the rows:\n%s", frame)
	}
	h.clock.Advance(ui.ErrorHold + time.Second) // the error has been read
	h.typeKeys("r")
	h.waitUntil("the refresh to succeed", func(f string) bool {
		return strings.Contains(statusLine(f), "120 of 120 incidents") && h.sim.ITM.Count("POST /v2/apis/activity/event-queries") == 3
	})
}

// A vendor that does not answer within the tenant's timeout is one clear
// line, after the client's four attempts. Nothing else is asked of the
// vendor first, so no other request has to beat the short timeout.
func TestAVendorThatDoesNotAnswerInTimeIsOneClearLine(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{}, edit: func(c *config.Config) {
		c.Okta[0].Conn.Timeout = config.Duration{Duration: 200 * time.Millisecond}
	}})
	h.sim.Okta.Inject(&sim.Fault{Path: "/api/v1/logs", Delay: time.Hour})
	h.typeKeys("4", "]")
	frame := h.waitUntil("the load to give up", func(f string) bool { return strings.HasPrefix(statusLine(f), "✗ ") })
	if got := statusLine(frame); !strings.HasPrefix(got, "✗ Okta demo: no answer within the timeout [GET /api/v1/logs") {
		t.Fatalf("status line %q", got)
	}
	if n := h.sim.Okta.Count("GET /api/v1/logs"); n != 4 {
		t.Fatalf("%d System Log requests: want the four attempts of one read", n)
	}
}

// A storm of 429s: the first attempt is answered 429, the second is held
// at the gate while keys are pressed on every tab, then the storm goes on
// until the client's four attempts are spent and the status line says so.
func TestConsoleAnswersKeysThroughA429Storm(t *testing.T) {
	t.Parallel()
	var okta *gate
	h := newHarness(t, setup{loads: []int{4}, edit: func(c *config.Config) {
		okta = newGate(t, &c.Okta[0].URL, "/api/v1/logs")
		c.Okta[0].Conn.Timeout = config.Duration{Duration: time.Hour} // the gate decides when it answers
	}})
	openOkta(h)
	h.sim.Okta.Inject(&sim.Fault{Path: "/api/v1/logs", Status: 429, Header: http.Header{"Retry-After": {"1"}},
		Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorCauses":[]}`})
	okta.shut(1)
	h.typeKeys("]")
	okta.held(t)
	if n := h.sim.Okta.Count("GET /api/v1/logs"); n != 1 {
		t.Fatalf("%d System Log requests answered before the gate held one", n)
	}
	for _, s := range []struct{ key, shows string }{
		{"[", "50 apps"}, {"2", "alice saas/demo"}, {"5", "alice"}, {"4", "alice okta/demo"}, {"?", "Everywhere"}, {"esc", "alice okta/demo"},
		{"]", "loading:"},
	} {
		h.typeKeys(s.key)
		h.waitFor(s.shows)
	}
	okta.open()
	frame := h.waitUntil("the storm to end the load", func(f string) bool { return strings.HasPrefix(statusLine(f), "✗ ") })
	if got := statusLine(frame); !strings.HasPrefix(got, "✗ Okta demo: 429 E0000047: API call exceeded rate limit due to too many requests. [GET /api/v1/logs") {
		t.Fatalf("status line %q", got)
	}
	if n := h.sim.Okta.Count("GET /api/v1/logs"); n != 4 {
		t.Fatalf("%d System Log requests: want the four attempts of one read", n)
	}
}

func TestATenantWithoutTLSVerificationIsNamedInTheHeader(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{}, edit: func(c *config.Config) { c.SaaS[0].Conn.InsecureSkipVerify = true }})
	frame := h.waitFor2("TLS NOT VERIFIED: saas/demo")
	if !strings.Contains(lines(frame)[0], "TLS NOT VERIFIED: saas/demo") {
		t.Fatalf("not in the header:\n%s", frame)
	}
	h.typeKeys("4")
	h.waitFor("alice okta/demo", "TLS NOT VERIFIED: saas/demo") // on every tab
}
