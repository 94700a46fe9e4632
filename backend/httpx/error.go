package httpx

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"triage/backend/clean"
)

// Error is the one error type of every vendor call. It names the vendor,
// tenant, request, HTTP status and the vendor's own code and message, so the
// status line can say exactly what went wrong and where.
type Error struct {
	Vendor    string
	Tenant    string
	Method    string
	Path      string // without the query
	Status    int    // 0 when no response arrived
	Code      string // the vendor's error code, e.g. E0000011 or it:error:...
	Message   string // the vendor's own words, cleaned for the terminal
	RequestID string
	Err       error // the transport failure, if any
	// Unknown is set for a write whose answer was lost, or was not the
	// vendor's: the vendor may or may not have applied it, so it must be
	// read back (ReadBack), not resent.
	Unknown bool
	log     *writeLog // the write's audit record, for ReadBack
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Vendor, e.Tenant)
	switch {
	case e.Status > 0:
		fmt.Fprintf(&b, "%d", e.Status)
		if e.Message == "" || e.Message == "empty response" {
			fmt.Fprintf(&b, " %s", http.StatusText(e.Status))
		}
		if e.Code != "" && e.Code != e.Message {
			fmt.Fprintf(&b, " %s", e.Code)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		}
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(describeTransport(e.Err))
	}
	if e.Unknown {
		b.WriteString(unknownNote)
	}
	fmt.Fprintf(&b, " [%s %s", e.Method, e.Path)
	if e.RequestID != "" {
		fmt.Fprintf(&b, ", request %s", e.RequestID)
	}
	b.WriteString("]")
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrReadOnly is wrapped by the error of a write refused for a read-only
// analyst; nothing was sent.
var ErrReadOnly = errors.New("read-only role: nothing was sent")

// StatusOf returns the HTTP status of a vendor error, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// unknownNote ends the text of a write whose answer was lost.
const unknownNote = " (outcome unknown: it may have been applied)"

// Settled is err once reading back has shown that the write did not apply:
// its text no longer says that it may have. It still unwraps to err.
func Settled(err error) error {
	if !IsUnknown(err) {
		return err
	}
	return settled{err}
}

type settled struct{ error }

func (s settled) Error() string { return strings.Replace(s.error.Error(), unknownNote, "", 1) }
func (s settled) Unwrap() error { return s.error }

// IsUnknown reports whether err is a write whose outcome is unknown: not
// one that reading back has settled.
func IsUnknown(err error) bool {
	var s settled
	if errors.As(err, &s) {
		return false
	}
	var e *Error
	return errors.As(err, &e) && e.Unknown
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

func describeTransport(err error) string {
	if errors.Is(err, errAttemptTimeout) {
		return "no answer within the timeout"
	}
	if msg := describeTLS(err); msg != "" {
		return msg
	}
	// *url.Error reads `Get "https://host/path?query": ...`: the request is
	// named at the end of the error already, without its query.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return "connection refused"
	case strings.Contains(msg, "connection reset"):
		return "connection reset by the server"
	case strings.Contains(msg, "no such host"):
		return "host not found"
	case strings.Contains(msg, "EOF"):
		return "connection closed before the answer was complete"
	}
	return msg
}

// tlsFix ends every TLS failure: skipping verification is a choice the
// analyst makes knowingly, after the real fix.
const tlsFix = "; insecure_skip_verify = true only as a last resort"

// describeTLS says what a failed TLS connection found and how to fix it,
// or "" when err is not a TLS failure.
func describeTLS(err error) string {
	var (
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		record  tls.RecordHeaderError
	)
	msg := err.Error()
	switch {
	case errors.As(err, &unknown):
		issuer := ""
		if unknown.Cert != nil {
			if cn := clean.Line(unknown.Cert.Issuer.CommonName); cn != "" {
				issuer = " (" + cn + ")"
			}
		}
		return "TLS: the server's certificate is signed by an unknown authority" + issuer +
			": set this tenant's ca_file to that authority's PEM certificate" + tlsFix
	case errors.As(err, &host):
		return "TLS: the server's certificate does not name this host" + certNames(host.Certificate) +
			": check this tenant's URL and proxy" + tlsFix
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil:
		when := "expired on " + invalid.Cert.NotAfter.UTC().Format(time.DateOnly)
		if time.Now().Before(invalid.Cert.NotBefore) {
			when = "is not valid until " + invalid.Cert.NotBefore.UTC().Format(time.DateOnly)
		}
		return "TLS: the server's certificate " + when +
			": the vendor (or the proxy in between) must renew it, or this machine's clock is wrong" + tlsFix
	case errors.As(err, &invalid), strings.Contains(msg, "x509: "):
		return "TLS: the server's certificate was refused (" + after(msg, "x509: ") +
			"): set this tenant's ca_file to the PEM certificate of the authority that signed it" + tlsFix
	case errors.As(err, &record), strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return "TLS handshake failed: the server does not speak TLS there: check this tenant's URL and proxy"
	case strings.Contains(msg, "remote error: tls: "):
		return "TLS handshake failed: the server refused it (" + after(msg, "remote error: tls: ") +
			"): check this tenant's URL and proxy"
	case strings.Contains(msg, "tls: "):
		return "TLS handshake failed (" + after(msg, "tls: ") + "): check this tenant's URL and proxy"
	}
	return ""
}

// certNames lists the names a certificate is for, cleaned (they are the
// server's words) and at most three.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	names := c.DNSNames
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = []string{c.Subject.CommonName}
	}
	if len(names) == 0 {
		return ""
	}
	more := ""
	if len(names) > 3 {
		names, more = names[:3], ", ..."
	}
	return " (it is for " + clean.Line(strings.Join(names, ", ")) + more + ")"
}

// after is msg from the last sep on, without it.
func after(msg, sep string) string {
	if i := strings.LastIndex(msg, sep); i >= 0 {
		msg = msg[i+len(sep):]
	}
	return clean.Line(msg)
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	h1RE    = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`)
	tagRE   = regexp.MustCompile(`<[^>]+>`)
)

// isHTML reports whether a body is an HTML page rather than data.
func isHTML(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "text/html") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// htmlSummary pulls a readable line out of an error page.
func htmlSummary(body []byte) string {
	for _, re := range []*regexp.Regexp{titleRE, h1RE} {
		if m := re.FindSubmatch(body); m != nil {
			if s := strings.TrimSpace(tagRE.ReplaceAllString(string(m[1]), "")); s != "" {
				return "HTML page: " + clean.Line(s)
			}
		}
	}
	return "HTML page instead of data"
}

// VendorMessage extracts the vendor's error code and message from a body,
// knowing the shapes of all five vendors: Okta's errorCode/errorSummary/
// errorCauses, SCIM's detail/scimType/status, OAuth's error/
// error_description, ITM's _status, Essentials' message/errors, plus HTML
// error pages and plain text.
func VendorMessage(contentType string, body []byte) (code, msg string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", ""
	}
	if isHTML(contentType, body) {
		return "", htmlSummary(body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		line := string(body)
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if len(line) > 200 {
			line = line[:200] + "…"
		}
		return "", clean.Line(line)
	}
	str := func(v any) string {
		switch t := v.(type) {
		case string:
			return t
		case float64, bool:
			return fmt.Sprint(t)
		}
		return ""
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if s := str(m[k]); s != "" {
				return s
			}
		}
		return ""
	}
	code = first("errorCode", "scimType", "code", "error_code")
	msg = first("errorSummary", "error_description", "detail", "message", "error_message", "description")
	if st, ok := m["_status"].(map[string]any); ok {
		if code == "" {
			code = str(st["code"])
		}
		if msg == "" {
			msg = str(st["message"])
		}
	}
	if e := str(m["error"]); e != "" {
		if msg == "" {
			msg = e
		} else if code == "" {
			code = e
		}
	} else if eo, ok := m["error"].(map[string]any); ok && msg == "" {
		code, msg = str(eo["code"]), str(eo["message"])
	}
	if causes, ok := m["errorCauses"].([]any); ok {
		for _, c := range causes {
			if cm, ok := c.(map[string]any); ok {
				if s := str(cm["errorSummary"]); s != "" && s != msg {
					msg += "; " + s
				}
			}
		}
	}
	if errs, ok := m["errors"].([]any); ok && msg == "" {
		var parts []string
		for _, e := range errs {
			switch t := e.(type) {
			case string:
				parts = append(parts, t)
			case map[string]any:
				if s := first2(t, "error_message", "message", "detail"); s != "" {
					parts = append(parts, s)
				}
			}
		}
		msg = strings.Join(parts, "; ")
	}
	if r := str(m["resolution"]); r != "" && msg != "" {
		msg += " (" + r + ")"
	}
	if msg == "" {
		msg = string(body)
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
	}
	return clean.Line(code), clean.Line(msg)
}

func first2(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// vendorRequestID is the request id some vendors put only in the error
// body (Okta's errorId), for when no request-id header came.
func vendorRequestID(body []byte) string {
	var m struct {
		ErrorID string `json:"errorId"`
	}
	if json.Unmarshal(bytes.TrimSpace(body), &m) != nil || len(m.ErrorID) > 80 {
		return ""
	}
	return clean.Line(m.ErrorID)
}

var challengeParam = regexp.MustCompile(`(?i)\b(error|error_description)="([^"]*)"`)

// bearerChallenge reads the error and error_description of a 401's
// WWW-Authenticate: Bearer challenge (RFC 6750).
func bearerChallenge(h http.Header) (code, msg string) {
	for _, v := range h.Values("WWW-Authenticate") {
		for _, m := range challengeParam.FindAllStringSubmatch(v, -1) {
			if strings.EqualFold(m[1], "error") {
				code = m[2]
			} else {
				msg = m[2]
			}
		}
	}
	if msg == "" {
		msg = code
	}
	return clean.Line(code), clean.Line(msg)
}
