package okta

import (
	"net/http"
	"strings"
	"testing"
)

func TestNextLink(t *testing.T) {
	cases := []struct {
		name   string
		values []string
		want   string
	}{
		{"okta's two links in one header",
			[]string{`<https://acme.okta.com/api/v1/logs?limit=1000&since=2026-11-24T12%3A00%3A00.000Z>; rel="self", <https://acme.okta.com/api/v1/logs?after=1700%3Ax&limit=1000>; rel="next"`},
			"https://acme.okta.com/api/v1/logs?after=1700%3Ax&limit=1000"},
		{"one link per header, next second",
			[]string{`<https://a.okta.com/api/v1/apps?limit=2>; rel="self"`, `<https://a.okta.com/api/v1/apps?after=0oa2&limit=2>; rel="next"`},
			"https://a.okta.com/api/v1/apps?after=0oa2&limit=2"},
		{"unquoted rel and odd spacing", []string{` <https://x/y?after=1> ;rel=next`}, "https://x/y?after=1"},
		{"several relation types", []string{`<https://x/n>; rel="prev next"`}, "https://x/n"},
		{"upper-case REL and NEXT", []string{`<https://x/n>; REL="NEXT"`}, "https://x/n"},
		{"commas and semicolons inside the URL", []string{`<https://x/y?filter=a,b;c&after=2>; rel="next"`}, "https://x/y?filter=a,b;c&after=2"},
		{"a quoted comma in another parameter", []string{`<https://x/self>; rel="self"; title="a, b", <https://x/next>; rel="next"`}, "https://x/next"},
		{"only self: the last page", []string{`<https://x/self>; rel="self"`}, ""},
		{"no header", nil, ""},
		{"garbage", []string{`rel="next"`, `<unterminated; rel="next"`}, ""},
		{"empty target", []string{`<>; rel="next"`}, ""},
	}
	for _, c := range cases {
		h := http.Header{}
		for _, v := range c.values {
			h.Add("Link", v)
		}
		if got := NextLink(h); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzNextLink: any header value parses without panicking, and a link found
// is text of the input, untouched, that held no angle bracket.
func FuzzNextLink(f *testing.F) {
	for _, seed := range []string{
		`<https://acme.okta.com/api/v1/logs?after=1>; rel="next"`,
		`<https://x/self>; rel="self", <https://x/next>; rel="next"`,
		`<a>; rel="self"; title="x, <b>; rel=next", <c>; rel=next`,
		`<<>>; rel=next`, `;;;,,,<`, `<x>; rel="next\"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := NextLink(http.Header{"Link": {v}})
		if got != "" && (!strings.Contains(v, got) || strings.ContainsAny(got, "<>")) {
			t.Fatalf("NextLink(%q) = %q, which is not a link target of the input", v, got)
		}
	})
}
