// Package people finds one person across the identity providers the
// console manages (Okta orgs, Atlassian SCIM directories and Proofpoint
// Essentials organisations) and acts on their account at each with the same
// verbs: list, find, create, update, disable and enable. A Person is the
// people of every provider merged by email; an Account is one provider's
// record of them.
package people

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"triage/backend"
)

// Provider is one configured tenant of an identity vendor.
type Provider interface {
	// Vendor is the vendor's name: Okta, Atlassian or Essentials.
	Vendor() string
	// Tenant is the tenant's name in the config.
	Tenant() string
	// List reads one page of accounts; cursor "" is the first page and a
	// Listing whose Next is "" is the last.
	List(ctx context.Context, cursor string) (Listing, error)
	// Find looks a person up by email (Okta also by login); a person the
	// provider does not have is nil with no error.
	Find(ctx context.Context, email string) (*Account, error)
	// Create makes an account for the person and returns it as created.
	Create(ctx context.Context, p Profile) (*Account, error)
	// Update changes the given fields and leaves every other one as it is;
	// see Applicable for the fields a provider takes.
	Update(ctx context.Context, a *Account, c Changes) (*Account, error)
	// Disable stops the account signing in, the reversible way: Okta
	// suspends (or deactivates, with Deactivate), Atlassian and Essentials
	// set active to false.
	Disable(ctx context.Context, a *Account, mode DisableMode) error
	// Enable lets a disabled account sign in again.
	Enable(ctx context.Context, a *Account) error
	// Details reads what the detail view shows beyond the account itself:
	// groups, apps, sender lists.
	Details(ctx context.Context, a *Account) (Details, error)
	// Fields are the profile fields the provider keeps.
	Fields() []Field
}

// Label names a provider in messages and column titles: "Okta prod".
func Label(p Provider) string { return p.Vendor() + " " + p.Tenant() }

// DisableMode is how Okta disables; the other providers have one way.
type DisableMode int

// Disable modes.
const (
	// Suspend keeps the person's app assignments; unsuspend restores them.
	Suspend DisableMode = iota
	// Deactivate deprovisions the person from their apps.
	Deactivate
)

func (m DisableMode) String() string {
	if m == Deactivate {
		return "deactivate"
	}
	return "suspend"
}

// Profile is what the console knows of a person at one provider, and what
// the new-person form asks.
type Profile struct {
	Email, First, Last, Display, Title, Department, Organization string
}

// Name is the display name, else first and last name.
func (p Profile) Name() string {
	if p.Display != "" {
		return p.Display
	}
	return strings.TrimSpace(p.First + " " + p.Last)
}

// Field is a profile field the update form can change.
type Field string

// Fields of the update form.
const (
	FirstName    Field = "first name"
	LastName     Field = "last name"
	DisplayName  Field = "display name"
	Title        Field = "title"
	Department   Field = "department"
	Organization Field = "organization"
)

// EveryField is the update form's fields, in its order.
var EveryField = []Field{FirstName, LastName, DisplayName, Title, Department, Organization}

// Get is the profile's value of field f.
func (p Profile) Get(f Field) string {
	switch f {
	case FirstName:
		return p.First
	case LastName:
		return p.Last
	case DisplayName:
		return p.Display
	case Title:
		return p.Title
	case Department:
		return p.Department
	case Organization:
		return p.Organization
	}
	return ""
}

// Changes are new values of profile fields.
type Changes map[Field]string

// Diff is what changed from before to after.
func Diff(before, after Profile) Changes {
	c := Changes{}
	for _, f := range EveryField {
		if after.Get(f) != before.Get(f) {
			c[f] = after.Get(f)
		}
	}
	return c
}

// Applicable keeps the changes the provider has a field for and that
// differ from the account's values: what an update there would send.
func Applicable(p Provider, a *Account, c Changes) Changes {
	out := Changes{}
	for _, f := range p.Fields() {
		if v, ok := c[f]; ok && v != a.Profile.Get(f) {
			out[f] = v
		}
	}
	return out
}

// Account is one person's account at one provider, as it last answered.
type Account struct {
	ID      string // what the provider's API names it by: an Okta or SCIM id, the Essentials email
	Login   string // the Okta login or SCIM userName
	Profile Profile
	Status  string // the vendor's word: Okta's status (ACTIVE, SUSPENDED...), else active or inactive
	Enabled bool   // not disabled by an admin (suspended, deactivated, inactive)
	Locked  bool   // locked out by failed sign-ins (Okta): Enable unlocks
	Pending bool   // activated but not yet finished by the person (Okta PROVISIONED): Enable starts it again
	Facts   []Fact // the provider's other attributes, for the detail view
	Raw     json.RawMessage
	src     any // the client's own object
}

// Fact is one labelled attribute of an account: text, or a time.
type Fact struct {
	Label string
	Value string
	At    time.Time
}

// fact adds a text fact, unless it is empty.
func (a *Account) fact(label, value string) {
	if value != "" {
		a.Facts = append(a.Facts, Fact{Label: label, Value: value})
	}
}

// times keeps the facts whose time is known.
func times(fs ...Fact) []Fact {
	out := fs[:0]
	for _, f := range fs {
		if !f.At.IsZero() {
			out = append(out, f)
		}
	}
	return out
}

// CanDisable reports whether Disable applies: the account is not disabled
// already.
func (a *Account) CanDisable() bool { return a.Enabled }

// CanEnable reports whether Enable applies: disabled, locked out, or an
// activation the person has not finished.
func (a *Account) CanEnable() bool { return !a.Enabled || a.Locked || a.Pending }

// Entry is an account as a list shows it: enough for one row.
type Entry struct {
	Email   string
	Name    string
	Status  string
	Enabled bool
}

// Listing is one page of a provider's accounts.
type Listing struct {
	Entries []Entry
	Next    string // the cursor of the next page; "" after the last
	// Unreadable counts the accounts of the page that could not be read and
	// are not in Entries; Problem says what was wrong with the first. A
	// person missing from a list with unreadable accounts may be one of them.
	Unreadable int
	Problem    string
}

// Details are what the detail view shows beside the account.
type Details struct {
	Groups  []string
	Apps    []string
	Allowed []string // senders whose mail is always let through
	Blocked []string // senders whose mail is refused
}

// Providers are every configured identity provider of the set, in the
// design's order: Okta, Atlassian, Essentials.
func Providers(s *backend.Set) []Provider {
	var out []Provider
	for _, c := range s.Okta {
		out = append(out, &Okta{c: c})
	}
	for _, c := range s.Atlassian {
		out = append(out, &Atlassian{c: c})
	}
	for _, c := range s.Essentials {
		out = append(out, &Essentials{c: c})
	}
	return out
}

// Key is the merge key of an email: people are the same person when their
// emails are equal without case.
func Key(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// activeWord is the status word of providers that only say active or not.
func activeWord(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}
