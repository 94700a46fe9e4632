package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// Modal is a form over a tab: while it is open it gets every message of
// the tab, and it says when it is done. A tab has one modal slot; what the
// form does with its answer is the function it was opened with.
type Modal interface {
	// Update handles a message; done closes the modal.
	Update(msg tea.Msg) (done bool, cmd tea.Cmd)
	// View draws the form centred in w×h.
	View(w, h int) string
}

// EditorModal opens e: ctrl+s gives its text to send, esc to keep (a
// draft), either of which may be nil.
func EditorModal(st *Styles, e *Editor, send, keep func(text string) tea.Cmd) Modal {
	return &editorModal{st, e, send, keep}
}

type editorModal struct {
	st         *Styles
	e          *Editor
	send, keep func(string) tea.Cmd
}

func (m *editorModal) Update(msg tea.Msg) (bool, tea.Cmd) {
	out, cmd := m.e.Update(msg)
	switch {
	case out == Submitted && m.send != nil:
		return true, m.send(m.e.Value())
	case out == Cancelled && m.keep != nil:
		return true, m.keep(m.e.Value())
	}
	return out != Editing, cmd
}

func (m *editorModal) View(w, h int) string {
	return Center(m.st, w, h, m.e.View(min(w, 100), min(h, 24)))
}

// PickerModal opens p: a choice goes to pick; esc closes it.
func PickerModal(st *Styles, p *Picker, pick func(Item) tea.Cmd) Modal {
	return &pickerModal{st, p, pick}
}

type pickerModal struct {
	st   *Styles
	p    *Picker
	pick func(Item) tea.Cmd
}

func (m *pickerModal) Update(msg tea.Msg) (bool, tea.Cmd) {
	res, cmd := m.p.Update(msg)
	switch {
	case res.Cancelled:
		return true, nil
	case res.Done:
		return true, m.pick(res.Item)
	}
	return false, cmd
}

func (m *pickerModal) View(w, h int) string { return Center(m.st, w, h, m.p.View(min(w, 80))) }

// PromptModal opens p: enter gives its text to submit, which keeps the
// prompt open, its error on the status line, when the text is refused.
func PromptModal(st *Styles, p *Prompt, submit func(text string) (tea.Cmd, error)) Modal {
	return &promptModal{st, p, submit}
}

type promptModal struct {
	st     *Styles
	p      *Prompt
	submit func(string) (tea.Cmd, error)
}

func (m *promptModal) Update(msg tea.Msg) (bool, tea.Cmd) {
	out, cmd := m.p.Update(msg)
	switch out {
	case Submitted:
		next, err := m.submit(m.p.Value())
		if err != nil {
			return false, Fail(err)
		}
		return true, next
	case Cancelled:
		return true, nil
	}
	return false, cmd
}

func (m *promptModal) View(w, h int) string { return Center(m.st, w, h, m.p.View(min(w, 110))) }

// ConfirmModal opens c: y runs yes, anything else no (either may be nil).
func ConfirmModal(st *Styles, c *Confirm, yes, no func() tea.Cmd) Modal {
	return &confirmModal{st, c, yes, no}
}

type confirmModal struct {
	st      *Styles
	c       *Confirm
	yes, no func() tea.Cmd
}

func (m *confirmModal) Update(msg tea.Msg) (bool, tea.Cmd) {
	switch m.c.Update(msg) {
	case Submitted:
		return true, call(m.yes)
	case Cancelled:
		return true, call(m.no)
	}
	return false, nil
}

func (m *confirmModal) View(w, h int) string { return Center(m.st, w, h, m.c.View(w)) }

// FormModal opens f: ctrl+s (or enter on the last field) gives it to
// submit, which keeps it open, its error on the status line, when refused.
func FormModal(st *Styles, f *Form, width int, submit func(*Form) (tea.Cmd, error)) Modal {
	return &formModal{st: st, f: f, width: width, submit: submit}
}

// KeptFormModal is FormModal whose esc calls keep, which may keep the form
// as a draft to reopen.
func KeptFormModal(st *Styles, f *Form, width int, submit func(*Form) (tea.Cmd, error), keep func() tea.Cmd) Modal {
	return &formModal{st: st, f: f, width: width, submit: submit, keep: keep}
}

type formModal struct {
	st     *Styles
	f      *Form
	width  int
	submit func(*Form) (tea.Cmd, error)
	keep   func() tea.Cmd
}

func (m *formModal) Update(msg tea.Msg) (bool, tea.Cmd) {
	out, cmd := m.f.Update(msg)
	switch out {
	case Submitted:
		next, err := m.submit(m.f)
		if err != nil {
			return false, Fail(err)
		}
		return true, next
	case Cancelled:
		return true, call(m.keep)
	}
	return false, cmd
}

func (m *formModal) View(w, h int) string { return Center(m.st, w, h, m.f.View(min(w, m.width))) }

func call(f func() tea.Cmd) tea.Cmd {
	if f == nil {
		return nil
	}
	return f()
}
