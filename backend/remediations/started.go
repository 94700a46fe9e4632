package remediations

import (
	"time"

	"triage/backend/settle"
)

// Started is the record of a start as it settled, the same whichever
// front-end made it: ok is false when it was not applied (nothing to
// record). Applied, an asset remediation is pending and a sender change
// done at now; unknown, it is recorded as Unknown and checked like a
// pending one until the vendor says. A start read back after a lost
// answer says so in Detail.
func Started[T any](r Record, o settle.Outcome[T], now time.Time) (Record, bool) {
	sender := r.Kind == KindSender
	switch o.Class {
	case settle.Applied:
		if sender {
			r.Status, r.FinishedAt = Success, now
		} else {
			r.Status = Pending
		}
		switch {
		case o.Lost == "":
		case sender:
			r.Detail = o.Lost + "; reading the list back shows the sender on it"
		default:
			r.Detail = "start: " + o.Lost + "; reading back shows it started"
		}
		return r, true
	case settle.Unknown:
		r.Status, r.FinishedAt = Unknown, time.Time{}
		if sender {
			r.Detail = o.Lost + " and the list could not be read back: checked until it says"
		} else {
			r.Detail = "start: " + o.Lost + ", and reading it back failed: checked until the vendor says whether it started"
		}
		return r, true
	}
	return r, false
}
