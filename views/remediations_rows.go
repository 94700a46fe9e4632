package views

import (
	"cmp"
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

// recordColumns: at 80 columns the tenant hides first; the detail, which
// holds a failure's reason, stays.
var recordColumns = []ui.Column{
	{Title: "STARTED", Width: 16, Priority: 6},
	{Title: "ASSET", Width: 14, Flex: 2, Min: 12, Priority: 8},
	{Title: "TYPE", Width: 12, Flex: 1, Min: 10, Priority: 7},
	{Title: "WHO", Width: 8, Flex: 1, Min: 6, Priority: 4},
	{Title: "STATUS", Width: 9, Priority: 9},
	{Title: "ELAPSED", Width: 8, Priority: 3},
	{Title: "TENANT", Width: 10, Priority: 2},
	{Title: "DETAIL", Width: 10, Flex: 3, Priority: 7},
}

func (r *recordRows) Len() int         { return len(r.recs) }
func (r *recordRows) Key(i int) string { return r.recs[i].ID }
func (r *recordRows) Fresh(int) bool   { return false }

func (r *recordRows) Search(i int) string {
	x := r.recs[i]
	return strings.ToLower(strings.Join([]string{x.TargetName, x.TargetID, x.Type, recordLabel(x), x.StartedBy, x.Status, x.VendorStatus, x.Tenant, x.Detail, x.Source}, " "))
}

func (r *recordRows) Cell(i, col int) string {
	if col == colRemElapsed {
		return elapsed(r.recs[i].Elapsed(r.now()))
	}
	return recordCells[col](&r.recs[i])
}

// recordCells are the table's cells, column by column; the elapsed time
// needs the clock, and Cell says it.
var recordCells = [...]func(x *remediations.Record) string{
	colRemStarted: func(x *remediations.Record) string { return timeCell(x.StartedAt) },
	colRemAsset:   func(x *remediations.Record) string { return cmp.Or(x.TargetName, x.TargetID) },
	colRemType:    func(x *remediations.Record) string { return recordLabel(*x) },
	colRemWho:     func(x *remediations.Record) string { return x.StartedBy },
	colRemStatus:  func(x *remediations.Record) string { return recordStatus(*x) },
	colRemTenant:  func(x *remediations.Record) string { return x.Vendor + "/" + x.Tenant },
	colRemDetail:  recordDetail,
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

// recordDetail is what the vendor said last, and for a failure, why.
func recordDetail(x *remediations.Record) string {
	if x.Status == remediations.Failed {
		return failureReason(*x)
	}
	return x.Detail
}

// recordStatus is the vendor's own word while it is one the console does not
// know, else the console's.
func recordStatus(r remediations.Record) string {
	if r.VendorStatus != "" && r.Status == remediations.Pending {
		return r.VendorStatus
	}
	return r.Status
}

// remediationTones colour the statuses that ended or are in doubt; one
// still under way is the accent.
var remediationTones = map[string]ui.Tone{remediations.Success: ui.ToneGood, remediations.Failed: ui.ToneBad, remediations.Unknown: ui.ToneMedium}

func remediationTone(status string) ui.Tone { return cmp.Or(remediationTones[status], ui.ToneAccent) }

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
