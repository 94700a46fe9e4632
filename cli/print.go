package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// printer writes a command's result as a table, a JSON document, or
// "field: value" lines, through the Env's writers (stdout.go).
type printer struct {
	env *Env
	o   *output
}

func (e *Env) printer(o *output) printer { return printer{env: e, o: o} }

// plain is tab-separated output: asked for, or stdout is not a terminal.
func (p printer) plain() bool { return p.o.plain || !p.env.OutTTY }

// table prints rows: tab-separated when plain, aligned for a person
// otherwise.
func (p printer) table(headers []string, rows [][]string) error {
	if !p.o.noHeaders {
		rows = append([][]string{headers}, rows...)
	}
	if p.plain() {
		return p.env.tsv(rows)
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, cell(c))
		}
		fmt.Fprint(tw, "\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return p.env.text(b.String())
}

// json prints v as indented JSON.
func (p printer) json(v any) error { return p.env.json(v) }

// fields prints "name: value" lines for one item.
func (p printer) fields(pairs ...[2]string) error {
	var rows [][]string
	width := 0
	for _, kv := range pairs {
		width = max(width, len(kv[0]))
		if kv[1] != "" {
			rows = append(rows, kv[:])
		}
	}
	if p.plain() {
		return p.env.tsv(rows)
	}
	var b strings.Builder
	for _, kv := range rows {
		fmt.Fprintf(&b, "%-*s  %s\n", width, kv[0], kv[1])
	}
	return p.env.text(b.String())
}

// done reports a write's success on stderr, so stdout stays for data.
func (p printer) done(format string, args ...any) {
	p.env.note(format+"\n", args...)
}
