// Package server is `triage serve`: the console over SSH for a jump host.
// Each analyst connects with their own key and gets their own console
// (program, renderer, styles, window) with their identity on every write;
// the vendor clients, token caches and rate limiters are shared.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	charmlog "github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/ratelimiter"
	"github.com/charmbracelet/wish/recover"
	"golang.org/x/time/rate"

	"triage/backend"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/cli"
	"triage/ui"
	"triage/views"
)

// Options configure the server.
type Options struct {
	Config   *config.Config
	Backends *backend.Set
	// Keys is the parsed [keys] of Config (views.Keys); nil parses them.
	Keys    *ui.KeyMap
	Logger  *slog.Logger
	Version string
	Clock   clock.Clock // what time it is in the sessions; nil is the wall clock
	// Command runs a command sent without a terminal (ssh jump triage ...)
	// and returns its exit code; the triage commands (package cli) unless set.
	Command func(ctx context.Context, s ssh.Session, who identity.Analyst) int
	// Console builds a session's UI; views.New unless set.
	Console func(*views.Common) tea.Model
	// NewSessions limits how fast one address may open sessions: Burst at
	// once, then one per Every (default 10, then one a second).
	NewSessions struct {
		Burst int
		Every time.Duration
	}
	// Refusals limits the log lines of refused authentications and
	// sessions, so a flood cannot fill the log: Burst at once, then one per
	// Every (default 20, then one a second). The next line logged says how
	// many were not.
	Refusals struct {
		Burst int
		Every time.Duration
	}
	// Handshakes bounds connections that have not authenticated yet, as
	// OpenSSH's MaxStartups and LoginGraceTime do: at most Max at once
	// (default 32), each closed after Grace (default 30s).
	Handshakes struct {
		Max   int
		Grace time.Duration
	}
}

// Server is the SSH server.
type Server struct {
	opts       Options
	srv        *ssh.Server
	log        *slog.Logger
	analysts   analysts
	sessions   atomic.Int64
	max        int64
	limiter    ratelimiter.RateLimiter
	refusals   *throttle
	handshakes *handshakes

	mu       sync.Mutex
	programs map[*tea.Program]identity.Analyst
	commands map[*ssh.Session]struct{} // commands running without a console
	closing  bool
}

// ShuttingDown is what each connected analyst is told when the server
// stops (SIGTERM, SIGINT).
const ShuttingDown = "the server is shutting down"

type ctxKey struct{}

// New builds the server from the [ssh] config: public-key authentication
// only, against the analysts' keys; a host key created with mode 0600 when
// missing; idle and maximum timeouts.
func New(o Options) (*Server, error) {
	cfg := o.Config.SSH
	if len(cfg.Analysts) == 0 {
		return nil, errors.New("no analysts in [ssh]: add [[ssh.analysts]] with a name, a role and keys")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// wish's middlewares log through charmbracelet/log's default logger;
	// send that to the server's log instead of stderr.
	charmlog.SetOutput(logWriter{o.Logger})
	if o.Command == nil {
		o.Command = func(ctx context.Context, sess ssh.Session, who identity.Analyst) int {
			// With a pty (ssh -t) stdout is the analyst's terminal: --raw
			// is refused. Without one it may be a file, or a terminal still.
			_, _, pty := sess.Pty()
			env := &cli.Env{In: sess, Out: sess, Err: sess.Stderr(), OutTTY: pty, Analyst: who, Clock: o.Clock,
				Open: func() (*backend.Set, error) { return o.Backends, nil }}
			return cli.Run(ctx, env, sess.Command())
		}
	}
	s := &Server{opts: o, log: o.Logger, max: int64(cfg.MaxSessions), programs: map[*tea.Program]identity.Analyst{},
		commands: map[*ssh.Session]struct{}{}}
	list, err := newAllowlist(cfg.Analysts)
	if err != nil {
		return nil, err
	}
	s.analysts.set(list)
	if o.Keys == nil {
		if o.Keys, err = views.Keys(o.Config.Keys); err != nil {
			return nil, err
		}
	}
	if err := ensureHostKey(cfg.HostKey); err != nil {
		return nil, err
	}
	if o.NewSessions.Burst <= 0 {
		o.NewSessions.Burst = 10
	}
	if o.NewSessions.Every <= 0 {
		o.NewSessions.Every = time.Second
	}
	if o.Refusals.Burst <= 0 {
		o.Refusals.Burst = 20
	}
	if o.Refusals.Every <= 0 {
		o.Refusals.Every = time.Second
	}
	s.opts = o
	s.limiter = ratelimiter.NewRateLimiter(rate.Every(o.NewSessions.Every), o.NewSessions.Burst, 4096)
	s.refusals = &throttle{lim: rate.NewLimiter(rate.Every(o.Refusals.Every), o.Refusals.Burst)}
	if o.Handshakes.Max <= 0 {
		o.Handshakes.Max = 32
	}
	if o.Handshakes.Grace <= 0 {
		o.Handshakes.Grace = 30 * time.Second
	}
	s.opts.Handshakes = o.Handshakes
	s.handshakes = &handshakes{max: o.Handshakes.Max, grace: o.Handshakes.Grace, pending: map[ssh.Context]struct{}{}, refused: s.refuseConn}
	s.srv, err = wish.NewServer(
		wish.WithAddress(cfg.Listen),
		wish.WithHostKeyPath(cfg.HostKey),
		wish.WithVersion("triage"),
		withAlgorithms(),
		func(srv *ssh.Server) error { srv.ConnCallback = s.handshakes.admit; return nil },
		// Only public keys: with no password or keyboard-interactive
		// handler, those methods are never offered.
		wish.WithPublicKeyAuth(func(ctx ssh.Context, key ssh.PublicKey) bool {
			if _, ok := s.analysts.lookup(key); ok {
				return true
			}
			// The only method offered, so the only refusals to log.
			s.refusals.log(s.log, "authentication refused", "addr", addrOf(ctx.RemoteAddr()), "key", fingerprint(key), "type", key.Type())
			return false
		}),
		wish.WithIdleTimeout(cfg.IdleTimeout.Duration),
		wish.WithMaxTimeout(cfg.MaxTimeout.Duration),
		sessionChannels(),
		// Each session passes, in this order: the rate of new sessions per
		// address, max_sessions, the key's analyst, the command's length
		// and its split, the log, then the command or the console. Every
		// limit comes before any work that grows with what the client sent.
		wish.WithMiddleware(
			recover.MiddlewareWithLogger(printfLogger{s.log},
				s.console,
				s.terminal,
				s.logging,
				s.command,
				s.authorize,
				s.limit,
				s.rateLimit,
			),
		),
	)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Listen binds the configured address; Addr tells where (":0" picks a port).
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.opts.Config.SSH.Listen)
	if err != nil {
		return nil, fmt.Errorf("ssh listen %s: %w", s.opts.Config.SSH.Listen, err)
	}
	return ln, nil
}

// Serve answers connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("serving", "addr", ln.Addr().String(), "analysts", s.analysts.count())
	if b := s.opts.Backends; b != nil && b.Datasets != nil {
		stop := make(chan struct{})
		defer close(stop)
		go b.Datasets.TrimEvery(time.Minute, stop)
	}
	if err := s.srv.Serve(ln); err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		return err
	}
	return nil
}

// Reload replaces the analysts (on SIGHUP). A bad list keeps the old one.
// Sessions already open keep running; new connections use the new list.
func (s *Server) Reload(analysts []config.Analyst) error {
	list, err := newAllowlist(analysts)
	if err != nil {
		return err
	}
	s.analysts.set(list)
	s.log.Info("analysts reloaded", "keys", len(list.byFingerprint))
	return nil
}

// Shutdown tells every connected analyst, gives them a moment to read it,
// ends their consoles and stops the server.
func (s *Server) Shutdown(ctx context.Context, grace time.Duration) error {
	s.mu.Lock()
	s.closing = true
	programs := make([]*tea.Program, 0, len(s.programs))
	for p := range s.programs {
		programs = append(programs, p)
	}
	for sess := range s.commands {
		// A command's stdout is data; the notice goes to its stderr.
		fmt.Fprintf((*sess).Stderr(), "triage: %s: this command may be cut short\n", ShuttingDown)
	}
	commands := len(s.commands)
	s.mu.Unlock()
	for _, p := range programs {
		go p.Send(ui.ErrorMsg{Err: fmt.Errorf("%s: this session ends in %s", ShuttingDown, grace)})
	}
	if len(programs)+commands > 0 {
		select {
		case <-time.After(grace):
		case <-ctx.Done():
		}
	}
	for _, p := range programs {
		p.Quit()
	}
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.srv.Close()
	}
	return err
}

// Sessions is how many sessions are open.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }

// --- per session ---------------------------------------------------------

// authorize finds the analyst of the key that authenticated. The handshake
// may have offered other keys first (CVE-2024-45337), so nothing from the
// auth callback is trusted: the session's own key is looked up again.
func (s *Server) authorize(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		who, ok := s.analysts.lookup(sess.PublicKey())
		if !ok {
			s.refuse(sess, 1, "key not allowed", "triage: this key is not allowed here")
			return
		}
		who.Addr = sess.RemoteAddr().String()
		sess.Context().SetValue(ctxKey{}, who)
		next(sess)
	}
}

func analystOf(sess ssh.Session) identity.Analyst {
	who, _ := sess.Context().Value(ctxKey{}).(identity.Analyst)
	return who
}

// limit refuses sessions past max_sessions, politely.
func (s *Server) limit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		n := s.sessions.Add(1)
		// The slot is free when the session ends or its channel closes,
		// whichever comes first: nothing a console waits for can keep it.
		var once sync.Once
		release := func() { once.Do(func() { s.sessions.Add(-1) }) }
		defer release()
		defer context.AfterFunc(sess.Context(), release)()
		if s.max > 0 && n > s.max {
			s.refuse(sess, 1, "max_sessions", fmt.Sprintf("triage: all %d sessions of this server are in use; please try again in a few minutes", s.max))
			return
		}
		s.mu.Lock()
		closing := s.closing
		s.mu.Unlock()
		if closing {
			s.refuse(sess, 1, "shutting down", "triage: "+ShuttingDown)
			return
		}
		next(sess)
	}
}

// terminal sends sessions without a terminal, or with a command, to the
// command runner; the console needs a terminal.
func (s *Server) terminal(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		_, _, hasPty := sess.Pty()
		if hasPty && len(sess.Command()) == 0 {
			next(sess)
			return
		}
		if len(sess.Command()) > 0 {
			// Keyed by a pointer: a session value need not be comparable.
			running := &sess
			s.mu.Lock()
			s.commands[running] = struct{}{}
			s.mu.Unlock()
			defer func() {
				s.mu.Lock()
				delete(s.commands, running)
				s.mu.Unlock()
			}()
			code := s.opts.Command(sess.Context(), sess, analystOf(sess))
			_ = sess.Exit(code)
			return
		}
		wish.Fatalln(sess, "triage: the console needs a terminal; connect with: ssh -t -p <port> <host>")
	}
}

// logging records each session's start and end with the analyst its key
// belongs to; the user name the client sent is not theirs to choose.
func (s *Server) logging(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		who := analystOf(sess)
		pty, _, hasPty := sess.Pty()
		s.log.Info("session start", "analyst", who.Name, "role", who.Role, "key", who.Fingerprint, "addr", who.Addr,
			"term", pty.Term, "pty", hasPty, "command", len(sess.Command()) > 0)
		next(sess)
		s.log.Info("session end", "analyst", who.Name, "key", who.Fingerprint, "addr", who.Addr,
			"duration", time.Since(start).Round(time.Millisecond).String())
	}
}

// rateLimit refuses a session past the rate of new sessions per address.
func (s *Server) rateLimit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if err := s.limiter.Allow(sess); err != nil {
			s.refuse(sess, 1, "rate limit", "triage: "+err.Error())
			return
		}
		next(sess)
	}
}

// refuse ends a session with a message to the client and a line in the
// log (throttled: see Options.Refusals).
func (s *Server) refuse(sess ssh.Session, code int, reason, message string, args ...any) {
	fp := ""
	if k := sess.PublicKey(); k != nil {
		fp = fingerprint(k)
	}
	s.refusals.log(s.log, "session refused", append([]any{"reason", reason, "addr", addrOf(sess.RemoteAddr()), "key", fp}, args...)...)
	fmt.Fprintln(sess.Stderr(), message)
	_ = sess.Exit(code)
	_ = sess.Close()
}

func addrOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// refuseConn logs a refused or closed connection, throttled.
func (s *Server) refuseConn(msg string, args ...any) { s.refusals.log(s.log, msg, args...) }

// throttle lets through a burst of lines, then one per interval (see
// Options.Refusals), and counts those it holds back.
type throttle struct {
	lim     *rate.Limiter
	mu      sync.Mutex
	dropped int
}

func (t *throttle) log(l *slog.Logger, msg string, args ...any) {
	t.mu.Lock()
	if !t.lim.Allow() {
		t.dropped++
		t.mu.Unlock()
		return
	}
	n := t.dropped
	t.dropped = 0
	t.mu.Unlock()
	if n > 0 {
		args = append(args, "not_logged", n)
	}
	l.Warn(msg, args...)
}

// logWriter forwards a library's log lines to the server's log.
type logWriter struct{ l *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Debug(strings.TrimSpace(string(p)), "source", "wish")
	return len(p), nil
}

type printfLogger struct{ l *slog.Logger }

func (p printfLogger) Printf(format string, v ...any) { p.l.Error(fmt.Sprintf(format, v...)) }
