package views

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"triage/backend/clock"
	"triage/backend/okta"
)

// The System Log query language: the ITM tab's name:value terms, plain
// words as Okta keywords, and a raw SCIM filter for anything else.

var oktaIDRE = regexp.MustCompile(`^0[0-9a-z]{2}[0-9A-Za-z]{17}$`)

// parseLogQuery reads the log query: name:value terms as in the ITM tab,
// plain words as Okta's keywords (q), and filter: with a SCIM expression
// taking the rest of the line.
//
//	since:-24h until:2026-11-25T10:00:00Z type:user.session.start,*mfa*
//	actor:li.chen@acme.example target:<login or id> outcome:failure,deny
//	severity:warn ip:203.0.113.7 sort:desc|asc q:"words" filter:<SCIM>
func parseLogQuery(text string, now time.Time) (okta.LogQuery, error) {
	var raw string
	if i := strings.Index(" "+text, " filter:"); i >= 0 {
		raw = strings.TrimSpace(text[i+len("filter:"):])
		text = text[:i]
		if raw == "" {
			return okta.LogQuery{}, errors.New("filter: needs a SCIM expression, e.g. filter:eventType eq \"user.session.start\"")
		}
	}
	var words, terms []string
	for _, tok := range splitQuoted(text) {
		if name, _, ok := strings.Cut(tok, ":"); ok && isTermName(name) {
			terms = append(terms, tok)
		} else {
			words = append(words, strings.Trim(tok, `"`))
		}
	}
	parsed, err := parseQuery(strings.Join(terms, " "), "since", "until", "type", "actor", "target", "outcome", "severity", "ip", "sort", "q")
	if err != nil {
		return okta.LogQuery{}, err
	}
	var q okta.LogQuery
	var clauses []string
	for _, term := range parsed {
		var alts []string
		switch term.Name {
		case "since", "until":
			when, err := clock.ParseWhen(term.Values[0], now)
			if err != nil {
				return okta.LogQuery{}, fmt.Errorf("%s: %w", term.Name, err)
			}
			if term.Name == "since" {
				q.Since = when
			} else {
				q.Until = when
			}
		case "sort":
			switch strings.ToLower(term.Values[0]) {
			case "asc", "ascending", "oldest":
				q.Descending = false
			case "desc", "descending", "newest":
				q.Descending = true
			default:
				return okta.LogQuery{}, fmt.Errorf("sort: %q is not asc or desc", term.Values[0])
			}
		case "q":
			words = append(words, term.Values...)
		case "type":
			for _, v := range term.Values {
				alts = append(alts, compare("eventType", v))
			}
		case "actor", "target":
			for _, v := range term.Values {
				attr := term.Name + ".alternateId"
				if oktaIDRE.MatchString(v) {
					attr = term.Name + ".id"
				}
				alts = append(alts, compare(attr, v))
			}
		case "outcome":
			for _, v := range term.Values {
				alts = append(alts, compare("outcome.result", strings.ToUpper(v)))
			}
		case "severity":
			for _, v := range term.Values {
				alts = append(alts, compare("severity", strings.ToUpper(v)))
			}
		case "ip":
			for _, v := range term.Values {
				alts = append(alts, compare("client.ipAddress", v))
			}
		}
		if len(alts) > 0 {
			clauses = append(clauses, orTerms(alts))
		}
	}
	if raw != "" {
		if len(clauses) > 0 {
			raw = "(" + raw + ")"
		}
		clauses = append(clauses, raw)
	}
	q.Filter = strings.Join(clauses, " and ")
	q.Keywords = strings.Join(words, " ")
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return okta.LogQuery{}, errors.New("until must be after since")
	}
	return q, nil
}

// compare is attr eq "v", or attr co "v" when v has a * wildcard.
func compare(attr, v string) string {
	if strings.Contains(v, "*") {
		return attr + " co " + okta.Quote(strings.ReplaceAll(v, "*", ""))
	}
	return attr + " eq " + okta.Quote(v)
}
