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
type Status struct {
	st      *Styles
	spin    spinner.Model
	err     string
	errAt   time.Time
	toast   string
	toastAt time.Time
	now     func() time.Time
}

// How long notes stay. Errors stay until the next key after ErrorHold.
const (
	ToastHold = 4 * time.Second
	ErrorHold = 2 * time.Second
)

// NewStatus builds a status line.
func NewStatus(st *Styles) *Status {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	sp.Style = st.Spinner
	return &Status{st: st, spin: sp, now: time.Now}
}

// Error shows err, on one line.
func (s *Status) Error(err error) {
	msg := err.Error()
	var unwrapped interface{ Unwrap() []error }
	if errors.As(err, &unwrapped) {
		msg = strings.ReplaceAll(msg, "\n", "; ")
	}
	s.err, s.errAt = clean.Line(msg), s.now()
	s.toast = ""
}

// Note shows a short success message.
// A note is newer news than any error on the line, so it replaces it.
func (s *Status) Note(text string) {
	s.toast, s.toastAt = clean.Line(text), s.now()
	s.err = ""
}

// Key clears an error the analyst has had time to read.
func (s *Status) Key() {
	if s.err != "" && s.now().Sub(s.errAt) > ErrorHold {
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
	case s.toast != "" && s.now().Sub(s.toastAt) < ToastHold:
		left = s.st.Toast.Render("✓ " + s.toast)
	}
	if s.err != "" {
		info = "" // an error gets the whole line
	}
	right := s.st.Muted.Render(info)
	space := width - ansi.StringWidth(right) - 1
	if ansi.StringWidth(left) > space {
		left = ansi.Truncate(left, max(space, 0), "…")
	}
	gap := max(width-ansi.StringWidth(left)-ansi.StringWidth(right), 1)
	return left + strings.Repeat(" ", gap) + right
}
