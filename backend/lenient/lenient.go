// Package lenient decodes the JSON values vendors are inconsistent about:
// numbers sent as strings and strings sent as numbers, times in several
// layouts or as epoch numbers, and lists that come bare or wrapped.
package lenient

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// String accepts a JSON string, number or boolean; null is empty.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = String(v)
	case b[0] == '{' || b[0] == '[':
		*s = "" // an object where text was expected carries no display value
	default:
		*s = String(b)
	}
	return nil
}

func (s String) String() string { return string(s) }

// Int accepts a JSON number or a numeric string.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	if err != nil {
		*n = 0 // a word where a number was expected: keep going
		return nil
	}
	*n = Int(f)
	return nil
}

// Bool accepts true/false, "true"/"false" and 1/0.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (v *Bool) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	switch strings.ToLower(string(s)) {
	case "true", "1", "yes":
		*v = true
	default:
		*v = false
	}
	return nil
}

// Time accepts RFC 3339 times with or without fraction or zone, the
// "+0000" zone form, and epoch seconds or milliseconds.
type Time struct{ time.Time }

var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	"2006/01/02",
}

// ParseTime parses any of the layouts Time accepts; a time without a zone
// is UTC.
func ParseTime(s string) (time.Time, bool) { return ParseTimeIn(s, time.UTC) }

// ParseTimeIn is ParseTime reading a time without a zone (a bare date) in
// loc.
func ParseTimeIn(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return epoch(n), true
	}
	return time.Time{}, false
}

func epoch(n int64) time.Time {
	if n > 1e11 { // milliseconds
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// UnmarshalJSON implements json.Unmarshaler. An unparseable time is zero,
// not an error: one odd field must not lose the whole object.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	t.Time, _ = ParseTime(string(s))
	return nil
}

// MarshalJSON writes RFC 3339, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Time.Format(time.RFC3339Nano))
}

// List decodes a list that may come bare ([...]) or wrapped in an object
// under one of the given keys ({"users":[...]}, {"data":[...]}).
func List[T any](body []byte, keys ...string) ([]T, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var out []T
		err := json.Unmarshal(body, &out)
		return out, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if raw, ok := obj[k]; ok && len(raw) > 0 && string(raw) != "null" {
			var out []T
			err := json.Unmarshal(raw, &out)
			return out, err
		}
	}
	return nil, nil
}
