package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Item is one choice in a picker.
type Item struct {
	Label  string // what the analyst reads and types to find
	Detail string // shown muted after the label
	Value  string // what is returned
	// Typed is set on the item a picker returns for its "use typed value"
	// offer: the value is the analyst's text, not one of the list's.
	Typed bool
}

// Picked is what a picker ended with.
type Picked struct {
	Done      bool // an item was chosen
	Cancelled bool
	Item      Item
}

// Picker is a list of choices filtered as you type; the arrow keys and
// ctrl+n/ctrl+p move, enter chooses. It returns only its listed items,
// unless Custom is set: then a last row offers the typed text as is (a
// status id or an assignee id the list does not know), and choosing that
// row asks y/N before the picker returns it.
type Picker struct {
	Title  string
	Custom string // label of the "use typed value" offer, e.g. "assignee id"
	// Loading says the items are on their way ("Loading ITM users…"), and
	// Failed why they could not be read; SetItems clears both. Either is
	// shown in place of "no match" while the list is empty.
	Loading, Failed string
	asking          bool // the typed value is being confirmed
	st              *Styles
	items           []Item
	lower           []string
	matches         []int
	cursor          int
	input           textinput.Model
	Height          int
}

// NewPicker builds a picker over items.
func NewPicker(st *Styles, title string, items []Item) *Picker {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = "type to filter"
	in.PromptStyle = st.Key
	in.TextStyle = st.Input
	in.PlaceholderStyle = st.Muted
	in.Cursor.Style = st.Key
	in.Focus()
	p := &Picker{Title: title, st: st, input: in, Height: 10}
	p.SetItems(items)
	return p
}

// SetItems replaces the choices (they may arrive after the picker opened),
// keeping what was typed.
func (p *Picker) SetItems(items []Item) {
	p.items, p.Loading, p.Failed = items, "", ""
	p.lower = make([]string, len(items))
	for i, it := range items {
		p.lower[i] = strings.ToLower(it.Label + " " + it.Detail + " " + it.Value)
	}
	p.refilter()
}

// refilter keeps the items that match what was typed, best first: labels
// that start with it, then labels with a word that starts with it, then the
// rest, so "res" finds "Resolved" before "In progress".
func (p *Picker) refilter() {
	typed := strings.ToLower(strings.TrimSpace(p.input.Value()))
	m := CompileFilter(typed)
	var ranks [3][]int
	for i, l := range p.lower {
		if !m(l) {
			continue
		}
		label := strings.ToLower(p.items[i].Label)
		switch {
		case strings.HasPrefix(label, typed):
			ranks[0] = append(ranks[0], i)
		case wordPrefix(label, typed):
			ranks[1] = append(ranks[1], i)
		default:
			ranks[2] = append(ranks[2], i)
		}
	}
	p.matches = append(append(append(p.matches[:0], ranks[0]...), ranks[1]...), ranks[2]...)
	if p.cursor >= p.choices() {
		p.cursor = max(p.choices()-1, 0)
	}
}

func wordPrefix(label, typed string) bool {
	for _, w := range strings.FieldsFunc(label, func(r rune) bool { return r == ' ' || r == '_' || r == '-' || r == '.' || r == '@' }) {
		if strings.HasPrefix(w, typed) {
			return true
		}
	}
	return false
}

// choices counts the rows: matches plus the custom row.
func (p *Picker) choices() int {
	n := len(p.matches)
	if p.customRow() {
		n++
	}
	return n
}

func (p *Picker) customRow() bool {
	return p.Custom != "" && strings.TrimSpace(p.input.Value()) != ""
}

// Select puts the cursor on the item with value, as when reopening a
// picker whose choice did not go through.
func (p *Picker) Select(value string) {
	for row, i := range p.matches {
		if p.items[i].Value == value {
			p.cursor = row
			return
		}
	}
}

// Typed is the text in the filter.
func (p *Picker) Typed() string { return strings.TrimSpace(p.input.Value()) }

// Update handles a key.
func (p *Picker) Update(msg tea.Msg) (Picked, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return Picked{}, cmd
	}
	if p.asking {
		// y takes the typed value; anything else goes back to the list.
		p.asking = false
		if k := km.String(); k == "y" || k == "Y" {
			return Picked{Done: true, Item: Item{Label: p.Typed(), Value: p.Typed(), Typed: true}}, nil
		}
		return Picked{}, nil
	}
	switch km.String() {
	case "esc", "ctrl+c":
		return Picked{Cancelled: true}, nil
	case "enter":
		if p.cursor < len(p.matches) {
			return Picked{Done: true, Item: p.items[p.matches[p.cursor]]}, nil
		}
		if p.customRow() {
			p.asking = true
		}
		return Picked{}, nil
	case "down", "ctrl+n", "ctrl+j", "tab":
		if p.cursor < p.choices()-1 {
			p.cursor++
		}
		return Picked{}, nil
	case "up", "ctrl+p", "ctrl+k", "shift+tab":
		if p.cursor > 0 {
			p.cursor--
		}
		return Picked{}, nil
	}
	var cmd tea.Cmd
	before := p.input.Value()
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.cursor = 0
		p.refilter()
	}
	return Picked{}, cmd
}

// View draws the picker in a box width cells wide. Every line is cut to
// the box, with "…", so a long item never wraps inside it.
func (p *Picker) View(width int) string {
	inner := max(width-4, 20) // the box's width inside its border
	text := inner - 2         // inside its padding
	var b strings.Builder
	b.WriteString(p.st.BoxTitle.Render(Fit(p.Title, text)))
	b.WriteString("\n")
	p.input.Width = text - 3 // after the prompt "› ", with the cursor's cell
	b.WriteString(p.input.View())
	b.WriteString("\n")
	start := 0
	if p.cursor >= p.Height {
		start = p.cursor - p.Height + 1
	}
	shown := 0
	for row := start; row < p.choices() && shown < p.Height; row++ {
		var line string
		if row < len(p.matches) {
			it := p.items[p.matches[row]]
			line = it.Label
			if it.Detail != "" {
				line += "  " + p.st.Muted.Render(it.Detail)
			}
		} else {
			line = fmt.Sprintf("use typed value %q as the %s (asks first)", p.Typed(), p.Custom)
		}
		line = Fit(line, text-2) // after "› "
		if row == p.cursor {
			line = p.st.Selected.Render("› " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line)
		b.WriteString("\n")
		shown++
	}
	switch {
	case p.asking:
		b.WriteString("\n")
		b.WriteString(Fit(fmt.Sprintf("%q is not in the list. Use it as the %s?", p.Typed(), p.Custom), inner-2))
		b.WriteString("\n")
		b.WriteString(p.st.Key.Render("y") + " use it   " + p.st.Key.Render("N") + " back to the list")
		return p.st.Box.Width(inner).Render(b.String())
	case p.choices() > 0:
	case p.Failed != "":
		b.WriteString(p.st.Error.Render(Fit("  ✗ "+p.Failed, inner-2)))
		b.WriteString("\n")
	case p.Loading != "":
		b.WriteString(p.st.Muted.Render(Fit("  "+p.Loading, inner-2)))
		b.WriteString("\n")
	case len(p.items) == 0:
		b.WriteString(p.st.Muted.Render("  nothing to choose from"))
		b.WriteString("\n")
	default:
		b.WriteString(p.st.Muted.Render("  no match"))
		b.WriteString("\n")
	}
	b.WriteString(p.st.Muted.Render(Fit(p.footer(), text)))
	return p.st.Box.Width(inner).Render(b.String())
}

// footer says how many items match and the keys.
func (p *Picker) footer() string {
	keys := "type filters · ↑↓ ctrl+n ctrl+p move · enter choose · esc cancel"
	if p.Loading != "" || p.Failed != "" || len(p.items) == 0 {
		return keys
	}
	return fmt.Sprintf("%d of %d · %s", len(p.matches), len(p.items), keys)
}
