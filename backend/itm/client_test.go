package itm_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/identity"
	"triage/backend/itm"
	"triage/backend/sim"
)

var analyst = identity.Analyst{Name: "alice", Role: "responder"}

// simNow is the simulated present of these tests.
var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func startSim(t *testing.T, o sim.Options) (*sim.Sim, *itm.Client, *audit.Memory) {
	t.Helper()
	if o.Clock == nil {
		o.Clock = clock.Pin(simNow)
	}
	s, err := sim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	mem := &audit.Memory{}
	c, err := itm.New(s.Config().ITM[0], httpx.Options{Audit: mem, Retry: httpx.Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, mem
}

func ctx() context.Context { return identity.With(context.Background(), analyst) }

func TestListPagesNewestFirstAgainstTheSimulator(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 250})
	var all []itm.Ticket
	q := itm.Query{Limit: 100}
	for {
		p, err := c.Incidents(ctx(), q)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 250 {
			t.Fatalf("total = %d", p.Total)
		}
		all = append(all, p.Tickets...)
		if !p.More {
			break
		}
		q.Offset += len(p.Tickets)
	}
	if len(all) != 250 {
		t.Fatalf("got %d tickets over pages, want 250", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Observed().After(all[i-1].Observed()) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	if s.ITM.Tokens() != 1 {
		t.Fatalf("%d tokens for 3 pages, want 1", s.ITM.Tokens())
	}
	first := all[0]
	if first.Incident.Name == "" || first.User.Email == "" || first.Subject() == "" || ParseSev(first) == "" {
		t.Fatalf("fields missing: %+v", first)
	}
}

func ParseSev(t itm.Ticket) string { return itm.ParseSeverity(string(t.Incident.Severity)).Word }

func TestFiltersNarrowTheQuery(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 300})
	p, err := c.Incidents(ctx(), itm.Query{Statuses: []string{"new"}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tickets) == 0 {
		t.Fatal("no new tickets")
	}
	for _, tk := range p.Tickets {
		if itm.StatusName(string(tk.Incident.Status)) != "new" {
			t.Fatalf("status filter leaked %s", tk.Incident.Status)
		}
	}
	since := simNow.Add(-48 * time.Hour)
	p, _ = c.Incidents(ctx(), itm.Query{Since: since, Limit: 1000})
	if len(p.Tickets) == 0 || len(p.Tickets) >= 300 {
		t.Fatalf("%d of 300 tickets in the last 48 hours: the since filter is not shown to narrow", len(p.Tickets))
	}
	for _, tk := range p.Tickets {
		if tk.Observed().Before(since) {
			t.Fatalf("since filter leaked %s", tk.Observed())
		}
	}
	p, _ = c.Incidents(ctx(), itm.Query{People: []string{"li.chen@acme.example"}, Limit: 1000})
	for _, tk := range p.Tickets {
		if tk.Person() != "li.chen@acme.example" {
			t.Fatalf("people filter leaked %s", tk.Person())
		}
	}
	p, _ = c.Incidents(ctx(), itm.Query{Severities: []string{"critical"}, Limit: 1000})
	for _, tk := range p.Tickets {
		if ParseSev(tk) != "critical" {
			t.Fatalf("severity filter leaked %s", tk.Incident.Severity)
		}
	}
}

func TestWritesChangeTheTicketAndAreAudited(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{Rows: 20})
	fqid := s.ITM.FQIDs(1)[0]
	if err := c.Comment(ctx(), fqid, "Looked at the attachment: payroll data.", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Assign(ctx(), fqid, "u-soc-002"); err != nil {
		t.Fatal(err)
	}
	resolved := sim.ITMStatuses[4]
	if err := c.SetStatus(ctx(), fqid, itm.StatusChange{ID: resolved.ID, Title: resolved.Title}); err != nil {
		t.Fatal(err)
	}
	tk, err := c.Ticket(ctx(), fqid)
	if err != nil {
		t.Fatal(err)
	}
	if itm.StatusName(string(tk.Incident.Status)) != "resolved" || tk.Assignee() != "u-soc-002" || len(tk.Annotations.Comments) != 1 {
		t.Fatalf("ticket after writes: status=%s assignee=%s comments=%d", tk.Incident.Status, tk.Assignee(), len(tk.Annotations.Comments))
	}
	if landed, err := c.CommentLanded(ctx(), fqid, "Looked at the attachment: payroll data."); err != nil || !landed {
		t.Fatalf("comment read-back: %v %v", landed, err)
	}
	if len(tk.Raw) == 0 {
		t.Fatal("detail has no raw JSON")
	}
	es := mem.Entries()
	if len(es) != 3 {
		t.Fatalf("%d audit entries, want 3", len(es))
	}
	for i, action := range []string{"itm.comment", "itm.assign", "itm.status"} {
		if es[i].Action != action || es[i].Target != fqid || es[i].Outcome != audit.OK || es[i].Analyst != "alice" || es[i].Tenant != "demo" {
			t.Fatalf("audit %d = %+v", i, es[i])
		}
	}
}

func TestRawEmailIsCleanText(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 20, Hostile: true})
	for _, fqid := range s.ITM.FQIDs(10) {
		raw, err := c.RawEmail(ctx(), fqid)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(raw, "Subject: ") || strings.ContainsAny(raw, "\x1b\r\x07") {
			t.Fatalf("raw email not clean: %q", raw[:min(200, len(raw))])
		}
	}
}

func TestHostileStringsAreCleanedAtDecode(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 50, Hostile: true})
	p, err := c.Incidents(ctx(), itm.Query{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p.Tickets)
	var found bool
	for _, tk := range p.Tickets {
		if strings.Contains(tk.Subject(), "<U+202E>") || strings.Contains(string(tk.User.DisplayName), "ALLOW") {
			found = true
		}
	}
	if !found {
		t.Fatal("hostile data not present: the test would prove nothing")
	}
	if strings.Contains(string(b), `\u001b`) || strings.Contains(string(b), `\u0007`) || strings.Contains(string(b), "\u009b") {
		t.Fatalf("control characters survived decoding")
	}
}

func TestVendorErrorsNameTenantStatusAndMessage(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 5})
	_, err := c.Ticket(ctx(), "no-such-ticket")
	var e *httpx.Error
	if !errors.As(err, &e) || e.Status != 404 || e.Code != "it:error:not-found" || !strings.Contains(err.Error(), "ITM demo") {
		t.Fatalf("err = %v", err)
	}
	err = c.SetStatus(ctx(), "no-such-ticket", itm.StatusChange{ID: "x"})
	if httpx.StatusOf(err) != 404 {
		t.Fatalf("status on a missing ticket: %v", err)
	}
}

func TestWrongSecretIsOneClearLine(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 5, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config().ITM[0]
	cfg.ClientSecret = "wrong"
	c, _ := itm.New(cfg, httpx.Options{})
	err = c.Check(context.Background())
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "Invalid client credentials") {
		t.Fatalf("err = %q", err)
	}
}

// recorder is a stand-in vendor that records every request, to check the
// client speaks the documented API exactly, independent of our simulator.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	body map[string]string // "METHOD /path" -> canned answer
}

type recorded struct {
	Method, Path, RawQuery, Auth, ContentType string
	Body                                      string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.EscapedPath(), req.URL.RawQuery, req.Header.Get("Authorization"), req.Header.Get("Content-Type"), string(b)})
	answer, ok := r.body[req.Method+" "+req.URL.Path]
	r.mu.Unlock()
	if !ok {
		w.WriteHeader(204)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, answer)
}

// A ticket as the vendor facts show it: _status.status as a string, the
// incident's severity and status in their prefixed forms.
const vendorTicket = `{"_status":{"code":"it:ok","status":"200"},"id":"e1","fqid":"fq/1",
"event":{"id":"ev1","observedAt":"2025-06-01T10:11:12.345Z","kind":"it:platform:incident"},
"incident":{"id":"i1","kind":"pfpt:incident:general:data:violation","status":"incident:status:new","severity":"incident:severity:850:critical","name":"EMAIL-DLP-PCI",
 "reasons":[{"id":"r1","name":"PCI","alias":"pci","severity":"high","indicators":[{"index":0}]}],"remediations":{"status":"none"}},
"indicators":[{"id":"x","name":"Credit cards","kind":"k","matches":[{"op":"contains","object":{"id":"o","name":"f.xlsx","kind":"file"},"snippets":[{"content":{"data":"4111"}}],"result":{"value":"v","stats":{"count":"3"}}}]}],
"messages":[{"subject":"Payroll","kind":"email","sentAt":"2025-06-01T10:11:10Z","sender":{"email":"li.chen@acme.example","name":"Li Chen","id":"u1"},
 "recipients":[{"email":"x@gmail.example"}],"attachments":[{"name":"payroll.pdf"}],"location":{"name":"Outbound"},"headers":{"parsed":{"from":[{"email":"li.chen@acme.example","displayName":"Li"}]}}}],
"user":{"email":"li.chen@acme.example","id":"u1","name":"li","displayName":"Li Chen","classification":{"labels":[{"value":"Finance"}]}},
"annotations":{"comments":[{"text":"first look"}],"history":[{"text":"created"}],"workflow":{"state":{"disposition":{"status":{"id":"s-new"}}}}},
"custom":{"email":{"data":{"components":{"messages":{"folder":"Sent"}}}}},"contextId":"c1","partitionKey":7}`

func TestRequestsAreExactlyAsDocumented(t *testing.T) {
	rec := &recorder{body: map[string]string{
		"POST /v2/apis/auth/oauth/token":       `{"access_token":"T1","token_type":"Bearer","expires_in":3600,"refresh_token":"R"}`,
		"POST /v2/apis/activity/event-queries": `{"_status":{"status":200},"data":[` + vendorTicket + `],"_meta":{"stats":{"total":1}}}`,
		"GET /v2/apis/activity/events/fq/1":    vendorTicket,
		"GET /v2/apis/auth/users":              `[{"id":"u1","email":"a@b.example","alias":"a"}]`,
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := itm.New(config.ITM{Name: "prod", BaseURL: srv.URL, APIVersion: "v2", ClientID: "cid", ClientSecret: "csecret"}, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	p, err := c.Incidents(ctx(), itm.Query{Since: since, Statuses: []string{"new"}, Limit: 50, Offset: 100})
	if err != nil || len(p.Tickets) != 1 {
		t.Fatalf("incidents: %v %d", err, len(p.Tickets))
	}
	tk, err := c.Ticket(ctx(), "fq/1")
	if err != nil {
		t.Fatal(err)
	}
	if ParseSev(*tk) != "critical" || tk.Person() != "li.chen@acme.example" || tk.Annotations.Workflow.State.Disposition.Status.ID != "s-new" || tk.PartitionKey != "7" {
		t.Fatalf("decoded: %+v", tk)
	}
	c.RawEmail(ctx(), "fq/1")
	c.Comment(ctx(), "fq/1", "note text", "")
	c.Assign(ctx(), "fq/1", "u-9")
	c.SetStatus(ctx(), "fq/1", itm.StatusChange{ID: "3e37bcdb-1", Title: "Resolved", Category: "it:workflow:disposition:category:open:in-progress"})
	users, err := c.Users(ctx(), itm.UserQuery{Alias: "li*"})
	if err != nil || len(users) != 1 {
		t.Fatalf("users: %v %v", users, err)
	}

	rq := rec.reqs
	tokenForm, _ := url.ParseQuery(rq[0].Body)
	if rq[0].Path != "/v2/apis/auth/oauth/token" || rq[0].ContentType != "application/x-www-form-urlencoded" ||
		tokenForm.Get("grant_type") != "client_credentials" || tokenForm.Get("client_id") != "cid" ||
		tokenForm.Get("client_secret") != "csecret" || tokenForm.Get("scope") != "*" || rq[0].Auth != "" {
		t.Fatalf("token request: %+v", rq[0])
	}
	for _, r := range rq[1:] {
		if r.Auth != "Bearer T1" {
			t.Fatalf("%s %s without the bearer token (%q)", r.Method, r.Path, r.Auth)
		}
	}
	if len(rq) != 8 {
		t.Fatalf("%d requests, want 8 (one token reused): %+v", len(rq), rq)
	}
	q, _ := url.ParseQuery(rq[1].RawQuery)
	if rq[1].Method != "POST" || rq[1].Path != "/v2/apis/activity/event-queries" || q.Get("offset") != "100" || q.Get("limit") != "50" || q.Get("entityTypes") != "event" {
		t.Fatalf("query request: %+v", rq[1])
	}
	var body map[string]any
	json.Unmarshal([]byte(rq[1].Body), &body)
	want := `{"filters":{"$and":[{"$isNull":{"incident.id":false}},{"$datetimeGE":{"event.observedAt":1746057600000}},{"$stringIn":{"incident.status":["incident:status:new"]}}]},"sort":[{"event.observedAt":{"order":"desc","unmapped_type":"boolean"}},{"event.id":{"order":"asc","unmapped_type":"boolean"}}]}`
	if got, _ := json.Marshal(body); string(got) != want {
		t.Fatalf("query body\n got %s\nwant %s", got, want)
	}
	checks := []struct{ method, path, body string }{
		{"GET", "/v2/apis/activity/events/fq%2F1", ""},
		{"GET", "/v2/apis/activity/events/fq%2F1/messages/default/contents/_raw", ""},
		{"POST", "/v2/apis/activity/events/fq%2F1/annotations/comments", `{"data":[{"alias":"alice","kind":"it:comment:note","text":"note text"}]}`},
		{"PUT", "/v2/apis/activity/events/fq%2F1/annotations/workflow/assignment", `{"id":"u-9"}`},
		{"PATCH", "/v2/apis/activity/events/fq%2F1/annotations/workflow", `{"state":{"disposition":{"category":"it:workflow:disposition:category:open:in-progress","status":{"alias":"Resolved","id":"3e37bcdb-1"}}}}`},
	}
	for i, c := range checks {
		r := rq[2+i]
		if r.Method != c.method || r.Path != c.path || (c.body != "" && r.Body != c.body) {
			t.Errorf("request %d: %s %s %s\nwant %s %s %s", i, r.Method, r.Path, r.Body, c.method, c.path, c.body)
		}
	}
	if rq[3].RawQuery != "stream=true" {
		t.Errorf("raw email query %q", rq[3].RawQuery)
	}
	if q, _ := url.ParseQuery(rq[7].RawQuery); rq[7].Path != "/v2/apis/auth/users" || q.Get("alias") != "li*" {
		t.Errorf("users request %+v", rq[7])
	}
}

func TestSeverityAndStatusDisplay(t *testing.T) {
	for in, want := range map[string]itm.Severity{
		"incident:severity:850:critical": {Word: "critical", Score: 850},
		"incident:severity:120:weird":    {Word: "weird", Score: 120},
		"High":                           {Word: "high", Score: 700},
		"":                               {Word: "", Score: 0},
	} {
		if got := itm.ParseSeverity(in); got != want {
			t.Errorf("%q: %+v want %+v", in, got, want)
		}
	}
	if itm.StatusName("incident:status:in-progress") != "in-progress" || itm.Display("false-positive") != "False positive" {
		t.Fatal("status display")
	}
}
