package server

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"triage/ui"
)

func fingerprint(k ssh.PublicKey) string { return gossh.FingerprintSHA256(k) }

// refusedRequests are session requests the console never honours. The SSH
// library acknowledges agent forwarding by default (without ever opening an
// agent channel); triage refuses it, and X11, outright.
var refusedRequests = map[string]bool{
	"auth-agent-req@openssh.com": true,
	"x11-req":                    true,
}

// Bounds on what one client may make the server hold, whatever it sends:
// open session channels per connection (OpenSSH's MaxSessions), and
// environment variables per session, each at most maxEnvBytes.
const (
	maxChannels = 10
	maxEnv      = 64
	maxEnvBytes = 4 << 10
)

// sessionChannels serves session channels, at most maxChannels at once on
// a connection, through a filter that refuses agent and X11 forwarding,
// clamps window sizes and keeps only the latest one, bounds the
// environment, and never makes the connection wait (see filteredChannel).
// Port forwarding (direct-tcpip, tcpip-forward) and subsystems such as sftp
// are refused already: no handler is installed for them.
func sessionChannels() ssh.Option {
	return func(srv *ssh.Server) error {
		if srv.ChannelHandlers == nil {
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{}
		}
		srv.ChannelHandlers["session"] = func(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
			open := channelsOf(ctx)
			defer open.Add(-1)
			if open.Add(1) > maxChannels {
				_ = newChan.Reject(gossh.ResourceShortage, fmt.Sprintf("at most %d sessions at once on one connection", maxChannels))
				return
			}
			sc := newSessionContext(ctx)
			// It returns when the channel's requests end: the channel closed.
			ssh.DefaultSessionHandler(srv, conn, filteredChannel{newChan, sc}, sc)
		}
		return nil
	}
}

type channelsKey struct{}

// channelsOf counts the session channels open on a connection.
func channelsOf(conn ssh.Context) *atomic.Int32 {
	conn.Lock()
	defer conn.Unlock()
	n, _ := conn.Value(channelsKey{}).(*atomic.Int32)
	if n == nil {
		n = new(atomic.Int32)
		conn.SetValue(channelsKey{}, n)
	}
	return n
}

// sessionContext is one session's context: the connection's values, but
// done as soon as the session's channel closes, not only when the whole
// connection does, and holding the session's latest window size.
type sessionContext struct {
	ssh.Context // the connection's
	life        context.Context
	end         context.CancelFunc
	windows     *windows
}

func newSessionContext(conn ssh.Context) *sessionContext {
	life, end := context.WithCancel(conn)
	return &sessionContext{Context: conn, life: life, end: end, windows: newWindows()}
}

func (c *sessionContext) Done() <-chan struct{}       { return c.life.Done() }
func (c *sessionContext) Err() error                  { return c.life.Err() }
func (c *sessionContext) Deadline() (time.Time, bool) { return c.life.Deadline() }

// windowsOf is the session's window sizes (nil for a session not served
// by sessionChannels).
func windowsOf(sess ssh.Session) *windows {
	if c, ok := sess.Context().(*sessionContext); ok {
		return c.windows
	}
	return nil
}

type filteredChannel struct {
	gossh.NewChannel
	ctx *sessionContext
}

// Accept hands the session library the channel's requests through a
// goroutine that never waits: the library's request loop can block (it
// hands window changes over a channel of one that nobody reads until the
// console runs), and while a request waits, x/crypto stops reading the
// whole connection, its close and its timeouts included. So window changes
// are answered here and only the latest is kept, and any other request the
// library is not ready for is refused.
func (f filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := f.NewChannel.Accept()
	if err != nil {
		f.ctx.end()
		return ch, reqs, err
	}
	out := make(chan *gossh.Request, 64)
	go func() {
		defer f.ctx.end() // the channel is closed: its session ends
		defer close(out)
		pty, env := false, 0
		for r := range reqs {
			switch r.Type {
			case "env":
				if env++; env > maxEnv || len(r.Payload) > maxEnvBytes {
					reply(r, false)
					continue
				}
			case "window-change":
				win, ok := parseWindowChange(r.Payload)
				if ok && pty {
					f.ctx.windows.set(win)
				}
				reply(r, ok && pty)
				continue
			case "pty-req":
				if win, ok := clampPtyRequest(r.Payload); ok && !pty {
					pty = true
					f.ctx.windows.set(win)
				}
			}
			if refusedRequests[r.Type] {
				reply(r, false)
				continue
			}
			select {
			case out <- r:
			default:
				reply(r, false) // a flood of requests: refused, not queued
			}
		}
	}()
	return ch, out, nil
}

func reply(r *gossh.Request, ok bool) {
	if r.WantReply {
		_ = r.Reply(ok, nil)
	}
}

// clampWindow bounds a client's window to what the console draws
// (ui.MaxWidth×ui.MaxHeight), as it arrives: nothing downstream sees more.
func clampWindow(cols, rows uint32) (uint32, uint32) {
	return min(cols, ui.MaxWidth), min(rows, ui.MaxHeight)
}

// parseWindowChange reads a window-change request (RFC 4254 6.7): columns,
// rows, then the size in pixels, which the console does not use.
func parseWindowChange(p []byte) (ssh.Window, bool) {
	if len(p) < 16 {
		return ssh.Window{}, false
	}
	cols, rows := clampWindow(binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:]))
	return ssh.Window{Width: int(cols), Height: int(rows)}, true
}

// clampPtyRequest clamps the size in a pty-req (RFC 4254 6.2: the TERM
// string, columns, rows, pixels, modes) in place, and returns it.
func clampPtyRequest(p []byte) (ssh.Window, bool) {
	if len(p) < 4 {
		return ssh.Window{}, false
	}
	at := 4 + uint64(binary.BigEndian.Uint32(p))
	if uint64(len(p)) < at+16 {
		return ssh.Window{}, false
	}
	size := p[at : at+8]
	cols, rows := clampWindow(binary.BigEndian.Uint32(size), binary.BigEndian.Uint32(size[4:]))
	binary.BigEndian.PutUint32(size, cols)
	binary.BigEndian.PutUint32(size[4:], rows)
	return ssh.Window{Width: int(cols), Height: int(rows)}, true
}

// windows is a session's latest window size. Setting it never waits:
// the console takes the latest when it is ready, and the sizes in between
// are of no use to it.
type windows struct {
	mu     sync.Mutex
	latest ssh.Window
	ready  chan struct{} // holds one signal while a size is not yet taken
}

func newWindows() *windows { return &windows{ready: make(chan struct{}, 1)} }

func (w *windows) set(win ssh.Window) {
	w.mu.Lock()
	w.latest = win
	w.mu.Unlock()
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

func (w *windows) get() ssh.Window {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.latest
}
