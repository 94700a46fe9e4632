package okta_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/okta"
	"triage/backend/sim"
)

// dpopSim starts the simulator with a key trusted by both service apps
// and returns the config of the one that requires DPoP.
func dpopSim(t *testing.T) (*sim.Sim, config.Okta) {
	t.Helper()
	s, err := sim.Start(sim.Options{Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s.Okta.TrustKey("k1", key.Public())
	// Okta's API does not ask for a nonce today; the client must cope
	// the day it does.
	s.Okta.RequireResourceNonce(true)
	return s, config.Okta{Name: "svc", URL: s.Okta.URL, ClientID: sim.OktaDPoPClientID, KeyID: "k1",
		PrivateKeyFile: writeKey(t, "okta.pem", key, "pkcs8"), Scopes: config.DefaultOktaScopes}
}

// The nonce dance, counted: the token endpoint asks for its nonce (2
// token requests), the resource server for its own (2 calls); after that
// one call is one request. With dpop = false Okta's invalid_dpop_proof
// turns proofs on first (one token request more).
func TestDPoPAgainstTheSimulator(t *testing.T) {
	for _, tc := range []struct {
		name       string
		configured bool
		tokenReqs  int
	}{{"configured", true, 2}, {"detected", false, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			s, cfg := dpopSim(t)
			cfg.DPoP = tc.configured
			c, err := okta.New(cfg, httpx.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c.DPoP() != tc.configured {
				t.Fatalf("DPoP before the first token: %v", c.DPoP())
			}
			if _, err := c.Apps(ctx(), okta.AppQuery{Limit: 5}, ""); err != nil {
				t.Fatal(err)
			}
			if n := s.Okta.Count("POST /oauth2/v1/token"); n != tc.tokenReqs || c.TokenRequests() != int64(tc.tokenReqs) || s.Okta.Tokens() != 1 {
				t.Fatalf("%d token requests at the org, %d counted, %d tokens; want %d and 1", n, c.TokenRequests(), s.Okta.Tokens(), tc.tokenReqs)
			}
			if n := s.Okta.Count("GET /api/v1/apps"); n != 2 {
				t.Fatalf("%d calls for the first page, want the nonce challenge and the call", n)
			}
			if _, err := c.Apps(ctx(), okta.AppQuery{Limit: 5}, ""); err != nil {
				t.Fatal(err)
			}
			id := s.Okta.UserID("li.chen@acme.example")
			if err := c.Suspend(ctx(), id); err != nil {
				t.Fatal(err)
			}
			if s.Okta.Count("GET /api/v1/apps") != 3 || s.Okta.Count("POST /api/v1/users") != 1 || s.Okta.Count("POST /oauth2/v1/token") != tc.tokenReqs {
				t.Fatalf("later calls: %d apps, %d suspend, %d token requests", s.Okta.Count("GET /api/v1/apps"), s.Okta.Count("POST /api/v1/users"), s.Okta.Count("POST /oauth2/v1/token"))
			}
			if !c.DPoP() {
				t.Fatal("DPoP is off after a DPoP token")
			}

			// The bound token is no bearer token.
			tok := s.Okta.IssuedTokens()[0]
			req, _ := http.NewRequest(http.MethodGet, s.Okta.URL+"/api/v1/apps", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if ch := res.Header.Get("WWW-Authenticate"); res.StatusCode != 401 || !strings.HasPrefix(ch, "DPoP ") || !strings.Contains(ch, `error="invalid_token"`) {
				t.Fatalf("bound token as Bearer: %d %q", res.StatusCode, ch)
			}
		})
	}
}

// Without DPoP support the app's token endpoint answers as Okta does, and
// the error says so in one line.
func TestDPoPAppRefusesATokenRequestWithoutAProof(t *testing.T) {
	s, _ := dpopSim(t)
	assertion, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": sim.OktaDPoPClientID, "sub": sim.OktaDPoPClientID}).SignedString([]byte("unchecked"))
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"okta.apps.read"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	res, err := http.Post(s.Okta.URL+"/oauth2/v1/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || strings.TrimSpace(string(body)) != `{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}` {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
}

// A proof the org cannot accept is refused with Okta's error, at the
// token endpoint in the body and at the resource server in the challenge.
func TestBadDPoPProofsAreRefused(t *testing.T) {
	s, _ := dpopSim(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	d, err := httpx.NewDPoP(true)
	if err != nil {
		t.Fatal(err)
	}
	tokenURL, _ := url.Parse(s.Okta.URL + "/oauth2/v1/token")
	assertion, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": sim.OktaDPoPClientID, "sub": sim.OktaDPoPClientID}).SignedString([]byte("unchecked"))
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"okta.apps.read"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}.Encode()
	post := func(proof string) (int, http.Header, string) {
		req, _ := http.NewRequest(http.MethodPost, tokenURL.String(), strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("DPoP", proof)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, strings.TrimSpace(string(b))
	}
	// A proof for another URL.
	other, _ := url.Parse(s.Okta.URL + "/oauth2/v1/other")
	p, _ := d.Proof("POST", other, "", "")
	if st, _, b := post(p); st != 400 || b != `{"error":"invalid_dpop_proof","error_description":"'htu' claim in the DPoP proof JWT is invalid."}` {
		t.Fatalf("wrong htu: %d %s", st, b)
	}
	// A proof signed with a key other than its jwk.
	good, _ := d.Proof("POST", tokenURL, "", "")
	parts := strings.Split(good, ".")
	forged := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"htm": "POST", "htu": tokenURL.String(), "iat": time.Now().Unix(), "jti": "j1"})
	sig, _ := forged.SignedString(key)
	tampered := parts[0] + "." + strings.Split(sig, ".")[1] + "." + strings.Split(sig, ".")[2]
	if st, _, b := post(tampered); st != 400 || !strings.Contains(b, `"error":"invalid_dpop_proof"`) {
		t.Fatalf("forged signature: %d %s", st, b)
	}
	// An old proof.
	stale := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"htm": "POST", "htu": tokenURL.String(), "iat": time.Now().Add(-time.Hour).Unix(), "jti": "j2"})
	stale.Header["typ"] = "dpop+jwt"
	b, _ := key.PublicKey.Bytes()
	enc := base64.RawURLEncoding.EncodeToString
	stale.Header["jwk"] = map[string]string{"kty": "EC", "crv": "P-256", "x": enc(b[1:33]), "y": enc(b[33:])}
	staleProof, _ := stale.SignedString(key)
	if st, _, body := post(staleProof); st != 400 || !strings.Contains(body, `'iat' claim`) {
		t.Fatalf("stale proof: %d %s", st, body)
	}
	// A good proof without the nonce: Okta's use_dpop_nonce with the nonce.
	st, h, body := post(good)
	if st != 400 || body != `{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}` || h.Get("DPoP-Nonce") == "" {
		t.Fatalf("no nonce: %d %v %s", st, h, body)
	}
	// The same proof again, with the nonce: a replayed jti.
	withNonce, _ := d.Proof("POST", tokenURL, "", h.Get("DPoP-Nonce"))
	post(withNonce)
	if st, _, body := post(withNonce); st != 400 || !strings.Contains(body, "already been used") {
		t.Fatalf("replayed proof: %d %s", st, body)
	}
}

// A resource call whose proof carries the wrong access-token hash is
// refused in the challenge, and the client reports it in one line.
func TestResourceProofMustHashTheToken(t *testing.T) {
	s, cfg := dpopSim(t)
	cfg.DPoP = true
	c, _ := okta.New(cfg, httpx.Options{})
	if err := c.Check(ctx()); err != nil {
		t.Fatal(err)
	}
	tok := s.Okta.IssuedTokens()[0]
	d, _ := httpx.NewDPoP(true)
	u, _ := url.Parse(s.Okta.URL + "/api/v1/users")
	proof, _ := d.Proof("GET", u, tok+"x", "")
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("Authorization", "DPoP "+tok)
	req.Header.Set("DPoP", proof)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ch := res.Header.Get("WWW-Authenticate"); res.StatusCode != 401 || !strings.Contains(ch, `error="invalid_dpop_proof"`) || !strings.Contains(ch, `'ath' claim`) {
		t.Fatalf("%d %q", res.StatusCode, ch)
	}
}

// The proofs are exactly RFC 9449's, checked by a stand-in org that asks
// for nonces the way Okta does.
func TestDPoPProofsAreAsDocumented(t *testing.T) {
	type seen struct {
		method, path, auth, dpop string
	}
	var got []seen
	var rec *recorder
	rec = newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("DPoP")})
		switch n {
		case 1:
			return 400, nil, `{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}`
		case 2:
			return 400, http.Header{"Dpop-Nonce": {"as-nonce"}}, `{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}`
		case 3:
			return 200, nil, `{"token_type":"DPoP","expires_in":3600,"access_token":"at-dpop","scope":"okta.apps.read"}`
		case 4:
			return 401, http.Header{"Www-Authenticate": {`DPoP algs="ES256", error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof."`}, "Dpop-Nonce": {"rs-nonce"}}, ""
		}
		return 200, links(rec.srv.URL+r.URL.RequestURI(), ""), "[]"
	})
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cfg := config.Okta{Name: "prod", URL: rec.srv.URL, ClientID: "0oaSERVICE", PrivateKeyFile: writeKey(t, "k.pem", key, "pkcs8"), Scopes: []string{"okta.apps.read"}}
	c, err := okta.New(cfg, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apps(ctx(), okta.AppQuery{Q: "sales"}, ""); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[0].dpop != "" || got[0].path != "/oauth2/v1/token" || got[3].path != "/api/v1/apps" {
		t.Fatalf("requests %+v", got)
	}
	sum := sha256.Sum256([]byte("at-dpop"))
	ath := base64.RawURLEncoding.EncodeToString(sum[:])
	var thumbs, jtis []string
	for i, want := range []struct {
		htm, htu, nonce, ath, auth string
	}{
		{"POST", rec.srv.URL + "/oauth2/v1/token", "", "", ""},
		{"POST", rec.srv.URL + "/oauth2/v1/token", "as-nonce", "", ""},
		{"GET", rec.srv.URL + "/api/v1/apps", "", ath, "DPoP at-dpop"},
		{"GET", rec.srv.URL + "/api/v1/apps", "rs-nonce", ath, "DPoP at-dpop"},
	} {
		r := got[i+1]
		if r.auth != want.auth {
			t.Fatalf("request %d: Authorization %q", i+2, r.auth)
		}
		var claims jwt.MapClaims
		tok, err := jwt.ParseWithClaims(r.dpop, &claims, func(t *jwt.Token) (any, error) {
			jwk, _ := t.Header["jwk"].(map[string]any)
			x, _ := base64.RawURLEncoding.DecodeString(jwk["x"].(string))
			y, _ := base64.RawURLEncoding.DecodeString(jwk["y"].(string))
			return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		}, jwt.WithValidMethods([]string{"ES256"}))
		if err != nil {
			t.Fatalf("proof %d does not verify with its own jwk: %v", i+2, err)
		}
		jwk := tok.Header["jwk"].(map[string]any)
		if tok.Header["typ"] != "dpop+jwt" || tok.Header["alg"] != "ES256" || len(tok.Header) != 3 ||
			jwk["kty"] != "EC" || jwk["crv"] != "P-256" || len(jwk) != 4 {
			t.Fatalf("proof %d header %v", i+2, tok.Header)
		}
		keys := []string{}
		for k := range claims {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		wantKeys := []string{"htm", "htu", "iat", "jti"}
		if want.ath != "" {
			wantKeys = append(wantKeys, "ath")
		}
		if want.nonce != "" {
			wantKeys = append(wantKeys, "nonce")
		}
		slices.Sort(wantKeys)
		iat, _ := claims["iat"].(float64)
		if !slices.Equal(keys, wantKeys) || claims["htm"] != want.htm || claims["htu"] != want.htu ||
			(want.nonce != "" && claims["nonce"] != want.nonce) || (want.ath != "" && claims["ath"] != want.ath) ||
			time.Since(time.Unix(int64(iat), 0)).Abs() > time.Minute {
			t.Fatalf("proof %d claims %v, want %+v", i+2, claims, want)
		}
		thumbs = append(thumbs, fmt.Sprint(jwk["x"], jwk["y"]))
		jtis = append(jtis, claims["jti"].(string))
	}
	if thumbs[0] != thumbs[3] || len(slices.Compact(slices.Sorted(slices.Values(jtis)))) != 4 {
		t.Fatalf("one key and four jtis: %v %v", thumbs, jtis)
	}
	// The query stays out of htu but goes to the org.
	if rec.requests()[4].RawQuery != "q=sales" {
		t.Fatalf("query %q", rec.requests()[4].RawQuery)
	}
}

// --- 429 on writes ------------------------------------------------------

// A write refused with 429 was not processed: it is sent once more after
// the reset, naming the 429 it repeats, and applied once.
func TestWriteRefusedWith429IsSentOnceMore(t *testing.T) {
	s, err := sim.Start(sim.Options{Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var waits []time.Duration
	mem := &audit.Memory{}
	c, err := okta.New(s.Config().Okta[0], httpx.Options{Audit: mem, Wait: func(ctx context.Context, d time.Duration) bool {
		waits = append(waits, d) // the retry's wait, then the pacer's for the emptied bucket
		return true
	}})
	if err != nil {
		t.Fatal(err)
	}
	id := s.Okta.UserID("li.chen@acme.example")
	path := "/api/v1/users/" + id + "/lifecycle/suspend"
	reqID := s.Okta.RateLimitNext(http.MethodPost, path, 1)
	if err := c.Suspend(ctx(), id); err != nil {
		t.Fatal(err)
	}
	if n := s.Okta.Count("POST " + path); n != 2 {
		t.Fatalf("%d requests, want the 429 and one more", n)
	}
	if r := s.Okta.Retries(); len(r) != 1 || r[0] != (sim.OktaRetry{Path: "POST " + path, RetryFor: reqID, RetryCount: "1"}) {
		t.Fatalf("retry marks %+v", r)
	}
	// The reset is 5s after the 429's Date: the wait is 5-6s.
	if len(waits) < 1 || waits[0] < 5*time.Second || waits[0] > 6*time.Second {
		t.Fatalf("waits %v", waits)
	}
	u, err := c.User(ctx(), id)
	if err != nil || u.Status != "SUSPENDED" {
		t.Fatalf("after the retry: %v %+v", err, u)
	}
	if e := mem.Entries(); len(e) != 1 || e[0].Outcome != audit.OK || e[0].Action != "okta.suspend" {
		t.Fatalf("audit %+v", e)
	}

	// Only once: a second 429 is the answer, recorded as failed.
	unsuspend := "/api/v1/users/" + id + "/lifecycle/unsuspend"
	s.Okta.RateLimitNext(http.MethodPost, unsuspend, 2)
	err = c.Unsuspend(ctx(), id)
	if httpx.StatusOf(err) != 429 || !strings.Contains(err.Error(), "E0000047") || s.Okta.Count("POST "+unsuspend) != 2 {
		t.Fatalf("two 429s: %v, %d requests", err, s.Okta.Count("POST "+unsuspend))
	}
	if e := mem.Entries(); len(e) != 2 || e[1].Outcome != audit.Failed || e[1].Status != 429 {
		t.Fatalf("audit %+v", e)
	}
}

// The wait for the reset ends with the analyst's context: the write is
// not sent again.
func TestWriteRetryWaitEndsWithTheContext(t *testing.T) {
	s, err := sim.Start(sim.Options{Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cctx, cancel := context.WithCancel(ctx())
	c, _ := okta.New(s.Config().Okta[0], httpx.Options{Wait: func(ctx context.Context, d time.Duration) bool {
		if ctx != cctx {
			return true // the pacer's wait for the read-back
		}
		cancel() // the analyst gives up while it waits
		<-ctx.Done()
		return false
	}})
	id := s.Okta.UserID("li.chen@acme.example")
	path := "/api/v1/users/" + id + "/lifecycle/suspend"
	s.Okta.RateLimitNext(http.MethodPost, path, 1)
	if err := c.Suspend(cctx, id); httpx.StatusOf(err) != 429 || s.Okta.Count("POST "+path) != 1 {
		t.Fatalf("cancelled wait: %v, %d requests", err, s.Okta.Count("POST "+path))
	}
	if u, _ := c.User(ctx(), id); u == nil || u.Status == "SUSPENDED" {
		t.Fatalf("suspended after all: %+v", u)
	}
}

// --- scopes ---------------------------------------------------------------

// The default scopes are the fewest that cover every call triage makes,
// and no call needs okta.sessions.manage.
func TestDefaultScopesAreTheFewestTheCallsNeed(t *testing.T) {
	if got := okta.Scopes(); !slices.Equal(got, config.DefaultOktaScopes) {
		t.Fatalf("the operation table needs %v, the config asks for %v", got, config.DefaultOktaScopes)
	}
	if slices.Contains(config.DefaultOktaScopes, "okta.sessions.manage") {
		t.Fatal("okta.sessions.manage is asked for")
	}
}

// A 403 for want of a scope names it: from Okta's challenge, or from the
// operation table when the scopes asked for do not cover the call.
func TestForbiddenNamesTheMissingScope(t *testing.T) {
	s, err := sim.Start(sim.Options{Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s.Okta.TrustKey("", key.Public())
	cfg := config.Okta{Name: "prod", URL: s.Okta.URL, ClientID: sim.OktaClientID, PrivateKeyFile: writeKey(t, "k.pem", key, "sec1"),
		Scopes: []string{"okta.apps.read", "okta.users.read"}}
	c, _ := okta.New(cfg, httpx.Options{})
	id := s.Okta.UserID("li.chen@acme.example")
	err = c.Suspend(ctx(), id)
	want := "Okta prod: 403 E0000006: You do not have permission to perform the requested action; needs the okta.users.manage scope, which this tenant's scopes do not ask for (add it to scopes) [POST /api/v1/users/" + id + "/lifecycle/suspend"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("suspend without okta.users.manage:\n%v\nwant\n%s", err, want)
	}

	// A stand-in org that grants fewer scopes than asked and answers 403
	// without a challenge: the table names the scope.
	rec := newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
		if r.URL.Path == "/oauth2/v1/token" {
			return 200, nil, `{"token_type":"Bearer","expires_in":3600,"access_token":"at","scope":"okta.apps.read"}`
		}
		return 403, nil, `{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorLink":"E0000006","errorId":"oae1","errorCauses":[]}`
	})
	cfg = config.Okta{Name: "prod", URL: rec.srv.URL, ClientID: "0oa1", PrivateKeyFile: cfg.PrivateKeyFile, Scopes: config.DefaultOktaScopes}
	c, _ = okta.New(cfg, httpx.Options{})
	_, err = c.GroupMembers(ctx(), "00g1", 0, "")
	if err == nil || !strings.Contains(err.Error(), "action; needs the okta.groups.read scope, which the service app was not granted [GET /api/v1/groups/00g1/users") {
		t.Fatalf("groups without the grant: %v", err)
	}
	// With an API token a 403 is the admin's role: Okta's words stand.
	c, _ = okta.New(config.Okta{Name: "prod", URL: rec.srv.URL, APIToken: "t"}, httpx.Options{})
	if _, err = c.GroupMembers(ctx(), "00g1", 0, ""); err == nil || strings.Contains(err.Error(), "scope") {
		t.Fatalf("API token 403: %v", err)
	}
}
