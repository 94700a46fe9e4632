package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"triage/backend/clock"
)

// Term is one "name:value" of a server query, e.g. status:new,in-progress.
type Term struct {
	Name   string
	Values []string
}

// parseQuery splits a query such as "since:7d status:new,in-progress
// person:li.chen@acme.example" into terms, checking every name is one the
// tab knows. Values may be quoted: title:"two words".
func parseQuery(s string, known ...string) ([]Term, error) {
	var terms []Term
	for _, tok := range splitQuoted(s) {
		name, value, ok := strings.Cut(tok, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not name:value (known: %s)", tok, strings.Join(known, ", "))
		}
		name = strings.ToLower(name)
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("unknown query term %q (known: %s)", name, strings.Join(known, ", "))
		}
		var values []string
		for _, v := range strings.Split(strings.Trim(value, `"`), ",") {
			if v = strings.TrimSpace(v); v != "" {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			return nil, fmt.Errorf("%s: needs a value", name)
		}
		terms = append(terms, Term{Name: name, Values: values})
	}
	return terms, nil
}

// parseTerms reads a tab's query: since and until (24h, 7d or a date,
// relative to now) into since and until, every other term to each.
func parseTerms(text string, now time.Time, since, until *time.Time, each func(Term) error, known ...string) error {
	terms, err := parseQuery(text, known...)
	if err != nil {
		return err
	}
	for _, term := range terms {
		if term.Name != "since" && term.Name != "until" {
			if err := each(term); err != nil {
				return err
			}
			continue
		}
		when, err := clock.ParseWhen(term.Values[0], now)
		if err != nil {
			return fmt.Errorf("%s: %w", term.Name, err)
		}
		if term.Name == "since" {
			*since = when
		} else {
			*until = when
		}
	}
	return nil
}

// splitQuoted splits on spaces outside double quotes.
func splitQuoted(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// withTerm rewrites a query with its term name set to value, or removed
// when value is empty, keeping the other terms as they were typed.
func withTerm(text, name, value string) string {
	var out []string
	for _, tok := range splitQuoted(text) {
		if n, _, ok := strings.Cut(tok, ":"); ok && strings.EqualFold(n, name) {
			continue
		}
		out = append(out, tok)
	}
	if value != "" {
		if strings.ContainsAny(value, " \"") {
			value = `"` + strings.ReplaceAll(value, `"`, "") + `"`
		}
		out = append(out, name+":"+value)
	}
	return strings.Join(out, " ")
}
