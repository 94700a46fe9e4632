// Command triage is a keyboard-driven investigation console for security
// analysts: Proofpoint ITM tickets, Palo Alto SaaS Security incidents and
// remediations, Okta apps and System Log, and user accounts across Okta,
// Atlassian and Proofpoint Essentials, in one terminal UI.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/sim"
	"triage/cli"
	"triage/ui"
	"triage/views"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// usageError marks a usage or config mistake: exit code 2.
func usageError(err error) error { return cli.Usage(err) }

// globals are the flags every command shares.
type globals struct {
	configPath string
	debugPath  string
	demo       bool
	sim        sim.Options // the demo simulators' knobs
	clock      clock.Clock // what time it is: the wall clock, pinned by tests
	// log is where a session logs without --debug: nowhere for the console
	// and commands, stderr (the journal) for `triage serve`.
	log slog.Handler
}

func main() {
	// Most of the console's heap is rows it keeps for the whole session, so
	// Go's default target (collect at twice the live heap) would nearly
	// double its footprint on a large tenant; 1.5 times keeps 100,000 rows
	// in every tab well under 500 MB. GOGC still overrides it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	root, done := rootCommand(clock.Real{})
	err := root.Execute()
	done()
	if err != nil {
		fmt.Fprintln(os.Stderr, "triage:", cli.Message(err))
		os.Exit(cli.ExitCode(err))
	}
}

// rootCommand is the console, `serve`, and every command on clk (the wall
// clock; tests pin it); done releases what the commands opened.
func rootCommand(clk clock.Clock) (*cobra.Command, func()) {
	g := &globals{clock: clk}
	root := &cobra.Command{
		Use:   "triage",
		Short: "One terminal console for ITM tickets, SaaS incidents, Okta and user accounts",
		Long: `triage is a keyboard-driven investigation console for security analysts.

Without a config file it starts on embedded demo tenants. Config is read from
--config, else $TRIAGE_CONFIG, else $XDG_CONFIG_HOME/triage/config.toml
(~/.config/triage/config.toml).`,
		Example:       "  triage                   # the console (demo tenants when there is no config)\n  triage --config ./config.toml\n  triage --demo --demo-rows 100000",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd.Context(), g)
		},
	}
	f := root.PersistentFlags()
	f.StringVar(&g.configPath, "config", "", "config file (default $TRIAGE_CONFIG or $XDG_CONFIG_HOME/triage/config.toml)")
	f.StringVar(&g.debugPath, "debug", "", "write a structured debug log (JSON lines, secrets redacted) to this file")
	f.BoolVar(&g.demo, "demo", false, "use the embedded demo tenants even when a config exists")
	demoFlags(root.Flags(), g)
	root.AddCommand(serveCommand(g), simCommand(g))
	var opened *session
	cli.Add(root, &cli.Env{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())), InTTY: term.IsTerminal(int(os.Stdin.Fd())),
		Analyst: identity.Local(),
		Clock:   g.clock,
		Open: func() (*backend.Set, error) {
			s, err := openSession(g, false)
			if err != nil {
				return nil, err
			}
			opened = s
			return s.backends, nil
		},
	})
	for _, cmd := range root.Commands() {
		// The commands and serve run on the demo as the console does; sim
		// has its own knobs, and completion and help open no tenants.
		switch cmd.Name() {
		case "sim", "completion", "help":
		default:
			demoFlags(cmd.PersistentFlags(), g)
		}
	}
	return root, func() {
		if opened != nil {
			opened.close()
		}
	}
}

// demoFlags are the knobs of the demo tenants; each one implies --demo.
func demoFlags(f *pflag.FlagSet, g *globals) {
	f.IntVar(&g.sim.Rows, "demo-rows", 0, "size of every simulated list in the demo (e.g. 100000; implies --demo)")
	f.DurationVar(&g.sim.Latency, "demo-latency", 0, "added to every simulated vendor answer (e.g. 50ms; implies --demo)")
	f.Float64Var(&g.sim.ErrorRate, "demo-errors", 0, "fraction of simulated API calls answered 500 (e.g. 0.1; implies --demo)")
	f.Float64Var(&g.sim.RateLimitRate, "demo-429", 0, "fraction of simulated API calls answered 429 (e.g. 0.1; implies --demo)")
	f.BoolVar(&g.sim.Hostile, "demo-hostile", false, "simulated vendor text carries terminal escape sequences (implies --demo)")
}

// demoAsked says whether the flags ask for the demo tenants: --demo, or
// a knob that only the demo has.
func (g *globals) demoAsked() bool {
	o := g.sim
	return g.demo || o.Rows != 0 || o.Latency != 0 || o.ErrorRate != 0 || o.RateLimitRate != 0 || o.Hostile
}

// session is what a run of the console needs, built from flags and config.
type session struct {
	cfg      *config.Config
	backends *backend.Set
	logger   *slog.Logger
	audit    *audit.Log
	keys     *ui.KeyMap // the parsed [keys]
	closers  []func()
}

func (s *session) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// openSession loads the config (or starts the demo simulators), the debug
// log, the audit log and every vendor client.
func openSession(g *globals, allowDemo bool) (*session, error) {
	s := &session{cfg: config.Default()}
	path, found := config.Find(g.configPath)
	switch {
	case found:
		cfg, err := config.Load(path)
		if err != nil {
			return nil, usageError(err)
		}
		s.cfg = cfg
	case !allowDemo && !g.demoAsked():
		return nil, usageError(fmt.Errorf("no config file: looked at %s; see config.toml.example, or add --demo for the demo tenants", path))
	}
	if g.demoAsked() || !found {
		// The demo tenants replace the vendors; the file's UI, audit, state
		// and SSH settings stay.
		opts := g.sim
		opts.Live = true
		opts.Clock = g.clock
		opts.Background = true // the first frame does not wait for a large demo's data
		simu, err := sim.Start(opts)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, simu.Close)
		s.cfg.UseTenants(simu.Config())
	}
	// The session's log: g.log (serve's journal) and the --debug file,
	// both when both are asked for, so a debug log never silences the
	// journal's session lines.
	var logs []slog.Handler
	if g.log != nil {
		logs = append(logs, g.log)
	}
	if g.debugPath != "" {
		f, err := os.OpenFile(g.debugPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			s.close()
			return nil, usageError(fmt.Errorf("--debug: %w", err))
		}
		s.closers = append(s.closers, func() { f.Close() })
		logs = append(logs, slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s.logger = slog.New(slog.DiscardHandler)
	if len(logs) > 0 {
		s.logger = slog.New(httpx.Redact(slog.NewMultiHandler(logs...), s.cfg.Secrets()))
	}
	if g.debugPath != "" {
		s.logger.Info("triage starting", "version", versionString(), "config", s.cfg.File, "demo", s.cfg.Demo)
	}
	auditLog, err := audit.Open(s.cfg.Audit.Path)
	if err != nil {
		// Reads need no audit line, so the session starts; each write says
		// what it does about it, and so does the console's header.
		what := "writes are refused until it can be written"
		if s.cfg.Audit.OnError == config.AuditWarn {
			what = `writes are sent unrecorded (audit.on_error = "warn")`
		}
		s.cfg.Warnings = append(s.cfg.Warnings, fmt.Sprintf("%v: %s", err, what))
	}
	s.audit = auditLog
	s.closers = append(s.closers, func() { auditLog.Close() })
	if s.keys, err = parseKeys(s.cfg); err != nil {
		s.close()
		return nil, usageError(err)
	}
	s.backends, err = backend.Open(s.cfg, backend.Options{Audit: auditLog, Logger: s.logger, UserAgent: "triage/" + versionString()})
	if err != nil {
		s.close()
		return nil, usageError(err)
	}
	s.closers = append(s.closers, func() { s.backends.Close() })
	return s, nil
}

// parseKeys is the config's [keys] over the default keymap. Its mistakes
// name the file, the line and the key, as every config mistake does.
func parseKeys(cfg *config.Config) (*ui.KeyMap, error) {
	actions := slices.Sorted(maps.Keys(ui.DefaultKeyMap().Named()))
	if err := cfg.CheckKeys(actions, keyNames()); err != nil {
		return nil, err
	}
	km, err := views.Keys(cfg.Keys)
	if err == nil {
		return km, nil
	}
	// A key bound twice: the first entry, in the file's order, whose
	// binding makes the clash is the line to name.
	some := config.Keys{}
	for _, action := range cfg.KeyOrder() {
		some[action] = cfg.Keys[action]
		if _, err := views.Keys(some); err != nil {
			msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "[keys]: "), "keys: ")
			return nil, cfg.KeyProblem(action, msg, "bind one of them to another key")
		}
	}
	return nil, fmt.Errorf("%s: %w", cfg.File, err)
}

// keyNames are the names bubbletea gives keys ("enter", "ctrl+s",
// "pgdown"): what a key.Binding matches, besides single characters.
func keyNames() []string {
	var names []string
	for i := -200; i <= 127; i++ {
		if n := tea.KeyType(i).String(); n != "" && n != "runes" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

func runConsole(ctx context.Context, g *globals) error {
	s, err := openSession(g, true)
	if err != nil {
		return err
	}
	defer s.close()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()

	r := lipgloss.DefaultRenderer()
	if ui.NoColor(os.Environ()) {
		ui.Plain(r)
	}
	notices := s.cfg.Warnings
	c := views.NewCommon(s.backends, s.keys, views.Session{Ctx: ctx, Renderer: r, Analyst: identity.Local(), Log: s.logger,
		Clock: g.clock, Local: true, Notices: notices})
	p := tea.NewProgram(views.New(c), tea.WithAltScreen(), tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	for _, w := range notices {
		fmt.Fprintln(os.Stderr, "triage: warning:", w)
	}
	return nil
}
