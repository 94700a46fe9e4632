// Package audit keeps the append-only record of every write an analyst makes
// through triage: one JSON object per line, never truncated, mode 0600.
//
// A write has two lines: "pending" just before it is sent (if that line
// cannot be written, the write is not sent), then its outcome. A write
// whose answer was lost has a third when reading the vendor's state back
// settles it: "confirmed", or "error" when it was not applied.
package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Outcomes of a write.
const (
	Pending   = "pending"   // about to be sent; its outcome follows on a later line with the same time
	OK        = "ok"        // the vendor accepted it
	Failed    = "error"     // the vendor refused it, it never left, or reading back shows it was not applied
	Unknown   = "unknown"   // sent, but the answer was lost or was not the vendor's
	Confirmed = "confirmed" // the answer was lost or not the vendor's, and reading back shows it applied
	Refused   = "refused"   // stopped by triage (read-only role, or the audit log could not be written)
)

// Entry is one audit line.
type Entry struct {
	Time        time.Time      `json:"time"`
	Analyst     string         `json:"analyst"`
	Role        string         `json:"role,omitempty"`
	Fingerprint string         `json:"key_fingerprint,omitempty"`
	ClientAddr  string         `json:"client_addr,omitempty"`
	Vendor      string         `json:"vendor"`
	Tenant      string         `json:"tenant"`
	Action      string         `json:"action"`
	Target      string         `json:"target"`
	Params      map[string]any `json:"params,omitempty"`
	Outcome     string         `json:"outcome"`
	Status      int            `json:"status,omitempty"`
	Error       string         `json:"error,omitempty"`
	RequestID   string         `json:"request_id,omitempty"`
	DurationMS  int64          `json:"duration_ms"`
}

// SameWrite reports whether two lines are about the same write: a pending
// line and its outcome share the time the write started, the analyst, the
// action and the target.
func (e Entry) SameWrite(o Entry) bool {
	return e.Time.Equal(o.Time) && e.Analyst == o.Analyst && e.Action == o.Action && e.Target == o.Target &&
		e.Vendor == o.Vendor && e.Tenant == o.Tenant
}

// Sink receives audit entries.
type Sink interface {
	Record(Entry) error
}

// Log appends entries to a JSONL file. It is safe for concurrent use by all
// sessions of one process.
//
// The file is opened for each line and closed after it: a file deleted,
// rotated (renamed away) or replaced is never written through a stale
// handle, and one that cannot be opened is reported on the write it would
// have recorded. Writes are rare, so the cost does not matter.
type Log struct {
	path string
	mu   sync.Mutex
	err  error // the last line's failure; nil once a line is written
}

// Open returns the log at path and checks that it can be appended to now,
// creating it (mode 0600, its directory 0700) if need be. The log is
// usable even when the check fails: the error says why lines cannot be
// written yet, and each Record tries again.
func Open(path string) (*Log, error) {
	l := &Log{path: path}
	return l, l.Reopen()
}

// Path is where the log is written.
func (l *Log) Path() string { return l.path }

// Reopen checks the file can be appended to, creating it afresh if it was
// rotated away, and records the answer for Err. SIGHUP calls it under
// `triage serve`, so a rotation is seen at once, not at the next write.
func (l *Log) Reopen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.append(nil)
}

// Record appends one entry as a single write, so concurrent writers never
// interleave within a line.
func (l *Log) Record(e Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.append(line)
}

// append opens the file, writes line (if any) and closes it.
func (l *Log) append(line []byte) error {
	l.err = func() error {
		if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o077 != 0 {
			// An existing file keeps its mode on open; tighten it.
			_ = f.Chmod(0o600)
		}
		_, err = f.Write(line)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}()
	if l.err != nil {
		l.err = fmt.Errorf("audit log %s cannot be written: %w", l.path, unwrapPath(l.err))
	}
	return l.err
}

// unwrapPath drops the path an *os.PathError repeats, since the message
// already names the file.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok && pe.Path != "" {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// Err is why the last line (or check) could not be written, nil when it
// was: the console's header and the command line warn with it.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Close is kept for callers that close what they open; there is no handle
// to release between lines.
func (l *Log) Close() error { return nil }

// Memory keeps entries in memory, for tests and the demo's audit view.
type Memory struct {
	mu      sync.Mutex
	entries []Entry
	fail    error // returned by Record instead of keeping the entry
}

// Record keeps e.
func (m *Memory) Record(e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.entries = append(m.entries, e)
	return nil
}

// SetFail makes every Record fail with err from now on, as a log that
// cannot be written does; nil makes them succeed again.
func (m *Memory) SetFail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// Lines returns a copy of every line recorded, pending ones included.
func (m *Memory) Lines() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Entry(nil), m.entries...)
}

// Entries returns a copy of the outcomes recorded: every line but the
// pending ones written before each write was sent.
func (m *Memory) Entries() []Entry {
	var out []Entry
	for _, e := range m.Lines() {
		if e.Outcome != Pending {
			out = append(out, e)
		}
	}
	return out
}

// Err is the failure Record returns, as Log.Err.
func (m *Memory) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fail
}

// Problem is why the sink's last line could not be written, nil when it
// was or when the sink cannot say.
func Problem(s Sink) error {
	if h, ok := s.(interface{ Err() error }); ok {
		return h.Err()
	}
	return nil
}
