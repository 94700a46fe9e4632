package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"triage/backend/clean"
)

// Doc builds the text of a detail pane: headed sections of labelled fields
// and wrapped paragraphs, sized to the pane.
type Doc struct {
	st    *Styles
	width int
	b     strings.Builder
}

// NewDoc starts a document width cells wide.
func NewDoc(st *Styles, width int) *Doc { return &Doc{st: st, width: max(width, 20)} }

// Section starts a headed section.
func (d *Doc) Section(title string) *Doc {
	if d.b.Len() > 0 {
		d.b.WriteString("\n")
	}
	d.b.WriteString(d.st.Section.Render(title))
	d.b.WriteString("\n")
	return d
}

// Field writes "label  value", wrapping long values under the value column;
// empty values are skipped.
func (d *Doc) Field(label, value string) *Doc {
	return d.FieldTone(label, value, ToneNone)
}

// FieldTone is Field with the value in a tone.
func (d *Doc) FieldTone(label, value string, tone Tone) *Doc {
	if strings.TrimSpace(value) == "" {
		return d
	}
	const lw = 16
	lines := Wrap(value, d.width-lw-1)
	for i, l := range lines {
		if i == 0 {
			d.b.WriteString(d.st.Label.Render(Fit(label, lw)))
		} else {
			d.b.WriteString(strings.Repeat(" ", lw))
		}
		d.b.WriteString(" ")
		d.b.WriteString(d.st.Tone(tone, l))
		d.b.WriteString("\n")
	}
	return d
}

// Text writes a wrapped paragraph, indented by two.
func (d *Doc) Text(s string) *Doc {
	for _, l := range Wrap(s, d.width-2) {
		d.b.WriteString("  ")
		d.b.WriteString(l)
		d.b.WriteString("\n")
	}
	return d
}

// Muted writes a muted line.
func (d *Doc) Muted(s string) *Doc {
	d.b.WriteString(d.st.Muted.Render(Fit(s, d.width)))
	d.b.WriteString("\n")
	return d
}

// Line writes a line as is.
func (d *Doc) Line(s string) *Doc {
	d.b.WriteString(s)
	d.b.WriteString("\n")
	return d
}

// String is the finished text.
func (d *Doc) String() string { return strings.TrimRight(d.b.String(), "\n") }

// Wrap breaks text into lines of at most w cells, on spaces where it can.
func Wrap(s string, w int) []string {
	w = max(w, 10)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		wrapped := ansi.Wrap(para, w, "")
		out = append(out, strings.Split(wrapped, "\n")...)
	}
	return out
}

// PrettyJSON indents raw vendor JSON for the raw view. Control characters
// inside JSON strings stay escaped (\u001b), and anything else is cleaned.
func PrettyJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return clean.String(string(raw))
	}
	return clean.String(buf.String())
}

// Count writes n with thousands separators: 12,345.
func Count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
