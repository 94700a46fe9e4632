// Package clean makes vendor text safe to put on a terminal.
//
// Everything a vendor returns (email subjects, file names, log messages,
// user names) is attacker-controlled. It is cleaned once, where it is
// decoded, so no view can forget to: escape sequences are removed, control
// characters dropped, and characters that reorder or hide text made visible.
package clean

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// String returns s with every terminal control removed. Newlines are kept,
// a tab becomes four spaces and a lone carriage return becomes a newline, so
// "DENY\rALLOW" cannot overwrite itself on screen.
func String(s string) string {
	if isPlain(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// A hyperlink's target is evidence: it stays, as text, before the
	// sequences that carry it are dropped.
	s = links(s)
	// x/ansi parses and drops CSI, OSC, DCS, APC and the rest; it keeps C0,
	// C1 and bidi characters, which are handled below.
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue // CRLF: the LF follows
			}
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString("    ")
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			// C0, DEL and C1 controls carry no text.
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case isBidi(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		case isInvisible(r):
			// zero-width characters hide text or split words to dodge filters
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// OSC 8 hyperlinks: ESC ] 8 ; params ; URI, ended by ST (ESC \) or BEL;
// the link's text follows and an OSC 8 with an empty URI closes it
// (https://gist.github.com/egmontkob/eb114294efbcd5adb1944c9f3cb5feda,
// "Hyperlinks (a.k.a. HTML-like anchors) in terminal emulators").
const oscLink = "\x1b]8;"

// links rewrites each OSC 8 hyperlink as its text followed by its target
// in angle brackets, "click here <https://…>", so a link whose text hides
// where it goes shows both, inert. A link whose text is its target shows
// once. The sequences themselves are left for ansi.Strip.
func links(s string) string {
	if !strings.Contains(s, oscLink) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	target, textAt := "", 0 // the open link's target, where its text starts in b
	closeLink := func() {
		if target != "" && b.String()[textAt:] != target {
			b.WriteString(" <" + target + ">")
		}
		target = ""
	}
	for {
		i := strings.Index(s, oscLink)
		if i < 0 {
			break
		}
		b.WriteString(s[:i])
		body := s[i+len(oscLink):]
		end, next := oscEnd(body)
		if end < 0 {
			s = s[i:] // unterminated: nothing follows it on a terminal either
			break
		}
		closeLink()
		if _, uri, ok := strings.Cut(body[:end], ";"); ok {
			target, textAt = uri, b.Len()
		}
		s = body[next:]
	}
	b.WriteString(s)
	closeLink()
	return b.String()
}

// oscEnd finds the terminator of an OSC's body: where it starts and where
// what follows it starts, or -1.
func oscEnd(body string) (end, next int) {
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\a':
			return i, i + 1
		case '\x1b':
			if i+1 < len(body) && body[i+1] == '\\' {
				return i, i + 2
			}
			return i, i // an escape ends the string; ansi.Strip takes it
		}
	}
	return -1, -1
}

// Line is String for a single-line cell: every line break becomes a space.
func Line(s string) string {
	s = String(s)
	if strings.IndexByte(s, '\n') < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// isPlain reports whether s is printable ASCII (plus newline), the common
// case, which needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\n') || c >= 0x7f {
			return false
		}
	}
	return true
}

// isBidi covers the explicit directional formatting characters that can
// make text display in a different order than it reads (Trojan Source).
func isBidi(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200e', r == '\u200f', r == '\u061c':
		return true
	}
	return false
}

func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u180e', '\u00ad':
		return true
	}
	return false
}

// Value cleans every string reachable from v in place: struct fields, slice
// elements, map keys and values, through pointers and interfaces. Clients
// call it on each decoded object so no vendor string escapes cleaning.
func Value(v any) {
	walk(reflect.ValueOf(v))
}

func walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Interface {
			// Values inside an interface are not addressable: rebuild them.
			inner := v.Elem()
			if cleaned, changed := cleanCopy(inner); changed && v.CanSet() {
				v.Set(cleaned)
			}
			return
		}
		walk(v.Elem())
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); !isPlain(s) {
				v.SetString(String(s))
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw bytes ([]byte, json.RawMessage) are cleaned when shown
		}
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		type kv struct{ k, v reflect.Value }
		var updates []kv
		for iter.Next() {
			k, val := iter.Key(), iter.Value()
			ck, kChanged := cleanCopy(k)
			cv, vChanged := cleanCopy(val)
			if kChanged || vChanged {
				updates = append(updates, kv{k, reflect.Value{}}, kv{ck, cv})
			}
		}
		for _, u := range updates {
			v.SetMapIndex(u.k, u.v)
		}
	}
}

// cleanCopy returns a cleaned copy of a value that cannot be set in place
// (a map entry or the content of an interface) and whether it changed.
func cleanCopy(v reflect.Value) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if isPlain(s) {
			return v, false
		}
		c := reflect.New(v.Type()).Elem()
		c.SetString(String(s))
		return c, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		inner, changed := cleanCopy(v.Elem())
		if !changed {
			return v, false
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(inner)
		return c, true
	case reflect.Map, reflect.Slice, reflect.Pointer:
		// Reference types: clean what they point to; the header is unchanged.
		walk(v)
		return v, false
	case reflect.Struct, reflect.Array:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		walk(c)
		return c, true
	}
	return v, false
}

// JSON returns the JSON text b with nothing left in it that acts on a
// terminal. Go's encoder escapes C0 controls but writes DEL, C1 controls,
// bidi and zero-width characters as they are, and a vendor's raw JSON may
// hold them too. In strings every rune String would change becomes a \u
// escape (invalid UTF-8 becomes \ufffd, as encoding/json decodes it), so
// valid JSON keeps its meaning; outside strings, where valid JSON has only
// whitespace, a tab or carriage return becomes a space and any other
// control is dropped.
func JSON(b []byte) []byte {
	if isPlain(string(b)) {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	inString, escaped := false, false
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			if inString {
				out = append(out, `\ufffd`...)
			}
			escaped = false
		case isControl(r):
			switch {
			case inString:
				out = fmt.Appendf(out, `\u%04x`, r)
			case r == '\n':
				out = append(out, '\n')
			case r == '\t' || r == '\r':
				out = append(out, ' ')
			}
			escaped = false
		default:
			out = utf8.AppendRune(out, r)
			switch {
			case escaped:
				escaped = false
			case inString && r == '\\':
				escaped = true
			case r == '"':
				inString = !inString
			}
		}
	}
	return out
}

// isControl reports a rune that String removes or rewrites.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == '\u2028' || r == '\u2029' || isBidi(r) || isInvisible(r)
}
