package okta_test

import (
	"net/http"
	"strings"
	"testing"

	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/okta"
)

// A server that ignores the users filter answers everyone: the first user
// of that list is somebody else, and must never be taken for the person
// asked for. Okta compares logins case-insensitively, so a login that
// differs only in case is the person.
func TestFindUserNeverTakesSomeoneElse(t *testing.T) {
	everyone := `[{"id":"00u1","status":"ACTIVE","profile":{"login":"ana.ito@acme.example","email":"ana.ito@acme.example"}},` +
		`{"id":"00u2","status":"ACTIVE","profile":{"login":"li.chen@acme.example","email":"li.chen@acme.example"}}]`
	one := `[{"id":"00u2","status":"ACTIVE","profile":{"login":"li.chen@acme.example","email":"li.chen@acme.example"}}]`
	rec := newRecorder(t, func(r *http.Request, n int) (int, http.Header, string) {
		switch f := r.URL.Query().Get("filter"); {
		case strings.Contains(f, "nobody"), strings.Contains(f, `o\"brien`):
			return 200, nil, "[]"
		case strings.Contains(f, "Li.Chen"):
			return 200, nil, one
		}
		return 200, nil, everyone
	})
	c, err := okta.New(config.Okta{Name: "prod", URL: rec.srv.URL, APIToken: "t0ken-prod"}, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, find := range []func() (*okta.User, bool, error){
		func() (*okta.User, bool, error) { return c.FindUser(ctx(), "li.chen@acme.example") },
		func() (*okta.User, bool, error) { return c.FindUserByEmail(ctx(), "li.chen@acme.example") },
	} {
		u, found, err := find()
		if found || u != nil || err == nil || !strings.Contains(err.Error(), "the server ignored the filter") ||
			!strings.HasPrefix(err.Error(), "Okta prod: 200: ") {
			t.Fatalf("filter ignored: found %v %+v, err %v", found, u, err)
		}
	}
	u, found, err := c.FindUser(ctx(), "Li.Chen@ACME.example")
	if err != nil || !found || u.ID != "00u2" {
		t.Fatalf("same login in another case: %v %v %+v", err, found, u)
	}
	if u, found, err := c.FindUser(ctx(), "nobody@acme.example"); err != nil || found || u != nil {
		t.Fatalf("nobody: %v %v %+v", err, found, u)
	}
	// A quote in a login is escaped inside the filter's string.
	if _, found, err := c.FindUser(ctx(), `o"brien@acme.example`); err != nil || found {
		t.Fatalf("o\"brien: %v %v", err, found)
	}
	reqs := rec.requests()
	if last := reqs[len(reqs)-1].RawQuery; last != "filter=profile.login+eq+%22o%5C%22brien%40acme.example%22&limit=2" {
		t.Fatalf("asked %q", last)
	}
	if reqs[0].RawQuery != "filter=profile.login+eq+%22li.chen%40acme.example%22&limit=2" ||
		reqs[1].RawQuery != "filter=profile.email+eq+%22li.chen%40acme.example%22&limit=2" {
		t.Fatalf("asked %q, %q", reqs[0].RawQuery, reqs[1].RawQuery)
	}
}
