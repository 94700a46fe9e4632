package clean

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStringRemovesTerminalControls(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Quarterly report.xlsx", "Quarterly report.xlsx"},
		{"csi clear screen", "a\x1b[2J\x1b[Hb", "ab"},
		{"sgr colour", "\x1b[31mred\x1b[0m", "red"},
		{"osc 0 title", "x\x1b]0;pwned\x07y", "xy"},
		{"osc 52 clipboard", "x\x1b]52;c;Y3VybCBldmlsLnNo\x07y", "xy"},
		{"osc 8 link shows its target", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click <https://evil.example>"},
		{"osc 8 link ended by bel, with params", "see \x1b]8;id=1;https://evil.example/a;b\aclick here\x1b]8;;\a now", "see click here <https://evil.example/a;b> now"},
		{"osc 8 link whose text is its target", "\x1b]8;;https://x.example\x1b\\https://x.example\x1b]8;;\x1b\\", "https://x.example"},
		{"osc 8 link never closed", "\x1b]8;;https://evil.example\x1b\\click", "click <https://evil.example>"},
		{"osc 8 link opened over another", "\x1b]8;;https://a.example\x1b\\a\x1b]8;;https://b.example\x1b\\b\x1b]8;;\x1b\\", "a <https://a.example>b <https://b.example>"},
		{"osc 8 target cleaned", "\x1b]8;;https://e.example/\u202e\u009b2J\x1b\\x\x1b]8;;\x1b\\", "x <https://e.example/<U+202E>2J>"},
		{"osc 8 unterminated", "a\x1b]8;;https://evil.example", "a"},
		{"carriage return overwrite", "DENY\rALLOW", "DENY\nALLOW"},
		{"crlf", "one\r\ntwo", "one\ntwo"},
		{"backspace and bell", "ab\bc\x07d", "abcd"},
		{"utf-8 c1 csi", "x\u009b2Jy", "x2Jy"},
		{"raw 8-bit c1 byte", "x\x9by", "x\uFFFDy"},
		{"del", "a\x7fb", "ab"},
		{"tab", "a\tb", "a    b"},
		{"bidi override visible", "invoice\u202Efdp.exe", "invoice<U+202E>fdp.exe"},
		{"zero width removed", "pay\u200bpal", "paypal"},
		{"line separator", "a\u2028b", "a\nb"},
		{"unicode kept", "Zoë Müller 日本", "Zoë Müller 日本"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := String(c.in); got != c.want {
				t.Fatalf("String(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestLineFlattensNewlines(t *testing.T) {
	if got := Line("first\nsecond\rthird"); got != "first second third" {
		t.Fatalf("Line = %q", got)
	}
}

type nested struct {
	Name    string
	Tags    []string
	Extra   map[string]any
	Ptr     *nested
	private string
	Raw     json.RawMessage
}

func TestValueCleansEveryReachableString(t *testing.T) {
	v := &nested{
		Name:    "a\x1b[2Jb",
		Tags:    []string{"\x1b]0;t\x07tag"},
		Extra:   map[string]any{"k\x1b[1m": "v\x07", "list": []any{"x\x1b[Hy", map[string]any{"deep": "\u202e"}}},
		Ptr:     &nested{Name: "in\rner"},
		private: "\x1b[2J",
		Raw:     json.RawMessage(`"\u001b"`),
	}
	Value(v)
	if v.Name != "ab" || v.Tags[0] != "tag" || v.Ptr.Name != "in\nner" {
		t.Fatalf("fields not cleaned: %+v", v)
	}
	if v.Extra["k"] != "v" {
		t.Fatalf("map key or value not cleaned: %#v", v.Extra)
	}
	list := v.Extra["list"].([]any)
	if list[0] != "xy" || list[1].(map[string]any)["deep"] != "<U+202E>" {
		t.Fatalf("nested interface values not cleaned: %#v", list)
	}
	if v.private != "\x1b[2J" {
		t.Fatal("unexported fields must be left alone")
	}
}

// safe reports the first byte that would reach the terminal as a control.
func unsafeRune(s string) (rune, bool) {
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidi(r) || isInvisible(r) || r == utf8.RuneError && !strings.Contains(s, "\uFFFD") {
			return r, true
		}
	}
	return 0, false
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "\x1b]52;c;AAAA\x07", "a\rb", "\u202e\u200b", "\x9b\xff\xfe", "\x1b]8;;u\x1b\\t\x1b]8;;\x1b\\", "\x1bP\x1b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := String(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", in)
		}
		if r, bad := unsafeRune(out); bad {
			t.Fatalf("String(%q) = %q still holds %U", in, out, r)
		}
		if again := String(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		if strings.ContainsRune(Line(in), '\n') {
			t.Fatalf("Line(%q) kept a newline", in)
		}
		// JSON: any input comes out inert; a string encoded by Go comes out
		// as the same string.
		if r, bad := unsafeRune(string(JSON([]byte(in)))); bad {
			t.Fatalf("JSON(%q) still holds %U", in, r)
		}
		enc, _ := json.Marshal(in)
		var want, back string
		json.Unmarshal(enc, &want)
		if err := json.Unmarshal(JSON(enc), &back); err != nil || back != want {
			t.Fatalf("JSON(%s) decodes to %q (%v), want %q", enc, back, err, want)
		}
	})
}

func TestJSONEscapesWhatGoesToATerminal(t *testing.T) {
	hostile := "\x1b]52;c;AAAA\x07 \u009b2J \x7f \u202egnp.exe pay\u200bpal a\u2028b \x00"
	// Go's encoder escapes C0 (ESC as \u001b) but not DEL, C1 or bidi.
	enc, _ := json.Marshal(map[string]string{"subject": hostile})
	if !strings.Contains(string(enc), `\u001b]52`) || !strings.Contains(string(enc), "\u009b") {
		t.Fatalf("encoding/json changed: %s", enc)
	}
	for _, c := range []struct{ name, in, want string }{
		{"encoder output", string(enc), `{"subject":"\u001b]52;c;AAAA\u0007 \u009b2J \u007f \u202egnp.exe pay\u200bpal a\u2028b \u0000"}`},
		{"raw vendor JSON", "{\"a\": \"x\u009by\x7f\u202e\", \"b\": [1, \"\\\"\u200b\"]}", `{"a": "x\u009by\u007f\u202e", "b": [1, "\"\u200b"]}`},
		{"escapes kept", `["\\", "\"", "\u001b"]`, `["\\", "\"", "\u001b"]`},
		{"invalid UTF-8 in a string", "[\"\x9b[31m\xff\"]", `["\ufffd[31m\ufffd"]`},
		{"whitespace outside strings", "{\r\n\t\"a\":\t1\r\n}", "{ \n \"a\": 1 \n}"},
		{"unicode kept", `{"name":"Zoë Müller 日本"}`, `{"name":"Zoë Müller 日本"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := string(JSON([]byte(c.in)))
			if got != c.want {
				t.Fatalf("JSON(%q)\n = %s\nwant %s", c.in, got, c.want)
			}
			if r, bad := unsafeRune(got); bad {
				t.Fatalf("%q still holds %U", got, r)
			}
			var before, after any
			if json.Unmarshal([]byte(c.in), &before) == nil {
				if err := json.Unmarshal([]byte(got), &after); err != nil {
					t.Fatalf("no longer JSON: %v", err)
				}
				if b, a := fmt.Sprint(before), fmt.Sprint(after); b != a {
					t.Fatalf("the document changed: %q -> %q", b, a)
				}
			}
		})
	}
}
