package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"triage/backend"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/cli"
)

// lineWatch is a writer that reports when a line containing want arrives.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// startSim runs `triage sim args...` in-process until the test ends and
// returns what it printed on stdout once it serves.
func startSim(t *testing.T, args ...string) string {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	root, done := rootCommand(clock.Pin(simNow))
	var out bytes.Buffer
	errw := &lineWatch{want: "serving", seen: make(chan struct{})}
	root.SetArgs(append([]string{"sim"}, args...))
	root.SetOut(&out)
	root.SetErr(errw)
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan error, 1)
	go func() { finished <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-finished; err != nil {
			t.Errorf("triage sim ended with %v", err)
		}
		done()
	})
	select {
	case <-errw.seen:
	case err := <-finished:
		finished <- err
		t.Fatalf("triage sim ended before serving: %v; stderr: %s", err, errw.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("triage sim did not start; stderr: %s", errw.String())
	}
	return out.String()
}

func TestSimServesAConfigTheConsoleLoadsAndReads(t *testing.T) {
	written := filepath.Join(t.TempDir(), "sim.toml")
	printed := startSim(t, "--rows", "30", "--write-config", written)
	file, err := os.ReadFile(written)
	if err != nil || string(file) != printed {
		t.Fatalf("--write-config: %v; file and stdout differ: %q", err, file)
	}
	if info, _ := os.Stat(written); info.Mode().Perm() != 0o600 {
		t.Fatalf("config mode %v, want 0600", info.Mode().Perm())
	}
	cfg, err := config.Load(written)
	if err != nil {
		t.Fatalf("the printed config does not load: %v\n%s", err, printed)
	}
	if len(cfg.ITM) != 1 || len(cfg.SaaS) != 1 || len(cfg.Okta) != 1 || len(cfg.Atlassian) != 1 || len(cfg.Essentials) != 1 {
		t.Fatalf("tenants: %+v", cfg)
	}
	if !strings.HasSuffix(cfg.State.Dir, "demo") || !strings.HasPrefix(cfg.Audit.Path, cfg.State.Dir) {
		t.Fatalf("demo records would mix with real ones: state %q audit %q", cfg.State.Dir, cfg.Audit.Path)
	}
	for _, want := range []string{cfg.ITM[0].BaseURL, cfg.SaaS[0].ClientSecret.Reveal(), cfg.Okta[0].APIToken.Reveal(), cfg.Essentials[0].Password.Reveal()} {
		if !strings.Contains(printed[:strings.Index(printed, "[state]")], want) {
			t.Fatalf("the header does not list %q:\n%s", want, printed)
		}
	}
	cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.jsonl")
	var out, errb bytes.Buffer
	env := &cli.Env{In: strings.NewReader(""), Out: &out, Err: &errb, Analyst: identity.Analyst{Name: "alice", Role: "responder"},
		Clock: clock.Pin(simNow), Open: func() (*backend.Set, error) { return backend.Open(cfg, backend.Options{}) }}
	if code := cli.Run(t.Context(), env, []string{"saas", "incidents", "--limit", "5", "--plain", "--no-headers"}); code != 0 {
		t.Fatalf("saas incidents: exit %d: %s", code, errb.String())
	}
	if rows := strings.Count(out.String(), "\n"); rows != 5 {
		t.Fatalf("saas incidents printed %d rows, want 5:\n%s", rows, out.String())
	}
	out.Reset()
	if code := cli.Run(t.Context(), env, []string{"check"}); code != 0 {
		t.Fatalf("check: exit %d: %s %s", code, out.String(), errb.String())
	}
}

func TestSimPortsAndAdvertisedHost(t *testing.T) {
	printed := startSim(t, "--advertise", "localhost")
	path := filepath.Join(t.TempDir(), "sim.toml")
	os.WriteFile(path, []byte(printed), 0o600)
	loaded, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if u := loaded.ITM[0].BaseURL; !strings.HasPrefix(u, "http://localhost:") {
		t.Fatalf("itm base_url %q does not name the advertised host", u)
	}
	if err := backendCheck(t, loaded); err != nil {
		t.Fatalf("the advertised URL does not reach the simulator: %v", err)
	}
}

func backendCheck(t *testing.T, cfg *config.Config) error {
	t.Helper()
	cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.jsonl")
	set, err := backend.Open(cfg, backend.Options{})
	if err != nil {
		return err
	}
	return set.ITM[0].Check(t.Context())
}

func TestSimFlagsAreCheckedWithClearUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--errors", "1.5"}, "--errors 1.5: a fraction from 0 to 1"},
		{[]string{"--429", "-0.1"}, "--429 -0.1: a fraction from 0 to 1"},
		{[]string{"--rows", "-3"}, "--rows -3"},
		{[]string{"--latency", "-1s"}, "--latency -1s"},
		{[]string{"--port", "65534"}, "--port 65534: the five ports run from it to 65538"},
		{[]string{"--listen", "127.0.0.1:9000"}, "give a host or IP address only; --port sets the ports"},
		{[]string{"--now", "yesterday-ish"}, "--now: \"yesterday-ish\" is not a time"},
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"extra"}, `sim takes no arguments, got "extra"`},
	} {
		err := run(t, append([]string{"sim"}, c.args...)...)
		if cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("sim %v: want a usage error containing %q, got %v (exit %d)", c.args, c.want, err, cli.ExitCode(err))
		}
	}
}

func TestSimNowSetsTheSimulatedPresent(t *testing.T) {
	printed := startSim(t, "--now", "2025-03-01T09:30:00Z")
	if !strings.Contains(printed, "started 2025-03-01T09:30:00Z") {
		t.Fatalf("--now not applied:\n%s", printed[:200])
	}
	path := filepath.Join(t.TempDir(), "sim.toml")
	os.WriteFile(path, []byte(printed), 0o600)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.jsonl")
	var out, errb bytes.Buffer
	env := &cli.Env{In: strings.NewReader(""), Out: &out, Err: &errb, Clock: clock.Pin(simNow),
		Open: func() (*backend.Set, error) { return backend.Open(cfg, backend.Options{}) }}
	if code := cli.Run(t.Context(), env, []string{"saas", "incidents", "--json"}); code != 0 {
		t.Fatalf("saas incidents: %s", errb.String())
	}
	// Every incident lies in the year before the simulated present, not
	// around the test's (2026-11-25) or the wall clock's.
	var incidents []struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(out.Bytes(), &incidents); err != nil || len(incidents) == 0 {
		t.Fatalf("saas incidents --json: %v", err)
	}
	at := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	for _, inc := range incidents {
		if inc.CreatedAt.After(at) || inc.CreatedAt.Before(at.AddDate(-1, 0, 0)) {
			t.Fatalf("incident created %s is not laid out back from --now %s", inc.CreatedAt, at)
		}
	}
}
