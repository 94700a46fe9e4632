package okta

import (
	"net/http"
	"strings"
)

// NextLink returns the target of the rel="next" link among a response's
// Link headers (RFC 8288), exactly as the server wrote it, or "" when there
// is none. Okta pages every list this way; the URL is an opaque cursor and
// is followed verbatim.
func NextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		if u, ok := nextIn(v); ok {
			return u
		}
	}
	return ""
}

// nextIn scans one header value: `<url>; rel="next", <url>; rel="self"`.
// A URL may itself hold commas and semicolons, so it is read to its '>'.
func nextIn(v string) (string, bool) {
	for {
		start := strings.IndexByte(v, '<')
		if start < 0 {
			return "", false
		}
		end := strings.IndexByte(v[start:], '>')
		if end < 0 {
			return "", false
		}
		target := strings.TrimSpace(v[start+1 : start+end])
		v = v[start+end+1:]
		params, rest := splitParams(v)
		v = rest
		if isNext(params) && target != "" && !strings.Contains(target, "<") {
			return target, true
		}
	}
}

// splitParams takes the "; name=value" parameters of one link, up to the
// comma that starts the next link (commas inside quotes do not count).
func splitParams(v string) (params, rest string) {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			return v[:i], v[i+1:]
		case c == '<' && !quoted:
			return v[:i], v[i:] // a missing comma: the next link starts here
		}
	}
	return v, ""
}

// isNext reports whether the parameters hold rel="next"; rel may list
// several space-separated relation types, in any case.
func isNext(params string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		for _, rel := range strings.Fields(value) {
			if strings.EqualFold(rel, "next") {
				return true
			}
		}
	}
	return false
}
