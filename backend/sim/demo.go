package sim

import (
	"errors"
	"net"
	"path/filepath"
	"sync"
	"time"

	"triage/backend/config"
)

// Sim is the set of running simulators.
type Sim struct {
	ITM        *ITM
	SaaS       *SaaS
	Okta       *Okta
	Atlassian  *Atlassian
	Essentials *Essentials
	opts       *Options
	urls       map[string]string // by simulator name
	built      chan struct{}     // closed when the vendors are built
}

// Vendors are the simulators' names, in the order `triage sim` numbers
// their ports.
var Vendors = []string{"itm", "saas", "okta", "atlassian", "essentials"}

// Start runs every vendor simulator on its own loopback port.
func Start(o Options) (*Sim, error) {
	if err := o.anchor(); err != nil {
		return nil, err
	}
	opts := &o
	s := &Sim{opts: opts, urls: map[string]string{}, built: make(chan struct{})}
	if !o.Background {
		defer close(s.built)
		if err := s.build(); err != nil {
			return nil, err
		}
		for name, srv := range s.servers() {
			s.urls[name] = srv.URL
		}
		return s, nil
	}
	opts.listeners = map[string]net.Listener{}
	for _, name := range Vendors {
		ln, err := listen(name, o.Addrs[name])
		if err != nil {
			for _, l := range opts.listeners {
				l.Close()
			}
			return nil, err
		}
		opts.listeners[name], s.urls[name] = ln, "http://"+ln.Addr().String()
	}
	go func() {
		defer close(s.built)
		if s.build() != nil {
			// Only listening can fail, and that is done: close what is left.
			for _, l := range opts.listeners {
				l.Close()
			}
			return
		}
		for _, srv := range s.servers() {
			srv.start()
		}
	}()
	return s, nil
}

// build makes the vendors' data and serves them. The vendors build at
// once: a large demo starts in the time of its largest vendor, not the sum.
func (s *Sim) build() error {
	opts := s.opts
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i, start := range []func() error{
		func() (err error) { s.ITM, err = newITM(opts); return err },
		func() (err error) { s.SaaS, err = newSaaS(opts); return err },
		func() (err error) { s.Okta, err = newOkta(opts); return err },
		func() (err error) { s.Atlassian, err = newAtlassian(opts); return err },
		func() (err error) { s.Essentials, err = newEssentials(opts); return err },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = start()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		s.closeServers()
		return err
	}
	return nil
}

// servers are the simulators built, by name.
func (s *Sim) servers() map[string]*Server {
	out := map[string]*Server{}
	if s.ITM != nil {
		out["itm"] = s.ITM.Server
	}
	if s.SaaS != nil {
		out["saas"] = s.SaaS.Server
	}
	if s.Okta != nil {
		out["okta"] = s.Okta.Server
	}
	if s.Atlassian != nil {
		out["atlassian"] = s.Atlassian.Server
	}
	if s.Essentials != nil {
		out["essentials"] = s.Essentials.Server
	}
	return out
}

// Close stops every simulator, once they are built.
func (s *Sim) Close() {
	<-s.built
	s.closeServers()
}

func (s *Sim) closeServers() {
	for _, srv := range s.servers() {
		srv.Close()
	}
}

// Config returns a config whose tenants are the simulators, with the demo
// credentials they accept. Its state directory is a "demo" folder of the
// usual one, so demo remediations never mix with real tenants' records.
func (s *Sim) Config() *config.Config {
	c := config.Default()
	c.Demo = true
	c.State.Dir = filepath.Join(config.StateHome(), "demo")
	// The simulated orgs have no other consumers (no SIEM polls them), so
	// the demo may use every bucket whole: the console is not slowed.
	whole := 1.0
	timeout := config.Conn{Timeout: config.Duration{Duration: 15 * time.Second}, RateShare: &whole}
	statuses := make([]config.Status, len(ITMStatuses))
	for i, st := range ITMStatuses {
		statuses[i] = config.Status{ID: st.ID, Title: st.Title}
	}
	c.ITM = []config.ITM{{
		Name: "demo", BaseURL: s.urls["itm"], APIVersion: "v2", ClientID: ITMClientID,
		ClientSecret: config.Secret(ITMClientSecret), Statuses: statuses, Conn: timeout,
	}}
	c.SaaS = []config.SaaS{{
		Name: "demo", BaseURL: s.urls["saas"], ClientID: SaaSClientID, ClientSecret: config.Secret(SaaSClientSecret),
		Scopes: append([]string(nil), config.DefaultSaaSScopes...), Conn: timeout,
	}}
	c.Okta = []config.Okta{{
		Name: "demo", URL: s.urls["okta"], APIToken: config.Secret(OktaAPIToken),
		Scopes: append([]string(nil), config.DefaultOktaScopes...), Conn: timeout,
	}}
	c.Atlassian = []config.Atlassian{{
		Name: "demo", BaseURL: s.urls["atlassian"], DirectoryID: AtlassianDirectoryID, Token: config.Secret(AtlassianSCIMKey), Conn: timeout,
	}}
	c.Essentials = []config.Essentials{{
		Name: "demo", BaseURL: s.urls["essentials"], Domain: Domain, Username: EssentialsUser,
		Password: config.Secret(EssentialsPassword), Conn: timeout,
	}}
	return c
}
