package server

import (
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	shlex "github.com/anmitsu/go-shlex"
)

// A command is split into the words the session library's go-shlex gave,
// so every command that ran before runs the same.
func TestSplitWordsAsTheSessionLibraryDid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"triage itm show 318f8044-email:pps --json", []string{"triage", "itm", "show", "318f8044-email:pps", "--json"}},
		{`triage itm comment X 'it''s "fine"'`, []string{"triage", "itm", "comment", "X", `its "fine"`}},
		{`triage itm comment X "a \"quoted\" \\ \$HOME"`, []string{"triage", "itm", "comment", "X", `a "quoted" \ \$HOME`}},
		{`a\ b c\\d \'e`, []string{"a b", `c\d`, "'e"}},
		{"  spaced\tout\n\u00a0words  ", []string{"spaced", "out", "words"}},
		{`empty "" '' words`, []string{"empty", "words"}},
		{`glued"to"'gether'`, []string{"gluedtogether"}},
		{"# not a comment", []string{"#", "not", "a", "comment"}},
		{"", nil},
	} {
		got, err := splitWords(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if old, _ := shlex.Split(c.in, true); len(old) > 0 || len(got) > 0 {
			if !reflect.DeepEqual(got, old) {
				t.Errorf("splitWords(%q) = %q; go-shlex said %q", c.in, got, old)
			}
		}
	}
	for _, bad := range []string{`a 'b`, `a "b`, `a \`, `"a\`} {
		if got, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q) = %q, want an error", bad, got)
		}
	}
	// Random commands of the characters that matter.
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab \t\n'\"\\$#-=\u00a0é\u2028")
	for i := 0; i < 20000; i++ {
		b := make([]rune, r.IntN(24))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		same(t, string(b))
	}
}

// same fails unless splitWords and go-shlex agree on s: the same words, or
// both an error.
func same(t *testing.T, s string) {
	t.Helper()
	got, err := splitWords(s)
	old, oldErr := shlex.Split(s, true)
	switch {
	case (err != nil) != (oldErr != nil):
		t.Fatalf("%q: error %v; go-shlex's %v", s, err, oldErr)
	case err == nil && len(got)+len(old) > 0 && !reflect.DeepEqual(got, old):
		t.Fatalf("%q: %q; go-shlex said %q", s, got, old)
	}
}

func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{"triage itm show X --json", `a 'b c' "d \" e" f\ g`, `"a\`, "\xff'x'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2048 {
			return // go-shlex's time grows with the square of the length
		}
		same(t, s)
	})
}

// Splitting allocates in proportion to the command: go-shlex's
// `token += string(next)` allocated the square of the length, 31 GB for a
// 250 KB word.
func TestSplitWordsIsLinear(t *testing.T) {
	long := strings.Repeat("x", 1<<20) + " " + strings.Repeat(`'a"b' c\d `, 1<<16)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	words, err := splitWords(long)
	runtime.ReadMemStats(&after)
	if err != nil || len(words) != 1+2<<16 || len(words[0]) != 1<<20 {
		t.Fatalf("%d words, %v", len(words), err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16*uint64(len(long)) {
		t.Fatalf("splitting %d KB allocated %d KB", len(long)>>10, n>>10)
	}
}
