package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Find returns the config file to use: the --config flag, else
// $TRIAGE_CONFIG, else $XDG_CONFIG_HOME/triage/config.toml (or
// ~/.config/triage/config.toml). found is false when none exists; an
// explicitly named file that does not exist is still returned, so Load can
// say so.
func Find(flag string) (path string, found bool) {
	if flag != "" {
		return flag, true
	}
	if env := os.Getenv("TRIAGE_CONFIG"); env != "" {
		return env, true
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", false
		}
		dir = filepath.Join(home, ".config")
	}
	p := filepath.Join(dir, "triage", "config.toml")
	if _, err := os.Stat(p); err != nil {
		return p, false
	}
	return p, true
}

// Problem is one thing wrong with the config, with where it is and the fix.
type Problem struct {
	Line int    // 0 when the key is absent from the file
	Key  string // e.g. itm[0].client_secret
	Msg  string
	Fix  string
}

// Error lists every problem found in one config file.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		if p.Key != "" {
			fmt.Fprintf(&b, ": %s", p.Key)
		}
		fmt.Fprintf(&b, ": %s", p.Msg)
		if p.Fix != "" {
			fmt.Fprintf(&b, " (%s)", p.Fix)
		}
	}
	return b.String()
}

// Load reads, resolves and validates a config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{File: path, Problems: []Problem{{Msg: "no such file", Fix: "check --config or $TRIAGE_CONFIG, or copy config.toml.example"}}}
		}
		return nil, &Error{File: path, Problems: []Problem{{Msg: err.Error()}}}
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(path); err == nil && cfg.holdsLiteralSecrets(data) {
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("%s holds secrets and is readable by group or others (mode %04o); run: chmod 600 %s", path, mode, path))
		}
	}
	return cfg, nil
}

// Parse decodes config text; name is used in messages only.
func Parse(name string, data []byte) (*Config, error) {
	cfg := &Config{File: name}
	loc := newLocator(data)
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line := pe.Position.Line
			// The parser may count an offending newline as the next line;
			// the byte offset is exact.
			if st := pe.Position.Start; st > 0 && st <= len(data) {
				line = 1 + bytes.Count(data[:st], []byte("\n"))
			}
			return nil, &Error{File: name, Problems: []Problem{{Line: line, Key: loc.keyAt(line), Msg: strings.TrimPrefix(pe.Message, "toml: ")}}}
		}
		if p, ok := typeProblem(err.Error()); ok {
			return nil, &Error{File: name, Problems: []Problem{p}}
		}
		return nil, &Error{File: name, Problems: []Problem{{Msg: err.Error()}}}
	}
	cfg.loc = loc
	v := &validator{file: name, loc: loc}
	for _, k := range md.Undecoded() {
		v.unknown(k)
	}
	cfg.applyDefaults()
	cfg.resolveSecrets(v)
	cfg.validate(v)
	cfg.Warnings = append(cfg.Warnings, v.warnings...)
	if len(v.problems) > 0 {
		sort.SliceStable(v.problems, func(i, j int) bool {
			a, b := v.problems[i].Line, v.problems[j].Line
			return a != 0 && (b == 0 || a < b)
		})
		return nil, &Error{File: name, Problems: v.problems}
	}
	return cfg, nil
}

// typeError is the TOML decoder's message for a value of the wrong type.
var typeError = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): incompatible types: TOML value has type (.+); destination has type (.+)$`)

// tomlTypes names the decoder's Go types of TOML values as a config's
// author knows them; wantTypes what each destination takes.
var (
	tomlTypes = map[string]string{"string": "text", "int64": "a number", "float64": "a number", "bool": "true or false",
		"[]any": "a list", "[]map[string]any": "a list of tables", "map[string]any": "a table", "time.Time": "a date"}
	wantTypes = map[string]string{"string": `text in quotes ("...")`, "primitive (string-like)": `text in quotes ("...")`,
		"boolean": "true or false", "slice": "a list ([...])", "map": "a table", "integer": "a whole number", "float": "a number"}
)

// typeProblem turns the decoder's type error into a problem with its line
// and key.
func typeProblem(msg string) (Problem, bool) {
	m := typeError.FindStringSubmatch(msg)
	if m == nil {
		return Problem{}, false
	}
	line, _ := strconv.Atoi(m[1])
	got, want := tomlTypes[m[3]], wantTypes[m[4]]
	if got == "" {
		got = "of another type"
	}
	if want == "" {
		want = m[4]
	}
	return Problem{Line: line, Key: m[2], Msg: "is " + got + ", not " + want}, true
}

// validator collects problems with their line numbers.
type validator struct {
	file     string
	loc      *locator
	problems []Problem
	warnings []string
}

// at reports a problem with key in the index-th table named table ("" for
// top-level, index -1 for a plain [table]).
func (v *validator) at(table string, index int, key, msg, fix string) {
	v.problems = append(v.problems, Problem{
		Line: v.loc.line(table, index, key),
		Key:  keyName(table, index, key),
		Msg:  msg,
		Fix:  fix,
	})
}

func (v *validator) warn(table string, index int, key, msg string) {
	where := v.file
	if l := v.loc.line(table, index, key); l > 0 {
		where = fmt.Sprintf("%s:%d", v.file, l)
	}
	v.warnings = append(v.warnings, fmt.Sprintf("%s: %s: %s", where, keyName(table, index, key), msg))
}

func keyName(table string, index int, key string) string {
	name := table
	if index >= 0 {
		name = fmt.Sprintf("%s[%d]", table, index)
	}
	if key != "" {
		if name != "" {
			name += "."
		}
		name += key
	}
	return name
}

func (v *validator) unknown(k toml.Key) {
	parts := []string(k)
	// Find the table the key sits in: the longest prefix that is a known table.
	table, key := "", strings.Join(parts, ".")
	for i := len(parts) - 1; i > 0; i-- {
		t := strings.Join(parts[:i], ".")
		if _, ok := knownKeys[t]; ok {
			table, key = t, strings.Join(parts[i:], ".")
			break
		}
	}
	line := v.loc.firstLine(table, parts[len(parts)-1])
	fix := ""
	if s := suggest(table, key); s != "" {
		fix = fmt.Sprintf("did you mean %q?", s)
	} else if keys := knownKeys[table]; len(keys) > 0 {
		fix = "known keys: " + strings.Join(keys, ", ")
	}
	name := key
	if table != "" {
		name = table + "." + key
	}
	v.problems = append(v.problems, Problem{Line: line, Key: name, Msg: "unknown key", Fix: fix})
}

var conn = []string{"timeout", "ca_file", "insecure_skip_verify", "proxy"}

// knownKeys lists the keys of each table, for unknown-key suggestions.
var knownKeys = map[string][]string{
	"":             {"ui", "audit", "state", "itm", "saas", "okta", "atlassian", "essentials", "ssh", "keys", "views"},
	"views":        {"name", "tab", "query", "filter"},
	"ui":           {"refresh", "theme"},
	"audit":        {"path", "on_error"},
	"state":        {"dir", "postgres"},
	"itm":          append([]string{"name", "base_url", "api_version", "client_id", "client_secret", "statuses", "query"}, conn...),
	"itm.statuses": {"id", "title"},
	"saas":         append([]string{"name", "base_url", "client_id", "client_secret", "scopes", "query"}, conn...),
	"okta":         append([]string{"name", "url", "api_token", "client_id", "private_key_file", "key_id", "scopes", "dpop"}, conn...),
	"atlassian":    append([]string{"name", "base_url", "directory_id", "token"}, conn...),
	"essentials":   append([]string{"name", "base_url", "domain", "username", "password"}, conn...),
	"ssh":          {"listen", "host_key", "idle_timeout", "max_timeout", "max_sessions", "analysts"},
	"ssh.analysts": {"name", "role", "keys"},
}

func suggest(table, key string) string { return closest(key, knownKeys[table]) }

// distance is the Levenshtein edit distance, for "did you mean".
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// locator finds the line of a key in the TOML text. BurntSushi/toml keeps
// key positions private, so the text is scanned for table headers and keys.
type locator struct {
	lines map[string]int // "itm#0.client_secret", "ui.theme", "itm#0" (header)
	first map[string]int // "itm.client_secret": first occurrence in any itm table
}

var (
	arrayHeader = regexp.MustCompile(`^\s*\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]`)
	tableHeader = regexp.MustCompile(`^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]`)
	keyLine     = regexp.MustCompile(`^\s*([A-Za-z0-9_\-]+)\s*=`)
)

func newLocator(data []byte) *locator {
	l := &locator{lines: map[string]int{}, first: map[string]int{}}
	counts := map[string]int{}
	current, plain := "", ""
	for i, text := range strings.Split(string(data), "\n") {
		n := i + 1
		if m := arrayHeader.FindStringSubmatch(text); m != nil {
			plain = m[1]
			current = fmt.Sprintf("%s#%d", m[1], counts[m[1]])
			counts[m[1]]++
			l.lines[current] = n
			continue
		}
		if m := tableHeader.FindStringSubmatch(text); m != nil {
			plain, current = m[1], m[1]
			l.lines[current] = n
			continue
		}
		if m := keyLine.FindStringSubmatch(text); m != nil {
			k := m[1]
			if current != "" {
				k = current + "." + m[1]
			}
			if _, seen := l.lines[k]; !seen {
				l.lines[k] = n
			}
			fk := m[1]
			if plain != "" {
				fk = plain + "." + m[1]
			}
			if _, seen := l.first[fk]; !seen {
				l.first[fk] = n
			}
		}
	}
	return l
}

// line returns the line of key in the index-th [[table]] (or [table] when
// index is -1), falling back to the table header, or 0.
func (l *locator) line(table string, index int, key string) int {
	t := table
	if index >= 0 {
		t = fmt.Sprintf("%s#%d", table, index)
	}
	k := key
	if t != "" {
		k = t + "." + key
	}
	if n, ok := l.lines[k]; ok && key != "" {
		return n
	}
	return l.lines[t]
}

// keyAt names the key (or table) on line n: "keys.comment",
// "itm[0].timeout"; "" for none.
func (l *locator) keyAt(n int) string {
	for k, line := range l.lines { // one line holds one key or one header
		if line == n {
			return arrayIndex.ReplaceAllString(k, "[$1]")
		}
	}
	return ""
}

var arrayIndex = regexp.MustCompile(`#(\d+)`)

func (l *locator) firstLine(table, key string) int {
	k := key
	if table != "" {
		k = table + "." + key
	}
	if n, ok := l.first[k]; ok {
		return n
	}
	return l.lines[table]
}
