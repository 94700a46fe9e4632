package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/ssh"
)

// Defaults that apply when a key is absent.
const (
	DefaultRefresh     = 60 * time.Second
	DefaultTimeout     = 30 * time.Second
	DefaultAPIVersion  = "v2"
	DefaultListen      = "0.0.0.0:2222"
	DefaultIdle        = 15 * time.Minute
	DefaultMaxSession  = 12 * time.Hour
	DefaultMaxSessions = 64
	AtlassianBaseURL   = "https://api.atlassian.com"
	// EssentialsDiscoveryURL is the stack asked which stack an organisation
	// is on when base_url is not set: the vendor's API guide (index.php,
	// "Endpoint") says any stack answers /api/v1/endpoints/{domain}, and
	// the public scripts ask us1 (starlightretailceo/proofpoint
	// return_endpoint; a PowerShell snippet with Invoke-RestMethod).
	EssentialsDiscoveryURL = "https://us1.proofpointessentials.com"
)

// Default scopes per vendor.
var (
	DefaultSaaSScopes = []string{"api_access", "incident_api", "remediation_api"}
	// DefaultOktaScopes are the fewest that cover every Okta call triage
	// makes, per the security section of each operation in the Management
	// API spec (okta-sdk-golang v5 okta/api/openapi.yaml); backend/okta's
	// operation table derives the same list and its test holds them equal.
	// .manage also allows the reads of its resource.
	DefaultOktaScopes = []string{"okta.apps.manage", "okta.groups.manage", "okta.logs.read", "okta.users.manage"}
)

// StateHome is $XDG_STATE_HOME/triage, or ~/.local/state/triage.
func StateHome() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "triage")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "triage-state")
	}
	return filepath.Join(home, ".local", "state", "triage")
}

// ExpandHome turns a leading ~/ into the home directory.
func ExpandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

// Default returns a config with every default applied and no tenants.
func Default() *Config {
	c := &Config{}
	c.applyDefaults()
	return c
}

func (c *Config) applyDefaults() {
	if c.UI.Theme == "" {
		c.UI.Theme = "auto"
	}
	if c.UI.Refresh.Duration == 0 && !c.refreshSet() {
		c.UI.Refresh.Duration = DefaultRefresh
	}
	if c.State.Dir == "" {
		c.State.Dir = StateHome()
	}
	c.State.Dir = ExpandHome(c.State.Dir)
	if c.Audit.Path == "" {
		c.Audit.Path = filepath.Join(StateHome(), "audit.jsonl")
	}
	c.Audit.Path = ExpandHome(c.Audit.Path)
	if c.Audit.OnError == "" {
		c.Audit.OnError = AuditRefuse
	}
	for i := range c.ITM {
		t := &c.ITM[i]
		if t.APIVersion == "" {
			t.APIVersion = DefaultAPIVersion
		}
		t.BaseURL = strings.TrimRight(t.BaseURL, "/")
		t.Conn.defaults()
	}
	for i := range c.SaaS {
		t := &c.SaaS[i]
		if len(t.Scopes) == 0 {
			t.Scopes = append([]string(nil), DefaultSaaSScopes...)
		}
		t.BaseURL = strings.TrimRight(t.BaseURL, "/")
		t.Conn.defaults()
	}
	for i := range c.Okta {
		t := &c.Okta[i]
		if len(t.Scopes) == 0 {
			t.Scopes = append([]string(nil), DefaultOktaScopes...)
		}
		t.URL = strings.TrimRight(t.URL, "/")
		t.PrivateKeyFile = ExpandHome(t.PrivateKeyFile)
		t.Conn.defaults()
	}
	for i := range c.Atlassian {
		t := &c.Atlassian[i]
		if t.BaseURL == "" {
			t.BaseURL = AtlassianBaseURL
		}
		t.BaseURL = strings.TrimRight(t.BaseURL, "/")
		t.Conn.defaults()
	}
	for i := range c.Essentials {
		t := &c.Essentials[i]
		t.BaseURL = strings.TrimRight(t.BaseURL, "/")
		t.Conn.defaults()
	}
	if c.SSH.Listen == "" {
		c.SSH.Listen = DefaultListen
	}
	if c.SSH.HostKey == "" {
		c.SSH.HostKey = filepath.Join(StateHome(), "ssh_host_ed25519")
	}
	c.SSH.HostKey = ExpandHome(c.SSH.HostKey)
	if c.SSH.IdleTimeout.Duration == 0 {
		c.SSH.IdleTimeout.Duration = DefaultIdle
	}
	if c.SSH.MaxTimeout.Duration == 0 {
		c.SSH.MaxTimeout.Duration = DefaultMaxSession
	}
	if c.SSH.MaxSessions == 0 {
		c.SSH.MaxSessions = DefaultMaxSessions
	}
}

// refreshSet is true when the file wrote refresh = "0s" on purpose; the
// zero value is otherwise indistinguishable from "absent".
func (c *Config) refreshSet() bool { return c.UI.Refresh.set }

func (c *Conn) defaults() {
	if c.Timeout.Duration == 0 {
		c.Timeout.Duration = DefaultTimeout
	}
	c.CAFile = ExpandHome(c.CAFile)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// resolveSecret turns "${VAR}" and "file:/path" references into values.
func resolveSecret(v *validator, table string, index int, key string, s *Secret) {
	raw := string(*s)
	if path, ok := strings.CutPrefix(raw, "file:"); ok {
		path = ExpandHome(path)
		data, info, err := readSmallFile(path, maxSecretFile)
		if err != nil {
			v.at(table, index, key, fileProblem("secret file", path, err), "point file: at a regular file, at most 64 KiB, that holds only the secret")
			return
		}
		if info.Mode().Perm()&0o077 != 0 {
			v.warn(table, index, key, fmt.Sprintf("secret file %s is readable by group or others (mode %04o); run: chmod 600 %s", path, info.Mode().Perm(), path))
		}
		*s = Secret(strings.TrimRight(string(data), "\r\n"))
		return
	}
	var missing []string
	out := envRef.ReplaceAllStringFunc(raw, func(m string) string {
		name := envRef.FindStringSubmatch(m)[1]
		val, ok := os.LookupEnv(name)
		if !ok || val == "" {
			missing = append(missing, name)
		}
		return val
	})
	if len(missing) > 0 {
		v.at(table, index, key, "environment variable "+strings.Join(missing, ", ")+" is not set",
			"export "+missing[0]+"=... before starting triage, or use file:/path")
		return
	}
	*s = Secret(out)
}

func (c *Config) resolveSecrets(v *validator) {
	for i := range c.ITM {
		resolveSecret(v, "itm", i, "client_secret", &c.ITM[i].ClientSecret)
	}
	for i := range c.SaaS {
		resolveSecret(v, "saas", i, "client_secret", &c.SaaS[i].ClientSecret)
	}
	for i := range c.Okta {
		resolveSecret(v, "okta", i, "api_token", &c.Okta[i].APIToken)
	}
	for i := range c.Atlassian {
		resolveSecret(v, "atlassian", i, "token", &c.Atlassian[i].Token)
	}
	for i := range c.Essentials {
		resolveSecret(v, "essentials", i, "password", &c.Essentials[i].Password)
	}
	resolveSecret(v, "state", -1, "postgres", &c.State.Postgres)
}

// holdsLiteralSecrets reports whether the file itself contains a credential
// rather than only ${VAR} or file: references to one.
func (c *Config) holdsLiteralSecrets(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		m := keyLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[1] {
		case "client_secret", "api_token", "token", "password", "postgres":
			val := strings.TrimSpace(line[strings.Index(line, "=")+1:])
			val = strings.Trim(val, `"' `)
			if val != "" && !strings.HasPrefix(val, "${") && !strings.HasPrefix(val, "file:") {
				return true
			}
		}
	}
	return false
}

func (c *Config) validate(v *validator) {
	if dsn := c.State.Postgres.Reveal(); dsn != "" && !v.hasProblem("state", -1, "postgres") {
		// The driver's own parser (pgx/v5 pgconn.ParseConfig) decides; its
		// message is kept, never the string, which may hold a password.
		if _, err := pgconn.ParseConfig(dsn); err != nil {
			msg := err.Error()
			if inner := errors.Unwrap(err); inner != nil {
				msg = inner.Error()
			}
			v.at("state", -1, "postgres", "not a PostgreSQL connection string: "+msg,
				`use postgres://triage@db.example.com:5432/triage, "host=db.example.com dbname=triage", "${TRIAGE_STATE_DSN}" or "file:/etc/triage/state-dsn"`)
		}
	}
	switch c.UI.Theme {
	case "auto", "dark", "light":
	default:
		v.at("ui", -1, "theme", fmt.Sprintf("%q is not a theme", c.UI.Theme), `use "auto", "dark" or "light"`)
	}
	if r := c.UI.Refresh.Duration; r < 0 || (r > 0 && r < 5*time.Second) {
		v.at("ui", -1, "refresh", fmt.Sprintf("%s is too short", r), `use 5s or more, or "0s" to turn auto-refresh off`)
	}
	switch c.Audit.OnError {
	case AuditRefuse:
	case AuditWarn:
		v.warn("audit", -1, "on_error", `"warn": a write whose audit line cannot be written is sent anyway, unrecorded`)
	default:
		v.at("audit", -1, "on_error", fmt.Sprintf("%q is not a choice", c.Audit.OnError),
			`use "refuse" (nothing is sent unrecorded, the default) or "warn" (send it and warn)`)
	}
	names := func(vendor string, n int, name func(int) string) {
		seen := map[string]int{}
		for i := 0; i < n; i++ {
			nm := name(i)
			if nm == "" {
				v.at(vendor, i, "name", "missing tenant name", `add name = "prod" (the label shown in the console)`)
				continue
			}
			if j, dup := seen[nm]; dup {
				v.at(vendor, i, "name", fmt.Sprintf("%q is already the name of %s[%d]", nm, vendor, j), "give each tenant its own name")
			}
			seen[nm] = i
		}
	}
	names("itm", len(c.ITM), func(i int) string { return c.ITM[i].Name })
	names("saas", len(c.SaaS), func(i int) string { return c.SaaS[i].Name })
	names("okta", len(c.Okta), func(i int) string { return c.Okta[i].Name })
	names("atlassian", len(c.Atlassian), func(i int) string { return c.Atlassian[i].Name })
	names("essentials", len(c.Essentials), func(i int) string { return c.Essentials[i].Name })

	for i, t := range c.ITM {
		checkURL(v, "itm", i, "base_url", t.BaseURL, "https://<tenant>.explore.proofpoint.com")
		required(v, "itm", i, "client_id", t.ClientID)
		requiredSecret(v, "itm", i, "client_secret", t.ClientSecret, "${ITM_CLIENT_SECRET}")
		switch t.APIVersion {
		case "v1", "v2", "v3":
		default:
			v.at("itm", i, "api_version", fmt.Sprintf("%q is not an ITM API version", t.APIVersion), `use "v2"`)
		}
		for j, s := range t.Statuses {
			if strings.TrimSpace(s.ID) == "" {
				v.at("itm", i, "statuses", fmt.Sprintf("status %d has no id", j+1), `write { id = "<status id>", title = "Resolved" }`)
			}
		}
		checkConn(v, "itm", i, t.Conn)
	}
	for i, t := range c.SaaS {
		checkURL(v, "saas", i, "base_url", t.BaseURL, "https://api.aperture.paloaltonetworks.com")
		required(v, "saas", i, "client_id", t.ClientID)
		requiredSecret(v, "saas", i, "client_secret", t.ClientSecret, "${SAAS_CLIENT_SECRET}")
		checkConn(v, "saas", i, t.Conn)
	}
	for i, t := range c.Okta {
		checkURL(v, "okta", i, "url", t.URL, "https://<org>.okta.com")
		hasToken, hasApp := t.APIToken != "", t.ClientID != "" || t.PrivateKeyFile != ""
		switch {
		case hasToken && hasApp:
			v.at("okta", i, "api_token", "both api_token and an OAuth service app are set", "keep one: api_token, or client_id with private_key_file")
		case !hasToken && !hasApp:
			v.at("okta", i, "api_token", "no credentials", `add api_token = "${OKTA_API_TOKEN}", or client_id and private_key_file`)
		case hasApp && t.ClientID == "":
			v.at("okta", i, "client_id", "private_key_file needs the service app's client_id", `add client_id = "0oa..."`)
		case hasApp && t.PrivateKeyFile == "":
			v.at("okta", i, "private_key_file", "client_id needs the service app's private key", `add private_key_file = "/etc/triage/okta.pem"`)
		case hasToken && t.DPoP:
			v.at("okta", i, "dpop", "dpop applies to an OAuth service app, not an API token", "remove dpop, or use client_id with private_key_file")
		case hasApp:
			if _, err := checkSmallFile(t.PrivateKeyFile, maxSecretFile); err != nil {
				v.at("okta", i, "private_key_file", fileProblem("private key", t.PrivateKeyFile, err), "point it at the service app's PEM key, a regular file of at most 64 KiB")
			}
		}
		checkConn(v, "okta", i, t.Conn)
	}
	for i, t := range c.Atlassian {
		checkURL(v, "atlassian", i, "base_url", t.BaseURL, AtlassianBaseURL)
		required(v, "atlassian", i, "directory_id", t.DirectoryID)
		requiredSecret(v, "atlassian", i, "token", t.Token, "${ATLASSIAN_SCIM_TOKEN}")
		checkConn(v, "atlassian", i, t.Conn)
	}
	for i, t := range c.Essentials {
		if t.BaseURL != "" { // else the client finds the stack from the domain
			checkURL(v, "essentials", i, "base_url", t.BaseURL, "https://us1.proofpointessentials.com")
		}
		required(v, "essentials", i, "domain", t.Domain)
		required(v, "essentials", i, "username", t.Username)
		if t.Username != "" && !strings.Contains(t.Username, "@") {
			v.at("essentials", i, "username", fmt.Sprintf("%q is not an email address", t.Username), "Essentials sends it as X-User, which must be the admin's email")
		}
		requiredSecret(v, "essentials", i, "password", t.Password, "${PPE_PASSWORD}")
		checkConn(v, "essentials", i, t.Conn)
	}
	c.validateSSH(v)
	c.validateViews(v)
}

func (c *Config) validateViews(v *validator) {
	seen := map[string]bool{}
	for i, view := range c.Views {
		switch {
		case strings.TrimSpace(view.Name) == "":
			v.at("views", i, "name", "missing view name", `add name = "my open criticals"`)
		case seen[view.Name]:
			v.at("views", i, "name", fmt.Sprintf("%q appears twice", view.Name), "give each view its own name")
		}
		seen[view.Name] = true
		known := false
		for _, t := range ViewTabs {
			known = known || t == view.Tab
		}
		if !known {
			v.at("views", i, "tab", fmt.Sprintf("%q is not a tab", view.Tab), "use one of "+strings.Join(ViewTabs, ", "))
		}
	}
}

func (c *Config) validateSSH(v *validator) {
	s := c.SSH
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		v.at("ssh", -1, "listen", fmt.Sprintf("%q is not host:port", s.Listen), `use "0.0.0.0:2222"`)
	}
	if s.MaxSessions < 0 {
		v.at("ssh", -1, "max_sessions", "must be positive", "use 64")
	}
	if s.IdleTimeout.Duration < 0 || s.MaxTimeout.Duration < 0 {
		v.at("ssh", -1, "idle_timeout", "timeouts must be positive", `use "15m" and "12h"`)
	}
	seen := map[string]bool{}
	for i, a := range s.Analysts {
		if a.Name == "" {
			v.at("ssh.analysts", i, "name", "missing analyst name", `add name = "alice"`)
		} else if seen[a.Name] {
			v.at("ssh.analysts", i, "name", fmt.Sprintf("%q appears twice", a.Name), "merge the two entries")
		}
		seen[a.Name] = true
		switch a.Role {
		case RoleResponder, RoleReadOnly:
		case "":
			v.at("ssh.analysts", i, "role", "missing role", `use "responder" or "read-only"`)
		default:
			v.at("ssh.analysts", i, "role", fmt.Sprintf("%q is not a role", a.Role), `use "responder" or "read-only"`)
		}
		if len(a.Keys) == 0 {
			v.at("ssh.analysts", i, "keys", "no public keys", `add keys = ["ssh-ed25519 AAAA... alice@laptop"]`)
		}
		for j, k := range a.Keys {
			if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k)); err != nil {
				v.at("ssh.analysts", i, "keys", fmt.Sprintf("key %d of %q is not an OpenSSH public key", j+1, a.Name),
					"paste one line of the analyst's id_ed25519.pub")
			}
		}
	}
}

func required(v *validator, table string, i int, key, val string) {
	if strings.TrimSpace(val) == "" {
		v.at(table, i, key, "missing", "add "+key+" = \"...\"")
	}
}

func requiredSecret(v *validator, table string, i int, key string, val Secret, example string) {
	if val == "" && !v.hasProblem(table, i, key) {
		v.at(table, i, key, "missing", fmt.Sprintf("add %s = %q (or file:/path)", key, example))
	}
}

func (v *validator) hasProblem(table string, i int, key string) bool {
	name := keyName(table, i, key)
	for _, p := range v.problems {
		if p.Key == name {
			return true
		}
	}
	return false
}

func checkURL(v *validator, table string, i int, key, raw, example string) {
	if raw == "" {
		v.at(table, i, key, "missing", fmt.Sprintf("add %s = %q", key, example))
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.at(table, i, key, fmt.Sprintf("%q is not an http(s) URL", raw), "use a full URL such as "+example)
		return
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		v.warn(table, i, key, "plain http sends credentials unencrypted; use https")
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkConn(v *validator, table string, i int, c Conn) {
	if c.Timeout.Duration < 0 {
		v.at(table, i, "timeout", "must be positive", `use "30s"`)
	}
	if c.CAFile != "" {
		if _, err := checkSmallFile(c.CAFile, maxCAFile); err != nil {
			v.at(table, i, "ca_file", fileProblem("ca_file", c.CAFile, err), "point it at a PEM file of at most 1 MiB, or remove ca_file to use the system roots")
		}
	}
	if c.Proxy != "" {
		if u, err := url.Parse(c.Proxy); err != nil || u.Host == "" {
			v.at(table, i, "proxy", fmt.Sprintf("%q is not a proxy URL", c.Proxy), `use "http://proxy.example:3128"`)
		}
	}
	if c.RateShare != nil && !(*c.RateShare > 0 && *c.RateShare <= 1) {
		v.at(table, i, "rate_share", fmt.Sprintf("%v is not a fraction above 0 and at most 1", *c.RateShare), "use 0.5 to leave half of each vendor rate limit to other consumers such as the SIEM")
	}
	if c.RequestsPerMinute < 0 {
		v.at(table, i, "requests_per_minute", fmt.Sprintf("%d is negative", c.RequestsPerMinute), "use a positive number such as 600, or 0 (the default) for no ceiling")
	}
	if c.InsecureSkipVerify {
		v.warn(table, i, "insecure_skip_verify", "TLS certificates are not verified for this tenant")
	}
}
