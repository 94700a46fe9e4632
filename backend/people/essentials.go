package people

import (
	"context"
	"fmt"
	"strings"

	"triage/backend/essentials"
)

// Essentials is a Proofpoint Essentials organisation as a provider. Its
// client also serves the sender lists.
type Essentials struct{ c *essentials.Client }

// Client is the organisation's client.
func (p *Essentials) Client() *essentials.Client { return p.c }

// Vendor implements Provider.
func (p *Essentials) Vendor() string { return "Essentials" }

// Tenant implements Provider.
func (p *Essentials) Tenant() string { return p.c.Tenant() }

// Fields implements Provider: Essentials keeps names, not titles or
// departments.
func (p *Essentials) Fields() []Field { return []Field{FirstName, LastName} }

// List implements Provider: the API answers every user at once.
func (p *Essentials) List(ctx context.Context, _ string) (Listing, error) {
	users, err := p.c.Users(ctx)
	if err != nil {
		return Listing{}, err
	}
	out := Listing{Entries: make([]Entry, len(users))}
	for i := range users {
		u := &users[i]
		out.Entries[i] = Entry{Email: string(u.PrimaryEmail), Name: u.Name(), Status: activeWord(u.Active()), Enabled: u.Active()}
	}
	return out, nil
}

// Find implements Provider. Users are named by primary email; a login
// without a domain is taken at the organisation's domain.
func (p *Essentials) Find(ctx context.Context, email string) (*Account, error) {
	if !strings.Contains(email, "@") {
		email += "@" + p.c.Domain()
	}
	u, found, err := p.c.FindUser(ctx, email)
	if err != nil || !found {
		return nil, err
	}
	return essAccount(u), nil
}

// Create implements Provider: the vendor answers 201 without the user, so
// it is read back.
func (p *Essentials) Create(ctx context.Context, pr Profile) (*Account, error) {
	if err := p.c.CreateUser(ctx, essentials.NewUser{Email: pr.Email, First: pr.First, Last: pr.Last}); err != nil {
		return nil, err
	}
	return p.readBack(ctx, pr.Email, "created")
}

// Update implements Provider: GET and PUT of the whole user with the names
// changed.
func (p *Essentials) Update(ctx context.Context, a *Account, c Changes) (*Account, error) {
	changed := map[string]any{}
	if v, ok := c[FirstName]; ok {
		changed["firstname"] = v
	}
	if v, ok := c[LastName]; ok {
		changed["surname"] = v
	}
	if err := p.c.UpdateUser(ctx, a.ID, changed); err != nil {
		return nil, err
	}
	return p.readBack(ctx, a.ID, "updated")
}

func (p *Essentials) readBack(ctx context.Context, email, what string) (*Account, error) {
	u, found, err := p.c.FindUser(ctx, email)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s %s, but reading it back failed: %w", email, what, err)
	case !found:
		return nil, fmt.Errorf("Essentials %s: %s %s, but reading it back finds no such user", p.Tenant(), email, what)
	}
	return essAccount(u), nil
}

// Disable implements Provider: is_active false, by GET and PUT.
func (p *Essentials) Disable(ctx context.Context, a *Account, _ DisableMode) error {
	return p.c.Disable(ctx, a.ID)
}

// Enable implements Provider: is_active true.
func (p *Essentials) Enable(ctx context.Context, a *Account) error { return p.c.Enable(ctx, a.ID) }

// Details implements Provider: the user's sender lists, from their
// /sender-lists and from the user object (under either spelling).
func (p *Essentials) Details(ctx context.Context, a *Account) (Details, error) {
	var d Details
	if u, ok := a.src.(*essentials.User); ok {
		d.Allowed, d.Blocked = u.Allowed(), u.Blocked()
	}
	lists, err := p.c.SenderLists(ctx, a.ID)
	if err != nil {
		return d, err
	}
	d.Allowed, d.Blocked = merge(d.Allowed, lists.Allow), merge(d.Blocked, lists.Block)
	return d, nil
}

// merge adds to a the entries of b it does not hold (without case).
func merge(a, b []string) []string {
	for _, x := range b {
		found := false
		for _, y := range a {
			found = found || strings.EqualFold(x, y)
		}
		if !found {
			a = append(a, x)
		}
	}
	return a
}

func essAccount(u *essentials.User) *Account {
	email := string(u.PrimaryEmail)
	a := &Account{ID: email, Login: email, Status: activeWord(u.Active()), Enabled: u.Active(), Raw: u.Raw, src: u,
		Profile: Profile{Email: email, First: string(u.Firstname), Last: string(u.Surname)}}
	if u.UID != 0 {
		a.fact("uid", fmt.Sprint(int64(u.UID)))
	}
	a.fact("Type", string(u.Type))
	a.fact("Billable", yesNo(bool(u.IsBillable)))
	if u.ReadOnly {
		a.fact("Read-only admin", "yes")
	}
	var aliases []string
	for _, x := range u.AliasEmails {
		aliases = append(aliases, string(x))
	}
	a.fact("Aliases", strings.Join(aliases, ", "))
	return a
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
