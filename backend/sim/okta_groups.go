package sim

import (
	"net/http"
	"strings"
	"time"
)

// The Okta org's groups and app assignments: listing and searching groups,
// adding and removing members, assigning people to apps and unassigning
// them, as okta-sdk-golang v5 api/openapi.yaml describes them. Every change
// is recorded in the System Log with the group or app as its target.

// oktaProjects are working groups some people belong to in numbers: a few
// are in every one, so their groups span several pages.
var oktaProjects = []string{"Atlas", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
	"Kestrel", "Lumen", "Meridian", "Nimbus", "Onyx", "Pioneer", "Quartz", "Redwood", "Summit", "Tundra",
	"Umbra", "Vertex", "Willow", "Xenon", "Yarrow", "Zephyr"}

// oktaBaseGroups is how many groups the org had before the project groups
// (Everyone, the departments, the extras): the generated System Log picks
// among those only.
var oktaBaseGroups = 1 + len(departments) + len(oktaExtraGroups)

// projectGroups are the project groups of user i: every one for one
// person in 37 (from the fourth), one or two for one in 7, none for most.
func projectGroups(i, first int) []int {
	var out []int
	switch {
	case i%37 == 3:
		for j := range oktaProjects {
			out = append(out, first+j)
		}
	case i%7 == 2:
		out = append(out, first+i%len(oktaProjects), first+(i/7)%len(oktaProjects))
		if out[0] == out[1] {
			out = out[:1]
		}
	}
	return out
}

// groupRoutes registers the group and assignment endpoints.
func (s *Okta) groupRoutes(api *http.ServeMux) {
	api.HandleFunc("GET /api/v1/groups", s.listGroups)
	api.HandleFunc("PUT /api/v1/groups/{group}/users/{user}", s.addMember)
	api.HandleFunc("DELETE /api/v1/groups/{group}/users/{user}", s.removeMember)
	api.HandleFunc("POST /api/v1/apps/{app}/users", s.assignApp)
	api.HandleFunc("DELETE /api/v1/apps/{app}/users/{user}", s.unassignApp)
}

// listGroups is listGroups: q matches the start of the group's name (case
// aside), limit defaults to 10000, the cursor is the last group's id.
func (s *Okta) listGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, p := range []string{"filter", "search", "expand"} {
		if q.Get(p) != "" {
			s.invalid(w, p+": the simulator answers q, limit and after only")
			return
		}
	}
	limit, err := pageLimit(q, 10000, 10000)
	if err == nil && limit < 1 {
		s.invalid(w, "limit: must be at least 1")
		return
	}
	if err != nil {
		s.invalid(w, err.Error())
		return
	}
	prefix := strings.ToLower(q.Get("q"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	var idx []int
	for _, g := range s.groups {
		if strings.HasPrefix(strings.ToLower(g.name), prefix) {
			idx = append(idx, g.idx)
		}
	}
	s.writeGroupPage(w, r, idx, limit, q.Get("after"))
}

// writeGroupPage answers one page of the groups idx (in that order) after
// the group whose id is after, with the Link headers.
func (s *Okta) writeGroupPage(w http.ResponseWriter, r *http.Request, idx []int, limit int, after string) {
	if limit < 1 {
		s.invalid(w, "limit: must be at least 1")
		return
	}
	start := 0
	if after != "" {
		start = len(idx)
		for i, g := range idx {
			if s.groups[g].id == after {
				start = i + 1
			}
		}
	}
	page := []any{}
	next := ""
	for i := start; i < len(idx); i++ {
		if len(page) == limit {
			next = s.groups[idx[i-1]].id
			break
		}
		page = append(page, s.renderGroup(s.groups[idx[i]]))
	}
	s.setLinks(w, r, next)
	writeJSON(w, http.StatusOK, page)
}

// member resolves the group and user of a membership change, answering
// Okta's 404 for either unknown, and its 403 for a group whose members it
// does not manage (Everyone, app groups): assignUserToGroup and
// unassignUserFromGroup act on OKTA_GROUP groups only.
func (s *Okta) member(w http.ResponseWriter, r *http.Request) (*oktaGroup, *oktaUser) {
	g := s.group(w, r)
	if g == nil {
		return nil, nil
	}
	u := s.byID[r.PathValue("user")]
	if u == nil {
		s.notFound(w, r.PathValue("user"), "User")
		return nil, nil
	}
	if g.kind != "OKTA_GROUP" {
		s.fail(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action",
			"the members of "+g.kind+" group "+g.name+" are not managed through the API")
		return nil, nil
	}
	return g, u
}

// addMember is assignUserToGroup: 204, also when already a member.
func (s *Okta) addMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, u := s.member(w, r)
	if g == nil {
		return
	}
	if !u.inGroup(g.idx) {
		u.groups = append(u.groups, g.idx)
		g.membership = s.now().Truncate(time.Millisecond)
		s.log.recordOn(s, r, "group.user_membership.add", u.idx, -1, g.idx)
	}
	w.WriteHeader(http.StatusNoContent)
}

// removeMember is unassignUserFromGroup: 204, also when not a member.
func (s *Okta) removeMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, u := s.member(w, r)
	if g == nil {
		return
	}
	if u.inGroup(g.idx) {
		kept := u.groups[:0:0]
		for _, x := range u.groups {
			if x != g.idx {
				kept = append(kept, x)
			}
		}
		u.groups = kept
		g.membership = s.now().Truncate(time.Millisecond)
		s.log.recordOn(s, r, "group.user_membership.remove", u.idx, -1, g.idx)
	}
	w.WriteHeader(http.StatusNoContent)
}

// assignApp is assignUserToApplication: the body is an AppUser whose id
// is required; the answer is the assignment, scope USER. Assigning again
// answers the assignment as it is.
func (s *Okta) assignApp(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID    string `json:"id"`
		Scope string `json:"scope"`
	}
	if !s.readBody(w, r, &body) {
		return
	}
	if body.ID == "" {
		s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: id", "id: The field cannot be left blank")
		return
	}
	if body.Scope != "" && body.Scope != "USER" {
		s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: scope", "scope: a user is assigned with scope USER")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.app(w, r)
	if a == nil {
		return
	}
	u := s.byID[body.ID]
	if u == nil {
		s.notFound(w, body.ID, "User")
		return
	}
	if d, ok := u.direct[a.idx]; !ok || !d {
		if u.direct == nil {
			u.direct = map[int]bool{}
		}
		u.direct[a.idx] = true
		s.log.recordOn(s, r, "application.user_membership.add", u.idx, a.idx, -1)
	}
	writeJSON(w, http.StatusOK, s.renderAppUser(a, u, "USER"))
}

// unassignApp is unassignUserFromApplication: 204; 404 when the user is
// not assigned; 403 E0000046 while a group grants them the app (as Okta
// answers: terraform-provider-okta issue 120, teleport issue 53947).
func (s *Okta) unassignApp(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, u, _ := s.appAssignment(w, r)
	if a == nil {
		return
	}
	if s.viaGroup(a, u) {
		s.fail(w, http.StatusForbidden, "E0000046", "Deactivate application for user forbidden.",
			"The application cannot be unassigned from the user while their group memberships grant them access")
		return
	}
	if u.direct == nil {
		u.direct = map[int]bool{}
	}
	u.direct[a.idx] = false
	s.log.recordOn(s, r, "application.user_membership.remove", u.idx, a.idx, -1)
	w.WriteHeader(http.StatusNoContent)
}

// recordOn adds the event of a membership or assignment change made
// through the API: the user, and the app or group, are its targets.
// Callers hold s.mu for writing.
func (l *oktaLog) recordOn(s *Okta, r *http.Request, eventType string, user, app, group int) {
	k := kindIndex(eventType)
	if k < 0 {
		return
	}
	l.arrive(s)
	e := logEntry{seq: int64(l.base) + 2_000_000 + int64(len(l.extra)), at: s.now().Truncate(time.Millisecond), kind: uint8(k),
		actor: -1, target: int32(user), app: int16(app), group: int16(group), place: 10, agent: sprayAgent,
		oauth: strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")}
	l.extra = append(l.extra, e)
}

// GroupMemberLogins are the logins of a group's members, in list order.
func (s *Okta) GroupMemberLogins(groupID string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.findGroup(groupID)
	if g == nil {
		return nil
	}
	var out []string
	for _, u := range s.users {
		if u.inGroup(g.idx) {
			out = append(out, u.login)
		}
	}
	return out
}

// UserGroupNames are the names of the groups of the user with this login
// or id, in the order Okta lists them.
func (s *Okta) UserGroupNames(login string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.findUser(login)
	if u == nil {
		return nil
	}
	out := make([]string, len(u.groups))
	for i, g := range u.groups {
		out[i] = s.groups[g].name
	}
	return out
}
