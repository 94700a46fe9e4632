package ui

import (
	"net/url"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Copy puts text on the analyst's clipboard with OSC 52, written to the
// session's own terminal through its renderer (stdout locally, the SSH
// channel when served). The text travels base64-encoded, so it cannot act on
// the terminal; callers copy only ids and URLs that pass CopyableURL, never
// free vendor text.
func Copy(r *lipgloss.Renderer, what, text string) tea.Cmd {
	return func() tea.Msg {
		r.Output().Copy(text)
		return ToastMsg{Text: "Copied " + what + ": " + text}
	}
}

// CopyableURL reports whether a vendor URL is plainly a web link: http or
// https, a host, and nothing that is not URL text.
func CopyableURL(s string) bool {
	if s == "" || len(s) > 2048 || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}
