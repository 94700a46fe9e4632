package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"triage/backend/clean"
)

// ErrorMsg puts an error on the status line.
type ErrorMsg struct{ Err error }

// ToastMsg puts a short success note on the status line.
type ToastMsg struct{ Text string }

// Fail returns a command that shows err.
func Fail(err error) tea.Cmd {
	return func() tea.Msg { return ErrorMsg{err} }
}

// Failf returns a command that shows a formatted error.
func Failf(format string, args ...any) tea.Cmd {
	return Fail(fmt.Errorf(format, args...))
}

// Toast returns a command that shows a note.
func Toast(format string, args ...any) tea.Cmd {
	text := fmt.Sprintf(format, args...)
	return func() tea.Msg { return ToastMsg{text} }
}

// Status is the status line: a spinner while something loads, then errors
// and notes. It is the one home of errors: they never cover the content.
// It keeps what it showed, so a line cut to the width can be read whole.
type Status struct {
	st       *Styles
	spin     spinner.Model
	err      string
	errAt    time.Time
	acted    bool // a key came since the error: its answer may replace it
	toast    string
	toastAt  time.Time
	messages []Message
	// More names the key that shows the messages in full; a cut error
	// ends with it.
	More string
	// Now is the session's clock, which says when an error has been up
	// long enough to clear and a note to go; NewStatus sets the wall clock.
	Now func() time.Time
}

// Message is one error or note the status line showed.
type Message struct {
	At    time.Time
	Text  string
	Error bool
}

// keepMessages is how many of the newest messages the status line keeps.
const keepMessages = 200

// How long notes stay. Errors stay until the next key after ErrorHold.
const (
	ToastHold = 4 * time.Second
	ErrorHold = 2 * time.Second
)

// NewStatus builds a status line.
func NewStatus(st *Styles) *Status {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	sp.Style = st.Spinner
	return &Status{st: st, spin: sp, Now: time.Now}
}

// Error shows err, on one line.
func (s *Status) Error(err error) {
	msg := err.Error()
	var unwrapped interface{ Unwrap() []error }
	if errors.As(err, &unwrapped) {
		msg = strings.ReplaceAll(msg, "\n", "; ")
	}
	s.err, s.errAt, s.acted = clean.Line(msg), s.Now(), false
	s.toast = ""
	s.keep(Message{At: s.errAt, Text: s.err, Error: true})
}

func (s *Status) keep(m Message) {
	if len(s.messages) == keepMessages {
		s.messages = append(s.messages[:0], s.messages[1:]...)
	}
	s.messages = append(s.messages, m)
}

// Messages are the errors and notes shown so far, oldest first.
func (s *Status) Messages() []Message { return append([]Message(nil), s.messages...) }

// Note shows a short success message. An error on the line stays over it
// until the analyst acts (Key): a routine note that arrives on its own (a
// refresh, a background load) must not hide a failure nobody has read, and
// is kept in Messages meanwhile; the answer to what they did next replaces
// it.
func (s *Status) Note(text string) {
	s.toast, s.toastAt = clean.Line(text), s.Now()
	if s.acted {
		s.err = ""
	}
	s.keep(Message{At: s.toastAt, Text: s.toast})
}

// Key is the analyst acting: it clears an error they have had time to
// read, and lets the answer to this key replace one that came just now.
func (s *Status) Key() {
	if s.err == "" {
		return
	}
	s.acted = true
	if s.Now().Sub(s.errAt) > ErrorHold {
		s.err = ""
	}
}

// Err is the error shown, if any.
func (s *Status) Err() string { return s.err }

// Spin advances the spinner; it only ticks while something loads.
func (s *Status) Spin(msg spinner.TickMsg) tea.Cmd {
	var cmd tea.Cmd
	s.spin, cmd = s.spin.Update(msg)
	return cmd
}

// Tick starts the spinner.
func (s *Status) Tick() tea.Cmd { return s.spin.Tick }

// View draws the line: left the activity or message, right the info.
func (s *Status) View(width int, busy, info string) string {
	var left string
	switch {
	case s.err != "":
		left = s.st.Error.Render("✗ " + s.err)
	case busy != "":
		left = s.spin.View() + " " + busy
	case s.toast != "" && s.Now().Sub(s.toastAt) < ToastHold:
		left = s.st.Toast.Render("✓ " + s.toast)
	}
	if s.err != "" {
		info = "" // an error gets the whole line
	}
	right := s.st.Muted.Render(info)
	space := width - ansi.StringWidth(right) - 1
	if ansi.StringWidth(left) > space {
		tail := "…"
		if s.err != "" && s.More != "" {
			tail = "… " + s.More
		}
		left = ansi.Truncate(left, max(space-ansi.StringWidth(tail), 0), "") + s.st.Muted.Render(tail)
	}
	gap := max(width-ansi.StringWidth(left)-ansi.StringWidth(right), 1)
	return left + strings.Repeat(" ", gap) + right
}
