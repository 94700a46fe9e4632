package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Outcome says how a form ended.
type Outcome int

// Form outcomes.
const (
	Editing Outcome = iota
	Submitted
	Cancelled
)

// Editor is a multi-line text editor for comments: ctrl+s submits; esc,
// and ctrl+c (which quits elsewhere), close it and keep the text as a
// draft.
type Editor struct {
	Title string
	Note  string // a line under the title (the ticket it is about)
	st    *Styles
	ta    textarea.Model
}

// NewEditor opens an editor holding draft.
func NewEditor(st *Styles, title, draft string) *Editor {
	ta := textarea.New()
	ta.Placeholder = "Write the comment. ctrl+s sends it; esc or ctrl+c closes and keeps it as a draft."
	ta.ShowLineNumbers = false
	ta.CharLimit = 20000
	ta.MaxHeight = 0
	focused, blurred := textarea.DefaultStyles()
	focused.Base = st.R.NewStyle()
	focused.CursorLine = st.R.NewStyle()
	focused.Placeholder = st.Muted
	focused.Text = st.Input
	focused.Prompt = st.Muted
	focused.EndOfBuffer = st.Muted
	blurred = focused
	ta.FocusedStyle, ta.BlurredStyle = focused, blurred
	ta.Cursor.Style = st.Key
	ta.SetValue(draft)
	ta.Focus()
	return &Editor{Title: title, st: st, ta: ta}
}

// Value is the text typed so far.
func (e *Editor) Value() string { return e.ta.Value() }

// Update handles a message.
func (e *Editor) Update(msg tea.Msg) (Outcome, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch km.String() {
		case "ctrl+s":
			if strings.TrimSpace(e.ta.Value()) == "" {
				return Editing, nil
			}
			return Submitted, nil
		case "esc", "ctrl+c":
			return Cancelled, nil
		}
	}
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	return Editing, cmd
}

// View draws the editor w by h cells.
func (e *Editor) View(w, h int) string {
	inner := max(w-4, 20)
	e.ta.SetWidth(inner)
	e.ta.SetHeight(max(h-6, 3))
	head := e.st.BoxTitle.Render(e.Title)
	if e.Note != "" {
		head += "\n" + e.st.Muted.Render(Fit(e.Note, inner))
	}
	foot := e.st.Muted.Render("ctrl+s send · esc or ctrl+c close, keep the draft")
	return e.st.Box.Width(inner).Render(head + "\n" + e.ta.View() + "\n" + foot)
}

// Prompt is a one-line input; enter submits, esc cancels.
type Prompt struct {
	Title string
	Help  string
	st    *Styles
	in    textinput.Model
}

// NewPrompt opens a prompt holding value.
func NewPrompt(st *Styles, title, value, placeholder string) *Prompt {
	in := textinput.New()
	in.Prompt = "› "
	in.PromptStyle = st.Key
	in.TextStyle = st.Input
	in.PlaceholderStyle = st.Muted
	in.Cursor.Style = st.Key
	in.Placeholder = placeholder
	in.SetValue(value)
	in.CursorEnd()
	in.Focus()
	return &Prompt{Title: title, st: st, in: in}
}

// Value is the text typed.
func (p *Prompt) Value() string { return p.in.Value() }

// Update handles a message.
func (p *Prompt) Update(msg tea.Msg) (Outcome, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch km.String() {
		case "enter":
			return Submitted, nil
		case "esc":
			return Cancelled, nil
		}
	}
	var cmd tea.Cmd
	p.in, cmd = p.in.Update(msg)
	return Editing, cmd
}

// Inline draws the prompt as one line (the filter bar).
func (p *Prompt) Inline(w int) string {
	p.in.Width = max(w-len(p.Title)-4, 10)
	return p.st.Key.Render(p.Title) + " " + p.in.View()
}

// View draws the prompt in a box.
func (p *Prompt) View(w int) string {
	inner := max(w-4, 20)
	p.in.Width = inner - 3
	body := p.st.BoxTitle.Render(p.Title) + "\n" + p.in.View()
	if p.Help != "" {
		body += "\n" + p.st.Muted.Render(p.Help)
	}
	return p.st.Box.Width(inner).Render(body)
}

// Confirm asks y/N; anything but y (or Y) is no, except the key of its
// Option, which flips the option instead, and, when it has Checks, space
// and the arrow keys, which choose what y acts on.
type Confirm struct {
	Title  string
	Lines  []string
	Yes    string // what y does, e.g. "close 3 incidents"
	Option *Option
	// Checks are the things y acts on (the providers to disable a person
	// in): space toggles the one under the cursor, ↑/↓ (or k/j) move.
	Checks []Check
	cursor int
	st     *Styles
}

// Option is a yes/no setting shown in a confirmation, flipped by its key.
type Option struct {
	Key   string // e.g. "i"
	Label string
	On    bool
}

// Check is one item of a checklist.
type Check struct {
	Label string
	Note  string // shown muted after the label
	On    bool
}

// NewConfirm builds a confirmation.
func NewConfirm(st *Styles, title, yes string, lines ...string) *Confirm {
	return &Confirm{Title: title, Lines: lines, Yes: yes, st: st}
}

// Checked is how many checks are on.
func (c *Confirm) Checked() int {
	n := 0
	for _, ch := range c.Checks {
		if ch.On {
			n++
		}
	}
	return n
}

// Update returns Submitted for y, Cancelled for any key it does not use.
// With checks, y needs at least one of them on.
func (c *Confirm) Update(msg tea.Msg) Outcome {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return Editing
	}
	k := km.String()
	switch {
	case k == "y" || k == "Y":
		if len(c.Checks) > 0 && c.Checked() == 0 {
			return Editing
		}
		return Submitted
	case c.Option != nil && k == c.Option.Key:
		c.Option.On = !c.Option.On
		return Editing
	case len(c.Checks) == 0:
		return Cancelled
	case k == " ":
		c.Checks[c.cursor].On = !c.Checks[c.cursor].On
	case k == "down" || k == "j" || k == "tab":
		c.cursor = min(c.cursor+1, len(c.Checks)-1)
	case k == "up" || k == "k" || k == "shift+tab":
		c.cursor = max(c.cursor-1, 0)
	default:
		return Cancelled
	}
	return Editing
}

// View draws the confirmation.
func (c *Confirm) View(w int) string {
	inner := min(max(w-4, 20), 90)
	var b strings.Builder
	b.WriteString(c.st.BoxTitle.Render(c.Title))
	for _, l := range c.Lines {
		b.WriteString("\n")
		b.WriteString(Fit(l, inner-2)) // inside the box's padding
	}
	if len(c.Checks) > 0 {
		b.WriteString("\n")
		for i, ch := range c.Checks {
			b.WriteString("\n")
			b.WriteString(checkLine(c.st, ch, i == c.cursor, inner-2))
		}
	}
	if o := c.Option; o != nil {
		b.WriteString("\n\n")
		b.WriteString(checkBox(o.On) + " " + o.Label + "  " + c.st.Muted.Render("("+o.Key+" toggles)"))
	}
	b.WriteString("\n\n")
	b.WriteString(c.st.Key.Render("y") + " " + c.Yes + "   " + c.st.Key.Render("N") + " cancel")
	if len(c.Checks) > 0 {
		hint := "   space toggles · ↑↓ move"
		if c.Checked() == 0 {
			hint = "   nothing selected: space selects"
		}
		b.WriteString(c.st.Muted.Render(hint))
	}
	return c.st.Box.Width(inner).Render(b.String())
}

func checkBox(on bool) string {
	if on {
		return "[x]"
	}
	return "[ ]"
}

// checkLine draws a check, with "›" at the cursor.
func checkLine(st *Styles, ch Check, at bool, w int) string {
	mark := "  "
	if at {
		mark = st.Key.Render("›") + " "
	}
	line := checkBox(ch.On) + " " + ch.Label
	if ch.Note != "" {
		line += "  " + st.Muted.Render(ch.Note)
	}
	return mark + Fit(line, w-2)
}

// Center places a box in the middle of a w by h area.
func Center(st *Styles, w, h int, box string) string {
	return st.R.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}
