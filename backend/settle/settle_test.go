package settle

import (
	"context"
	"errors"
	"strings"
	"testing"

	"triage/backend/httpx"
)

func TestDoClassifiesEveryAnswer(t *testing.T) {
	lost := func() error {
		return &httpx.Error{Vendor: "ITM", Tenant: "t", Method: "PUT", Path: "/x", Unknown: true}
	}
	refused := &httpx.Error{Vendor: "ITM", Tenant: "t", Method: "PUT", Path: "/x", Status: 400, Message: "bad status"}
	readFails := errors.New("read timed out")
	cases := []struct {
		name      string
		sent      error
		check     Check[string]
		want      Class
		lostWhy   string
		value     string
		errHas    string
		readBack  bool
		readError bool
	}{
		{name: "answered", want: Applied},
		{name: "refused", sent: refused, want: NotApplied, errHas: "bad status"},
		{name: "lost, there", sent: lost(), check: func(context.Context) (string, bool, error) { return "seen", true, nil },
			want: Applied, lostWhy: "the answer was lost", value: "seen", readBack: true},
		{name: "lost, missing", sent: lost(), check: func(context.Context) (string, bool, error) { return "old", false, nil },
			want: NotApplied, lostWhy: "the answer was lost", value: "old", readBack: true, errHas: "ITM t"},
		{name: "lost, read-back fails", sent: lost(), check: func(context.Context) (string, bool, error) { return "", false, readFails },
			want: Unknown, lostWhy: "the answer was lost", errHas: "reading back failed too: read timed out", readError: true},
		{name: "lost, nothing to read", sent: lost(), want: Unknown, lostWhy: "the answer was lost", errHas: "outcome unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Do(context.Background(), func(context.Context) (string, error) { return "", c.sent }, c.check)
			if o.Class != c.want || o.Lost != c.lostWhy || o.Value != c.value || o.Checked() != c.readBack || (o.ReadErr != nil) != c.readError {
				t.Fatalf("%+v", o)
			}
			if (o.Err == nil) != (c.want == Applied) || c.errHas != "" && !strings.Contains(o.Err.Error(), c.errHas) {
				t.Fatalf("err %v", o.Err)
			}
			if c.want == NotApplied && strings.Contains(o.Err.Error(), "may have been applied") {
				t.Fatalf("a write read back as missing still says it may have applied: %v", o.Err)
			}
		})
	}
}
