package httpx

import (
	"strings"
	"testing"
)

// FuzzVendorMessage: any error body gives a one-line, terminal-safe message.
func FuzzVendorMessage(f *testing.F) {
	f.Add("application/json", []byte(`{"errorCode":"E0000011","errorSummary":"Invalid token","errorCauses":[{"errorSummary":"x"}]}`))
	f.Add("text/html", []byte(`<html><title>502 Bad Gateway</title></html>`))
	f.Add("application/json", []byte(`{"error":{"code":1,"message":"m"},"errors":[{"error_message":"e"}]}`))
	f.Add("text/plain", []byte("\x1b]0;title\x07oops\r\nline two"))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		code, msg := VendorMessage(ctype, body)
		for _, s := range []string{code, msg} {
			if strings.ContainsAny(s, "\n\r\x1b\x07") {
				t.Fatalf("VendorMessage(%q) = %q, %q: not one clean line", body, code, msg)
			}
		}
	})
}
