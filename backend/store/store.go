// Package store keeps triage's state: the remediation journal every
// analyst shares and each analyst's own preferences, drafts, last-seen
// times and palette history. It holds small JSON documents by name
// ("remediations", "analysts/alice"); a change is a read-modify-write that
// no other session, process or host can interleave with.
//
// Files (the default) keeps them in the state directory, which suits one
// host. Postgres keeps them in one table, so several serve hosts behind a
// load balancer share one journal without a file on NFS.
package store

import (
	"path/filepath"

	"triage/backend/config"
	"triage/backend/jsonfile"
)

// Store keeps named JSON documents.
type Store interface {
	// Read decodes the document name into v; a missing one leaves v as it is.
	Read(name string, v any) error
	// Update applies change to the document name while no one else can
	// change it, and saves the result. v must point at the zero value of
	// the document type; change sees the saved document there and leaves
	// the result in it. An error from change saves nothing.
	Update(name string, v any, change func() error) error
	// Where says where the document name is kept, for messages.
	Where(name string) string
	Close() error
}

// Files keeps each document as name.json under dir (see jsonfile).
type Files struct{ Dir string }

func (f Files) path(name string) string {
	return filepath.Join(f.Dir, filepath.FromSlash(name)+".json")
}

func (f Files) Read(name string, v any) error { return jsonfile.Read(f.path(name), v) }

func (f Files) Update(name string, v any, change func() error) error {
	return jsonfile.Update(f.path(name), v, change)
}

func (f Files) Where(name string) string { return f.path(name) }

func (Files) Close() error { return nil }

// Open is the store [state] names: PostgreSQL when postgres is set, else
// the files under dir.
func Open(st config.State) (Store, error) {
	if st.Postgres != "" {
		return OpenPostgres(string(st.Postgres))
	}
	return Files{Dir: st.Dir}, nil
}
