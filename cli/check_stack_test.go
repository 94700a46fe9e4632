package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"triage/backend"
	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
)

// toSim sends requests for the global Essentials stack to the simulator.
type toSim struct{ to *url.URL }

func (r toSim) RoundTrip(req *http.Request) (*http.Response, error) {
	if global, _ := url.Parse(config.EssentialsDiscoveryURL); req.URL.Host == global.Host {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = r.to.Scheme, r.to.Host, ""
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestCheckSaysWhichEssentialsStackItFound(t *testing.T) {
	h := newHarness(t, 5, nil)
	cfg := h.cfg.Essentials[0]
	cfg.BaseURL = ""
	to, _ := url.Parse(h.sim.Essentials.URL)
	c, err := essentials.New(cfg, httpx.Options{Transport: toSim{to}, Retry: httpx.Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	env := &Env{In: strings.NewReader(""), Out: &out, Err: &errb, Analyst: h.who, Clock: h.clock,
		Open: func() (*backend.Set, error) {
			return &backend.Set{Config: h.cfg, Essentials: []*essentials.Client{c}}, nil
		}}
	if code := Run(context.Background(), env, []string{"check", "--plain"}); code != 0 {
		t.Fatalf("check: exit %d: %s", code, errb.String())
	}
	want := "OK: stack " + h.sim.Essentials.URL + " (found for acme.example)"
	if !strings.Contains(out.String(), want) {
		t.Fatalf("check does not say the stack it found (%q):\n%s", want, out.String())
	}
}
