package okta

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertionType is the client_assertion_type of private_key_jwt (RFC 7523).
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLife is how long a signed assertion is valid. Okta accepts up to
// an hour; a fresh one is signed for every token request, so minutes do.
const assertionLife = 5 * time.Minute

// signer signs the client assertions of an OAuth 2.0 service app.
type signer struct {
	key      crypto.Signer
	method   jwt.SigningMethod
	keyID    string
	clientID string
	tokenURL string
	now      func() time.Time
}

// loadSigner reads the service app's private key: PEM, as PKCS#1 or PKCS#8
// RSA (signed RS256) or SEC1 or PKCS#8 EC (ES256, ES384 or ES512 by curve).
func loadSigner(path, keyID, clientID, tokenURL string) (*signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("private_key_file: %w", err)
	}
	key, err := parseKey(data)
	if err != nil {
		return nil, fmt.Errorf("private_key_file %s: %w", path, err)
	}
	s := &signer{key: key, keyID: keyID, clientID: clientID, tokenURL: tokenURL, now: time.Now}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		s.method = jwt.SigningMethodRS256
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			s.method = jwt.SigningMethodES256
		case elliptic.P384():
			s.method = jwt.SigningMethodES384
		case elliptic.P521():
			s.method = jwt.SigningMethodES512
		default:
			return nil, fmt.Errorf("private_key_file %s: EC curve %s is not one Okta accepts (P-256, P-384, P-521)", path, k.Curve.Params().Name)
		}
	default:
		return nil, fmt.Errorf("private_key_file %s: a %T key cannot sign for Okta (use RSA or EC)", path, key)
	}
	return s, nil
}

func parseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("no PEM block found (Okta's JWK download must be converted to PEM)")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s block is not a PKCS#1, PKCS#8 or SEC1 private key", block.Type)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%T is not a signing key", k)
	}
	return s, nil
}

// params are the form fields that authenticate one token request: a newly
// signed assertion each time, so none is ever replayed.
func (s *signer) params() (url.Values, error) {
	assertion, err := s.assertion()
	if err != nil {
		return nil, err
	}
	return url.Values{"client_assertion_type": {assertionType}, "client_assertion": {assertion}}, nil
}

// assertion is the signed JWT: aud is the token URL, iss and sub the
// client id, a random jti, and a short expiry.
func (s *signer) assertion() (string, error) {
	now := s.now()
	claims := jwt.RegisteredClaims{
		Audience:  jwt.ClaimStrings{s.tokenURL},
		Issuer:    s.clientID,
		Subject:   s.clientID,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(assertionLife)),
		ID:        newUUID(),
	}
	tok := jwt.NewWithClaims(s.method, claims)
	if s.keyID != "" {
		tok.Header["kid"] = s.keyID
	}
	signed, err := tok.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %w", err)
	}
	return signed, nil
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
