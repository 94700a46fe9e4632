package remediations

import (
	"fmt"
	"strings"
	"time"

	"triage/backend/clean"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/saas"
)

// What a check of a followed record found, applied to the record the same
// way whichever session checks it. A check only ends a record when the
// vendor says so; a start whose answer was lost (Unknown) also ends as
// Failed when the vendor shows it never began.

// AssetChecked records what reading a SaaS remediation's status found:
// st and err are saas.Client.RemediationStatus's answer.
func AssetChecked(r *Record, st saas.Remediation, err error, now time.Time) {
	r.CheckedAt = now
	switch {
	case err != nil && httpx.IsNotFound(err) && r.Status == Unknown:
		// The start's answer was lost and the vendor has nothing: it never began.
		r.Status, r.FinishedAt = Failed, now
		r.Detail = "not started: the vendor has no such remediation of the asset"
		return
	case err != nil:
		r.Detail = "last check failed: " + clean.Line(err.Error())
		return
	case r.Status == Unknown && !st.ActionDate.IsZero() && st.ActionDate.Before(r.StartedAt.Add(-time.Minute)):
		// The vendor's latest one of the type is older than this start.
		r.Status, r.FinishedAt = Failed, now
		r.Detail = "not started: the vendor's latest one is from " + st.ActionDate.UTC().Format(time.RFC3339)
		return
	}
	r.VendorStatus = string(st.Status)
	if st.AssetName != "" && r.TargetName == "" {
		r.TargetName = string(st.AssetName)
	}
	r.Detail = ""
	if st.ActionTaker != "" || !st.ActionDate.IsZero() {
		taker := string(st.ActionTaker)
		if strings.TrimSpace(taker) == "" {
			taker = "—"
		}
		r.Detail = strings.TrimSpace(fmt.Sprintf("by %s at %s", taker, st.ActionDate.UTC().Format("2006-01-02 15:04:05 MST")))
	}
	switch out := saas.Outcome(string(st.Status)); out {
	case saas.Success, saas.Failed:
		r.Status = out
		r.FinishedAt = now
		if st.ActionDate.After(r.StartedAt) && st.ActionDate.Before(now) {
			r.FinishedAt = st.ActionDate.Time
		}
	default:
		r.Status = Pending
	}
}

// SenderChecked records what reading a sender list found: the sender on
// the list is done; one that is not, after a lost answer, did not land.
// lists and err are essentials.Client.SenderLists's answer for ListUser.
func SenderChecked(r *Record, lists essentials.SenderList, err error, now time.Time) {
	r.CheckedAt = now
	switch {
	case err != nil:
		r.Detail = "last check failed: " + clean.Line(err.Error())
	case lists.Has(essentials.List(r.Type), r.TargetID):
		r.Status, r.FinishedAt, r.Detail = Success, now, "on the list: the vendor confirms it"
	case r.Status == Unknown:
		r.Status, r.FinishedAt, r.Detail = Failed, now, "not on the list: the change did not land"
	}
}

// orgScope is Params["scope"] of a change to the organisation's lists.
const orgScope = "organisation"

// SenderScope is Params["scope"] of a sender change for user ("" for the
// organisation's lists).
func SenderScope(user string) string {
	if user == "" {
		return orgScope
	}
	return user
}

// ListUser is whose sender list a sender record changed: "" for the
// organisation's.
func (r Record) ListUser() string {
	user, _ := r.Params["scope"].(string)
	if user == orgScope {
		return ""
	}
	return user
}
