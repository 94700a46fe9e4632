package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SaaS Security credentials the simulator accepts.
const (
	SaaSClientID     = "demo-saas-client"
	SaaSClientSecret = "demo-saas-secret"
)

// saasApp is one monitored cloud app of the simulated tenant.
type saasApp struct{ ID, Name, Type, Host string }

// SaaSApps are the simulated tenant's apps. Public-sharing removal applies
// to the first four kinds only (Box, Office 365, Google Drive, Dropbox).
var SaaSApps = []saasApp{
	{"acf49b2389c09f26ad0ccd2b1a603328", "Box 1", "box", "app.box.example"},
	{"2642aaa03dc6fc44496bdfffe5e1bc74", "Office 365 1", "office365", "acme-my.sharepoint.example"},
	{"9d3c51e0b7a24f6e8c1d2a3b4c5d6e7f", "Google Drive", "google_drive", "drive.google.example"},
	{"4b7e2a91c3d84f5a9e0b1c2d3e4f5a6b", "Dropbox Business", "dropbox", "www.dropbox.example"},
	{"7c8d9e0f1a2b4c3d8e9f0a1b2c3d4e5f", "Slack Enterprise", "slack", "acme.slack.example"},
	{"1f2e3d4c5b6a47988796a5b4c3d2e1f0", "GitHub", "github", "github.example"},
	{"e5d4c3b2a1f04e9d8c7b6a5f4e3d2c1b", "Salesforce", "salesforce", "acme.my.salesforce.example"},
}

var saasPolicies = []struct {
	name, exposure string
	exposureType   int
	sev            int // 5 critical .. 1 informational
	patterns       []string
}{
	{"PCI - card numbers in a public link", "public", 1, 5, []string{"Credit Card Number"}},
	{"Source code shared outside the company", "external", 2, 4, []string{"Source Code"}},
	{"Personal data shared publicly", "public", 1, 4, []string{"US Social Security Number", "Passport Number"}},
	{"Confidential label shared with a personal account", "external", 2, 3, nil},
	{"Secrets and keys in files", "internal", 8, 5, []string{"AWS Access Key", "Private Key"}},
	{"Financial report shared company-wide", "company", 4, 2, []string{"Financial Statement"}},
	{"Malware in cloud storage", "internal", 8, 5, nil},
	{"Customer list shared externally", "external", 2, 3, []string{"Customer Record"}},
	{"Stale public link", "public", 1, 1, nil},
}

var saasAssets = []string{"Q3 forecast.xlsx", "customers.csv", "payroll-2026.pdf", "board deck.pptx", "contract redlines.docx",
	"prod.env", "id_rsa", "roadmap 2027.pptx", "patients-batch-12.xlsx", "merger - strictly confidential.docx",
	"design docs.zip", "invoices.xlsx", "api-keys.txt", "passport scan.pdf"}

// saasStatuses are the incident states the vendor reports, in its forms.
var saasStatuses = []struct{ state, status, category string }{
	{"open", "Open-New", "new"},
	{"open", "Open-Assigned", "new"},
	{"open", "Open-In Progress", "new"},
	{"open", "Open-Pending", "new"},
	{"closed", "Closed-Business Justified", "business_justified"},
	{"closed", "Closed-Misidentified", "misidentified"},
	{"closed", "Closed-No Reason", "no_reason"},
	{"closed", "Closed-In The Cloud", "aperture"},
	{"closed", "Closed-Dismiss", "dismiss"},
}

var saasCategories = map[string]int{"business_justified": 4, "misidentified": 5, "no_reason": 6}

var saasSeverityWords = []string{"", "Informational", "Low", "Medium", "High", "Critical"}

// saasIncident is the compact stored form (about 40 bytes); the JSON is
// built on demand, so 100,000 incidents cost a few megabytes.
type saasIncident struct {
	created, updated, resolved int64 // unix ms
	person                     int32
	app, policy, status, sev   uint8
	resolver                   uint8 // 0 none, 1 "api", 2+ a SOC analyst
	sevNumber                  bool  // severity sent as a number, as some tenants do
}

// saasRemediation is one remediation the simulated tenant is working on.
type saasRemediation struct {
	typ       string
	started   time.Time
	done      time.Time
	fail      bool
	inherited bool
}

// SaaS simulates a Palo Alto SaaS Security tenant.
type SaaS struct {
	*Server
	opts         *Options
	tokens       *tokens
	mu           sync.RWMutex
	incidents    []saasIncident // by incident_id - 1
	order        []int32        // incident indexes by (updated_at, id): the delta feed's order
	scopes       map[string]string
	remediations map[string]*saasRemediation // "asset_id/type"
	quarantined  map[string]bool
	people       int
	start        time.Time
	arrived      int
	last         int64 // the latest updated_at, so writes stay strictly later
}

// SaaSRemediationTime is how long a remediation stays pending, on the
// simulator's clock.
const SaaSRemediationTime = 1200 * time.Millisecond

func newSaaS(o *Options) (*SaaS, error) {
	n := o.Rows
	if n <= 0 {
		n = 500
	}
	s := &SaaS{opts: o, tokens: newTokens(), scopes: map[string]string{}, remediations: map[string]*saasRemediation{},
		quarantined: map[string]bool{}, start: o.epoch}
	s.people = min(max(n/3, 50), 20000)
	span := 90 * 24 * time.Hour
	step := span / time.Duration(n)
	s.incidents = make([]saasIncident, n)
	for seq := 0; seq < n; seq++ {
		// seq 0 is the newest; incident ids grow with creation time.
		created := o.epoch.Add(-time.Duration(seq)*step - time.Duration(seq%5)*time.Millisecond)
		s.incidents[n-1-seq] = s.generate(n-1-seq, created)
	}
	s.order = make([]int32, n)
	for i := range s.order {
		s.order[i] = int32(i)
	}
	sort.Slice(s.order, func(a, b int) bool { return s.before(s.order[a], s.order[b]) })
	// The feed pages on updated_at (next from = last + 1 ms), so no two
	// incidents may share one: nudge ties forward.
	for _, i := range s.order {
		in := &s.incidents[i]
		if in.updated <= s.last {
			in.updated = s.last + 1
			if in.resolver > 0 {
				in.resolved = in.updated
			}
		}
		s.last = in.updated
	}
	srv, err := serve("saas", o, s.routes())
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// generate makes incident index i (id i+1) created at created.
func (s *SaaS) generate(i int, created time.Time) saasIncident {
	x := mix(uint64(i)*0x9e3779b97f4a7c15 ^ s.opts.Seed ^ 0x5aa5)
	pol := int(x % uint64(len(saasPolicies)))
	in := saasIncident{
		created: created.UTC().UnixMilli(),
		person:  int32(x >> 8 % uint64(s.people)),
		app:     uint8(x >> 20 % uint64(len(SaaSApps))),
		policy:  uint8(pol),
		sev:     uint8(saasPolicies[pol].sev),
	}
	if x>>28%4 == 0 && in.sev > 1 {
		in.sev-- // the same policy weighs less on some assets
	}
	in.sevNumber = i%11 == 5
	in.updated = in.created
	age := s.opts.epoch.Sub(created)
	switch {
	case age < 3*24*time.Hour:
		in.status = uint8(x >> 32 % 4) // recent ones are still open
	case x>>32%10 < 6:
		in.status = uint8(4 + x>>36%5)
		in.resolved = in.created + int64(1+x>>40%70)*int64(time.Hour/time.Millisecond)
		in.resolved = min(in.resolved, s.opts.epoch.UnixMilli()-int64(i%1000))
		in.updated = in.resolved
		in.resolver = uint8(1 + x>>44%uint64(len(socAnalysts)+1))
	default:
		in.status = uint8(x >> 32 % 4)
	}
	return in
}

// before orders incidents by updated_at, then id.
func (s *SaaS) before(a, b int32) bool {
	ia, ib := &s.incidents[a], &s.incidents[b]
	if ia.updated != ib.updated {
		return ia.updated < ib.updated
	}
	return a < b
}

// next is a fresh updated_at for a write, strictly after every other.
func (s *SaaS) next() int64 {
	s.last = max(s.opts.now().UnixMilli(), s.last+1)
	return s.last
}

// touch moves incident i to the end of the feed with a new updated_at.
// Callers hold s.mu.
func (s *SaaS) touch(i int32) {
	pos := sort.Search(len(s.order), func(k int) bool { return !s.before(s.order[k], i) })
	if pos < len(s.order) && s.order[pos] == i {
		s.order = append(s.order[:pos], s.order[pos+1:]...)
	}
	s.incidents[i].updated = s.next()
	s.order = append(s.order, i)
}

// arrive adds the incidents that "happened" since the last look, one every
// 40 seconds, when the simulator is live.
func (s *SaaS) arrive() {
	if !s.opts.Live {
		return
	}
	for due := int(s.opts.now().Sub(s.start) / (40 * time.Second)); s.arrived < due; s.arrived++ {
		i := int32(len(s.incidents))
		in := s.generate(int(i), s.opts.now())
		in.status, in.resolved, in.resolver = 0, 0, 0
		in.created = s.next()
		in.updated = in.created
		s.incidents = append(s.incidents, in)
		s.order = append(s.order, i)
	}
}

// Tokens is how many tokens the tenant issued.
func (s *SaaS) Tokens() int64 { return s.tokens.Issued() }

// IssuedTokens lists every bearer token the tenant handed out, for tests
// that search output for credentials.
func (s *SaaS) IssuedTokens() []string { return s.tokens.list() }

// RevokeTokens invalidates every issued token.
func (s *SaaS) RevokeTokens() { s.tokens.revokeAll() }

// Newest returns the ids of the n most recently updated incidents, newest
// first: the top of the console's list.
func (s *SaaS) Newest(n int) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for k := len(s.order) - 1; k >= 0 && len(out) < n; k-- {
		out = append(out, strconv.Itoa(int(s.order[k])+1))
	}
	return out
}

// IncidentState returns an incident's state and category.
func (s *SaaS) IncidentState(id string) (state, category string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i, ok := s.index(id); ok {
		st := saasStatuses[s.incidents[i].status]
		return st.state, st.category
	}
	return "", ""
}

// AssetOf returns the asset id of an incident.
func (s *SaaS) AssetOf(id string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i, ok := s.index(id); ok {
		return saasAssetID(i)
	}
	return ""
}

// RemediationStatus is the status a remediation has now: pending, success,
// failed, or "" when there is none.
func (s *SaaS) RemediationStatus(assetID, typ string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if r := s.remediations[assetID+"/"+typ]; r != nil {
		return r.status(s.opts.now())
	}
	return ""
}

// Remediations counts the remediations started.
func (s *SaaS) Remediations() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.remediations)
}

func (r *saasRemediation) status(now time.Time) string {
	switch {
	case now.Before(r.done):
		return "pending"
	case r.fail:
		return "failed"
	}
	return "success"
}

func (s *SaaS) index(id string) (int32, bool) {
	n, err := strconv.Atoi(id)
	if err != nil || n < 1 || n > len(s.incidents) {
		return 0, false
	}
	return int32(n - 1), true
}

// Asset ids carry the incident index, so no map is needed to find an asset.
func saasAssetID(i int32) string {
	return fmt.Sprintf("61099d%08x%010x", i, mix(uint64(i))&0xffffffffff)
}

func saasAsset(id string) (int32, bool) {
	if len(id) != 24 || !strings.HasPrefix(id, "61099d") {
		return 0, false
	}
	n, err := strconv.ParseUint(id[6:14], 16, 32)
	if err != nil || saasAssetID(int32(n)) != id {
		return 0, false
	}
	return int32(n), true
}

func (s *SaaS) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", s.token)
	api := http.NewServeMux()
	api.HandleFunc("GET /incident/api/incidents/delta", s.scoped("incident_api", s.delta))
	api.HandleFunc("GET /incident/api/incidents/{id}", s.scoped("incident_api", s.get))
	api.HandleFunc("GET /incident/api/incidents/{id}/state", s.scoped("incident_api", s.getState))
	api.HandleFunc("POST /incident/api/incidents/{id}/state", s.scoped("incident_api", s.setState))
	api.HandleFunc("GET /incident/api/apps", s.scoped("incident_api", s.apps))
	api.HandleFunc("POST /remediation/api/assets", s.scoped("remediation_api", s.remediate))
	api.HandleFunc("GET /remediation/api/assets", s.scoped("remediation_api", s.remediationStatus))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		saasError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.tokens.valid(r) {
			saasError(w, http.StatusUnauthorized, "unauthorized", "invalid or expired access token")
			return
		}
		api.ServeHTTP(w, r)
	}))
	return mux
}

// saasError answers in the shape of the vendor's documented error body.
func saasError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
}

// scoped refuses a token that was not granted scope.
func (s *SaaS) scoped(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.RLock()
		granted := s.scopes[tok]
		s.mu.RUnlock()
		for _, g := range strings.Fields(granted) {
			if g == scope {
				h(w, r)
				return
			}
		}
		saasError(w, http.StatusForbidden, "insufficient_scope", "the access token was not granted the "+scope+" scope")
	}
}

// token is POST /oauth/token: the client id and secret as HTTP Basic auth
// only, a form body with grant_type and space-separated scopes.
func (s *SaaS) token(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		saasError(w, http.StatusBadRequest, "invalid_request", "token requests must be form-encoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		saasError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id, secret, basic := r.BasicAuth()
	switch {
	case r.PostForm.Has("client_secret") || r.PostForm.Has("client_id"):
		saasError(w, http.StatusBadRequest, "invalid_request", "client credentials go in the Authorization header, not the body")
	case !basic || id != SaaSClientID || secret != SaaSClientSecret:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized",
			"resolution": "Check the client ID and secret of the API client (Settings > External Service)", "error_description": "Invalid credentials"})
	case r.PostForm.Get("grant_type") != "client_credentials":
		saasError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
	default:
		tok := s.tokens.issue("saas", 119*time.Minute)
		s.mu.Lock()
		s.scopes[tok] = r.PostForm.Get("scope")
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 7140, "scope": r.PostForm.Get("scope")})
	}
}

const saasTime = "2006-01-02T15:04:05.000Z"

func saasMillis(ms int64) string { return time.UnixMilli(ms).UTC().Format(saasTime) }

// delta is the incident feed: incidents updated in [from, to) in updated_at
// order, at most limit, and a nextPath that is always there.
func (s *SaaS) delta(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		// A multiple of 10 from 10 to 1000: the XSOAR integration's
		// validate_limit ("SaaS API limit") and its LIMIT comment.
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n > 1000 || n%10 != 0 {
			saasError(w, http.StatusBadRequest, "invalid_request", "limit must be a multiple of 10 from 10 to 1000, got "+strconv.Quote(v))
			return
		}
		limit = n
	}
	var from, to int64 = 0, 1<<62 - 1
	for name, dst := range map[string]*int64{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(saasTime, v)
			if err != nil {
				saasError(w, http.StatusBadRequest, "invalid_request", name+" must be YYYY-MM-DDTHH:MM:SS.mmmZ, got "+strconv.Quote(v))
				return
			}
			*dst = t.UnixMilli()
		}
	}
	state := strings.ToLower(q.Get("state"))
	if state != "" && state != "open" && state != "closed" {
		saasError(w, http.StatusBadRequest, "invalid_request", "state must be open or closed")
		return
	}
	list := func(name string) []string {
		var out []string
		for _, v := range strings.Split(q.Get(name), ",") {
			if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	apps, sevs, statuses := list("app_ids"), list("severity"), list("status")
	// The filter takes the numbers 1..5 only (the XSOAR integration's yml
	// offers '1'..'5'); a word such as High is refused.
	for _, v := range sevs {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 5 {
			saasError(w, http.StatusBadRequest, "invalid_request", "severity must be numbers from 1 to 5, comma-separated, got "+strconv.Quote(q.Get("severity")))
			return
		}
	}
	match := func(in *saasIncident) bool {
		st := saasStatuses[in.status]
		if state != "" && st.state != state {
			return false
		}
		if len(apps) > 0 && !contains(apps, strings.ToLower(SaaSApps[in.app].ID)) {
			return false
		}
		if len(sevs) > 0 && !contains(sevs, strconv.Itoa(int(in.sev))) {
			return false
		}
		return len(statuses) == 0 || contains(statuses, strings.ToLower(st.status))
	}
	s.mu.Lock()
	s.arrive()
	s.mu.Unlock()
	s.mu.RLock()
	start := sort.Search(len(s.order), func(k int) bool { return s.incidents[s.order[k]].updated >= from })
	page := []any{}
	last := int64(-1)
	for k := start; k < len(s.order) && len(page) < limit; k++ {
		i := s.order[k]
		in := &s.incidents[i]
		if in.updated >= to {
			break
		}
		if match(in) {
			page = append(page, s.render(i))
			last = in.updated
		}
	}
	s.mu.RUnlock()
	next := url.Values{}
	for k, v := range q {
		next[k] = v
	}
	next.Set("limit", strconv.Itoa(limit))
	if last >= 0 {
		next.Set("from", saasMillis(last+1))
	}
	writeJSON(w, http.StatusOK, map[string]any{"limit": limit, "nextPath": "/incident/api/incidents/delta?" + next.Encode(), "resources": page})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *SaaS) lookup(w http.ResponseWriter, r *http.Request) (int32, bool) {
	id := r.PathValue("id")
	s.mu.RLock()
	i, ok := s.index(id)
	s.mu.RUnlock()
	if !ok {
		saasError(w, http.StatusNotFound, "not_found", "incident "+id+" not found")
	}
	return i, ok
}

func (s *SaaS) get(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.lookup(w, r); ok {
		s.mu.RLock()
		inc := s.render(i)
		s.mu.RUnlock()
		writeJSON(w, http.StatusOK, inc)
	}
}

// stateOf is the state object of incident i. Callers hold s.mu.
func (s *SaaS) stateOf(i int32) map[string]any {
	in := &s.incidents[i]
	st := saasStatuses[in.status]
	out := map[string]any{"state": st.state, "category": st.category, "resolved_by": nil, "resolution_date": nil}
	if in.resolver > 0 {
		out["resolved_by"] = s.resolver(in)
		out["resolution_date"] = saasMillis(in.resolved)
	}
	return out
}

func (s *SaaS) getState(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.lookup(w, r); ok {
		s.mu.RLock()
		st := s.stateOf(i)
		s.mu.RUnlock()
		writeJSON(w, http.StatusOK, st)
	}
}

// setState closes an incident with a category; a closed one may take a new
// category. The API cannot reopen.
func (s *SaaS) setState(w http.ResponseWriter, r *http.Request) {
	i, ok := s.lookup(w, r)
	if !ok {
		return
	}
	var body struct {
		State    string `json:"state"`
		Category string `json:"category"`
	}
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, m string) { saasError(w, st, "invalid_request", m) }) {
		return
	}
	if body.State != "closed" {
		saasError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("state %q cannot be set: only closed is allowed", body.State))
		return
	}
	status, ok := saasCategories[body.Category]
	if !ok {
		saasError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("invalid category %q: use misidentified, no_reason or business_justified", body.Category))
		return
	}
	s.mu.Lock()
	in := &s.incidents[i]
	in.status, in.resolver = uint8(status), 1
	s.touch(i)
	in.resolved = in.updated
	st := s.stateOf(i)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

func (s *SaaS) apps(w http.ResponseWriter, _ *http.Request) {
	out := make([]any, len(SaaSApps))
	for i, a := range SaaSApps {
		out[i] = map[string]any{"app_name": s.opts.taint(a.Name, i), "app_id": a.ID, "app_type": a.Type}
	}
	writeJSON(w, http.StatusOK, out)
}

// remediate starts a remediation: it stays pending a moment, then succeeds
// or fails (some assets are gone at the cloud app; restoring an asset that
// is not quarantined fails).
func (s *SaaS) remediate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AssetID         string `json:"asset_id"`
		Type            string `json:"remediation_type"`
		RemoveInherited *bool  `json:"remove_inherited_sharing"`
	}
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, m string) { saasError(w, st, "invalid_request", m) }) {
		return
	}
	i, ok := saasAsset(body.AssetID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok || int(i) >= len(s.incidents) {
		saasError(w, http.StatusNotFound, "not_found", "asset "+body.AssetID+" not found")
		return
	}
	app := SaaSApps[s.incidents[i].app]
	switch body.Type {
	case "system_quarantine", "system_restore":
		if body.RemoveInherited != nil {
			saasError(w, http.StatusBadRequest, "invalid_request", "remove_inherited_sharing applies to remove_public_sharing only")
			return
		}
	case "remove_public_sharing":
		if !publicSharing(app.Type) {
			saasError(w, http.StatusBadRequest, "invalid_request", "remove_public_sharing is not supported for "+app.Name)
			return
		}
	default:
		saasError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("invalid remediation_type %q: use remove_public_sharing, system_quarantine or system_restore", body.Type))
		return
	}
	now := s.opts.now()
	rem := &saasRemediation{typ: body.Type, started: now, done: now.Add(SaaSRemediationTime), fail: i%9 == 4,
		inherited: body.RemoveInherited != nil && *body.RemoveInherited}
	switch body.Type {
	case "system_quarantine":
		s.quarantined[body.AssetID] = !rem.fail
	case "system_restore":
		rem.fail = !s.quarantined[body.AssetID]
		delete(s.quarantined, body.AssetID)
	}
	s.remediations[body.AssetID+"/"+body.Type] = rem
	w.WriteHeader(http.StatusOK) // the vendor's body is not documented; clients must not need one
}

func publicSharing(appType string) bool {
	switch appType {
	case "box", "office365", "google_drive", "dropbox":
		return true
	}
	return false
}

func (s *SaaS) remediationStatus(w http.ResponseWriter, r *http.Request) {
	assetID, typ := r.URL.Query().Get("asset_id"), r.URL.Query().Get("remediation_type")
	if assetID == "" || typ == "" {
		saasError(w, http.StatusBadRequest, "invalid_request", "asset_id and remediation_type are required")
		return
	}
	i, ok := saasAsset(assetID)
	s.mu.RLock()
	defer s.mu.RUnlock()
	rem := s.remediations[assetID+"/"+typ]
	if !ok || int(i) >= len(s.incidents) || rem == nil {
		saasError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no %s remediation for asset %s", typ, assetID))
		return
	}
	when := rem.started
	if !s.opts.now().Before(rem.done) {
		when = rem.done
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"asset_id": assetID, "asset_name": s.assetName(i), "remediation_type": typ, "action_taker": "api",
		"action_date": when.UTC().Format("2006-01-02T15:04:05.000-0700"), "status": rem.status(s.opts.now()),
	})
}

func (s *SaaS) assetName(i int32) string {
	return s.opts.taint(saasAssets[int(i)%len(saasAssets)], int(i))
}

func (s *SaaS) resolver(in *saasIncident) string {
	if in.resolver <= 1 {
		return "api"
	}
	return socAnalysts[int(in.resolver-2)%len(socAnalysts)].Email
}

// render builds the vendor's JSON shape of incident i. Callers hold s.mu.
func (s *SaaS) render(i int32) map[string]any {
	in := &s.incidents[i]
	o := s.opts
	p := PersonAt(int(in.person))
	app := SaaSApps[in.app]
	pol := saasPolicies[in.policy]
	st := saasStatuses[in.status]
	asset := saasAssetID(i)
	cloudID := fmt.Sprintf("%d", 600000000000+mix(uint64(i))%100000000000)
	policyID := fmt.Sprintf("6109a5d0e64152534b24%04x", in.policy)
	var severity any = saasSeverityWords[in.sev]
	if in.sevNumber {
		severity = int(in.sev)
	}
	collaborators := []any{}
	if pol.exposure == "external" || pol.exposure == "public" {
		collaborators = append(collaborators, fmt.Sprintf("%s.%s%d@gmail.example", strings.ToLower(p.First), strings.ToLower(p.Last[:1]), i%97))
	}
	patterns := []any{}
	for _, dp := range pol.patterns {
		patterns = append(patterns, dp)
	}
	inc := map[string]any{
		"incident_id": int(i) + 1, "tenant": "acme",
		"app_id": app.ID, "app_name": o.taint(app.Name, int(in.app)), "app_type": app.Type,
		"cloud_id": cloudID, "asset_name": s.assetName(i),
		"asset_sha256":   fmt.Sprintf("%016x%016x%016x%016x", mix(uint64(i)+1), mix(uint64(i)+2), mix(uint64(i)+3), mix(uint64(i)+4)),
		"asset_id":       asset,
		"asset_page_uri": "https://acme.aperture.example/cloud_assets/" + asset, "asset_cloud_uri": "https://" + app.Host + "/files/" + cloudID,
		"exposure_type": pol.exposureType, "exposure_level": pol.exposure,
		"policy_id": policyID, "policy_name": o.taint(pol.name, int(i)+2), "policy_version": 1 + int(in.policy)%3,
		"policy_page_uri": "https://acme.aperture.example/data_policies/" + policyID,
		"severity":        severity, "status": st.status, "state": st.state, "category": st.category,
		"created_at": saasMillis(in.created), "updated_at": saasMillis(in.updated),
		"group_ids":      []any{},
		"asset_owner_id": strings.Repeat(fmt.Sprintf("%016X", mix(uint64(in.person)+7)), 8), "asset_owner_name": o.taint(p.Name(), int(i)+1),
		"asset_owner_email": p.Email, "collaborators": collaborators, "data_patterns": patterns,
	}
	if in.resolver > 0 {
		inc["resolved_by"] = s.resolver(in)
		inc["resolution_date"] = saasMillis(in.resolved)
	}
	return inc
}
