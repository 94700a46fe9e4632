package server

import (
	"fmt"
	"sync/atomic"

	"golang.org/x/crypto/ssh"

	"triage/backend/config"
	"triage/backend/identity"
)

// allowlist maps a public key's SHA256 fingerprint to its analyst. It is
// replaced whole on reload, so lookups never see half an update.
type allowlist struct {
	byFingerprint map[string]config.Analyst
}

func newAllowlist(analysts []config.Analyst) (*allowlist, error) {
	a := &allowlist{byFingerprint: map[string]config.Analyst{}}
	for _, an := range analysts {
		for i, k := range an.Keys {
			key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k))
			if err != nil {
				return nil, fmt.Errorf("ssh.analysts %q: key %d is not an OpenSSH public key", an.Name, i+1)
			}
			fp := ssh.FingerprintSHA256(key)
			if other, dup := a.byFingerprint[fp]; dup && other.Name != an.Name {
				return nil, fmt.Errorf("ssh.analysts: key %s belongs to both %q and %q", fp, other.Name, an.Name)
			}
			a.byFingerprint[fp] = an
		}
	}
	return a, nil
}

// analysts is the live allowlist.
type analysts struct{ p atomic.Pointer[allowlist] }

func (a *analysts) set(l *allowlist) { a.p.Store(l) }

// lookup returns the analyst a key belongs to.
func (a *analysts) lookup(key ssh.PublicKey) (identity.Analyst, bool) {
	if key == nil {
		return identity.Analyst{}, false
	}
	fp := ssh.FingerprintSHA256(key)
	an, ok := a.p.Load().byFingerprint[fp]
	if !ok {
		return identity.Analyst{}, false
	}
	return identity.Analyst{Name: an.Name, Role: an.Role, Fingerprint: fp}, true
}

// count is how many keys are allowed.
func (a *analysts) count() int { return len(a.p.Load().byFingerprint) }
