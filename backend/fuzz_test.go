package backend_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"triage/backend/atlassian"
	"triage/backend/clean/cleantest"
	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/saas"
)

// The decoders of every vendor, fed through the real client and HTTP stack:
// whatever a vendor answers, every read returns either values whose text is
// terminal-safe or an error that is one clean line. Nothing goes over the
// network: a RoundTripper gives the fuzzed answer to every request (and a
// token to token requests).

// statuses a fuzzed answer may carry; the retried ones (401, 429, 5xx
// gateways) are left out so an input runs in microseconds.
var statuses = []int{200, 200, 200, 201, 204, 400, 403, 404, 409, 500}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func (a answer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	res := &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {a.ctype}}, Request: r,
		Body: io.NopCloser(bytes.NewReader(a.body))}
	if strings.HasSuffix(r.URL.Path, "/token") {
		res.StatusCode, res.Header["Content-Type"] = 200, []string{"application/json"}
		res.Body = io.NopCloser(strings.NewReader(`{"access_token":"t","token_type":"Bearer","expires_in":3600}`))
	}
	return res, nil
}

func fuzzDeps(status uint8, html bool, body []byte) httpx.Options {
	a := answer{status: statuses[int(status)%len(statuses)], ctype: "application/json", body: body}
	if html {
		a.ctype = "text/html"
	}
	return httpx.Options{Transport: a}
}

// checked fails the input when a read's value holds terminal controls or
// its error is not one clean line.
func checked(t *testing.T, what string, v any, err error) {
	t.Helper()
	if err != nil {
		msg := err.Error()
		if r, bad := cleantest.Unsafe(msg); bad || strings.Contains(msg, "\n") {
			t.Fatalf("%s: the error is not one clean line (%U): %q", what, r, msg)
		}
		return
	}
	if s, bad := cleantest.Dirty(v); bad {
		t.Fatalf("%s: a control reached a decoded value: %q", what, s)
	}
}

func seeds(f *testing.F, bodies ...string) {
	for i, b := range append(bodies, ``, `null`, `[]`, `{}`, `"x"`, `<html><title>Down</title></html>`, "{\"message\":\"\x1b]52;c;eA==\x07no\"}") {
		f.Add(uint8(i), i%5 == 4, []byte(b))
	}
}

func FuzzITMAnswers(f *testing.F) {
	seeds(f,
		`{"data":[{"id":"e1","fqid":"f1","incident":{"id":"i1","name":"\u001b[2Jx","severity":"high|75","status":"it:incident:status:new"},"messages":[{"subject":"\u202egnp.exe","sender":{"email":"a@b"}}]}],"_meta":{"stats":{"total":"1"}}}`,
		`{"_status":{"status":"400","code":"it:error:invalid-query","message":"bad\r\nquery"}}`,
		`{"data":[{"id":"u1","username":"sam","email":"s@x","firstName":"\u009b31m","status":"active"}]}`,
		`[{"id":"u2","email":"x@y"},7,null]`)
	f.Fuzz(func(t *testing.T, status uint8, html bool, body []byte) {
		c, err := itm.New(config.ITM{Name: "t", BaseURL: "http://itm.test", APIVersion: "v2", ClientID: "id", ClientSecret: "s"}, fuzzDeps(status, html, body))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		p, err := c.Incidents(ctx, itm.Query{Limit: 10})
		checked(t, "Incidents", p, err)
		for i := range p.Tickets {
			tk := &p.Tickets[i]
			checked(t, "ticket labels", []string{tk.Key(), tk.Subject(), tk.Person(), tk.Assignee(), itm.ParseSeverity(string(tk.Incident.Severity)).Word}, nil)
		}
		tk, err := c.Ticket(ctx, "f1")
		checked(t, "Ticket", tk, err)
		users, err := c.Users(ctx, itm.UserQuery{})
		checked(t, "Users", users, err)
		for _, u := range users {
			checked(t, "user label", u.Label(), nil)
		}
		email, err := c.RawEmail(ctx, "f1")
		checked(t, "RawEmail", email, err)
	})
}

func FuzzSaaSAnswers(f *testing.F) {
	seeds(f,
		`{"resources":[{"incident_id":"1","asset_name":"\u001b]0;t\u0007a.txt","state":"open","severity":"4","app_type":"google_drive"},3],"nextPath":"/incident/api/incidents/delta?x","limit":"500"}`,
		`[{"incident_id":"2","asset_name":"pay\u200bpal"}]`,
		`{"apps":[{"id":"a","name":"\u202eDrive"}]}`,
		`{"status":"pending","asset_id":"a","remediation_type":"quarantine","action_date":"2026-11-25T12:00:00Z"}`,
		`{"state":"closed","category":"misidentified"}`)
	f.Fuzz(func(t *testing.T, status uint8, html bool, body []byte) {
		c, err := saas.New(config.SaaS{Name: "t", BaseURL: "http://saas.test", ClientID: "id", ClientSecret: "s"}, fuzzDeps(status, html, body))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		p, err := c.Incidents(ctx, saas.Query{Limit: 10})
		checked(t, "Incidents", p, err)
		for i := range p.Incidents {
			inc := &p.Incidents[i]
			checked(t, "incident labels", []string{inc.StateName(), inc.Owner(), inc.Policy(), saas.ParseSeverity(string(inc.Severity)).Word()}, nil)
		}
		inc, err := c.Incident(ctx, "1")
		checked(t, "Incident", inc, err)
		st, err := c.State(ctx, "1")
		checked(t, "State", st, err)
		apps, err := c.Apps(ctx)
		checked(t, "Apps", apps, err)
		rem, err := c.RemediationStatus(ctx, "a", saas.Quarantine)
		checked(t, "RemediationStatus", rem, err)
	})
}

func FuzzOktaAnswers(f *testing.F) {
	seeds(f,
		`[{"id":"00u1","status":"ACTIVE","profile":{"login":"\u001b]8;;http://x\u001b\\li","firstName":["x"],"title":{"a":"\u009b2J"}}},"odd"]`,
		`[{"id":"0oa1","name":"app","label":"\u202eKrowteN","status":"ACTIVE","_links":{"appLinks":[{"name":"x","href":"h"}]}}]`,
		`[{"uuid":"e1","published":"2026-11-25T12:00:00Z","eventType":"user.session.start","displayMessage":"DENY\rALLOW","actor":{"type":"User","alternateId":"a\u0007b"},"client":{"geographicalContext":{"city":"\u200bX"}},"outcome":{"result":"FAILURE"}}]`,
		`{"id":"00g1","profile":{"name":"\u202egroup"}}`,
		`{"errorCode":"E0000007","errorSummary":"Not found\r\n\u001b[2J","errorCauses":[{"errorSummary":"x"}]}`)
	f.Fuzz(func(t *testing.T, status uint8, html bool, body []byte) {
		c, err := okta.New(config.Okta{Name: "t", URL: "http://okta.test", APIToken: "x"}, fuzzDeps(status, html, body))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		apps, err := c.Apps(ctx, okta.AppQuery{}, "")
		checked(t, "Apps", apps, err)
		app, err := c.App(ctx, "0oa1")
		checked(t, "App", app, err)
		aus, err := c.AppUsers(ctx, "0oa1", 5, "")
		checked(t, "AppUsers", aus, err)
		for _, au := range aus.Items {
			checked(t, "app user login", au.Login(), nil)
		}
		au, _, err := c.Assignment(ctx, "0oa1", "00u1")
		checked(t, "Assignment", au, err)
		links, err := c.UserAppLinks(ctx, "00u1")
		checked(t, "UserAppLinks", links, err)
		g, err := c.Group(ctx, "00g1")
		checked(t, "Group", g, err)
		members, err := c.GroupMembers(ctx, "00g1", 5, "")
		checked(t, "GroupMembers", members, err)
		groups, err := c.UserGroups(ctx, "00u1")
		checked(t, "UserGroups", groups, err)
		u, err := c.User(ctx, "00u1")
		checked(t, "User", u, err)
		users, err := c.Users(ctx, okta.UserQuery{}, "")
		checked(t, "Users", users, err)
		for _, u := range users.Items {
			checked(t, "user labels", append([]string{u.Login(), u.Profile.Name()}, u.Profile.Keys()...), nil)
		}
		logs, err := c.Logs(ctx, okta.LogQuery{}, "")
		checked(t, "Logs", logs, err)
		for _, e := range logs.Events {
			checked(t, "event labels", []string{e.Actor.Label(), e.Client.GeographicalContext.Place()}, nil)
		}
		ev, err := okta.DecodeEvent(body)
		checked(t, "DecodeEvent", ev, err)
	})
}

func FuzzAtlassianAnswers(f *testing.F) {
	seeds(f,
		`{"Resources":[{"id":"1","userName":"a@b.example","displayName":"\u001b[2J","active":"false","name":{"givenName":"\u202ex"}}],"totalResults":"1","startIndex":1}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"exists\r\nnow"}`,
		`{"id":"g1","displayName":"pay\u200bpal","members":[{"value":"1","display":"\u0007x"}]}`)
	f.Fuzz(func(t *testing.T, status uint8, html bool, body []byte) {
		c, err := atlassian.New(config.Atlassian{Name: "t", BaseURL: "http://atl.test", DirectoryID: "d", Token: "x"}, fuzzDeps(status, html, body))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		p, err := c.Users(ctx, 1, 10)
		checked(t, "Users", p, err)
		for i := range p.Items {
			u := &p.Items[i]
			checked(t, "user labels", []string{u.Email(), u.FullName(), u.DepartmentName()}, nil)
		}
		u, err := c.User(ctx, "1")
		checked(t, "User", u, err)
		found, _, err := c.FindUser(ctx, "a@b.example")
		checked(t, "FindUser", found, err)
		gs, err := c.Groups(ctx, 1, 10)
		checked(t, "Groups", gs, err)
		g, err := c.Group(ctx, "g1")
		checked(t, "Group", g, err)
	})
}

func FuzzEssentialsAnswers(f *testing.F) {
	seeds(f,
		`{"users":[{"uid":"7","primary_email":"a@b.example","firstname":"\u001b]0;x\u0007","is_active":"false","block_list_senders":["\u202ey.example"]}]}`,
		`[{"primary_email":"a@b.example","isactive":1},"odd",null]`,
		`{"allow_list":["partner.example"],"block_list":["evil\u200b.example"]}`,
		`{"name":"\u009b2Jacme","domain":"acme.example"}`,
		`{"errors":[{"status":400,"error_message":"bad\r\ninput"}]}`)
	f.Fuzz(func(t *testing.T, status uint8, html bool, body []byte) {
		c, err := essentials.New(config.Essentials{Name: "t", BaseURL: "http://ess.test", Domain: "acme.example", Username: "u", Password: "p"}, fuzzDeps(status, html, body))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		org, err := c.Org(ctx)
		checked(t, "Org", org, err)
		users, err := c.Users(ctx)
		checked(t, "Users", users, err)
		for i := range users {
			u := &users[i]
			checked(t, "user labels", append([]string{u.Name()}, append(u.Allowed(), u.Blocked()...)...), nil)
		}
		u, err := c.User(ctx, "a@b.example")
		checked(t, "User", u, err)
		lists, err := c.SenderLists(ctx, "")
		checked(t, "SenderLists", lists, err)
	})
}
