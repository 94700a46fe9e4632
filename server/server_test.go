package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/sim"
	"triage/views"
)

type key struct {
	signer gossh.Signer
	line   string
}

func newKey(t testing.TB, comment string) key {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := gossh.NewSignerFromKey(priv)
	sshPub, _ := gossh.NewPublicKey(pub)
	return key{signer: signer, line: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sshPub))) + " " + comment}
}

type fixture struct {
	t         testing.TB
	srv       *Server
	addr      string
	sim       *sim.Sim
	cfg       *config.Config
	auditPath string
	alice     key
	bob       key
}

// simNow is the simulated present of these tests.
var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func start(t testing.TB, edit func(*config.Config)) *fixture {
	return startWith(t, edit, Options{})
}

func startWith(t testing.TB, edit func(*config.Config), o Options) *fixture {
	t.Helper()
	return startRows(t, 40, edit, o)
}

// startRows is startWith on simulators with rows in every list.
func startRows(t testing.TB, rows int, edit func(*config.Config), o Options) *fixture {
	t.Helper()
	now := clock.Pin(simNow)
	simu, err := sim.Start(sim.Options{Rows: rows, Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(simu.Close)
	dir := t.TempDir()
	f := &fixture{t: t, sim: simu, alice: newKey(t, "alice@laptop"), bob: newKey(t, "bob@laptop")}
	cfg := config.Default()
	cfg.UseTenants(simu.Config())
	cfg.UI.Refresh.Duration = 0
	cfg.Audit.Path = filepath.Join(dir, "audit.jsonl")
	cfg.State.Dir = filepath.Join(dir, "state")
	cfg.SSH.Listen = "127.0.0.1:0"
	cfg.SSH.HostKey = filepath.Join(dir, "keys", "ssh_host_ed25519")
	cfg.SSH.Analysts = []config.Analyst{
		{Name: "alice", Role: config.RoleResponder, Keys: []string{f.alice.line}},
		{Name: "bob", Role: config.RoleReadOnly, Keys: []string{f.bob.line}},
	}
	if edit != nil {
		edit(cfg)
	}
	f.cfg, f.auditPath = cfg, cfg.Audit.Path
	log, err := audit.Open(cfg.Audit.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	set, err := backend.Open(cfg, backend.Options{Audit: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	o.Config, o.Backends, o.Clock = cfg, set, now
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	f.srv, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := f.srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	go f.srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		f.srv.Shutdown(ctx, 0)
	})
	return f
}

func (f *fixture) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: "analyst", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
}

func (f *fixture) connect(k key) *gossh.Client {
	f.t.Helper()
	c, err := f.dial(gossh.PublicKeys(k.signer))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

// console is an interactive session: a PTY, the shell, and its output.
type console struct {
	t     testing.TB
	sess  *gossh.Session
	in    io.Writer
	mu    sync.Mutex
	out   bytes.Buffer
	ended chan struct{}
}

func (f *fixture) console(k key) *console {
	f.t.Helper()
	return f.consoleSized(k, 30, 120)
}

// consoleSized is a console whose terminal claims rows×cols.
func (f *fixture) consoleSized(k key, rows, cols int) *console {
	f.t.Helper()
	return f.consoleOn(f.connect(k), rows, cols)
}

// consoleOn opens a console on an open connection.
func (f *fixture) consoleOn(conn *gossh.Client, rows, cols int) *console {
	f.t.Helper()
	sess, err := conn.NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	c := &console{t: f.t, sess: sess, ended: make(chan struct{})}
	c.in, _ = sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		f.t.Fatal(err)
	}
	go func() {
		defer close(c.ended)
		buf := make([]byte, 4096)
		answered := false
		for {
			n, err := stdout.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			// Answer the console's terminal queries (background colour,
			// device attributes) as a real terminal does.
			if !answered && strings.Contains(c.out.String(), "\x1b[c") {
				answered = true
				io.WriteString(c.in, "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;22c")
			}
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return c
}

// waitFor waits until the session printed text; it fails when the session
// ends without printing it, or after 20s.
func (c *console) waitFor(text string) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	ended := false
	for !ended && time.Now().Before(deadline) {
		select {
		case <-c.ended:
			ended = true // the output is complete: look once more
		case <-time.After(20 * time.Millisecond):
		}
		if c.printed(text) {
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("waited for %q (session ended: %v); the session printed:\n%q", text, ended, tail(c.out.String(), 1500))
}

// printed reports whether the session printed text so far.
func (c *console) printed(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Contains(c.out.String(), text)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// send types keys in one write. Printable characters that arrive together
// make one key message, as a paste would, so a key that must be read on
// its own is sent alone after the effect of the one before it showed.
func (c *console) send(keys string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, keys); err != nil {
		c.t.Fatal(err)
	}
}

func TestUnknownKeysAndPasswordsAreRefused(t *testing.T) {
	f := start(t, nil)
	if _, err := f.dial(gossh.PublicKeys(newKey(t, "eve").signer)); err == nil {
		t.Fatal("an unknown key got in")
	}
	if _, err := f.dial(gossh.Password("hunter2")); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("password: %v", err)
	}
	answered := false
	_, err := f.dial(gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
		answered = true
		return nil, nil
	}))
	if err == nil || answered {
		t.Fatalf("keyboard-interactive was offered: %v", err)
	}
}

func TestHostKeyIsCreatedPrivateAndReused(t *testing.T) {
	f := start(t, nil)
	info, err := os.Stat(f.cfg.SSH.HostKey)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("host key: %v %v", info, err)
	}
	var first gossh.PublicKey
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{User: "a", Auth: []gossh.AuthMethod{gossh.PublicKeys(f.alice.signer)},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { first = k; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	again, _ := os.ReadFile(f.cfg.SSH.HostKey)
	if err := ensureHostKey(f.cfg.SSH.HostKey); err != nil {
		t.Fatal(err)
	}
	now, _ := os.ReadFile(f.cfg.SSH.HostKey)
	if !bytes.Equal(again, now) || first == nil {
		t.Fatal("host key was replaced")
	}
	os.Chmod(f.cfg.SSH.HostKey, 0o644)
	if err := ensureHostKey(f.cfg.SSH.HostKey); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a readable host key was accepted: %v", err)
	}
}

func TestReadOnlyAnalystsCommentNeverReachesTheVendor(t *testing.T) {
	f := start(t, nil)
	c := f.console(f.bob)
	c.waitFor("40 of 40 incidents")
	c.waitFor("bob SHA256:")
	c.send("c")
	c.waitFor("read-only role")
	if n := f.sim.ITM.Count("POST /v2/apis/activity/events/"); n != 0 {
		t.Fatalf("%d comment requests reached the vendor", n)
	}
}

func TestResponderCommentIsAuditedWithNameKeyAndAddress(t *testing.T) {
	f := start(t, nil)
	c := f.console(f.alice)
	c.waitFor("40 of 40 incidents")
	c.send("c")
	c.waitFor("Comment on")
	c.send("Confirmed with HR.\x13") // ctrl+s
	c.waitFor("Comment saved")
	fqid := f.sim.ITM.FQIDs(1)[0]
	if got := f.sim.ITM.Comments(fqid); len(got) != 1 || got[0] != "Confirmed with HR." {
		t.Fatalf("vendor comments %q", got)
	}
	data, _ := os.ReadFile(f.auditPath)
	sc := bufio.NewScanner(bytes.NewReader(data))
	var e audit.Entry
	for sc.Scan() {
		json.Unmarshal(sc.Bytes(), &e)
	}
	fp := gossh.FingerprintSHA256(f.alice.signer.PublicKey())
	if e.Analyst != "alice" || e.Fingerprint != fp || !strings.HasPrefix(e.ClientAddr, "127.0.0.1:") || e.Action != "itm.comment" || e.Outcome != audit.OK {
		t.Fatalf("audit line %+v, want alice %s", e, fp)
	}
}

func TestSessionsBeyondTheLimitArePolitelyRefused(t *testing.T) {
	f := start(t, func(c *config.Config) { c.SSH.MaxSessions = 1 })
	first := f.console(f.alice)
	first.waitFor("incidents")
	sess, _ := f.connect(f.bob).NewSession()
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	sess.RequestPty("xterm", 30, 120, gossh.TerminalModes{})
	sess.Shell()
	err := sess.Wait()
	if err == nil || !strings.Contains(stderr.String(), "all 1 sessions") {
		t.Fatalf("err=%v stderr=%q", err, stderr.String())
	}
}

func TestNoTerminalGetsAClearMessage(t *testing.T) {
	f := start(t, nil)
	sess, _ := f.connect(f.alice).NewSession()
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	err := sess.Run("")
	var exit *gossh.ExitError
	if !errorsAs(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(stderr.String(), "needs a terminal") {
		t.Fatalf("err=%v stderr=%q", err, stderr.String())
	}
}

// run runs a command over SSH without a terminal, as a script would.
func (f *fixture) run(k key, stdin, command string) (stdout, stderr string, code int) {
	f.t.Helper()
	sess, err := f.connect(k).NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr, sess.Stdin = &out, &errb, strings.NewReader(stdin)
	err = sess.Run(command)
	var exit *gossh.ExitError
	if errorsAs(err, &exit) {
		code = exit.ExitStatus()
	} else if err != nil {
		f.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestCommandsRunWithTheAnalystsIdentityAndRole(t *testing.T) {
	f := start(t, nil)
	fqid := f.sim.ITM.FQIDs(1)[0]
	out, errs, code := f.run(f.bob, "", "triage itm show "+fqid+" --json")
	var shown map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown["fqid"] != fqid {
		t.Fatalf("show over ssh: code=%d out=%q err=%q", code, out, errs)
	}
	_, errs, code = f.run(f.bob, "not allowed", "triage itm comment "+fqid+" -")
	if code != 1 || !strings.Contains(errs, "read-only") || len(f.sim.ITM.Comments(fqid)) != 0 {
		t.Fatalf("read-only comment over ssh: code=%d err=%q", code, errs)
	}
	_, errs, code = f.run(f.alice, "from a script", "triage itm comment "+fqid+" -")
	if code != 0 || len(f.sim.ITM.Comments(fqid)) != 1 {
		t.Fatalf("responder comment over ssh: code=%d err=%q", code, errs)
	}
	if _, errs, code = f.run(f.alice, "", "triage itm bogus"); code == 0 {
		t.Fatalf("unknown verb: code=%d err=%q", code, errs)
	}
}

func TestDestructiveCommandsOverSSHNeedYes(t *testing.T) {
	f := start(t, nil)
	const li = "li.chen@acme.example"
	_, errs, code := f.run(f.alice, "", "triage users disable "+li)
	if code != 2 || !strings.Contains(errs, "refusing without --yes") || f.sim.Okta.UserStatus(li) != "ACTIVE" {
		t.Fatalf("disable without --yes over ssh: code=%d err=%q", code, errs)
	}
	out, errs, code := f.run(f.alice, "", "triage users disable "+li+" --provider okta --yes")
	if code != 0 || !strings.Contains(out, "okta\tdemo\tdisabled\tSUSPENDED") || f.sim.Okta.UserStatus(li) != "SUSPENDED" {
		t.Fatalf("disable --yes over ssh: code=%d out=%q err=%q", code, out, errs)
	}
	// Completions come from the jump host too.
	if out, errs, code = f.run(f.bob, "", "triage completion bash"); code != 0 || !strings.Contains(out, "# bash completion V2 for triage") {
		t.Fatalf("completion over ssh: code=%d err=%q", code, errs)
	}
}

func errorsAs(err error, target **gossh.ExitError) bool {
	e, ok := err.(*gossh.ExitError)
	if ok {
		*target = e
	}
	return ok
}

func TestForwardingAndSubsystemsAreRefused(t *testing.T) {
	f := start(t, nil)
	c := f.connect(f.alice)
	if conn, err := c.Dial("tcp", f.addr); err == nil {
		conn.Close()
		t.Fatal("local port forwarding was allowed")
	}
	if ok, _, _ := c.SendRequest("tcpip-forward", true, gossh.Marshal(struct {
		Addr string
		Port uint32
	}{"127.0.0.1", 0})); ok {
		t.Fatal("remote port forwarding was allowed")
	}
	sess, _ := c.NewSession()
	if err := agent.RequestAgentForwarding(sess); err == nil {
		t.Fatal("agent forwarding was allowed")
	}
	if ok, _ := sess.SendRequest("x11-req", true, nil); ok {
		t.Fatal("X11 forwarding was allowed")
	}
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Fatal("the sftp subsystem was allowed")
	}
}

func TestReloadReplacesTheAnalysts(t *testing.T) {
	f := start(t, nil)
	if err := f.srv.Reload([]config.Analyst{{Name: "alice", Role: "responder", Keys: []string{f.alice.line}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dial(gossh.PublicKeys(f.bob.signer)); err == nil {
		t.Fatal("bob still gets in after being removed")
	}
	if err := f.srv.Reload([]config.Analyst{{Name: "x", Keys: []string{"garbage"}}}); err == nil {
		t.Fatal("a bad list was accepted")
	}
	f.connect(f.alice) // the previous list stays after a refused reload
}

func TestShutdownTellsConnectedAnalysts(t *testing.T) {
	f := start(t, nil)
	c := f.console(f.alice)
	c.waitFor("incidents")
	go f.srv.Shutdown(context.Background(), 300*time.Millisecond)
	c.waitFor("the server is shutting down")
	select {
	case <-c.ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the session did not end")
	}
}

// A command running without a console (ssh jump triage ...) is told on
// its stderr, its stdout staying data; the session log names the analyst.
func TestShutdownTellsRunningCommands(t *testing.T) {
	started := make(chan struct{})
	o := Options{Command: func(ctx context.Context, sess ssh.Session, _ identity.Analyst) int {
		fmt.Fprintln(sess, "data")
		close(started)
		<-ctx.Done() // a long command: it ends with the server
		return 0
	}}
	log := logged(&o)
	f := startWith(t, nil, o)
	sess, err := f.connect(f.alice).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out, errs logLines
	sess.Stdout, sess.Stderr = &out, &errs
	if err := sess.Start("triage itm tickets"); err != nil {
		t.Fatal(err)
	}
	<-started
	// The command does not end by itself: the server closes it when the
	// shutdown's own deadline passes.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	go f.srv.Shutdown(ctx, 100*time.Millisecond)
	waitUntil(t, "the notice on the command's stderr", func() bool {
		return strings.Contains(errs.String(), "triage: the server is shutting down: this command may be cut short")
	})
	sess.Wait()
	if out.String() != "data\n" {
		t.Fatalf("stdout %q, want the command's data only", out.String())
	}
	fp := gossh.FingerprintSHA256(f.alice.signer.PublicKey())
	waitUntil(t, "the session's end in the log", func() bool { return len(log.lines("session end", "analyst=alice", "key="+fp)) == 1 })
	if start := log.lines("session start", "analyst=alice", "key="+fp); len(start) != 1 || strings.Contains(log.String(), "user=") {
		t.Fatalf("session log:\n%s", log)
	}
}

func TestNewSessionsFromOneAddressAreRateLimited(t *testing.T) {
	o := Options{}
	o.NewSessions.Burst, o.NewSessions.Every = 2, time.Hour
	f := startWith(t, nil, o)
	c := f.connect(f.alice)
	var last bytes.Buffer
	for i := 0; i < 3; i++ {
		sess, _ := c.NewSession()
		last.Reset()
		sess.Stderr = &last
		sess.Run("")
	}
	if !strings.Contains(last.String(), "rate limit") {
		t.Fatalf("third session in a burst of two: %q", last.String())
	}
}

// bomb is a console that panics on "!".
type bomb struct{}

func (bomb) Init() tea.Cmd { return nil }
func (b bomb) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.String() == "!" {
		panic("boom")
	}
	return b, nil
}
func (bomb) View() string { return "bomb ready" }

func TestAPanicEndsOnlyItsOwnSession(t *testing.T) {
	o := Options{Console: func(c *views.Common) tea.Model {
		if c.Analyst.Name == "bob" {
			return bomb{}
		}
		return views.New(c)
	}}
	f := startWith(t, nil, o)
	alice := f.console(f.alice)
	alice.waitFor("incidents")
	bob := f.console(f.bob)
	bob.waitFor("bomb ready")
	bob.send("!")
	select {
	case <-bob.ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the panicking session did not end")
	}
	alice.send("?")
	alice.waitFor("Everywhere")
	f.connect(f.bob) // the server still accepts connections
}
