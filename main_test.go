package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"triage/backend/clock"
	"triage/cli"
)

// simNow is the simulated present of these tests.
var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func run(t *testing.T, args ...string) error {
	t.Helper()
	root, done := rootCommand(clock.Pin(simNow))
	defer done()
	root.SetArgs(args)
	root.SetOut(&strings.Builder{})
	root.SetErr(&strings.Builder{})
	return root.Execute()
}

func TestBrokenConfigIsAUsageErrorNamingFileAndLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(p, []byte("[ui]\ntheme = \"dark\"\n[[itm]\n"), 0o600)
	err := run(t, "--config", p)
	if cli.ExitCode(err) != 2 {
		t.Fatalf("want exit code 2, got %v", err)
	}
	if !strings.Contains(err.Error(), p+":3") {
		t.Fatalf("error does not name file and line: %v", err)
	}
}

func TestMissingExplicitConfigSaysSo(t *testing.T) {
	err := run(t, "--config", filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownFlagIsAUsageError(t *testing.T) {
	if err := run(t, "--bogus"); cli.ExitCode(err) != 2 {
		t.Fatalf("err = %v", err)
	}
}

// Usage mistakes at the root exit 2 like those of every command: an
// unknown command, two output formats, a flag value that is not a number.
func TestUsageMistakesExitTwo(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TRIAGE_CONFIG", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"foo"}, `unknown command "foo" for "triage"`},
		{[]string{"--demo", "itm", "tickets", "--json", "--plain"}, "--json and --plain"},
		{[]string{"--demo", "itm", "tickets", "--limit", "abc"}, `--limit "abc": give a whole number`},
		{[]string{"--demo-latency", "soon"}, `--demo-latency "soon": give a duration`},
	} {
		err := run(t, c.args...)
		if cli.ExitCode(err) != 2 || !strings.Contains(cli.Message(err), c.want) {
			t.Errorf("%v: exit %d, %v; want 2 and %q", c.args, cli.ExitCode(err), err, c.want)
		}
	}
}

func TestDemoSessionOpensEveryClientAndTheAuditLog(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TRIAGE_CONFIG", "")
	debug := filepath.Join(t.TempDir(), "debug.log")
	g := &globals{debugPath: debug, clock: clock.Pin(simNow)}
	s, err := openSession(g, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if !s.cfg.Demo || len(s.backends.ITM) != 1 {
		t.Fatalf("demo session: demo=%v itm=%d", s.cfg.Demo, len(s.backends.ITM))
	}
	if err := s.backends.ITM[0].Check(t.Context()); err != nil {
		t.Fatalf("demo ITM tenant unreachable: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, "triage", "audit.jsonl")); err != nil {
		t.Fatalf("audit log not created under XDG_STATE_HOME: %v", err)
	}
	if info, err := os.Stat(debug); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("debug log: %v", err)
	}
}

func TestNoConfigWithoutDemoFallbackIsAUsageError(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TRIAGE_CONFIG", "")
	_, err := openSession(&globals{}, false)
	if cli.ExitCode(err) != 2 {
		t.Fatalf("err = %v", err)
	}
}

func TestKeyConflictsAreReportedAtLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(p, []byte("[keys]\ncomment = \"a\"\n"), 0o600)
	err := run(t, "--config", p, "check")
	if cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), p+`:2: keys.comment: key "a" is bound to both assign and comment (bind one of them to another key)`) {
		t.Fatalf("err = %v", err)
	}
}

// [keys] mistakes name the file, the line and the key, with a did-you-mean,
// as every other config mistake does.
func TestKeysMistakesNameLineAndFix(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(p, []byte(`[ui]
theme = "dark"

[keys]
coment = "C"
pivot = "ctrl-p"
mark = "space"
quit = []
help = "?"
`), 0o600)
	err := run(t, "--config", p, "check")
	msg := cli.Message(err)
	for _, want := range []string{
		p + `:5: keys.coment: unknown action (did you mean "comment"?)`,
		p + `:6: keys.pivot: "ctrl-p" is not a key (did you mean "ctrl+p"?)`,
		p + `:7: keys.mark: "space" is not a key (the space bar is " ")`,
		p + `:8: keys.quit: no keys given (e.g. quit = ["q"])`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, err)
		}
	}
	if cli.ExitCode(err) != 2 || strings.Contains(msg, "keys.help") {
		t.Fatalf("exit %d: %v", cli.ExitCode(err), err)
	}
	os.WriteFile(p, []byte("[keys]\ncomment = 5\n"), 0o600)
	if err, want := run(t, "--config", p, "check"), p+":2: keys.comment: a key binding is a string or an array of strings"; !strings.Contains(cli.Message(err), want) {
		t.Fatalf("%v, want %q", err, want)
	}
	// The file's order: a clash between two entries names the later one.
	os.WriteFile(p, []byte("[keys]\nrefresh = \"z\"\n\nremediate = [\"x\", \"z\"]\n"), 0o600)
	err = run(t, "--config", p, "check")
	if want := p + `:4: keys.remediate: key "z" is bound to both refresh and remediate`; !strings.Contains(cli.Message(err), want) {
		t.Fatalf("%v, want %q", err, want)
	}
}

// The commands take --demo and its knobs as the console does; without a
// config, the error says --demo is there.
func TestCommandsTakeTheDemoFlags(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TRIAGE_CONFIG", "")
	err := run(t, "itm", "tickets")
	if cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), "no config file") || !strings.Contains(err.Error(), "--demo") {
		t.Fatalf("no config: %v", err)
	}
	out, err := cliRun(t, "itm", "tickets", "--demo-rows", "7", "--since", "365d", "--json")
	if err != nil || strings.Count(out, `"fqid"`) != 7 {
		t.Fatalf("--demo-rows 7: %v, %d tickets", err, strings.Count(out, `"fqid"`))
	}
	out, err = cliRun(t, "--demo", "check", "--demo-errors", "1")
	if cli.ExitCode(err) != 1 || !strings.Contains(out, "500") {
		t.Fatalf("--demo-errors 1: %v, printed %q", err, out)
	}
}

// triage serve logs its sessions to the journal (stderr) with or without
// --debug: the debug file gets the same lines and more.
func TestServeJournalKeepsItsLinesWithADebugLog(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TRIAGE_CONFIG", "")
	var journal strings.Builder
	debug := filepath.Join(t.TempDir(), "debug.log")
	g := &globals{debugPath: debug, clock: clock.Pin(simNow), demo: true,
		log: slog.NewTextHandler(&journal, &slog.HandlerOptions{Level: slog.LevelInfo})}
	s, err := openSession(g, false)
	if err != nil {
		t.Fatal(err)
	}
	s.logger.Info("session start", "analyst", "alice", "key", "SHA256:abc")
	s.logger.Debug("token", "vendor", "ITM")
	s.close()
	file, _ := os.ReadFile(debug)
	if !strings.Contains(journal.String(), `msg="session start" analyst=alice key=SHA256:abc`) || strings.Contains(journal.String(), "token") {
		t.Fatalf("journal:\n%s", journal.String())
	}
	if !strings.Contains(string(file), `"msg":"session start","analyst":"alice"`) || !strings.Contains(string(file), `"msg":"token"`) {
		t.Fatalf("debug log:\n%s", file)
	}
}
