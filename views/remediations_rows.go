package views

import (
	"fmt"
	"strings"
	"time"

	"triage/backend/remediations"
	"triage/ui"
)

// recordRows shows journal records in the table.
type recordRows struct {
	recs []remediations.Record
	now  func() time.Time
}

const (
	colRemStarted = iota
	colRemAsset
	colRemType
	colRemWho
	colRemStatus
	colRemElapsed
	colRemTenant
	colRemDetail
)

var recordColumns = []ui.Column{
	{Title: "STARTED", Width: 16},
	{Title: "ASSET", Width: 14, Flex: 2},
	{Title: "TYPE", Width: 12, Flex: 1},
	{Title: "WHO", Width: 8, Flex: 1},
	{Title: "STATUS", Width: 9},
	{Title: "ELAPSED", Width: 8},
	{Title: "TENANT", Width: 10},
	{Title: "DETAIL", Width: 10, Flex: 3},
}

func (r *recordRows) Len() int         { return len(r.recs) }
func (r *recordRows) Key(i int) string { return r.recs[i].ID }
func (r *recordRows) Fresh(int) bool   { return false }

func (r *recordRows) Search(i int) string {
	x := r.recs[i]
	return strings.ToLower(strings.Join([]string{x.TargetName, x.TargetID, x.Type, recordLabel(x), x.StartedBy, x.Status, x.VendorStatus, x.Tenant, x.Detail, x.Source}, " "))
}

func (r *recordRows) Cell(i, col int) string {
	x := &r.recs[i]
	switch col {
	case colRemStarted:
		return timeCell(x.StartedAt)
	case colRemAsset:
		if x.TargetName != "" {
			return x.TargetName
		}
		return x.TargetID
	case colRemType:
		return recordLabel(*x)
	case colRemWho:
		return x.StartedBy
	case colRemStatus:
		return recordStatus(*x)
	case colRemElapsed:
		return elapsed(x.Elapsed(r.now()))
	case colRemTenant:
		return x.Vendor + "/" + x.Tenant
	case colRemDetail:
		return x.Detail
	}
	return ""
}

func (r *recordRows) Tone(i, col int) ui.Tone {
	switch col {
	case colRemStatus:
		return remediationTone(r.recs[i].Status)
	case colRemStarted, colRemElapsed, colRemTenant, colRemDetail:
		return ui.ToneMuted
	}
	return ui.ToneNone
}

// recordStatus is the vendor's own word while it is one the console does not
// know, else the console's.
func recordStatus(r remediations.Record) string {
	if r.VendorStatus != "" && r.Status == remediations.Pending {
		return r.VendorStatus
	}
	return r.Status
}

func remediationTone(status string) ui.Tone {
	switch status {
	case remediations.Success:
		return ui.ToneGood
	case remediations.Failed:
		return ui.ToneBad
	case remediations.Unknown:
		return ui.ToneMedium
	}
	return ui.ToneAccent
}

// elapsed says a duration the short way: 8s, 3m 12s, 2h 5m, 3d 4h.
func elapsed(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
