package ui

import (
	"strings"
	"testing"
)

// FuzzCompileFilter: any filter text compiles and matches without panicking,
// and a row always matches the empty filter.
func FuzzCompileFilter(f *testing.F) {
	for _, s := range []string{"", "pay", "pay !march", "~prlm", "!", "~", "  !  x ", "日本 !語"} {
		f.Add(s, "payroll march")
	}
	f.Fuzz(func(t *testing.T, query, row string) {
		m := CompileFilter(query)
		_ = m(strings.ToLower(row))
		if strings.TrimSpace(query) == "" && !m(row) {
			t.Fatal("the empty filter rejected a row")
		}
	})
}

// FuzzPicker: any typing into a picker keeps the choice inside the list.
func FuzzPicker(f *testing.F) {
	f.Add("res", 3)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, typed string, downs int) {
		p := NewPicker(plainStyles(), "x", []Item{{Label: "Resolved", Value: "1"}, {Label: "In progress", Value: "2"}})
		p.Custom = "id"
		for _, r := range typed {
			p.Update(press(string(r)))
		}
		for i := 0; i < downs%10; i++ {
			p.Update(press("down"))
		}
		res, _ := p.Update(press("enter"))
		if res.Done && res.Item.Value == "" && strings.TrimSpace(p.Typed()) != "" {
			t.Fatalf("chose an empty value with %q typed", typed)
		}
	})
}
