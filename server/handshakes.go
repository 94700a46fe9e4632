package server

import (
	"net"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
)

// handshakes bounds connections that have not authenticated yet. Without
// it a client could open TCP connections and never speak: each would be
// held until the idle timeout, and enough of them would use up the
// process's file descriptors and lock every analyst out.
type handshakes struct {
	max     int
	grace   time.Duration
	refused func(msg string, args ...any)

	mu      sync.Mutex
	pending map[ssh.Context]struct{} // connections still authenticating
}

// authenticated reports whether a connection finished its handshake: the
// SSH library puts the connection in its context only then.
func authenticated(ctx ssh.Context) bool { return ctx.Value(ssh.ContextKeyConn) != nil }

// admit is the server's ConnCallback: it refuses a connection when max are
// already authenticating, and closes one that has not authenticated within
// the grace time.
func (h *handshakes) admit(ctx ssh.Context, conn net.Conn) net.Conn {
	h.mu.Lock()
	for c := range h.pending {
		if authenticated(c) || c.Err() != nil {
			delete(h.pending, c)
		}
	}
	if len(h.pending) >= h.max {
		h.mu.Unlock()
		h.refused("connection refused", "reason", "too many connections still authenticating", "addr", addrOf(conn.RemoteAddr()))
		return nil // the library closes it
	}
	h.pending[ctx] = struct{}{}
	h.mu.Unlock()
	time.AfterFunc(h.grace, func() {
		if !authenticated(ctx) && ctx.Err() == nil {
			h.refused("connection closed", "reason", "not authenticated within "+h.grace.String(), "addr", addrOf(conn.RemoteAddr()))
			conn.Close()
		}
		h.mu.Lock()
		delete(h.pending, ctx)
		h.mu.Unlock()
	})
	return conn
}
