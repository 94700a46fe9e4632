// Package cli is triage's non-interactive commands: every read and write
// the console can do, for scripts, cron jobs and `ssh jump triage ...`.
// The same commands run locally and over SSH, with the same config, audit
// log and roles.
package cli

import (
	"time"

	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
)

// Env is where commands run: a local terminal or an SSH session.
type Env struct {
	In      io.Reader
	Out     io.Writer
	Err     io.Writer
	OutTTY  bool // stdout is a terminal (over SSH: the session has a pty): aligned tables, --raw refused
	InTTY   bool // stdin is a terminal: destructive verbs may ask y/N
	Analyst identity.Analyst
	// Clock is what time it is, for --since and the times recorded in the
	// journal; nil is the wall clock (tests pin it).
	Clock clock.Clock
	// Open returns the configured clients; it is called once, by the first
	// command that needs them, so `triage --help` needs no config.
	Open func() (*backend.Set, error)

	set    *backend.Set
	warned bool // the config's warnings are printed already (check)
}

func (e *Env) now() time.Time { return clock.Or(e.Clock).Now() }

func (e *Env) backends() (*backend.Set, error) {
	if e.set != nil {
		return e.set, nil
	}
	set, err := e.Open()
	if err != nil {
		return nil, err
	}
	e.set = set
	return set, nil
}

// context carries the analyst, for the role check and the audit log.
func (e *Env) context(ctx context.Context) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return identity.With(ctx, e.Analyst)
}

// UsageError marks a usage or config mistake: exit code 2.
type UsageError struct{ Err error }

func (u *UsageError) Error() string { return u.Err.Error() }
func (u *UsageError) Unwrap() error { return u.Err }

// Usage wraps err as a usage error.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{err}
}

// Usagef is a formatted usage error.
func Usagef(format string, args ...any) error { return Usage(fmt.Errorf(format, args...)) }

// ExitCode is 0 for success, 2 for usage and config errors, 1 for vendor and
// runtime errors.
func ExitCode(err error) int {
	var u *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// Message is the one line printed for err on stderr.
func Message(err error) string {
	msg := err.Error()
	if errors.Is(err, httpx.ErrReadOnly) {
		return msg
	}
	return strings.ReplaceAll(msg, "\n", "; ")
}

// Add adds every command to root.
func Add(root *cobra.Command, env *Env) {
	root.AddCommand(checkCommand(env), itmCommand(env), saasCommand(env), oktaCommand(env), usersCommand(env),
		essentialsCommand(env), apiCommand(env))
	root.Args = unknownCommand
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError(err) })
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return oneFormat(cmd) }
	root.PersistentPostRun = func(*cobra.Command, []string) { env.warnAudit() }
	completions(root)
}

// warnAudit says on stderr that the audit log cannot be written when the
// config chose to send writes anyway (audit.on_error = "warn"): the
// command succeeded, and nothing else would tell. Under "refuse" each
// write's own error says it.
func (e *Env) warnAudit() {
	if e.set == nil || e.warned || e.set.Config.Audit.OnError != config.AuditWarn {
		return
	}
	if err := audit.Problem(e.set.Audit); err != nil {
		e.note("triage: warning: %v: writes are sent unrecorded (audit.on_error = \"warn\")\n", err)
	}
}

// completions adds cobra's completion command now rather than when the
// root runs, to give it examples and make a bare `triage completion` a
// usage error like the other groups. Its scripts go to the root's output:
// over SSH, the session's, so `ssh jump triage completion bash` works.
func completions(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	examples := map[string]string{
		"completion": "  source <(triage completion bash)\n  triage completion zsh > \"${fpath[1]}/_triage\"",
		"bash":       "  source <(triage completion bash)\n  triage completion bash > /etc/bash_completion.d/triage",
		"zsh":        "  triage completion zsh > \"${fpath[1]}/_triage\"",
		"fish":       "  triage completion fish > ~/.config/fish/completions/triage.fish",
		"powershell": "  triage completion powershell | Out-String | Invoke-Expression",
		"help":       "  triage help users disable",
	}
	for _, cmd := range root.Commands() {
		if ex, ok := examples[cmd.Name()]; ok {
			cmd.Example = ex
		}
		if cmd.Name() == "completion" {
			group(cmd)
			for _, shell := range cmd.Commands() {
				shell.Example = examples[shell.Name()]
			}
		}
	}
}

// New is a root with only the commands, for SSH sessions without a
// terminal: `ssh jump triage itm show FQID --json`.
func New(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "triage",
		Short:         "triage commands (the console needs a terminal: ssh -t)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	group(root) // a bare or unknown command is a usage error, not help
	Add(root, env)
	return root
}

// Run runs args as a command line over env and returns the exit code,
// having printed any error on env.Err.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) > 0 && args[0] == "triage" {
		args = args[1:]
	}
	root := New(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		env.note("triage: %s\n", Message(err))
	}
	return ExitCode(err)
}

// output flags shared by every command that prints.
type output struct {
	json      bool
	plain     bool
	noHeaders bool
	tenant    string
}

func (o *output) flags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.BoolVar(&o.json, "json", false, "machine output: a JSON array for lists, an object for one item")
	f.BoolVar(&o.plain, "plain", false, "tab-separated, no alignment (the default when stdout is not a terminal)")
	f.BoolVar(&o.noHeaders, "no-headers", false, "leave out the header row")
	f.StringVar(&o.tenant, "tenant", "", "tenant name (default: the only or first tenant of the vendor)")
}

// group makes a command that only holds verbs refuse to run bare or with
// an unknown verb, as a usage error (cobra would print help and exit 0).
func group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = unknownCommand
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		var verbs []string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				verbs = append(verbs, sub.Name())
			}
		}
		return Usagef("%s needs a command: %s", c.CommandPath(), strings.Join(verbs, ", "))
	}
	return cmd
}

// unknownCommand refuses any argument of a command that takes none but
// verbs, as a usage error with cobra's did-you-mean: cobra's own error for
// it would exit 1.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := ""
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's own default
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		hint = fmt.Sprintf("did you mean %q? ", s[0])
	}
	return Usagef("unknown command %q for %q (%ssee %s --help)", args[0], c.CommandPath(), hint, c.CommandPath())
}

// oneFormat refuses --json with --plain: two output formats at once.
func oneFormat(cmd *cobra.Command) error {
	f := cmd.Flags()
	if f.Changed("json") && f.Changed("plain") {
		return Usagef("--json and --plain are two output formats: give one")
	}
	return nil
}

// flagError is a usage error for a flag, saying what a bad value should
// have been rather than how parsing it failed ("strconv.ParseInt: ...").
func flagError(err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return Usage(err)
	}
	f := bad.GetFlag()
	want := map[string]string{
		"int": "a whole number", "uint": "a whole number", "float64": "a number, e.g. 0.1", "duration": "a duration, e.g. 200ms or 5m",
		"bool": "true or false",
	}[f.Value.Type()]
	if want == "" {
		return Usage(err)
	}
	return Usagef("--%s %q: give %s", f.Name, bad.GetValue(), want)
}

// atOnce runs do(0) .. do(n-1) concurrently and waits for all of them.
func atOnce(n int, do func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { do(i) })
	}
	wg.Wait()
}

// pickTenant returns the index of the tenant named name among names.
func pickTenant(vendor, name string, names []string) (int, error) {
	if len(names) == 0 {
		return 0, Usagef("no %s tenant is configured", vendor)
	}
	if name == "" {
		return 0, nil
	}
	for i, n := range names {
		if n == name {
			return i, nil
		}
	}
	return 0, Usagef("no %s tenant named %q (configured: %s)", vendor, name, strings.Join(names, ", "))
}
