package atlassian

import (
	"encoding/json"
	"strings"

	"triage/backend/lenient"
)

// SCIM schema URNs, as Atlassian's responses name them. The extension keys
// are enterprise 2.0 and atlassian-external 1.0; some client libraries use
// 2.1 and 1.1, which real responses do not carry.
const (
	SchemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaAtlassian  = "urn:scim:schemas:extension:atlassian-external:1.0"
	SchemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaPatchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// User is a SCIM user of the directory. Any field may be missing; Raw keeps
// the object as Atlassian sent it, for the raw JSON view.
type User struct {
	Schemas    []lenient.String `json:"schemas"`
	ID         lenient.String   `json:"id"`
	ExternalID lenient.String   `json:"externalId"`
	UserName   lenient.String   `json:"userName"`
	Name       struct {
		Formatted       lenient.String `json:"formatted"`
		FamilyName      lenient.String `json:"familyName"`
		GivenName       lenient.String `json:"givenName"`
		MiddleName      lenient.String `json:"middleName"`
		HonorificPrefix lenient.String `json:"honorificPrefix"`
		HonorificSuffix lenient.String `json:"honorificSuffix"`
	} `json:"name"`
	DisplayName       lenient.String `json:"displayName"`
	NickName          lenient.String `json:"nickName"`
	Title             lenient.String `json:"title"`
	PreferredLanguage lenient.String `json:"preferredLanguage"`
	// Department and Organization at the top level are not core SCIM
	// attributes; they are read only when a server sends them there. The
	// enterprise extension below is where they belong.
	Department   lenient.String `json:"department"`
	Organization lenient.String `json:"organization"`
	Timezone     lenient.String `json:"timezone"`
	Emails       []Value        `json:"emails"`
	PhoneNumbers []Value        `json:"phoneNumbers"`
	// Active is nil when the answer leaves it out, which SCIM reads as true.
	Active     *lenient.Bool `json:"active"`
	Groups     []Member      `json:"groups"` // read-only: the groups the user is in
	Meta       Meta          `json:"meta"`
	Enterprise struct {
		Organization   lenient.String `json:"organization"`
		Department     lenient.String `json:"department"`
		Division       lenient.String `json:"division"`
		CostCenter     lenient.String `json:"costCenter"`
		EmployeeNumber lenient.String `json:"employeeNumber"`
	} `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	External struct {
		AtlassianAccountID lenient.String `json:"atlassianAccountId"`
	} `json:"urn:scim:schemas:extension:atlassian-external:1.0"`
	Raw json.RawMessage `json:"-"`
}

// Value is one of a user's emails or phone numbers.
type Value struct {
	Value   lenient.String `json:"value"`
	Type    lenient.String `json:"type"`
	Primary lenient.Bool   `json:"primary"`
}

// Member is a group of a user, or a member of a group.
type Member struct {
	Type    lenient.String `json:"type"`
	Value   lenient.String `json:"value"` // the id
	Display lenient.String `json:"display"`
	Ref     lenient.String `json:"$ref"`
}

// Meta is SCIM's bookkeeping of a resource.
type Meta struct {
	ResourceType lenient.String `json:"resourceType"`
	Location     lenient.String `json:"location"`
	Created      lenient.Time   `json:"created"`
	LastModified lenient.Time   `json:"lastModified"`
}

// IsActive reports whether the user may sign in; SCIM's default is true.
func (u *User) IsActive() bool { return u.Active == nil || bool(*u.Active) }

// Email is the primary email, else the first, else the userName when it is
// an address.
func (u *User) Email() string {
	for _, e := range u.Emails {
		if e.Primary && e.Value != "" {
			return string(e.Value)
		}
	}
	for _, e := range u.Emails {
		if e.Value != "" {
			return string(e.Value)
		}
	}
	if strings.Contains(string(u.UserName), "@") {
		return string(u.UserName)
	}
	return ""
}

// FullName is the display name, else the formatted name, else given and
// family names.
func (u *User) FullName() string {
	for _, s := range []lenient.String{u.DisplayName, u.Name.Formatted} {
		if s != "" {
			return string(s)
		}
	}
	return strings.TrimSpace(string(u.Name.GivenName) + " " + string(u.Name.FamilyName))
}

// DepartmentName is the enterprise extension's department, where RFC 7643
// (section 4.3) puts it and Atlassian answers it (the XSOAR Atlassian IAM
// README's captured user); a top-level department, which some servers send,
// is read when the extension has none.
func (u *User) DepartmentName() string {
	return firstOf(string(u.Enterprise.Department), string(u.Department))
}

// OrganizationName is the enterprise extension's organization, else a
// top-level one, as DepartmentName.
func (u *User) OrganizationName() string {
	return firstOf(string(u.Enterprise.Organization), string(u.Organization))
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// Group is a SCIM group of the directory.
type Group struct {
	Schemas     []lenient.String `json:"schemas"`
	ID          lenient.String   `json:"id"`
	ExternalID  lenient.String   `json:"externalId"`
	DisplayName lenient.String   `json:"displayName"`
	Members     []Member         `json:"members"`
	Meta        Meta             `json:"meta"`
	Raw         json.RawMessage  `json:"-"`
}

func (u *User) keepRaw(b json.RawMessage)  { u.Raw = b }
func (g *Group) keepRaw(b json.RawMessage) { g.Raw = b }

// rawKeeper is an object that keeps its own JSON.
type rawKeeper interface{ keepRaw(json.RawMessage) }

// listResponse is SCIM's ListResponse: capital-R Resources, 1-based
// startIndex. Go's decoder also accepts the lower-case spelling.
type listResponse struct {
	TotalResults lenient.Int       `json:"totalResults"`
	StartIndex   lenient.Int       `json:"startIndex"`
	ItemsPerPage lenient.Int       `json:"itemsPerPage"`
	Resources    []json.RawMessage `json:"Resources"`
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T
	Total      int // totalResults: the whole list's size
	StartIndex int // 1-based index of Items[0]
	// Unreadable counts the resources of the answer that could not be read
	// (not an object of the expected shape, or without an id); they are not
	// in Items. Problem says what was wrong with the first of them.
	Unreadable int
	Problem    string
}

// Next is the startIndex of the following page, 0 after the last one.
func (p Page[T]) Next() int {
	read := len(p.Items) + p.Unreadable
	if read == 0 {
		return 0
	}
	next := p.StartIndex + read
	if next > p.Total {
		return 0
	}
	return next
}

// Op is one operation of a SCIM PATCH.
type Op struct {
	Op    string `json:"op"` // add, replace, remove
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"` // a false or "" value is sent: only a nil one is left out
}

// Replace is the operation that sets path to value.
func Replace(path string, value any) Op { return Op{Op: "replace", Path: path, Value: value} }

// NewUser is a user to create.
type NewUser struct {
	UserName    string // unique; usually the work email
	Email       string // the primary work email; its domain must be verified
	GivenName   string
	FamilyName  string
	DisplayName string
	Title       string
	// Department and Organization go in the enterprise extension.
	Department   string
	Organization string
	ExternalID   string
}

// body is the SCIM user to POST. active is sent as true on purpose: the
// field must never be dropped by an omitempty. Department and organization
// are sent in the enterprise extension, whose URI is then listed in schemas
// (RFC 7643 sections 3 and 4.3; jira.js userProvisioning createUser sends
// the same key): a strict server drops a top-level department silently.
func (n NewUser) body() map[string]any {
	email := n.Email
	if email == "" {
		email = n.UserName
	}
	b := map[string]any{
		"schemas":  []string{SchemaUser},
		"userName": n.UserName,
		"emails":   []map[string]any{{"value": email, "type": "work", "primary": true}},
		"active":   true,
	}
	ext := map[string]any{}
	for k, v := range map[string]string{"department": n.Department, "organization": n.Organization} {
		if v != "" {
			ext[k] = v
		}
	}
	if len(ext) > 0 {
		b["schemas"] = []string{SchemaUser, SchemaEnterprise}
		b[SchemaEnterprise] = ext
	}
	name := map[string]any{}
	if n.GivenName != "" {
		name["givenName"] = n.GivenName
	}
	if n.FamilyName != "" {
		name["familyName"] = n.FamilyName
	}
	if len(name) > 0 {
		b["name"] = name
	}
	for k, v := range map[string]string{"displayName": n.DisplayName, "title": n.Title, "externalId": n.ExternalID} {
		if v != "" {
			b[k] = v
		}
	}
	return b
}

// Attribute paths the console changes with PATCH. Department and
// organization are the enterprise extension's, so their paths carry its URI
// (RFC 7644 section 3.10): a bare "department" is not a core User attribute
// and a strict server refuses it.
const (
	PathActive       = "active"
	PathGivenName    = "name.givenName"
	PathFamilyName   = "name.familyName"
	PathDisplayName  = "displayName"
	PathTitle        = "title"
	PathDepartment   = SchemaEnterprise + ":department"
	PathOrganization = SchemaEnterprise + ":organization"
)
