package httpx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

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
	if err == nil || !strings.Contains(err.Error(), "SaaS us: TLS: the server's certificate is signed by an unknown authority") {
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

var quiet = log.New(io.Discard, "", 0)

// authority is a test CA that signs server certificates.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // the CA certificate as a PEM file, for ca_file
}

func newAuthority(t *testing.T, name string) *authority {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &authority{cert: cert, key: key, file: file}
}

// serve starts a TLS server on loopback whose certificate this authority
// signed for names (DNS names or IPs), valid from notBefore to notAfter.
func (a *authority) serve(t *testing.T, names []string, notBefore, notAfter time.Time) *httptest.Server {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.Config.ErrorLog = quiet // the handshakes the test makes fail
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// TestTLSFailuresSayWhatFailedAndTheFix: every way a TLS connection fails
// is one line naming vendor and tenant, what failed and the fix, with no
// URL and no Go syntax, for a GET, a read sent as POST and a token request.
func TestTLSFailuresSayWhatFailedAndTheFix(t *testing.T) {
	now := time.Now()
	ca := newAuthority(t, "Corp Inspection CA")
	good := ca.serve(t, []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(time.Hour))
	wrongHost := ca.serve(t, []string{"vendor.example"}, now.Add(-time.Hour), now.Add(time.Hour))
	expired := ca.serve(t, []string{"127.0.0.1"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	refusing := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	refusing.TLS = &tls.Config{MaxVersion: tls.VersionTLS11} // older than the client accepts
	refusing.Config.ErrorLog = quiet
	refusing.StartTLS()
	defer refusing.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()

	if _, err := tenant(t, good.URL, config.Conn{CAFile: ca.file}).Get(context.Background(), "/x", nil, nil); err != nil {
		t.Fatalf("the authority's own certificate, trusted through ca_file: %v", err)
	}
	for _, c := range []struct {
		name string
		url  string
		conn config.Conn
		says []string
	}{
		{"unknown authority", good.URL, config.Conn{},
			[]string{"TLS: the server's certificate is signed by an unknown authority (Corp Inspection CA)", "set this tenant's ca_file to that authority's PEM certificate", "insecure_skip_verify = true only as a last resort"}},
		{"wrong host name", wrongHost.URL, config.Conn{CAFile: ca.file},
			[]string{"TLS: the server's certificate does not name this host (it is for vendor.example)", "check this tenant's URL and proxy", "insecure_skip_verify"}},
		{"expired", expired.URL, config.Conn{CAFile: ca.file},
			[]string{"TLS: the server's certificate expired on " + now.Add(-24*time.Hour).UTC().Format(time.DateOnly), "must renew it", "insecure_skip_verify"}},
		{"handshake failure", refusing.URL, config.Conn{},
			[]string{"TLS handshake failed", "protocol version", "check this tenant's URL and proxy"}},
		{"plain HTTP", strings.Replace(plain.URL, "http:", "https:", 1), config.Conn{},
			[]string{"TLS handshake failed: the server does not speak TLS there"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := tenant(t, c.url+"/api", c.conn)
			_, getErr := cl.Get(context.Background(), "/incidents/7?token=abc", nil, nil)
			_, postErr := cl.Do(context.Background(), &Request{Method: http.MethodPost, Path: "/queries", Body: []byte(`{}`), ContentType: "application/json", Read: true})
			// ITM's token request through x/oauth2, then SaaS's own.
			var tokenErrs []error
			for _, fetch := range []TokenFunc{
				ClientCredentials(c.url+"/oauth/token", "id", "secret", nil, oauth2.AuthStyleInParams, nil),
				BasicClientCredentials(c.url+"/oauth/token", "id", "secret", nil),
			} {
				tok := NewToken(fetch, time.Minute)
				tok.SetTokenPath("/oauth/token")
				withToken, err := New(Options{Vendor: "SaaS", Tenant: "us", BaseURL: c.url + "/api", Conn: c.conn,
					Auth: tok, Retry: Retry{Attempts: 1}})
				if err != nil {
					t.Fatal(err)
				}
				_, err = withToken.Get(context.Background(), "/x", nil, nil)
				if err == nil || !strings.Contains(err.Error(), "token request failed: TLS") {
					t.Errorf("token request: %v", err)
				}
				tokenErrs = append(tokenErrs, err)
			}
			for _, err := range append(tokenErrs, getErr, postErr) {
				oneClearTLSLine(t, err, c.url, c.says)
			}
		})
	}
}

func oneClearTLSLine(t *testing.T, err error, url string, says []string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "SaaS us: ") || strings.Contains(msg, "\n") {
		t.Errorf("%q: want one line starting with vendor and tenant", msg)
	}
	for _, bad := range []string{`Get "`, `Post "`, "&{", "%!", url, "https://", "127.0.0.1", "token=abc"} {
		if strings.Contains(msg, bad) {
			t.Errorf("%q holds %q", msg, bad)
		}
	}
	for _, s := range says {
		if !strings.Contains(msg, s) {
			t.Errorf("%q does not say %q", msg, s)
		}
	}
}

// A certificate the client refuses fails the handshake before any request
// leaves: a write is known not to be applied (not "unknown"), and a read
// is not retried, since asking again meets the same certificate.
func TestAFailedHandshakeSendsNothingAndIsNotRetried(t *testing.T) {
	var requests, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		fmt.Fprint(w, `{}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	c, err := New(Options{Vendor: "SaaS", Tenant: "us", BaseURL: srv.URL, Conn: config.Conn{Timeout: config.Duration{Duration: 10 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(writer(context.Background()), &Request{Method: http.MethodPost, Path: "/incidents/7/state", JSON: map[string]string{"state": "closed"},
		Write: &Write{Action: "saas.close", Target: "7"}})
	if err == nil || IsUnknown(err) || !strings.Contains(err.Error(), "unknown authority") || strings.Contains(err.Error(), "may have been applied") {
		t.Fatalf("a write meeting an unknown certificate: %v (unknown %v)", err, IsUnknown(err))
	}
	if _, err := c.Get(context.Background(), "/x", nil, nil); err == nil {
		t.Fatal("a read meeting an unknown certificate succeeded")
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections for one write and one read: a refused certificate was tried again", n)
	}
}
