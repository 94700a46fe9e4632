// Package oktaspec checks every request triage's Okta client sends against
// Okta's own management API spec, the openapi.yaml shipped in the official
// Go SDK (github.com/okta/okta-sdk-golang/v5): path, method, parameters and
// body. It is an outside referee: the simulator is our own guess at Okta,
// the spec is Okta's word.
package oktaspec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"gopkg.in/yaml.v3"
)

// sdk is the SDK release whose spec is the referee.
const sdk = "github.com/okta/okta-sdk-golang/v5@v5.0.2"

// loadSpec reads okta/api/openapi.yaml from the SDK module. The spec puts
// $refs inside example: blocks, which kin-openapi's loader rejects; the
// examples say nothing about what is valid, so they are dropped first.
func loadSpec(t *testing.T, server string) (*openapi3.T, routers.Router) {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", sdk).Output()
	if err != nil {
		t.Fatalf("go mod download %s: %v", sdk, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download %s: no directory in %s", sdk, out)
	}
	raw, err := os.ReadFile(mod.Dir + "/okta/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(dropExamples(tree))
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(j)
	if err != nil {
		t.Fatalf("loading Okta's spec: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("Okta's spec does not validate: %v", err)
	}
	// The spec's server is https://{yourOktaDomain}; ours is the recorder.
	doc.Servers = openapi3.Servers{{URL: server}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

func dropExamples(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "example")
		delete(x, "examples")
		for k, e := range x {
			x[k] = dropExamples(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dropExamples(e)
		}
	}
	return v
}

// recorded is one request as it left triage's client.
type recorded struct {
	method, uri string
	header      http.Header
	body        []byte
}

// recorder passes requests to the simulator, keeping a copy of each.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) proxy(target string) *httptest.Server {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{method: req.Method, uri: req.URL.RequestURI(), header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		rp.ServeHTTP(w, req)
	}))
}

func (r *recorder) take() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// check validates one recorded request against the spec and says, in the
// spec's words, what it breaks.
func check(router routers.Router, base string, rec recorded) (operation string, problem error) {
	req, err := http.NewRequest(rec.method, base+rec.uri, bytes.NewReader(rec.body))
	if err != nil {
		return "", err
	}
	req.Header = rec.header.Clone()
	route, params, err := router.FindRoute(req)
	if err != nil {
		return "", fmt.Errorf("no operation in Okta's spec: %v", err)
	}
	op := route.Operation.OperationID
	// kin-openapi ignores query parameters the operation does not declare;
	// Okta ignores them too, so a misspelt one would silently do nothing.
	declared := map[string]bool{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	for name := range req.URL.Query() {
		if !declared[name] {
			return op, fmt.Errorf("query parameter %q is not a parameter of %s", name, op)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	})
	return op, err
}

// tokenPath is the OAuth token endpoint: it belongs to Okta's OAuth API,
// not to the management spec, and is checked by the SDK contract test.
func tokenPath(uri string) bool { return strings.HasPrefix(uri, "/oauth2/") }
