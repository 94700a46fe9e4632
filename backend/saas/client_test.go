package saas_test

import (
	"context"
	"encoding/base64"
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
	"triage/backend/saas"
	"triage/backend/sim"
)

var analyst = identity.Analyst{Name: "alice", Role: "responder"}

func ctx() context.Context { return identity.With(context.Background(), analyst) }

// simNow is the simulated present of these tests.
var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func startSim(t *testing.T, o sim.Options) (*sim.Sim, *saas.Client, *audit.Memory) {
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
	c, err := saas.New(s.Config().SaaS[0], httpx.Options{Audit: mem, Retry: httpx.Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, mem
}

// all reads every page of q.
func all(t *testing.T, c *saas.Client, q saas.Query) ([]saas.Incident, int) {
	t.Helper()
	p, err := c.Incidents(ctx(), q)
	if err != nil {
		t.Fatal(err)
	}
	out, pages := p.Incidents, 1
	for p.More {
		if p, err = c.More(ctx(), p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Incidents...)
		pages++
	}
	return out, pages
}

func TestFeedFollowsNextPathAndStopsOnAShortPage(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 250})
	got, pages := all(t, c, saas.Query{Limit: 100})
	if len(got) != 250 || pages != 3 {
		t.Fatalf("%d incidents over %d pages, want 250 over 3", len(got), pages)
	}
	seen := map[string]bool{}
	for i, inc := range got {
		if seen[string(inc.ID)] {
			t.Fatalf("incident %s twice", inc.ID)
		}
		seen[string(inc.ID)] = true
		if i > 0 && inc.UpdatedAt.Before(got[i-1].UpdatedAt.Time) {
			t.Fatalf("feed not in updated_at order at %d", i)
		}
	}
	if n := s.SaaS.Count("GET /incident/api/incidents/delta"); n != 3 {
		t.Fatalf("%d delta requests, want 3", n)
	}
	if s.SaaS.Tokens() != 1 || c.TokenRequests() != 1 {
		t.Fatalf("%d tokens for 3 pages, want 1", s.SaaS.Tokens())
	}
	first := got[len(got)-1]
	if first.AssetName == "" || first.AssetOwnerEmail == "" || first.PolicyName == "" || first.AppName == "" || first.StateName() == "" {
		t.Fatalf("fields missing: %+v", first)
	}
	// An exactly full last page costs one more, empty, request.
	_, pages = all(t, c, saas.Query{Limit: 50})
	if pages != 6 {
		t.Fatalf("%d pages for 250 at 50 a page, want 6 (the last one empty)", pages)
	}
}

func TestFiltersNarrowTheFeed(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 300})
	closed, _ := all(t, c, saas.Query{State: "closed"})
	if len(closed) == 0 {
		t.Fatal("no closed incidents")
	}
	for _, inc := range closed {
		if !inc.Closed() {
			t.Fatalf("state filter leaked %s", inc.State)
		}
	}
	box := sim.SaaSApps[0].ID
	for _, inc := range first(t, c, saas.Query{AppIDs: []string{box}}) {
		if string(inc.AppID) != box {
			t.Fatalf("app filter leaked %s", inc.AppName)
		}
	}
	for _, sev := range [][]string{{"high"}, {"4"}} {
		got := first(t, c, saas.Query{Severities: sev})
		if len(got) == 0 {
			t.Fatalf("severity %v matched nothing", sev)
		}
		for _, inc := range got {
			if saas.ParseSeverity(string(inc.Severity)).Level != 4 {
				t.Fatalf("severity %v leaked %s", sev, inc.Severity)
			}
		}
	}
	for _, inc := range first(t, c, saas.Query{Statuses: []string{"new"}}) {
		if string(inc.Status) != "Open-New" {
			t.Fatalf("status filter leaked %s", inc.Status)
		}
	}
	from := simNow.Add(-10 * 24 * time.Hour)
	to := simNow.Add(-5 * 24 * time.Hour)
	got := first(t, c, saas.Query{From: from, To: to})
	if len(got) == 0 {
		t.Fatal("window matched nothing")
	}
	for _, inc := range got {
		if inc.UpdatedAt.Before(from.Truncate(time.Millisecond)) || !inc.UpdatedAt.Before(to) {
			t.Fatalf("window leaked %s", inc.UpdatedAt)
		}
	}
}

// Analysts type words or numbers; the delta filter takes only 1..5
// (SaasSecurity.yml), so the client sends numbers and the simulator would
// refuse a word.
func TestSeverityWordsAreSentAsNumbers(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 200})
	got := first(t, c, saas.Query{Severities: []string{"High", "critical", "4"}})
	if len(got) == 0 {
		t.Fatal("high and critical matched nothing")
	}
	for _, inc := range got {
		if l := saas.ParseSeverity(string(inc.Severity)).Level; l != 4 && l != 5 {
			t.Fatalf("severity filter let %s through", inc.Severity)
		}
	}
	qs := s.SaaS.Queries("GET /incident/api/incidents/delta")
	if len(qs) != 1 || qs[0].Get("severity") != "4,5" {
		t.Fatalf("sent %v, want severity=4,5", qs)
	}
}

func TestSeverityFilterForms(t *testing.T) {
	for in, want := range map[string]string{"High,Critical": "4,5", "informational,low,medium": "1,2,3", "5, 1": "5,1",
		"INFO,moderate": "1,3", "high,4,High": "4", "": ""} {
		got, err := saas.SeverityFilter(strings.Split(in, ","))
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("%q: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"severe", "0", "6", "4.5", "high!"} {
		if _, err := saas.SeverityFilter([]string{bad}); err == nil || !strings.Contains(err.Error(), "use critical, high, medium, low, informational or 1 to 5") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// A page size the endpoint would refuse, or a severity word it does not
// know, is an error before anything is sent.
func TestOddPageSizesAndUnknownSeveritiesAreNotSent(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 20})
	for _, q := range []saas.Query{{Limit: 15}, {Limit: 1010}, {Limit: -10}, {Severities: []string{"severe"}}} {
		if _, err := c.Incidents(ctx(), q); err == nil || !strings.HasPrefix(err.Error(), "SaaS demo: ") {
			t.Errorf("%+v: err = %v", q, err)
		}
	}
	if n := s.SaaS.Count("GET /incident/api/incidents/delta"); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	for n, want := range map[int]int{1: 10, 10: 10, 15: 20, 499: 500, 1000: 1000, 5000: 1000} {
		if got := saas.PageSize(n); got != want {
			t.Errorf("PageSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func first(t *testing.T, c *saas.Client, q saas.Query) []saas.Incident {
	t.Helper()
	q.Limit = 1000
	p, err := c.Incidents(ctx(), q)
	if err != nil {
		t.Fatal(err)
	}
	return p.Incidents
}

func TestCloseSetsStateCategoryAndIsAudited(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{Rows: 50})
	id := s.SaaS.Newest(1)[0]
	st, err := c.Close(ctx(), id, saas.BusinessJustified)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != "closed" || st.Category != saas.BusinessJustified || st.ResolvedBy != "api" || st.ResolutionDate.IsZero() {
		t.Fatalf("close answered %+v", st)
	}
	// A closed incident may change category.
	if _, err := c.Close(ctx(), id, saas.Misidentified); err != nil {
		t.Fatal(err)
	}
	if state, cat := s.SaaS.IncidentState(id); state != "closed" || cat != saas.Misidentified {
		t.Fatalf("vendor has %s/%s", state, cat)
	}
	landed, back, err := c.Closed(ctx(), id, saas.Misidentified)
	if err != nil || !landed || back.ResolvedBy != "api" {
		t.Fatalf("read back: %v %+v %v", landed, back, err)
	}
	inc, err := c.Incident(ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != "Closed-Misidentified" || len(inc.Raw) == 0 || string(inc.ID) != id {
		t.Fatalf("incident after close: %s raw=%d", inc.Status, len(inc.Raw))
	}
	es := mem.Entries()
	if len(es) != 2 || es[0].Action != "saas.close" || es[0].Target != id || es[0].Params["category"] != saas.BusinessJustified ||
		es[0].Outcome != audit.OK || es[0].Analyst != "alice" || es[0].Vendor != "saas" || es[0].Tenant != "demo" {
		t.Fatalf("audit %+v", es)
	}
}

func TestInvalidCategoryIsTheVendors400(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{Rows: 20})
	_, err := c.Close(ctx(), s.SaaS.Newest(1)[0], "fixed_it")
	var e *httpx.Error
	if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(err.Error(), `invalid category "fixed_it"`) || !strings.HasPrefix(err.Error(), "SaaS demo: 400") {
		t.Fatalf("err = %v", err)
	}
	if es := mem.Entries(); len(es) != 1 || es[0].Outcome != audit.Failed || es[0].Status != 400 {
		t.Fatalf("audit %+v", es)
	}
	if _, err := c.Close(ctx(), "999999", saas.NoReason); httpx.StatusOf(err) != 404 {
		t.Fatalf("close of a missing incident: %v", err)
	}
}

func TestLostCloseIsReadBackNotResent(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{Rows: 20})
	id := s.SaaS.Newest(1)[0]
	s.SaaS.Inject(&sim.Fault{Path: "/incident/api/incidents/" + id + "/state", DropAfter: true, Times: 1})
	_, err := c.Close(ctx(), id, saas.NoReason)
	if !httpx.IsUnknown(err) {
		t.Fatalf("want an unknown outcome, got %v", err)
	}
	if n := s.SaaS.Count("POST /incident/api/incidents/"); n != 1 {
		t.Fatalf("close sent %d times", n)
	}
	landed, _, err := c.Closed(ctx(), id, saas.NoReason)
	if err != nil || !landed {
		t.Fatalf("read back: %v %v", landed, err)
	}
	if es := mem.Entries(); len(es) != 1 || es[0].Outcome != audit.Unknown {
		t.Fatalf("audit %+v", es)
	}
}

func TestRemediationGoesPendingThenSucceedsOrFails(t *testing.T) {
	now := clock.Pin(simNow)
	s, c, mem := startSim(t, sim.Options{Rows: 40, Clock: now})
	id := s.SaaS.Newest(1)[0]
	asset := s.SaaS.AssetOf(id)
	start := now.Now()
	if err := c.Remediate(ctx(), saas.RemediationRequest{AssetID: asset, Type: saas.Quarantine}); err != nil {
		t.Fatal(err)
	}
	st, err := c.RemediationStatus(ctx(), asset, saas.Quarantine)
	if err != nil || saas.Outcome(string(st.Status)) != saas.Pending || st.AssetName == "" {
		t.Fatalf("status right after the start: %+v %v", st, err)
	}
	if landed, _, err := c.Started(ctx(), saas.RemediationRequest{AssetID: asset, Type: saas.Quarantine}, start); !landed || err != nil {
		t.Fatalf("read back of a started remediation: %v %v", landed, err)
	}
	// The vendor finishes a remediation a little over a second later.
	now.Advance(2 * time.Second)
	st, err = c.RemediationStatus(ctx(), asset, saas.Quarantine)
	if err != nil || st.Status != "success" || st.ActionDate.Before(start) || st.ActionTaker != "api" {
		t.Fatalf("final status %+v %v", st, err)
	}
	// Restoring an asset that is not quarantined is accepted, then fails.
	other := s.SaaS.AssetOf(s.SaaS.Newest(2)[1])
	if err := c.Remediate(ctx(), saas.RemediationRequest{AssetID: other, Type: saas.Restore}); err != nil {
		t.Fatal(err)
	}
	now.Advance(2 * time.Second)
	if st, _ := c.RemediationStatus(ctx(), other, saas.Restore); saas.Outcome(string(st.Status)) != saas.Failed {
		t.Fatalf("restore of an unquarantined asset: %+v", st)
	}
	// No remediation of a type: the vendor's 404, and the read-back says
	// it did not land.
	if _, err := c.RemediationStatus(ctx(), other, saas.RemovePublicSharing); httpx.StatusOf(err) != 404 {
		t.Fatalf("status of none: %v", err)
	}
	if landed, _, err := c.Started(ctx(), saas.RemediationRequest{AssetID: other, Type: saas.RemovePublicSharing}, now.Now()); landed || err != nil {
		t.Fatalf("read back of none: %v %v", landed, err)
	}
	es := mem.Entries()
	if len(es) != 2 || es[0].Action != "saas.remediate" || es[0].Target != asset || es[0].Params["remediation_type"] != saas.Quarantine || es[0].Outcome != audit.OK {
		t.Fatalf("audit %+v", es)
	}
	if _, ok := es[0].Params["remove_inherited_sharing"]; ok {
		t.Fatal("remove_inherited_sharing recorded for a quarantine")
	}
}

func TestRemediationTypesFollowTheApp(t *testing.T) {
	for _, tc := range []struct {
		typ, name string
		public    bool
	}{
		{"box", "Box 1", true}, {"office365", "Office 365 1", true}, {"google_drive", "Google Drive", true},
		{"dropbox", "Dropbox Business", true}, {"", "Box 2", true}, {"slack", "Slack", false}, {"github", "GitHub", false},
		{"salesforce", "Salesforce", false}, {"", "", false},
	} {
		got := saas.RemediationsFor(tc.typ, tc.name)
		has := false
		for _, c := range got {
			has = has || c.Value == saas.RemovePublicSharing
		}
		if has != tc.public || got[0].Value != saas.Quarantine {
			t.Errorf("%s/%s: %v", tc.typ, tc.name, got)
		}
	}
}

func TestWrongSecretShowsTheVendorsAnswerOnOneLine(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 5, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config().SaaS[0]
	cfg.ClientSecret = "wrong"
	c, _ := saas.New(cfg, httpx.Options{})
	_, err = c.Incidents(ctx(), saas.Query{})
	msg := fmtErr(err)
	if !strings.HasPrefix(msg, "SaaS demo: 401") || !strings.Contains(msg, "Invalid credentials") || strings.Contains(msg, "\n") || strings.Contains(msg, "wrong") {
		t.Fatalf("err = %q", msg)
	}
	if err := c.Check(ctx()); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("check: %v", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestBadAnswersAreClearErrorsNotPanics(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 20})
	id := s.SaaS.Newest(1)[0]
	for _, tc := range []struct {
		name  string
		fault *sim.Fault
		want  string
	}{
		{"5xx", &sim.Fault{Path: "/incident/api/", Status: 500, Body: `{"error":"server_error","error_description":"incident store unavailable"}`}, "500 server_error: incident store unavailable"},
		{"empty", &sim.Fault{Path: "/incident/api/", Status: 200}, "empty response"},
		{"html", &sim.Fault{Path: "/incident/api/", Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html><title>Maintenance window</title></html>"}, "HTML page: Maintenance window"},
		{"truncated", &sim.Fault{Path: "/incident/api/", Status: 200, Body: `{"limit":50,"nextPath":"/incident/api/incidents/delta?limit=50","resources":[{"incident_id":1,"asset_na`}, "malformed JSON"},
		{"html 502", &sim.Fault{Path: "/incident/api/", Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<h1>Bad Gateway</h1>"}, "502"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.SaaS.Inject(tc.fault)
			defer s.SaaS.Inject(nil)
			for _, call := range []func() error{
				func() error { _, err := c.Incidents(ctx(), saas.Query{}); return err },
				func() error { _, err := c.Incident(ctx(), id); return err },
				func() error { _, err := c.Apps(ctx()); return err },
				func() error { _, err := c.State(ctx(), id); return err },
			} {
				err := call()
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "SaaS demo: ") || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
			}
		})
	}
	// A close answered with an empty 2xx body is still a close.
	s.SaaS.Inject(&sim.Fault{Path: "/incident/api/incidents/" + id + "/state", Status: 204, Times: 1})
	if _, err := c.Close(ctx(), id, saas.NoReason); err != nil {
		t.Fatalf("empty 2xx close: %v", err)
	}
}

func TestHostileStringsAreCleanedAtDecode(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 60, Hostile: true})
	got := first(t, c, saas.Query{})
	apps, err := c.Apps(ctx())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(struct {
		I []saas.Incident
		A []saas.App
	}{got, apps})
	if !strings.Contains(string(b), "<U+202E>") && !strings.Contains(string(b), "ALLOW") {
		t.Fatal("hostile data not present: the test would prove nothing")
	}
	for _, bad := range []string{`\u001b`, `\u0007`, "\u009b", `\r`} {
		if strings.Contains(string(b), bad) {
			t.Fatalf("%q survived decoding", bad)
		}
	}
}

func TestSeverityAndStatusForms(t *testing.T) {
	for in, want := range map[string]int{"High": 4, "critical": 5, "4": 4, "4.0": 4, "1": 1, "Informational": 1, "severe": 0, "": 0, "9": 0} {
		if got := saas.ParseSeverity(in); got.Level != want || got.Raw != in {
			t.Errorf("%q: %+v want level %d", in, got, want)
		}
	}
	if saas.ParseSeverity("severe").Word() != "severe" || saas.ParseSeverity("4").Word() != "high" {
		t.Error("severity words")
	}
	for in, want := range map[string]string{"new": "open-new", "in-progress": "open-in progress", "business_justified": "closed-business justified",
		"Closed-Dismiss": "closed-dismiss", "closed-no-reason": "closed-no reason", "odd": "odd"} {
		if got := saas.StatusFilter(in); got != want {
			t.Errorf("StatusFilter(%q) = %q, want %q", in, got, want)
		}
	}
	if saas.StatusText("closed", "business_justified") != "Closed-Business Justified" {
		t.Error("status text")
	}
}

// recorder is a stand-in vendor that records every request, to check the
// client speaks the documented API exactly, independent of our simulator.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	body map[string]string // "METHOD /path?query", else "METHOD /path" -> answer
}

type recorded struct {
	Method, Path, RawQuery, Auth, ContentType, Body string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.EscapedPath(), req.URL.RawQuery, req.Header.Get("Authorization"), req.Header.Get("Content-Type"), string(b)})
	answer, ok := r.body[req.Method+" "+req.URL.Path+"?"+req.URL.RawQuery]
	if !ok {
		answer, ok = r.body[req.Method+" "+req.URL.Path]
	}
	r.mu.Unlock()
	if !ok {
		w.WriteHeader(200) // the remediation start: any 2xx, no body
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, answer)
}

// Payloads copied from the vendor facts (the integration's test data): two
// incidents as listed, one with no state field, and one with its severity
// as a number.
const (
	vendorIncident3 = `{"incident_id":3,"tenant":"xsoartest","app_id":"acf49b2389c09f26ad0ccd2b1a603328","app_name":"Box 1","app_type":"box","cloud_id":"675200791137","asset_name":"SP0605 copy 5.java","asset_sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","asset_id":"61099dc16b544e38fa3cdc4e","asset_page_uri":"https://xsoartest.staging.cirrotester.com/cloud_assets/61099dc16b544e38fa3cdc4e","asset_cloud_uri":"https://www.box.com/files/0/f/114948778953/1/f_675200791137","exposure_type":8,"exposure_level":"internal","policy_id":"6109a5d0e64152534b240f48","policy_version":1,"policy_page_uri":"https://xsoartest.staging.cirrotester.com/data_policies/6109a5d0e64152534b240f48","severity":"High","status":"Open-New","state":"open","category":"new","created_at":"2021-08-03T20:25:13.770Z","updated_at":"2021-08-03T20:25:13.770Z","group_ids":[],"asset_owner_id":"22FD054D362DC548A9C22F25782E1DAEED03C12F3898CD0F2E2A1B4CF728D04BD644B3CC010FDAC3D10EC0D408F4F79AC147E3D56415D1052BCFCD899A8E249F","asset_owner_name":"Xsoar test","asset_owner_email":"xsoartest@cirrotester.com","collaborators":[],"data_patterns":[]}`
	vendorIncident4 = `{"incident_id":4,"tenant":"xsoartest","app_id":"acf49b2389c09f26ad0ccd2b1a603328","app_name":"Box 1","app_type":"box","cloud_id":"675197457403","asset_name":"SP0605 copy 6.java","asset_sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","asset_id":"61099dc26b544e38fa3ce06d","asset_page_uri":"https://xsoartest.com/cloud_assets/61099dc26b544e38fa3ce06d","asset_cloud_uri":"https://www.box.com/files/0/f/114948778953/1/f_675197457403","exposure_type":8,"exposure_level":"internal","policy_id":"6109a5d0e64152534b240f48","policy_version":1,"policy_page_uri":"https://xsoartest.com/data_policies/6109a5d0e64152534b240f48","severity":"Low","status":"Closed-Business Justified","category":"business_justified","resolved_by":"api","resolution_date":"2021-08-24T07:44:21.608Z","created_at":"2021-08-03T20:25:15.417Z","updated_at":"2021-08-24T07:44:21.608Z","group_ids":[],"asset_owner_id":"22FD","asset_owner_name":"XSoar Test","asset_owner_email":"xsoartest@cirrotester.com","collaborators":[],"data_patterns":[]}`
	vendorIncident5 = `{"incident_id":"5","app_name":"Office 365 1","app_type":"office365","asset_id":"61099dc36b544e38fa3ce41c","asset_name":"plan.docx","severity":4,"status":"Open-Pending","state":"Open","updated_at":"2021-08-25T09:00:00.000Z","policy_name":"policy name","collaborators":["x@gmail.example",{"name":"Ann","email":"ann@partner.example"}],"data_patterns":[{"pattern_name":"Credit Card Number"}],"group_ids":["g1"]}`
)

func TestRequestsAreExactlyAsDocumented(t *testing.T) {
	const next = "/incident/api/incidents/delta?limit=2&from=2021-08-03T20%3A25%3A17.945Z&state=open"
	rec := &recorder{body: map[string]string{
		"POST /oauth/token": `{"access_token":"T1","expires_in":7200,"token_type":"bearer"}`,
		"GET /incident/api/incidents/delta?app_ids=acf49b2389c09f26ad0ccd2b1a603328%2C2642aaa03dc6fc44496bdfffe5e1bc74&from=2021-08-23T09%3A26%3A25.872Z&limit=10&state=open&status=open-new%2Copen-in+progress&to=2021-08-24T00%3A00%3A00.000Z": `{"limit":2,"nextPath":"` + next + `","resources":[` + vendorIncident3 + `,` + vendorIncident4 + `]}`,
		"GET /incident/api/incidents/delta?limit=2&from=2021-08-03T20%3A25%3A17.945Z&state=open": `{"limit":2,"nextPath":"/incident/api/incidents/delta?limit=2&from=2021-08-25T09%3A00%3A00.001Z&state=open","resources":[` + vendorIncident5 + `]}`,
		"GET /incident/api/incidents/4":        vendorIncident4,
		"GET /incident/api/incidents/4/state":  `{"state":"open","category":"new","resolved_by":null,"resolution_date":null}`,
		"POST /incident/api/incidents/4/state": `{"state":"closed","category":"misidentified","resolved_by":"api","resolution_date":"2021-08-24T14:29:42.288Z"}`,
		"GET /incident/api/apps":               `[{"app_name":"Box 1","app_id":"acf49b2389c09f26ad0ccd2b1a603328","app_type":"box"},{"app_name":"Office 365 1","app_id":"2642aaa03dc6fc44496bdfffe5e1bc74","app_type":"office365"}]`,
		"GET /remediation/api/assets":          `{"asset_id":"61099dc46b544e38fa3ce89a","asset_name":"SP0605 copy.java","remediation_type":"system_quarantine","action_taker":"api","action_date":"2021-08-24T17:09:53.547+0000","status":"success"}`,
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := saas.New(config.SaaS{Name: "us", BaseURL: srv.URL + "/", ClientID: "cid", ClientSecret: "csecret", Scopes: config.DefaultSaaSScopes}, httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := saas.Query{Limit: 10, State: "open", Statuses: []string{"new", "in-progress"},
		AppIDs: []string{"acf49b2389c09f26ad0ccd2b1a603328", "2642aaa03dc6fc44496bdfffe5e1bc74"},
		From:   time.Date(2021, 8, 23, 9, 26, 25, 872_400_000, time.UTC), To: time.Date(2021, 8, 24, 0, 0, 0, 0, time.UTC)}
	p1, err := c.Incidents(ctx(), q)
	if err != nil || len(p1.Incidents) != 2 || !p1.More || p1.NextPath != next {
		t.Fatalf("first page: %v %+v", err, p1)
	}
	p2, err := c.More(ctx(), p1)
	if err != nil || len(p2.Incidents) != 1 || p2.More {
		t.Fatalf("second page must be the last (shorter than the limit): %v %+v", err, p2)
	}
	inc, err := c.Incident(ctx(), "4")
	if err != nil {
		t.Fatal(err)
	}
	c.Incident(ctx(), "../apps")
	st, _ := c.State(ctx(), "4")
	closed, err := c.Close(ctx(), "4", saas.Misidentified)
	if err != nil {
		t.Fatal(err)
	}
	apps, err := c.Apps(ctx())
	if err != nil || len(apps) != 2 || apps[1].Type != "office365" {
		t.Fatalf("apps: %v %+v", err, apps)
	}
	c.Remediate(ctx(), saas.RemediationRequest{AssetID: "61099dc46b544e38fa3ce89a", Type: saas.Quarantine, RemoveInherited: true})
	c.Remediate(ctx(), saas.RemediationRequest{AssetID: "61099dc46b544e38fa3ce89a", Type: saas.RemovePublicSharing, RemoveInherited: true})
	rem, err := c.RemediationStatus(ctx(), "61099dc46b544e38fa3ce89a", saas.Quarantine)
	if err != nil {
		t.Fatal(err)
	}

	// Decoding of the vendor's shapes.
	i3, i4, i5 := p1.Incidents[0], p1.Incidents[1], p2.Incidents[0]
	if i3.ID != "3" || i3.ExposureType != "8" || i3.PolicyVersion != "1" || saas.ParseSeverity(string(i3.Severity)).Level != 4 || i3.StateName() != "open" ||
		i3.CreatedAt.Format(time.RFC3339Nano) != "2021-08-03T20:25:13.77Z" || i3.Owner() != "xsoartest@cirrotester.com" {
		t.Fatalf("incident 3 decoded as %+v", i3)
	}
	if i4.StateName() != "closed" || i4.ResolvedBy != "api" || i4.ResolutionDate.IsZero() || i4.Policy() != "6109a5d0e64152534b240f48" {
		t.Fatalf("incident 4 (no state field) decoded as %+v", i4)
	}
	if i5.ID != "5" || saas.ParseSeverity(string(i5.Severity)).Word() != "high" || i5.StateName() != "open" ||
		strings.Join(i5.Collaborators, "|") != "x@gmail.example|Ann <ann@partner.example>" || strings.Join(i5.DataPatterns, "") != "Credit Card Number" || i5.GroupIDs[0] != "g1" {
		t.Fatalf("incident 5 (severity a number) decoded as %+v", i5)
	}
	if inc.AssetPageURI != "https://xsoartest.com/cloud_assets/61099dc26b544e38fa3ce06d" || len(inc.Raw) == 0 {
		t.Fatalf("incident by id: %+v", inc)
	}
	if st.State != "open" || st.ResolvedBy != "" || !st.ResolutionDate.IsZero() {
		t.Fatalf("state with nulls: %+v", st)
	}
	if closed.Category != "misidentified" || closed.ResolutionDate.Format(time.RFC3339Nano) != "2021-08-24T14:29:42.288Z" {
		t.Fatalf("close answer: %+v", closed)
	}
	if rem.Status != "success" || rem.ActionDate.UTC().Format(time.RFC3339Nano) != "2021-08-24T17:09:53.547Z" {
		t.Fatalf("remediation status (+0000 date): %+v", rem)
	}

	// The requests themselves.
	rq := rec.reqs
	tok := rq[0]
	form, _ := url.ParseQuery(tok.Body)
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("cid:csecret"))
	if tok.Method != "POST" || tok.Path != "/oauth/token" || tok.Auth != wantAuth || !strings.HasPrefix(tok.ContentType, "application/x-www-form-urlencoded") ||
		form.Get("grant_type") != "client_credentials" || form.Get("scope") != "api_access incident_api remediation_api" ||
		form.Has("client_id") || form.Has("client_secret") || strings.Contains(tok.Body, "csecret") || tok.RawQuery != "" {
		t.Fatalf("token request: %+v", tok)
	}
	for _, r := range rq[1:] {
		if r.Auth != "Bearer T1" {
			t.Fatalf("%s %s without the bearer token (%q)", r.Method, r.Path, r.Auth)
		}
	}
	checks := []struct{ method, path, query, body string }{
		{"GET", "/incident/api/incidents/delta", "app_ids=acf49b2389c09f26ad0ccd2b1a603328%2C2642aaa03dc6fc44496bdfffe5e1bc74&from=2021-08-23T09%3A26%3A25.872Z&limit=10&state=open&status=open-new%2Copen-in+progress&to=2021-08-24T00%3A00%3A00.000Z", ""},
		{"GET", "/incident/api/incidents/delta", "limit=2&from=2021-08-03T20%3A25%3A17.945Z&state=open", ""}, // nextPath, verbatim
		{"GET", "/incident/api/incidents/4", "", ""},
		{"GET", "/incident/api/incidents/..%2Fapps", "", ""}, // an id cannot climb out of its path
		{"GET", "/incident/api/incidents/4/state", "", ""},
		{"POST", "/incident/api/incidents/4/state", "", `{"category":"misidentified","state":"closed"}`},
		{"GET", "/incident/api/apps", "", ""},
		{"POST", "/remediation/api/assets", "", `{"asset_id":"61099dc46b544e38fa3ce89a","remediation_type":"system_quarantine"}`},
		{"POST", "/remediation/api/assets", "", `{"asset_id":"61099dc46b544e38fa3ce89a","remediation_type":"remove_public_sharing","remove_inherited_sharing":true}`},
		{"GET", "/remediation/api/assets", "asset_id=61099dc46b544e38fa3ce89a&remediation_type=system_quarantine", ""},
	}
	if len(rq) != 1+len(checks) {
		t.Fatalf("%d requests, want %d (one token, reused): %+v", len(rq), 1+len(checks), rq)
	}
	for i, c := range checks {
		r := rq[1+i]
		if r.Method != c.method || r.Path != c.path || r.RawQuery != c.query || (c.body != "" && r.Body != c.body) {
			t.Errorf("request %d: %s %s?%s %s\n          want %s %s?%s %s", i, r.Method, r.Path, r.RawQuery, r.Body, c.method, c.path, c.query, c.body)
		}
		if c.body != "" && r.ContentType != "application/json" {
			t.Errorf("request %d: content type %q", i, r.ContentType)
		}
	}
}

func TestANextPathThatDoesNotAdvanceStops(t *testing.T) {
	const page = `{"limit":10,"nextPath":"/incident/api/incidents/delta?limit=10","resources":[` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `,` + vendorIncident3 + `]}`
	rec := &recorder{body: map[string]string{"POST /oauth/token": `{"access_token":"T1","expires_in":7200}`, "GET /incident/api/incidents/delta": page}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, _ := saas.New(config.SaaS{Name: "us", BaseURL: srv.URL, ClientID: "cid", ClientSecret: "s"}, httpx.Options{})
	p, err := c.Incidents(ctx(), saas.Query{Limit: 10})
	if err != nil || !p.More {
		t.Fatalf("%v %+v", err, p)
	}
	if _, err := c.More(ctx(), p); err == nil || !strings.Contains(err.Error(), "does not advance") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnreadableResourcesAreCountedNotHidden(t *testing.T) {
	rec := &recorder{body: map[string]string{"POST /oauth/token": `{"access_token":"T1","expires_in":7200}`,
		"GET /incident/api/incidents/delta": `{"limit":50,"nextPath":"/x","resources":[` + vendorIncident3 + `,"oops",7,{"asset_name":"no id"}]}`}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, _ := saas.New(config.SaaS{Name: "us", BaseURL: srv.URL, ClientID: "cid", ClientSecret: "s"}, httpx.Options{})
	p, err := c.Incidents(ctx(), saas.Query{})
	if err != nil || len(p.Incidents) != 1 || p.Unreadable != 3 || p.More {
		t.Fatalf("%v %+v", err, p)
	}
}
