package ui

import (
	"os"
	"os/exec"
	"runtime"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Open shows a vendor console page: in the browser when the console runs
// on the analyst's own desktop, otherwise (over SSH, on a server without a
// display) by copying the URL over OSC 52 and printing it on the status
// line. Only URLs the console built itself, or that pass CopyableURL, are
// opened.
func Open(r *lipgloss.Renderer, local bool, what, url string) tea.Cmd {
	if !CopyableURL(url) {
		return Failf("%s: no web link to open", what)
	}
	if local {
		if name, args, ok := browser(url); ok {
			return func() tea.Msg {
				if err := exec.Command(name, args...).Start(); err == nil {
					return ToastMsg{Text: "Opened " + what + " in the browser"}
				}
				r.Output().Copy(url)
				return ToastMsg{Text: "No browser started; " + what + " copied: " + url}
			}
		}
	}
	return func() tea.Msg {
		r.Output().Copy(url)
		return ToastMsg{Text: what + " (copied): " + url}
	}
}

// browser is the command that opens a URL on this desktop, if there is one.
func browser(url string) (string, []string, bool) {
	switch runtime.GOOS {
	case "darwin":
		return "open", []string{url}, true
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}, true
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return "", nil, false
	}
	if _, err := exec.LookPath("xdg-open"); err != nil {
		return "", nil, false
	}
	return "xdg-open", []string{url}, true
}
