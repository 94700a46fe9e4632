package saas_test

import (
	"encoding/json"
	"testing"

	"triage/backend/saas"
)

// FuzzDecodeIncident feeds the incident decoder whatever a vendor might
// send: it may reject the input, never panic, and what it keeps must
// survive the console's own uses of it.
func FuzzDecodeIncident(f *testing.F) {
	for _, seed := range []string{vendorIncident3, vendorIncident4, vendorIncident5, `{"severity":4.5,"collaborators":{"a":[1,{"b":null}]},"state":null}`, `[]`, `"x"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var inc saas.Incident
		if json.Unmarshal(b, &inc) != nil {
			return
		}
		_ = inc.StateName()
		_ = inc.Owner()
		_ = saas.ParseSeverity(string(inc.Severity)).Word()
		_ = saas.RemediationsFor(string(inc.AppType), string(inc.AppName))
		inc.Apply(saas.IncidentState{State: inc.State, Category: inc.Category})
	})
}
