package atlassian

import (
	"encoding/json"
	"strings"
	"testing"

	"triage/backend/httpx"
)

// FuzzDecodeSCIM feeds arbitrary bytes to the SCIM decoders: as a
// ListResponse of users, as one user, and as a SCIM error body. Decoding may
// fail but never panics, and what decodes is terminal-safe.
func FuzzDecodeSCIM(f *testing.F) {
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,
"Resources":[{"id":"1","userName":"a@b.example","active":"false","emails":[{"value":"a@b.example","primary":true}],
"urn:scim:schemas:extension:atlassian-external:1.0":{"atlassianAccountId":"5f"}}]}`))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"\u001b]52;c;x\u0007bad"}`))
	f.Add([]byte(`{"resources":[1,"x",null,{"displayName":"\u202egnp.exe","name":{"givenName":["x"]}}],"totalResults":"7","startIndex":-4}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var lr listResponse
		if json.Unmarshal(data, &lr) == nil {
			p := pageOf[User](lr)
			_ = p.Next()
			for i := range p.Items {
				u := &p.Items[i]
				for _, s := range []string{u.Email(), u.FullName(), u.DepartmentName(), string(u.UserName), string(u.Title)} {
					if strings.ContainsAny(s, "\x1b\x07\r\u009b\u202e") {
						t.Fatalf("control survived cleaning: %q", s)
					}
				}
				_ = u.IsActive()
			}
			_ = pageOf[Group](lr)
		}
		code, msg := httpx.VendorMessage("application/json", data)
		if strings.ContainsAny(code+msg, "\x1b\x07\r\n\u009b") {
			t.Fatalf("control in the error line: %q %q", code, msg)
		}
	})
}
