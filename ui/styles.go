// Package ui is triage's toolkit: theme and styles, the keymap, the
// windowed table, detail pane, editor, prompt, picker, confirm, status line
// and help. It knows nothing about vendors.
package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Tone is the meaning of a cell's colour, so views say "critical" and the
// theme decides what that looks like.
type Tone uint8

// Tones.
const (
	ToneNone Tone = iota
	ToneCritical
	ToneHigh
	ToneMedium
	ToneLow
	ToneGood
	ToneBad
	ToneMuted
	ToneAccent
	toneCount
)

// Styles are built once per session from that session's renderer, never
// from lipgloss's global one, so each SSH client gets its own colours.
type Styles struct {
	R *lipgloss.Renderer
	// Plain is a renderer that draws no colour and no attribute (NO_COLOR,
	// a dumb terminal): what colour alone marks, the cursor row and the
	// active tab, gets a mark in the text instead.
	Plain bool

	App        lipgloss.Style
	Title      lipgloss.Style
	Badge      lipgloss.Style
	Warn       lipgloss.Style
	TabActive  lipgloss.Style
	TabIdle    lipgloss.Style
	TabBar     lipgloss.Style
	Header     lipgloss.Style // table header row
	Selected   lipgloss.Style // the row under the cursor
	Marked     lipgloss.Style
	Muted      lipgloss.Style
	Bold       lipgloss.Style
	Label      lipgloss.Style // field names in detail panes
	Section    lipgloss.Style // section headings in detail panes
	Error      lipgloss.Style
	Toast      lipgloss.Style
	Spinner    lipgloss.Style
	StatusBar  lipgloss.Style
	Box        lipgloss.Style // modal frame
	BoxTitle   lipgloss.Style
	Key        lipgloss.Style // key names in help
	Disabled   lipgloss.Style
	Input      lipgloss.Style
	tones      [toneCount]lipgloss.Style
	tonePrefix [toneCount]string
	toneSuffix [toneCount]string
}

// palette holds a theme's colours.
type palette struct {
	fg, muted, accent, accentFg, border, selBg, selFg          lipgloss.TerminalColor
	critical, high, medium, low, good, bad, warnBg, errFg, tab lipgloss.TerminalColor
}

func adaptive(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

func pick(theme string, light, dark string) lipgloss.TerminalColor {
	switch theme {
	case "dark":
		return lipgloss.Color(dark)
	case "light":
		return lipgloss.Color(light)
	}
	return adaptive(light, dark)
}

func newPalette(theme string) palette {
	c := func(light, dark string) lipgloss.TerminalColor { return pick(theme, light, dark) }
	return palette{
		fg: c("#1f2328", "#e6edf3"), muted: c("#6e7781", "#8b949e"), accent: c("#0969da", "#58a6ff"),
		accentFg: c("#ffffff", "#0d1117"), border: c("#d0d7de", "#30363d"),
		selBg: c("#ddf4ff", "#1f3a5f"), selFg: c("#0a3069", "#ffffff"),
		critical: c("#a40e26", "#ff7b72"), high: c("#bc4c00", "#ffa657"), medium: c("#7d4e00", "#e3b341"),
		low: c("#1a7f37", "#7ee787"), good: c("#1a7f37", "#3fb950"), bad: c("#cf222e", "#f85149"),
		warnBg: c("#fff8c5", "#3d2e00"), errFg: c("#cf222e", "#ff7b72"), tab: c("#57606a", "#8b949e"),
	}
}

// NewStyles builds the styles for theme ("auto", "dark" or "light") on r.
// The caller sets the renderer's colour profile (Ascii for NO_COLOR).
func NewStyles(r *lipgloss.Renderer, theme string) *Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	p := newPalette(theme)
	s := &Styles{R: r, Plain: r.ColorProfile() == termenv.Ascii}
	n := r.NewStyle
	s.App = n()
	s.Title = n().Bold(true).Foreground(p.accent)
	s.Badge = n().Bold(true).Foreground(p.accentFg).Background(p.accent).Padding(0, 1)
	s.Warn = n().Bold(true).Foreground(p.bad).Background(p.warnBg).Padding(0, 1)
	s.TabActive = n().Bold(true).Foreground(p.accentFg).Background(p.accent).Padding(0, 1)
	s.TabIdle = n().Foreground(p.tab).Padding(0, 1)
	s.TabBar = n().BorderStyle(lipgloss.NormalBorder()).BorderBottom(true).BorderForeground(p.border)
	s.Header = n().Bold(true).Foreground(p.muted)
	s.Selected = n().Foreground(p.selFg).Background(p.selBg).Bold(true)
	s.Marked = n().Foreground(p.accent).Bold(true)
	s.Muted = n().Foreground(p.muted)
	s.Bold = n().Bold(true)
	s.Label = n().Foreground(p.muted)
	s.Section = n().Bold(true).Foreground(p.accent)
	s.Error = n().Foreground(p.errFg).Bold(true)
	s.Toast = n().Foreground(p.good)
	s.Spinner = n().Foreground(p.accent)
	s.StatusBar = n()
	s.Box = n().Border(lipgloss.RoundedBorder()).BorderForeground(p.accent).Padding(0, 1)
	s.BoxTitle = n().Bold(true).Foreground(p.accent)
	s.Key = n().Bold(true).Foreground(p.accent)
	s.Disabled = n().Foreground(p.muted).Strikethrough(true)
	s.Input = n().Foreground(p.fg)
	if s.Plain {
		// The same width as a padded tab: " 1 ITM " idle, "[1 ITM]" active.
		s.TabActive = n().Transform(func(label string) string { return "[" + label + "]" })
	}
	s.tones[ToneCritical] = n().Foreground(p.critical).Bold(true)
	s.tones[ToneHigh] = n().Foreground(p.high)
	s.tones[ToneMedium] = n().Foreground(p.medium)
	s.tones[ToneLow] = n().Foreground(p.low)
	s.tones[ToneGood] = n().Foreground(p.good)
	s.tones[ToneBad] = n().Foreground(p.bad)
	s.tones[ToneMuted] = n().Foreground(p.muted)
	s.tones[ToneAccent] = n().Foreground(p.accent)
	// Rendering a style per cell is the expensive part of drawing a table:
	// take each tone's opening and closing sequences once and reuse them.
	for t := Tone(1); t < toneCount; t++ {
		out := s.tones[t].Render("\x00")
		if pre, suf, ok := strings.Cut(out, "\x00"); ok {
			s.tonePrefix[t], s.toneSuffix[t] = pre, suf
		}
	}
	return s
}

// Tone renders text in a tone.
func (s *Styles) Tone(t Tone, text string) string {
	if t == ToneNone || s.tonePrefix[t] == "" {
		return text
	}
	return s.tonePrefix[t] + text + s.toneSuffix[t]
}

// NoColor reports whether an environment (os.Environ() locally, the SSH
// session's environment when served) asks for no colour: NO_COLOR set and
// not empty, per no-color.org.
func NoColor(env []string) bool {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			return true
		}
	}
	return false
}

// Plain makes r render without colour.
func Plain(r *lipgloss.Renderer) { r.SetColorProfile(termenv.Ascii) }
