package httpx

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Once reading back shows a lost write did not apply, its error stops
// saying that it may have, and still is the vendor's error underneath.
func TestSettledNoLongerSaysItMayHaveApplied(t *testing.T) {
	lost := &Error{Vendor: "ITM", Tenant: "demo", Method: "POST", Path: "/comments", Err: errors.New("connection reset"), Unknown: true}
	wrapped := fmt.Errorf("comment on f1: %w", lost)
	if !strings.Contains(wrapped.Error(), "may have been applied") {
		t.Fatalf("a lost write must say so: %v", wrapped)
	}
	got := Settled(wrapped)
	if strings.Contains(got.Error(), "may have been applied") || !strings.Contains(got.Error(), "comment on f1: ITM demo:") ||
		!strings.Contains(got.Error(), "[POST /comments]") {
		t.Fatalf("settled = %q", got)
	}
	var e *Error
	if !errors.As(got, &e) || e != lost {
		t.Fatalf("settled error does not unwrap to the vendor's")
	}
	if !IsUnknown(wrapped) || IsUnknown(got) || IsUnknown(fmt.Errorf("%w; try again", got)) {
		t.Fatal("a settled write's outcome is known")
	}
	plain := errors.New("403 forbidden")
	if Settled(plain) != plain || Settled(nil) != nil {
		t.Fatal("an error that was never unknown is returned as it is")
	}
}

// A transport failure Go reports as `Get "URL": ...` is said without the
// URL, whose query may hold what a tenant would not print.
func TestTransportFailuresDoNotQuoteTheURL(t *testing.T) {
	for cause, want := range map[error]string{
		errors.New("proxyconnect tcp: dial tcp 10.0.0.1:3128: i/o timeout"): "proxyconnect tcp: dial tcp 10.0.0.1:3128: i/o timeout",
		errors.New("read: connection reset by peer"):                        "connection reset by the server",
		errors.New("dial tcp: lookup vendor.example: no such host"):         "host not found",
	} {
		err := &Error{Vendor: "Okta", Tenant: "prod", Method: "GET", Path: "/api/v1/logs",
			Err: &url.Error{Op: "Get", URL: "https://acme.okta.com/api/v1/logs?since=x&api_key=k", Err: cause}}
		got := err.Error()
		if got != "Okta prod: "+want+" [GET /api/v1/logs]" || strings.Contains(got, `Get "`) || strings.Contains(got, "api_key") {
			t.Errorf("%q", got)
		}
	}
}
