package sim

import (
	"fmt"
	"strings"
	"unicode"
)

// scimFilter is a compiled SCIM filter (RFC 7644 §3.4.2.2), the language of
// Okta's filter and search parameters. get returns an object's values for
// an attribute path; a multi-valued attribute (a log event's targets)
// matches when any value does.
type scimFilter func(get func(attr string) []string) bool

// compileSCIM parses expr, accepting only the attributes known allows. The
// error says what is wrong and where, as Okta's errorCauses do.
func compileSCIM(expr string, known func(attr string) bool) (scimFilter, error) {
	p := &scimParser{toks: nil, known: known}
	if err := p.lex(expr); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("the filter is empty")
	}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.toks[p.pos].text, p.toks[p.pos].at+1)
	}
	return f, nil
}

type scimTok struct {
	text   string
	quoted bool
	at     int
}

type scimParser struct {
	toks  []scimTok
	pos   int
	known func(string) bool
}

func (p *scimParser) lex(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(' || c == ')':
			p.toks = append(p.toks, scimTok{text: string(c), at: i})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return fmt.Errorf("unterminated string starting at position %d", i+1)
			}
			p.toks = append(p.toks, scimTok{text: b.String(), quoted: true, at: i})
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '(' && s[j] != ')' && s[j] != '"' && s[j] != '\t' && s[j] != '\n' {
				j++
			}
			p.toks = append(p.toks, scimTok{text: s[i:j], at: i})
			i = j
		}
	}
	return nil
}

func (p *scimParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *scimParser) or() (scimFilter, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		p.pos++
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(get func(string) []string) bool { return l(get) || right(get) }
	}
	return left, nil
}

func (p *scimParser) and() (scimFilter, error) {
	left, err := p.factor()
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		p.pos++
		right, err := p.factor()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(get func(string) []string) bool { return l(get) && right(get) }
	}
	return left, nil
}

func (p *scimParser) factor() (scimFilter, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("the filter ends where an expression was expected")
	}
	if p.peekWord("not") {
		p.pos++
		if !p.peekWord("(") {
			return nil, fmt.Errorf("not must be followed by a parenthesised expression")
		}
		inner, err := p.factor()
		if err != nil {
			return nil, err
		}
		return func(get func(string) []string) bool { return !inner(get) }, nil
	}
	if p.peekWord("(") {
		open := p.toks[p.pos].at
		p.pos++
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peekWord(")") {
			return nil, fmt.Errorf("the parenthesis at position %d is not closed", open+1)
		}
		p.pos++
		return inner, nil
	}
	return p.comparison()
}

func (p *scimParser) comparison() (scimFilter, error) {
	attr := p.toks[p.pos]
	if attr.quoted || !validAttr(attr.text) {
		return nil, fmt.Errorf("%q at position %d is not an attribute name", attr.text, attr.at+1)
	}
	if !p.known(attr.text) {
		return nil, fmt.Errorf("attribute %q is not supported in a filter", attr.text)
	}
	p.pos++
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("%s needs an operator (eq, co, sw, pr...)", attr.text)
	}
	op := strings.ToLower(p.toks[p.pos].text)
	p.pos++
	name := attr.text
	if op == "pr" {
		return func(get func(string) []string) bool {
			for _, v := range get(name) {
				if v != "" {
					return true
				}
			}
			return false
		}, nil
	}
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("%s %s needs a value", name, op)
	}
	val := p.toks[p.pos]
	if !val.quoted && val.text != "true" && val.text != "false" && val.text != "null" && !isNumber(val.text) {
		return nil, fmt.Errorf("the value %s at position %d must be in double quotes", val.text, val.at+1)
	}
	p.pos++
	want := strings.ToLower(val.text)
	var match func(have string) bool
	switch op {
	case "eq":
		match = func(h string) bool { return strings.ToLower(h) == want }
	case "ne":
		match = func(h string) bool { return strings.ToLower(h) != want }
	case "co":
		match = func(h string) bool { return strings.Contains(strings.ToLower(h), want) }
	case "sw":
		match = func(h string) bool { return strings.HasPrefix(strings.ToLower(h), want) }
	case "ew":
		match = func(h string) bool { return strings.HasSuffix(strings.ToLower(h), want) }
	case "gt":
		match = func(h string) bool { return strings.ToLower(h) > want }
	case "ge":
		match = func(h string) bool { return strings.ToLower(h) >= want }
	case "lt":
		match = func(h string) bool { return h != "" && strings.ToLower(h) < want }
	case "le":
		match = func(h string) bool { return h != "" && strings.ToLower(h) <= want }
	default:
		return nil, fmt.Errorf("unknown operator %q after %s", op, name)
	}
	return func(get func(string) []string) bool {
		for _, v := range get(name) {
			if match(v) {
				return true
			}
		}
		return false
	}, nil
}

func validAttr(s string) bool {
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '_' && r != '$' && r != '-' {
			return false
		}
	}
	return true
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !unicode.IsDigit(r) && !(i == 0 && r == '-') && r != '.' {
			return false
		}
	}
	return true
}
