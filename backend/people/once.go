package people

import (
	"context"

	"triage/backend/settle"
)

// The account writes as the front-ends make them: sent once and, when the
// answer is lost, settled by looking the person up again at the provider
// (Find by email). The Outcome's Value is the account as the provider
// answered it or reading back found it; nil when neither says.

// DisableOnce disables the account.
func DisableOnce(ctx context.Context, p Provider, a *Account, mode DisableMode, email string) settle.Outcome[*Account] {
	return settle.Do(ctx, func(ctx context.Context) (*Account, error) { return nil, p.Disable(ctx, a, mode) },
		found(p, email, func(b *Account) bool { return !b.Enabled }))
}

// EnableOnce lets the account sign in again.
func EnableOnce(ctx context.Context, p Provider, a *Account, email string) settle.Outcome[*Account] {
	return settle.Do(ctx, func(ctx context.Context) (*Account, error) { return nil, p.Enable(ctx, a) },
		found(p, email, func(b *Account) bool { return b.Enabled && !b.Locked }))
}

// UpdateOnce changes the given fields; a lost answer applied when the
// account read back has nothing left to change.
func UpdateOnce(ctx context.Context, p Provider, a *Account, c Changes, email string) settle.Outcome[*Account] {
	return settle.Do(ctx, func(ctx context.Context) (*Account, error) { return p.Update(ctx, a, c) },
		found(p, email, func(b *Account) bool { return len(Applicable(p, b, c)) == 0 }))
}

// CreateOnce makes an account; a lost answer applied when the person is
// found at the provider.
func CreateOnce(ctx context.Context, p Provider, pr Profile) settle.Outcome[*Account] {
	return settle.Do(ctx, func(ctx context.Context) (*Account, error) { return p.Create(ctx, pr) },
		found(p, pr.Email, func(*Account) bool { return true }))
}

// ResetPasswordOnce sends the person an Okta password reset link; a lost
// answer applied when the account is in RECOVERY.
func ResetPasswordOnce(ctx context.Context, p *Okta, a *Account, revokeSessions bool, email string) settle.Outcome[*Account] {
	return settle.Do(ctx, func(ctx context.Context) (*Account, error) {
		_, err := p.Client().ResetPassword(ctx, a.ID, true, revokeSessions)
		return nil, err
	}, found(p, email, func(b *Account) bool { return b.Status == "RECOVERY" }))
}

// ExpirePasswordOnce makes the person choose a new Okta password at their
// next sign-in; a lost answer applied when the account is PASSWORD_EXPIRED.
func ExpirePasswordOnce(ctx context.Context, p *Okta, a *Account, email string) settle.Outcome[*Account] {
	return settle.Do(ctx, func(ctx context.Context) (*Account, error) {
		_, err := p.Client().ExpirePassword(ctx, a.ID)
		return nil, err
	}, found(p, email, func(b *Account) bool { return b.Status == "PASSWORD_EXPIRED" }))
}

// ClearSessionsOnce ends the person's Okta sessions. Okta shows no
// sessions to read back, so a lost answer stays unknown (sending it again
// is harmless).
func ClearSessionsOnce(ctx context.Context, p *Okta, a *Account, oauthTokens bool) settle.Outcome[*Account] {
	return settle.Do(ctx, func(ctx context.Context) (*Account, error) {
		return nil, p.Client().ClearSessions(ctx, a.ID, oauthTokens)
	}, nil)
}

// found reads the person back and reports whether the write is there; a
// person the provider does not have is not.
func found(p Provider, email string, there func(*Account) bool) settle.Check[*Account] {
	return func(ctx context.Context) (*Account, bool, error) {
		b, err := p.Find(ctx, email)
		if err != nil || b == nil {
			return b, false, err
		}
		return b, there(b), nil
	}
}
