package essentials

import (
	"encoding/json"
	"strings"
	"testing"

	"triage/backend/httpx"
)

// FuzzDecodeEssentials feeds arbitrary bytes to the Essentials decoders: a
// user list (bare or wrapped), sender lists, and an error body. Decoding
// may fail but never panics, and what decodes is terminal-safe.
func FuzzDecodeEssentials(f *testing.F) {
	f.Add([]byte(`{"users":[{"uid":"7","primary_email":"a@b.example","is_active":"false","white_list_senders":["x.example"],"block_list_senders":["\u001b[2Jy.example"]}]}`))
	f.Add([]byte(`[{"primary_email":"a@b.example","isactive":1,"safe_list_senders":[1,null,{"a":1}]},"odd",null]`))
	f.Add([]byte(`{"allow_list":["partner.example",""],"block_list":["evil.example"]}`))
	f.Add([]byte(`{"errors":[{"status":400,"error_message":"bad\r\ninput","identifier":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if users, err := usersFrom(data); err == nil {
			for i := range users {
				u := &users[i]
				texts := append([]string{u.Name(), string(u.PrimaryEmail), string(u.Type)}, append(u.Allowed(), u.Blocked()...)...)
				for _, s := range texts {
					if strings.ContainsAny(s, "\x1b\x07\r\u009b") {
						t.Fatalf("control survived cleaning: %q", s)
					}
				}
				_ = u.Active()
			}
		}
		var s senderLists
		if json.Unmarshal(data, &s) == nil {
			l := s.list()
			_ = l.Has(Block, "x")
		}
		code, msg := httpx.VendorMessage("application/json", data)
		if strings.ContainsAny(code+msg, "\x1b\x07\r\n\u009b") {
			t.Fatalf("control in the error line: %q %q", code, msg)
		}
	})
}
