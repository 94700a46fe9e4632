package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// Tail reads the newest n lines of the audit log at path, oldest first.
// A line that is not an entry is nil. A write's pending line is left out
// once an outcome of the same write follows it; one that stays (sending,
// or cut short when the process ended) says "no outcome recorded yet". A
// log not written yet is Missing, not an error.
func Tail(path string, n int) (Tailed, error) {
	var t Tailed
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Missing = true
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("audit log: %w", err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	all := make([]*Entry, len(lines))
	for i, l := range lines {
		var e Entry
		if json.Unmarshal([]byte(l), &e) == nil {
			all[i] = &e
		}
	}
	for i, e := range all {
		if e != nil && e.Outcome == Pending {
			if slices.ContainsFunc(all[i+1:], func(o *Entry) bool { return o != nil && o.Outcome != Pending && o.SameWrite(*e) }) {
				continue
			}
			e.Error = "no outcome recorded yet"
		}
		t.Entries = append(t.Entries, e)
	}
	t.Lines = len(lines)
	return t, nil
}

// Tailed is what Tail read.
type Tailed struct {
	Entries []*Entry // nil where a line is not an entry
	Lines   int      // how many lines were read
	Missing bool     // the log does not exist yet
}
