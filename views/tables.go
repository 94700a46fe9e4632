package views

import (
	"time"

	"triage/ui"
)

// What the palette's sort and column commands and "new since last seen"
// need of each tab: its tables by id, the rows' times, and sort keys for
// columns whose text does not sort (severities, times).

// sortTime is a time as a key that sorts chronologically.
func sortTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000") }

// Stamp implements ui.Stamper: when the activity was observed.
func (v *ticketView) Stamp(i int) time.Time { return v.rows[i].observed }

// Stamp implements ui.Stamper: when the incident was last updated.
func (v *incidentView) Stamp(i int) time.Time { return v.at(i).updated }

// Tables implements tableOwner.
func (t *oktaTab) Tables() map[string]*ui.Table {
	return map[string]*ui.Table{"okta-apps": t.apps.table, "okta-logs": t.log.table, "okta-groups": t.groups.table}
}

// ActiveTable implements tableOwner.
func (t *oktaTab) ActiveTable() string {
	switch t.pane {
	case paneLog:
		return "okta-logs"
	case paneGroups:
		return "okta-groups"
	}
	return "okta-apps"
}

// Stamp implements ui.Stamper: when the event was published.
func (v *eventView) Stamp(i int) time.Time { return v.at(i).published }

// SortKey implements ui.SortKeyer.
func (v *eventView) SortKey(i, col int) string {
	if col == evColPublished {
		return sortTime(v.at(i).published)
	}
	return v.Cell(i, col)
}

// Tables implements tableOwner.
func (t *remediationsTab) Tables() map[string]*ui.Table {
	return map[string]*ui.Table{"remediations": t.table}
}

// ActiveTable implements tableOwner.
func (t *remediationsTab) ActiveTable() string { return "remediations" }

// Stamp implements ui.Stamper: when the remediation started.
func (r *recordRows) Stamp(i int) time.Time { return r.recs[i].StartedAt }

// SortKey implements ui.SortKeyer.
func (r *recordRows) SortKey(i, col int) string {
	if col == colRemStarted {
		return sortTime(r.recs[i].StartedAt)
	}
	return r.Cell(i, col)
}
