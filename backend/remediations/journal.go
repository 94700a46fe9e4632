// Package remediations keeps the journal of remediations started from the
// console: what was remediated, how, by whom and when, and how it ended. It
// is one document of the state store (a JSON file in the state directory,
// or a row in PostgreSQL), so a restart loses nothing, and every session
// (local or over SSH, on one serve host or several) reads and writes the
// same journal.
//
// A record is generic: a kind, a vendor and tenant, a target and a type.
// SaaS Security asset remediations are kind "asset"; Essentials sender
// blocks and allows are kind "sender". How a start settled (Started) and
// what a later check at the vendor found (AssetChecked, SenderChecked) are
// applied to a record here, the same for every front-end.
package remediations

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"time"

	"triage/backend/clean"
	"triage/backend/store"
)

// Statuses a record moves through. Vendors' own words are kept in
// VendorStatus.
const (
	Pending = "pending" // started; the vendor is working on it
	Success = "success"
	Failed  = "failed"
	// Unknown is a start whose answer was lost and could not be read back
	// yet: it is checked like a pending one until the vendor says.
	Unknown = "unknown"
)

// Kinds of remediation.
const (
	KindAsset = "asset" // a SaaS Security asset: quarantine, restore, public-sharing removal
	// KindSender is a sender put on a Proofpoint Essentials block or allow
	// list (Type is the list), for the organisation or one user
	// (Params["scope"]). It is done when the vendor confirms it.
	KindSender = "sender"
)

// Record is one remediation started from the console.
type Record struct {
	ID           string         `json:"id"`
	Kind         string         `json:"kind"`
	Vendor       string         `json:"vendor"` // saas, essentials
	Tenant       string         `json:"tenant"`
	TargetID     string         `json:"target_id"` // the asset id, the sender
	TargetName   string         `json:"target_name,omitempty"`
	Type         string         `json:"type"` // the vendor's type, e.g. system_quarantine, block_list
	Params       map[string]any `json:"params,omitempty"`
	Source       string         `json:"source,omitempty"` // what it was started from, e.g. "incident 4"
	StartedBy    string         `json:"started_by"`
	StartedAt    time.Time      `json:"started_at"`
	Status       string         `json:"status"`
	VendorStatus string         `json:"vendor_status,omitempty"`
	CheckedAt    time.Time      `json:"checked_at,omitzero"`
	FinishedAt   time.Time      `json:"finished_at,omitzero"`
	Detail       string         `json:"detail,omitempty"` // the last thing learnt: an error, who acted, when
}

// Done reports whether the record reached its end.
func (r Record) Done() bool { return r.Status == Success || r.Status == Failed }

// Elapsed is how long it took, or has taken so far.
func (r Record) Elapsed(now time.Time) time.Duration {
	end := now
	if r.Done() && !r.FinishedAt.IsZero() {
		end = r.FinishedAt
	}
	return max(end.Sub(r.StartedAt), 0)
}

// FileName is the journal's name in the state directory.
const FileName = docName + ".json"

// docName is the journal's document in the state store.
const docName = "remediations"

// Journal is the store's document. It holds no copy of its own: every call
// reads the store, and every change is a read-modify-write the store keeps
// anyone else from interleaving (a file lock, a locked row), so sessions,
// processes and hosts sharing it never lose each other's records.
type Journal struct{ st store.Store }

// Open is the journal in the state directory dir; nothing is read or
// created until used.
func Open(dir string) *Journal { return New(store.Files{Dir: dir}) }

// New is the journal kept in st.
func New(st store.Store) *Journal { return &Journal{st: st} }

// Path is where the journal is kept.
func (j *Journal) Path() string { return j.st.Where(docName) }

type file struct {
	Version      int      `json:"version"`
	Remediations []Record `json:"remediations"`
}

// List returns every record, newest first. A missing file is an empty
// journal.
func (j *Journal) List() ([]Record, error) {
	recs, err := j.read()
	if err != nil {
		return nil, err
	}
	// Newest first; of records started at the same instant, the one added
	// last comes first.
	slices.Reverse(recs)
	sort.SliceStable(recs, func(a, b int) bool { return recs[a].StartedAt.After(recs[b].StartedAt) })
	return recs, nil
}

// Add records a new remediation, giving it an id, and returns it.
func (j *Journal) Add(r Record) (Record, error) {
	if r.ID == "" {
		r.ID = newID(r.StartedAt)
	}
	err := j.change(func(recs []Record) ([]Record, error) { return append(recs, r), nil })
	return r, err
}

// Update changes the record with id and returns it as saved.
func (j *Journal) Update(id string, change func(*Record)) (Record, error) {
	var out Record
	err := j.change(func(recs []Record) ([]Record, error) {
		for i := range recs {
			if recs[i].ID == id {
				change(&recs[i])
				out = recs[i]
				return recs, nil
			}
		}
		return nil, fmt.Errorf("remediation journal %s: no record %s", j.Path(), id)
	})
	return out, err
}

func (j *Journal) change(apply func([]Record) ([]Record, error)) error {
	var f file
	err := j.st.Update(docName, &f, func() error {
		clean.Value(&f.Remediations)
		recs, err := apply(f.Remediations)
		f.Version, f.Remediations = 1, recs
		return err
	})
	if err != nil {
		return fmt.Errorf("remediation journal: %w", err)
	}
	return nil
}

// read decodes the journal. Every session, of every analyst, shares the
// journal, so its text is cleaned for the terminal as it is read, as vendor
// text is.
func (j *Journal) read() ([]Record, error) {
	var f file
	if err := j.st.Read(docName, &f); err != nil {
		return nil, fmt.Errorf("remediation journal: %w", err)
	}
	clean.Value(&f.Remediations)
	return f.Remediations, nil
}

func newID(at time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	if at.IsZero() {
		at = time.Now()
	}
	return at.UTC().Format("20060102T150405.000") + "-" + hex.EncodeToString(b[:])
}
