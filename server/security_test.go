package server

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"triage/backend/config"
)

// TestEverySessionChecksItsKeyAgain: the key is checked when the
// connection authenticates and again for each session on it, against the
// list as it is then, so a key removed by a reload opens no new session on
// a connection made before.
func TestEverySessionChecksItsKeyAgain(t *testing.T) {
	f := start(t, nil)
	conn := f.connect(f.bob)
	show := "triage itm show " + f.sim.ITM.FQIDs(1)[0] + " --json"
	if _, errs, code := f.runOn(conn, show); code != 0 {
		t.Fatalf("before the reload: %d %q", code, errs)
	}
	if err := f.srv.Reload([]config.Analyst{{Name: "alice", Role: "responder", Keys: []string{f.alice.line}}}); err != nil {
		t.Fatal(err)
	}
	_, errs, code := f.runOn(conn, show)
	if code == 0 || !strings.Contains(errs, "this key is not allowed here") {
		t.Fatalf("a session after the key was removed: %d %q", code, errs)
	}
}

// runOn runs a command in a new session on an open connection.
func (f *fixture) runOn(conn *gossh.Client, command string) (stdout, stderr string, code int) {
	f.t.Helper()
	sess, err := conn.NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errb
	err = sess.Run(command)
	var exit *gossh.ExitError
	if errorsAs(err, &exit) {
		code = exit.ExitStatus()
	} else if err != nil {
		f.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestIdleSessionsEnd: a console that stops printing and gets no keys
// ends after idle_timeout. The session is not required to have loaded its
// data first: on a slow machine the idle time may pass before that.
func TestIdleSessionsEnd(t *testing.T) {
	t.Parallel() // it waits on the wall clock
	const idle = time.Second
	f := start(t, func(c *config.Config) { c.SSH.IdleTimeout.Duration = idle })
	dialed := time.Now()
	c := f.console(f.alice)
	select {
	case <-c.ended:
	case <-time.After(30 * time.Second):
		t.Fatal("an idle session stayed open")
	}
	// The last exchange came after the dial, so the end came idle after it.
	if lasted := time.Since(dialed); lasted < idle {
		t.Fatalf("the session ended after %s, before the idle timeout of %s", lasted, idle)
	}
	if !c.printed("ITM tickets") {
		t.Fatal("the session ended before its console drew a frame")
	}
}

// TestSessionsEndAtTheMaximumEvenWhenBusy: keys every 200ms do not keep a
// session past max_timeout, counted from the connection.
func TestSessionsEndAtTheMaximumEvenWhenBusy(t *testing.T) {
	t.Parallel() // it waits on the wall clock
	const maxSession = 2 * time.Second
	f := start(t, func(c *config.Config) { c.SSH.MaxTimeout.Duration = maxSession })
	dialed := time.Now()
	c := f.console(f.alice)
	deadline := time.After(30 * time.Second)
	for {
		select {
		case <-c.ended:
			if lasted := time.Since(dialed); lasted < maxSession {
				t.Fatalf("the session ended after %s, before max_timeout", lasted)
			}
			if !c.printed("ITM tickets") {
				t.Fatal("the session ended before its console drew a frame")
			}
			return
		case <-deadline:
			t.Fatal("a busy session outlived max_timeout")
		case <-time.After(200 * time.Millisecond):
			c.in.Write([]byte("j")) // keep it busy
		}
	}
}

// TestSSHCryptoIsRecentEnough: golang.org/x/crypto v0.45.0 or newer fixes
// the advisories that concern the SSH server (CVE-2024-45337, -2025-22869,
// -2025-47914, -2025-58181). go.mod's requirement is the version built.
func TestSSHCryptoIsRecentEnough(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*golang\.org/x/crypto v(\d+)\.(\d+)\.\d+`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require golang.org/x/crypto: the test looks in the wrong place")
	}
	major, _ := strconv.Atoi(string(m[1]))
	minor, _ := strconv.Atoi(string(m[2]))
	if major == 0 && minor < 45 {
		t.Fatalf("golang.org/x/crypto v%d.%d: want v0.45.0 or newer", major, minor)
	}
	if bytes.Contains(mod, []byte("replace golang.org/x/crypto")) {
		t.Fatal("golang.org/x/crypto is replaced: check the replacement's version")
	}
}
