package config

import (
	"fmt"
	"slices"
	"strings"
)

// CheckKeys reports the [keys] entries that cannot work, each with its
// line and a did-you-mean, as every other config mistake: an action that
// is not one of actions, an empty list, a key that is not one of keyNames
// (the terminal's names: "enter", "ctrl+s", "pgdown") nor a single
// character, either after "alt+".
func (c *Config) CheckKeys(actions, keyNames []string) error {
	e := &Error{File: c.File}
	for _, action := range c.KeyOrder() {
		keys := c.Keys[action]
		switch {
		case !slices.Contains(actions, action):
			fix := "the README's key table names every action"
			if s := closest(action, actions); s != "" {
				fix = fmt.Sprintf("did you mean %q?", s)
			}
			e.Problems = append(e.Problems, c.keyProblem(action, "unknown action", fix))
		case len(keys) == 0:
			e.Problems = append(e.Problems, c.keyProblem(action, "no keys given", fmt.Sprintf(`e.g. %s = ["%s"]`, action, action[:1])))
		}
		for _, k := range keys {
			if isKey(k, keyNames) {
				continue
			}
			fix := `a single character, a name such as "enter", "esc", "tab", "pgdown", "ctrl+s", or " " for space`
			if s := closest(strings.TrimPrefix(k, "alt+"), keyNames); s != "" && !strings.HasPrefix(k, "alt+") {
				fix = fmt.Sprintf("did you mean %q?", s)
			} else if s != "" {
				fix = fmt.Sprintf("did you mean %q?", "alt+"+s)
			}
			if strings.EqualFold(k, "space") {
				fix = `the space bar is " "`
			}
			e.Problems = append(e.Problems, c.keyProblem(action, fmt.Sprintf("%q is not a key", k), fix))
		}
	}
	if len(e.Problems) > 0 {
		return e
	}
	return nil
}

// KeyProblem is a mistake in the [keys] entry of action, with its line.
func (c *Config) KeyProblem(action, msg, fix string) error {
	return &Error{File: c.File, Problems: []Problem{c.keyProblem(action, msg, fix)}}
}

func (c *Config) keyProblem(action, msg, fix string) Problem {
	line := 0
	if c.loc != nil {
		line = c.loc.line("keys", -1, action)
	}
	return Problem{Line: line, Key: "keys." + action, Msg: msg, Fix: fix}
}

// KeyOrder is the actions of [keys] in the file's order (by name for
// those the file does not hold).
func (c *Config) KeyOrder() []string {
	out := make([]string, 0, len(c.Keys))
	for action := range c.Keys {
		out = append(out, action)
	}
	line := func(action string) int {
		if c.loc == nil {
			return 0
		}
		if n, ok := c.loc.lines["keys."+action]; ok {
			return n
		}
		return 0
	}
	slices.SortFunc(out, func(a, b string) int {
		if la, lb := line(a), line(b); la != lb {
			return la - lb
		}
		return strings.Compare(a, b)
	})
	return out
}

// isKey says whether k names a key the console can match: a single
// character or one of names, either after "alt+".
func isKey(k string, names []string) bool {
	if rest, ok := strings.CutPrefix(k, "alt+"); ok && rest != "" {
		k = rest
	}
	return len([]rune(k)) == 1 || slices.Contains(names, k)
}

// closest is the word among words nearest to w, if any is near enough to
// be a typo (fewer than 3 edits).
func closest(w string, words []string) string {
	best, bestD := "", 3
	for _, c := range words {
		if d := distance(strings.ToLower(w), c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// StateProblem is a problem found with [state] postgres when the store
// opened (the server cannot be reached, refuses the login), named by file,
// line and key as a problem found in the text is.
func (c *Config) StateProblem(msg, fix string) error {
	line := 0
	if c.loc != nil {
		line = c.loc.line("state", -1, "postgres")
	}
	return &Error{File: c.File, Problems: []Problem{{Line: line, Key: "state.postgres", Msg: msg, Fix: fix}}}
}
