package itm_test

import (
	"encoding/json"
	"strings"
	"testing"

	"triage/backend/clean"
	"triage/backend/itm"
)

// FuzzTicketDecode feeds arbitrary bytes to the ticket model: decoding may
// fail, but never panic, and what decodes is terminal-safe once cleaned.
func FuzzTicketDecode(f *testing.F) {
	f.Add([]byte(vendorTicket))
	f.Add([]byte(`{"_status":{"status":"400","code":"x"},"incident":{"severity":7,"status":null}}`))
	f.Add([]byte(`{"messages":[{"subject":"\u001b]52;c;x\u0007"}],"event":{"observedAt":1735787045123}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tk itm.Ticket
		if json.Unmarshal(data, &tk) != nil {
			return
		}
		clean.Value(&tk)
		_ = itm.ParseSeverity(string(tk.Incident.Severity))
		_ = itm.StatusName(string(tk.Incident.Status))
		for _, s := range []string{tk.Subject(), tk.Person(), tk.Assignee(), string(tk.Incident.Name)} {
			if strings.ContainsAny(s, "\x1b\x07\r\u009b") {
				t.Fatalf("control survived cleaning: %q", s)
			}
		}
	})
}
