package views

import (
	"fmt"
	"strings"
	"time"

	"triage/backend/saas"
	"triage/ui"
)

// incidentDoc renders every field of a SaaS incident for the detail pane.
func incidentDoc(st *ui.Styles, inc *saas.Incident, width int, now time.Time) string {
	d := ui.NewDoc(st, width)
	sev := saas.ParseSeverity(string(inc.Severity))
	d.Section(fmt.Sprintf("Incident %s  ·  %s", inc.ID, orDash(string(inc.AssetName))))
	sevText := sev.Raw
	if sev.Level > 0 && !strings.EqualFold(sev.Raw, sev.Word()) {
		sevText += " (" + sev.Word() + ")"
	}
	d.FieldTone("Severity", sevText, levelTone(sev.Level))
	d.FieldTone("State", inc.StateName(), incidentStatusTone(inc.StateName(), string(inc.Status)))
	d.Field("Status", string(inc.Status))
	d.Field("Category", string(inc.Category))
	d.Field("Resolved by", string(inc.ResolvedBy))
	d.Field("Resolved", when(inc.ResolutionDate, now))
	d.Field("Assigned to", string(inc.AssignedTo))
	d.Field("Created", when(inc.CreatedAt, now))
	d.Field("Updated", when(inc.UpdatedAt, now))

	d.Section("Asset")
	d.Field("Name", string(inc.AssetName))
	d.Field("Asset id", string(inc.AssetID))
	d.Field("SHA-256", string(inc.AssetSHA256))
	d.Field("Cloud id", string(inc.CloudID))
	d.Field("App", strings.TrimSpace(fmt.Sprintf("%s %s", inc.AppName, parenthesise(string(inc.AppType)))))
	d.Field("App id", string(inc.AppID))
	exposure := string(inc.ExposureLevel)
	if inc.ExposureType != "" {
		exposure = strings.TrimSpace(exposure + " (exposure type " + string(inc.ExposureType) + ")")
	}
	expTone := ui.ToneNone
	if inc.ExposureLevel == "public" {
		expTone = ui.ToneBad
	}
	d.FieldTone("Exposure", exposure, expTone)
	owner := string(inc.AssetOwnerName)
	if e := string(inc.AssetOwnerEmail); e != "" && e != owner {
		owner = strings.TrimSpace(owner + " <" + e + ">")
	}
	d.Field("Owner", owner)
	d.Field("Owner id", string(inc.AssetOwnerID))
	d.Field("Collaborators", strings.Join(inc.Collaborators, ", "))
	d.Field("Data patterns", strings.Join(inc.DataPatterns, ", "))
	d.Field("Asset page", string(inc.AssetPageURI))
	d.Field("In the app", string(inc.AssetCloudURI))

	d.Section("Policy")
	d.Field("Name", string(inc.PolicyName))
	d.Field("Policy id", string(inc.PolicyID))
	d.Field("Version", string(inc.PolicyVersion))
	d.Field("Policy page", string(inc.PolicyPageURI))

	if inc.Tenant != "" || len(inc.GroupIDs) > 0 {
		d.Section("Tenant")
		d.Field("Tenant", string(inc.Tenant))
		d.Field("Group ids", strings.Join(inc.GroupIDs, ", "))
	}
	d.Line("")
	d.Muted("y copy a link or id · s close with a category · x remediate the asset · v raw JSON · esc back")
	return d.String()
}
