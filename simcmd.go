package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/sim"
	"triage/cli"
)

// simFlags are the knobs of `triage sim`.
type simFlags struct {
	listen      string
	advertise   string
	port        int
	rows        int
	latency     time.Duration
	errors      float64
	rateLimit   float64
	hostile     bool
	now         string
	writeConfig string
}

func simCommand(g *globals) *cobra.Command {
	f := &simFlags{}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the five vendor simulators as a server, for other consoles and tools to share",
		Long: `sim runs the demo tenants (Proofpoint ITM, SaaS Security, Okta, Atlassian
SCIM and Proofpoint Essentials: the vendors' real paths, auth, paging and
errors) as a standalone server, so a trainer's class, another tool or a
second console can all work on one demo.

It prints a config.toml on stdout whose tenants are the simulators, with the
simulators' credentials (a comment at its top lists each base URL and
credential): save it, or give --write-config, then run
  triage --config sim.toml
The config keeps its state and audit log in a "demo" folder of the state
directory, apart from real tenants' records.

By default the simulators listen on free ports of 127.0.0.1. --port P puts
them on P to P+4 in the order itm, saas, okta, atlassian, essentials.
Listening on another address sends the demo credentials in plain http.

--now sets the simulated present, which then runs on; the data lies back
from it. A console reading the simulators uses its own clock for windows
such as "since:30d", so keep --now near the console's date.

It runs until SIGINT (Ctrl-C) or SIGTERM.`,
		Example: `  triage sim > sim.toml                        # then, elsewhere: triage --config sim.toml
  triage sim --listen 0.0.0.0 --port 9400 --write-config /srv/class/sim.toml
  triage sim --rows 100000 --latency 50ms --errors 0.05 --429 0.05
  triage sim --hostile --now 2026-11-25T12:00:00Z`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cli.Usagef("sim takes no arguments, got %q (see %s --help)", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSim(cmd.Context(), g, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1", "address to listen on (a host or IP; 0.0.0.0 for every interface)")
	fl.StringVar(&f.advertise, "advertise", "", "host to put in the printed URLs (default: the --listen host, or this machine's name when listening on every interface)")
	fl.IntVar(&f.port, "port", 0, "first of five consecutive ports: itm, saas, okta, atlassian, essentials (default: free ports)")
	fl.IntVar(&f.rows, "rows", 0, "size of every simulated list (e.g. 100000; default: the demo's)")
	fl.DurationVar(&f.latency, "latency", 0, "added to every answer (e.g. 50ms)")
	fl.Float64Var(&f.errors, "errors", 0, "fraction of API calls answered 500, from 0 to 1 (e.g. 0.1)")
	fl.Float64Var(&f.rateLimit, "429", 0, "fraction of API calls answered 429 with the vendor's rate-limit headers, from 0 to 1")
	fl.BoolVar(&f.hostile, "hostile", false, "vendor text carries terminal escape sequences and bidi tricks")
	fl.StringVar(&f.now, "now", "", "the simulated present: RFC 3339, a date, or 24h/7d ago (default: now)")
	fl.StringVar(&f.writeConfig, "write-config", "", "also write the config to this file (mode 0600)")
	return cmd
}

// check refuses flags that make no sense, naming the flag.
func (f *simFlags) check() error {
	switch {
	case f.listen == "":
		return cli.Usagef("--listen: give a host or IP address, e.g. 127.0.0.1")
	case strings.Contains(f.listen, "/") || (net.ParseIP(f.listen) == nil && strings.Contains(f.listen, ":")):
		return cli.Usagef("--listen %q: give a host or IP address only; --port sets the ports", f.listen)
	case f.port < 0 || f.port > 65535-len(sim.Vendors)+1:
		return cli.Usagef("--port %d: the five ports run from it to %d, so it must be between 1 and %d (0: free ports)", f.port, f.port+len(sim.Vendors)-1, 65535-len(sim.Vendors)+1)
	case f.rows < 0:
		return cli.Usagef("--rows %d: must be 0 (the demo's sizes) or more", f.rows)
	case f.latency < 0:
		return cli.Usagef("--latency %s: must not be negative", f.latency)
	case f.errors < 0 || f.errors > 1:
		return cli.Usagef("--errors %v: a fraction from 0 to 1, e.g. 0.1", f.errors)
	case f.rateLimit < 0 || f.rateLimit > 1:
		return cli.Usagef("--429 %v: a fraction from 0 to 1, e.g. 0.1", f.rateLimit)
	}
	return nil
}

// offsetClock is the simulated present: it starts at an instant and runs on
// with clk.
type offsetClock struct {
	clk   clock.Clock
	shift time.Duration
}

func (o offsetClock) Now() time.Time { return o.clk.Now().Add(o.shift) }

func runSim(ctx context.Context, g *globals, f *simFlags, out, errw io.Writer) error {
	if err := f.check(); err != nil {
		return err
	}
	clk := clock.Or(g.clock)
	var simClock clock.Clock = clk
	if f.now != "" {
		at, err := clock.ParseWhen(f.now, clk.Now())
		if err != nil {
			return cli.Usagef("--now: %v", err)
		}
		simClock = offsetClock{clk: clk, shift: at.Sub(clk.Now())}
	}
	opts := sim.Options{Rows: f.rows, Latency: f.latency, ErrorRate: f.errors, RateLimitRate: f.rateLimit,
		Hostile: f.hostile, Clock: simClock, Live: true, Addrs: map[string]string{}}
	for i, name := range sim.Vendors {
		port := 0
		if f.port > 0 {
			port = f.port + i
		}
		opts.Addrs[name] = net.JoinHostPort(f.listen, strconv.Itoa(port))
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if f.rows > 0 {
		fmt.Fprintf(errw, "triage sim: building %d rows per list...\n", f.rows)
	}
	s, err := sim.Start(opts)
	if err != nil {
		return fmt.Errorf("simulators: %w", err)
	}
	defer s.Close()
	cfg := s.Config()
	if host := advertised(f); host != "" {
		readdress(cfg, host)
	}
	text := simConfigTOML(cfg, config.StateHome(), simClock.Now())
	if f.writeConfig != "" {
		if err := os.WriteFile(f.writeConfig, []byte(text), 0o600); err != nil {
			return cli.Usagef("--write-config: %v", err)
		}
	}
	if _, err := io.WriteString(out, text); err != nil {
		return err
	}
	where := ""
	if f.writeConfig != "" {
		where = " (config written to " + f.writeConfig + ")"
	}
	fmt.Fprintf(errw, "triage sim: serving%s until interrupted (Ctrl-C or SIGTERM)\n", where)
	<-ctx.Done()
	fmt.Fprintln(errw, "triage sim: stopping")
	return nil
}

// advertised is the host the printed URLs name, "" to keep the listener's.
func advertised(f *simFlags) string {
	if f.advertise != "" {
		return f.advertise
	}
	if ip := net.ParseIP(f.listen); ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil && name != "" {
			return name
		}
		return "127.0.0.1"
	}
	return f.listen
}

// readdress puts host in every tenant's URL, keeping the port.
func readdress(cfg *config.Config, host string) {
	swap := func(raw string) string {
		i := strings.LastIndex(raw, ":")
		if i < 0 || !strings.HasPrefix(raw, "http://") {
			return raw
		}
		return "http://" + net.JoinHostPort(host, raw[i+1:])
	}
	for i := range cfg.ITM {
		cfg.ITM[i].BaseURL = swap(cfg.ITM[i].BaseURL)
	}
	for i := range cfg.SaaS {
		cfg.SaaS[i].BaseURL = swap(cfg.SaaS[i].BaseURL)
	}
	for i := range cfg.Okta {
		cfg.Okta[i].URL = swap(cfg.Okta[i].URL)
	}
	for i := range cfg.Atlassian {
		cfg.Atlassian[i].BaseURL = swap(cfg.Atlassian[i].BaseURL)
	}
	for i := range cfg.Essentials {
		cfg.Essentials[i].BaseURL = swap(cfg.Essentials[i].BaseURL)
	}
}

// tomlString is s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func tomlList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = tomlString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// simConfigTOML is a config.toml whose tenants are cfg's (the simulators),
// with its state and audit log in the demo folder of stateHome.
func simConfigTOML(cfg *config.Config, stateHome string, now time.Time) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# triage config for the simulators of `triage sim` (started %s).\n", now.UTC().Format(time.RFC3339))
	p("# Use it with: triage --config THIS_FILE\n#\n")
	p("# The simulators and their demo credentials:\n")
	for _, t := range cfg.ITM {
		p("#   itm         %s  client_id %s  client_secret %s\n", t.BaseURL, t.ClientID, t.ClientSecret.Reveal())
	}
	for _, t := range cfg.SaaS {
		p("#   saas        %s  client_id %s  client_secret %s\n", t.BaseURL, t.ClientID, t.ClientSecret.Reveal())
	}
	for _, t := range cfg.Okta {
		p("#   okta        %s  api_token %s (SSWS)\n", t.URL, t.APIToken.Reveal())
	}
	for _, t := range cfg.Atlassian {
		p("#   atlassian   %s  directory_id %s  token %s (Bearer)\n", t.BaseURL, t.DirectoryID, t.Token.Reveal())
	}
	for _, t := range cfg.Essentials {
		p("#   essentials  %s  domain %s  X-User %s  X-Password %s\n", t.BaseURL, t.Domain, t.Username, t.Password.Reveal())
	}
	demo := filepath.Join(stateHome, "demo")
	p("\n# Demo records stay apart from real tenants'.\n[state]\ndir = %s\n\n[audit]\npath = %s\n", tomlString(demo), tomlString(filepath.Join(demo, "audit.jsonl")))
	for _, t := range cfg.ITM {
		p("\n[[itm]]\nname = \"sim\"\nbase_url = %s\napi_version = %s\nclient_id = %s\nclient_secret = %s\ntimeout = %s\nstatuses = [\n",
			tomlString(t.BaseURL), tomlString(t.APIVersion), tomlString(t.ClientID), tomlString(t.ClientSecret.Reveal()), tomlString(t.Timeout.String()))
		for _, st := range t.Statuses {
			p("  { id = %s, title = %s },\n", tomlString(st.ID), tomlString(st.Title))
		}
		p("]\n")
	}
	for _, t := range cfg.SaaS {
		p("\n[[saas]]\nname = \"sim\"\nbase_url = %s\nclient_id = %s\nclient_secret = %s\nscopes = %s\ntimeout = %s\n",
			tomlString(t.BaseURL), tomlString(t.ClientID), tomlString(t.ClientSecret.Reveal()), tomlList(t.Scopes), tomlString(t.Timeout.String()))
	}
	for _, t := range cfg.Okta {
		p("\n[[okta]]\nname = \"sim\"\nurl = %s\napi_token = %s\nscopes = %s\ntimeout = %s\n",
			tomlString(t.URL), tomlString(t.APIToken.Reveal()), tomlList(t.Scopes), tomlString(t.Timeout.String()))
	}
	for _, t := range cfg.Atlassian {
		p("\n[[atlassian]]\nname = \"sim\"\nbase_url = %s\ndirectory_id = %s\ntoken = %s\ntimeout = %s\n",
			tomlString(t.BaseURL), tomlString(t.DirectoryID), tomlString(t.Token.Reveal()), tomlString(t.Timeout.String()))
	}
	for _, t := range cfg.Essentials {
		p("\n[[essentials]]\nname = \"sim\"\nbase_url = %s\ndomain = %s\nusername = %s\npassword = %s\ntimeout = %s\n",
			tomlString(t.BaseURL), tomlString(t.Domain), tomlString(t.Username), tomlString(t.Password.Reveal()), tomlString(t.Timeout.String()))
	}
	return b.String()
}
