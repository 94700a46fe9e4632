package httpx

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"triage/backend/config"
)

func tenant(t *testing.T, base string, conn config.Conn) *Client {
	t.Helper()
	conn.Timeout = config.Duration{Duration: 10 * time.Second} // a TLS handshake under -race on a busy machine is slow
	c, err := New(Options{Vendor: "SaaS", Tenant: "us", BaseURL: base, Conn: conn, Retry: Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTLSIsVerifiedUnlessTheTenantOptsOut(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	defer srv.Close()
	// By default a certificate no known authority signed is refused.
	_, err := tenant(t, srv.URL, config.Conn{}).Get(context.Background(), "/x", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "SaaS us: TLS certificate problem") {
		t.Fatalf("an unknown certificate: %v", err)
	}
	// The tenant's ca_file trusts it.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	if _, err := tenant(t, srv.URL, config.Conn{CAFile: ca}).Get(context.Background(), "/x", nil, nil); err != nil {
		t.Fatalf("with its ca_file: %v", err)
	}
	// A ca_file that holds no certificate is an error at start, not a
	// silent fallback.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := New(Options{Vendor: "SaaS", Tenant: "us", BaseURL: srv.URL, Conn: config.Conn{CAFile: bad}}); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Fatalf("a bad ca_file: %v", err)
	}
	// insecure_skip_verify, chosen explicitly, skips the check.
	if _, err := tenant(t, srv.URL, config.Conn{InsecureSkipVerify: true}).Get(context.Background(), "/x", nil, nil); err != nil {
		t.Fatalf("insecure_skip_verify: %v", err)
	}
}

// proxy answers every request it is asked to forward, saying so.
func proxy(t *testing.T) (*httptest.Server, chan string) {
	seen := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.URL.String() // a proxy is asked for the absolute URL
		fmt.Fprint(w, `{"via":"proxy"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

func TestTheTenantsProxyCarriesItsRequests(t *testing.T) {
	p, seen := proxy(t)
	var out struct{ Via string }
	if _, err := tenant(t, "http://vendor.example/api", config.Conn{Proxy: p.URL}).Get(context.Background(), "/x", nil, &out); err != nil || out.Via != "proxy" {
		t.Fatalf("through the tenant's proxy: %v %+v", err, out)
	}
	if got := <-seen; got != "http://vendor.example/api/x" {
		t.Fatalf("the proxy was asked for %q", got)
	}
}

// TestTheEnvironmentsProxyIsUsed runs itself again with HTTP_PROXY set: Go
// reads the proxy variables once per process.
func TestTheEnvironmentsProxyIsUsed(t *testing.T) {
	if url := os.Getenv("TRIAGE_TEST_PROXY_CHILD"); url != "" {
		var out struct{ Via string }
		if _, err := tenant(t, "http://vendor.example/api", config.Conn{}).Get(context.Background(), "/x", nil, &out); err != nil || out.Via != "proxy" {
			t.Fatalf("through HTTP_PROXY: %v %+v", err, out)
		}
		return
	}
	p, seen := proxy(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestTheEnvironmentsProxyIsUsed$")
	cmd.Env = append(os.Environ(), "TRIAGE_TEST_PROXY_CHILD=1", "HTTP_PROXY="+p.URL, "http_proxy="+p.URL, "NO_PROXY=", "no_proxy=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := <-seen; got != "http://vendor.example/api/x" {
		t.Fatalf("the proxy was asked for %q", got)
	}
}
