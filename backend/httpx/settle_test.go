package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"triage/backend/audit"
	"triage/backend/config"
)

// outcomes lists the lines of a sink as "outcome" words.
func outcomes(m *audit.Memory) []string {
	var out []string
	for _, e := range m.Lines() {
		out = append(out, e.Outcome)
	}
	return out
}

func TestAWriteIsAuditedPendingBeforeItIsSent(t *testing.T) {
	mem := &audit.Memory{}
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(strings.Join(outcomes(mem), " "))
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil, mem)
	if _, err := c.Send(writer(context.Background()), "POST", "/c", map[string]string{"text": "hi"}, &Write{Action: "itm.comment", Target: "f1"}, nil); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != "pending" {
		t.Fatalf("the vendor got the write with the audit log holding %q, want the pending line", seen.Load())
	}
	ls := mem.Lines()
	if len(ls) != 2 || ls[1].Outcome != audit.OK || ls[1].Status != 204 || !ls[0].SameWrite(ls[1]) || ls[0].Status != 0 {
		t.Fatalf("lines %+v", ls)
	}
}

// logged captures a client's log lines.
func logged(c *Client) *bytes.Buffer {
	var b bytes.Buffer
	c.log = slog.New(slog.NewTextHandler(&b, nil))
	return &b
}

func TestAWriteTheAuditLogCannotRecordIsRefusedUnlessWarnIsChosen(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(204)
	}))
	defer srv.Close()
	mem := &audit.Memory{}
	mem.SetFail(errors.New("audit log /var/log/triage/audit.jsonl cannot be written: write: no space left on device"))
	c := newClient(t, srv, nil, mem)
	log := logged(c)
	_, err := c.Send(writer(context.Background()), "POST", "/c", map[string]string{"text": "hi"}, &Write{Action: "itm.comment", Target: "f1"}, nil)
	if !errors.Is(err, ErrAuditUnavailable) || IsUnknown(err) || calls.Load() != 0 {
		t.Fatalf("err %v, %d requests: want a refusal and nothing sent", err, calls.Load())
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "ITM prod: not sent: audit log /var/log/triage/audit.jsonl cannot be written: write: no space left on device [POST ") {
		t.Fatalf("message %q", msg)
	}
	if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "write refused") || !strings.Contains(log.String(), "no space left") {
		t.Fatalf("log %q", log.String())
	}

	// "warn" sends it, and logs an error line saying it went unrecorded.
	c, err = New(Options{Vendor: "ITM", Tenant: "prod", BaseURL: srv.URL, Audit: mem, AuditOnError: config.AuditWarn})
	if err != nil {
		t.Fatal(err)
	}
	log = logged(c)
	if _, err := c.Send(writer(context.Background()), "POST", "/c", map[string]string{"text": "hi"}, &Write{Action: "itm.comment", Target: "f1"}, nil); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "sent unrecorded") {
		t.Fatalf("%d requests, log %q", calls.Load(), log.String())
	}
}

func TestWriteAnswersAreTakenOnlyInTheVendorsForm(t *testing.T) {
	user := Answer{Keys: []string{"id"}, Body: true}
	for _, c := range []struct {
		name   string
		a      Answer
		status int
		ctype  string
		body   string
		why    string // "" when accepted
	}{
		{"empty 204", Answer{}, 204, "", "", ""},
		{"empty 200", Answer{}, 200, "text/html", "", ""},
		{"JSON", Answer{}, 200, "application/json", `{"data":[]}`, ""},
		{"SCIM JSON", user, 201, "application/scim+json;charset=UTF-8", `{"id":"u1"}`, ""},
		{"no content type", user, 200, "", `{"id":"u1"}`, ""},
		{"sign-in page", Answer{}, 200, "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>Sign in to Acme proxy</title></head></html>", "the answer is not one ITM documents (HTML page: Sign in to Acme proxy)"},
		{"page without a type", Answer{}, 200, "", "<html><body>Please log in</body></html>", "the answer is not one ITM documents (HTML page instead of data)"},
		{"plain text", Answer{}, 200, "text/plain", "OK", "the answer is not one ITM documents (text/plain, not JSON)"},
		{"JSON under a text type", Answer{}, 200, "text/plain", `{"ok":true}`, "text/plain, not JSON"},
		{"malformed", Answer{}, 200, "application/json", `{"ok":`, "malformed JSON"},
		{"empty where a body is documented", user, 200, "application/json", "", "(an empty body)"},
		{"object without its id", user, 200, "application/json", `{"status":"ok"}`, `(no "id")`},
		{"null id", user, 200, "application/json", `{"id":null}`, `(no "id")`},
		{"a list for an object", user, 200, "application/json", `[{"id":"u1"}]`, "not a JSON object"},
		{"a redirect", Answer{}, 302, "", "", "the answer is not one ITM documents (HTTP 302)"},
	} {
		resp := &Response{Status: c.status, Header: http.Header{}, Body: []byte(c.body)}
		if c.ctype != "" {
			resp.Header.Set("Content-Type", c.ctype)
		}
		got := c.a.mismatch("ITM", resp)
		if (c.why == "") != (got == "") || !strings.Contains(got, c.why) {
			t.Errorf("%s: %q, want %q", c.name, got, c.why)
		}
	}
}

func TestAWriteAnsweredByAPageIsUnknownAndReadBackSettlesIt(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Sign in</title></head><body><form action="/login"></form></body></html>`)
	}))
	defer srv.Close()
	for _, c := range []struct {
		name    string
		check   func(context.Context) (bool, error)
		applied bool
		says    string
		lines   string
	}{
		{"applied", func(context.Context) (bool, error) { return true, nil }, true, "", "pending unknown confirmed"},
		{"missing", func(context.Context) (bool, error) { return false, nil }, false, "ITM prod: 200: the answer is not one ITM documents (HTML page: Sign in) [POST /v2/apis/c]", "pending unknown error"},
		{"unreadable", func(context.Context) (bool, error) { return false, errors.New("ITM prod: 503") }, false,
			"(outcome unknown: it may have been applied) [POST /v2/apis/c]; reading back failed too: ITM prod: 503", "pending unknown"},
	} {
		mem := &audit.Memory{}
		cl := newClient(t, srv, nil, mem)
		before := calls.Load()
		_, err := cl.Send(writer(context.Background()), "POST", "/c", map[string]string{"text": "hi"}, &Write{Action: "itm.comment", Target: "f1"}, nil)
		if !IsUnknown(err) || StatusOf(err) != 200 || !strings.Contains(err.Error(), "(HTML page: Sign in) (outcome unknown") {
			t.Fatalf("%s: %v", c.name, err)
		}
		if why := WhyUnknown(err); why != "the answer is not one ITM documents (HTML page: Sign in)" {
			t.Fatalf("%s: WhyUnknown %q", c.name, why)
		}
		applied, out := ReadBack(context.Background(), err, c.check)
		if applied != c.applied || (c.says == "") != (out == nil) || out != nil && !strings.Contains(out.Error(), c.says) {
			t.Errorf("%s: applied %v, %v; want %v, %q", c.name, applied, out, c.applied, c.says)
		}
		if got := strings.Join(outcomes(mem), " "); got != c.lines {
			t.Errorf("%s: audit %q, want %q", c.name, got, c.lines)
		}
		ls := mem.Lines()
		if last := ls[len(ls)-1]; !ls[0].SameWrite(last) || last.Status != 200 || last.DurationMS < 0 {
			t.Errorf("%s: the settling line %+v is not the write's", c.name, last)
		}
		if calls.Load() != before+1 {
			t.Errorf("%s: %d requests, want the one write", c.name, calls.Load()-before)
		}
	}
}

func TestReadBackLeavesKnownOutcomesAlone(t *testing.T) {
	checked := false
	check := func(context.Context) (bool, error) { checked = true; return true, nil }
	plain := &Error{Vendor: "ITM", Tenant: "prod", Status: 400, Message: "bad"}
	if applied, out := ReadBack(context.Background(), plain, check); applied || out != error(plain) || checked {
		t.Fatalf("a refused write was read back: %v %v", applied, out)
	}
	if applied, out := ReadBack(context.Background(), nil, check); applied || out != nil || checked {
		t.Fatalf("a success was read back: %v %v", applied, out)
	}
}
