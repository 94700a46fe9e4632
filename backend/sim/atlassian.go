package sim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Atlassian credentials the simulator accepts: the directory's id and its
// SCIM API key, sent as "Authorization: Bearer <key>".
const (
	AtlassianDirectoryID = "7d3e1a52-4c8b-4f0e-9b6a-2f1c5d8e9a40"
	AtlassianSCIMKey     = "atl-demo-scim-key-triage"
)

const (
	scimUserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimEnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	scimAtlassianSchema  = "urn:scim:schemas:extension:atlassian-external:1.0"
	scimListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimPatchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	scimErrorSchema      = "urn:ietf:params:scim:api:messages:2.0:Error"
	scimGroupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	scimMaxCount         = 1000
)

// Atlassian simulates an Atlassian organisation's user provisioning (SCIM
// 2.0) directory: the shared people as users (most of them; some are only
// in other vendors), their groups, and the API's rules: ListResponse with
// capital-R Resources and 1-based startIndex paging, only `userName eq` and
// `externalId eq` filters (anything else is a 400 invalidFilter), 409 for a
// duplicate userName, PATCH with Operations, and SCIM error bodies whose
// status is a string. It is as strict as an RFC 7643/7644 server (the
// contract test's referee): it keeps only the attributes of the schemas it
// lists at /Schemas, drops any other on create, and answers a PATCH of any
// other path with 400 invalidPath.
type Atlassian struct {
	*Server
	opts *Options

	mu     sync.RWMutex
	key    string
	users  *roster[scimAccount]
	nextID int
}

// scimAccount is a directory user as stored: a seeded one is rebuilt from
// the person's index, so only changed and created users are kept.
type scimAccount struct {
	person                             int // -1 for a user created through the API
	id, userName, email, externalID    string
	given, family, display, title, dep string
	org                                string
	active                             bool
	created, modified                  time.Time
}

// atlassianHas leaves some people out of the directory, so the console's
// "absent" shows in the demo; Li Chen (person 0) is always in.
func atlassianHas(i int) bool { return i%11 != 6 }

// DirectoryPeople is how many shared people the Atlassian and Essentials
// simulators seed for Options.Rows: every row (up to 200,000), at least 110
// so that some people are in these directories and not in Okta.
func DirectoryPeople(rows int) int {
	if rows <= 0 {
		return 110
	}
	return min(max(rows, 110), 200_000)
}

var atlassianGroups = func() []string {
	out := []string{"jira-software-users", "confluence-users", "site-admins"}
	for _, d := range departments {
		out = append(out, "acme-"+strings.ToLower(d))
	}
	return out
}()

func newAtlassian(o *Options) (*Atlassian, error) {
	s := &Atlassian{opts: o, key: AtlassianSCIMKey}
	s.users = newRoster(DirectoryPeople(o.Rows), atlassianHas, s.seedUser, func(a *scimAccount) string { return a.userName })
	srv, err := serve("atlassian", o, s.routes())
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

func (s *Atlassian) now() time.Time { return s.opts.now() }

// RevokeKey replaces the SCIM key, as an admin regenerating it would:
// every call with the old one is then a 401.
func (s *Atlassian) RevokeKey() {
	s.mu.Lock()
	s.key = ""
	s.mu.Unlock()
}

// Active reports whether the user with userName is active; found is false
// when there is no such user.
func (s *Atlassian) Active(userName string) (active, found bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, _ := s.users.find(userName)
	if a == nil {
		return false, false
	}
	return a.active, true
}

// Title is the user's title, for tests of partial updates.
func (s *Atlassian) Title(userName string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, _ := s.users.find(userName); a != nil {
		return a.title
	}
	return ""
}

// Enterprise is the user's department and organization, the enterprise
// extension's attributes, for tests of what a client sent.
func (s *Atlassian) Enterprise(userName string) (department, organization string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, _ := s.users.find(userName); a != nil {
		return a.dep, a.org
	}
	return "", ""
}

func (s *Atlassian) seedUser(i int) scimAccount {
	p := PersonAt(i)
	x := mix(uint64(i)*131 + s.opts.Seed)
	created := s.opts.epoch.AddDate(0, 0, -300-int(x%800))
	return scimAccount{
		person: i, id: scimUserID(i, s.opts.Seed), userName: p.Email, email: p.Email,
		given: p.First, family: p.Last, display: s.opts.taint(p.Name(), i), title: p.Title, dep: p.Department, org: "Acme",
		active:  i == 0 || x%23 != 11,
		created: created, modified: created.Add(time.Duration(x%(300*24)) * time.Hour),
	}
}

// scimUserID is a seeded user's id: a UUID whose last group holds the
// person's index, so it can be found again without a table.
func scimUserID(i int, seed uint64) string {
	x := mix(uint64(i)*0x9e3779b97f4a7c15 + seed<<20 + 0x5eed)
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012d", uint32(x), uint16(x>>32), (x>>48)&0xfff, (x>>36)&0xfff, scimIndexBase+i)
}

// scimIndexBase offsets the index in a seeded id, so no id reads as zeros.
const scimIndexBase = 318_000_000_000

func (s *Atlassian) byID(id string) *scimAccount {
	if k := strings.LastIndexByte(id, '-'); k >= 0 {
		if n, err := strconv.Atoi(id[k+1:]); err == nil && scimUserID(n-scimIndexBase, s.opts.Seed) == id {
			return s.users.at(n - scimIndexBase)
		}
	}
	for _, a := range s.users.created {
		if a.id == id {
			return a
		}
	}
	return nil
}

func (s *Atlassian) routes() http.Handler {
	api := http.NewServeMux()
	base := "/scim/directory/{dir}"
	api.HandleFunc("GET "+base+"/Users", s.listUsers)
	api.HandleFunc("POST "+base+"/Users", s.createUser)
	api.HandleFunc("GET "+base+"/Users/{id}", s.getUser)
	api.HandleFunc("PUT "+base+"/Users/{id}", s.replaceUser)
	api.HandleFunc("PATCH "+base+"/Users/{id}", s.patchUser)
	api.HandleFunc("DELETE "+base+"/Users/{id}", s.deleteUser)
	api.HandleFunc("GET "+base+"/Groups", s.listGroups)
	api.HandleFunc("GET "+base+"/Groups/{id}", s.getGroup)
	api.HandleFunc("GET "+base+"/Schemas", s.listSchemas)
	api.HandleFunc("GET "+base+"/Schemas/{id}", s.getSchema)
	api.HandleFunc("GET "+base+"/ServiceProviderConfig", s.serviceProviderConfig)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		scimFail(w, http.StatusNotFound, "", "No resource at "+r.Method+" "+r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.RLock()
		valid := ok && s.key != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.key)) == 1
		s.mu.RUnlock()
		if !valid {
			scimFail(w, http.StatusUnauthorized, "", "The API key is missing, invalid or has been revoked.")
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/scim/directory/"+AtlassianDirectoryID+"/") {
			scimFail(w, http.StatusNotFound, "", "Directory not found, or the key is not for this directory.")
			return
		}
		api.ServeHTTP(w, r)
	})
}

// scimFail writes a SCIM error: status as a string, as Atlassian sends it.
func scimFail(w http.ResponseWriter, status int, scimType, detail string) {
	body := map[string]any{"schemas": []string{scimErrorSchema}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		body["scimType"] = scimType
	}
	writeJSON(w, status, body)
}

// scimEq parses the one filter form Atlassian accepts, `attr eq "value"`,
// with the SCIM lexer; attribute names compare without case, as in SCIM.
func scimEq(expr string, attrs ...string) (attr, value string, err error) {
	p := &scimParser{}
	if err := p.lex(expr); err != nil {
		return "", "", err
	}
	t := p.toks
	if len(t) != 3 || t[0].quoted || !strings.EqualFold(t[1].text, "eq") || !t[2].quoted {
		return "", "", fmt.Errorf("only a single `attribute eq \"value\"` filter is supported on %s", strings.Join(attrs, " or "))
	}
	for _, a := range attrs {
		if strings.EqualFold(t[0].text, a) {
			return a, t[2].text, nil
		}
	}
	return "", "", fmt.Errorf("filtering on %q is not supported: use %s", t[0].text, strings.Join(attrs, " or "))
}

// pageParams reads startIndex (1-based; 0 or less is 1) and count.
func pageParams(r *http.Request) (start, count int) {
	start, _ = strconv.Atoi(r.URL.Query().Get("startIndex"))
	start = max(start, 1)
	count = 100
	if c := r.URL.Query().Get("count"); c != "" {
		count, _ = strconv.Atoi(c)
	}
	return start, min(max(count, 0), scimMaxCount)
}

func listResponse(total, start int, resources []any) map[string]any {
	return map[string]any{"schemas": []string{scimListSchema}, "totalResults": total, "startIndex": start,
		"itemsPerPage": len(resources), "Resources": resources}
}

func (s *Atlassian) listUsers(w http.ResponseWriter, r *http.Request) {
	start, count := pageParams(r)
	f := r.URL.Query().Get("filter")
	attr, value := "", ""
	if f != "" {
		var err error
		if attr, value, err = scimEq(f, "userName", "externalId"); err != nil {
			scimFail(w, http.StatusBadRequest, "invalidFilter", err.Error())
			return
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var matched []*scimAccount
	switch attr {
	case "userName":
		if a, _ := s.users.find(value); a != nil {
			matched = append(matched, a)
		}
	case "externalId":
		s.users.stored(func(a *scimAccount) {
			if a.externalID == value {
				matched = append(matched, a)
			}
		})
	default:
		total, page := s.users.window(start, count)
		writeJSON(w, http.StatusOK, listResponse(total, start, s.renderAll(page)))
		return
	}
	total := len(matched)
	matched = matched[min(start-1, total):]
	writeJSON(w, http.StatusOK, listResponse(total, start, s.renderAll(matched[:min(count, len(matched))])))
}

func (s *Atlassian) renderAll(as []*scimAccount) []any {
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = s.render(a)
	}
	return out
}

func (s *Atlassian) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.byID(r.PathValue("id"))
	if a == nil {
		scimFail(w, http.StatusNotFound, "", "User "+r.PathValue("id")+" not found")
		return
	}
	writeJSON(w, http.StatusOK, s.render(a))
}

// scimUserBody is a user as a client sends it (POST and PUT): the
// attributes of the schemas the directory lists. Any other is dropped, as a
// strict SCIM server does; a top-level "department" is one of them, since
// department belongs to the enterprise extension.
type scimUserBody struct {
	UserName   *string `json:"userName"`
	ExternalID string  `json:"externalId"`
	Emails     []struct {
		Value   string `json:"value"`
		Primary any    `json:"primary"`
	} `json:"emails"`
	Name struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	DisplayName string          `json:"displayName"`
	Title       string          `json:"title"`
	Active      json.RawMessage `json:"active"`
	Enterprise  struct {
		Department   string `json:"department"`
		Organization string `json:"organization"`
	} `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
}

// check validates a user body as Atlassian does: a userName and an email of
// a verified domain.
func (b *scimUserBody) check() (userName, email, problem string) {
	if b.UserName == nil || strings.TrimSpace(*b.UserName) == "" {
		return "", "", "userName is required"
	}
	for _, e := range b.Emails {
		if e.Value != "" && (email == "" || e.Primary == true || e.Primary == "true") {
			email = e.Value
		}
	}
	if email == "" {
		return "", "", "emails must hold one primary email"
	}
	if _, dom, _ := strings.Cut(email, "@"); !strings.EqualFold(dom, Domain) {
		return "", "", "the domain of " + email + " is not verified in this organization"
	}
	return *b.UserName, email, ""
}

// boolValue reads a SCIM boolean: true/false, or "True"/"False" as some
// identity providers send it.
func boolValue(raw json.RawMessage, def bool) (bool, bool) {
	s := strings.ToLower(strings.Trim(string(bytes.TrimSpace(raw)), `"`))
	switch s {
	case "":
		return def, true
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func (s *Atlassian) createUser(w http.ResponseWriter, r *http.Request) {
	var body scimUserBody
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, msg string) { scimFail(w, st, "invalidSyntax", msg) }) {
		return
	}
	userName, email, problem := body.check()
	active, ok := boolValue(body.Active, true)
	switch {
	case problem != "":
		scimFail(w, http.StatusBadRequest, "invalidValue", problem)
		return
	case !ok:
		scimFail(w, http.StatusBadRequest, "invalidValue", "active must be true or false")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, _ := s.users.find(userName); a != nil {
		scimFail(w, http.StatusConflict, "uniqueness", "A user with userName "+userName+" already exists in this directory")
		return
	}
	s.nextID++
	now := s.now()
	a := &scimAccount{person: -1, id: fmt.Sprintf("c0ffee00-0000-4000-8000-f%011d", s.nextID), userName: userName, email: email,
		externalID: body.ExternalID, given: body.Name.GivenName, family: body.Name.FamilyName, display: body.DisplayName,
		title: body.Title, dep: body.Enterprise.Department, org: body.Enterprise.Organization, active: active, created: now, modified: now}
	s.users.add(a)
	writeJSON(w, http.StatusCreated, s.render(a))
}

// replaceUser is PUT: every attribute the body leaves out is cleared, and
// active is true unless it says otherwise.
func (s *Atlassian) replaceUser(w http.ResponseWriter, r *http.Request) {
	var body scimUserBody
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, msg string) { scimFail(w, st, "invalidSyntax", msg) }) {
		return
	}
	userName, email, problem := body.check()
	active, ok := boolValue(body.Active, true)
	if problem != "" || !ok {
		scimFail(w, http.StatusBadRequest, "invalidValue", strings.TrimSpace(problem+" (active must be true or false)"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.editByID(r.PathValue("id"))
	if a == nil {
		scimFail(w, http.StatusNotFound, "", "User "+r.PathValue("id")+" not found")
		return
	}
	if !strings.EqualFold(userName, a.userName) {
		if other, _ := s.users.find(userName); other != nil {
			scimFail(w, http.StatusConflict, "uniqueness", "A user with userName "+userName+" already exists in this directory")
			return
		}
	}
	a.userName, a.email, a.externalID = userName, email, body.ExternalID
	a.given, a.family, a.display = body.Name.GivenName, body.Name.FamilyName, body.DisplayName
	a.title, a.dep, a.org = body.Title, body.Enterprise.Department, body.Enterprise.Organization
	a.active, a.modified = active, s.now()
	writeJSON(w, http.StatusOK, s.render(a))
}

// editByID is the stored user with id, ready to change (callers hold mu).
func (s *Atlassian) editByID(id string) *scimAccount {
	a := s.byID(id)
	if a == nil {
		return nil
	}
	return s.users.edit(a.userName)
}

func (s *Atlassian) patchUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Schemas    []string `json:"schemas"`
		Operations []struct {
			Op    string          `json:"op"`
			Path  string          `json:"path"`
			Value json.RawMessage `json:"value"`
		} `json:"Operations"`
	}
	if !readJSON(w, r, &body, func(w http.ResponseWriter, st int, msg string) { scimFail(w, st, "invalidSyntax", msg) }) {
		return
	}
	patchOp := false
	for _, sc := range body.Schemas {
		patchOp = patchOp || sc == scimPatchSchema
	}
	if !patchOp || len(body.Operations) == 0 {
		scimFail(w, http.StatusBadRequest, "invalidSyntax", "a PATCH needs schemas [\""+scimPatchSchema+"\"] and at least one of Operations")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.byID(r.PathValue("id"))
	if cur == nil {
		scimFail(w, http.StatusNotFound, "", "User "+r.PathValue("id")+" not found")
		return
	}
	next := *cur // applied all at once, or not at all
	for _, op := range body.Operations {
		kind := strings.ToLower(op.Op)
		if kind != "add" && kind != "replace" && kind != "remove" {
			scimFail(w, http.StatusBadRequest, "invalidSyntax", "op "+op.Op+" is not add, replace or remove")
			return
		}
		values := map[string]json.RawMessage{}
		if op.Path == "" {
			if kind == "remove" || !flatten("", op.Value, values) {
				scimFail(w, http.StatusBadRequest, "noTarget", "an operation without a path needs an object value")
				return
			}
		} else {
			values[op.Path] = op.Value
		}
		for path, v := range values {
			if kind == "remove" {
				v = nil
			}
			if problem := next.set(path, v); problem != "" {
				scimFail(w, http.StatusBadRequest, problem, patchProblems[problem]+": cannot "+kind+" "+path)
				return
			}
		}
	}
	next.modified = s.now()
	a := s.users.edit(cur.userName)
	*a = next
	writeJSON(w, http.StatusOK, s.render(a))
}

// patchProblems say why a PATCH path was refused, by SCIM error type.
var patchProblems = map[string]string{
	"invalidPath":  "not an attribute of the schemas this directory supports (GET /Schemas)",
	"mutability":   "a read-only or immutable attribute",
	"invalidValue": "not a value of the attribute's type",
}

// set changes one attribute from a PATCH; it returns the SCIM error type
// when the path or value is not acceptable. Paths are those of the schemas
// the directory lists, with or without their URI, in any case (RFC 7643
// section 2.1).
func (a *scimAccount) set(path string, v json.RawMessage) string {
	key, attr := scimAttrPath(path)
	switch {
	case attr == nil:
		return "invalidPath"
	case attr.mutability != "readWrite":
		return "mutability"
	case len(attr.sub) > 0:
		// A complex attribute, "name": its sub-attributes, or all of them
		// cleared by a remove.
		subs := map[string]json.RawMessage{}
		if len(v) == 0 {
			for _, sub := range attr.sub {
				if sub.mutability == "readWrite" {
					subs[path+"."+sub.name] = nil
				}
			}
		} else if !flatten(path, v, subs) {
			return "invalidValue"
		}
		for p, sv := range subs {
			if problem := a.set(p, sv); problem != "" {
				return problem
			}
		}
		return ""
	}
	if key == "active" {
		b, ok := boolValue(v, true)
		if !ok {
			return "invalidValue"
		}
		a.active = b
		return ""
	}
	var text string
	if len(v) > 0 && json.Unmarshal(v, &text) != nil {
		return "invalidValue"
	}
	fields := map[string]*string{"name.givenname": &a.given, "name.familyname": &a.family, "displayname": &a.display,
		"title": &a.title, "externalid": &a.externalID, "enterprise:department": &a.dep, "enterprise:organization": &a.org}
	f, ok := fields[key]
	if !ok {
		return "invalidPath" // in the schemas, but not kept: never, while they agree
	}
	*f = text
	return ""
}

// deleteUser unlinks the user from the directory for good (204).
func (s *Atlassian) deleteUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.byID(r.PathValue("id"))
	if a == nil || !s.users.remove(a.userName) {
		scimFail(w, http.StatusNotFound, "", "User "+r.PathValue("id")+" not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// groupsOf are the indexes of a user's groups: everyone is in Jira, half
// in Confluence, a few are site admins, and each in their department's.
func (s *Atlassian) groupsOf(a *scimAccount) []int {
	if a.person < 0 {
		return nil
	}
	i := a.person
	out := []int{0}
	if i%2 == 0 {
		out = append(out, 1)
	}
	if i%41 == 5 {
		out = append(out, 2)
	}
	for d, name := range departments {
		if name == PersonAt(i).Department {
			out = append(out, 3+d)
		}
	}
	return out
}

func scimGroupID(g int) string {
	x := mix(uint64(g) + 977)
	return fmt.Sprintf("%08x-%04x-4%03x-b%03x-%012d", uint32(x), uint16(x>>32), (x>>48)&0xfff, (x>>36)&0xfff, g)
}

func (s *Atlassian) location(kind, id string) string {
	return s.URL + "/scim/directory/" + AtlassianDirectoryID + "/" + kind + "/" + id
}

func (s *Atlassian) render(a *scimAccount) map[string]any {
	groups := []any{}
	for _, g := range s.groupsOf(a) {
		groups = append(groups, map[string]any{"type": "Group", "value": scimGroupID(g), "display": atlassianGroups[g], "$ref": s.location("Groups", scimGroupID(g))})
	}
	x := mix(uint64(a.person) + 71 + uint64(len(a.userName)))
	u := map[string]any{
		"schemas":  []string{scimAtlassianSchema, scimUserSchema, scimEnterpriseSchema},
		"id":       a.id,
		"userName": a.userName,
		"emails":   []any{map[string]any{"value": a.email, "type": "work", "primary": true}},
		"name": map[string]any{"givenName": a.given, "familyName": a.family,
			"formatted": strings.TrimSpace(a.given + " " + a.family)},
		"displayName": a.display,
		"active":      a.active,
		"groups":      groups,
		"meta": map[string]any{"resourceType": "User", "location": s.location("Users", a.id),
			"created": a.created.UTC().Format(time.RFC3339Nano), "lastModified": a.modified.UTC().Format(time.RFC3339Nano)},
		scimAtlassianSchema: map[string]any{"atlassianAccountId": fmt.Sprintf("%08x%016x", uint32(x>>17), x)},
	}
	for k, v := range map[string]string{"title": a.title, "externalId": a.externalID} {
		if v != "" {
			u[k] = v
		}
	}
	// Department and organization are answered in the enterprise extension
	// only, as in the users the XSOAR Atlassian IAM README captured.
	ext := map[string]any{}
	for k, v := range map[string]string{"department": a.dep, "organization": a.org} {
		if v != "" {
			ext[k] = v
		}
	}
	if len(ext) > 0 {
		u[scimEnterpriseSchema] = ext
	}
	return u
}

func (s *Atlassian) listGroups(w http.ResponseWriter, r *http.Request) {
	start, count := pageParams(r)
	name := ""
	if f := r.URL.Query().Get("filter"); f != "" {
		_, v, err := scimEq(f, "displayName")
		if err != nil {
			scimFail(w, http.StatusBadRequest, "invalidFilter", err.Error())
			return
		}
		name = v
	}
	page := []any{}
	total := 0
	for g, n := range atlassianGroups {
		if name != "" && !strings.EqualFold(n, name) {
			continue
		}
		total++
		if total >= start && len(page) < count {
			page = append(page, s.renderGroup(g, false))
		}
	}
	writeJSON(w, http.StatusOK, listResponse(total, start, page))
}

func (s *Atlassian) getGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for g := range atlassianGroups {
		if scimGroupID(g) == id {
			s.mu.RLock()
			defer s.mu.RUnlock()
			writeJSON(w, http.StatusOK, s.renderGroup(g, true))
			return
		}
	}
	scimFail(w, http.StatusNotFound, "", "Group "+id+" not found")
}

// renderGroup is a group; with members, at most the first 1,000 (a
// directory of 100,000 has groups of everyone).
func (s *Atlassian) renderGroup(g int, members bool) map[string]any {
	out := map[string]any{"schemas": []string{scimGroupSchema}, "id": scimGroupID(g), "displayName": atlassianGroups[g],
		"meta": map[string]any{"resourceType": "Group", "location": s.location("Groups", scimGroupID(g))}}
	if !members {
		return out
	}
	list := []any{}
	s.users.each(func(a *scimAccount) bool {
		for _, x := range s.groupsOf(a) {
			if x == g {
				list = append(list, map[string]any{"type": "User", "value": a.id, "display": a.display, "$ref": s.location("Users", a.id)})
			}
		}
		return len(list) < 1000
	})
	out["members"] = list
	return out
}
