// Package backend opens every configured vendor client once per process.
// The clients, their token caches and rate limiters are shared by every
// session (local or SSH); what a session loads stays in that session.
package backend

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"triage/backend/dataset"

	"triage/backend/atlassian"
	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/saas"
	"triage/backend/store"
)

// Set is the clients of every configured tenant, by vendor, in config order.
type Set struct {
	Config *config.Config
	Audit  audit.Sink
	// State keeps the remediation journal and each analyst's preferences
	// ([state]): files, or PostgreSQL shared by several hosts.
	State store.Store
	ITM   []*itm.Client
	SaaS  []*saas.Client
	Okta  []*okta.Client
	// Atlassian SCIM directories and Essentials organisations are providers
	// of the IAM users tab, with Okta.
	Atlassian  []*atlassian.Client
	Essentials []*essentials.Client
	// Datasets are the tenants' query results every session reads: one
	// load of a query serves them all.
	Datasets *dataset.Registry
}

// Options are what every client shares.
type Options struct {
	Audit     audit.Sink
	Logger    *slog.Logger // a refused or unrecorded write is an error line here
	UserAgent string
}

func (o Options) http(cfg *config.Config) httpx.Options {
	return httpx.Options{Audit: o.Audit, AuditOnError: cfg.Audit.OnError, Logger: o.Logger, UserAgent: o.UserAgent}
}

// Open builds a client for every tenant in cfg.
func Open(cfg *config.Config, o Options) (*Set, error) {
	st, err := store.Open(cfg.State)
	if err != nil {
		return nil, cfg.StateProblem(err.Error(), "check the server is up and the connection string's host, port, user and database")
	}
	s, err := open(cfg, o, st)
	if err != nil {
		st.Close()
	}
	return s, err
}

func open(cfg *config.Config, o Options, st store.Store) (*Set, error) {
	s := &Set{Config: cfg, Audit: o.Audit, State: st, Datasets: dataset.New(nil, int64(cfg.Serve.DatasetMemory), 0)}
	for _, t := range cfg.ITM {
		c, err := itm.New(t, o.http(cfg))
		if err != nil {
			return nil, err
		}
		s.ITM = append(s.ITM, c)
	}
	for _, t := range cfg.SaaS {
		c, err := saas.New(t, o.http(cfg))
		if err != nil {
			return nil, err
		}
		s.SaaS = append(s.SaaS, c)
	}
	for _, t := range cfg.Okta {
		c, err := okta.New(t, o.http(cfg))
		if err != nil {
			return nil, err
		}
		s.Okta = append(s.Okta, c)
	}
	for _, t := range cfg.Atlassian {
		c, err := atlassian.New(t, o.http(cfg))
		if err != nil {
			return nil, err
		}
		s.Atlassian = append(s.Atlassian, c)
	}
	for _, t := range cfg.Essentials {
		c, err := essentials.New(t, o.http(cfg))
		if err != nil {
			return nil, err
		}
		s.Essentials = append(s.Essentials, c)
	}
	return s, nil
}

// Store is the state store: State, or the files under [state] dir for a
// Set built without Open.
func (s *Set) Store() store.Store {
	if s.State != nil {
		return s.State
	}
	return store.Files{Dir: s.Config.State.Dir}
}

// Close lets go of the state store.
func (s *Set) Close() error { return s.Store().Close() }

// Tenant is one configured tenant, for `triage check` and `triage api`.
type Tenant struct {
	Vendor string // itm, saas, okta, atlassian, essentials
	Name   string
	Check  func(ctx context.Context) error // tests connectivity and credentials
	HTTP   *httpx.Client                   // the tenant's HTTP client, for raw requests
	// Found says what a check discovered worth telling (Essentials: the
	// stack found from the domain); nil or "" for nothing.
	Found func() string
}

// Tenants lists every configured tenant in design order.
func (s *Set) Tenants() []Tenant {
	var out []Tenant
	for _, c := range s.ITM {
		out = append(out, Tenant{Vendor: "itm", Name: c.Tenant(), Check: c.Check, HTTP: c.HTTP()})
	}
	for _, c := range s.SaaS {
		out = append(out, Tenant{Vendor: "saas", Name: c.Tenant(), Check: c.Check, HTTP: c.HTTP()})
	}
	for _, c := range s.Okta {
		out = append(out, Tenant{Vendor: "okta", Name: c.Tenant(), Check: c.Check, HTTP: c.HTTP()})
	}
	for _, c := range s.Atlassian {
		out = append(out, Tenant{Vendor: "atlassian", Name: c.Tenant(), Check: c.Check, HTTP: c.HTTP()})
	}
	for _, c := range s.Essentials {
		out = append(out, Tenant{Vendor: "essentials", Name: c.Tenant(), Check: c.Check, HTTP: c.HTTP(), Found: c.Found})
	}
	return out
}

// Tenant finds a vendor's tenant by name; "" means its first.
func (s *Set) Tenant(vendor, name string) (Tenant, error) {
	var names []string
	for _, t := range s.Tenants() {
		if t.Vendor != vendor {
			continue
		}
		if name == "" || t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return Tenant{}, fmt.Errorf("no %s tenant is configured", vendor)
	}
	return Tenant{}, fmt.Errorf("no %s tenant named %q (configured: %s)", vendor, name, strings.Join(names, ", "))
}
