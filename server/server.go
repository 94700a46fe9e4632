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
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/charmbracelet/wish/ratelimiter"
	"github.com/charmbracelet/wish/recover"
	"github.com/muesli/termenv"
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
	Logger   *slog.Logger
	Version  string
	Clock    clock.Clock // what time it is in the sessions; nil is the wall clock
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
}

// Server is the SSH server.
type Server struct {
	opts     Options
	srv      *ssh.Server
	log      *slog.Logger
	analysts analysts
	sessions atomic.Int64
	max      int64

	mu       sync.Mutex
	programs map[*tea.Program]identity.Analyst
	closing  bool
}

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
	// wish reports a session's program ending through charmbracelet/log's
	// default logger; send that to the server's log instead of stderr.
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
	s := &Server{opts: o, log: o.Logger, max: int64(cfg.MaxSessions), programs: map[*tea.Program]identity.Analyst{}}
	list, err := newAllowlist(cfg.Analysts)
	if err != nil {
		return nil, err
	}
	s.analysts.set(list)
	if _, err := views.Keys(o.Config.Keys); err != nil {
		return nil, err
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
	limiter := ratelimiter.NewRateLimiter(rate.Every(o.NewSessions.Every), o.NewSessions.Burst, 4096)
	s.srv, err = wish.NewServer(
		wish.WithAddress(cfg.Listen),
		wish.WithHostKeyPath(cfg.HostKey),
		wish.WithVersion("triage"),
		// Only public keys: with no password or keyboard-interactive
		// handler, those methods are never offered.
		wish.WithPublicKeyAuth(func(_ ssh.Context, key ssh.PublicKey) bool {
			_, ok := s.analysts.lookup(key)
			return ok
		}),
		wish.WithIdleTimeout(cfg.IdleTimeout.Duration),
		wish.WithMaxTimeout(cfg.MaxTimeout.Duration),
		withoutForwarding(),
		wish.WithMiddleware(
			recover.MiddlewareWithLogger(printfLogger{s.log},
				bm.MiddlewareWithProgramHandler(s.program, termenv.ANSI256),
				s.terminal,
				s.limit,
				s.authorize,
				ratelimiter.Middleware(limiter),
			),
			s.logging,
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
	s.mu.Unlock()
	for _, p := range programs {
		go p.Send(ui.ErrorMsg{Err: fmt.Errorf("triage serve is shutting down: this session ends in %s", grace)})
	}
	if len(programs) > 0 {
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
			wish.Fatalln(sess, "triage: this key is not allowed here")
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
		defer s.sessions.Add(-1)
		if s.max > 0 && n > s.max {
			wish.Fatalf(sess, "triage: all %d sessions of this server are in use; please try again in a few minutes\n", s.max)
			return
		}
		s.mu.Lock()
		closing := s.closing
		s.mu.Unlock()
		if closing {
			wish.Fatalln(sess, "triage: the server is shutting down")
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
			code := s.opts.Command(sess.Context(), sess, analystOf(sess))
			_ = sess.Exit(code)
			return
		}
		wish.Fatalln(sess, "triage: the console needs a terminal; connect with: ssh -t -p <port> <host>")
	}
}

// program builds this session's console: its own renderer (from the
// client's terminal), styles, keymap and window size.
func (s *Server) program(sess ssh.Session) *tea.Program {
	who := analystOf(sess)
	pty, _, _ := sess.Pty()
	r := bm.MakeRenderer(sess)
	if ui.NoColor(sess.Environ()) {
		ui.Plain(r)
	}
	cfg := s.opts.Config
	keys, err := views.Keys(cfg.Keys)
	if err != nil {
		keys = ui.DefaultKeyMap() // New checked them; a reload does not change keys
	}
	c := &views.Common{
		Ctx:      sess.Context(),
		Styles:   ui.NewStyles(r, cfg.UI.Theme),
		Keys:     keys,
		Backends: s.opts.Backends,
		Analyst:  who,
		Log:      s.log.With("analyst", who.Name),
		Refresh:  cfg.UI.Refresh.Duration,
		StateDir: cfg.State.Dir,
		Clock:    s.opts.Clock,
	}
	newConsole := s.opts.Console
	if newConsole == nil {
		newConsole = func(c *views.Common) tea.Model { return views.New(c) }
	}
	app := newConsole(c)
	opts := append(bm.MakeOptions(sess), tea.WithAltScreen(), tea.WithContext(sess.Context()), tea.WithFPS(30))
	p := tea.NewProgram(app, opts...)
	s.mu.Lock()
	s.programs[p] = who
	s.mu.Unlock()
	go func() {
		// The first size comes from the pty request; later ones from
		// window-change requests, which the middleware forwards.
		p.Send(tea.WindowSizeMsg{Width: pty.Window.Width, Height: pty.Window.Height})
		<-sess.Context().Done()
		s.mu.Lock()
		delete(s.programs, p)
		s.mu.Unlock()
	}()
	return p
}

// logging records each session's start and end.
func (s *Server) logging(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		pty, _, hasPty := sess.Pty()
		fp := ""
		if k := sess.PublicKey(); k != nil {
			fp = fingerprint(k)
		}
		s.log.Info("session start", "user", sess.User(), "addr", sess.RemoteAddr().String(), "key", fp,
			"term", pty.Term, "pty", hasPty, "command", len(sess.Command()) > 0)
		next(sess)
		s.log.Info("session end", "user", sess.User(), "addr", sess.RemoteAddr().String(), "key", fp, "duration", time.Since(start).Round(time.Millisecond).String())
	}
}

// logWriter forwards a library's log lines to the server's log.
type logWriter struct{ l *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Debug(strings.TrimSpace(string(p)), "source", "wish")
	return len(p), nil
}

type printfLogger struct{ l *slog.Logger }

func (p printfLogger) Printf(format string, v ...any) { p.l.Error(fmt.Sprintf(format, v...)) }
