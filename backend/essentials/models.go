package essentials

import (
	"encoding/json"
	"strings"

	"triage/backend/lenient"
)

// User is a user of the organisation. Fields follow the Interface API's
// user object; any may be missing. The safe and blocked senders come under
// two spellings (white_list_senders/black_list_senders in current answers,
// safe_list_senders/block_list_senders in the specification's example):
// both are read.
type User struct {
	UID          lenient.Int    `json:"uid"`
	PrimaryEmail lenient.String `json:"primary_email"`
	Firstname    lenient.String `json:"firstname"`
	Surname      lenient.String `json:"surname"`
	Type         lenient.String `json:"type"` // end_user, organization_admin, silent_user, functional_account...
	// IsActive is nil when the answer leaves it out; very old answers say
	// "isactive" with 0 or 1 instead.
	IsActive     *lenient.Bool    `json:"is_active"`
	LegacyActive *lenient.Bool    `json:"isactive"`
	IsBillable   lenient.Bool     `json:"is_billable"`
	ReadOnly     lenient.Bool     `json:"read_only_user"`
	AliasEmails  []lenient.String `json:"alias_emails"`
	WhiteList    []lenient.String `json:"white_list_senders"`
	BlackList    []lenient.String `json:"black_list_senders"`
	SafeList     []lenient.String `json:"safe_list_senders"`
	BlockList    []lenient.String `json:"block_list_senders"`
	OdinSettings struct {
		CanImpersonate lenient.Bool `json:"can_impersonate"`
		IsImitable     lenient.Bool `json:"is_imitable"`
	} `json:"odin_settings"`
	Raw json.RawMessage `json:"-"`
}

// Active reports whether the user is active; a user whose answer says
// neither is taken as active, the vendor's default.
func (u *User) Active() bool {
	switch {
	case u.IsActive != nil:
		return bool(*u.IsActive)
	case u.LegacyActive != nil:
		return bool(*u.LegacyActive)
	}
	return true
}

// Name is "Firstname Surname".
func (u *User) Name() string {
	return strings.TrimSpace(string(u.Firstname) + " " + string(u.Surname))
}

// Allowed are the user's safe senders, under either spelling.
func (u *User) Allowed() []string { return union(u.WhiteList, u.SafeList) }

// Blocked are the user's blocked senders, under either spelling.
func (u *User) Blocked() []string { return union(u.BlackList, u.BlockList) }

// Org is the organisation, as GET /orgs/{domain} describes it.
type Org struct {
	PrimaryDomain    lenient.String   `json:"primary_domain"`
	Name             lenient.String   `json:"name"`
	IsActive         lenient.Bool     `json:"is_active"`
	Type             lenient.String   `json:"type"`
	EID              lenient.Int      `json:"eid"`
	LicensingPackage lenient.String   `json:"licensing_package"`
	UserLicenses     lenient.Int      `json:"user_licenses"`
	ActiveUsers      lenient.Int      `json:"active_users"`
	SafeList         []lenient.String `json:"safe_list_senders"`
	BlockList        []lenient.String `json:"block_list_senders"`
	Raw              json.RawMessage  `json:"-"`
}

// List names one of the two sender lists.
type List string

// The sender lists, as the /sender-lists endpoints name them.
const (
	Allow List = "allow_list"
	Block List = "block_list"
)

// Word is what the analyst calls the change of adding to the list.
func (l List) Word() string {
	if l == Allow {
		return "allow"
	}
	return "block"
}

// SenderList is an organisation's or a user's sender lists: addresses or
// domains whose mail is always let through (Allow) or refused (Block).
type SenderList struct {
	Allow []string
	Block []string
}

// Has reports whether sender is on list (addresses compare without case).
func (s SenderList) Has(list List, sender string) bool {
	entries := s.Block
	if list == Allow {
		entries = s.Allow
	}
	for _, e := range entries {
		if strings.EqualFold(e, sender) {
			return true
		}
	}
	return false
}

// senderLists is the wire form of the /sender-lists endpoints.
type senderLists struct {
	Allow []lenient.String `json:"allow_list"`
	Block []lenient.String `json:"block_list"`
}

func (s senderLists) list() SenderList {
	return SenderList{Allow: union(s.Allow), Block: union(s.Block)}
}

// union joins lists of addresses, dropping empty entries and repeats.
func union(lists ...[]lenient.String) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			k := strings.ToLower(strings.TrimSpace(string(s)))
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, strings.TrimSpace(string(s)))
		}
	}
	return out
}

// NewUser is a user to create.
type NewUser struct {
	Email   string // the primary email; its domain must be one of the organisation's
	First   string
	Last    string
	Type    string // default end_user
	Aliases []string
	// Welcome sends the vendor's welcome email.
	Welcome bool
}

func (n NewUser) body() map[string]any {
	typ := n.Type
	if typ == "" {
		typ = "end_user"
	}
	b := map[string]any{
		"primary_email": n.Email, "firstname": n.First, "surname": n.Last,
		"type": typ, "is_active": true, "send_welcome_email": n.Welcome,
	}
	if len(n.Aliases) > 0 {
		b["alias_emails"] = n.Aliases
	}
	return b
}

// ValidSender reports whether s can go on a sender list: an address or a
// domain, as Essentials accepts them.
func ValidSender(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t,;<>\"") && strings.Contains(s, ".") && strings.Count(s, "@") <= 1 &&
		!strings.HasPrefix(s, "@") && !strings.HasSuffix(s, "@")
}
