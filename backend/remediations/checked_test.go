package remediations

import (
	"strings"
	"testing"
	"time"

	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/lenient"
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
		{"success ends it at the vendor's time", Pending, saas.Remediation{Status: "success", ActionTaker: "api", ActionDate: at(3 * time.Second)}, nil, Success, "by api", start.Add(3 * time.Second)},
		{"failure ends it", Pending, saas.Remediation{Status: "failed", ActionDate: at(2 * time.Second)}, nil, Failed, "", start.Add(2 * time.Second)},
		{"a word it does not know keeps it going", Pending, saas.Remediation{Status: "in_progress"}, nil, Pending, "", time.Time{}},
		{"a failed check is noted, not an outcome", Pending, saas.Remediation{}, notFound, Pending, "last check failed: SaaS us: 404", time.Time{}},
		{"a lost start the vendor never saw did not start", Unknown, saas.Remediation{}, notFound, Failed, "not started", now},
		{"a lost start whose latest is old did not start", Unknown, saas.Remediation{Status: "success", ActionDate: at(-48 * time.Hour)}, nil, Failed, "not started", now},
		{"a lost start the vendor has is followed", Unknown, saas.Remediation{Status: "pending", ActionDate: at(time.Second)}, nil, Pending, "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Record{StartedAt: start, Status: tc.status, Type: saas.Quarantine}
			AssetChecked(&r, tc.st, tc.err, now)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.wantDetail) || !r.FinishedAt.Equal(tc.finished) || !r.CheckedAt.Equal(now) {
				t.Fatalf("got %s %q finished %s", r.Status, r.Detail, r.FinishedAt)
			}
			if tc.err == nil && tc.wantDetail != "not started" && r.VendorStatus != string(tc.st.Status) {
				t.Fatalf("vendor status %q, want the vendor's word %q", r.VendorStatus, tc.st.Status)
			}
		})
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
		{"a lost block found on the list is done", Unknown, on, nil, Success, "the vendor confirms it"},
		{"a lost block not on the list did not land", Unknown, essentials.SenderList{}, nil, Failed, "did not land"},
		{"a failed read changes nothing", Unknown, essentials.SenderList{}, &httpx.Error{Vendor: "Essentials", Tenant: "demo", Status: 503}, Unknown, "last check failed: Essentials demo: 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Record{Kind: KindSender, Type: "block_list", TargetID: "invoices@phish.example", Status: tc.status}
			SenderChecked(&r, tc.lists, tc.err, now)
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.detail) || !r.CheckedAt.Equal(now) {
				t.Fatalf("got %s %q", r.Status, r.Detail)
			}
		})
	}
}

// A sender change for the organisation and for one user keep whose list
// it was through the journal, for the check that follows it.
func TestSenderScopeNamesWhoseListWasChanged(t *testing.T) {
	t.Parallel()
	for user, scope := range map[string]string{"": "organisation", "ann@example.com": "ann@example.com"} {
		r := Record{Params: map[string]any{"scope": SenderScope(user)}}
		if r.Params["scope"] != scope || r.ListUser() != user {
			t.Errorf("user %q: scope %v, list user %q", user, r.Params["scope"], r.ListUser())
		}
	}
}
