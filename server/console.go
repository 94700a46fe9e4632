package server

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"triage/ui"
	"triage/views"
)

// colourDeadline is how long a session waits for its terminal to say what
// colour its background is. Terminals answer at once; a client that does
// not costs its own session this much before the first frame.
const colourDeadline = 2 * time.Second

// console runs the session's console. It does what wish's bubbletea
// middleware does, with three differences: window sizes come from the
// session's latest (see windows), so a burst of window changes never waits
// for the console; the terminal is asked for its background colour with a
// deadline; and the console ends with the session's channel.
func (s *Server) console(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		who := analystOf(sess)
		kb := newKeyboard(sess.Context().Done(), sess)
		p := s.program(sess, kb, s.renderer(sess, kb))
		s.mu.Lock()
		s.programs[p] = who
		s.mu.Unlock()
		resized := make(chan struct{})
		stop := make(chan struct{})
		go func() {
			defer close(resized)
			resize(p, windowsOf(sess), stop)
		}()
		_, err := p.Run()
		p.Kill()
		close(stop)
		<-resized
		s.mu.Lock()
		delete(s.programs, p)
		s.mu.Unlock()
		switch {
		case errors.Is(err, tea.ErrProgramPanic):
			// bubbletea recovered it and printed the stack to stderr.
			s.log.Error("console panicked; its session ended", "analyst", who.Name, "key", who.Fingerprint, "addr", who.Addr)
		case err != nil && !errors.Is(err, tea.ErrProgramKilled):
			s.log.Warn("console ended with an error", "analyst", who.Name, "error", err.Error())
		}
		next(sess)
	}
}

// resize gives the program the session's window size each time it
// changes, the latest one only, until stop.
func resize(p *tea.Program, w *windows, stop <-chan struct{}) {
	if w == nil {
		return // not a session of sessionChannels: none in New's server
	}
	for {
		select {
		case <-stop:
			return
		case <-w.ready:
			win := w.get()
			p.Send(tea.WindowSizeMsg{Width: win.Width, Height: win.Height})
		}
	}
}

// program builds this session's console: its own renderer (from the
// client's terminal), styles, keymap and window size.
func (s *Server) program(sess ssh.Session, in io.Reader, r *lipgloss.Renderer) *tea.Program {
	who := analystOf(sess)
	c := views.NewCommon(s.opts.Backends, s.opts.Keys, views.Session{Ctx: sess.Context(), Renderer: r, Analyst: who,
		Log: s.log.With("analyst", who.Name), Clock: s.opts.Clock})
	newConsole := s.opts.Console
	if newConsole == nil {
		newConsole = func(c *views.Common) tea.Model { return views.New(c) }
	}
	return tea.NewProgram(newConsole(c),
		tea.WithInput(in), tea.WithOutput(sess), tea.WithAltScreen(), tea.WithContext(sess.Context()), tea.WithFPS(30),
		// The server's signals are the server's: SIGTERM is a graceful
		// shutdown (Shutdown), not every console quitting at once.
		tea.WithoutSignalHandler())
}

// renderer is the session's lipgloss renderer: the colours the client's
// TERM and COLORTERM say, at least 256 of them (what wish's middleware
// forced, with the same warning), none for NO_COLOR; and the background the
// terminal tells within colourDeadline, else COLORFGBG or dark.
func (s *Server) renderer(sess ssh.Session, kb *keyboard) *lipgloss.Renderer {
	pty, _, _ := sess.Pty()
	env := environ(sess.Environ())
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
	if pty.Term == "" || pty.Term == "dumb" {
		r.SetColorProfile(termenv.Ascii)
	} else if dark, ok := kb.darkBackground(sess, colourDeadline); ok {
		r.SetHasDarkBackground(dark)
	}
	if r.ColorProfile() > termenv.ANSI256 {
		names := [...]string{"TrueColor", "ANSI256", "ANSI", "Ascii"}
		fmt.Fprintf(sess.Stderr(), "Warning: Client's terminal is %q, forcing %q\r\n", names[r.ColorProfile()], names[termenv.ANSI256])
		r.SetColorProfile(termenv.ANSI256)
	}
	if ui.NoColor(sess.Environ()) {
		ui.Plain(r)
	}
	return r
}

// environ is the session's environment for termenv.
type environ []string

func (e environ) Environ() []string { return e }

func (e environ) Getenv(k string) string {
	for _, kv := range e {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v
		}
	}
	return ""
}

// keyboard is a session's input, read on its own goroutine, so that a
// question to the terminal can give up at a deadline without a read left
// blocked: whatever the question did not take is the console's.
type keyboard struct {
	chunks  chan []byte // closed at the end of input
	done    <-chan struct{}
	pending []byte
	eof     bool
}

func newKeyboard(done <-chan struct{}, r io.Reader) *keyboard {
	k := &keyboard{chunks: make(chan []byte, 4), done: done}
	go func() {
		defer close(k.chunks)
		for {
			buf := make([]byte, 1024)
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case k.chunks <- buf[:n]:
				case <-done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return k
}

// Read is the console's input: io.EOF at the end of the input or of the
// session.
func (k *keyboard) Read(p []byte) (int, error) {
	for len(k.pending) == 0 {
		if k.eof {
			return 0, io.EOF
		}
		select {
		case c, ok := <-k.chunks:
			k.pending, k.eof = c, !ok
		case <-k.done:
			return 0, io.EOF
		}
	}
	n := copy(p, k.pending)
	k.pending = k.pending[n:]
	return n, nil
}

// darkBackground asks the terminal for its background colour (OSC 11) and
// then its device attributes (DA1), which every terminal answers, so a
// terminal that ignores the first question ends the wait too. It waits at
// most timeout and gives every other byte it read back to the console.
func (k *keyboard) darkBackground(w io.Writer, timeout time.Duration) (dark, ok bool) {
	if _, err := io.WriteString(w, ansi.RequestBackgroundColor+ansi.RequestPrimaryDeviceAttributes); err != nil {
		return false, false
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var got []byte
wait:
	for !k.eof && len(got) < 4096 {
		if _, answered := cutDA1(got); answered {
			break
		}
		select {
		case c, open := <-k.chunks:
			got, k.eof = append(got, c...), !open
		case <-deadline.C:
			break wait
		case <-k.done:
			break wait
		}
	}
	got, _ = cutDA1(got)
	got, bg := cutOSC11(got)
	k.pending = append(got, k.pending...)
	if bg == nil {
		return false, false
	}
	r, g, b, _ := bg.RGBA()
	// Light or dark by HSL lightness, as wish's middleware decides.
	return (max(r, g, b)+min(r, g, b))/2 < 0x8000, true
}

// cutDA1 returns b without its answer to DA1 (ESC [ ? digits and
// semicolons c), and whether there was one. b is left as it was.
func cutDA1(b []byte) ([]byte, bool) {
	i := bytes.Index(b, []byte("\x1b[?"))
	if i < 0 {
		return b, false
	}
	j := i + 3
	for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == ';') {
		j++
	}
	if j == len(b) || b[j] != 'c' {
		return b, false
	}
	return append(b[:i:i], b[j+1:]...), true
}

// cutOSC11 removes the answer to OSC 11, ESC ] 11 ; colour, ended by BEL
// or ST, from b and returns the colour.
func cutOSC11(b []byte) ([]byte, color.Color) {
	i := bytes.Index(b, []byte("\x1b]11;"))
	if i < 0 {
		return b, nil
	}
	rest := b[i+5:]
	end, n := bytes.IndexByte(rest, '\a'), 1
	if st := bytes.Index(rest, []byte("\x1b\\")); st >= 0 && (end < 0 || st < end) {
		end, n = st, 2
	}
	if end < 0 {
		return b, nil
	}
	c := ansi.XParseColor(string(rest[:end]))
	return append(b[:i:i], rest[end+n:]...), c
}
