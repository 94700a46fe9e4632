package server

import (
	"errors"
	"net"
	"testing"
	"time"
)

// silent opens a TCP connection to the server and never says a word.
func (f *fixture) silent() net.Conn {
	f.t.Helper()
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer waits until the server has closed c (reading it ends).
func closedByServer(t *testing.T, c net.Conn, within time.Duration) bool {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			var ne net.Error
			return !errors.As(err, &ne) || !ne.Timeout()
		}
	}
}

// Connections that never authenticate cannot lock analysts out: at most
// Handshakes.Max are let in at once, and each is closed after the grace
// time; then an analyst connects as usual.
func TestSilentConnectionsCannotLockAnalystsOut(t *testing.T) {
	o := Options{}
	o.Handshakes.Max, o.Handshakes.Grace = 4, 2*time.Second
	log := logged(&o)
	f := startWith(t, nil, o)
	var held []net.Conn
	for i := 0; i < 4; i++ {
		held = append(held, f.silent())
	}
	// The library answers each with its version line first: wait for the
	// four to be counted before the fifth arrives.
	for _, c := range held {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Read(make([]byte, 64)); err != nil {
			t.Fatalf("a connection within the bound got no greeting: %v", err)
		}
	}
	if extra := f.silent(); !closedByServer(t, extra, 30*time.Second) {
		t.Fatal("a fifth connection still authenticating was let in")
	}
	waitUntil(t, "the refusal in the log", func() bool {
		return len(log.lines("connection refused", "too many connections still authenticating")) > 0
	})
	// After the grace time the four are closed, and an analyst gets in.
	for _, c := range held {
		if !closedByServer(t, c, 30*time.Second) {
			t.Fatal("a silent connection outlived the grace time")
		}
	}
	if lines := log.lines("connection closed", "not authenticated within 2s"); len(lines) != 4 {
		t.Fatalf("%d lines for the closed connections, want 4:\n%s", len(lines), log)
	}
	c := f.connect(f.alice)
	if _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); err != nil {
		t.Fatalf("alice's connection after the flood: %v", err)
	}
}
