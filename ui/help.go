package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// HelpGroup is a titled set of bindings.
type HelpGroup struct {
	Title    string
	Bindings []key.Binding
}

// HelpView draws the full help from the live keymap, in as many columns as
// fit. Disabled bindings (writes for a read-only analyst) are struck out.
func HelpView(st *Styles, groups []HelpGroup, width int) string {
	const colWidth, keyWidth = 38, 12
	descWidth := colWidth - keyWidth - 2 // a space after the key, one before the next column
	var blocks []string
	for _, g := range groups {
		var b strings.Builder
		b.WriteString(st.Section.Render(g.Title))
		for _, k := range g.Bindings {
			h := k.Help()
			if h.Key == "" {
				continue
			}
			desc := h.Desc
			if !k.Enabled() {
				desc += " (read-only)"
			}
			// A long description wraps under itself, keeping its column.
			for i, line := range Wrap(desc, descWidth) {
				keyText := strings.Repeat(" ", keyWidth)
				if i == 0 {
					keyText = st.Key.Render(Fit(h.Key, keyWidth))
				}
				if !k.Enabled() {
					line = st.Disabled.Render(line)
				}
				b.WriteString("\n" + keyText + " " + line)
			}
		}
		blocks = append(blocks, b.String())
	}
	cols := max(width/colWidth, 1)
	var rows []string
	for i := 0; i < len(blocks); i += cols {
		end := min(i+cols, len(blocks))
		row := make([]string, 0, cols)
		for _, bl := range blocks[i:end] {
			row = append(row, st.R.NewStyle().Width(colWidth).Render(bl))
		}
		rows = append(rows, joinHorizontal(row))
	}
	return strings.Join(rows, "\n\n")
}

func joinHorizontal(blocks []string) string {
	split := make([][]string, len(blocks))
	height := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		height = max(height, len(split[i]))
	}
	var out strings.Builder
	for line := 0; line < height; line++ {
		if line > 0 {
			out.WriteByte('\n')
		}
		for i, s := range split {
			if line < len(s) {
				out.WriteString(s[line])
			} else if i < len(split)-1 {
				out.WriteString(strings.Repeat(" ", 38))
			}
		}
	}
	return out.String()
}
