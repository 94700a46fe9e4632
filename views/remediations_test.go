package views

import (
	"testing"
	"time"

	"triage/backend/remediations"
)

// How tab 3 words a record; what a check does to it is decided in
// backend/remediations (checked_test.go).
func TestRecordsAreWordedAsTheVendorAndTheConsoleSay(t *testing.T) {
	t.Parallel()
	if got := recordStatus(remediations.Record{Status: remediations.Pending, VendorStatus: "in_progress"}); got != "in_progress" {
		t.Fatalf("an unknown vendor word is shown as it came, got %q", got)
	}
	for d, want := range map[time.Duration]string{8 * time.Second: "8s", 192 * time.Second: "3m 12s", 125 * time.Minute: "2h 5m", 76 * time.Hour: "3d 4h"} {
		if got := elapsed(d); got != want {
			t.Errorf("elapsed(%s) = %s, want %s", d, got, want)
		}
	}
	if recordLabel(remediations.Record{Kind: remediations.KindSender, Type: "allow_list"}) != "Allow sender" {
		t.Fatal("label of an allow")
	}
}
