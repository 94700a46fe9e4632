package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"triage/backend/clean"
)

// This file is the one place that writes to a command's stdout and stderr
// (TestOnlyStdoutGoWritesOutput keeps it so). Vendor text is
// attacker-controlled, and whether stdout is a terminal cannot be trusted
// to protect it: over `ssh jump triage ...` without -t the command sees no
// terminal, yet its bytes land in the analyst's. So:
//
//   - text (tables, fields, the cleaned email) is always cleaned;
//   - JSON is escaped: clean.JSON leaves no control, bidi or zero-width
//     character outside a \u escape;
//   - the vendor's bytes as they are go out only with --raw, and never to
//     a terminal (a local one, or an SSH session with a pty).

// text writes s with every terminal control removed (a tab becomes
// spaces).
func (e *Env) text(s string) error {
	_, err := io.WriteString(e.Out, clean.String(s))
	return err
}

// tsv writes rows of cells separated by tabs, one row a line: each cell
// cleaned onto one line, its own tabs made spaces, an empty cell "-".
func (e *Env) tsv(rows [][]string) error {
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(cell(c))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(e.Out, b.String())
	return err
}

// cell keeps a value on one line and out of the column separator.
func cell(s string) string {
	s = clean.Line(s)
	if strings.ContainsRune(s, '\t') {
		s = strings.ReplaceAll(s, "\t", " ")
	}
	if s == "" {
		return "-"
	}
	return s
}

// json writes v as indented JSON; a json.RawMessage (a vendor's own JSON)
// is indented too. Strings keep every byte of their value, escaped.
func (e *Env) json(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := e.Out.Write(clean.JSON(b.Bytes()))
	return err
}

// raw writes the vendor's bytes as they are, for a file or a pipe. To a
// terminal it refuses (see rawAllowed).
func (e *Env) raw(b []byte, example string) error {
	if err := e.rawAllowed(example); err != nil {
		return err
	}
	_, err := e.Out.Write(b)
	return err
}

// rawAllowed refuses --raw when stdout is a terminal, saying how to get
// the bytes (redirect, as in example) or cleaned text. Commands ask it
// before they fetch, or write, anything.
func (e *Env) rawAllowed(example string) error {
	if e.OutTTY {
		return Usagef("--raw writes the vendor's bytes unchanged, escape sequences included, and stdout is a terminal: "+
			"redirect it to a file (%s) or leave out --raw for cleaned text", example)
	}
	return nil
}

// note writes a message for the analyst on stderr, cleaned: it may quote a
// vendor (a next-page link, an error).
func (e *Env) note(format string, args ...any) {
	io.WriteString(e.Err, clean.String(fmt.Sprintf(format, args...)))
}
