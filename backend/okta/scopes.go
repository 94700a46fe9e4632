package okta

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// operation is one Management API call triage makes and the OAuth scope
// its security section names (okta-sdk-golang v5 okta/api/openapi.yaml).
type operation struct {
	ID, Method, Path, Scope string
}

// operations are every call triage makes. A service app must be granted
// each one's scope; .manage also allows the reads of its resource.
var operations = []operation{
	{"listApplications", http.MethodGet, "/api/v1/apps", "okta.apps.read"},
	{"getApplication", http.MethodGet, "/api/v1/apps/{appId}", "okta.apps.read"},
	{"listApplicationUsers", http.MethodGet, "/api/v1/apps/{appId}/users", "okta.apps.read"},
	{"getApplicationUser", http.MethodGet, "/api/v1/apps/{appId}/users/{userId}", "okta.apps.read"},
	{"assignUserToApplication", http.MethodPost, "/api/v1/apps/{appId}/users", "okta.apps.manage"},
	{"unassignUserFromApplication", http.MethodDelete, "/api/v1/apps/{appId}/users/{userId}", "okta.apps.manage"},
	{"assignGroupToApplication", http.MethodPut, "/api/v1/apps/{appId}/groups/{groupId}", "okta.apps.manage"},
	{"unassignApplicationFromGroup", http.MethodDelete, "/api/v1/apps/{appId}/groups/{groupId}", "okta.apps.manage"},
	{"listGroups", http.MethodGet, "/api/v1/groups", "okta.groups.read"},
	{"getGroup", http.MethodGet, "/api/v1/groups/{groupId}", "okta.groups.read"},
	{"listGroupUsers", http.MethodGet, "/api/v1/groups/{groupId}/users", "okta.groups.read"},
	{"assignUserToGroup", http.MethodPut, "/api/v1/groups/{groupId}/users/{userId}", "okta.groups.manage"},
	{"unassignUserFromGroup", http.MethodDelete, "/api/v1/groups/{groupId}/users/{userId}", "okta.groups.manage"},
	{"listLogEvents", http.MethodGet, "/api/v1/logs", "okta.logs.read"},
	{"listUsers", http.MethodGet, "/api/v1/users", "okta.users.read"},
	{"createUser", http.MethodPost, "/api/v1/users", "okta.users.manage"},
	{"getUser", http.MethodGet, "/api/v1/users/{userId}", "okta.users.read"},
	{"updateUser", http.MethodPost, "/api/v1/users/{userId}", "okta.users.manage"},
	{"listAppLinks", http.MethodGet, "/api/v1/users/{userId}/appLinks", "okta.users.read"},
	{"listUserGroups", http.MethodGet, "/api/v1/users/{userId}/groups", "okta.users.read"},
	{"activateUser", http.MethodPost, "/api/v1/users/{userId}/lifecycle/activate", "okta.users.manage"},
	{"reactivateUser", http.MethodPost, "/api/v1/users/{userId}/lifecycle/reactivate", "okta.users.manage"},
	{"deactivateUser", http.MethodPost, "/api/v1/users/{userId}/lifecycle/deactivate", "okta.users.manage"},
	{"suspendUser", http.MethodPost, "/api/v1/users/{userId}/lifecycle/suspend", "okta.users.manage"},
	{"unsuspendUser", http.MethodPost, "/api/v1/users/{userId}/lifecycle/unsuspend", "okta.users.manage"},
	{"unlockUser", http.MethodPost, "/api/v1/users/{userId}/lifecycle/unlock", "okta.users.manage"},
	{"generateResetPasswordToken", http.MethodPost, "/api/v1/users/{userId}/lifecycle/reset_password", "okta.users.manage"},
	{"expirePassword", http.MethodPost, "/api/v1/users/{userId}/lifecycle/expire_password", "okta.users.manage"},
	// Clearing sessions is okta.users.manage, not okta.sessions.manage.
	{"revokeUserSessions", http.MethodDelete, "/api/v1/users/{userId}/sessions", "okta.users.manage"},
}

// scopeFor is the scope a call needs, "" for a call not in the table.
// path is as sent (escaped); a {param} matches one segment.
func scopeFor(method, path string) string {
	got := strings.Split(strings.Trim(path, "/"), "/")
	for _, op := range operations {
		want := strings.Split(strings.Trim(op.Path, "/"), "/")
		if op.Method != method || len(want) != len(got) {
			continue
		}
		match := true
		for i, w := range want {
			match = match && (w == got[i] || strings.HasPrefix(w, "{") && got[i] != "")
		}
		if match {
			return op.Scope
		}
	}
	return ""
}

// Scopes are the fewest scopes that cover every call in the table: a
// resource's .manage when any call on it changes something, else its
// .read.
func Scopes() []string {
	best := map[string]string{}
	for _, op := range operations {
		res, level, _ := strings.Cut(strings.TrimPrefix(op.Scope, "okta."), ".")
		if best[res] != "manage" {
			best[res] = level
		}
	}
	out := make([]string, 0, len(best))
	for res, level := range best {
		out = append(out, "okta."+res+"."+level)
	}
	slices.Sort(out)
	return out
}

// covers reports whether the granted scopes allow a call needing need.
func covers(granted []string, need string) bool {
	manage := strings.TrimSuffix(need, ".read") + ".manage"
	return slices.Contains(granted, need) || slices.Contains(granted, manage)
}

// challengeScope reads the scope an OAuth 403 names in its challenge
// (RFC 6750 §3.1): Okta answers
//
//	WWW-Authenticate: Bearer ... scope="okta.users.read", error="insufficient_scope", ...
//
// (or DPoP ... for a DPoP-bound token).
var challengeScope = regexp.MustCompile(`\bscope="([^"]+)"`)

// forbidden explains a 403 to a service app whose token lacks the call's
// scope: named by Okta's challenge, or found in the operation table when
// the granted scopes do not cover it. With an API token, or with the
// scope granted, a 403 is the admin's role and the vendor's words stand.
func (c *Client) forbidden(method, path string, h http.Header) string {
	if c.token == nil {
		return ""
	}
	need := ""
	for _, v := range h.Values("WWW-Authenticate") {
		if strings.Contains(v, `error="insufficient_scope"`) {
			if m := challengeScope.FindStringSubmatch(v); m != nil {
				need = m[1]
			}
		}
	}
	if need == "" {
		need = scopeFor(method, path)
		granted := c.token.Granted()
		if granted == nil {
			granted = c.scopes
		}
		if need == "" || covers(granted, need) {
			return ""
		}
	}
	if !covers(c.scopes, need) {
		return fmt.Sprintf("needs the %s scope, which this tenant's scopes do not ask for (add it to scopes)", need)
	}
	return fmt.Sprintf("needs the %s scope, which the service app was not granted", need)
}
