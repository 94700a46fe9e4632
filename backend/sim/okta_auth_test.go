package sim

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"triage/backend/clock"
)

// sdkTokenRequest is what Okta's Go SDK sends (okta-sdk-golang v5
// okta/client.go createClientAssertion and getAccessTokenForPrivateKey): an
// assertion without jti, aud a plain string, RS256 with the key's kid; the
// parameters in the query string of a POST with no body.
func sdkTokenRequest(t *testing.T, orgURL string, key *rsa.PrivateKey, kid string) *http.Request {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": OktaClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "iss": OktaClientID, "aud": orgURL + "/oauth2/v1/token",
	})
	tok.Header["kid"] = kid
	assertion, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	q.Add("grant_type", "client_credentials")
	q.Add("scope", "okta.users.read okta.apps.read")
	q.Add("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	q.Add("client_assertion", assertion)
	req, err := http.NewRequest("POST", orgURL+"/oauth2/v1/token?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Add("Accept", "application/json")
	req.Header.Add("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Add("User-Agent", "okta-sdk-golang/5.0.2")
	return req
}

func TestOktaTakesTheGoSDKsTokenRequest(t *testing.T) {
	s, err := Start(Options{Clock: clock.Pin(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	s.Okta.TrustKey("sdk-kid", key.Public())

	for i := 0; i < 2; i++ { // no jti: nothing to replay, so a second one is taken too
		res, err := http.DefaultClient.Do(sdkTokenRequest(t, s.Okta.URL, key, "sdk-kid"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var tok struct {
			TokenType   string `json:"token_type"`
			AccessToken string `json:"access_token"`
			Scope       string `json:"scope"`
		}
		if res.StatusCode != 200 || json.Unmarshal(body, &tok) != nil || tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.Scope != "okta.users.read okta.apps.read" {
			t.Fatalf("SDK token request %d: %d %s", i, res.StatusCode, body)
		}
		req, _ := http.NewRequest("GET", s.Okta.URL+"/api/v1/users?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
			t.Fatalf("the SDK's token: %v %v", err, res)
		}
	}

	// An assertion with a jti is still taken only once.
	now := time.Now()
	claims := jwt.MapClaims{"sub": OktaClientID, "iss": OktaClientID, "aud": s.Okta.URL + "/oauth2/v1/token", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": "once"}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "sdk-kid"
	assertion, _ := tok.SignedString(key)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"okta.users.read"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	for i, want := range []string{"", `"error":"invalid_client","error_description":"The client_assertion token has already been used (jti replay)."`} {
		res, err := http.Post(s.Okta.URL+"/oauth2/v1/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if (want == "") != (res.StatusCode == 200) || !strings.Contains(string(body), want) {
			t.Fatalf("jti use %d: %d %s", i, res.StatusCode, body)
		}
	}
}
