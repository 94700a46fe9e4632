package views

import (
	"strings"
	"testing"
	"time"

	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/lenient"
	"triage/backend/remediations"
	"triage/backend/saas"
)

func TestStatusChecksMoveARecordOnlyWhenTheVendorSaysSo(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	now := start.Add(10 * time.Second)
	at := func(d time.Duration) lenient.Time { return lenient.Time{Time: start.Add(d)} }
	notFound := &httpx.Error{Vendor: "SaaS", Tenant: "us", Status: 404, Message: "no remediation"}
	for _, tc := range []struct {
		name       string
		status     string
		st         saas.Remediation
		err        error
		want       string
		wantDetail string
		finished   time.Time
	}{
		{"success ends it at the vendor's time", remediations.Pending, saas.Remediation{Status: "success", ActionTaker: "api", ActionDate: at(3 * time.Second)}, nil, remediations.Success, "by api", start.Add(3 * time.Second)},
		{"failure ends it", remediations.Pending, saas.Remediation{Status: "failed", ActionDate: at(2 * time.Second)}, nil, remediations.Failed, "", start.Add(2 * time.Second)},
		{"a word it does not know keeps it going", remediations.Pending, saas.Remediation{Status: "in_progress"}, nil, remediations.Pending, "", time.Time{}},
		{"a failed check is noted, not an outcome", remediations.Pending, saas.Remediation{}, notFound, remediations.Pending, "last check failed: SaaS us: 404", time.Time{}},
		{"a lost start the vendor never saw did not start", remediations.Unknown, saas.Remediation{}, notFound, remediations.Failed, "not started", now},
		{"a lost start whose latest is old did not start", remediations.Unknown, saas.Remediation{Status: "success", ActionDate: at(-48 * time.Hour)}, nil, remediations.Failed, "not started", now},
		{"a lost start the vendor has is followed", remediations.Unknown, saas.Remediation{Status: "pending", ActionDate: at(time.Second)}, nil, remediations.Pending, "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := remediations.Record{StartedAt: start, Status: tc.status, Type: saas.Quarantine}
			applyStatus(&r, tc.st, tc.err, now)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.wantDetail) || !r.FinishedAt.Equal(tc.finished) || !r.CheckedAt.Equal(now) {
				t.Fatalf("got %s %q finished %s", r.Status, r.Detail, r.FinishedAt)
			}
			if tc.err == nil && tc.wantDetail != "not started" && r.VendorStatus != string(tc.st.Status) {
				t.Fatalf("vendor status %q, want the vendor's word %q", r.VendorStatus, tc.st.Status)
			}
		})
	}
	if got := recordStatus(remediations.Record{Status: remediations.Pending, VendorStatus: "in_progress"}); got != "in_progress" {
		t.Fatalf("an unknown vendor word is shown as it came, got %q", got)
	}
	for d, want := range map[time.Duration]string{8 * time.Second: "8s", 192 * time.Second: "3m 12s", 125 * time.Minute: "2h 5m", 76 * time.Hour: "3d 4h"} {
		if got := elapsed(d); got != want {
			t.Errorf("elapsed(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestSenderChecksMoveOnlyALostBlock(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	on := essentials.SenderList{Block: []string{"Invoices@Phish.example"}}
	for _, tc := range []struct {
		name   string
		status string
		lists  essentials.SenderList
		err    error
		want   string
		detail string
	}{
		{"a lost block found on the list is done", remediations.Unknown, on, nil, remediations.Success, "the vendor confirms it"},
		{"a lost block not on the list did not land", remediations.Unknown, essentials.SenderList{}, nil, remediations.Failed, "did not land"},
		{"a failed read changes nothing", remediations.Unknown, essentials.SenderList{}, &httpx.Error{Vendor: "Essentials", Tenant: "demo", Status: 503}, remediations.Unknown, "last check failed: Essentials demo: 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := remediations.Record{Kind: remediations.KindSender, Type: "block_list", TargetID: "invoices@phish.example", Status: tc.status}
			applySenderCheck(&r, tc.lists, tc.err, now)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.detail) || !r.CheckedAt.Equal(now) {
				t.Fatalf("got %s %q", r.Status, r.Detail)
			}
		})
	}
	if recordLabel(remediations.Record{Kind: remediations.KindSender, Type: "allow_list"}) != "Allow sender" {
		t.Fatal("label of an allow")
	}
}
