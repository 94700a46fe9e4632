// Package scimcontract drives every Atlassian operation triage has through
// the real triage/backend/atlassian client (and the people provider the
// console uses) against a strict SCIM 2.0 server built with an outside
// library, github.com/elimity-com/scim. It is an outside referee: the
// simulator is our own guess at a SCIM directory; this server validates
// every body, filter and PATCH path against the RFC 7643 User and
// enterprise-extension schemas as that library reads them.
//
// The tests assert what the server stored, not only that no error came
// back: a strict server drops an attribute it does not know without a
// word, so a department sent in the wrong place would pass silently.
package scimcontract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	scimfilter "github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	"github.com/scim2/filter-parser/v2"
)

const (
	dirID  = "315e79ae-404a-4061-8a88-df91c8c7db34"
	apiKey = "scim-key-1"
	// maxResults is the server's page ceiling: a larger count is cut to it,
	// as RFC 7644 section 3.4.2.4 allows.
	maxResults = 100

	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// created is the one instant the referee stamps on every resource: no test
// reads the wall clock for data.
var created = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// directory is the referee's in-memory store of users and groups.
type directory struct {
	mu     sync.Mutex
	users  map[string]scim.ResourceAttributes
	groups map[string]scim.ResourceAttributes
	order  []string // user ids in creation order, for stable paging
	gorder []string
	seq    int
	// refused records the requests triage must never send (PUT, DELETE).
	refused []string
}

// referee is a running strict SCIM server for one Atlassian directory.
type referee struct {
	dir *directory
	srv *httptest.Server
}

// startReferee mounts the library's server under /scim/directory/{id},
// behind the Bearer check Atlassian makes.
func startReferee(t *testing.T) *referee {
	t.Helper()
	d := &directory{users: map[string]scim.ResourceAttributes{}, groups: map[string]scim.ResourceAttributes{}}
	users := scim.ResourceType{
		ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
		Schema:           schema.CoreUserSchema(),
		SchemaExtensions: []scim.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}},
		Handler:          userHandler{d},
	}
	groups := scim.ResourceType{
		ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
		Schema:  schema.CoreGroupSchema(),
		Handler: groupHandler{d},
	}
	server, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{MaxResults: maxResults, SupportFiltering: true, SupportPatch: true},
		ResourceTypes:         []scim.ResourceType{users, groups},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := "/scim/directory/" + dirID
	mux := http.NewServeMux()
	mux.Handle(base+"/", http.StripPrefix(base, strict(server)))
	srv := httptest.NewServer(bearer(mux))
	t.Cleanup(srv.Close)
	return &referee{dir: d, srv: srv}
}

// bearer answers 401 to a request without "Authorization: Bearer <key>",
// as Atlassian does for a missing or wrong SCIM API key.
func bearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+apiKey {
			writeErr(w, scimerr.ScimError{Status: http.StatusUnauthorized, Detail: "Unauthorized"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// strict adds the checks the library leaves to its user: a body is JSON
// (application/json or application/scim+json), and an extension object in
// a body is listed in its "schemas" (RFC 7643 section 3).
func strict(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			ct := r.Header.Get("Content-Type")
			if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/scim+json") {
				writeErr(w, scimerr.ScimError{Status: http.StatusUnsupportedMediaType, Detail: "Content-Type " + ct + " is not JSON"})
				return
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var m map[string]any
			if json.Unmarshal(body, &m) == nil && r.Method != http.MethodPatch {
				listed, _ := m["schemas"].([]any)
				if _, ok := m[enterpriseURN]; ok && !slices.Contains(listed, any(enterpriseURN)) {
					writeErr(w, scimerr.ScimError{Status: http.StatusBadRequest, ScimType: scimerr.ScimTypeInvalidValue,
						Detail: "the body carries " + enterpriseURN + " but does not list it in schemas"})
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func writeErr(w http.ResponseWriter, e scimerr.ScimError) {
	b, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	w.Write(b)
}

// storedUser is a deep copy of the user as the server holds it.
func (d *directory) storedUser(id string) scim.ResourceAttributes {
	d.mu.Lock()
	defer d.mu.Unlock()
	return deepCopy(d.users[id])
}

func deepCopy(m scim.ResourceAttributes) scim.ResourceAttributes {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out scim.ResourceAttributes
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func (d *directory) nextID(prefix string) string {
	d.seq++
	return prefix + strconv.Itoa(d.seq)
}

func (d *directory) refuse(r *http.Request, why string) error {
	d.mu.Lock()
	d.refused = append(d.refused, r.Method+" "+r.URL.Path)
	d.mu.Unlock()
	return scimerr.ScimError{Status: http.StatusNotImplemented, Detail: why}
}

func resource(id string, attrs scim.ResourceAttributes) scim.Resource {
	var ext optional.String
	if s, ok := attrs["externalId"].(string); ok {
		ext = optional.NewString(s)
	}
	at := created
	return scim.Resource{ID: id, ExternalID: ext, Attributes: attrs, Meta: scim.Meta{Created: &at, LastModified: &at}}
}

// page cuts a filtered list to the asked window (startIndex is 1-based).
func page(all []scim.Resource, p scim.ListRequestParams) scim.Page {
	start := min(max(p.StartIndex, 1)-1, len(all))
	end := min(start+p.Count, len(all))
	return scim.Page{TotalResults: len(all), Resources: all[start:end]}
}

// jsonFilter is the list's filter with its string values read as the JSON
// strings RFC 7644 section 3.4.2.2 makes them (compValue is JSON's
// string): the library's parser only trims the quotes, so `"a\"b"` would
// be compared as a\"b. The rest of the filter is the library's, validated
// against the schemas as it parsed it.
func jsonFilter(p scim.ListRequestParams, s schema.Schema, exts ...schema.Schema) (*scimfilter.Validator, error) {
	if p.FilterValidator == nil {
		return nil, nil
	}
	exp := p.FilterValidator.GetFilter()
	if err := unescape(exp); err != nil {
		return nil, err
	}
	s.Attributes = append(slices.Clone(s.Attributes), schema.CommonAttributes()...)
	v := scimfilter.NewFilterValidator(exp, s, exts...)
	return &v, nil
}

func unescape(e filter.Expression) error {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		if raw, ok := e.CompareValue.(string); ok {
			var v string
			if err := json.Unmarshal([]byte(`"`+raw+`"`), &v); err != nil {
				return scimerr.ScimError{Status: http.StatusBadRequest, ScimType: scimerr.ScimTypeInvalidFilter,
					Detail: "the filter value " + raw + " is not a JSON string: " + err.Error()}
			}
			e.CompareValue = v
		}
	case *filter.LogicalExpression:
		if err := unescape(e.Left); err != nil {
			return err
		}
		return unescape(e.Right)
	case *filter.NotExpression:
		return unescape(e.Expression)
	case *filter.ValuePath:
		return unescape(e.ValueFilter)
	}
	return nil
}

// userHandler keeps users. userName is unique without case (RFC 7643
// section 4.1.1); groups is read-only and computed from the groups' members.
type userHandler struct{ d *directory }

func (h userHandler) Create(_ *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	name, _ := attrs["userName"].(string)
	for _, u := range h.d.users {
		if strings.EqualFold(u["userName"].(string), name) {
			return scim.Resource{}, scimerr.ScimError{Status: http.StatusConflict, ScimType: scimerr.ScimTypeUniqueness,
				Detail: "User " + name + " already exists"}
		}
	}
	id := h.d.nextID("u")
	h.d.users[id] = deepCopy(attrs)
	h.d.order = append(h.d.order, id)
	return resource(id, h.withGroups(id)), nil
}

// withGroups is the stored user with its groups; the caller holds the lock.
func (h userHandler) withGroups(id string) scim.ResourceAttributes {
	u := deepCopy(h.d.users[id])
	var groups []any
	for _, gid := range h.d.gorder {
		g := h.d.groups[gid]
		members, _ := g["members"].([]any)
		for _, m := range members {
			if m.(map[string]any)["value"] == id {
				groups = append(groups, map[string]any{"value": gid, "display": g["displayName"], "type": "direct"})
			}
		}
	}
	if groups != nil {
		u["groups"] = groups
	}
	return u
}

func (h userHandler) Get(_ *http.Request, id string) (scim.Resource, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if _, ok := h.d.users[id]; !ok {
		return scim.Resource{}, scimerr.ScimErrorResourceNotFound(id)
	}
	return resource(id, h.withGroups(id)), nil
}

func (h userHandler) GetAll(_ *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	f, err := jsonFilter(p, schema.CoreUserSchema(), schema.ExtensionEnterpriseUser())
	if err != nil {
		return scim.Page{}, err
	}
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	all := []scim.Resource{}
	for _, id := range h.d.order {
		u := h.withGroups(id)
		if f != nil && f.PassesFilter(u) != nil {
			continue
		}
		all = append(all, resource(id, u))
	}
	return page(all, p), nil
}

func (h userHandler) Replace(r *http.Request, _ string, _ scim.ResourceAttributes) (scim.Resource, error) {
	return scim.Resource{}, h.d.refuse(r, "triage never replaces a user: a PUT clears every attribute it leaves out")
}

func (h userHandler) Delete(r *http.Request, _ string) error {
	return h.d.refuse(r, "triage never deletes a user: DELETE unlinks the account for good")
}

// Patch applies operations the library has validated against the schemas
// (an unknown path never gets here: the library answers 400 invalidPath).
func (h userHandler) Patch(_ *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	u, ok := h.d.users[id]
	if !ok {
		return scim.Resource{}, scimerr.ScimErrorResourceNotFound(id)
	}
	next := deepCopy(u)
	if next == nil {
		next = scim.ResourceAttributes{}
	}
	for _, op := range ops {
		if err := apply(next, op); err != nil {
			return scim.Resource{}, err
		}
	}
	h.d.users[id] = next
	return resource(id, h.withGroups(id)), nil
}

// apply is one PATCH operation on a stored user: a path of an attribute,
// a sub-attribute ("name.givenName") or an extension's attribute
// ("urn:...:enterprise:2.0:User:department"), or no path and a map.
func apply(u scim.ResourceAttributes, op scim.PatchOperation) error {
	if op.Path == nil {
		vals, ok := op.Value.(map[string]any)
		if !ok {
			return scimerr.ScimErrorInvalidValue
		}
		for k, v := range vals {
			if k == enterpriseURN {
				ext, _ := u[k].(map[string]any)
				if ext == nil {
					ext = map[string]any{}
				}
				maps.Copy(ext, v.(map[string]any))
				u[k] = ext
				continue
			}
			u[canonical(schema.CoreUserSchema(), k)] = v
		}
		return nil
	}
	if op.Path.ValueExpression != nil {
		return scimerr.ScimError{Status: http.StatusNotImplemented, Detail: "the referee applies no value filters in paths: " + op.Path.String()}
	}
	ap := op.Path.AttributePath
	container := map[string]any(u)
	ref := schema.CoreUserSchema()
	if uri := ap.URI(); uri == enterpriseURN {
		ext, _ := u[uri].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			u[uri] = ext
		}
		container, ref = ext, schema.ExtensionEnterpriseUser()
	}
	name := canonical(ref, ap.AttributeName)
	if sub := ap.SubAttributeName(); sub != "" {
		parent, _ := container[name].(map[string]any)
		if parent == nil {
			parent = map[string]any{}
			container[name] = parent
		}
		container, name = parent, sub
		defer dropEmpty(u, ap.AttributeName)
	}
	switch op.Op {
	case scim.PatchOperationRemove:
		delete(container, name)
	case scim.PatchOperationAdd, scim.PatchOperationReplace:
		container[name] = op.Value
	default:
		return scimerr.ScimErrorInvalidValue
	}
	if ext, ok := u[enterpriseURN].(map[string]any); ok && len(ext) == 0 {
		delete(u, enterpriseURN)
	}
	return nil
}

// canonical is the schema's spelling of an attribute name.
func canonical(s schema.Schema, name string) string {
	if a, ok := s.Attributes.ContainsAttribute(name); ok {
		return a.Name()
	}
	return name
}

// dropEmpty removes a complex attribute left with no sub-attributes.
func dropEmpty(u scim.ResourceAttributes, name string) {
	name = canonical(schema.CoreUserSchema(), name)
	if m, ok := u[name].(map[string]any); ok && len(m) == 0 {
		delete(u, name)
	}
}

// groupHandler keeps groups, which the tests seed over HTTP (so the
// library validates them too); triage only reads them.
type groupHandler struct{ d *directory }

func (h groupHandler) Create(_ *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	name, _ := attrs["displayName"].(string)
	for _, g := range h.d.groups {
		if strings.EqualFold(g["displayName"].(string), name) {
			return scim.Resource{}, scimerr.ScimError{Status: http.StatusConflict, ScimType: scimerr.ScimTypeUniqueness,
				Detail: "Group " + name + " already exists"}
		}
	}
	id := h.d.nextID("g")
	h.d.groups[id] = deepCopy(attrs)
	h.d.gorder = append(h.d.gorder, id)
	return resource(id, deepCopy(attrs)), nil
}

func (h groupHandler) Get(_ *http.Request, id string) (scim.Resource, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	g, ok := h.d.groups[id]
	if !ok {
		return scim.Resource{}, scimerr.ScimErrorResourceNotFound(id)
	}
	return resource(id, deepCopy(g)), nil
}

func (h groupHandler) GetAll(_ *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	f, err := jsonFilter(p, schema.CoreGroupSchema())
	if err != nil {
		return scim.Page{}, err
	}
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	all := []scim.Resource{}
	for _, id := range h.d.gorder {
		g := deepCopy(h.d.groups[id])
		if f != nil && f.PassesFilter(g) != nil {
			continue
		}
		all = append(all, resource(id, g))
	}
	return page(all, p), nil
}

func (h groupHandler) Replace(r *http.Request, _ string, _ scim.ResourceAttributes) (scim.Resource, error) {
	return scim.Resource{}, h.d.refuse(r, "triage never replaces a group")
}

func (h groupHandler) Delete(r *http.Request, _ string) error {
	return h.d.refuse(r, "triage never deletes a group")
}

func (h groupHandler) Patch(r *http.Request, _ string, _ []scim.PatchOperation) (scim.Resource, error) {
	return scim.Resource{}, h.d.refuse(r, "triage never changes a group")
}

// seedGroup creates a group with members over HTTP, through the library's
// validation, and returns its id.
func (ref *referee) seedGroup(t *testing.T, name string, memberIDs ...string) string {
	t.Helper()
	var members []map[string]any
	for _, id := range memberIDs {
		members = append(members, map[string]any{"value": id, "type": "User"})
	}
	body, _ := json.Marshal(map[string]any{"schemas": []string{schema.GroupSchema}, "displayName": name, "members": members})
	req, _ := http.NewRequest(http.MethodPost, ref.srv.URL+"/scim/directory/"+dirID+"/Groups", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := ref.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var g struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &g) != nil || g.ID == "" {
		t.Fatalf("seeding group %s: %d %s", name, resp.StatusCode, b)
	}
	return g.ID
}

// mustStored fails unless the stored user's value at path (dot-separated,
// the extension's URN as one step) is want; "" means absent.
func mustStored(t *testing.T, op string, u scim.ResourceAttributes, want string, path ...string) {
	t.Helper()
	var cur any = map[string]any(u)
	for _, p := range path {
		m, _ := cur.(map[string]any)
		cur = m[p]
	}
	got := ""
	if cur != nil {
		got = fmt.Sprint(cur)
	}
	if got != want {
		b, _ := json.Marshal(u)
		t.Errorf("%s: the server stored %s = %q, want %q; stored user: %s", op, strings.Join(path, "."), got, want, b)
	}
}
