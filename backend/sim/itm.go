package sim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ITMStatus is one of the simulated tenant's workflow statuses. Real
// tenants have their own ids; these are what the demo config lists.
type ITMStatus struct{ ID, Slug, Title string }

// ITMStatuses are the demo tenant's workflow statuses.
var ITMStatuses = []ITMStatus{
	{"3e37bcdb-0001-4c1e-9a51-2f0c6d1b7a01", "new", "New"},
	{"3e37bcdb-0002-4c1e-9a51-2f0c6d1b7a02", "in-progress", "In progress"},
	{"3e37bcdb-0003-4c1e-9a51-2f0c6d1b7a03", "escalated", "Escalated"},
	{"3e37bcdb-0004-4c1e-9a51-2f0c6d1b7a04", "on-hold", "On hold"},
	{"3e37bcdb-0005-4c1e-9a51-2f0c6d1b7a05", "resolved", "Resolved"},
	{"3e37bcdb-0006-4c1e-9a51-2f0c6d1b7a06", "false-positive", "False positive"},
	{"3e37bcdb-0007-4c1e-9a51-2f0c6d1b7a07", "not-an-issue", "Not an issue"},
	{"3e37bcdb-0008-4c1e-9a51-2f0c6d1b7a08", "reopened", "Reopened"},
}

// ITM credentials the simulator accepts.
const (
	ITMClientID     = "demo-itm-client"
	ITMClientSecret = "demo-itm-secret"
)

// SOC analysts are the ITM console users tickets get assigned to.
var socAnalysts = []struct{ ID, Email, Name string }{
	{"u-soc-001", "dana.reyes@" + Domain, "Dana Reyes"},
	{"u-soc-002", "sam.okoro@" + Domain, "Sam Okoro"},
	{"u-soc-003", "kim.lindqvist@" + Domain, "Kim Lindqvist"},
	{"u-soc-004", "alex.moreau@" + Domain, "Alex Moreau"},
	{"u-soc-005", "jo.nakamura@" + Domain, "Jo Nakamura"},
}

var itmIncidents = []struct {
	name, kind, indicator, category string
	sev                             int
}{
	{"EMAIL-DLP-PCI", "pfpt:incident:general:data:violation", "Credit card numbers", "email", 0},
	{"EMAIL-DLP-PII", "pfpt:incident:general:data:violation", "National ID numbers", "email", 1},
	{"EMAIL-EXFIL-PERSONAL", "it:platform:incident", "Mail to personal address", "email", 1},
	{"USB-MASS-STORAGE-COPY", "it:platform:incident", "File copied to USB", "endpoint", 2},
	{"CLOUD-UPLOAD-PERSONAL", "it:platform:incident", "Upload to personal cloud", "endpoint", 1},
	{"PRINT-SENSITIVE-DOC", "it:platform:incident", "Printed labelled document", "endpoint", 3},
	{"SOURCE-CODE-ARCHIVE", "it:platform:incident", "Archive of source tree", "endpoint", 0},
	{"RESIGNATION-DATA-HOARD", "it:platform:incident", "Bulk download before leaving", "endpoint", 2},
}

var itmSeverities = []string{"incident:severity:850:critical", "incident:severity:700:high", "incident:severity:500:medium", "incident:severity:300:low"}

var subjects = []string{"Q3 forecast - final", "Customer list export", "Payroll March", "Board deck draft", "Contract redlines",
	"Fwd: passwords for the vendor portal", "Design docs", "Invoice 4471 overdue", "Re: offer letter", "Roadmap 2027",
	"Patient records batch 12", "Merger - strictly confidential"}

var attachments = []string{"forecast.xlsx", "customers.csv", "payroll.pdf", "deck.pptx", "contract.docx", "src.zip", "records.xlsx", "notes.txt"}

type itmComment struct {
	Text, Kind, Alias string
	At                time.Time
}

// itmTicket is the compact stored form; the JSON shape is built on demand,
// so 100,000 tickets cost a few megabytes.
type itmTicket struct {
	seq      int
	fqid     string
	observed time.Time
	person   int
	incident int
	sev      int
	status   int // index into ITMStatuses
	category string
	assignee string
	comments []itmComment
	history  []itmComment
}

// ITM simulates a Proofpoint ITM tenant.
type ITM struct {
	*Server
	opts    *Options
	tokens  *tokens
	mu      sync.RWMutex
	tickets []*itmTicket // newest first
	byFQID  map[string]*itmTicket
	people  int
	start   time.Time
	arrived int
}

func newITM(o *Options) (*ITM, error) {
	n := o.Rows
	if n <= 0 {
		n = 300
	}
	s := &ITM{opts: o, tokens: newTokens(), byFQID: make(map[string]*itmTicket, n), start: o.epoch}
	s.people = min(max(n/3, 50), 20000)
	span := 30 * 24 * time.Hour
	step := span / time.Duration(n)
	s.tickets = make([]*itmTicket, n)
	for i := 0; i < n; i++ {
		t := s.generate(i, o.epoch.Add(-time.Duration(i)*step-time.Duration(i%7)*time.Second))
		s.tickets[i] = t
		s.byFQID[t.fqid] = t
	}
	srv, err := serve("itm", o, s.routes())
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

func (s *ITM) generate(seq int, observed time.Time) *itmTicket {
	// The hash of "itm-<seed>-<seq>", built without fmt: 100,000 tickets
	// are generated at start.
	var buf [48]byte
	b := append(buf[:0], "itm-"...)
	b = strconv.AppendUint(b, s.opts.Seed, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(seq), 10)
	h := fnv.New64a()
	h.Write(b)
	x := mix(h.Sum64())
	inc := int(x % uint64(len(itmIncidents)))
	sev := itmIncidents[inc].sev
	if x>>8%5 == 0 && sev > 0 {
		sev-- // some incidents of a kind run hotter
	}
	status := 0
	if age := s.opts.epoch.Sub(observed); age > 3*24*time.Hour {
		status = []int{0, 1, 4, 5, 6, 1, 4, 2}[x>>16%8] // older tickets have moved on
	}
	t := &itmTicket{
		seq: seq, fqid: fqidOf(x), observed: observed.UTC().Truncate(time.Millisecond),
		person: int(x >> 24 % uint64(s.people)), incident: inc, sev: sev, status: status,
	}
	if status != 0 {
		t.assignee = socAnalysts[x>>32%uint64(len(socAnalysts))].ID
	}
	return t
}

// fqidOf is a ticket's fqid: its hash in 16 hex digits and the source.
func fqidOf(x uint64) string {
	const digits = "0123456789abcdef"
	var b [26]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[x&0xf]
		x >>= 4
	}
	copy(b[16:], "-email:pps")
	return string(b[:])
}

// mix spreads the bits of a hash so neighbouring seeds look unrelated.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// Tokens is how many tokens the tenant issued.
func (s *ITM) Tokens() int64 { return s.tokens.Issued() }

// IssuedTokens lists every bearer token the tenant handed out, for tests
// that search output for credentials.
func (s *ITM) IssuedTokens() []string { return s.tokens.list() }

// RevokeTokens invalidates every issued token.
func (s *ITM) RevokeTokens() { s.tokens.revokeAll() }

// FQIDs returns the ids of the newest n tickets.
func (s *ITM) FQIDs(n int) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, n)
	for _, t := range s.tickets[:min(n, len(s.tickets))] {
		out = append(out, t.fqid)
	}
	return out
}

// Comments returns the comment texts on a ticket.
func (s *ITM) Comments(fqid string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	if t := s.byFQID[fqid]; t != nil {
		for _, c := range t.comments {
			out = append(out, c.Text)
		}
	}
	return out
}

// arrive adds the incidents that "happened" since the last look, one every
// 45 seconds, when the simulator is live.
func (s *ITM) arrive() {
	if !s.opts.Live {
		return
	}
	due := int(s.opts.now().Sub(s.start) / (45 * time.Second))
	if due <= s.arrived {
		return
	}
	for s.arrived < due {
		s.arrived++
		seq := len(s.tickets)
		t := s.generate(seq+1_000_000, s.start.Add(time.Duration(s.arrived)*45*time.Second))
		s.tickets = append([]*itmTicket{t}, s.tickets...)
		s.byFQID[t.fqid] = t
	}
}

func (s *ITM) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/apis/auth/oauth/token", s.token)
	api := http.NewServeMux()
	api.HandleFunc("POST /v2/apis/activity/event-queries", s.query)
	api.HandleFunc("GET /v2/apis/activity/events/{fqid}", s.get)
	api.HandleFunc("GET /v2/apis/activity/events/{fqid}/messages/default/contents/_raw", s.raw)
	api.HandleFunc("POST /v2/apis/activity/events/{fqid}/annotations/comments", s.comment)
	api.HandleFunc("PUT /v2/apis/activity/events/{fqid}/annotations/workflow/assignment", s.assign)
	api.HandleFunc("PATCH /v2/apis/activity/events/{fqid}/annotations/workflow", s.workflow)
	api.HandleFunc("GET /v2/apis/auth/users", s.users)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		itmError(w, http.StatusNotFound, "it:error:not-found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	mux.Handle("/v2/apis/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.tokens.valid(r) {
			itmError(w, http.StatusUnauthorized, "it:error:unauthorized", "invalid or expired bearer token")
			return
		}
		api.ServeHTTP(w, r)
	}))
	return mux
}

// itmError answers in ITM's _status envelope, its status a string as the
// vendor's own examples show.
func itmError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"_status": map[string]any{"code": code, "status": fmt.Sprint(status), "message": msg}})
}

func (s *ITM) token(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		itmError(w, http.StatusBadRequest, "it:error:invalid-request", "token requests must be form-encoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		itmError(w, http.StatusBadRequest, "it:error:invalid-request", err.Error())
		return
	}
	switch {
	case r.PostForm.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type", "error_description": "only client_credentials is supported"})
	case r.PostForm.Get("client_id") != ITMClientID || r.PostForm.Get("client_secret") != ITMClientSecret:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "Invalid client credentials"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": s.tokens.issue("itm", time.Hour), "token_type": "Bearer", "expires_in": 3600,
			"refresh_token": "not-used", "scope": r.PostForm.Get("scope"),
		})
	}
}

func (s *ITM) query(w http.ResponseWriter, r *http.Request) {
	offset, err1 := intParam(r, "offset", 0)
	limit, err2 := intParam(r, "limit", 100)
	if err1 != nil || err2 != nil || limit == 0 {
		itmError(w, http.StatusBadRequest, "it:error:invalid-parameter", "offset and limit must be non-negative integers, limit above 0")
		return
	}
	limit = min(limit, 1000)
	var body struct {
		Sort    []map[string]struct{ Order string } `json:"sort"`
		Filters map[string]any                      `json:"filters"`
	}
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, m string) { itmError(w, st, "it:error:invalid-query", m) }) {
		return
	}
	pred, err := compileFilter(body.Filters)
	if err != nil {
		itmError(w, http.StatusBadRequest, "it:error:invalid-query", err.Error())
		return
	}
	s.mu.Lock()
	s.arrive()
	s.mu.Unlock()
	s.mu.RLock()
	var matched []*itmTicket
	for _, t := range s.tickets {
		if pred(s, t) {
			matched = append(matched, t)
		}
	}
	if len(body.Sort) > 0 {
		if o, ok := body.Sort[0]["event.observedAt"]; ok && o.Order == "asc" {
			sort.SliceStable(matched, func(i, j int) bool { return matched[i].observed.Before(matched[j].observed) })
		}
	}
	total := len(matched)
	var page []any
	if offset < total {
		for _, t := range matched[offset:min(offset+limit, total)] {
			page = append(page, s.render(t))
		}
	}
	s.mu.RUnlock()
	if page == nil {
		page = []any{}
	}
	resp := map[string]any{"_status": map[string]any{"code": "it:ok", "status": 200}, "data": page}
	if r.URL.Query().Get("trackTotalHits") == "true" {
		resp["_meta"] = map[string]any{"stats": map[string]any{"total": total}}
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *ITM) lookup(w http.ResponseWriter, r *http.Request) *itmTicket {
	fqid := r.PathValue("fqid")
	s.mu.RLock()
	t := s.byFQID[fqid]
	s.mu.RUnlock()
	if t == nil {
		itmError(w, http.StatusNotFound, "it:error:not-found", "event "+fqid+" not found")
	}
	return t
}

func (s *ITM) get(w http.ResponseWriter, r *http.Request) {
	if t := s.lookup(w, r); t != nil {
		s.mu.RLock()
		ev := s.render(t)
		s.mu.RUnlock()
		writeJSON(w, http.StatusOK, ev)
	}
}

func (s *ITM) raw(w http.ResponseWriter, r *http.Request) {
	t := s.lookup(w, r)
	if t == nil {
		return
	}
	s.mu.RLock()
	ev := s.render(t)
	s.mu.RUnlock()
	msg := ev["messages"].([]any)[0].(map[string]any)
	sender := msg["sender"].(map[string]any)
	var rcpts []string
	for _, rc := range msg["recipients"].([]any) {
		rcpts = append(rcpts, rc.(map[string]any)["email"].(string))
	}
	att := msg["attachments"].([]any)[0].(map[string]any)["name"]
	w.Header().Set("Content-Type", "application/octet-stream")
	fmt.Fprintf(w, "Return-Path: <%s>\r\nFrom: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@mail.%s>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi,\r\n\r\nPlease find the file attached.\r\n\r\n--b1\r\nContent-Type: application/octet-stream; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAIAAAAIQD=\r\n--b1--\r\n",
		sender["email"], sender["name"], sender["email"], strings.Join(rcpts, ", "), msg["subject"],
		t.observed.Format(time.RFC1123Z), t.fqid, Domain, att, att)
}

func (s *ITM) comment(w http.ResponseWriter, r *http.Request) {
	t := s.lookup(w, r)
	if t == nil {
		return
	}
	var body struct {
		Data []struct {
			Alias      json.RawMessage `json:"alias"`
			Kind, Text string
		} `json:"data"`
	}
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, m string) { itmError(w, st, "it:error:invalid-body", m) }) {
		return
	}
	if len(body.Data) == 0 || strings.TrimSpace(body.Data[0].Text) == "" {
		itmError(w, http.StatusBadRequest, "it:error:invalid-body", "data[0].text is required")
		return
	}
	aliases := make([]string, len(body.Data))
	for i, c := range body.Data {
		// The comment's alias is a string-typed label and no more is known:
		// SOAR's _handle_add_comment sends the literal "string" (Swagger UI's
		// example for a string property), and no reference omits it or
		// bounds it. So only its type is checked; see itm.commentAlias.
		if len(c.Alias) > 0 && string(c.Alias) != "null" {
			if err := json.Unmarshal(c.Alias, &aliases[i]); err != nil {
				itmError(w, http.StatusBadRequest, "it:error:invalid-body", fmt.Sprintf("data[%d].alias must be a string", i))
				return
			}
		}
	}
	s.mu.Lock()
	for i, c := range body.Data {
		// The token, not the alias, says who wrote it.
		t.comments = append(t.comments, itmComment{Text: c.Text, Kind: c.Kind, Alias: aliases[i], At: s.opts.now().UTC()})
		t.history = append(t.history, itmComment{Text: "comment added", Kind: "it:history:comment", At: s.opts.now().UTC()})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"_status": map[string]any{"code": "it:ok", "status": 201}})
}

func (s *ITM) assign(w http.ResponseWriter, r *http.Request) {
	t := s.lookup(w, r)
	if t == nil {
		return
	}
	var body struct{ ID string }
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, m string) { itmError(w, st, "it:error:invalid-body", m) }) {
		return
	}
	if strings.TrimSpace(body.ID) == "" {
		itmError(w, http.StatusBadRequest, "it:error:invalid-body", "id is required")
		return
	}
	s.mu.Lock()
	t.assignee = body.ID
	t.history = append(t.history, itmComment{Text: "assigned to " + body.ID, Kind: "it:history:assignment", At: s.opts.now().UTC()})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"_status": map[string]any{"code": "it:ok", "status": 200}})
}

func (s *ITM) workflow(w http.ResponseWriter, r *http.Request) {
	t := s.lookup(w, r)
	if t == nil {
		return
	}
	var body struct {
		State struct {
			Disposition struct {
				Status struct {
					ID    string `json:"id"`
					Alias string `json:"alias"`
				} `json:"status"`
				Category string `json:"category"`
			} `json:"disposition"`
			Assignee *struct {
				ID string `json:"id"`
			} `json:"assignee"`
		} `json:"state"`
	}
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, m string) { itmError(w, st, "it:error:invalid-body", m) }) {
		return
	}
	id := body.State.Disposition.Status.ID
	idx := -1
	for i, st := range ITMStatuses {
		if st.ID == id {
			idx = i
		}
	}
	if idx < 0 {
		itmError(w, http.StatusBadRequest, "it:error:invalid-status", fmt.Sprintf("unknown workflow status id %q", id))
		return
	}
	s.mu.Lock()
	t.status = idx
	if c := body.State.Disposition.Category; c != "" {
		t.category = c
	}
	if a := body.State.Assignee; a != nil && a.ID != "" {
		t.assignee = a.ID
	}
	t.history = append(t.history, itmComment{Text: "status set to " + ITMStatuses[idx].Title, Kind: "it:history:workflow", At: s.opts.now().UTC()})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"_status": map[string]any{"code": "it:ok", "status": 200}})
}

func (s *ITM) users(w http.ResponseWriter, r *http.Request) {
	offset, err1 := intParam(r, "offset", 0)
	limit, err2 := intParam(r, "limit", 100)
	if err1 != nil || err2 != nil {
		itmError(w, http.StatusBadRequest, "it:error:invalid-parameter", "offset and limit must be integers")
		return
	}
	alias := strings.ToLower(r.URL.Query().Get("alias"))
	statuses := r.URL.Query().Get("status")
	var all []any
	add := func(id, email, first, last, status string) {
		if alias != "" {
			if ok, _ := path.Match(alias, strings.ToLower(email)); !ok && !strings.EqualFold(alias, strings.Split(email, "@")[0]) {
				return
			}
		}
		if statuses != "" && !strings.Contains(statuses, status) {
			return
		}
		all = append(all, map[string]any{"id": id, "alias": strings.Split(email, "@")[0], "email": email, "firstName": first, "lastName": last, "status": status})
	}
	for _, a := range socAnalysts {
		f, l, _ := strings.Cut(a.Name, " ")
		add(a.ID, a.Email, f, l, "active")
	}
	for i := 0; i < min(s.people, 500); i++ {
		p := PersonAt(i)
		add(fmt.Sprintf("u-%05d", i), p.Email, p.First, p.Last, "active")
	}
	end := min(offset+limit, len(all))
	page := []any{}
	if offset < len(all) {
		page = all[offset:end]
	}
	writeJSON(w, http.StatusOK, map[string]any{"_status": map[string]any{"status": 200}, "data": page, "_meta": map[string]any{"stats": map[string]any{"total": len(all)}}})
}

// render builds the vendor's JSON shape of a ticket. Callers hold s.mu.
func (s *ITM) render(t *itmTicket) map[string]any {
	p := PersonAt(t.person)
	inc := itmIncidents[t.incident]
	st := ITMStatuses[t.status]
	h := t.seq
	o := s.opts
	subject := o.taint(subjects[h%len(subjects)], h)
	att := o.taint(attachments[h%len(attachments)], h+1)
	external := fmt.Sprintf("%s.%s%d@gmail.example", strings.ToLower(p.First), strings.ToLower(p.Last[:1]), h%97)
	comments := []any{}
	for _, c := range t.comments {
		comments = append(comments, map[string]any{"text": c.Text, "kind": c.Kind, "alias": c.Alias, "createdAt": c.At.Format(time.RFC3339Nano)})
	}
	history := []any{map[string]any{"text": "incident created by rule " + inc.name, "kind": "it:history:created", "createdAt": t.observed.Format(time.RFC3339Nano)}}
	for _, c := range t.history {
		history = append(history, map[string]any{"text": c.Text, "kind": c.Kind, "createdAt": c.At.Format(time.RFC3339Nano)})
	}
	display := o.taint(p.Name(), h+2)
	ev := map[string]any{
		"id":   t.fqid,
		"fqid": t.fqid,
		"event": map[string]any{
			"id": fmt.Sprintf("ev-%08d", t.seq), "kind": "email:pps:message", "observedAt": t.observed.Format(time.RFC3339Nano),
			"ingestedAt": t.observed.Add(40 * time.Second).Format(time.RFC3339Nano),
		},
		"incident": map[string]any{
			"id": "inc-" + t.fqid[:12], "kind": inc.kind, "status": "incident:status:" + st.Slug,
			"severity": itmSeverities[t.sev], "name": inc.name,
			"reasons": []any{map[string]any{"id": "r-" + inc.name, "name": inc.name, "alias": strings.ToLower(inc.name),
				"severity": itmSeverities[t.sev], "indicators": []any{map[string]any{"index": 0}}}},
			"remediations": map[string]any{"status": "none"},
		},
		"indicators": []any{map[string]any{
			"id": "ind-" + inc.name, "name": inc.indicator, "kind": "it:indicator:" + inc.category,
			"matches": []any{map[string]any{
				"op": "contains", "object": map[string]any{"id": "obj-1", "name": att, "kind": "file"},
				"snippets": []any{map[string]any{"content": map[string]any{"data": "4111 **** **** 1111"}}},
				"result":   map[string]any{"value": "matched", "stats": map[string]any{"count": 1 + h%9}},
			}},
		}},
		"messages": []any{map[string]any{
			"subject": subject, "kind": "email", "sentAt": t.observed.Add(-2 * time.Second).Format(time.RFC3339Nano),
			"sender":      map[string]any{"email": p.Email, "name": display, "id": fmt.Sprintf("u-%05d", t.person)},
			"recipients":  []any{map[string]any{"email": external, "name": p.First, "id": ""}},
			"attachments": []any{map[string]any{"name": att}},
			"location":    map[string]any{"name": "Outbound"},
			"headers":     map[string]any{"parsed": map[string]any{"from": []any{map[string]any{"email": p.Email, "displayName": display}}}},
		}},
		"user": map[string]any{
			"id": fmt.Sprintf("u-%05d", t.person), "email": p.Email, "name": p.Email, "displayName": display,
			"classification": map[string]any{"labels": []any{map[string]any{"value": p.Department}}},
		},
		"resources": []any{map[string]any{"id": "res-" + t.fqid[:8], "name": att, "kind": "file",
			"classification": map[string]any{"labels": []any{map[string]any{"kind": "mip", "name": "Confidential"}}}}},
		"annotations": map[string]any{
			"comments": comments,
			"history":  history,
			"workflow": map[string]any{"state": map[string]any{
				"disposition": map[string]any{"status": map[string]any{"id": st.ID, "alias": st.Title}, "category": t.category},
				"assignee":    map[string]any{"id": t.assignee},
			}},
		},
		"contextId":    "ctx-" + t.fqid[:8],
		"partitionKey": fmt.Sprintf("pk-%d", t.seq%64),
		"activity":     map[string]any{"categories": []any{"it:activity:" + inc.category}},
	}
	return ev
}

// --- filter evaluation -------------------------------------------------

type itmPred func(s *ITM, t *itmTicket) bool

// itmField returns a ticket's values for the fields the console filters on.
func itmField(s *ITM, t *itmTicket, field string) ([]string, bool) {
	switch field {
	case "incident.id":
		return []string{"inc-" + t.fqid[:12]}, true
	case "incident.status":
		return []string{"incident:status:" + ITMStatuses[t.status].Slug}, true
	case "incident.severity":
		return []string{itmSeverities[t.sev]}, true
	case "incident.kind":
		return []string{itmIncidents[t.incident].kind}, true
	case "incident.name":
		return []string{itmIncidents[t.incident].name}, true
	case "user.email", "messages.sender.email":
		return []string{PersonAt(t.person).Email}, true
	case "event.kind":
		return []string{"email:pps:message"}, true
	case "activity.categories":
		return []string{"it:activity:" + itmIncidents[t.incident].category}, true
	case "fqid", "id":
		return []string{t.fqid}, true
	}
	return nil, false
}

// compileFilter turns the query's filter tree into a predicate, supporting
// the operators the vendor's own clients use.
func compileFilter(f map[string]any) (itmPred, error) {
	if len(f) == 0 {
		return func(*ITM, *itmTicket) bool { return true }, nil
	}
	var preds []itmPred
	for op, arg := range f {
		p, err := compileOp(op, arg)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return func(s *ITM, t *itmTicket) bool {
		for _, p := range preds {
			if !p(s, t) {
				return false
			}
		}
		return true
	}, nil
}

func compileList(arg any) ([]itmPred, error) {
	list, ok := arg.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list of filters")
	}
	var out []itmPred
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("expected a filter object")
		}
		p, err := compileFilter(m)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func compileOp(op string, arg any) (itmPred, error) {
	switch op {
	case "$and", "$or":
		preds, err := compileList(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		any := op == "$or"
		return func(s *ITM, t *itmTicket) bool {
			for _, p := range preds {
				if p(s, t) == any {
					return any
				}
			}
			return !any
		}, nil
	case "$not":
		m, ok := arg.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$not expects a filter object")
		}
		p, err := compileFilter(m)
		if err != nil {
			return nil, err
		}
		return func(s *ITM, t *itmTicket) bool { return !p(s, t) }, nil
	}
	m, ok := arg.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, fmt.Errorf("%s expects one {field: value}", op)
	}
	var field string
	var val any
	for field, val = range m {
	}
	switch op {
	case "$stringIn":
		list, ok := val.([]any)
		if !ok {
			return nil, fmt.Errorf("$stringIn %s expects a list", field)
		}
		var want []string
		for _, v := range list {
			if s, ok := v.(string); ok {
				want = append(want, s)
			}
		}
		return func(s *ITM, t *itmTicket) bool {
			vals, _ := itmField(s, t, field)
			for _, v := range vals {
				for _, w := range want {
					if v == w || strings.HasSuffix(w, "*") && strings.HasPrefix(v, strings.TrimSuffix(w, "*")) {
						return true
					}
				}
			}
			return false
		}, nil
	case "$isNull":
		wantNull, ok := val.(bool)
		if !ok {
			return nil, fmt.Errorf("$isNull %s expects true or false", field)
		}
		return func(s *ITM, t *itmTicket) bool {
			vals, known := itmField(s, t, field)
			present := known && len(vals) > 0
			return present != wantNull
		}, nil
	case "$datetimeGE", "$datetimeLT", "$dtRelativeGE":
		n, ok := val.(float64)
		if !ok || field != "event.observedAt" {
			return nil, fmt.Errorf("%s expects {\"event.observedAt\": <epoch ms>}", op)
		}
		return func(s *ITM, t *itmTicket) bool {
			ms := t.observed.UnixMilli()
			switch op {
			case "$datetimeGE":
				return ms >= int64(n)
			case "$datetimeLT":
				return ms < int64(n)
			}
			return ms >= s.opts.now().UnixMilli()+int64(n)
		}, nil
	}
	return nil, fmt.Errorf("unsupported filter operator %s", op)
}

// marshal is used by tests to see the vendor shape of a ticket.
func (s *ITM) marshal(fqid string) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, _ := json.Marshal(s.render(s.byFQID[fqid]))
	return b
}
