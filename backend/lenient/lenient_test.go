package lenient

import (
	"encoding/json"
	"testing"
	"time"
)

func TestValuesInEveryShapeVendorsSend(t *testing.T) {
	var v struct {
		A, B, C, D String
		N, M, W    Int
		T1, T2, T3 Time
		T4, T5     Time
		Flag, F2   Bool
	}
	body := `{"A":"400","B":400,"C":null,"D":{"x":1},"N":"12","M":7.0,"W":"High",
	"T1":"2021-08-24T17:09:53.547+0000","T2":"2025-01-02T03:04:05.123Z","T3":1735787045123,
	"T4":"garbage","T5":"2021-08-23T09:26:25.872Z","Flag":"true","F2":1}`
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "400" || v.B != "400" || v.C != "" || v.D != "" {
		t.Fatalf("strings: %+v", v)
	}
	if v.N != 12 || v.M != 7 || v.W != 0 {
		t.Fatalf("ints: %d %d %d", v.N, v.M, v.W)
	}
	want := time.Date(2021, 8, 24, 17, 9, 53, 547e6, time.UTC)
	if !v.T1.Equal(want) {
		t.Fatalf("+0000 time: %s", v.T1)
	}
	if v.T2.Year() != 2025 || v.T3.Year() != 2025 || !v.T4.IsZero() || v.T5.Month() != 8 {
		t.Fatalf("times: %s %s %s %s", v.T2, v.T3, v.T4, v.T5)
	}
	if !v.Flag || !v.F2 {
		t.Fatal("bools")
	}
}

func TestListBareOrWrapped(t *testing.T) {
	type u struct{ Email string }
	for _, body := range []string{`[{"Email":"a"}]`, `{"users":[{"Email":"a"}]}`, `{"data":[{"Email":"a"}],"_status":{}}`} {
		got, err := List[u]([]byte(body), "users", "data")
		if err != nil || len(got) != 1 || got[0].Email != "a" {
			t.Fatalf("%s: %v %v", body, got, err)
		}
	}
	if got, err := List[u]([]byte(`{"other":1}`), "users"); err != nil || got != nil {
		t.Fatalf("unknown wrapper: %v %v", got, err)
	}
	if _, err := List[u]([]byte(`{"users":[`), "users"); err == nil {
		t.Fatal("truncated body decoded")
	}
}
