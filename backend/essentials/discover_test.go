package essentials_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/sim"
)

// reroute sends requests for the global stack (config.EssentialsDiscoveryURL)
// to a local server, recording what was asked of it: the client still
// builds the vendor's URL, and the test sees it.
type reroute struct {
	to   *url.URL
	mu   sync.Mutex
	seen []string // "GET https://us1.proofpointessentials.com/api/v1/endpoints/acme.example"
	xs   []string // the X-User each carried
}

func (r *reroute) RoundTrip(req *http.Request) (*http.Response, error) {
	global, _ := url.Parse(config.EssentialsDiscoveryURL)
	if req.URL.Host == global.Host {
		r.mu.Lock()
		r.seen = append(r.seen, req.Method+" "+req.URL.String())
		r.xs = append(r.xs, req.Header.Get("X-User"))
		r.mu.Unlock()
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = r.to.Scheme, r.to.Host, ""
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *reroute) asked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

func discoveringClient(t *testing.T, cfg config.Essentials, to string) (*essentials.Client, *reroute) {
	t.Helper()
	u, _ := url.Parse(to)
	rr := &reroute{to: u}
	cfg.BaseURL = ""
	c, err := essentials.New(cfg, httpx.Options{Transport: rr, Retry: httpx.Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return c, rr
}

func TestStackIsFoundFromTheDomainOnceAgainstTheSimulator(t *testing.T) {
	s, _, _ := startSim(t, sim.Options{Rows: 20}, nil)
	c, rr := discoveringClient(t, s.Config().Essentials[0], s.Essentials.URL)
	if c.Found() != "" {
		t.Fatalf("found %q before asking", c.Found())
	}
	if err := c.Check(ctx()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users(ctx()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.FindUser(ctx(), "li.chen@acme.example"); err != nil {
		t.Fatal(err)
	}
	want := []string{"GET " + config.EssentialsDiscoveryURL + "/api/v1/endpoints/" + sim.Domain}
	if got := rr.asked(); len(got) != 1 || got[0] != want[0] || rr.xs[0] != sim.EssentialsUser {
		t.Fatalf("asked the global stack %q (X-User %q), want exactly %q with the admin's X-User", got, rr.xs, want)
	}
	if n := s.Essentials.Count("GET /api/v1/orgs/"); n != 3 {
		t.Fatalf("%d requests reached the organisation's stack, want 3", n)
	}
	stack, err := c.Stack(ctx())
	if err != nil || stack != s.Essentials.URL {
		t.Fatalf("stack %q %v, want %q", stack, err, s.Essentials.URL)
	}
	if f := c.Found(); !strings.Contains(f, s.Essentials.URL) || !strings.Contains(f, sim.Domain) {
		t.Fatalf("Found() = %q", f)
	}
}

func TestADomainOnNoStackSaysSoAndIsAskedAgain(t *testing.T) {
	s, _, _ := startSim(t, sim.Options{Rows: 5}, nil)
	cfg := s.Config().Essentials[0]
	cfg.Domain = "elsewhere.example"
	c, rr := discoveringClient(t, cfg, s.Essentials.URL)
	for range 2 {
		err := c.Check(ctx())
		if err == nil || !strings.Contains(err.Error(), "no stack serves elsewhere.example") {
			t.Fatalf("err = %v", err)
		}
	}
	if n := len(rr.asked()); n != 2 {
		t.Fatalf("a failed lookup must not be kept: asked %d times, want 2", n)
	}
	if c.Found() != "" {
		t.Fatalf("Found() = %q after a failed lookup", c.Found())
	}
}

// TestStackAnswersInEveryVendorShape reads recorded answer forms of
// /endpoints/{domain}: the wrapped list KRZ reads, a bare array, items as
// URLs, host names, stack names or objects. The stack found must be the one
// named, reached over https.
func TestStackAnswersInEveryVendorShape(t *testing.T) {
	for _, c := range []struct {
		name, body, want string
	}{
		{"wrapped URL", `{"endpoints":["https://us2.proofpointessentials.com"]}`, "https://us2.proofpointessentials.com"},
		{"wrapped host", `{"endpoints":["us3.proofpointessentials.com"]}`, "https://us3.proofpointessentials.com"},
		{"stack name", `{"endpoints":["eu1"]}`, "https://eu1.proofpointessentials.com"},
		{"with the API path", `{"endpoints":["https://us4.proofpointessentials.com/api/v1/"]}`, "https://us4.proofpointessentials.com"},
		{"bare array", `["https://us5.proofpointessentials.com"]`, "https://us5.proofpointessentials.com"},
		{"objects", `{"endpoints":[{"url":"https://us2.proofpointessentials.com"}]}`, "https://us2.proofpointessentials.com"},
		{"first usable", `{"endpoints":[7,"","https://eu1.proofpointessentials.com"]}`, "https://eu1.proofpointessentials.com"},
		{"none", `{"endpoints":[]}`, "no stack serves acme.example"},
		{"not a list", `{"endpoints":"us2"}`, "is not {\"endpoints\":[...]}"},
		{"HTML", `<html>maintenance</html>`, "Essentials"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stackAsked []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/v1/endpoints/acme.example" {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(c.body))
					return
				}
				stackAsked = append(stackAsked, r.Host+r.URL.Path)
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"primary_domain":"acme.example","name":"Acme"}`))
			}))
			defer srv.Close()
			target, _ := url.Parse(srv.URL)
			c2, err := essentials.New(config.Essentials{Name: "acme", Domain: "acme.example", Username: "admin@acme.example", Password: "pw"},
				httpx.Options{Transport: everywhere{target}, Retry: httpx.Retry{Attempts: 1}})
			if err != nil {
				t.Fatal(err)
			}
			stack, err := c2.Stack(ctx())
			if strings.HasPrefix(c.want, "https://") {
				if err != nil || stack != c.want {
					t.Fatalf("stack %q %v, want %q", stack, err, c.want)
				}
				if err := c2.Check(ctx()); err != nil {
					t.Fatal(err)
				}
				host := strings.TrimPrefix(c.want, "https://")
				if len(stackAsked) != 1 || stackAsked[0] != host+"/api/v1/orgs/acme.example" {
					t.Fatalf("the organisation was asked at %q, want %s", stackAsked, host)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
		})
	}
}

// everywhere sends every request to one local server, keeping its Host.
type everywhere struct{ to *url.URL }

func (e everywhere) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Host = req.URL.Host
	req.URL.Scheme, req.URL.Host = e.to.Scheme, e.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

func TestBaseURLIsOptionalButCheckedWhenGiven(t *testing.T) {
	dir := t.TempDir()
	load := func(baseURL string) (*config.Config, error) {
		p := filepath.Join(dir, "c.toml")
		line := ""
		if baseURL != "" {
			line = "base_url = \"" + baseURL + "\"\n"
		}
		os.WriteFile(p, []byte("[[essentials]]\nname = \"acme\"\n"+line+"domain = \"acme.example\"\nusername = \"admin@acme.example\"\npassword = \"pw\"\n"), 0o600)
		return config.Load(p)
	}
	cfg, err := load("")
	if err != nil || cfg.Essentials[0].BaseURL != "" {
		t.Fatalf("without base_url: %v %+v", err, cfg)
	}
	if _, err := load("us2.proofpointessentials.com"); err == nil || !strings.Contains(err.Error(), "base_url") {
		t.Fatalf("a base_url that is not a URL must be refused: %v", err)
	}
}
