// Package config loads triage's config.toml: defaults, secret references,
// validation that names the file, line and key of every problem.
package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Config is the whole of config.toml after defaults, secret resolution and
// validation.
type Config struct {
	File       string       `toml:"-"` // where it was loaded from; "" for the demo
	Demo       bool         `toml:"-"` // true when the tenants are the embedded simulators
	UI         UI           `toml:"ui"`
	Audit      Audit        `toml:"audit"`
	State      State        `toml:"state"`
	ITM        []ITM        `toml:"itm"`
	SaaS       []SaaS       `toml:"saas"`
	Okta       []Okta       `toml:"okta"`
	Atlassian  []Atlassian  `toml:"atlassian"`
	Essentials []Essentials `toml:"essentials"`
	SSH        SSH          `toml:"ssh"`
	Serve      Serve        `toml:"serve"`
	Keys       Keys         `toml:"keys"`  // action name -> keys, replacing the defaults
	Views      []View       `toml:"views"` // saved views, opened from the palette
	Warnings   []string     `toml:"-"`     // problems worth telling but not fatal

	loc *locator // where each key is in the file, for later errors ([keys])
}

// Keys rebinds actions: comment = "C" or comment = ["c", "ctrl+k"].
type Keys map[string]KeyList

// KeyList is one key or several.
type KeyList []string

// UnmarshalTOML accepts a string or an array of strings.
func (k *KeyList) UnmarshalTOML(v any) error {
	switch t := v.(type) {
	case string:
		*k = KeyList{t}
	case []any:
		out := make(KeyList, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("keys must be strings, got %v", e)
			}
			out = append(out, s)
		}
		*k = out
	default:
		return fmt.Errorf("a key binding is a string or an array of strings, got %v", v)
	}
	return nil
}

// View is a saved view: a tab with its server query and row filter.
type View struct {
	Name   string `toml:"name"`
	Tab    string `toml:"tab"`    // itm, saas, remediations, okta-apps, okta-logs, iam
	Query  string `toml:"query"`  // the tab's server query (what f takes)
	Filter string `toml:"filter"` // the row filter (what / takes)
}

// TabInfo names one tab of the console: its fixed number (its key), its
// id, its title, and the names a saved view gives it (the Okta tab has a
// pane for each). The console's tab registry builds on this table.
type TabInfo struct {
	Number int
	ID     string
	Name   string
	Views  []string
}

// Tabs are the console's tabs, in their fixed order.
var Tabs = []TabInfo{
	{1, "itm", "ITM tickets", []string{"itm"}},
	{2, "saas", "SaaS incidents", []string{"saas"}},
	{3, "remediations", "Remediations", []string{"remediations"}},
	{4, "okta", "Okta", []string{"okta-apps", "okta-logs"}},
	{5, "iam", "IAM users", []string{"iam"}},
}

// ViewTabs are the tabs a saved view can open.
var ViewTabs = func() []string {
	var out []string
	for _, t := range Tabs {
		out = append(out, t.Views...)
	}
	return out
}()

// UI holds the console's own settings.
type UI struct {
	Refresh Duration `toml:"refresh"` // auto-refresh of the visible tab; 0 turns it off
	Theme   string   `toml:"theme"`   // auto | dark | light
}

// Audit says where the append-only record of writes goes, and what a write
// does when its line cannot be written there.
type Audit struct {
	Path    string `toml:"path"`
	OnError string `toml:"on_error"` // AuditRefuse (the default) or AuditWarn
}

// What a write does when the audit log cannot be written.
const (
	AuditRefuse = "refuse" // nothing is sent; the analyst is told why
	AuditWarn   = "warn"   // it is sent unrecorded, with a warning everywhere
)

// State says where the remediation journal and per-analyst state
// (preferences, drafts, last seen, palette history) live: files under Dir,
// or the PostgreSQL database Postgres names, which several serve hosts
// can share.
type State struct {
	Dir string `toml:"dir"`
	// Postgres is a connection string (postgres://user:pass@host/db or
	// host=... dbname=...), "${VAR}" or "file:/path" like other secrets.
	Postgres Secret `toml:"postgres"`
}

// Conn holds the transport settings every tenant shares.
type Conn struct {
	Timeout            Duration `toml:"timeout"`
	CAFile             string   `toml:"ca_file"`
	InsecureSkipVerify bool     `toml:"insecure_skip_verify"`
	Proxy              string   `toml:"proxy"` // "" means from the environment
	// RateShare is the fraction (0 < share <= 1) of each vendor rate-limit
	// bucket triage may use, server-wide, leaving the rest to the org's
	// other consumers (the SIEM's collectors); nil until defaults apply.
	RateShare *float64 `toml:"rate_share"`
	// RequestsPerMinute caps the tenant's requests, server-wide, for
	// vendors that announce no rate limit; 0 is no ceiling.
	RequestsPerMinute int `toml:"requests_per_minute"`
}

// DefaultRateShare leaves half of each bucket to other consumers.
const DefaultRateShare = 0.5

// Share is the tenant's rate_share, or the default.
func (c Conn) Share() float64 {
	if c.RateShare == nil {
		return DefaultRateShare
	}
	return *c.RateShare
}

// ITM is one Proofpoint ITM tenant.
type ITM struct {
	Name         string   `toml:"name"`
	BaseURL      string   `toml:"base_url"`
	APIVersion   string   `toml:"api_version"`
	ClientID     string   `toml:"client_id"`
	ClientSecret Secret   `toml:"client_secret"`
	Statuses     []Status `toml:"statuses"`
	Query        string   `toml:"query"` // what tab 1 starts on (what f takes); default since:30d
	Conn
}

// Status is one of a tenant's workflow statuses; their ids differ per tenant.
type Status struct {
	ID    string `toml:"id"`
	Title string `toml:"title"`
}

// SaaS is one Palo Alto SaaS Security tenant.
type SaaS struct {
	Name         string   `toml:"name"`
	BaseURL      string   `toml:"base_url"`
	ClientID     string   `toml:"client_id"`
	ClientSecret Secret   `toml:"client_secret"`
	Scopes       []string `toml:"scopes"`
	Query        string   `toml:"query"` // what tab 2 starts on (what f takes); default every incident
	Conn
}

// Okta is one Okta org, with an API token or an OAuth 2.0 service app.
type Okta struct {
	Name           string   `toml:"name"`
	URL            string   `toml:"url"`
	APIToken       Secret   `toml:"api_token"`
	ClientID       string   `toml:"client_id"`
	PrivateKeyFile string   `toml:"private_key_file"`
	KeyID          string   `toml:"key_id"`
	Scopes         []string `toml:"scopes"`
	// DPoP sends proofs of possession (RFC 9449) from the first token
	// request, for a service app that requires them; without it they
	// start when Okta's token endpoint asks for them.
	DPoP bool `toml:"dpop"`
	Conn
}

// Atlassian is one Atlassian user-provisioning (SCIM) directory.
type Atlassian struct {
	Name        string `toml:"name"`
	BaseURL     string `toml:"base_url"`
	DirectoryID string `toml:"directory_id"`
	Token       Secret `toml:"token"`
	Conn
}

// Essentials is one Proofpoint Essentials organisation.
type Essentials struct {
	Name     string `toml:"name"`
	BaseURL  string `toml:"base_url"`
	Domain   string `toml:"domain"`
	Username string `toml:"username"`
	Password Secret `toml:"password"`
	Conn
}

// SSH configures `triage serve`.
type SSH struct {
	Listen      string    `toml:"listen"`
	HostKey     string    `toml:"host_key"`
	IdleTimeout Duration  `toml:"idle_timeout"`
	MaxTimeout  Duration  `toml:"max_timeout"`
	MaxSessions int       `toml:"max_sessions"`
	Analysts    []Analyst `toml:"analysts"`
}

// Serve is what every session of `triage serve` shares.
type Serve struct {
	// DatasetMemory bounds the shared datasets (a tenant's query results,
	// read by every session): idle ones are dropped beyond it. 0: 1 GiB.
	DatasetMemory Size `toml:"dataset_memory"`
}

// Size is a number of bytes, written "512MiB", "1GiB", "800MB" or bare.
type Size int64

// UnmarshalText reads a size with an optional unit.
func (s *Size) UnmarshalText(b []byte) error {
	text := strings.TrimSpace(string(b))
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult, num := int64(1), text
	for _, u := range units {
		if n, ok := strings.CutSuffix(text, u.suffix); ok {
			mult, num = u.mult, strings.TrimSpace(n)
			break
		}
	}
	var n int64
	if _, err := fmt.Sscanf(num, "%d", &n); err != nil || fmt.Sprint(n) != num || n < 0 {
		return fmt.Errorf("%q is not a size: write 512MiB, 1GiB or a number of bytes", text)
	}
	*s = Size(n * mult)
	return nil
}

// Analyst is one person allowed to connect to `triage serve`.
type Analyst struct {
	Name string   `toml:"name"`
	Role string   `toml:"role"` // responder | read-only
	Keys []string `toml:"keys"`
}

// Roles an analyst can have.
const (
	RoleResponder = "responder"
	RoleReadOnly  = "read-only"
)

// Secret is a resolved credential. It prints as [redacted] so it cannot leak
// through a log line or an error message by accident; Reveal is the one way
// to read it.
type Secret string

// Reveal returns the credential itself, for the HTTP layer.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// MarshalText keeps encoders (JSON, TOML, slog) from printing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Duration is a time.Duration written as "60s", "15m" or "12h".
type Duration struct {
	time.Duration
	set bool // written in the file, even as "0s"
}

// UnmarshalText parses a Go duration, plus "d" for days.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration, d.set = v, true
	return nil
}

// MarshalText writes the duration back in Go's notation.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// ParseDuration accepts Go durations ("90s", "1h30m") and whole days ("7d").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok && n != "" && !strings.ContainsAny(n, "hmsuµn") {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && fmt.Sprint(days) == n {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (use forms like 30s, 15m, 12h or 7d)", s)
	}
	return v, nil
}

// UseTenants replaces every vendor's tenants with those of other (the demo
// simulators), keeping this config's own UI, audit, SSH and key settings.
// Demo state (remediation history) goes to a "demo" folder of the state
// directory, never to the team's PostgreSQL, so it never mixes with real
// tenants' records.
func (c *Config) UseTenants(other *Config) {
	c.ITM, c.SaaS, c.Okta, c.Atlassian, c.Essentials = other.ITM, other.SaaS, other.Okta, other.Atlassian, other.Essentials
	c.Demo = other.Demo
	if c.Demo {
		c.State.Postgres = ""
		if filepath.Base(c.State.Dir) != "demo" {
			c.State.Dir = filepath.Join(c.State.Dir, "demo")
		}
	}
}

// Tenants counts the configured tenants of every vendor.
func (c *Config) Tenants() int {
	return len(c.ITM) + len(c.SaaS) + len(c.Okta) + len(c.Atlassian) + len(c.Essentials)
}

// Secrets lists every resolved credential, so logs can be scrubbed of them.
func (c *Config) Secrets() []string {
	var out []string
	add := func(s Secret) {
		if s != "" {
			out = append(out, s.Reveal())
		}
	}
	for _, t := range c.ITM {
		add(t.ClientSecret)
	}
	for _, t := range c.SaaS {
		add(t.ClientSecret)
	}
	for _, t := range c.Okta {
		add(t.APIToken)
	}
	for _, t := range c.Atlassian {
		add(t.Token)
	}
	for _, t := range c.Essentials {
		add(t.Password)
	}
	add(c.State.Postgres)
	if pc, err := pgconn.ParseConfig(c.State.Postgres.Reveal()); c.State.Postgres != "" && err == nil {
		add(Secret(pc.Password))
	}
	return out
}

// Insecure names the tenants that skip TLS verification, for the header.
func (c *Config) Insecure() []string {
	var out []string
	note := func(vendor, name string, conn Conn) {
		if conn.InsecureSkipVerify {
			out = append(out, vendor+"/"+name)
		}
	}
	for _, t := range c.ITM {
		note("itm", t.Name, t.Conn)
	}
	for _, t := range c.SaaS {
		note("saas", t.Name, t.Conn)
	}
	for _, t := range c.Okta {
		note("okta", t.Name, t.Conn)
	}
	for _, t := range c.Atlassian {
		note("atlassian", t.Name, t.Conn)
	}
	for _, t := range c.Essentials {
		note("essentials", t.Name, t.Conn)
	}
	return out
}
