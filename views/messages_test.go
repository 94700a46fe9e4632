package views

import (
	"errors"
	"strings"
	"testing"

	"triage/ui"
)

// An error longer than the status line is cut there, says which key shows
// it whole, and that key shows every message of the session in full.
func TestMessagesShowWhatTheStatusLineCut(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	long := "ITM demo: 503 Service Unavailable: the vendor is in maintenance until " +
		strings.Repeat("later and later ", 8) + "request id req-7f3a END-OF-MESSAGE"
	h.send(ui.ToastMsg{Text: "Comment added to 318f8044"})
	h.send(ui.ErrorMsg{Err: errors.New(long)})
	frame := h.waitUntil("the cut error", func(f string) bool { return strings.Contains(f, "Service Unavailable") })
	status := lines(frame)[len(lines(frame))-1]
	if strings.Contains(status, "END-OF-MESSAGE") || !strings.Contains(status, "… !") {
		t.Fatalf("status line = %q, want the error cut with the key that shows it whole", status)
	}

	h.typeKeys("!")
	frame = h.waitUntil("the messages", func(f string) bool { return strings.Contains(f, "Messages · 2 this session") })
	if !strings.Contains(frame, "END-OF-MESSAGE") || !strings.Contains(frame, "request id") {
		t.Fatalf("the messages do not hold the whole error:\n%s", frame)
	}
	if strings.Index(frame, "Comment added to 318f8044") > strings.Index(frame, "Service Unavailable") {
		t.Fatalf("messages are not oldest first:\n%s", frame)
	}
	h.typeKeys("esc")
	h.waitUntil("the tickets again", func(f string) bool { return !strings.Contains(f, "Messages ·") && strings.Contains(f, "INCIDENT") })
}
