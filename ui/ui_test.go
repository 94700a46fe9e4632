package ui

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

func plainStyles() *Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(r, "dark")
}

// rows is a Source of n synthetic rows.
type rows struct {
	n     int
	fresh map[int]bool
}

func (r rows) Len() int             { return r.n }
func (r rows) Key(i int) string     { return fmt.Sprintf("k%06d", i) }
func (r rows) Cell(i, c int) string { return fmt.Sprintf("r%d-c%d", i, c) }
func (r rows) Tone(i, c int) Tone   { return Tone(i % int(toneCount)) }
func (r rows) Search(i int) string {
	if i%10 == 0 {
		return fmt.Sprintf("row %d ten", i)
	}
	return fmt.Sprintf("row %d", i)
}
func (r rows) Fresh(i int) bool { return r.fresh[i] }

var cols = []Column{{Title: "A", Width: 8}, {Title: "B", Width: 8, Flex: 1}}

func press(s string) tea.KeyMsg {
	switch s {
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func TestTableShowsOnlyTheWindowAndFollowsTheCursor(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 6) // header + 5 rows
	tb.SetSource(rows{n: 100_000})
	view := tb.View()
	if lines := strings.Split(view, "\n"); len(lines) != 6 || !strings.Contains(lines[1], "r0-c0") || !strings.Contains(lines[5], "r4-c0") {
		t.Fatalf("first window:\n%s", view)
	}
	for i := 0; i < 7; i++ {
		tb.HandleKey(press("j"))
	}
	if i, _ := tb.Cursor(); i != 7 {
		t.Fatalf("cursor %d", i)
	}
	if v := tb.View(); !strings.Contains(v, "r7-c0") || strings.Contains(v, "r2-c0") {
		t.Fatalf("window did not scroll with the cursor:\n%s", v)
	}
	tb.HandleKey(press("G"))
	if i, _ := tb.Cursor(); i != 99_999 || !tb.NearEnd(1) {
		t.Fatalf("G went to %d", i)
	}
	tb.HandleKey(press("g"))
	tb.HandleKey(press("pgdown"))
	if i, _ := tb.Cursor(); i != 5 {
		t.Fatalf("page down went to %d", i)
	}
	for _, l := range strings.Split(tb.View(), "\n") {
		if w := ansi.StringWidth(l); w > 40 {
			t.Fatalf("line %d cells wide, table is 40: %q", w, l)
		}
	}
}

func TestTableFilterAndCursorByKey(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 10)
	tb.SetSource(rows{n: 1000})
	tb.Select("k000020")
	tb.ApplyFilterNow("ten")
	if tb.Len() != 100 {
		t.Fatalf("filter 'ten' kept %d rows, want 100", tb.Len())
	}
	if tb.CursorKey() != "k000020" {
		t.Fatalf("cursor left its row: %s", tb.CursorKey())
	}
	tb.ApplyFilterNow("ten !row 1")
	for pos := 0; pos < tb.Len(); pos++ {
		if s := (rows{}).Search(tb.row(pos)); strings.Contains(s, "row 1") {
			t.Fatalf("negated term kept %q", s)
		}
	}
	tb.ApplyFilterNow("")
	if tb.Len() != 1000 {
		t.Fatalf("clearing the filter left %d rows", tb.Len())
	}
}

func TestFilterRunsOffTheKeyPathAndDropsStaleResults(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 10)
	tb.SetSource(rows{n: 1000})
	first := tb.SetFilter("ten")
	second := tb.SetFilter("row 99")
	if tb.Len() != 1000 {
		t.Fatal("the filter ran on the key path")
	}
	// The first debounce tick is stale: it must not run a filter.
	if cmd := tb.Update(first()); cmd != nil {
		t.Fatal("a stale debounce tick started a filter")
	}
	run := tb.Update(second())
	if run == nil {
		t.Fatal("the latest debounce tick did not start the filter")
	}
	tb.Update(run())
	if tb.Len() != 19 { // rows holding "row" and "99": 99, 199, ..., 999 and 990..998
		t.Fatalf("filtered to %d rows", tb.Len())
	}
}

// Enter on a typed filter applies it before the next key: a key pressed
// right after must not act on a row of the unfiltered list.
func TestCommittedFilterIsInEffectForTheNextKey(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 10)
	tb.SetSource(rows{n: 1000})
	tb.SetFilter("row 99") // typed; the typing pause has not passed
	if cmd := tb.CommitFilter(); cmd != nil || tb.Filter() != "row 99" || tb.Len() != 19 {
		t.Fatalf("after enter: filter %q, %d rows", tb.Filter(), tb.Len())
	}
	if k := tb.CursorKey(); k != "k000099" {
		t.Fatalf("the cursor is on %s, not the first match", k)
	}
	if tb.CommitFilter() != nil {
		t.Fatal("a filter already in effect ran again")
	}

	big := NewTable(plainStyles(), DefaultKeyMap(), cols)
	big.SetSource(rows{n: commitNowRows + 1})
	big.SetFilter("row 99")
	run := big.CommitFilter()
	if run == nil || big.Len() != commitNowRows+1 {
		t.Fatal("a large table must filter off the key path, at once")
	}
	big.Update(run())
	if big.Filter() != "row 99" {
		t.Fatalf("filter %q", big.Filter())
	}
}

func TestMarksFollowKeysAcrossReloads(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 10)
	tb.SetSource(rows{n: 10})
	tb.HandleKey(press(" ")) // marks row 0 and moves down
	tb.HandleKey(press("j"))
	tb.HandleKey(press(" "))
	if got := tb.Marked(); len(got) != 2 || got[0] != "k000000" || got[1] != "k000002" {
		t.Fatalf("marked %v", got)
	}
	tb.SetSource(rows{n: 20})
	if got := tb.Marked(); len(got) != 2 {
		t.Fatalf("marks lost on reload: %v", got)
	}
	if !strings.Contains(tb.View(), "✔") {
		t.Fatal("marked rows not shown")
	}
	tb.MarkAll()
	if len(tb.Marked()) != 20 {
		t.Fatal("mark all")
	}
}

func TestFreshRowsAreMarked(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 10)
	tb.SetSource(rows{n: 3, fresh: map[int]bool{1: true}})
	lines := strings.Split(tb.View(), "\n")
	if !strings.HasPrefix(lines[2], "● ") || strings.HasPrefix(lines[3], "● ") {
		t.Fatalf("fresh marker:\n%s", strings.Join(lines, "\n"))
	}
}

func TestFit(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"abc", 3, "abc"},
		{"日本語テキスト", 7, "日本語…"},
		{"ab", 0, ""},
	}
	for _, c := range cases {
		got := Fit(c.in, c.w)
		if got != c.want && !(c.w == 7 && ansi.StringWidth(got) == 7) {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
		if ansi.StringWidth(got) != c.w {
			t.Errorf("Fit(%q, %d) is %d cells", c.in, c.w, ansi.StringWidth(got))
		}
	}
}

func TestCompileFilter(t *testing.T) {
	cases := []struct {
		q, s string
		want bool
	}{
		{"pay", "payroll march", true},
		{"PAY march", "payroll march", true},
		{"pay !march", "payroll march", false},
		{"~prlm", "payroll march", true},
		{"~mrp", "payroll march", false},
		{"", "anything", true},
	}
	for _, c := range cases {
		if got := CompileFilter(c.q)(c.s); got != c.want {
			t.Errorf("%q on %q = %v", c.q, c.s, got)
		}
	}
}

func TestPickerRanksLabelPrefixesFirstAndAllowsTypedValues(t *testing.T) {
	items := []Item{{Label: "In progress", Value: "s2"}, {Label: "Resolved", Value: "s5"}, {Label: "Business justified", Value: "business_justified"}}
	p := NewPicker(plainStyles(), "Status", items)
	p.Custom = "status id"
	for _, r := range "res" {
		p.Update(press(string(r)))
	}
	res, _ := p.Update(press("enter"))
	if !res.Done || res.Item.Value != "s5" {
		t.Fatalf("typing res chose %+v", res.Item)
	}
	p = NewPicker(plainStyles(), "Status", items)
	p.Custom = "status id"
	for _, r := range "zzz-1" {
		p.Update(press(string(r)))
	}
	if v := p.View(80); !strings.Contains(v, `use typed value "zzz-1" as the status id (asks first)`) {
		t.Fatalf("no offer of the typed value:\n%s", v)
	}
	// enter on the offer asks; anything but y goes back to the list.
	if res, _ = p.Update(press("enter")); res.Done {
		t.Fatalf("the typed value was taken without asking: %+v", res)
	}
	if v := p.View(80); !strings.Contains(v, `"zzz-1" is not in the list. Use it as the status id?`) {
		t.Fatalf("no question:\n%s", v)
	}
	if res, _ = p.Update(press("enter")); res.Done || res.Cancelled {
		t.Fatalf("enter answered the question: %+v", res)
	}
	p.Update(press("enter"))
	res, _ = p.Update(press("y"))
	if !res.Done || res.Item.Value != "zzz-1" || !res.Item.Typed {
		t.Fatalf("typed value not chosen: %+v", res)
	}
	if res, _ := NewPicker(plainStyles(), "x", items).Update(press("esc")); !res.Cancelled {
		t.Fatal("esc did not cancel")
	}
}

// Without the offer, a picker takes only its listed items: "jjjj" then
// enter chooses nothing. Typing filters, the arrows and ctrl+n/ctrl+p move,
// and the footer says so.
func TestPickerTakesOnlyItsItemsAndSaysItsKeys(t *testing.T) {
	items := []Item{{Label: "New", Value: "s1"}, {Label: "In progress", Value: "s2"}, {Label: "Resolved", Value: "s5"}}
	p := NewPicker(plainStyles(), "Status", items)
	p.Update(press("jjjj"))
	if res, _ := p.Update(press("enter")); res.Done {
		t.Fatalf("typed text was chosen: %+v", res)
	}
	if v := p.View(80); !strings.Contains(v, "no match") || !strings.Contains(v, "0 of 3 · type filters · ↑↓ ctrl+n ctrl+p move · enter choose · esc cancel") {
		t.Fatalf("view:\n%s", v)
	}
	p = NewPicker(plainStyles(), "Status", items)
	for _, k := range []tea.KeyMsg{press("down"), {Type: tea.KeyCtrlN}, {Type: tea.KeyCtrlP}} {
		p.Update(k)
	}
	if res, _ := p.Update(press("enter")); res.Item.Value != "s2" {
		t.Fatalf("down, ctrl+n, ctrl+p chose %+v", res.Item)
	}
}

// While its items load, or when they could not be read, a picker says so,
// not "no match · 0 of 0".
func TestPickerSaysLoadingAndFailedApartFromNoMatch(t *testing.T) {
	p := NewPicker(plainStyles(), "Assign to", nil)
	p.Loading = "Loading ITM users…"
	if v := p.View(80); !strings.Contains(v, "Loading ITM users…") || strings.Contains(v, "no match") || strings.Contains(v, "0 of 0") {
		t.Fatalf("loading:\n%s", v)
	}
	p.Failed = "could not list ITM users: HTTP 500"
	if v := p.View(80); !strings.Contains(v, "✗ could not list ITM users: HTTP 500") || strings.Contains(v, "no match") {
		t.Fatalf("failed:\n%s", v)
	}
	p.SetItems([]Item{{Label: "Li Chen", Value: "u1"}})
	p.Update(press("zz"))
	if v := p.View(80); !strings.Contains(v, "no match") || !strings.Contains(v, "0 of 1") || strings.Contains(v, "Loading") {
		t.Fatalf("no match:\n%s", v)
	}
}

func TestEditorKeepsTextOnEscAndNeedsTextToSubmit(t *testing.T) {
	e := NewEditor(plainStyles(), "Comment", "")
	if out, _ := e.Update(press("ctrl+s")); out != Editing {
		t.Fatal("an empty comment was submitted")
	}
	e.Update(press("hello"))
	if out, _ := e.Update(press("esc")); out != Cancelled || e.Value() != "hello" {
		t.Fatalf("esc: value %q", e.Value())
	}
	e = NewEditor(plainStyles(), "Comment", "draft text")
	if out, _ := e.Update(press("ctrl+s")); out != Submitted || e.Value() != "draft text" {
		t.Fatalf("ctrl+s with a draft: %q", e.Value())
	}
}

func TestConfirmOnlyYesIsYes(t *testing.T) {
	c := NewConfirm(plainStyles(), "Close?", "close")
	for _, k := range []string{"n", "enter", "esc", "x"} {
		if c.Update(press(k)) != Cancelled {
			t.Fatalf("%q confirmed", k)
		}
	}
	if c.Update(press("y")) != Submitted {
		t.Fatal("y did not confirm")
	}
}

func TestKeymapRebindReportsConflictsAndUnknownActions(t *testing.T) {
	k := DefaultKeyMap()
	if err := k.Rebind(map[string][]string{"comment": {"C", "ctrl+k"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(k.Comment.Help().Key, "ctrl+k") {
		t.Fatalf("help not updated: %q", k.Comment.Help().Key)
	}
	err := DefaultKeyMap().Rebind(map[string][]string{"comment": {"a"}, "nonsense": {"z"}})
	if err == nil || !strings.Contains(err.Error(), `"a" is bound to both assign and comment`) || !strings.Contains(err.Error(), `unknown action "nonsense"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestNoColor(t *testing.T) {
	if !NoColor([]string{"TERM=xterm", "NO_COLOR=1"}) || NoColor([]string{"NO_COLOR="}) || NoColor(nil) {
		t.Fatal("NO_COLOR")
	}
}

// BenchmarkTableKeypress is one cursor move plus the frame at 100,000 rows.
func BenchmarkTableKeypress(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := lipgloss.NewRenderer(nil)
			r.SetColorProfile(termenv.TrueColor)
			tb := NewTable(NewStyles(r, "dark"), DefaultKeyMap(), cols)
			tb.SetSize(160, 45)
			tb.SetSource(rows{n: n})
			down := press("j")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%n == n-1 {
					tb.HandleKey(press("g"))
				}
				tb.HandleKey(down)
				_ = tb.View()
			}
		})
	}
}

func TestConfirmOptionFlipsWithoutAnswering(t *testing.T) {
	c := NewConfirm(plainStyles(), "Remove public sharing?", "remove it", "payroll.pdf")
	c.Option = &Option{Key: "i", Label: "also parent folders' shared links"}
	if c.Update(press("i")) != Editing || !c.Option.On || !strings.Contains(c.View(80), "[x] also parent folders") {
		t.Fatalf("i did not flip the option:\n%s", c.View(80))
	}
	if c.Update(press("i")) != Editing || c.Option.On {
		t.Fatal("i did not flip it back")
	}
	if c.Update(press("y")) != Submitted {
		t.Fatal("y is yes")
	}
	if c.Update(press("n")) != Cancelled {
		t.Fatal("n is no")
	}
}

func TestPickerSelectReopensOnTheEarlierChoice(t *testing.T) {
	p := NewPicker(plainStyles(), "Close with", []Item{{Label: "Business justified", Value: "business_justified"}, {Label: "Misidentified", Value: "misidentified"}, {Label: "No reason", Value: "no_reason"}})
	p.Select("no_reason")
	res, _ := p.Update(press("enter"))
	if !res.Done || res.Item.Value != "no_reason" {
		t.Fatalf("picked %+v", res)
	}
}

func TestTableSurvivesItsRowsShrinkingUnderAFilter(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 6)
	tb.SetSource(rows{n: 100})
	tb.ApplyFilterNow("ten")
	tb.SetSource(rows{n: 5}) // a tenant switch: fewer rows before the filter runs again
	if tb.Len() != 1 || !strings.Contains(tb.View(), "r0-c0") {
		t.Fatalf("view after shrinking: %d rows\n%s", tb.Len(), tb.View())
	}
}

func TestCopyableURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://acme.aperture.example/cloud_assets/61099d": true, "http://x.example/a?b=c": true,
		"javascript:alert(1)": false, "https://a.example/x y": false, "file:///etc/passwd": false,
		"https://user:pw@a.example/": false, "": false, "https://a.example/\u202e": false, "/relative": false,
	} {
		if got := CopyableURL(s); got != want {
			t.Errorf("CopyableURL(%q) = %v", s, got)
		}
	}
}

func TestPressRoundTripsEveryDefaultKey(t *testing.T) {
	for name, b := range DefaultKeyMap().Named() {
		for _, k := range b.Keys() {
			if got := Press(k).String(); got != k {
				t.Errorf("%s: Press(%q).String() = %q", name, k, got)
			}
		}
	}
}

// stamped rows: row i is i minutes after a fixed start; column 0 sorts by
// a key that reverses its text.
type stamped struct{ rows }

var stampStart = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func (s stamped) Stamp(i int) time.Time { return stampStart.Add(time.Duration(i) * time.Minute) }
func (s stamped) SortKey(i, col int) string {
	if col == 0 {
		return fmt.Sprintf("%06d", s.n-i)
	}
	return s.Cell(i, col)
}

func TestSortByAColumnOffTheKeyPathAndBack(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 8)
	tb.SetSource(stamped{rows{n: 50}})
	cmd := tb.SortBy(0, false)
	if tb.CursorKey() != "k000000" {
		t.Fatal("sorting ran on the key path")
	}
	tb.Update(cmd())
	tb.HandleKey(press("g"))
	if tb.CursorKey() != "k000049" || !strings.Contains(tb.View(), "A ▲") {
		t.Fatalf("sorted by the key: first %s\n%s", tb.CursorKey(), tb.View())
	}
	tb.Update(tb.SortBy(0, true)())
	tb.HandleKey(press("g"))
	if tb.CursorKey() != "k000000" || !strings.Contains(tb.View(), "A ▼") {
		t.Fatalf("descending: first %s", tb.CursorKey())
	}
	// A filter keeps the sort.
	tb.Update(tb.SortBy(0, false)())
	tb.ApplyFilterNow("ten")
	tb.HandleKey(press("g"))
	if tb.Len() != 5 || tb.CursorKey() != "k000040" {
		t.Fatalf("filtered and sorted: %d rows, first %s", tb.Len(), tb.CursorKey())
	}
	tb.Update(tb.SortBy(-1, false)())
	tb.HandleKey(press("g"))
	if tb.CursorKey() != "k000000" || tb.Len() != 5 {
		t.Fatalf("back to the source order: first %s", tb.CursorKey())
	}
}

func TestHiddenColumnsLeaveTheScreen(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), []Column{{Title: "ONE", Width: 6}, {Title: "TWO", Width: 6}, {Title: "THREE", Width: 6, Flex: 1}})
	tb.SetSize(50, 5)
	tb.SetSource(rows{n: 3})
	tb.SetHidden(1, true)
	v := tb.View()
	if strings.Contains(v, "TWO") || strings.Contains(v, "r0-c1") || !strings.Contains(v, "r0-c2") {
		t.Fatalf("column 1 still shown:\n%s", v)
	}
	tb.SetHidden(0, true)
	tb.SetHidden(2, true) // the last shown column stays
	if !strings.Contains(tb.View(), "THREE") {
		t.Fatal("every column was hidden")
	}
	tb.SetHidden(1, false)
	if !strings.Contains(tb.View(), "TWO") {
		t.Fatal("column 1 not shown again")
	}
}

func TestRowsNewerThanLastSeenAreMarked(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 8)
	tb.SetSource(stamped{rows{n: 5}})
	tb.SetSeen(stampStart.Add(2*time.Minute + time.Second))
	lines := strings.Split(tb.View(), "\n")
	for i, l := range lines[1:] {
		if fresh := strings.HasPrefix(l, "● "); fresh != (i >= 3) {
			t.Fatalf("row %d fresh=%v:\n%s", i, fresh, tb.View())
		}
	}
}

func TestConfirmChecksChooseWhatYesActsOn(t *testing.T) {
	c := NewConfirm(plainStyles(), "Disable Li Chen?", "disable in the selected", "li.chen@acme.example")
	c.Checks = []Check{{Label: "Okta prod", Note: "ACTIVE", On: true}, {Label: "Atlassian acme", On: true}, {Label: "Essentials acme", On: true}}
	c.Option = &Option{Key: "m", Label: "deactivate in Okta instead of suspending"}
	for _, k := range []string{"down", " ", "j", "m"} {
		if c.Update(press(k)) != Editing {
			t.Fatalf("%q answered the confirmation", k)
		}
	}
	if c.Checked() != 2 || c.Checks[1].On || !c.Option.On {
		t.Fatalf("after toggling: %+v option %v", c.Checks, c.Option.On)
	}
	v := c.View(100)
	if !strings.Contains(v, "[ ] Atlassian acme") || !strings.Contains(v, "› [x] Essentials acme") || !strings.Contains(v, "space toggles") {
		t.Fatalf("view:\n%s", v)
	}
	c.Checks[0].On, c.Checks[2].On = false, false
	if c.Update(press("y")) != Editing || !strings.Contains(c.View(100), "nothing selected") {
		t.Fatal("y with nothing selected answered")
	}
	c.Update(press(" "))
	if c.Update(press("y")) != Submitted {
		t.Fatal("y did not confirm")
	}
	if c.Update(press("n")) != Cancelled {
		t.Fatal("n is no")
	}
}

func TestFormMovesTogglesAndKeepsWhatWasTyped(t *testing.T) {
	f := NewForm(plainStyles(), "New person").
		Field("Email", "li.chen@acme.example", "", true).
		Field("First name", "", "", false).
		Field("Last name", "", "", false)
	f.Checks = []Check{{Label: "Okta prod", On: true}, {Label: "Essentials acme", On: true}}
	for _, r := range "Li" {
		f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if out, _ := f.Update(press("enter")); out != Editing {
		t.Fatal("enter on a field submitted")
	}
	f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'C'}})
	f.Update(press("tab"))
	f.Update(press("tab"))
	if out, _ := f.Update(press(" ")); out != Editing || f.Checks[1].On {
		t.Fatalf("space on the second check: %+v", f.Checks)
	}
	if f.Value(0) != "li.chen@acme.example" || f.Value(1) != "Li" || f.Value(2) != "C" {
		t.Fatalf("values %q %q %q", f.Value(0), f.Value(1), f.Value(2))
	}
	if out, _ := f.Update(press("esc")); out != Cancelled || f.Value(1) != "Li" {
		t.Fatal("esc lost the text")
	}
	if out, _ := f.Update(press("ctrl+s")); out != Submitted {
		t.Fatal("ctrl+s did not submit")
	}
	if out, _ := f.Update(press("enter")); out != Submitted {
		t.Fatal("enter on the last item did not submit")
	}
	v := f.View(90)
	if !strings.Contains(v, "li.chen@acme.example") || !strings.Contains(v, "[ ] Essentials acme") {
		t.Fatalf("view:\n%s", v)
	}
}

// The status line keeps the newest messages, oldest first, cleaned, and a
// cut error names the key that shows it whole.
func TestStatusKeepsTheNewestMessages(t *testing.T) {
	s := NewStatus(plainStyles())
	s.More = "!"
	for i := range keepMessages + 5 {
		s.Error(fmt.Errorf("failure %d\x1b]52;c;AAAA\x07", i))
	}
	s.Note("saved")
	msgs := s.Messages()
	if len(msgs) != keepMessages {
		t.Fatalf("kept %d messages, want %d", len(msgs), keepMessages)
	}
	if msgs[0].Text != "failure 6" || !msgs[0].Error || msgs[len(msgs)-1].Text != "saved" || msgs[len(msgs)-1].Error {
		t.Fatalf("first %+v, last %+v", msgs[0], msgs[len(msgs)-1])
	}
	s.Error(fmt.Errorf("%sEND", strings.Repeat("word ", 40)))
	line := s.View(60, "", "info")
	if strings.Contains(line, "END") || !strings.HasSuffix(strings.TrimRight(line, " "), "… !") {
		t.Fatalf("cut error line = %q", line)
	}
}

// TestAHugeWindowDrawsAtMostTheClamp: a terminal claiming 65535×65535 once
// made View reserve (width+16)×height bytes, 4 GB, and the server ran out
// of memory. The table draws at most MaxWidth×MaxHeight, and drawing it
// allocates in proportion to that.
func TestAHugeWindowDrawsAtMostTheClamp(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSource(rows{n: 100_000})
	tb.SetSize(65535, 65535)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	view := tb.View()
	runtime.ReadMemStats(&after)
	lines := strings.Split(view, "\n")
	if len(lines) != MaxHeight {
		t.Fatalf("%d lines, want the clamp's %d", len(lines), MaxHeight)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > MaxWidth {
			t.Fatalf("line %d is %d cells wide, past the clamp's %d", i, w, MaxWidth)
		}
	}
	// A frame of the clamp's size is about 0.5 MB; 64 MB leaves room for
	// whatever else the runtime allocates meanwhile, and is far below the
	// gigabytes the claim used to cost.
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Fatalf("drawing one frame allocated %d MB", n>>20)
	}
	// A window that shrinks again is drawn at its size.
	tb.SetSize(80, 10)
	if n := strings.Count(tb.View(), "\n") + 1; n != 10 {
		t.Fatalf("%d lines at 80×10", n)
	}
}

func TestClampSize(t *testing.T) {
	for _, c := range []struct{ w, h, ww, wh int }{
		{120, 30, 120, 30},
		{65535, 65535, MaxWidth, MaxHeight},
		{MaxWidth, MaxHeight, MaxWidth, MaxHeight},
		{-1, -5, 0, 0},
		{1 << 40, 3, MaxWidth, 3},
	} {
		if w, h := ClampSize(c.w, c.h); w != c.ww || h != c.wh {
			t.Errorf("ClampSize(%d, %d) = %d, %d; want %d, %d", c.w, c.h, w, h, c.ww, c.wh)
		}
	}
}

// Without colour the cursor row is marked in the text, and the mark of a
// marked or new row stays beside it; with colour the row's colours mark it.
func TestTableCursorShowsWithoutColour(t *testing.T) {
	tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
	tb.SetSize(40, 5)
	tb.SetSource(rows{n: 10, fresh: map[int]bool{2: true}})
	before := tb.View()
	if lines := strings.Split(before, "\n"); !strings.HasPrefix(lines[1], " ▸r0-c0") || !strings.HasPrefix(lines[2], "  r1-c0") {
		t.Fatalf("cursor row not marked:\n%s", before)
	}
	tb.HandleKey(press("j"))
	after := tb.View()
	if after == before || !strings.HasPrefix(strings.Split(after, "\n")[2], " ▸r1-c0") {
		t.Fatalf("j left the frame unchanged or the mark behind:\n%s", after)
	}
	tb.HandleKey(press(" ")) // marks row 1 and moves to row 2, which is new
	lines := strings.Split(tb.View(), "\n")
	if !strings.HasPrefix(lines[2], "✔ r1-c0") || !strings.HasPrefix(lines[3], "●▸r2-c0") {
		t.Fatalf("marks beside the cursor:\n%s", strings.Join(lines, "\n"))
	}

	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.ANSI256)
	coloured := NewTable(NewStyles(r, "dark"), DefaultKeyMap(), cols)
	coloured.SetSize(40, 5)
	coloured.SetSource(rows{n: 10})
	before = coloured.View()
	coloured.HandleKey(press("j"))
	if after := coloured.View(); after == before || strings.Contains(after, "▸") {
		t.Fatalf("with colour the cursor is the row's colour, not a mark:\n%q", after)
	}
}

// TestTableColumnsGiveWayByPriority: wide, flexible columns share what is
// left; narrower, the least important narrow to their least width, then
// hide, and no line is wider than the table.
func TestTableColumnsGiveWayByPriority(t *testing.T) {
	cols := []Column{
		{Title: "WHEN", Width: 16, Priority: 8},
		{Title: "SEVERITY", Width: 8, Priority: 9},
		{Title: "WHO", Width: 20, Flex: 1, Min: 10, Priority: 7},
		{Title: "SUBJECT", Width: 20, Flex: 2, Min: 12, Priority: 4},
		{Title: "ID", Width: 8, Priority: 1},
	}
	cases := []struct {
		width  int
		titles []string
		widths []int
	}{
		{100, []string{"WHEN", "SEVERITY", "WHO", "SUBJECT", "ID"}, []int{16, 8, 27, 34, 8}}, // 22 left over: a third and two thirds
		{78, []string{"WHEN", "SEVERITY", "WHO", "SUBJECT", "ID"}, []int{16, 8, 20, 20, 8}},  // exactly
		{70, []string{"WHEN", "SEVERITY", "WHO", "SUBJECT", "ID"}, []int{16, 8, 20, 12, 8}},  // the subject narrows first
		{64, []string{"WHEN", "SEVERITY", "WHO", "SUBJECT", "ID"}, []int{16, 8, 14, 12, 8}},  // then who
		{60, []string{"WHEN", "SEVERITY", "WHO", "SUBJECT", "ID"}, []int{16, 8, 10, 12, 8}},  // all at their least
		{58, []string{"WHEN", "SEVERITY", "WHO", "SUBJECT"}, []int{16, 8, 17, 12}},           // then the id hides
		{40, []string{"WHEN", "SEVERITY", "WHO"}, []int{16, 8, 12}},                          // the subject hides
		{12, []string{"SEVERITY"}, []int{8}},                                                 // the most important stays
	}
	for _, c := range cases {
		tb := NewTable(plainStyles(), DefaultKeyMap(), cols)
		tb.SetSize(c.width, 4)
		tb.SetSource(longRows{})
		var titles []string
		for _, i := range tb.shown {
			titles = append(titles, cols[i].Title)
		}
		if fmt.Sprint(titles) != fmt.Sprint(c.titles) || fmt.Sprint(tb.widths) != fmt.Sprint(c.widths) {
			t.Errorf("at %d: columns %v widths %v, want %v %v", c.width, titles, tb.widths, c.titles, c.widths)
		}
		for _, l := range strings.Split(tb.View(), "\n") {
			if w := ansi.StringWidth(l); w > c.width {
				t.Errorf("at %d a line is %d wide: %q", c.width, w, l)
			}
			if strings.Contains(l, "word") && !strings.Contains(l, "…") {
				t.Errorf("at %d a long cell is cut without …: %q", c.width, l)
			}
		}
	}
}

// longRows is one row whose cells are longer than any column.
type longRows struct{}

func (longRows) Len() int             { return 1 }
func (longRows) Key(int) string       { return "k" }
func (longRows) Cell(int, int) string { return strings.Repeat("word ", 12) }
func (longRows) Tone(int, int) Tone   { return ToneNone }
func (longRows) Search(int) string    { return "" }
func (longRows) Fresh(int) bool       { return false }

// TestPickerLongItemsDoNotWrap: an item, a typed value and a title longer
// than the box are cut with "…" on their one line.
func TestPickerLongItemsDoNotWrap(t *testing.T) {
	long := strings.Repeat("long name ", 10)
	p := NewPicker(plainStyles(), "Assign "+long, []Item{{Label: long, Detail: "detail " + long, Value: "x"}, {Label: "short", Value: "y"}})
	p.Custom = "assignee id"
	check := func(what string, rows int) {
		t.Helper()
		view := p.View(50)
		ls := strings.Split(view, "\n")
		// border, title, input, the rows, the count, border
		if len(ls) != rows+5 || !strings.Contains(view, "…") {
			t.Fatalf("%s: %d lines, want %d:\n%s", what, len(ls), rows+5, view)
		}
		for _, l := range ls {
			if w := ansi.StringWidth(l); w != ansi.StringWidth(ls[0]) || w > 50 {
				t.Fatalf("%s: a line %d wide in a box of %d:\n%s", what, w, ansi.StringWidth(ls[0]), view)
			}
		}
	}
	check("the items", 2)
	for _, r := range strings.Repeat("z", 60) {
		p.Update(press(string(r)))
	}
	check("a long typed value", 1)
}

// An error stays on the status line over a following routine note until
// the analyst acts after having had time to read it; the note is kept.
func TestStatusErrorOutlastsANote(t *testing.T) {
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	s := NewStatus(plainStyles())
	s.Now = func() time.Time { return now }
	s.Error(errors.New("SaaS Security acme: HTTP 500: internal error"))
	s.Note("3 new ITM incident(s)")
	if line := s.View(120, "", ""); !strings.Contains(line, "✗ SaaS Security acme: HTTP 500") {
		t.Fatalf("a note replaced the error: %q", line)
	}
	s.Key() // too soon to have read it
	if s.Err() == "" {
		t.Fatal("a key at once cleared the error")
	}
	s.Note("Comment saved on 318f8044") // the answer to that key
	if line := s.View(120, "", ""); strings.Contains(line, "HTTP 500") || !strings.Contains(line, "Comment saved") {
		t.Fatalf("the answer to the analyst's key did not replace the error: %q", line)
	}
	s.Error(errors.New("Okta demo: HTTP 500"))
	now = now.Add(ErrorHold + time.Second)
	s.Key()
	if s.Err() != "" {
		t.Fatalf("a key after the hold kept the error %q", s.Err())
	}
	if msgs := s.Messages(); len(msgs) != 4 || msgs[1].Text != "3 new ITM incident(s)" {
		t.Fatalf("messages %+v", msgs)
	}
}
