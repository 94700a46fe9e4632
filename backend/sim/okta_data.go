package sim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Okta org's directory: applications, groups and the shared people as
// users (seeded here; their endpoints are in okta_users.go), and the app and
// group endpoints.

type oktaApp struct {
	idx                  int
	id, name, label      string
	mode, status         string
	created, lastUpdated time.Time
	group                int  // assigned to this group's members (scope GROUP), -1 for none
	everyone             bool // assigned to every active person (through Everyone)
}

type oktaGroup struct {
	idx        int
	id, name   string
	desc, kind string
	created    time.Time
	membership time.Time // the last add or remove through the API; zero: as generated
}

type oktaUser struct {
	idx                                   int
	person                                int // index of the shared person; -1 for a user created through the API
	id, login                             string
	status                                string
	created, activated, statusChanged     time.Time
	lastLogin, lastUpdated, passwordSetAt time.Time
	hasPassword                           bool
	profile                               map[string]any // changes over the person's profile (all of it for a created user)
	groups                                []int
	direct                                map[int]bool // app index -> assigned (true) or unassigned (false) directly through the API
}

var oktaCatalog = []struct{ name, label, mode string }{
	{"office365", "Microsoft Office 365", "WS_FEDERATION"}, {"slack", "Slack", "SAML_2_0"}, {"zoomus", "Zoom", "SAML_2_0"},
	{"google", "Google Workspace", "SAML_2_0"}, {"salesforce", "Salesforce", "SAML_2_0"},
	{"github_enterprise_cloud", "GitHub Enterprise Cloud", "SAML_2_0"}, {"amazon_aws", "AWS Account Federation", "SAML_2_0"},
	{"atlassian", "Atlassian Cloud", "SAML_2_0"}, {"workday", "Workday", "SAML_2_0"}, {"servicenow_ud", "ServiceNow", "SAML_2_0"},
	{"box", "Box", "SAML_2_0"}, {"dropbox_for_business", "Dropbox Business", "SAML_2_0"}, {"zendesk", "Zendesk", "SAML_2_0"},
	{"docusign", "DocuSign", "SAML_2_0"}, {"tableau_online", "Tableau Cloud", "SAML_2_0"}, {"netsuite", "NetSuite", "SAML_2_0"},
	{"concur", "SAP Concur", "SAML_2_0"}, {"adobe_sign", "Adobe Acrobat Sign", "SAML_2_0"}, {"figma", "Figma", "SAML_2_0"},
	{"miro", "Miro", "SAML_2_0"}, {"hubspot", "HubSpot", "SAML_2_0"}, {"datadog", "Datadog", "SAML_2_0"},
	{"pagerduty", "PagerDuty", "SAML_2_0"}, {"snowflake", "Snowflake", "SAML_2_0"}, {"oidc_client", "Expense Portal", "OPENID_CONNECT"},
	{"oidc_client", "Internal Wiki", "OPENID_CONNECT"}, {"bookmark", "Benefits Portal", "BOOKMARK"},
	{"bookmark", "IT Help Desk", "BOOKMARK"}, {"template_swa", "Payroll Legacy", "BROWSER_PLUGIN"},
	{"template_basic_auth", "Build Server", "BASIC_AUTH"},
}

// The groups beyond Everyone and one per department.
var oktaExtraGroups = []struct{ name, desc string }{
	{"VPN Users", "Remote access through the corporate VPN"},
	{"Okta Administrators", "Admins of this Okta org"},
	{"Contractors", "External staff on fixed-term contracts"},
	{"AWS Prod Access", "Federated access to production AWS accounts"},
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// oktaID is a deterministic 20-character Okta-style id ("00u…", "0oa…").
func oktaID(prefix string, salt, i uint64) string {
	x, y := mix(salt<<32^i+1), mix(i^salt+0x9e3779b97f4a7c15)
	b := []byte(prefix)
	for len(b) < 20 {
		b = append(b, base62[x%62])
		x /= 62
		if x == 0 {
			x, y = y, mix(y)
		}
	}
	return string(b)
}

// oktaPeople is how many of the shared people are Okta users: as many as
// the ITM tickets name, so a pivot from a ticket finds its person here.
func oktaPeople(rows int) int {
	if rows <= 0 {
		rows = 300
	}
	return min(max(rows/3, 100), 20000)
}

// oktaApps is how many applications the org has: the catalogue twice (60)
// in a small demo, and one per hundred of Options.Rows in a large one (an
// org has far fewer apps than log events), so --demo-rows sizes this list
// too.
func oktaApps(rows int) int {
	return max(2*len(oktaCatalog), min(rows/100, 20_000))
}

func (s *Okta) seed() {
	o := s.opts
	now := o.epoch
	// groups: Everyone, one per department, then the extras
	add := func(name, desc, kind string) {
		g := &oktaGroup{idx: len(s.groups), name: name, desc: desc, kind: kind}
		g.id = oktaID("00g", 3+o.Seed, uint64(g.idx))
		g.created = now.AddDate(-3, 0, -g.idx)
		s.groups = append(s.groups, g)
	}
	add("Everyone", "All users in your organization", "BUILT_IN")
	for _, d := range departments {
		add(d, "Everyone in "+d, "OKTA_GROUP")
	}
	for _, g := range oktaExtraGroups {
		add(g.name, g.desc, "OKTA_GROUP")
	}
	for _, p := range oktaProjects {
		add("Project "+p, "Working group of project "+p, "OKTA_GROUP")
	}
	group := func(name string) int {
		for _, g := range s.groups {
			if g.name == name {
				return g.idx
			}
		}
		return -1
	}
	// apps: the catalogue in production, then a second instance of each
	// (sandbox, preview), some of them switched off
	for i := 0; i < oktaApps(o.Rows); i++ {
		c := oktaCatalog[i%len(oktaCatalog)]
		a := &oktaApp{idx: i, name: c.name, label: c.label, mode: c.mode, status: "ACTIVE", group: -1}
		switch {
		case i >= 2*len(oktaCatalog):
			a.label += " " + strconv.Itoa(i/len(oktaCatalog))
			if i%5 == 0 {
				a.status = "INACTIVE"
			}
		case i >= len(oktaCatalog):
			a.label += []string{" (Sandbox)", " - Preview", " (EU)"}[i%3]
			if i%4 == 0 {
				a.status = "INACTIVE"
			}
		}
		a.label = o.taint(a.label, i)
		a.id = oktaID("0oa", 1+o.Seed, uint64(i))
		a.created = now.AddDate(0, 0, -900+i*11)
		a.lastUpdated = a.created.Add(time.Duration(mix(uint64(i))%(200*24)) * time.Hour)
		switch c.name {
		case "office365", "slack", "zoomus":
			a.everyone = i < len(oktaCatalog)
		case "amazon_aws":
			a.group = group("AWS Prod Access")
		case "salesforce":
			a.group = group("Sales")
		case "workday":
			a.group = group("HR")
		}
		s.apps = append(s.apps, a)
	}
	// users: the shared people, mostly active
	n := oktaPeople(o.Rows)
	s.users = make([]*oktaUser, 0, n)
	s.byID = make(map[string]*oktaUser, n)
	statuses := []string{"SUSPENDED", "LOCKED_OUT", "PASSWORD_EXPIRED", "DEPROVISIONED", "STAGED", "RECOVERY", "PROVISIONED"}
	for i := 0; i < n; i++ {
		p := PersonAt(i)
		x := mix(uint64(i)*31 + o.Seed)
		u := &oktaUser{idx: i, person: i, login: p.Email, status: "ACTIVE", hasPassword: true}
		u.id = oktaID("00u", 2+o.Seed, uint64(i))
		if i > 0 && x%100 < 14 {
			u.status = statuses[x/100%uint64(len(statuses))]
		}
		u.created = now.AddDate(0, 0, -400-int(x%900))
		u.activated = u.created.Add(time.Hour)
		u.passwordSetAt = u.created.Add(2*time.Hour + time.Duration(x%3000)*time.Hour)
		u.lastLogin = now.Add(-time.Duration(x%(72*60)) * time.Minute)
		u.statusChanged = u.activated
		if u.status != "ACTIVE" {
			u.statusChanged = now.Add(-time.Duration(x%(30*24)) * time.Hour)
		}
		switch u.status {
		case "STAGED":
			u.activated, u.lastLogin, u.hasPassword = time.Time{}, time.Time{}, false
		case "PROVISIONED": // activated, but no password set yet
			u.lastLogin, u.hasPassword = time.Time{}, false
		}
		u.lastUpdated = u.statusChanged
		u.groups = []int{0, group(p.Department)}
		for _, extra := range []struct {
			name string
			in   bool
		}{
			{"VPN Users", i%3 == 0},
			{"Okta Administrators", i%41 == 5},
			{"Contractors", i%17 == 16},
			{"AWS Prod Access", (p.Department == "Engineering" || p.Department == "Security") && i%2 == 0},
		} {
			if extra.in {
				u.groups = append(u.groups, group(extra.name))
			}
		}
		u.groups = append(u.groups, projectGroups(i, len(s.groups)-len(oktaProjects))...)
		s.users = append(s.users, u)
		s.byID[u.id] = u
	}
	s.log = newOktaLog(s)
}

// --- lookups (callers hold s.mu) ------------------------------------------

func (s *Okta) findApp(id string) *oktaApp {
	for _, a := range s.apps {
		if a.id == id {
			return a
		}
	}
	return nil
}

func (s *Okta) findGroup(id string) *oktaGroup {
	for _, g := range s.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

// findUser resolves an id, a login or a login's short name, as Okta does.
func (s *Okta) findUser(key string) *oktaUser {
	if u := s.byID[key]; u != nil {
		return u
	}
	k := strings.ToLower(key)
	for _, u := range s.users {
		if strings.EqualFold(u.login, k) {
			return u
		}
	}
	for _, u := range s.users {
		if short, _, _ := strings.Cut(strings.ToLower(u.login), "@"); short == k {
			return u
		}
	}
	return nil
}

func (u *oktaUser) inGroup(g int) bool {
	for _, x := range u.groups {
		if x == g {
			return true
		}
	}
	return false
}

// assigned reports whether a user is assigned to an app, and how: a
// direct assignment made through the API wins, then a group's.
func (s *Okta) assigned(a *oktaApp, u *oktaUser) (bool, string) {
	if u.status == "DEPROVISIONED" || u.status == "STAGED" {
		return false, ""
	}
	if d, ok := u.direct[a.idx]; ok && d {
		return true, "USER"
	}
	if s.viaGroup(a, u) {
		return true, "GROUP"
	}
	if _, ok := u.direct[a.idx]; ok || a.everyone || a.group >= 0 {
		return false, ""
	}
	return mix(uint64(u.idx)<<8^uint64(a.idx)^s.opts.Seed)%5 == 0, "USER"
}

// viaGroup reports an assignment through a group: Everyone or the app's.
func (s *Okta) viaGroup(a *oktaApp, u *oktaUser) bool {
	return a.everyone || a.group >= 0 && u.inGroup(a.group)
}

// profile is a user's whole profile: the person's, with changes applied.
func (s *Okta) profile(u *oktaUser) map[string]any {
	out := map[string]any{}
	if u.person >= 0 {
		p := PersonAt(u.person)
		out = map[string]any{
			"login": p.Email, "email": p.Email, "firstName": p.First, "lastName": p.Last,
			"displayName": s.opts.taint(p.Name(), u.person), "title": p.Title, "department": p.Department,
			"city": p.City, "countryCode": countryCode(p.Country), "organization": "Acme",
			"employeeNumber": fmt.Sprintf("E%05d", u.person+1), "userType": "Employee",
			"mobilePhone": nil, "secondEmail": nil,
		}
	}
	for k, v := range u.profile {
		out[k] = v
	}
	return out
}

func countryCode(country string) string {
	return map[string]string{"United Kingdom": "GB", "United States": "US", "Germany": "DE", "Singapore": "SG", "Canada": "CA",
		"Australia": "AU", "Spain": "ES", "Japan": "JP", "Nigeria": "NG", "Brazil": "BR"}[country]
}

// --- rendering -----------------------------------------------------------

func oktaTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func (s *Okta) renderApp(a *oktaApp) map[string]any {
	self := s.URL + "/api/v1/apps/" + a.id
	return map[string]any{
		"id": a.id, "orn": "orn:okta:idp:00odemo:apps:" + a.name + ":" + a.id, "name": a.name, "label": a.label,
		"status": a.status, "signOnMode": a.mode, "created": oktaTime(a.created), "lastUpdated": oktaTime(a.lastUpdated),
		"features":      []any{},
		"accessibility": map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		"visibility":    map[string]any{"autoSubmitToolbar": false, "hide": map[string]any{"iOS": false, "web": false}, "appLinks": map[string]any{"login": true}},
		"credentials":   map[string]any{"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"}},
		"settings":      map[string]any{"app": map[string]any{}},
		"_links": map[string]any{
			"logo":     []any{map[string]any{"name": "medium", "href": s.URL + "/assets/img/logos/" + a.name + ".png", "type": "image/png"}},
			"appLinks": []any{map[string]any{"name": "login", "href": s.URL + "/home/" + a.name + "/" + a.id + "/1", "type": "text/html"}},
			"users":    map[string]any{"href": self + "/users"},
			"groups":   map[string]any{"href": self + "/groups"},
			"self":     map[string]any{"href": self},
		},
	}
}

func (s *Okta) renderUser(u *oktaUser) map[string]any {
	self := s.URL + "/api/v1/users/" + u.id
	creds := map[string]any{"provider": map[string]any{"type": "OKTA", "name": "OKTA"}}
	if u.hasPassword {
		creds["password"] = map[string]any{}
	}
	return map[string]any{
		"id": u.id, "status": u.status, "created": oktaTime(u.created), "activated": oktaTime(u.activated),
		"statusChanged": oktaTime(u.statusChanged), "lastLogin": oktaTime(u.lastLogin), "lastUpdated": oktaTime(u.lastUpdated),
		"passwordChanged": oktaTime(u.passwordSetAt), "type": map[string]any{"id": "otydemo0default0type"},
		"profile": s.profile(u), "credentials": creds,
		"_links": map[string]any{"self": map[string]any{"href": self}},
	}
}

func (s *Okta) renderGroup(g *oktaGroup) map[string]any {
	objectClass := "okta:user_group"
	if g.kind == "BUILT_IN" {
		objectClass = "okta:builtin"
	}
	return map[string]any{
		"id": g.id, "created": oktaTime(g.created), "lastUpdated": oktaTime(g.created),
		"lastMembershipUpdated": oktaTime(g.membershipUpdated(s.opts.epoch)),
		"objectClass":           []any{objectClass}, "type": g.kind,
		"profile": map[string]any{"name": g.name, "description": g.desc},
		"_links":  map[string]any{"users": map[string]any{"href": s.URL + "/api/v1/groups/" + g.id + "/users"}},
	}
}

func (s *Okta) renderAppUser(a *oktaApp, u *oktaUser, scope string) map[string]any {
	prof := s.profile(u)
	status := "ACTIVE"
	if u.status == "SUSPENDED" {
		status = "SUSPENDED"
	}
	created := a.created
	if u.created.After(created) {
		created = u.created
	}
	return map[string]any{
		"id": u.id, "externalId": nil, "created": oktaTime(created), "lastUpdated": oktaTime(created),
		"scope": scope, "status": status, "statusChanged": oktaTime(created), "passwordChanged": nil,
		"syncState": "DISABLED", "lastSync": nil,
		"credentials": map[string]any{"userName": u.login},
		"profile":     map[string]any{"email": prof["email"], "name": prof["displayName"]},
		"_links": map[string]any{
			"app":  map[string]any{"href": s.URL + "/api/v1/apps/" + a.id},
			"user": map[string]any{"href": s.URL + "/api/v1/users/" + u.id},
		},
	}
}

// --- apps ----------------------------------------------------------------

func (s *Okta) appValues(a *oktaApp, attr string) []string {
	switch attr {
	case "id":
		return []string{a.id}
	case "name":
		return []string{a.name}
	case "label":
		return []string{a.label}
	case "status":
		return []string{a.status}
	case "signOnMode":
		return []string{a.mode}
	case "user.id":
		var ids []string
		for _, u := range s.users {
			if ok, _ := s.assigned(a, u); ok {
				ids = append(ids, u.id)
			}
		}
		return ids
	case "group.id":
		if a.everyone {
			return []string{s.groups[0].id}
		}
		if a.group >= 0 {
			return []string{s.groups[a.group].id}
		}
	}
	return nil
}

var appAttrs = map[string]bool{"id": true, "name": true, "label": true, "status": true, "signOnMode": true, "user.id": true, "group.id": true}

func (s *Okta) listApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q, len(s.apps), 200)
	if err != nil {
		s.invalid(w, err.Error())
		return
	}
	var match scimFilter
	if f := q.Get("filter"); f != "" {
		if match, err = compileSCIM(f, func(a string) bool { return appAttrs[a] }); err != nil {
			s.invalid(w, "filter: "+err.Error())
			return
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	start := 0
	if after := q.Get("after"); after != "" {
		start = len(s.apps)
		if a := s.findApp(after); a != nil {
			start = a.idx + 1
		}
	}
	page := []any{}
	last := ""
	for _, a := range s.apps[start:] {
		if len(page) == limit {
			break
		}
		if prefix != "" && !strings.HasPrefix(strings.ToLower(a.name), prefix) && !strings.HasPrefix(strings.ToLower(a.label), prefix) {
			continue
		}
		if match != nil && !match(func(attr string) []string { return s.appValues(a, attr) }) {
			continue
		}
		page = append(page, s.renderApp(a))
		last = a.id
	}
	next := ""
	if len(page) == limit && last != "" && s.findApp(last).idx < len(s.apps)-1 {
		next = last
	}
	s.setLinks(w, r, next)
	writeJSON(w, http.StatusOK, page)
}

func (s *Okta) app(w http.ResponseWriter, r *http.Request) *oktaApp {
	a := s.findApp(r.PathValue("app"))
	if a == nil {
		s.notFound(w, r.PathValue("app"), "AppInstance")
	}
	return a
}

func (s *Okta) getApp(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a := s.app(w, r); a != nil {
		writeJSON(w, http.StatusOK, s.renderApp(a))
	}
}

func (s *Okta) appUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q, 50, 500)
	if err != nil {
		s.invalid(w, err.Error())
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.app(w, r)
	if a == nil {
		return
	}
	start := s.userAfter(q.Get("after"))
	page := []any{}
	next := ""
	for _, u := range s.users[start:] {
		ok, scope := s.assigned(a, u)
		if !ok {
			continue
		}
		if len(page) == limit {
			next = page[len(page)-1].(map[string]any)["id"].(string)
			break
		}
		page = append(page, s.renderAppUser(a, u, scope))
	}
	s.setLinks(w, r, next)
	writeJSON(w, http.StatusOK, page)
}

// userAfter is where a page after the user id "after" starts.
func (s *Okta) userAfter(after string) int {
	if after == "" {
		return 0
	}
	if u := s.byID[after]; u != nil {
		return u.idx + 1
	}
	return len(s.users)
}

// appAssignment is the app and the user of /apps/{app}/users/{user}
// when the user is assigned it, with the scope of the assignment; else it
// answers Okta's 404 and a is nil. Callers hold s.mu.
func (s *Okta) appAssignment(w http.ResponseWriter, r *http.Request) (a *oktaApp, u *oktaUser, scope string) {
	if a = s.app(w, r); a == nil {
		return nil, nil, ""
	}
	id := r.PathValue("user")
	if u = s.byID[id]; u == nil {
		s.notFound(w, id, "User")
		return nil, nil, ""
	}
	ok, scope := s.assigned(a, u)
	if !ok {
		s.notFound(w, id, "AppUser")
		return nil, nil, ""
	}
	return a, u, scope
}

func (s *Okta) appUser(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, u, scope := s.appAssignment(w, r); a != nil {
		writeJSON(w, http.StatusOK, s.renderAppUser(a, u, scope))
	}
}

// --- groups --------------------------------------------------------------

func (s *Okta) group(w http.ResponseWriter, r *http.Request) *oktaGroup {
	g := s.findGroup(r.PathValue("group"))
	if g == nil {
		s.notFound(w, r.PathValue("group"), "UserGroup")
	}
	return g
}

func (s *Okta) getGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if g := s.group(w, r); g != nil {
		writeJSON(w, http.StatusOK, s.renderGroup(g))
	}
}

func (s *Okta) groupUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q, 1000, 10000)
	if err != nil {
		s.invalid(w, err.Error())
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.group(w, r)
	if g == nil {
		return
	}
	page := []any{}
	next := ""
	for _, u := range s.users[s.userAfter(q.Get("after")):] {
		if !u.inGroup(g.idx) {
			continue
		}
		if len(page) == limit {
			next = page[len(page)-1].(map[string]any)["id"].(string)
			break
		}
		page = append(page, s.renderUser(u))
	}
	s.setLinks(w, r, next)
	writeJSON(w, http.StatusOK, page)
}

// --- helpers for tests and the demo ---------------------------------------

// OktaApp names a simulated app.
type OktaApp struct{ ID, Name, Label, Status string }

// Apps are the org's applications in list order.
func (s *Okta) Apps() []OktaApp {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]OktaApp, len(s.apps))
	for i, a := range s.apps {
		out[i] = OktaApp{a.id, a.name, a.label, a.status}
	}
	return out
}

// UserID is the id of the user with this login, "" if none.
func (s *Okta) UserID(login string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.findUser(login); u != nil {
		return u.id
	}
	return ""
}

// UserStatus is the status of the user with this login or id.
func (s *Okta) UserStatus(login string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.findUser(login); u != nil {
		return u.status
	}
	return ""
}

// AppUserLogins are the logins assigned to an app, in list order.
func (s *Okta) AppUserLogins(appID string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.findApp(appID)
	if a == nil {
		return nil
	}
	var out []string
	for _, u := range s.users {
		if ok, _ := s.assigned(a, u); ok {
			out = append(out, u.login)
		}
	}
	return out
}

// GroupID is the id of the group with this name, "" if none.
func (s *Okta) GroupID(name string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, g := range s.groups {
		if g.name == name {
			return g.id
		}
	}
	return ""
}

// membershipUpdated is lastMembershipUpdated, "when the group's
// memberships were last updated" (okta-sdk-golang v5, model Group): Okta
// moves it on every member added or removed.
func (g *oktaGroup) membershipUpdated(epoch time.Time) time.Time {
	if !g.membership.IsZero() {
		return g.membership
	}
	return epoch.Add(-time.Duration(g.idx) * time.Hour)
}
