package server

// The attacks of issue 19 on `triage serve`, each against a real server on
// loopback with an x/crypto/ssh client.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"triage/backend/config"
	"triage/ui"
	"triage/views"
)

// waitUntil waits for cond, failing after a deadline far above the normal
// case.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// within runs f and fails if it has not returned after a generous
// deadline: for calls that used to hang.
func within(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return in 30s", what)
	}
}

// logLines is a server log the test can read.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the lines holding every one of words.
func (l *logLines) lines(words ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		all := line != ""
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			out = append(out, line)
		}
	}
	return out
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func logged(o *Options) *logLines {
	l := &logLines{}
	o.Logger = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return l
}

// heapPeak samples the live heap until the test ends; peak reads the
// largest sample so far.
func heapPeak(t *testing.T) (peak func() uint64) {
	var mu sync.Mutex
	var max uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(stopped)
		for {
			metrics.Read(sample)
			mu.Lock()
			max = Max(max, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
	return func() uint64 {
		mu.Lock()
		defer mu.Unlock()
		return max
	}
}

// Max is max for the test's samples.
func Max(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// frames measures what the console drew: the most lines of one frame (the
// renderer starts each frame at the cursor's home) and the widest line.
func frames(out string) (lines, width int) {
	for _, frame := range strings.Split(out, ansi.CursorHomePosition) {
		ls := strings.Split(frame, "\n")
		lines = max(lines, len(ls))
		for _, l := range ls {
			width = max(width, ansi.StringWidth(strings.TrimSuffix(l, "\r")))
		}
	}
	return lines, width
}

func (c *console) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// Finding 1: `stty rows 65535 cols 65535; ssh -t jump` made the table
// reserve 4 GB per frame and the server died of it. The size is clamped
// as the SSH requests arrive and again in the console: the frames are at
// most 1000×500, the heap stays small and the next analyst gets in.
func TestAHugeWindowIsClampedAndTheServerStaysUp(t *testing.T) {
	f := start(t, nil)
	peak := heapPeak(t)
	c := f.consoleSized(f.alice, 65535, 65535)
	c.waitFor("incidents")
	for i := 0; i < 5; i++ {
		if err := c.sess.WindowChange(65535, 65535); err != nil {
			t.Fatal(err)
		}
	}
	c.send("?")
	c.waitFor("Everywhere")
	lines, width := frames(c.output())
	if lines != ui.MaxHeight || width != ui.MaxWidth {
		t.Fatalf("the largest frame is %d lines, the widest line %d cells; want the clamp, %d×%d", lines, width, ui.MaxHeight, ui.MaxWidth)
	}
	bob := f.console(f.bob)
	bob.waitFor("incidents")
	// A frame at the clamp is about a megabyte; the claim used to cost 4 GB
	// per frame. The bound leaves room for a loaded machine's garbage.
	if p := peak(); p > 512<<20 {
		t.Fatalf("the heap reached %d MB", p>>20)
	} else {
		t.Logf("heap peak %d MB", p>>20)
	}
}

// The size in a pty-req and in every window-change is clamped before the
// session sees it.
func TestWindowSizesAreClampedAsTheyArrive(t *testing.T) {
	for _, c := range []struct{ w, h, ww, wh uint32 }{
		{120, 30, 120, 30},
		{65535, 65535, ui.MaxWidth, ui.MaxHeight},
		{1 << 31, 1 << 31, ui.MaxWidth, ui.MaxHeight},
		{0xffffffff, 7, ui.MaxWidth, 7},
	} {
		payload := gossh.Marshal(struct {
			Term          string
			Cols, Rows    uint32
			Width, Height uint32
			Modes         string
		}{"xterm", c.w, c.h, 8 * c.w, 16 * c.h, "\x00"})
		win, ok := clampPtyRequest(payload)
		var back struct {
			Term          string
			Cols, Rows    uint32
			Width, Height uint32
			Modes         string
		}
		if err := gossh.Unmarshal(payload, &back); err != nil || !ok {
			t.Fatalf("pty-req %dx%d: %v %v", c.w, c.h, ok, err)
		}
		if win.Width != int(c.ww) || win.Height != int(c.wh) || back.Cols != c.ww || back.Rows != c.wh || back.Term != "xterm" || back.Modes != "\x00" {
			t.Errorf("pty-req %dx%d: window %+v, payload %+v; want %dx%d", c.w, c.h, win, back, c.ww, c.wh)
		}
		change := gossh.Marshal(struct{ Cols, Rows, Width, Height uint32 }{c.w, c.h, 0, 0})
		if win, ok := parseWindowChange(change); !ok || win.Width != int(c.ww) || win.Height != int(c.wh) {
			t.Errorf("window-change %dx%d: %+v %v", c.w, c.h, win, ok)
		}
	}
	if _, ok := clampPtyRequest([]byte{0, 0, 0, 9, 'x'}); ok {
		t.Error("a truncated pty-req was taken")
	}
	if _, ok := parseWindowChange([]byte{0, 0, 1}); ok {
		t.Error("a truncated window-change was taken")
	}
}

// probe is the attack of finding 2: a session with a pty and a shell that
// sends window changes and never a byte, not even the answer to the
// console's question about the terminal's colours. Its output goes to out
// (nil discards it).
func (f *fixture) probe(conn *gossh.Client, out io.Writer) *gossh.Session {
	f.t.Helper()
	sess, err := conn.NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	sess.Stdout = out
	// Input stays open and silent (a nil Stdin would send its end at once).
	if _, err := sess.StdinPipe(); err != nil {
		f.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 120, gossh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		f.t.Fatal(err)
	}
	return sess
}

// Finding 2: four sessions that sent 30 window changes before any byte,
// then disconnected, held all four slots forever. Window changes no longer
// wait for the console, the connection keeps reading, and closing it frees
// the slot.
func TestEarlyWindowChangesHoldNoSlot(t *testing.T) {
	f := start(t, func(c *config.Config) { c.SSH.MaxSessions = 4 })
	var conns []*gossh.Client
	var probes []*gossh.Session
	for i := 0; i < 4; i++ {
		conn := f.connect(f.alice)
		conns = append(conns, conn)
		probes = append(probes, f.probe(conn, nil))
	}
	waitUntil(t, "four sessions open", func() bool { return f.srv.Sessions() == 4 })
	for _, p := range probes {
		for j := 0; j < 30; j++ {
			if err := p.WindowChange(30+j, 100+j); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The connection still reads: a request sent after the window changes
	// is answered.
	for i, conn := range conns {
		within(t, fmt.Sprintf("connection %d's answer after 30 window changes", i), func() {
			if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				t.Error(err)
			}
		})
		conn.Close()
	}
	waitUntil(t, "the four slots to be freed", func() bool { return f.srv.Sessions() == 0 })
	c := f.console(f.bob)
	c.waitFor("incidents")
}

// A burst of window changes ends with the console at the last size.
func TestTheLatestWindowSizeIsTheConsoles(t *testing.T) {
	f := start(t, nil)
	c := f.console(f.alice)
	c.waitFor("incidents")
	for j := 0; j < 50; j++ {
		if err := c.sess.WindowChange(30+j, 120+j); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.sess.WindowChange(40, 100); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a frame of 40 lines, 100 cells wide", func() bool {
		for _, frame := range strings.Split(c.output(), ansi.CursorHomePosition) {
			if lines, width := frames(frame); lines == 40 && width == 100 {
				return true
			}
		}
		return false
	})
}

// A terminal that never answers the question about its colours still gets
// the console, once the question's deadline has passed.
func TestATerminalThatNeverAnswersStillGetsTheConsole(t *testing.T) {
	t.Parallel() // it waits on the wall clock
	f := start(t, nil)
	var out logLines
	f.probe(f.connect(f.alice), &out)
	waitUntil(t, "the console's first frame", func() bool { return strings.Contains(out.String(), "incidents") })
	if !strings.HasPrefix(out.String(), ansi.RequestBackgroundColor+ansi.RequestPrimaryDeviceAttributes) {
		t.Fatalf("the console did not ask first: %q", tail(out.String(), 200))
	}
}

// A session that never sends a byte still ends at idle_timeout, and one
// that keeps sending window changes at max_timeout.
func TestSilentSessionsStillTimeOut(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		t.Parallel() // it waits on the wall clock
		f := start(t, func(c *config.Config) { c.SSH.IdleTimeout.Duration = time.Second })
		p := f.probe(f.connect(f.alice), nil)
		for j := 0; j < 30; j++ {
			p.WindowChange(30+j, 100+j)
		}
		within(t, "the idle session", func() { p.Wait() })
		waitUntil(t, "the slot to be freed", func() bool { return f.srv.Sessions() == 0 })
	})
	t.Run("max", func(t *testing.T) {
		t.Parallel() // it waits on the wall clock
		f := start(t, func(c *config.Config) { c.SSH.MaxTimeout.Duration = 2 * time.Second })
		p := f.probe(f.connect(f.alice), nil)
		ended := make(chan struct{})
		go func() {
			defer close(ended)
			p.Wait()
		}()
		deadline := time.After(30 * time.Second)
		for j := 0; ; j++ {
			select {
			case <-ended:
				waitUntil(t, "the slot to be freed", func() bool { return f.srv.Sessions() == 0 })
				return
			case <-deadline:
				t.Fatal("a session sending window changes outlived max_timeout")
			case <-time.After(100 * time.Millisecond):
				p.WindowChange(30+j%10, 100)
			}
		}
	})
}

// Closing a session's channel, not the connection, ends that session too.
func TestClosingTheChannelEndsTheSession(t *testing.T) {
	f := start(t, nil)
	conn := f.connect(f.alice)
	c := f.consoleOn(conn, 30, 120)
	c.waitFor("incidents")
	if f.srv.Sessions() != 1 {
		t.Fatalf("%d sessions", f.srv.Sessions())
	}
	c.sess.Close()
	waitUntil(t, "the session to end", func() bool { return f.srv.Sessions() == 0 })
	if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err != nil {
		t.Fatalf("the connection was closed too: %v", err)
	}
}

// One connection holds at most ten sessions at once, and a session at most
// 64 environment variables of at most 4 KB: a client cannot make the
// server hold goroutines or memory in proportion to what it sends.
func TestAConnectionsSessionsAndEnvironmentAreBounded(t *testing.T) {
	f := start(t, nil)
	conn := f.connect(f.alice)
	var open []*gossh.Session
	for i := 0; i < maxChannels; i++ {
		sess, err := conn.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
		open = append(open, sess)
	}
	if _, err := conn.NewSession(); err == nil || !strings.Contains(err.Error(), "at most 10 sessions") {
		t.Fatalf("session 11: %v", err)
	}
	open[0].Close()
	waitUntil(t, "a session to open after one closed", func() bool {
		sess, err := conn.NewSession()
		if err == nil {
			open[0] = sess
		}
		return err == nil
	})

	sess := open[1]
	if err := sess.Setenv("BIG", strings.Repeat("x", maxEnvBytes)); err == nil {
		t.Fatal("a 4 KB variable was taken")
	}
	taken := 0
	for i := 0; i < 200; i++ {
		if sess.Setenv(fmt.Sprintf("V%d", i), "x") == nil {
			taken++
		}
	}
	if taken != maxEnv-1 {
		t.Fatalf("%d variables taken, want %d", taken, maxEnv-1)
	}
	var out bytes.Buffer
	sess.Stdout = &out
	if err := sess.Run("triage itm show " + f.sim.ITM.FQIDs(1)[0] + " --json"); err != nil {
		t.Fatalf("a command after the refused variables: %v", err)
	}
}

// The console asks the terminal for its background colour, and reads the
// answer when it comes; the keys typed with it reach the console.
func TestTheColourAnswerIsTakenAndTheKeysKept(t *testing.T) {
	var kb *keyboard
	in, out := io.Pipe()
	done := make(chan struct{})
	defer close(done)
	kb = newKeyboard(done, in)
	var asked bytes.Buffer
	go func() {
		out.Write([]byte("j\x1b]11;rgb:ffff/ffff/ffff\x1b\\"))
		out.Write([]byte("\x1b[?62;22ck"))
	}()
	dark, ok := kb.darkBackground(&asked, 30*time.Second)
	if !ok || dark {
		t.Fatalf("a white background: dark=%v ok=%v", dark, ok)
	}
	if asked.String() != ansi.RequestBackgroundColor+ansi.RequestPrimaryDeviceAttributes {
		t.Fatalf("asked %q", asked.String())
	}
	got := make([]byte, 10)
	n, _ := io.ReadAtLeast(kb, got, 2)
	if string(got[:n]) != "jk" {
		t.Fatalf("the console reads %q, want the keys jk", got[:n])
	}

	// A terminal that answers nothing: the question gives up at its
	// deadline and what comes later is the console's.
	in, out = io.Pipe()
	kb = newKeyboard(done, in)
	if _, ok := kb.darkBackground(io.Discard, 10*time.Millisecond); ok {
		t.Fatal("an answer from a silent terminal")
	}
	go out.Write([]byte("q"))
	n, _ = kb.Read(got)
	if string(got[:n]) != "q" {
		t.Fatalf("the console reads %q after the deadline", got[:n])
	}
	out.Close()
	if _, err := kb.Read(got); !errors.Is(err, io.EOF) {
		t.Fatalf("after the end of input: %v", err)
	}
}

// bombs are consoles that panic where the session asks: in Update on "!",
// in View on "v", in a command on "c".
type bombs struct{ viewPanics bool }

func (bombs) Init() tea.Cmd { return nil }
func (b bombs) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.String() {
		case "!":
			panic("boom in Update")
		case "v":
			b.viewPanics = true
		case "c":
			return b, func() tea.Msg { panic("boom in a command") }
		}
	}
	return b, nil
}
func (b bombs) View() string {
	if b.viewPanics {
		panic("boom in View")
	}
	return "bomb ready"
}

// A panic in a session's Update, View or command ends that session alone:
// the others keep working and the server accepts new ones.
func TestAPanicAnywhereInAConsoleEndsOnlyItsSession(t *testing.T) {
	o := Options{Console: func(c *views.Common) tea.Model {
		if c.Analyst.Name == "bob" {
			return bombs{}
		}
		return views.New(c)
	}}
	log := logged(&o)
	f := startWith(t, nil, o)
	alice := f.console(f.alice)
	alice.waitFor("incidents")
	for _, key := range []string{"!", "v", "c"} {
		bob := f.console(f.bob)
		bob.waitFor("bomb ready")
		bob.send(key)
		within(t, "the session that panicked on "+key, func() { <-bob.ended })
	}
	waitUntil(t, "the panics in the log", func() bool { return len(log.lines("console panicked", "analyst=bob")) == 3 })
	alice.send("?")
	alice.waitFor("Everywhere")
	f.console(f.bob).waitFor("bomb ready")
}

// Finding 3: the shell-word splitter took 16 s per split of a 250 KB
// command, three or more times per session, before the rate limit and
// max_sessions. Such commands are refused at once, before any split, and
// hold no slot; a normal command still runs.
func TestAbandonedLongCommandsAreRefusedAndHoldNoSlot(t *testing.T) {
	o := Options{}
	o.NewSessions.Burst = 100
	log := logged(&o)
	f := startWith(t, func(c *config.Config) { c.SSH.MaxSessions = 2 }, o)
	long := "triage itm show " + strings.Repeat("x'\" ", 250<<10/4)
	for i := 0; i < 8; i++ {
		conn := f.connect(f.alice)
		ch, reqs, err := conn.OpenChannel("session", nil)
		if err != nil {
			t.Fatal(err)
		}
		go gossh.DiscardRequests(reqs)
		// Sent, not waited for: the client is gone before the answer.
		if _, err := ch.SendRequest("exec", false, gossh.Marshal(struct{ Command string }{long[:150<<10+i*(10<<10)]})); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	began := time.Now()
	_, errs, code := f.run(f.alice, "", long)
	t.Logf("a %d KB command was refused in %s", len(long)>>10, time.Since(began))
	if code == 0 || !strings.Contains(errs, "triage: the command is 250 KB; commands over SSH are at most 8 KB") {
		t.Fatalf("a 250 KB command: code=%d stderr=%q", code, errs)
	}
	waitUntil(t, "the slots to be freed", func() bool { return f.srv.Sessions() == 0 })
	fqid := f.sim.ITM.FQIDs(1)[0]
	if out, errs, code := f.run(f.bob, "", "triage itm show "+fqid+" --json"); code != 0 || !strings.Contains(out, fqid) {
		t.Fatalf("a normal command after them: code=%d err=%q", code, errs)
	}
	if n := len(log.lines("session refused", "command too long")); n == 0 {
		t.Fatalf("no refusal in the log:\n%s", log)
	}
}

// An unclosed quote is refused with a clear message rather than run cut
// short.
func TestAnUnclosedQuoteIsRefused(t *testing.T) {
	f := start(t, nil)
	fqid := f.sim.ITM.FQIDs(1)[0]
	_, errs, code := f.run(f.alice, "", "triage itm comment "+fqid+" 'half a comment")
	if code != 2 || !strings.Contains(errs, "unclosed quote") || len(f.sim.ITM.Comments(fqid)) != 0 {
		t.Fatalf("code=%d stderr=%q", code, errs)
	}
	out, errs, code := f.run(f.bob, "", `triage itm show "`+fqid+`" --json`)
	if code != 0 || !strings.Contains(out, fqid) {
		t.Fatalf("a quoted argument: code=%d stderr=%q", code, errs)
	}
}

// Finding 8: the session log named the user the client chose. It names the
// analyst of the key, with the key's fingerprint.
func TestTheSessionLogNamesTheAnalystOfTheKey(t *testing.T) {
	o := Options{}
	log := logged(&o)
	f := startWith(t, nil, o)
	conn, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: "alice", Auth: []gossh.AuthMethod{gossh.PublicKeys(f.bob.signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, errs, code := f.runOn(conn, "triage itm show "+f.sim.ITM.FQIDs(1)[0]+" --json"); code != 0 {
		t.Fatalf("code=%d stderr=%q", code, errs)
	}
	fp := gossh.FingerprintSHA256(f.bob.signer.PublicKey())
	waitUntil(t, "the session's end in the log", func() bool { return len(log.lines("session end", "analyst=bob")) == 1 })
	start := log.lines("session start")
	if len(start) != 1 || !strings.Contains(start[0], "analyst=bob") || !strings.Contains(start[0], "role=read-only") ||
		!strings.Contains(start[0], "key="+fp) || !strings.Contains(start[0], "addr=127.0.0.1:") {
		t.Fatalf("session start lines %q, want bob's with %s", start, fp)
	}
	if strings.Contains(log.String(), "alice") {
		t.Fatalf("the log names the user the client chose:\n%s", log)
	}
}

// Finding 8: refused authentications were not logged. Each is, with the
// address and the key's fingerprint, at most a burst and then one a
// second; the next line says how many were left out.
func TestRefusedAuthenticationIsLoggedAndRateLimited(t *testing.T) {
	o := Options{}
	o.Refusals.Burst, o.Refusals.Every = 5, time.Second
	log := logged(&o)
	f := startWith(t, nil, o)
	eve := newKey(t, "eve")
	if _, err := f.dial(gossh.PublicKeys(eve.signer)); err == nil {
		t.Fatal("eve got in")
	}
	fp := gossh.FingerprintSHA256(eve.signer.PublicKey())
	waitUntil(t, "eve's refusal in the log", func() bool { return len(log.lines("authentication refused")) == 1 })
	line := log.lines("authentication refused")[0]
	if !strings.Contains(line, "key="+fp) || !strings.Contains(line, "addr=127.0.0.1:") {
		t.Fatalf("refusal line %q, want the address and %s", line, fp)
	}
	// A flood: 60 refused keys, 6 on each connection. Past the burst, one
	// line a second at most gets through.
	began := time.Now()
	for i := 0; i < 10; i++ {
		var keys []gossh.Signer
		for j := 0; j < 6; j++ {
			keys = append(keys, newKey(t, "flood").signer)
		}
		f.dial(gossh.PublicKeys(keys...))
	}
	if n, most := len(log.lines("authentication refused")), 5+int(time.Since(began)/time.Second)+1; n > most {
		t.Fatalf("%d refusals logged in %s, want at most %d:\n%s", n, time.Since(began), most, log)
	}
	// The next line logged says how many were not.
	waitUntil(t, "a line with the count left out", func() bool {
		if len(log.lines("authentication refused", "not_logged=")) > 0 {
			return true
		}
		f.dial(gossh.PublicKeys(eve.signer))
		return false
	})
}

// Finding 9: the server offered diffie-hellman-group14-sha1 and hmac-sha1.
// It offers only modern key exchanges, ciphers and MACs, and a client that
// has nothing else cannot connect.
func TestOnlyModernAlgorithmsAreOffered(t *testing.T) {
	f := start(t, nil)
	offered := serverKexInit(t, f.addr)
	want := map[string][]string{
		"kex":     {"mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "kex-strict-s-v00@openssh.com"},
		"ciphers": {"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr"},
		"macs":    {"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"},
	}
	for name, list := range want {
		if got := strings.Join(offered[name], ","); got != strings.Join(list, ",") {
			t.Errorf("%s offered: %s\nwant: %s", name, got, strings.Join(list, ","))
		}
	}
	for _, weak := range []string{"sha1", "cbc", "arcfour", "3des", "group1", "group14", "group-exchange"} {
		for name, list := range offered {
			for _, a := range list {
				if strings.Contains(a, weak) {
					t.Errorf("%s offers %s", name, a)
				}
			}
		}
	}
	weakClients := map[string]gossh.Config{
		"diffie-hellman-group14-sha1 only": {KeyExchanges: []string{gossh.InsecureKeyExchangeDH14SHA1}},
		"diffie-hellman-group1-sha1 only":  {KeyExchanges: []string{gossh.InsecureKeyExchangeDH1SHA1}},
		"hmac-sha1 only":                   {Ciphers: []string{gossh.CipherAES128CTR}, MACs: []string{gossh.HMACSHA1}},
		"aes128-cbc only":                  {Ciphers: []string{gossh.InsecureCipherAES128CBC}},
	}
	for name, cfg := range weakClients {
		_, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{Config: cfg, User: "a", Auth: []gossh.AuthMethod{gossh.PublicKeys(f.alice.signer)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "no common algorithm") {
			t.Errorf("a client offering %s: %v", name, err)
		}
	}
	f.connect(f.alice) // a default client
	for _, c := range []gossh.Config{
		{KeyExchanges: []string{gossh.KeyExchangeCurve25519}, Ciphers: []string{gossh.CipherChaCha20Poly1305}},
		{KeyExchanges: []string{gossh.KeyExchangeECDHP256}, Ciphers: []string{gossh.CipherAES256CTR}, MACs: []string{gossh.HMACSHA256ETM}},
	} {
		conn, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{Config: c, User: "a", Auth: []gossh.AuthMethod{gossh.PublicKeys(f.alice.signer)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
		if err != nil {
			t.Errorf("a client offering %v: %v", c, err)
			continue
		}
		// Answered once the server tracks the connection: charmbracelet/ssh
		// races its Shutdown with a connection it is still adding.
		conn.SendRequest("keepalive@openssh.com", true, nil)
		conn.Close()
	}
}

// serverKexInit reads the algorithms the server offers in its first
// SSH_MSG_KEXINIT, sent in the clear before any key exchange.
func serverKexInit(t *testing.T, addr string) map[string][]string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, "SSH-2.0-probe\r\n"); err != nil {
		t.Fatal(err)
	}
	var version []byte
	one := make([]byte, 1)
	for !bytes.HasSuffix(version, []byte("\n")) {
		if _, err := io.ReadFull(conn, one); err != nil {
			t.Fatal(err)
		}
		version = append(version, one[0])
	}
	var head [5]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		t.Fatal(err)
	}
	packet := make([]byte, binary.BigEndian.Uint32(head[:4])-1)
	if _, err := io.ReadFull(conn, packet); err != nil {
		t.Fatal(err)
	}
	payload := packet[:len(packet)-int(head[4])]
	var kex struct {
		Cookie                  [16]byte `sshtype:"20"`
		KexAlgos                []string
		HostKeyAlgos            []string
		CiphersClientServer     []string
		CiphersServerClient     []string
		MACsClientServer        []string
		MACsServerClient        []string
		CompressionClientServer []string
		CompressionServerClient []string
		LanguagesClientServer   []string
		LanguagesServerClient   []string
		FirstKexFollows         bool
		Reserved                uint32
	}
	if err := gossh.Unmarshal(payload, &kex); err != nil {
		t.Fatalf("the server's KEXINIT: %v", err)
	}
	if strings.Join(kex.CiphersClientServer, ",") != strings.Join(kex.CiphersServerClient, ",") ||
		strings.Join(kex.MACsClientServer, ",") != strings.Join(kex.MACsServerClient, ",") {
		t.Fatalf("the two directions differ: %+v", kex)
	}
	return map[string][]string{"kex": kex.KexAlgos, "hostkey": kex.HostKeyAlgos, "ciphers": kex.CiphersClientServer, "macs": kex.MACsClientServer}
}
