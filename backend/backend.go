// Package backend opens every configured vendor client once per process.
// The clients, their token caches and rate limiters are shared by every
// session (local or SSH); what a session loads stays in that session.
package backend

import (
	"log/slog"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/httpx"
	"triage/backend/itm"
	"triage/backend/saas"
)

// Set is the clients of every configured tenant, by vendor, in config order.
type Set struct {
	Config *config.Config
	Audit  audit.Sink
	ITM    []*itm.Client
	SaaS   []*saas.Client
}

// Options are what every client shares.
type Options struct {
	Audit     audit.Sink
	Logger    *slog.Logger
	UserAgent string
}

func (o Options) http() httpx.Options {
	return httpx.Options{Audit: o.Audit, Logger: o.Logger, UserAgent: o.UserAgent}
}

// Open builds a client for every tenant in cfg.
func Open(cfg *config.Config, o Options) (*Set, error) {
	s := &Set{Config: cfg, Audit: o.Audit}
	for _, t := range cfg.ITM {
		c, err := itm.New(t, o.http())
		if err != nil {
			return nil, err
		}
		s.ITM = append(s.ITM, c)
	}
	for _, t := range cfg.SaaS {
		c, err := saas.New(t, o.http())
		if err != nil {
			return nil, err
		}
		s.SaaS = append(s.SaaS, c)
	}
	return s, nil
}
