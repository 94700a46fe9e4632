package views

import (
	"cmp"
	"fmt"
	"time"

	"triage/backend/essentials"
	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/ui"
)

// render rebuilds the detail pane, when one is shown: the open record, or
// the vendor's answer to a look-up.
func (t *remediationsTab) render() {
	switch t.mode {
	case remDetail:
		if r, ok := t.current(); ok {
			t.pane.Show(recordDoc(t.c.Styles, r, t.width, t.c.now()), true)
		}
	case remLookupResult:
		t.pane.Show(lookupDoc(t.c.Styles, t.lookup, t.lookupTenant, t.width, t.c.now()), false)
	}
}

func recordDoc(st *ui.Styles, r remediations.Record, width int, now time.Time) string {
	d := ui.NewDoc(st, width)
	sender := r.Kind == remediations.KindSender
	if sender {
		d.Section(fmt.Sprintf("%s %s", recordLabel(r), orDash(r.TargetID)))
	} else {
		d.Section(fmt.Sprintf("%s of %s", recordLabel(r), orDash(cmp.Or(r.TargetName, r.TargetID))))
	}
	d.FieldTone("Status", recordStatus(r), remediationTone(r.Status))
	d.Field("Vendor status", r.VendorStatus)
	d.Field("Detail", recordDetail(&r))
	if sender {
		d.Field("Sender", r.TargetID)
		d.Field("List", r.Type)
		d.Field("For", fmt.Sprint(r.Params["scope"]))
	} else {
		d.Field("Asset", r.TargetName)
		d.Field("Asset id", r.TargetID)
		d.Field("Type", r.Type)
	}
	if v, ok := r.Params["remove_inherited_sharing"]; ok {
		d.Field("Parent folders", fmt.Sprintf("remove inherited sharing: %v", v))
	}
	d.Field("Started from", r.Source)
	d.Field("Started by", r.StartedBy)
	d.Field("Started", r.StartedAt.Local().Format("2006-01-02 15:04:05 MST"))
	if !r.FinishedAt.IsZero() {
		d.Field("Finished", r.FinishedAt.Local().Format("2006-01-02 15:04:05 MST"))
	}
	d.Field("Elapsed", elapsed(r.Elapsed(now)))
	if !r.CheckedAt.IsZero() {
		d.Field("Last checked", r.CheckedAt.Local().Format("2006-01-02 15:04:05 MST"))
	}
	d.Field("Tenant", r.Vendor+"/"+r.Tenant)
	d.Field("Record", r.ID)
	d.Line("")
	if sender {
		d.Muted("r re-read the journal · esc back")
	} else {
		d.Muted("y copy the asset id · r check again · esc back")
	}
	return d.String()
}

// lookupDoc is a remediation as the vendor reports it now.
func lookupDoc(st *ui.Styles, l saas.Remediation, tenant string, width int, now time.Time) string {
	d := ui.NewDoc(st, width)
	d.Section(fmt.Sprintf("%s of %s  ·  as the vendor reports it now", saas.Label(string(l.Type)), orDash(string(l.AssetName))))
	d.FieldTone("Status", string(l.Status), remediationTone(saas.Outcome(string(l.Status))))
	d.Field("Asset", string(l.AssetName))
	d.Field("Asset id", string(l.AssetID))
	d.Field("Type", string(l.Type))
	d.Field("Action taker", string(l.ActionTaker))
	if !l.ActionDate.IsZero() {
		d.Field("Action date", when(l.ActionDate, now))
	}
	d.Field("Tenant", "saas/"+tenant)
	d.Line("")
	d.Muted("n looks up another · esc back to the list")
	return d.String()
}

// recordLabel names what a record did: a SaaS remediation type, or a
// sender-list change.
func recordLabel(r remediations.Record) string {
	if r.Kind == remediations.KindSender {
		if essentials.List(r.Type) == essentials.Allow {
			return "Allow sender"
		}
		return "Block sender"
	}
	return saas.Label(r.Type)
}
