package sim

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// serviceApp is one OAuth 2.0 service app of the org.
type serviceApp struct {
	keys        map[string]crypto.PublicKey // by kid ("" when the app has one key)
	requireDPoP bool
}

// dpopAlgs are the proof algorithms Okta's challenges list.
const dpopAlgs = "RS256 RS384 RS512 ES256 ES384 ES512"

// dpopWindow is how far a proof's iat may be from the present. It is a
// protocol timer, on the wall clock like token lifetimes (the client signs
// with its own clock, which a pinned data clock would not match).
const dpopWindow = 5 * time.Minute

// dpopState is the org's side of DPoP: the nonces the authorization and
// resource servers hand out, the proofs seen, and the key each token is
// bound to.
type dpopState struct {
	mu            sync.Mutex
	tokenNonce    string
	resourceNonce string
	// resourceNonces says whether API calls must carry resourceNonce.
	// Okta's DPoP guide says its resource server does not require a nonce
	// today, and the official SDK sends the token endpoint's nonce to the
	// API and never retries there; off by default, as Okta is.
	resourceNonces bool
	jtis           map[string]time.Time // proof jti -> iat, pruned past the window
	bound          map[string]string    // access token -> jkt (RFC 7638 thumbprint)
}

func newDPoPState() *dpopState {
	return &dpopState{tokenNonce: randomNonce(), resourceNonce: randomNonce(), jtis: map[string]time.Time{}, bound: map[string]string{}}
}

func randomNonce() string {
	var b [24]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// RequireResourceNonce makes API calls with a DPoP token carry the
// resource server's own nonce (use_dpop_nonce until they do), as RFC 9449
// section 9 allows and Okta may start to demand.
func (s *Okta) RequireResourceNonce(on bool) {
	s.dpop.mu.Lock()
	s.dpop.resourceNonces = on
	s.dpop.mu.Unlock()
}

// OktaRetry is a retry after a 429 as the client named it.
type OktaRetry struct {
	Path, RetryFor, RetryCount string
}

// Retries are the API calls that said they repeat a 429
// (X-Okta-Retry-For, X-Okta-Retry-Count), oldest first.
func (s *Okta) Retries() []OktaRetry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]OktaRetry(nil), s.retries...)
}

func (s *Okta) noteRetry(r *http.Request) {
	if f := r.Header.Get("X-Okta-Retry-For"); f != "" || r.Header.Get("X-Okta-Retry-Count") != "" {
		s.mu.Lock()
		s.retries = append(s.retries, OktaRetry{r.Method + " " + r.URL.Path, f, r.Header.Get("X-Okta-Retry-Count")})
		s.mu.Unlock()
	}
}

// RateLimitNext answers the next times requests to method and path with
// Okta's 429 (E0000047, X-Rate-Limit-* with a reset 5 seconds ahead, an
// X-Okta-Request-Id) without processing them, as when the bucket is empty.
func (s *Okta) RateLimitNext(method, path string, times int) (requestID string) {
	requestID = fmt.Sprintf("oae429%013d", s.errors.Add(1))
	now := time.Now()
	h := http.Header{
		"X-Rate-Limit-Limit":     {strconv.Itoa(s.limits.limit(path))},
		"X-Rate-Limit-Remaining": {"0"},
		"X-Rate-Limit-Reset":     {strconv.FormatInt(now.Add(5*time.Second).Unix(), 10)},
		"X-Okta-Request-Id":      {requestID},
		"Date":                   {now.UTC().Format(http.TimeFormat)},
	}
	body := fmt.Sprintf(`{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":%q,"errorCauses":[]}`, requestID)
	s.Inject(&Fault{Path: path, Method: method, Status: http.StatusTooManyRequests, Header: h, Body: body, Times: times})
	return requestID
}

// --- resource server -------------------------------------------------------

// challenge is Okta's WWW-Authenticate for an OAuth token: the scheme the
// token was sent with (DPoP adds the algs it takes), the org as realm,
// and the error; the resource is the path asked for.
func (s *Okta) challenge(w http.ResponseWriter, r *http.Request, scheme, scope, code, desc string) {
	v := scheme + " "
	if scheme == "DPoP" {
		v += `algs="` + dpopAlgs + `", `
	}
	v += fmt.Sprintf(`authorization_uri="%s/oauth2/v1/authorize", realm="%s", `, s.URL, s.URL)
	if scope != "" {
		v += `scope="` + scope + `", `
	}
	v += fmt.Sprintf(`error="%s", error_description="%s", resource="%s"`, code, desc, r.URL.Path)
	w.Header().Set("WWW-Authenticate", v)
}

func (s *Okta) authorized(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "SSWS "); ok {
		s.mu.RLock()
		valid := s.apiToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.apiToken)) == 1
		s.mu.RUnlock()
		if valid {
			return true
		}
		s.fail(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return false
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if scheme != "Bearer" && scheme != "DPoP" {
		s.fail(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return false
	}
	if !s.bearers.validToken(tok) {
		// Okta's resource server explains a bad token only in the
		// challenge header.
		s.challenge(w, r, scheme, "", "invalid_token", "The access token is invalid.")
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	s.dpop.mu.Lock()
	jkt, bound := s.dpop.bound[tok]
	s.dpop.mu.Unlock()
	switch {
	case bound && scheme == "Bearer":
		// RFC 9449 §7.2: a DPoP-bound token is no bearer token.
		s.challenge(w, r, "DPoP", "", "invalid_token", "The access token is DPoP-bound: send it with the DPoP scheme and a DPoP proof.")
		w.WriteHeader(http.StatusUnauthorized)
		return false
	case !bound && scheme == "DPoP":
		s.challenge(w, r, "Bearer", "", "invalid_token", "The access token is not DPoP-bound.")
		w.WriteHeader(http.StatusUnauthorized)
		return false
	case bound:
		if code, desc := s.checkProof(r, tok, jkt, false); code != "" {
			if code == "use_dpop_nonce" {
				s.dpop.mu.Lock()
				w.Header().Set("DPoP-Nonce", s.dpop.resourceNonce)
				s.dpop.mu.Unlock()
			}
			s.challenge(w, r, "DPoP", "", code, desc)
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
	}
	need := scopeFor(r.Method, r.URL.Path)
	s.mu.RLock()
	granted := s.scopes[tok]
	s.mu.RUnlock()
	if hasScope(granted, need) {
		return true
	}
	s.challenge(w, r, scheme, need, "insufficient_scope", "The access token provided does not contain the required scopes.")
	s.fail(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
	return false
}

// scopeFor is the okta.* scope an API call needs, as the security section
// of each operation in Okta's Management API spec (okta-sdk-golang v5
// okta/api/openapi.yaml) names it: the resource is the collection the path
// starts with (a user's appLinks, groups and sessions are okta.users.*),
// .read for reads, .manage for changes (clearing sessions, revokeUserSessions,
// is okta.users.manage).
func scopeFor(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	res := "users"
	if len(parts) >= 3 {
		res = parts[2]
	}
	if method == http.MethodGet {
		return "okta." + res + ".read"
	}
	return "okta." + res + ".manage"
}

// hasScope reports whether granted allows need: .manage allows .read.
func hasScope(granted []string, need string) bool {
	manage := strings.TrimSuffix(need, ".read") + ".manage"
	for _, g := range granted {
		if g == need || g == manage {
			return true
		}
	}
	return false
}

// --- authorization server --------------------------------------------------

// token is the org authorization server's client-credentials grant for a
// service app authenticating with private_key_jwt. The parameters may come
// in the form body or, as Okta's Go SDK sends them, in the query string of
// a POST with an empty body (okta-sdk-golang v5 okta/client.go
// getAccessTokenForPrivateKey): Okta takes both.
func (s *Okta) token(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(status int, code, desc string) {
		writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthErr(http.StatusBadRequest, "invalid_request", "The request must be form-encoded.")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthErr(http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	f := r.Form // the body's parameters, then the query's
	switch {
	case f.Get("grant_type") != "client_credentials":
		oauthErr(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	case f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || f.Get("client_assertion") == "":
		oauthErr(http.StatusUnauthorized, "invalid_client", "The client_assertion_type and client_assertion parameters are required for private_key_jwt.")
		return
	case f.Get("client_secret") != "":
		oauthErr(http.StatusUnauthorized, "invalid_client", "Client authentication failed: this app authenticates with private_key_jwt, not a secret.")
		return
	}
	clientID := assertionIssuer(f.Get("client_assertion"))
	s.mu.RLock()
	app := s.clients[clientID]
	requireDPoP := app != nil && app.requireDPoP
	s.mu.RUnlock()
	if app == nil {
		oauthErr(http.StatusUnauthorized, "invalid_client", "The client_assertion iss and sub claims must be the client id of a service app.")
		return
	}
	// The proof is checked before the assertion, whose jti is then still
	// unspent: Okta's answers here (Okta developer docs, guides/dpop).
	jkt := ""
	if r.Header.Get("DPoP") != "" || requireDPoP {
		if r.Header.Get("DPoP") == "" {
			oauthErr(http.StatusBadRequest, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
			return
		}
		code, desc := s.checkProof(r, "", "", true)
		if code == "use_dpop_nonce" {
			s.dpop.mu.Lock()
			w.Header().Set("DPoP-Nonce", s.dpop.tokenNonce)
			s.dpop.mu.Unlock()
		}
		if code != "" {
			oauthErr(http.StatusBadRequest, code, desc)
			return
		}
		jkt = proofThumbprint(r.Header.Get("DPoP"))
	}
	if desc := s.checkAssertion(r, f.Get("client_assertion"), clientID, f.Get("client_id")); desc != "" {
		oauthErr(http.StatusUnauthorized, "invalid_client", desc)
		return
	}
	asked := strings.Fields(f.Get("scope"))
	if len(asked) == 0 {
		oauthErr(http.StatusBadRequest, "invalid_scope", "The authorization server requires a scope.")
		return
	}
	var refused []string
	for _, sc := range asked {
		if !hasScope(OktaScopes, sc) {
			refused = append(refused, sc)
		}
	}
	if len(refused) > 0 {
		oauthErr(http.StatusBadRequest, "invalid_scope", "The following scopes are not allowed: "+strings.Join(refused, " "))
		return
	}
	tok := s.bearers.issue("okta", time.Hour)
	s.mu.Lock()
	s.scopes[tok] = asked
	s.mu.Unlock()
	typ := "Bearer"
	if jkt != "" {
		typ = "DPoP"
		s.dpop.mu.Lock()
		s.dpop.bound[tok] = jkt
		s.dpop.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, map[string]any{"token_type": typ, "expires_in": 3600, "access_token": tok, "scope": strings.Join(asked, " ")})
}

// orgURL is the org's URL as the client reached it: an org also answers
// on its custom domain, and assertions and proofs name the URL the client
// used (a proxy before the simulator keeps the client's Host).
func orgURL(r *http.Request) string {
	return "http://" + r.Host
}

// assertionIssuer is the iss of an assertion before it is verified, to
// find the app whose keys verify it.
func assertionIssuer(assertion string) string {
	claims := jwt.RegisteredClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, &claims); err != nil {
		return ""
	}
	return claims.Issuer
}

// checkAssertion verifies a client assertion; "" means it is good. Its
// signature is checked against the app's keys registered with TrustKey;
// aud is the token URL, iss and sub the client id, exp at most an hour
// after iat. A jti is optional, as Okta's Go SDK sends none
// (okta-sdk-golang v5 okta/client.go createClientAssertion), but one that
// is sent is never accepted twice.
func (s *Okta) checkAssertion(r *http.Request, assertion, clientID, formClientID string) string {
	aud := orgURL(r) + "/oauth2/v1/token"
	claims := jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(assertion, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		s.mu.RLock()
		defer s.mu.RUnlock()
		if k, ok := s.clients[clientID].keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("no key with kid %q is registered for the app", kid)
	}, jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}),
		jwt.WithAudience(aud), jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second))
	switch {
	case err != nil:
		return "The client_assertion token is invalid: " + err.Error()
	case claims.Issuer != clientID || claims.Subject != clientID:
		return "The client_assertion iss and sub claims must be the client id."
	case formClientID != "" && formClientID != clientID:
		return "The client_id does not match the client_assertion."
	case claims.IssuedAt == nil || claims.ExpiresAt.Sub(claims.IssuedAt.Time) > time.Hour:
		return "The client_assertion token has an expiration too far in the future."
	case claims.ID == "":
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jtis[claims.ID] {
		return "The client_assertion token has already been used (jti replay)."
	}
	s.jtis[claims.ID] = true
	return ""
}

// --- DPoP proofs -----------------------------------------------------------

// checkProof validates the request's DPoP proof (RFC 9449 §4.3): one
// header, typ dpop+jwt, an asymmetric alg, a public jwk that verifies the
// signature, htm and htu naming this request (htu without query), iat
// within the window, a jti never seen, the server's nonce, and on a
// resource call ath = base64url(SHA-256(token)) and the key the token is
// bound to. It returns Okta's error code and description, or "" when good.
func (s *Okta) checkProof(r *http.Request, token, jkt string, atToken bool) (code, desc string) {
	const bad = "invalid_dpop_proof"
	if len(r.Header.Values("DPoP")) != 1 {
		return bad, "The DPoP proof JWT header is missing."
	}
	proof := r.Header.Get("DPoP")
	var claims struct {
		HTM   string `json:"htm"`
		HTU   string `json:"htu"`
		IAT   *int64 `json:"iat"`
		JTI   string `json:"jti"`
		ATH   string `json:"ath"`
		Nonce string `json:"nonce"`
		jwt.RegisteredClaims
	}
	var headerErr string
	_, err := jwt.ParseWithClaims(proof, &claims, func(t *jwt.Token) (any, error) {
		if t.Header["typ"] != "dpop+jwt" {
			headerErr = "The DPoP proof JWT 'typ' header is invalid."
			return nil, fmt.Errorf("typ")
		}
		jwk, _ := t.Header["jwk"].(map[string]any)
		if _, private := jwk["d"]; private || jwk == nil {
			headerErr = "The DPoP proof JWT 'jwk' header is invalid."
			return nil, fmt.Errorf("jwk")
		}
		k, err := publicJWK(jwk)
		if err != nil {
			headerErr = "The DPoP proof JWT 'jwk' header is invalid."
		}
		return k, err
	}, jwt.WithValidMethods(strings.Fields(dpopAlgs)))
	switch {
	case headerErr != "":
		return bad, headerErr
	case err != nil:
		return bad, "DPoP proof JWT cannot be parsed or its signature is invalid."
	}
	htu := orgURL(r) + r.URL.EscapedPath()
	now := time.Now()
	switch {
	case claims.HTM != r.Method:
		return bad, "'htm' claim in the DPoP proof JWT is invalid."
	case claims.HTU != htu:
		return bad, "'htu' claim in the DPoP proof JWT is invalid."
	case claims.IAT == nil || now.Sub(time.Unix(*claims.IAT, 0)).Abs() > dpopWindow:
		return bad, "'iat' claim in the DPoP proof JWT is invalid."
	case claims.JTI == "":
		return bad, "'jti' claim in the DPoP proof JWT is missing."
	}
	if !atToken {
		sum := sha256.Sum256([]byte(token))
		if claims.ATH != base64.RawURLEncoding.EncodeToString(sum[:]) {
			return bad, "'ath' claim in the DPoP proof JWT is invalid."
		}
		if proofThumbprint(proof) != jkt {
			return "invalid_token", "The DPoP proof key does not match the key the access token is bound to."
		}
	}
	s.dpop.mu.Lock()
	defer s.dpop.mu.Unlock()
	want := s.dpop.resourceNonce
	if atToken {
		want = s.dpop.tokenNonce
	}
	if claims.Nonce != want && (atToken || s.dpop.resourceNonces) {
		if atToken {
			return "use_dpop_nonce", "Authorization server requires nonce in DPoP proof."
		}
		return "use_dpop_nonce", "Resource server requires nonce in DPoP proof."
	}
	if _, seen := s.dpop.jtis[claims.JTI]; seen {
		return bad, "The DPoP proof JWT has already been used ('jti' replay)."
	}
	for j, at := range s.dpop.jtis {
		if now.Sub(at) > 2*dpopWindow {
			delete(s.dpop.jtis, j)
		}
	}
	s.dpop.jtis[claims.JTI] = time.Unix(*claims.IAT, 0)
	return "", ""
}

// publicJWK is the public key of an EC or RSA JWK.
func publicJWK(jwk map[string]any) (crypto.PublicKey, error) {
	str := func(k string) []byte {
		v, _ := jwk[k].(string)
		b, _ := base64.RawURLEncoding.DecodeString(v)
		return b
	}
	switch jwk["kty"] {
	case "EC":
		curves := map[any]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}
		c, ok := curves[jwk["crv"]]
		if !ok {
			return nil, fmt.Errorf("curve")
		}
		size := (c.Params().BitSize + 7) / 8
		x, y := str("x"), str("y")
		if len(x) != size || len(y) != size {
			return nil, fmt.Errorf("point")
		}
		return ecdsa.ParseUncompressedPublicKey(c, append(append([]byte{4}, x...), y...))
	case "RSA":
		n, e := str("n"), str("e")
		if len(n) < 256 || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("rsa")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	}
	return nil, fmt.Errorf("kty")
}

// proofThumbprint is the RFC 7638 thumbprint of a proof's jwk, "" when it
// has none.
func proofThumbprint(proof string) string {
	t, _, err := jwt.NewParser().ParseUnverified(proof, jwt.MapClaims{})
	if err != nil {
		return ""
	}
	jwk, _ := t.Header["jwk"].(map[string]any)
	get := func(k string) string { v, _ := jwk[k].(string); return v }
	var members string
	switch get("kty") {
	case "EC":
		members = fmt.Sprintf(`{"crv":%q,"kty":"EC","x":%q,"y":%q}`, get("crv"), get("x"), get("y"))
	case "RSA":
		members = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, get("e"), get("n"))
	default:
		return ""
	}
	sum := sha256.Sum256([]byte(members))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
