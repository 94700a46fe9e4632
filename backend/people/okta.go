package people

import (
	"context"
	"fmt"
	"strings"

	"triage/backend/httpx"
	"triage/backend/okta"
)

// Okta is an Okta org as a provider. Its client also serves the actions
// only Okta has (sessions, passwords).
type Okta struct{ c *okta.Client }

// Client is the org's client.
func (p *Okta) Client() *okta.Client { return p.c }

// Vendor implements Provider.
func (p *Okta) Vendor() string { return "Okta" }

// Tenant implements Provider.
func (p *Okta) Tenant() string { return p.c.Tenant() }

// Fields implements Provider.
func (p *Okta) Fields() []Field { return EveryField }

// oktaPage is Okta's largest page of users.
const oktaPage = 200

// List implements Provider. A plain list leaves deactivated people out, so
// after it a second list asks for them: cursors say which list a page
// belongs to ("all <next link>", then "gone", "gone <next link>").
func (p *Okta) List(ctx context.Context, cursor string) (Listing, error) {
	q := okta.UserQuery{Limit: oktaPage}
	phase, next, _ := strings.Cut(cursor, " ")
	if phase == "gone" {
		q.Filter = `status eq "DEPROVISIONED"`
	}
	page, err := p.c.Users(ctx, q, next)
	if err != nil {
		return Listing{}, err
	}
	out := Listing{Entries: make([]Entry, 0, len(page.Items))}
	for i := range page.Items {
		a := oktaAccount(&page.Items[i])
		out.Entries = append(out.Entries, Entry{Email: a.Profile.Email, Name: a.Profile.Name(), Status: a.Status, Enabled: a.Enabled})
	}
	switch {
	case page.Next != "" && phase == "gone":
		out.Next = "gone " + page.Next
	case page.Next != "":
		out.Next = "all " + page.Next
	case phase != "gone":
		out.Next = "gone"
	}
	return out, nil
}

// Find implements Provider: an email is looked up as the login (Okta's
// filter), then as the profile email; anything else as a login or its
// short name ("li.chen").
func (p *Okta) Find(ctx context.Context, q string) (*Account, error) {
	if !strings.Contains(q, "@") {
		u, err := p.c.User(ctx, q)
		if httpx.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return oktaAccount(u), nil
	}
	u, found, err := p.c.FindUser(ctx, q)
	if err == nil && !found {
		u, found, err = p.c.FindUserByEmail(ctx, q)
	}
	if err != nil || !found {
		return nil, err
	}
	return oktaAccount(u), nil
}

// Create implements Provider: the login is the email, and the person is
// activated now (Okta emails them the activation).
func (p *Okta) Create(ctx context.Context, pr Profile) (*Account, error) {
	prof := okta.Profile{"login": pr.Email, "email": pr.Email, "firstName": pr.First, "lastName": pr.Last}
	for k, v := range map[string]string{"displayName": pr.Display, "title": pr.Title, "department": pr.Department, "organization": pr.Organization} {
		if v != "" {
			prof[k] = v
		}
	}
	u, err := p.c.CreateUser(ctx, okta.NewUser{Profile: prof, Activate: true})
	if err != nil {
		return nil, err
	}
	return oktaAccount(u), nil
}

var oktaKeys = map[Field]string{FirstName: "firstName", LastName: "lastName", DisplayName: "displayName", Title: "title",
	Department: "department", Organization: "organization"}

// Update implements Provider with Okta's partial update: only the changed
// profile fields are sent.
func (p *Okta) Update(ctx context.Context, a *Account, c Changes) (*Account, error) {
	changed := okta.Profile{}
	for f, v := range c {
		changed[oktaKeys[f]] = v
	}
	u, err := p.c.UpdateUser(ctx, a.ID, changed)
	if err != nil {
		return nil, err
	}
	return oktaAccount(u), nil
}

// Disable implements Provider: suspend (only from ACTIVE) or deactivate.
func (p *Okta) Disable(ctx context.Context, a *Account, mode DisableMode) error {
	if mode == Deactivate {
		return p.c.Deactivate(ctx, a.ID)
	}
	return p.c.Suspend(ctx, a.ID)
}

// Enable implements Provider: a suspended person is unsuspended, a
// deactivated or staged one activated (without an email: they sign in with
// the password they had), one whose activation is unfinished (PROVISIONED)
// reactivated, a locked-out one unlocked. okta-sdk-golang v5
// api/openapi.yaml: activateUser is for STAGED or DEPROVISIONED users only,
// reactivateUser for PROVISIONED ones.
func (p *Okta) Enable(ctx context.Context, a *Account) error {
	switch a.Status {
	case "SUSPENDED":
		return p.c.Unsuspend(ctx, a.ID)
	case "DEPROVISIONED", "STAGED":
		_, err := p.c.Activate(ctx, a.ID, false)
		return err
	case "PROVISIONED":
		_, err := p.c.Reactivate(ctx, a.ID, false)
		return err
	case "LOCKED_OUT":
		return p.c.Unlock(ctx, a.ID)
	}
	return fmt.Errorf("Okta %s: %s is %s, nothing to enable", p.Tenant(), a.Login, a.Status)
}

// Details implements Provider: the person's groups and the apps on their
// dashboard.
func (p *Okta) Details(ctx context.Context, a *Account) (Details, error) {
	var d Details
	groups, err := p.c.UserGroups(ctx, a.ID)
	if err != nil {
		return d, err
	}
	for _, g := range groups {
		d.Groups = append(d.Groups, string(g.Profile.Name))
	}
	apps, err := p.c.UserAppLinks(ctx, a.ID)
	if err != nil {
		return d, err
	}
	for _, l := range apps {
		d.Apps = append(d.Apps, string(l.Label))
	}
	return d, nil
}

// oktaStandard are the profile keys the Profile holds; the rest are facts.
var oktaStandard = map[string]bool{"login": true, "email": true, "firstName": true, "lastName": true, "displayName": true, "title": true,
	"department": true, "organization": true}

func oktaAccount(u *okta.User) *Account {
	pr := u.Profile
	email := pr.Get("email")
	if email == "" {
		email = u.Login()
	}
	status := string(u.Status)
	a := &Account{
		ID: string(u.ID), Login: u.Login(), Status: status, Raw: u.Raw, src: u,
		// STAGED was never activated; PROVISIONED was, and waits for the
		// person, so it counts as enabled yet Enable still applies.
		Enabled: status != "SUSPENDED" && status != "DEPROVISIONED" && status != "STAGED",
		Locked:  status == "LOCKED_OUT",
		Pending: status == "PROVISIONED",
		Profile: Profile{Email: email, First: pr.Get("firstName"), Last: pr.Get("lastName"), Display: pr.Get("displayName"),
			Title: pr.Get("title"), Department: pr.Get("department"), Organization: pr.Get("organization")},
	}
	a.fact("Id", string(u.ID))
	a.fact("Login", u.Login())
	a.fact("Becoming", string(u.TransitioningToStatus))
	a.Facts = append(a.Facts, times(Fact{Label: "Created", At: u.Created.Time}, Fact{Label: "Activated", At: u.Activated.Time},
		Fact{Label: "Status changed", At: u.StatusChanged.Time}, Fact{Label: "Last login", At: u.LastLogin.Time},
		Fact{Label: "Password changed", At: u.PasswordChanged.Time})...)
	a.fact("Credentials", string(u.Credentials.Provider.Type))
	for _, k := range pr.Keys() {
		if !oktaStandard[k] {
			a.fact(k, pr.Get(k))
		}
	}
	return a
}
