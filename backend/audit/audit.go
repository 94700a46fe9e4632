// Package audit keeps the append-only record of every write an analyst makes
// through triage: one JSON object per line, never truncated, mode 0600.
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
	OK      = "ok"      // the vendor accepted it
	Failed  = "error"   // the vendor refused it or it never left
	Unknown = "unknown" // sent, but the answer was lost
	Refused = "refused" // stopped by triage (read-only role)
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

// Sink receives audit entries.
type Sink interface {
	Record(Entry) error
}

// Log appends entries to a JSONL file. It is safe for concurrent use by all
// sessions of one process.
type Log struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// Open opens (creating with mode 0600) the audit file at path for appending.
func Open(path string) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if info, err := f.Stat(); err == nil && info.Mode().Perm()&0o077 != 0 {
		// An existing file keeps its mode on open; tighten it.
		_ = f.Chmod(0o600)
	}
	return &Log{path: path, f: f}, nil
}

// Path is where the log is written.
func (l *Log) Path() string { return l.path }

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
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	return nil
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// Memory keeps entries in memory, for tests and the demo's audit view.
type Memory struct {
	mu      sync.Mutex
	entries []Entry
}

// Record keeps e.
func (m *Memory) Record(e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
	return nil
}

// Entries returns a copy of what was recorded.
func (m *Memory) Entries() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Entry(nil), m.entries...)
}
