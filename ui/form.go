package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Form is a few labelled one-line fields and, under them, checks (the
// providers to create a person in). tab, shift+tab and the arrow keys move;
// space toggles a check; enter moves on and submits from the last item;
// ctrl+s submits from anywhere; esc cancels, and the form keeps what was
// typed so it can be shown again.
type Form struct {
	Title  string
	Note   string // a muted line under the title
	Checks []Check
	fields []formField
	focus  int // over the fields, then the checks
	st     *Styles
}

type formField struct {
	label    string
	in       textinput.Model
	readOnly bool
}

// NewForm starts an empty form.
func NewForm(st *Styles, title string) *Form { return &Form{Title: title, st: st} }

// Field adds a field holding value. A read-only field shows its value and
// is skipped by the cursor.
func (f *Form) Field(label, value, placeholder string, readOnly bool) *Form {
	in := textinput.New()
	in.Prompt = ""
	in.TextStyle = f.st.Input
	in.PlaceholderStyle = f.st.Muted
	in.Cursor.Style = f.st.Key
	in.Placeholder = placeholder
	in.CharLimit = 256
	in.SetValue(value)
	in.CursorEnd()
	f.fields = append(f.fields, formField{label: label, in: in, readOnly: readOnly})
	if len(f.fields) == 1 || f.fields[f.focus].readOnly {
		f.focusOn(f.next(-1, 1))
	}
	return f
}

// Value is the text of field i.
func (f *Form) Value(i int) string { return strings.TrimSpace(f.fields[i].in.Value()) }

// Focus puts the cursor on item i (fields first, then checks), as when a
// failed form reopens on the field to fix.
func (f *Form) Focus(i int) { f.focusOn(i) }

func (f *Form) items() int { return len(f.fields) + len(f.Checks) }

// next is the item after i in direction dir that can take the cursor.
func (f *Form) next(i, dir int) int {
	for j := i + dir; j >= 0 && j < f.items(); j += dir {
		if j >= len(f.fields) || !f.fields[j].readOnly {
			return j
		}
	}
	return i
}

func (f *Form) focusOn(i int) {
	if i < 0 || i >= f.items() {
		return
	}
	for j := range f.fields {
		f.fields[j].in.Blur()
	}
	f.focus = i
	if i < len(f.fields) {
		f.fields[i].in.Focus()
	}
}

// Update handles a message.
func (f *Form) Update(msg tea.Msg) (Outcome, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		if f.focus < len(f.fields) {
			var cmd tea.Cmd
			f.fields[f.focus].in, cmd = f.fields[f.focus].in.Update(msg)
			return Editing, cmd
		}
		return Editing, nil
	}
	onCheck := f.focus >= len(f.fields)
	switch k := km.String(); {
	case k == "esc":
		return Cancelled, nil
	case k == "ctrl+s":
		return Submitted, nil
	case k == "enter":
		if n := f.next(f.focus, 1); n != f.focus {
			f.focusOn(n)
			return Editing, nil
		}
		return Submitted, nil
	case k == "tab" || k == "down":
		f.focusOn(f.next(f.focus, 1))
		return Editing, nil
	case k == "shift+tab" || k == "up":
		f.focusOn(f.next(f.focus, -1))
		return Editing, nil
	case onCheck && k == " ":
		c := &f.Checks[f.focus-len(f.fields)]
		c.On = !c.On
		return Editing, nil
	case onCheck:
		return Editing, nil
	}
	var cmd tea.Cmd
	f.fields[f.focus].in, cmd = f.fields[f.focus].in.Update(msg)
	return Editing, cmd
}

// View draws the form in a box w cells wide.
func (f *Form) View(w int) string {
	inner := min(max(w-4, 30), 90)
	const lw = 14
	var b strings.Builder
	b.WriteString(f.st.BoxTitle.Render(f.Title))
	if f.Note != "" {
		b.WriteString("\n" + f.st.Muted.Render(Fit(f.Note, inner-2)))
	}
	b.WriteString("\n")
	for i := range f.fields {
		fl := &f.fields[i]
		mark := "  "
		if i == f.focus {
			mark = f.st.Key.Render("›") + " "
		}
		b.WriteString("\n" + mark + f.st.Label.Render(Fit(fl.label, lw)) + " ")
		if fl.readOnly {
			b.WriteString(f.st.Muted.Render(Fit(fl.in.Value(), inner-lw-5)))
			continue
		}
		fl.in.Width = inner - lw - 6
		b.WriteString(fl.in.View())
	}
	if len(f.Checks) > 0 {
		b.WriteString("\n")
		for i, c := range f.Checks {
			b.WriteString("\n" + checkLine(f.st, c, f.focus == len(f.fields)+i, inner-2))
		}
	}
	b.WriteString("\n\n" + f.st.Muted.Render("tab/↑↓ move · space toggles · enter next · ctrl+s submit · esc close (kept)"))
	return f.st.Box.Width(inner).Render(b.String())
}
