package views

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"triage/backend/okta"
)

// The System Log query language: the ITM tab's name:value terms, plain
// words as Okta keywords, and a raw SCIM filter for anything else.

var (
	oktaIDRE = regexp.MustCompile(`^0[0-9a-z]{2}[0-9A-Za-z]{17}$`)
	// termRE is a token that is a name:value term, so "https://x" or
	// "10:00" stay words.
	termRE = regexp.MustCompile(`^[A-Za-z]+:`)
)

// logAttrs are the SCIM attributes the log query's terms compare: byID
// when the value is an Okta id, upper when Okta spells the values in
// capitals (outcome.result FAILURE).
var logAttrs = map[string]struct {
	attr, byID string
	upper      bool
}{
	"type":     {attr: "eventType"},
	"actor":    {attr: "actor.alternateId", byID: "actor.id"},
	"target":   {attr: "target.alternateId", byID: "target.id"},
	"outcome":  {attr: "outcome.result", upper: true},
	"severity": {attr: "severity", upper: true},
	"ip":       {attr: "client.ipAddress"},
}

// logSorts are the words sort: takes, and whether each is newest first.
var logSorts = map[string]bool{"asc": false, "ascending": false, "oldest": false, "desc": true, "descending": true, "newest": true}

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
	words, terms := splitWords(text)
	var q okta.LogQuery
	var clauses []string
	err := parseTerms(terms, now, &q.Since, &q.Until, func(term Term) error {
		switch term.Name {
		case "sort":
			desc, ok := logSorts[strings.ToLower(term.Values[0])]
			if !ok {
				return fmt.Errorf("sort: %q is not asc or desc", term.Values[0])
			}
			q.Descending = desc
		case "q":
			words = append(words, term.Values...)
		default:
			a := logAttrs[term.Name]
			var alts []string
			for _, v := range term.Values {
				attr := a.attr
				if a.byID != "" && oktaIDRE.MatchString(v) {
					attr = a.byID
				}
				if a.upper {
					v = strings.ToUpper(v)
				}
				alts = append(alts, compare(attr, v))
			}
			clauses = append(clauses, orTerms(alts))
		}
		return nil
	}, "since", "until", "type", "actor", "target", "outcome", "severity", "ip", "sort", "q")
	if err != nil {
		return okta.LogQuery{}, err
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

// splitWords parts a search into its plain words and its name:value
// terms.
func splitWords(text string) (words []string, terms string) {
	var ts []string
	for _, tok := range splitQuoted(text) {
		if termRE.MatchString(tok) {
			ts = append(ts, tok)
		} else {
			words = append(words, strings.Trim(tok, `"`))
		}
	}
	return words, strings.Join(ts, " ")
}

// compare is attr eq "v", or attr co "v" when v has a * wildcard.
func compare(attr, v string) string {
	if strings.Contains(v, "*") {
		return attr + " co " + okta.Quote(strings.ReplaceAll(v, "*", ""))
	}
	return attr + " eq " + okta.Quote(v)
}

// orTerms joins alternatives of one filter term.
func orTerms(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " or ") + ")"
}
