package people

import (
	"context"
	"strconv"
	"strings"

	"triage/backend/atlassian"
)

// Atlassian is an Atlassian SCIM directory as a provider.
type Atlassian struct{ c *atlassian.Client }

// Client is the directory's client.
func (p *Atlassian) Client() *atlassian.Client { return p.c }

// Vendor implements Provider.
func (p *Atlassian) Vendor() string { return "Atlassian" }

// Tenant implements Provider.
func (p *Atlassian) Tenant() string { return p.c.Tenant() }

// Fields implements Provider.
func (p *Atlassian) Fields() []Field { return EveryField }

// scimPage is the page size asked for; a directory that gives fewer is
// paged by what it gave.
const scimPage = 1000

// List implements Provider; the cursor is the next startIndex.
func (p *Atlassian) List(ctx context.Context, cursor string) (Listing, error) {
	start := 1
	if cursor != "" {
		start, _ = strconv.Atoi(cursor)
	}
	page, err := p.c.Users(ctx, start, scimPage)
	if err != nil {
		return Listing{}, err
	}
	out := Listing{Entries: make([]Entry, 0, len(page.Items)), Unreadable: page.Unreadable, Problem: page.Problem}
	for i := range page.Items {
		u := &page.Items[i]
		out.Entries = append(out.Entries, Entry{Email: u.Email(), Name: u.FullName(), Status: activeWord(u.IsActive()), Enabled: u.IsActive()})
	}
	if n := page.Next(); n > 0 {
		out.Next = strconv.Itoa(n)
	}
	return out, nil
}

// Find implements Provider with filter=userName eq "...", the lookup
// Atlassian supports.
func (p *Atlassian) Find(ctx context.Context, email string) (*Account, error) {
	u, found, err := p.c.FindUser(ctx, email)
	if err != nil || !found {
		return nil, err
	}
	return scimAccount(u), nil
}

// Create implements Provider: the userName is the email.
func (p *Atlassian) Create(ctx context.Context, pr Profile) (*Account, error) {
	u, err := p.c.CreateUser(ctx, atlassian.NewUser{UserName: pr.Email, Email: pr.Email, GivenName: pr.First, FamilyName: pr.Last,
		DisplayName: pr.Display, Title: pr.Title, Department: pr.Department, Organization: pr.Organization})
	if err != nil {
		return nil, err
	}
	return scimAccount(u), nil
}

var scimPaths = map[Field]string{FirstName: atlassian.PathGivenName, LastName: atlassian.PathFamilyName,
	DisplayName: atlassian.PathDisplayName, Title: atlassian.PathTitle, Department: atlassian.PathDepartment,
	Organization: atlassian.PathOrganization}

// Update implements Provider with a PATCH of the changed attributes only.
func (p *Atlassian) Update(ctx context.Context, a *Account, c Changes) (*Account, error) {
	changed := map[string]string{}
	for f, v := range c {
		changed[scimPaths[f]] = v
	}
	u, err := p.c.UpdateUser(ctx, a.ID, changed)
	if err != nil {
		return nil, err
	}
	return scimAccount(u), nil
}

// Disable implements Provider: PATCH active=false (never DELETE, which
// unlinks the account for good).
func (p *Atlassian) Disable(ctx context.Context, a *Account, _ DisableMode) error {
	_, err := p.c.Disable(ctx, a.ID)
	return err
}

// Enable implements Provider: PATCH active=true.
func (p *Atlassian) Enable(ctx context.Context, a *Account) error {
	_, err := p.c.Enable(ctx, a.ID)
	return err
}

// Details implements Provider: the groups the user object names.
func (p *Atlassian) Details(ctx context.Context, a *Account) (Details, error) {
	u, ok := a.src.(*atlassian.User)
	if !ok {
		var err error
		if u, err = p.c.User(ctx, a.ID); err != nil {
			return Details{}, err
		}
	}
	var d Details
	for _, g := range u.Groups {
		d.Groups = append(d.Groups, string(g.Display))
	}
	return d, nil
}

func scimAccount(u *atlassian.User) *Account {
	a := &Account{
		ID: string(u.ID), Login: string(u.UserName), Status: activeWord(u.IsActive()), Enabled: u.IsActive(), Raw: u.Raw, src: u,
		Profile: Profile{Email: u.Email(), First: string(u.Name.GivenName), Last: string(u.Name.FamilyName), Display: string(u.DisplayName),
			Title: string(u.Title), Department: u.DepartmentName(), Organization: u.OrganizationName()},
	}
	a.fact("Id", string(u.ID))
	a.fact("userName", string(u.UserName))
	a.fact("externalId", string(u.ExternalID))
	a.fact("Atlassian id", string(u.External.AtlassianAccountID))
	var emails []string
	for _, e := range u.Emails {
		emails = append(emails, string(e.Value))
	}
	a.fact("Emails", strings.Join(emails, ", "))
	a.fact("Nickname", string(u.NickName))
	a.fact("Timezone", string(u.Timezone))
	a.fact("Language", string(u.PreferredLanguage))
	a.Facts = append(a.Facts, times(Fact{Label: "Created", At: u.Meta.Created.Time}, Fact{Label: "Last modified", At: u.Meta.LastModified.Time})...)
	return a
}
