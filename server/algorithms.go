package server

import (
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// The algorithms the server offers: no SHA-1 (diffie-hellman-group14-sha1,
// hmac-sha1), no CBC, no finite-field Diffie-Hellman. x/crypto adds
// curve25519-sha256@libssh.org (the same exchange under OpenSSH 7.2's name)
// and kex-strict-s-v00@openssh.com (the Terrapin countermeasure).
var (
	keyExchanges = []string{
		gossh.KeyExchangeMLKEM768X25519, // post-quantum hybrid, OpenSSH 9.9's default
		gossh.KeyExchangeCurve25519,
		gossh.KeyExchangeECDHP256,
		gossh.KeyExchangeECDHP384,
		gossh.KeyExchangeECDHP521,
	}
	ciphers = []string{
		gossh.CipherChaCha20Poly1305,
		gossh.CipherAES256GCM,
		gossh.CipherAES128GCM,
		gossh.CipherAES256CTR,
		gossh.CipherAES192CTR,
		gossh.CipherAES128CTR,
	}
	// macs matter only with the CTR ciphers; the others authenticate
	// themselves.
	macs = []string{
		gossh.HMACSHA256ETM,
		gossh.HMACSHA512ETM,
		gossh.HMACSHA256,
		gossh.HMACSHA512,
	}
)

// withAlgorithms makes every connection offer only the algorithms above.
func withAlgorithms() ssh.Option {
	return func(srv *ssh.Server) error {
		srv.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
			return &gossh.ServerConfig{Config: gossh.Config{KeyExchanges: keyExchanges, Ciphers: ciphers, MACs: macs}}
		}
		return nil
	}
}
