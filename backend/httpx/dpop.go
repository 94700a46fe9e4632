package httpx

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// DPoP proves possession of a key with every token request and API call
// (RFC 9449), so a token that leaks is useless without the key. The key is
// made in memory when the client is built and never leaves the process.
//
// It is an EC P-256 key signing ES256, where Okta's SDK (okta-sdk-golang
// v5 okta/client.go generateDpopJWT) uses RSA 2048: Okta accepts both (its
// challenges list algs="RS256 RS384 RS512 ES256 ES384 ES512"), and P-256 is
// made in microseconds rather than a noticeable pause, with proofs a third
// the size.
type DPoP struct {
	key   *ecdsa.PrivateKey
	jwk   map[string]string
	thumb string
	now   func() time.Time

	mu            sync.Mutex
	on            bool   // send proofs to the token endpoint
	tokenNonce    string // the authorization server's DPoP-Nonce
	resourceNonce string // the resource server's
}

// NewDPoP makes the key. on sends proofs from the first token request;
// off waits until the authorization server asks for them.
func NewDPoP(on bool) (*DPoP, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("DPoP key: %w", err)
	}
	b, err := key.PublicKey.Bytes() // 0x04 || X || Y, 32 bytes each
	if err != nil || len(b) != 65 {
		return nil, fmt.Errorf("DPoP key: %v", err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	jwk := map[string]string{"kty": "EC", "crv": "P-256", "x": enc(b[1:33]), "y": enc(b[33:65])}
	return &DPoP{key: key, jwk: jwk, thumb: Thumbprint(jwk), now: time.Now, on: on}, nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of an EC or RSA public JWK:
// the required members in lexicographic order, no spaces. A DPoP-bound
// token carries it as cnf.jkt.
func Thumbprint(jwk map[string]string) string {
	var members string
	switch jwk["kty"] {
	case "EC":
		members = fmt.Sprintf(`{"crv":%q,"kty":"EC","x":%q,"y":%q}`, jwk["crv"], jwk["x"], jwk["y"])
	case "RSA":
		members = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, jwk["e"], jwk["n"])
	default:
		return ""
	}
	sum := sha256.Sum256([]byte(members))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Thumbprint is this key's.
func (d *DPoP) Thumbprint() string { return d.thumb }

// On reports whether proofs go to the token endpoint.
func (d *DPoP) On() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.on
}

// proofClaims are RFC 9449 §4.2's: the method and URI of the request, when,
// a unique id, the hash of the access token on resource calls, and the
// server's nonce when it gave one.
type proofClaims struct {
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	JTI   string `json:"jti"`
	ATH   string `json:"ath,omitempty"`
	Nonce string `json:"nonce,omitempty"`
}

func (proofClaims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (proofClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (proofClaims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (proofClaims) GetIssuer() (string, error)                   { return "", nil }
func (proofClaims) GetSubject() (string, error)                  { return "", nil }
func (proofClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// Proof signs a proof for one request: header typ dpop+jwt, alg ES256 and
// the public jwk; htu is the URL without query or fragment (RFC 9449
// §4.2); ath is base64url(SHA-256(accessToken)) when there is one.
func (d *DPoP) Proof(method string, u *url.URL, accessToken, nonce string) (string, error) {
	htu := *u
	htu.RawQuery, htu.ForceQuery, htu.Fragment, htu.RawFragment, htu.User = "", false, "", "", nil
	c := proofClaims{HTM: method, HTU: htu.String(), IAT: d.now().Unix(), JTI: newJTI(), Nonce: nonce}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		c.ATH = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["typ"] = "dpop+jwt"
	tok.Header["jwk"] = d.jwk
	s, err := tok.SignedString(d.key)
	if err != nil {
		return "", fmt.Errorf("signing the DPoP proof: %w", err)
	}
	return s, nil
}

func newJTI() string {
	var b [18]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// learnToken reads a refused token request: invalid_dpop_proof while
// proofs are off turns them on (the app requires DPoP: Okta's SDK,
// okta/client.go getAccessTokenForPrivateKey, reacts to the same code);
// use_dpop_nonce with a new DPoP-Nonce keeps the nonce (RFC 9449 §8,
// getAccessTokenForDpopPrivateKey). true means the request is worth sending
// again.
func (d *DPoP) learnToken(err error) bool {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return false
	}
	code := re.ErrorCode
	if code == "" {
		var body struct {
			Error string `json:"error"`
		}
		json.Unmarshal(re.Body, &body) //nolint:errcheck // no code means nothing to learn
		code = body.Error
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch code {
	case "invalid_dpop_proof":
		if d.on {
			return false // our proof was refused: saying it again will not help
		}
		d.on = true
		return true
	case "use_dpop_nonce":
		n := re.Response.Header.Get("DPoP-Nonce")
		if !d.on || n == "" || n == d.tokenNonce {
			return false
		}
		d.tokenNonce = n
		return true
	}
	return false
}

// nonceChallenge matches RFC 9449 §9's resource-server challenge:
// WWW-Authenticate: DPoP error="use_dpop_nonce".
var nonceChallenge = regexp.MustCompile(`(?i)(^|[\s,])DPoP\b.*\berror="use_dpop_nonce"`)

// learnResource reads a refused API call: a use_dpop_nonce challenge with a
// new DPoP-Nonce keeps it for the following proofs. true means the call was
// refused for want of it and is worth sending again.
func (d *DPoP) learnResource(h http.Header) bool {
	n := h.Get("DPoP-Nonce")
	if n == "" {
		return false
	}
	challenged := false
	for _, v := range h.Values("WWW-Authenticate") {
		challenged = challenged || nonceChallenge.MatchString(v)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !challenged || n == d.resourceNonce {
		return false
	}
	d.resourceNonce = n
	return true
}

func (d *DPoP) nonces() (token, resource string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tokenNonce, d.resourceNonce
}

// dpopTransport adds a proof to each token request while proofs are on.
type dpopTransport struct {
	base http.RoundTripper
	d    *DPoP
}

func (t dpopTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.d.On() {
		return t.base.RoundTrip(r)
	}
	nonce, _ := t.d.nonces()
	proof, err := t.d.Proof(r.Method, r.URL, "", nonce)
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Header.Set("DPoP", proof)
	return t.base.RoundTrip(r)
}

// isDPoP reports a DPoP-bound token (token_type "DPoP", RFC 9449 §5).
func isDPoP(tok *oauth2.Token) bool { return strings.EqualFold(tok.TokenType, "DPoP") }
