package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// scimAttr is an attribute of a schema the simulated directory supports:
// what GET /Schemas lists and what a PATCH may name.
type scimAttr struct {
	name, typ, mutability string
	multi, required       bool
	sub                   []scimAttr
}

// scimSchema is one schema of the directory's users or groups.
type scimSchema struct {
	id, name, description string
	key                   string // the prefix of its attributes' keys in scimAccount.set
	attrs                 []scimAttr
}

func rw(name, typ string) scimAttr { return scimAttr{name: name, typ: typ, mutability: "readWrite"} }
func ro(name, typ string) scimAttr { return scimAttr{name: name, typ: typ, mutability: "readOnly"} }

// scimSchemas are the schemas the directory supports: the attributes of
// RFC 7643's core User and enterprise extension that it keeps, and
// Atlassian's own extension (the attributes of jira.js userProvisioning's
// scimUser and enterpriseUserExtension models it stores). userName and
// emails are immutable here: a PUT replaces them, a PATCH does not.
var scimSchemas = []scimSchema{
	{id: scimUserSchema, name: "User", description: "User Account", attrs: []scimAttr{
		ro("id", "string"),
		rw("externalId", "string"),
		{name: "userName", typ: "string", mutability: "immutable", required: true},
		{name: "name", typ: "complex", mutability: "readWrite", sub: []scimAttr{
			rw("givenName", "string"), rw("familyName", "string"), ro("formatted", "string")}},
		rw("displayName", "string"),
		rw("title", "string"),
		{name: "emails", typ: "complex", mutability: "immutable", multi: true, required: true, sub: []scimAttr{
			rw("value", "string"), rw("type", "string"), rw("primary", "boolean")}},
		rw("active", "boolean"),
		{name: "groups", typ: "complex", mutability: "readOnly", multi: true, sub: []scimAttr{
			ro("value", "string"), ro("display", "string"), ro("type", "string"), ro("$ref", "reference")}},
		{name: "meta", typ: "complex", mutability: "readOnly", sub: []scimAttr{
			ro("resourceType", "string"), ro("location", "reference"), ro("created", "dateTime"), ro("lastModified", "dateTime")}},
	}},
	{id: scimEnterpriseSchema, name: "EnterpriseUser", description: "Enterprise User", key: "enterprise:", attrs: []scimAttr{
		rw("department", "string"), rw("organization", "string")}},
	{id: scimAtlassianSchema, name: "AtlassianExternal", description: "The user's Atlassian account", key: "atlassian:", attrs: []scimAttr{
		ro("atlassianAccountId", "string")}},
	{id: scimGroupSchema, name: "Group", description: "Group", attrs: []scimAttr{
		ro("id", "string"), ro("displayName", "string"),
		{name: "members", typ: "complex", mutability: "readOnly", multi: true, sub: []scimAttr{
			ro("value", "string"), ro("display", "string"), ro("type", "string"), ro("$ref", "reference")}},
	}},
}

// userSchemas are the schemas a user's attributes come from.
var userSchemas = scimSchemas[:3]

// scimAttrPath resolves a PATCH path of a user, "title", "name.givenName",
// "urn:...:enterprise:2.0:User:department" or the core URI before any of
// them, to a key (the lower-case path, its extension's key before it) and
// the attribute; the attribute is nil when no schema has it.
func scimAttrPath(path string) (string, *scimAttr) {
	sc, rest := &userSchemas[0], path
	for i := range userSchemas {
		if len(path) > len(userSchemas[i].id) && strings.EqualFold(path[:len(userSchemas[i].id)+1], userSchemas[i].id+":") {
			sc, rest = &userSchemas[i], path[len(userSchemas[i].id)+1:]
			break
		}
	}
	name, subName, hasSub := strings.Cut(rest, ".")
	attr := findAttr(sc.attrs, name)
	if attr != nil && hasSub {
		attr = findAttr(attr.sub, subName)
	}
	return sc.key + strings.ToLower(rest), attr
}

func findAttr(attrs []scimAttr, name string) *scimAttr {
	for i := range attrs {
		if strings.EqualFold(attrs[i].name, name) {
			return &attrs[i]
		}
	}
	return nil
}

func isSchemaURI(s string) bool {
	for _, sc := range scimSchemas {
		if strings.EqualFold(s, sc.id) {
			return true
		}
	}
	return false
}

// flatten turns a path-less PATCH value into paths: {"title":..} is
// "title", {"name":{"givenName":..}} "name.givenName", and an extension's
// container {"urn:...:User":{"department":..}} "urn:...:User:department"
// (RFC 7644 section 3.5.2). It reports false when v is not an object.
func flatten(prefix string, v json.RawMessage, out map[string]json.RawMessage) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(v, &m) != nil || m == nil {
		return false
	}
	for k, sub := range m {
		path := k
		switch {
		case isSchemaURI(prefix):
			path = prefix + ":" + k
		case prefix != "":
			path = prefix + "." + k
		}
		if bytes.HasPrefix(bytes.TrimSpace(sub), []byte("{")) && flatten(path, sub, out) {
			continue
		}
		out[path] = sub
	}
	return true
}

func (s *Atlassian) renderSchema(sc scimSchema) map[string]any {
	var attrs func([]scimAttr) []any
	attrs = func(as []scimAttr) []any {
		out := make([]any, len(as))
		for i, a := range as {
			m := map[string]any{"name": a.name, "type": a.typ, "multiValued": a.multi, "required": a.required,
				"mutability": a.mutability, "returned": "default", "caseExact": false, "uniqueness": "none"}
			if a.name == "userName" {
				m["uniqueness"] = "server"
			}
			if len(a.sub) > 0 {
				m["subAttributes"] = attrs(a.sub)
			}
			out[i] = m
		}
		return out
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"}, "id": sc.id, "name": sc.name,
		"description": sc.description, "attributes": attrs(sc.attrs),
		"meta": map[string]any{"resourceType": "Schema", "location": s.location("Schemas", sc.id)}}
}

// listSchemas is GET /Schemas: every schema the directory supports.
func (s *Atlassian) listSchemas(w http.ResponseWriter, _ *http.Request) {
	out := make([]any, len(scimSchemas))
	for i, sc := range scimSchemas {
		out[i] = s.renderSchema(sc)
	}
	writeJSON(w, http.StatusOK, listResponse(len(out), 1, out))
}

// getSchema is GET /Schemas/{id}, which the XSOAR Atlassian IAM
// integration reads for its field mapping (Client.get_app_fields).
func (s *Atlassian) getSchema(w http.ResponseWriter, r *http.Request) {
	for _, sc := range scimSchemas {
		if strings.EqualFold(sc.id, r.PathValue("id")) {
			writeJSON(w, http.StatusOK, s.renderSchema(sc))
			return
		}
	}
	scimFail(w, http.StatusNotFound, "", "Schema "+r.PathValue("id")+" not found")
}

// serviceProviderConfig says what the directory supports (RFC 7643
// section 5): PATCH and filters, no bulk, sorting, ETags or passwords.
func (s *Atlassian) serviceProviderConfig(w http.ResponseWriter, _ *http.Request) {
	off := map[string]any{"supported": false}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"patch":   map[string]any{"supported": true},
		"bulk":    map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":  map[string]any{"supported": true, "maxResults": scimMaxCount},
		"sort":    off, "etag": off, "changePassword": off,
		"authenticationSchemes": []any{map[string]any{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			"description": "The directory's SCIM API key, sent as Authorization: Bearer"}},
	})
}
