package sim

import (
	"errors"
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
}

// Start runs every vendor simulator on its own loopback port.
func Start(o Options) (*Sim, error) {
	if o.Now.IsZero() {
		o.Now = time.Now().UTC().Truncate(time.Second)
	}
	opts := &o
	s := &Sim{opts: opts}
	// The vendors build their data at once: a large demo starts in the time
	// of its largest vendor, not the sum.
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
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops every simulator.
func (s *Sim) Close() {
	if s.ITM != nil {
		s.ITM.Close()
	}
	if s.SaaS != nil {
		s.SaaS.Close()
	}
	if s.Okta != nil {
		s.Okta.Close()
	}
	if s.Atlassian != nil {
		s.Atlassian.Close()
	}
	if s.Essentials != nil {
		s.Essentials.Close()
	}
}

// Config returns a config whose tenants are the simulators, with the demo
// credentials they accept. Its state directory is a "demo" folder of the
// usual one, so demo remediations never mix with real tenants' records.
func (s *Sim) Config() *config.Config {
	c := config.Default()
	c.Demo = true
	c.State.Dir = filepath.Join(config.StateHome(), "demo")
	timeout := config.Conn{Timeout: config.Duration{Duration: 15 * time.Second}}
	statuses := make([]config.Status, len(ITMStatuses))
	for i, st := range ITMStatuses {
		statuses[i] = config.Status{ID: st.ID, Title: st.Title}
	}
	c.ITM = []config.ITM{{
		Name: "demo", BaseURL: s.ITM.URL, APIVersion: "v2", ClientID: ITMClientID,
		ClientSecret: config.Secret(ITMClientSecret), Statuses: statuses, Conn: timeout,
	}}
	c.SaaS = []config.SaaS{{
		Name: "demo", BaseURL: s.SaaS.URL, ClientID: SaaSClientID, ClientSecret: config.Secret(SaaSClientSecret),
		Scopes: append([]string(nil), config.DefaultSaaSScopes...), Conn: timeout,
	}}
	c.Okta = []config.Okta{{
		Name: "demo", URL: s.Okta.URL, APIToken: config.Secret(OktaAPIToken),
		Scopes: append([]string(nil), config.DefaultOktaScopes...), Conn: timeout,
	}}
	c.Atlassian = []config.Atlassian{{
		Name: "demo", BaseURL: s.Atlassian.URL, DirectoryID: AtlassianDirectoryID, Token: config.Secret(AtlassianSCIMKey), Conn: timeout,
	}}
	c.Essentials = []config.Essentials{{
		Name: "demo", BaseURL: s.Essentials.URL, Domain: Domain, Username: EssentialsUser,
		Password: config.Secret(EssentialsPassword), Conn: timeout,
	}}
	return c
}
