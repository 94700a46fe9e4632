package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"

	"triage/backend/audit"
	"triage/backend/clean"
)

// ErrAuditUnavailable is wrapped by the error of a write that was not sent
// because its audit line could not be written.
var ErrAuditUnavailable = errors.New("the audit log cannot be written")

// Answer is the documented form of a write's successful answer. Only that
// says the vendor applied the write: anything else (a proxy's or a captive
// portal's page answering 200, a redirect) leaves the outcome unknown. The
// zero Answer takes an empty body or any JSON, which is what every vendor
// documents for the writes that do not say more.
type Answer struct {
	// Keys are members a JSON object answer must have, e.g. a User's "id";
	// with Keys, the answer must be an object.
	Keys []string
	// Body: the vendor documents a body, so an empty answer is not its own.
	Body bool
}

// mismatch says why resp is not the answer a, "" when it is.
func (a Answer) mismatch(vendor string, resp *Response) string {
	why := func(detail string) string {
		return fmt.Sprintf("the answer is not one %s documents (%s)", vendor, detail)
	}
	if resp.Status < 200 || resp.Status > 299 {
		return why(fmt.Sprintf("HTTP %d", resp.Status))
	}
	body := bytes.TrimSpace(resp.Body)
	ctype := resp.Header.Get("Content-Type")
	switch {
	case len(body) == 0 && a.Body:
		return why("an empty body")
	case len(body) == 0:
		return ""
	case isHTML(ctype, body):
		return why(htmlSummary(body))
	}
	if mt, _, err := mime.ParseMediaType(ctype); ctype != "" && (err != nil || !strings.Contains(mt, "json")) {
		return why(clean.Line(ctype) + ", not JSON")
	}
	if !json.Valid(body) {
		return why("malformed JSON")
	}
	if a.Keys == nil {
		return ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return why("not a JSON object")
	}
	for _, k := range a.Keys {
		if v := bytes.TrimSpace(obj[k]); len(v) == 0 || string(v) == "null" || string(v) == `""` {
			return why(fmt.Sprintf("no %q", k))
		}
	}
	return ""
}

// ReadBack settles a write whose outcome is unknown (IsUnknown(err)): its
// answer was lost, a gateway gave up, or the answer was not the vendor's.
// check reads the vendor's state once and reports whether the write is
// there; the write is never sent again. The audit log gets what the
// read-back showed: "confirmed", or "error" when the write is not there.
//
// It returns whether the write applied, and the error as it now stands:
// nil when it applied (WhyUnknown(err) words the lost answer); Settled(err)
// when the state shows it missing, so sending it again is safe; err with
// the reason when the state could not be read, still unknown. Any other
// err is returned as it is.
func ReadBack(ctx context.Context, err error, check func(context.Context) (bool, error)) (applied bool, out error) {
	var e *Error
	if !errors.As(err, &e) || !e.Unknown {
		return false, err
	}
	applied, rerr := check(ctx)
	switch {
	case rerr != nil:
		return false, fmt.Errorf("%w; reading back failed too: %v", err, rerr)
	case applied:
		e.log.settle(ctx, e, audit.Confirmed, "")
		return true, nil
	}
	e.log.settle(ctx, e, audit.Failed, "not applied: reading back shows it missing")
	return false, Settled(err)
}

// settle records what reading back showed of the write.
func (l *writeLog) settle(ctx context.Context, e *Error, outcome, note string) {
	if l == nil {
		return
	}
	l.line(ctx, outcome, e.Status, e.RequestID, note)
}

// WhyUnknown says, for a message, why a write's outcome was unknown: "the
// answer was lost", "the gateway answered 502" or "the answer is not one
// ITM documents (HTML page: Sign in)".
func WhyUnknown(err error) string {
	var e *Error
	switch {
	case !errors.As(err, &e) || e.Status == 0:
		return "the answer was lost"
	case e.Status >= 400:
		return fmt.Sprintf("the gateway answered %d", e.Status)
	}
	return e.Message
}
