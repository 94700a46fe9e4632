package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"triage/backend/clean"
)

// printer writes a command's result as a table, a JSON document, or
// "field: value" lines.
type printer struct {
	env *Env
	o   *output
}

func (e *Env) printer(o *output) printer { return printer{env: e, o: o} }

// table prints rows: tab-separated when plain (or not a terminal), aligned
// for a person otherwise.
func (p printer) table(headers []string, rows [][]string) error {
	plain := p.o.plain || !p.env.OutTTY
	var w io.Writer = p.env.Out
	var tw *tabwriter.Writer
	if !plain {
		tw = tabwriter.NewWriter(p.env.Out, 0, 0, 2, ' ', 0)
		w = tw
	}
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				io.WriteString(w, "\t")
			}
			io.WriteString(w, cell(c))
		}
		io.WriteString(w, "\n")
	}
	if !p.o.noHeaders {
		line(headers)
	}
	for _, r := range rows {
		line(r)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
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

// json prints v as indented JSON.
func (p printer) json(v any) error {
	enc := json.NewEncoder(p.env.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// fields prints "name: value" lines for one item.
func (p printer) fields(pairs ...[2]string) error {
	width := 0
	for _, kv := range pairs {
		width = max(width, len(kv[0]))
	}
	for _, kv := range pairs {
		if kv[1] == "" {
			continue
		}
		if p.o.plain || !p.env.OutTTY {
			fmt.Fprintf(p.env.Out, "%s\t%s\n", kv[0], cell(kv[1]))
			continue
		}
		fmt.Fprintf(p.env.Out, "%-*s  %s\n", width, kv[0], clean.String(kv[1]))
	}
	return nil
}

// done reports a write's success on stderr, so stdout stays for data.
func (p printer) done(format string, args ...any) {
	fmt.Fprintf(p.env.Err, format+"\n", args...)
}
