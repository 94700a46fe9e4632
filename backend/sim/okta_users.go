package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The Okta org's users endpoints: lookups and lists with Okta's filter,
// search and q, creation, partial update, the lifecycle transitions Okta
// allows (refusing the others with its own codes) and clearing sessions.
// Every change is recorded in the System Log.

var userAttrs = map[string]bool{"id": true, "status": true, "created": true, "lastUpdated": true, "type.id": true}

func knownUserAttr(a string) bool { return userAttrs[a] || strings.HasPrefix(a, "profile.") }

func (s *Okta) userValues(u *oktaUser, attr string) []string {
	switch attr {
	case "id":
		return []string{u.id}
	case "status":
		return []string{u.status}
	case "created":
		return []string{fmt.Sprint(oktaTime(u.created))}
	case "lastUpdated":
		return []string{fmt.Sprint(oktaTime(u.lastUpdated))}
	case "type.id":
		return []string{"otydemo0default0type"}
	}
	if key, ok := strings.CutPrefix(attr, "profile."); ok {
		switch v := s.profile(u)[key].(type) {
		case nil:
			return nil
		case string:
			return []string{v}
		default:
			return []string{fmt.Sprint(v)}
		}
	}
	return nil
}

func (s *Okta) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	def := 200
	if q.Get("q") != "" {
		def = 10
	}
	limit, err := pageLimit(q, def, 200)
	if err != nil {
		s.invalid(w, err.Error())
		return
	}
	var match scimFilter
	for _, param := range []string{"filter", "search"} {
		if f := q.Get(param); f != "" {
			if match, err = compileSCIM(f, knownUserAttr); err != nil {
				s.invalid(w, param+": "+err.Error())
				return
			}
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	s.mu.RLock()
	defer s.mu.RUnlock()
	page := []any{}
	next := ""
	for _, u := range s.users[s.userAfter(q.Get("after")):] {
		switch {
		case match != nil:
			if !match(func(a string) []string { return s.userValues(u, a) }) {
				continue
			}
		case u.status == "DEPROVISIONED":
			continue // a plain list leaves deactivated users out
		}
		if prefix != "" {
			p := s.profile(u)
			found := false
			for _, k := range []string{"firstName", "lastName", "email"} {
				if v, _ := p[k].(string); strings.HasPrefix(strings.ToLower(v), prefix) {
					found = true
				}
			}
			if !found {
				continue
			}
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

func (s *Okta) user(w http.ResponseWriter, r *http.Request) *oktaUser {
	u := s.findUser(r.PathValue("user"))
	if u == nil {
		s.notFound(w, r.PathValue("user"), "User")
	}
	return u
}

func (s *Okta) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.user(w, r); u != nil {
		w.Header().Set("ETag", `"`+strconv.FormatInt(u.lastUpdated.UnixMilli(), 36)+`"`)
		writeJSON(w, http.StatusOK, s.renderUser(u))
	}
}

// userGroups pages a user's groups as Okta does: okta-sdk-golang v5
// api/openapi.yaml listUserGroups, limit default 20, at most 200, the
// cursor (a group id) in the next link.
func (s *Okta) userGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q, 20, 200)
	if err != nil {
		s.invalid(w, err.Error())
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.user(w, r)
	if u == nil {
		return
	}
	s.writeGroupPage(w, r, u.groups, limit, q.Get("after"))
}

func (s *Okta) appLinks(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.user(w, r)
	if u == nil {
		return
	}
	out := []any{}
	for _, a := range s.apps {
		if ok, _ := s.assigned(a, u); !ok || a.status != "ACTIVE" {
			continue
		}
		out = append(out, map[string]any{
			"id": oktaID("0oa", 9, uint64(a.idx)), "label": a.label, "linkUrl": s.URL + "/home/" + a.name + "/" + a.id + "/1",
			"logoUrl": s.URL + "/assets/img/logos/" + a.name + ".png", "appName": a.name, "appInstanceId": a.id,
			"appAssignmentId": oktaID("0ua", uint64(u.idx), uint64(a.idx)), "credentialsSetup": false, "hidden": false, "sortOrder": len(out),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// readBody decodes a JSON request body into v, answering Okta's E0000003
// itself when it is not JSON.
func (s *Okta) readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		s.fail(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.", err.Error())
		return false
	}
	return true
}

type userBody struct {
	Profile     map[string]any `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value string `json:"value"`
		} `json:"password"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
}

// loginTaken reports another user with this login.
func (s *Okta) loginTaken(login string, except *oktaUser) bool {
	for _, u := range s.users {
		if u != except && strings.EqualFold(u.login, login) {
			return true
		}
	}
	return false
}

func (s *Okta) createUser(w http.ResponseWriter, r *http.Request) {
	var body userBody
	if !s.readBody(w, r, &body) {
		return
	}
	var causes []string
	for _, k := range []string{"login", "email", "firstName", "lastName"} {
		if v, _ := body.Profile[k].(string); strings.TrimSpace(v) == "" {
			causes = append(causes, k+": The field cannot be left blank")
		}
	}
	if len(causes) > 0 {
		s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: profile", causes...)
		return
	}
	activate := r.URL.Query().Get("activate") != "false"
	login := body.Profile["login"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loginTaken(login, nil) {
		s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: login", "login: An object with this field already exists in the current organization")
		return
	}
	groups := []int{0}
	for _, id := range body.GroupIDs {
		g := s.findGroup(id)
		if g == nil {
			s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: groupIds", "groupIds: group "+id+" does not exist")
			return
		}
		groups = append(groups, g.idx)
	}
	now := s.now()
	u := &oktaUser{idx: len(s.users), person: -1, login: login, status: "STAGED", created: now, statusChanged: now, lastUpdated: now,
		profile: body.Profile, groups: groups}
	u.id = oktaID("00u", 7+s.opts.Seed, uint64(u.idx))
	if body.Credentials != nil && body.Credentials.Password != nil && body.Credentials.Password.Value != "" {
		u.hasPassword, u.passwordSetAt = true, now
	}
	if activate {
		u.activated = now
		u.status = "PROVISIONED"
		if u.hasPassword {
			u.status = "ACTIVE"
		}
	}
	s.users = append(s.users, u)
	s.byID[u.id] = u
	s.log.record(s, r, "user.lifecycle.create", u.idx)
	writeJSON(w, http.StatusOK, s.renderUser(u))
}

func (s *Okta) updateUser(w http.ResponseWriter, r *http.Request) {
	var body userBody
	if !s.readBody(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(w, r)
	if u == nil {
		return
	}
	if login, ok := body.Profile["login"].(string); ok && s.loginTaken(login, u) {
		s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: login", "login: An object with this field already exists in the current organization")
		return
	}
	if len(body.Profile) > 0 {
		if u.profile == nil {
			u.profile = map[string]any{}
		}
		for k, v := range body.Profile {
			u.profile[k] = v // a partial update: fields not sent stay as they are
		}
		if login, ok := body.Profile["login"].(string); ok {
			u.login = login
		}
	}
	now := s.now()
	if body.Credentials != nil && body.Credentials.Password != nil && body.Credentials.Password.Value != "" {
		u.hasPassword, u.passwordSetAt = true, now
	}
	u.lastUpdated = now
	s.log.record(s, r, "user.account.update_profile", u.idx)
	writeJSON(w, http.StatusOK, s.renderUser(u))
}

// lifecycle moves a user between statuses as Okta allows, refusing the
// transitions Okta refuses with its own codes.
func (s *Okta) lifecycle(w http.ResponseWriter, r *http.Request) {
	op := r.PathValue("op")
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(w, r)
	if u == nil {
		return
	}
	q := r.URL.Query()
	now := s.now()
	to := ""
	var answer any = map[string]any{}
	switch op {
	case "activate":
		// okta-sdk-golang v5 api/openapi.yaml activateUser: only STAGED or
		// DEPROVISIONED users; a PROVISIONED one is reactivated.
		if u.status != "STAGED" && u.status != "DEPROVISIONED" {
			s.fail(w, http.StatusForbidden, "E0000016", "Activation failed because the user is already active")
			return
		}
		to = "PROVISIONED"
		if u.hasPassword {
			to = "ACTIVE"
		}
		u.activated = now
		if q.Get("sendEmail") == "false" {
			answer = map[string]any{"activationToken": "XE6wE17zmphl3KqAPFxO", "activationUrl": s.URL + "/welcome/XE6wE17zmphl3KqAPFxO"}
		}
	case "reactivate":
		// reactivateUser: only PROVISIONED users; sendEmail defaults to
		// false, and then the answer carries the new activation link.
		if u.status != "PROVISIONED" {
			s.fail(w, http.StatusForbidden, "E0000038", "This operation is not allowed in the user's current status.")
			return
		}
		to = "PROVISIONED"
		if q.Get("sendEmail") != "true" {
			answer = map[string]any{"activationToken": "Rb8tXr2BjNEbKF3tyf4u", "activationUrl": s.URL + "/welcome/Rb8tXr2BjNEbKF3tyf4u"}
		}
	case "deactivate":
		if u.status == "DEPROVISIONED" {
			// Okta answers a second deactivation this way.
			s.notFound(w, u.id, "User")
			return
		}
		to = "DEPROVISIONED"
	case "suspend":
		if u.status != "ACTIVE" {
			s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: Cannot suspend a user that is not active", "status: "+u.status)
			return
		}
		to = "SUSPENDED"
	case "unsuspend":
		if u.status != "SUSPENDED" {
			s.fail(w, http.StatusBadRequest, "E0000001", "Api validation failed: Cannot unsuspend a user that is not suspended", "status: "+u.status)
			return
		}
		to = "ACTIVE"
	case "unlock":
		if u.status != "LOCKED_OUT" {
			s.fail(w, http.StatusForbidden, "E0000032", "Unlock is not allowed for this user.")
			return
		}
		to = "ACTIVE"
	case "reset_password":
		switch u.status {
		case "ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY":
		default:
			s.fail(w, http.StatusForbidden, "E0000017", "Reset password is not allowed in the user's current status")
			return
		}
		to = "RECOVERY"
		if q.Get("sendEmail") == "false" {
			answer = map[string]any{"resetPasswordUrl": s.URL + "/reset_password/XE6wE17zmphl3KqAPFxO"}
		}
	case "expire_password":
		if u.status != "ACTIVE" && u.status != "PASSWORD_EXPIRED" {
			s.fail(w, http.StatusForbidden, "E0000017", "Expire password is not allowed in the user's current status")
			return
		}
		to = "PASSWORD_EXPIRED"
	default:
		s.notFound(w, "lifecycle/"+op, "")
		return
	}
	u.status, u.statusChanged, u.lastUpdated = to, now, now
	s.log.record(s, r, "user.lifecycle."+op, u.idx)
	if op == "expire_password" {
		answer = s.renderUser(u)
	}
	if op == "deactivate" || op == "suspend" || op == "unsuspend" {
		w.WriteHeader(http.StatusOK) // Okta answers these with an empty body
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

func (s *Okta) clearSessions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(w, r)
	if u == nil {
		return
	}
	s.log.record(s, r, "user.session.clear", u.idx)
	w.WriteHeader(http.StatusNoContent)
}
