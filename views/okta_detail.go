package views

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"triage/backend/okta"
	"triage/ui"
)

// appDoc renders an app and the people assigned to it.
func appDoc(st *ui.Styles, a okta.App, p *appsPane, width int) string {
	d := ui.NewDoc(st, width)
	d.Section(fmt.Sprintf("%s  ·  %s", orDash(string(a.Label)), a.ID))
	d.FieldTone("Status", string(a.Status), appCols.tone(&a, appColStatus))
	d.Field("Name", string(a.Name))
	d.Field("Sign-on mode", string(a.SignOnMode))
	d.Field("Created", timeCell(a.Created.Time))
	d.Field("Last updated", timeCell(a.LastUpdated.Time))
	var features []string
	for _, f := range a.Features {
		features = append(features, string(f))
	}
	d.Field("Features", strings.Join(features, ", "))
	if a.Visibility.Hide.Web {
		d.Field("Dashboard", "hidden from users")
	}
	for _, l := range a.Links.AppLinks {
		d.Field("Sign-in link", string(l.Href))
	}

	if len(p.checks) > 0 {
		d.Section("Assignment checks")
		for _, c := range p.checks {
			d.Text(c)
		}
	}
	p.peopleSection(d, "Assigned users", "", "nobody is assigned", assignedLine("LOGIN", "STATUS", "SCOPE", "LAST UPDATED", "NAME", width),
		func(u *okta.AppUser) string {
			return assignedLine(u.Login(), string(u.Status), string(u.Scope), timeCell(u.LastUpdated.Time), u.Profile.Get("name"), width)
		})
	d.Line("")
	d.Muted("f is a user assigned? · + assign a person · - unassign one · v raw JSON · r reload · esc back")
	return d.String()
}

// eventDoc renders a System Log event in full.
func eventDoc(st *ui.Styles, e *okta.LogEvent, width int, now time.Time) string {
	d := ui.NewDoc(st, width)
	d.Section(fmt.Sprintf("%s  ·  %s", orDash(string(e.DisplayMessage)), e.UUID))
	d.Field("Event type", string(e.EventType))
	d.Field("Legacy type", string(e.LegacyEventType))
	if !e.Published.IsZero() {
		d.Field("Published", fmt.Sprintf("%s  (%s)", e.Published.Local().Format("2006-01-02 15:04:05.000 MST"), ago(now, e.Published.Time)))
	}
	d.FieldTone("Severity", string(e.Severity), logSeverityTones[string(e.Severity)])
	outcome := outcomeText(e.Outcome)
	d.FieldTone("Outcome", outcome, outcomeTone(outcome))
	d.Field("Version", string(e.Version))

	d.Section("Actor")
	actorFields(d, e.Actor)

	d.Section(fmt.Sprintf("Targets (%d)", len(e.Target)))
	if len(e.Target) == 0 {
		d.Muted("  none")
	}
	for i, t := range e.Target {
		if i > 0 {
			d.Line("")
		}
		actorFields(d, t)
		mapFields(d, "Change", t.ChangeDetails)
	}

	c := e.Client
	d.Section("Client")
	d.Field("IP address", string(c.IPAddress))
	geoFields(d, c.GeographicalContext)
	d.Field("User agent", string(c.UserAgent.RawUserAgent))
	d.Field("OS / browser", strings.Trim(string(c.UserAgent.OS)+" / "+string(c.UserAgent.Browser), " /"))
	d.Field("Device", string(c.Device))
	d.Field("Zone", string(c.Zone))
	d.Field("Client id", string(c.ID))

	d.Section(fmt.Sprintf("Request IP chain (%d)", len(e.Request.IPChain)))
	for _, hop := range e.Request.IPChain {
		line := strings.TrimSpace(fmt.Sprintf("%s %s", hop.IP, parenthesise(string(hop.Version))))
		if place := hop.GeographicalContext.Place(); place != "" {
			line += "  " + place
		}
		if hop.Source != "" {
			line += "  via " + string(hop.Source)
		}
		d.Field("Hop", line)
	}

	s := e.SecurityContext
	d.Section("Security context")
	if s.AsNumber != 0 {
		d.Field("AS number", fmt.Sprint(int64(s.AsNumber)))
	}
	d.Field("AS org", string(s.AsOrg))
	d.Field("ISP", string(s.ISP))
	d.Field("Domain", string(s.Domain))
	proxy := "no"
	if s.IsProxy {
		proxy = "yes"
	}
	d.FieldTone("Proxy", proxy, map[bool]ui.Tone{true: ui.ToneBad, false: ui.ToneNone}[bool(s.IsProxy)])

	a := e.AuthenticationContext
	d.Section("Authentication context")
	d.Field("Provider", string(a.AuthenticationProvider))
	d.Field("Credential", strings.Trim(string(a.CredentialType)+" "+parenthesise(string(a.CredentialProvider)), " "))
	d.Field("Interface", string(a.Interface))
	d.Field("Step", fmt.Sprint(int64(a.AuthenticationStep)))
	d.Field("Session", string(a.ExternalSessionID))
	mapFields(d, "Issuer", a.Issuer)

	d.Section("Transaction")
	d.Field("Type", string(e.Transaction.Type))
	d.Field("Id", string(e.Transaction.ID))
	mapFields(d, "Detail", e.Transaction.Detail)

	d.Section("Debug context")
	if len(e.DebugContext.DebugData) == 0 {
		d.Muted("  none")
	}
	mapFields(d, "", e.DebugContext.DebugData)
	d.Line("")
	d.Muted("v raw JSON · p the actor's person view · esc back")
	return d.String()
}

func actorFields(d *ui.Doc, a okta.Actor) {
	d.Field("Name", string(a.DisplayName))
	d.Field("Login / alt id", string(a.AlternateID))
	d.Field("Type", string(a.Type))
	d.Field("Id", string(a.ID))
	mapFields(d, "Detail", a.DetailEntry)
}

func geoFields(d *ui.Doc, g okta.Geo) {
	place := []string{string(g.City), string(g.State), string(g.Country), string(g.PostalCode)}
	d.Field("Location", strings.Join(slices.DeleteFunc(place, func(s string) bool { return strings.TrimSpace(s) == "" }), ", "))
	if g.Geolocation.Lat != "" || g.Geolocation.Lon != "" {
		d.Field("Coordinates", string(g.Geolocation.Lat)+", "+string(g.Geolocation.Lon))
	}
}

// mapFields writes a free-form object (debugData, detailEntry) as sorted
// fields, nested values as compact JSON.
func mapFields(d *ui.Doc, prefix string, m map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		label := k
		if prefix != "" {
			label = prefix + " " + k
		}
		var v string
		switch x := m[k].(type) {
		case nil:
			continue
		case string:
			v = x
		case float64, bool:
			v = fmt.Sprint(x)
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		d.Field(label, v)
	}
}

// assignedLine is one row of an app's assigned users.
func assignedLine(login, status, scope, updated, name string, width int) string {
	line := ui.Fit(login, 34) + " " + ui.Fit(status, 12) + " " + ui.Fit(scope, 6) + " " + ui.Fit(updated, 16) + "  " + name
	return ui.Fit(line, max(width-2, 10))
}
