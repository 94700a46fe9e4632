// Package identity says who is acting: the analyst behind a session, their
// role and, over SSH, the key they authenticated with. It travels in the
// request context so the HTTP layer can refuse and audit writes.
package identity

import (
	"context"
	"os/user"
)

// Analyst is the person behind a session.
type Analyst struct {
	Name        string // OS user locally, the configured name over SSH
	Role        string // "responder" or "read-only"
	Fingerprint string // SHA256:... of the SSH key, empty locally
	Addr        string // client address over SSH, empty locally
}

// CanWrite reports whether the analyst may change anything at a vendor.
func (a Analyst) CanWrite() bool { return a.Role != "read-only" }

// Local is the analyst running the console on their own machine: the OS
// user, with the responder role.
func Local() Analyst {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return Analyst{Name: name, Role: "responder"}
}

type ctxKey struct{}

// With returns ctx carrying the analyst.
func With(ctx context.Context, a Analyst) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// From returns the analyst in ctx. Without one, the caller is treated as
// read-only: a write that lost its identity must not go out.
func From(ctx context.Context) Analyst {
	if a, ok := ctx.Value(ctxKey{}).(Analyst); ok {
		return a
	}
	return Analyst{Name: "anonymous", Role: "read-only"}
}
