package sim

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Essentials credentials the simulator accepts, sent as X-User and
// X-Password on every request. The auditor is a read-only admin: its
// writes are refused with a 403.
const (
	EssentialsUser         = "admin@" + Domain
	EssentialsAuditor      = "auditor@" + Domain
	EssentialsPassword     = "demo-essentials-password"
	EssentialsOrganisation = "Acme"
)

// Essentials simulates a Proofpoint Essentials organisation (primary
// domain Domain) through the Interface API v1: header auth (401 for a wrong
// X-User or X-Password, 403 for a read-only admin's writes), the shared
// people as users (some are only in other vendors), user lists wrapped in
// {"users":[...]} (or bare, with BareLists), 201 for a create and 204 for a
// PUT or DELETE with empty bodies, and the organisation's and each user's
// sender lists.
type Essentials struct {
	*Server
	opts *Options

	// BareLists answers lists as bare arrays, as older stacks and clients do.
	BareLists atomic.Bool

	mu       sync.RWMutex
	password string
	users    *roster[essAccount]
	orgAllow []string
	orgBlock []string
	nextUID  int
	puts     []map[string]any // the bodies of PUT /users/{email}, for tests
}

// essAccount is a user as stored; seeded ones are rebuilt from the person.
type essAccount struct {
	person             int // -1 for a user created through the API
	uid                int
	email, first, last string
	typ                string
	active             bool
	aliases            []string
	allow, block       []string
}

// essentialsHas leaves some people out of the organisation; Li Chen
// (person 0) is always in.
func essentialsHas(i int) bool { return i%13 != 9 }

func newEssentials(o *Options) (*Essentials, error) {
	s := &Essentials{opts: o, password: EssentialsPassword, nextUID: 900000,
		orgAllow: []string{"partner.example", "payroll@provider.example"},
		orgBlock: []string{"invoices@phish.example", "bulk-mailer.example"}}
	s.users = newRoster(DirectoryPeople(o.Rows), essentialsHas, s.seedUser, func(a *essAccount) string { return a.email })
	srv, err := serve("essentials", o, s.routes())
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

func (s *Essentials) seedUser(i int) essAccount {
	p := PersonAt(i)
	x := mix(uint64(i)*173 + s.opts.Seed)
	a := essAccount{person: i, uid: 100000 + i, email: p.Email, first: p.First, last: s.opts.taint(p.Last, i),
		typ: "end_user", active: i == 0 || x%19 != 7}
	if i%41 == 5 {
		a.typ = "organization_admin"
	}
	if i%10 == 3 {
		a.block = []string{"newsletter@bulk-mailer.example"}
	}
	if i%12 == 1 {
		a.allow = []string{"accountant@partner.example"}
	}
	return a
}

// RevokePassword changes the admin's password, as rotating it would: every
// call with the old one is then a 401.
func (s *Essentials) RevokePassword() {
	s.mu.Lock()
	s.password = ""
	s.mu.Unlock()
}

// Active reports whether the user with email is active; found is false
// when there is no such user.
func (s *Essentials) Active(email string) (active, found bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, _ := s.users.find(email)
	if a == nil {
		return false, false
	}
	return a.active, true
}

// Name is the user's first name and surname, for tests that a PUT sent the
// whole user back.
func (s *Essentials) Name(email string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, _ := s.users.find(email); a != nil {
		return strings.TrimSpace(a.first + " " + a.last)
	}
	return ""
}

// Puts are the bodies of the user PUTs received, oldest first.
func (s *Essentials) Puts() []map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]map[string]any(nil), s.puts...)
}

// Senders are the organisation's sender lists (user "") or a user's.
func (s *Essentials) Senders(user string) (allow, block []string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if user == "" {
		return slices.Clone(s.orgAllow), slices.Clone(s.orgBlock)
	}
	if a, _ := s.users.find(user); a != nil {
		return slices.Clone(a.allow), slices.Clone(a.block)
	}
	return nil, nil
}

func (s *Essentials) routes() http.Handler {
	api := http.NewServeMux()
	org := "/api/v1/orgs/{domain}"
	api.HandleFunc("GET /api/v1/me", s.me)
	// Which stack a domain is on: this simulator, by the address it was
	// reached at. The answer is {"endpoints":[...]} (krzydoug/Proofpoint
	// Get-ProofPointEndpoint); a domain on no stack gets an empty list,
	// which that client checks for.
	api.HandleFunc("GET /api/v1/endpoints/{domain}", func(w http.ResponseWriter, r *http.Request) {
		stacks := []string{}
		if strings.EqualFold(r.PathValue("domain"), Domain) {
			stacks = append(stacks, "http://"+r.Host)
		}
		writeJSON(w, http.StatusOK, map[string]any{"endpoints": stacks})
	})
	api.HandleFunc("GET "+org, s.getOrg)
	api.HandleFunc("GET "+org+"/users", s.listUsers)
	api.HandleFunc("POST "+org+"/users", s.createUsers)
	api.HandleFunc("GET "+org+"/users/{email}", s.getUser)
	api.HandleFunc("PUT "+org+"/users/{email}", s.putUser)
	api.HandleFunc("DELETE "+org+"/users/{email}", s.deleteUser)
	for _, path := range []string{org + "/sender-lists", org + "/users/{email}/sender-lists"} {
		api.HandleFunc("GET "+path, s.senderLists)
		for _, m := range []string{"POST", "PATCH", "DELETE"} {
			api.HandleFunc(m+" "+path, s.changeSenders)
		}
	}
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		essFail(w, http.StatusNotFound, "No such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass := r.Header.Get("X-User"), r.Header.Get("X-Password")
		s.mu.RLock()
		valid := s.password != "" && subtle.ConstantTimeCompare([]byte(pass), []byte(s.password)) == 1 &&
			(strings.EqualFold(user, EssentialsUser) || strings.EqualFold(user, EssentialsAuditor))
		s.mu.RUnlock()
		switch {
		case !valid:
			essFail(w, http.StatusUnauthorized, "Authentication failed: check X-User and X-Password")
			return
		case r.Method != http.MethodGet && strings.EqualFold(user, EssentialsAuditor):
			essFail(w, http.StatusForbidden, "The admin "+EssentialsAuditor+" is read-only")
			return
		case r.ContentLength == 0 && r.Header.Get("Content-Type") != "":
			// The API rejects a Content-Type without a body.
			essFail(w, http.StatusBadRequest, "Content-Type given without a body")
			return
		case r.ContentLength != 0 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
			essFail(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/orgs/"); ok {
			if dom, _, _ := strings.Cut(rest, "/"); !strings.EqualFold(dom, Domain) {
				essFail(w, http.StatusNotFound, "Organization "+dom+" not found")
				return
			}
		}
		api.ServeHTTP(w, r)
	})
}

// essFail is the API's error answer: a message, as clients read it.
func essFail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg})
}

func (s *Essentials) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"primary_email": strings.ToLower(r.Header.Get("X-User")),
		"type": "organization_admin", "firstname": "Acme", "surname": "Admin", "is_active": true})
}

func (s *Essentials) getOrg(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	active := 0
	s.users.each(func(a *essAccount) bool {
		if a.active {
			active++
		}
		return true
	})
	writeJSON(w, http.StatusOK, map[string]any{
		"primary_domain": Domain, "name": EssentialsOrganisation, "is_active": true, "type": "organization", "eid": 4242,
		"licensing_package": "business", "is_on_trial": false, "user_licenses": s.users.n + 50, "active_users": active,
		"safe_list_senders": s.orgAllow, "block_list_senders": s.orgBlock,
		"domains": []any{map[string]any{"name": Domain, "is_active": true, "is_relay": false, "destination": "mx.acme.example"}},
	})
}

func (s *Essentials) render(a *essAccount) map[string]any {
	return map[string]any{
		"uid": a.uid, "primary_email": a.email, "firstname": a.first, "surname": a.last, "type": a.typ,
		"is_active": a.active, "is_billable": true, "read_only_user": false, "alias_emails": nonNil(a.aliases),
		"white_list_senders": nonNil(a.allow), "black_list_senders": nonNil(a.block),
		"odin_settings": map[string]any{"can_impersonate": false, "is_imitable": true},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Essentials) listUsers(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	list := []any{}
	s.users.each(func(a *essAccount) bool {
		list = append(list, s.render(a))
		return true
	})
	s.mu.RUnlock()
	if s.BareLists.Load() {
		writeJSON(w, http.StatusOK, list)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": list})
}

func (s *Essentials) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, _ := s.users.find(r.PathValue("email"))
	if a == nil {
		essFail(w, http.StatusNotFound, "User "+r.PathValue("email")+" not found")
		return
	}
	writeJSON(w, http.StatusOK, s.render(a))
}

// essUserBody is a user as clients send it.
type essUserBody struct {
	PrimaryEmail string   `json:"primary_email"`
	Firstname    *string  `json:"firstname"`
	Surname      *string  `json:"surname"`
	Type         string   `json:"type"`
	IsActive     *bool    `json:"is_active"`
	AliasEmails  []string `json:"alias_emails"`
	White        []string `json:"white_list_senders"`
	Black        []string `json:"black_list_senders"`
	Safe         []string `json:"safe_list_senders"`
	Block        []string `json:"block_list_senders"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// createUsers takes one user or an array of them (a batch): 201 with an
// empty body, 409 (and nothing created) when one exists already.
func (s *Essentials) createUsers(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if !readJSON(w, r, &raw, essFail) {
		return
	}
	var batch []essUserBody
	if err := json.Unmarshal(raw, &batch); err != nil {
		var one essUserBody
		if err := json.Unmarshal(raw, &one); err != nil {
			essFail(w, http.StatusBadRequest, "the body is neither a user nor an array of users")
			return
		}
		batch = []essUserBody{one}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range batch {
		_, dom, _ := strings.Cut(b.PrimaryEmail, "@")
		switch {
		case b.PrimaryEmail == "" || str(b.Firstname) == "" || str(b.Surname) == "":
			essFail(w, http.StatusBadRequest, "primary_email, firstname and surname are required")
			return
		case !strings.EqualFold(dom, Domain):
			essFail(w, http.StatusBadRequest, "The domain of "+b.PrimaryEmail+" is not a domain of this organization")
			return
		}
		if a, _ := s.users.find(b.PrimaryEmail); a != nil {
			essFail(w, http.StatusConflict, "User "+b.PrimaryEmail+" already exists")
			return
		}
	}
	for _, b := range batch {
		s.nextUID++
		typ := b.Type
		if typ == "" {
			typ = "end_user"
		}
		active := b.IsActive == nil || *b.IsActive
		s.users.add(&essAccount{person: -1, uid: s.nextUID, email: strings.ToLower(b.PrimaryEmail), first: str(b.Firstname),
			last: str(b.Surname), typ: typ, active: active, aliases: b.AliasEmails})
	}
	w.WriteHeader(http.StatusCreated)
}

// putUser replaces the user with the object sent: first name and surname
// not sent are cleared, so a client that does not send the whole user back
// loses data, as it would at the vendor.
func (s *Essentials) putUser(w http.ResponseWriter, r *http.Request) {
	var raw map[string]any
	if !readJSON(w, r, &raw, essFail) {
		return
	}
	var b essUserBody
	enc, _ := json.Marshal(raw)
	if err := json.Unmarshal(enc, &b); err != nil {
		essFail(w, http.StatusBadRequest, "malformed user: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts = append(s.puts, raw)
	a := s.users.edit(r.PathValue("email"))
	switch {
	case a == nil:
		essFail(w, http.StatusNotFound, "User "+r.PathValue("email")+" not found")
		return
	case b.PrimaryEmail != "" && !strings.EqualFold(b.PrimaryEmail, a.email):
		essFail(w, http.StatusBadRequest, "primary_email cannot be changed with PUT")
		return
	}
	a.first, a.last = str(b.Firstname), str(b.Surname)
	if b.Type != "" {
		a.typ = b.Type
	}
	if b.IsActive != nil {
		a.active = *b.IsActive
	}
	if b.AliasEmails != nil {
		a.aliases = b.AliasEmails
	}
	if l := append(b.White, b.Safe...); l != nil {
		a.allow = dedupe(l)
	}
	if l := append(b.Black, b.Block...); l != nil {
		a.block = dedupe(l)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Essentials) deleteUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.users.remove(r.PathValue("email")) {
		essFail(w, http.StatusNotFound, "User "+r.PathValue("email")+" not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// lists returns pointers to the allow and block lists the request names:
// the organisation's, or a user's (nil when there is no such user).
func (s *Essentials) lists(r *http.Request, write bool) (allow, block *[]string) {
	email := r.PathValue("email")
	if email == "" {
		return &s.orgAllow, &s.orgBlock
	}
	var a *essAccount
	if write {
		a = s.users.edit(email)
	} else {
		a, _ = s.users.find(email)
	}
	if a == nil {
		return nil, nil
	}
	return &a.allow, &a.block
}

func (s *Essentials) senderLists(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	allow, block := s.lists(r, false)
	if allow == nil {
		essFail(w, http.StatusNotFound, "User "+r.PathValue("email")+" not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"allow_list": nonNil(*allow), "block_list": nonNil(*block)})
}

// changeSenders is POST (add entries), PATCH (replace the lists named) and
// DELETE (remove the entries named).
func (s *Essentials) changeSenders(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Allow *[]string `json:"allow_list"`
		Block *[]string `json:"block_list"`
	}
	if !readJSON(w, r, &body, essFail) {
		return
	}
	if body.Allow == nil && body.Block == nil {
		essFail(w, http.StatusBadRequest, "allow_list or block_list is required")
		return
	}
	var bad []any
	for _, l := range []*[]string{body.Allow, body.Block} {
		if l == nil {
			continue
		}
		for _, e := range *l {
			if !senderLike(e) {
				bad = append(bad, map[string]any{"status": 400, "error_message": fmt.Sprintf("%q is not an email address or a domain", e), "identifier": e})
			}
		}
	}
	if len(bad) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": bad})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	allow, block := s.lists(r, true)
	if allow == nil {
		essFail(w, http.StatusNotFound, "User "+r.PathValue("email")+" not found")
		return
	}
	for _, l := range []struct{ cur, sent *[]string }{{allow, body.Allow}, {block, body.Block}} {
		if l.sent == nil {
			continue
		}
		switch r.Method {
		case http.MethodPost:
			*l.cur = dedupe(append(slices.Clone(*l.cur), *l.sent...))
		case http.MethodPatch:
			*l.cur = dedupe(*l.sent)
		case http.MethodDelete:
			*l.cur = slices.DeleteFunc(slices.Clone(*l.cur), func(e string) bool {
				return slices.ContainsFunc(*l.sent, func(x string) bool { return strings.EqualFold(x, e) })
			})
		}
	}
	if r.Method == http.MethodDelete {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"allow_list": nonNil(*allow), "block_list": nonNil(*block)})
}

// senderLike accepts an email address or a domain.
func senderLike(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n,;<>\"") && strings.Contains(s, ".") && strings.Count(s, "@") <= 1
}

func dedupe(l []string) []string {
	out := []string{}
	for _, e := range l {
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, e) }) {
			out = append(out, e)
		}
	}
	return out
}
