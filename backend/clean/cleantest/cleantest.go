// Package cleantest finds text that would act on a terminal in decoded
// values, for the decoders' tests and fuzz targets: what clean.Value leaves
// must hold no escape, C0 control but newline, DEL, C1 control, bidi
// control or zero-width character.
package cleantest

import (
	"reflect"
	"unicode/utf8"
)

// Unsafe returns the first rune of s that would act on a terminal; invalid
// UTF-8 (a raw 8-bit C1 byte) is unsafe as utf8.RuneError.
func Unsafe(s string) (rune, bool) {
	if !utf8.ValidString(s) {
		return utf8.RuneError, true
	}
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			return r, true
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e', r == '\u200f', r == '\u061c':
			return r, true
		case r == '\u200b', r == '\u200c', r == '\u200d', r == '\u2060', r == '\ufeff', r == '\u180e', r == '\u00ad':
			return r, true
		}
	}
	return 0, false
}

// Dirty returns the first string reachable from v through exported fields,
// elements, map keys and values that holds a terminal control. Raw bytes
// (json.RawMessage) are not text and are skipped, as clean.Value skips
// them.
func Dirty(v any) (string, bool) {
	return dirty(reflect.ValueOf(v))
}

func dirty(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return dirty(v.Elem())
		}
	case reflect.String:
		if _, bad := Unsafe(v.String()); bad {
			return v.String(), true
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				if s, bad := dirty(v.Field(i)); bad {
					return s, true
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false
		}
		for i := 0; i < v.Len(); i++ {
			if s, bad := dirty(v.Index(i)); bad {
				return s, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if s, bad := dirty(iter.Key()); bad {
				return s, true
			}
			if s, bad := dirty(iter.Value()); bad {
				return s, true
			}
		}
	}
	return "", false
}
