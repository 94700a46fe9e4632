// Package prefs keeps what triage remembers about each analyst between
// sessions: the palette's recent commands, each tab's columns and sort,
// when they last looked at each tab (for "new since last seen"), and the
// comments they wrote and have not sent.
package prefs

import (
	"strings"
	"time"

	"triage/backend/store"
)

// Prefs is one analyst's remembered state.
type Prefs struct {
	Palette []string       `json:"palette,omitempty"` // recent commands, newest first
	Tabs    map[string]Tab `json:"tabs,omitempty"`    // by tab id: itm, saas, okta-logs...
	// Drafts are unsent ITM comments by ticket key, kept until the vendor
	// has the comment.
	Drafts map[string]string `json:"drafts,omitempty"`
}

// Tab is what is remembered of one tab.
type Tab struct {
	Hidden   []string  `json:"hidden_columns,omitempty"` // column titles
	SortBy   string    `json:"sort_by,omitempty"`        // a column title; "" is the vendor's order
	SortDesc bool      `json:"sort_desc,omitempty"`
	LastSeen time.Time `json:"last_seen,omitzero"` // when the analyst last left the tab
}

// Store is one analyst's preferences: their own document in the state
// store, analysts/<name> (a file under the state directory, or a row in
// PostgreSQL). No analyst reads or writes another's.
type Store struct {
	st   store.Store
	name string
}

// Open is the preferences of analyst in the state directory stateDir;
// nothing is read until used.
func Open(stateDir, analyst string) *Store { return For(store.Files{Dir: stateDir}, analyst) }

// For is the preferences of analyst kept in st.
func For(st store.Store, analyst string) *Store {
	return &Store{st: st, name: "analysts/" + fileName(analyst)}
}

// Path is where the preferences are kept.
func (s *Store) Path() string { return s.st.Where(s.name) }

// Load reads the preferences; none saved yet is empty preferences.
func (s *Store) Load() (Prefs, error) {
	var p Prefs
	err := s.st.Read(s.name, &p)
	return p, err
}

// Update changes the preferences with the store's lock held, so two
// sessions of one analyst, on one host or two, do not undo each other's
// changes.
func (s *Store) Update(change func(*Prefs)) (Prefs, error) {
	var p Prefs
	err := s.st.Update(s.name, &p, func() error {
		if p.Tabs == nil {
			p.Tabs = map[string]Tab{}
		}
		change(&p)
		return nil
	})
	return p, err
}

// SetDrafts applies what changed since the drafts were last saved: a
// changed text is kept, a draft sent or emptied goes. Drafts of other
// tickets, written meanwhile by another session, stay.
func (p *Prefs) SetDrafts(changed map[string]string, gone []string) {
	if p.Drafts == nil {
		p.Drafts = map[string]string{}
	}
	for k, text := range changed {
		p.Drafts[k] = text
	}
	for _, k := range gone {
		delete(p.Drafts, k)
	}
	if len(p.Drafts) == 0 {
		p.Drafts = nil
	}
}

// Remember puts a palette command at the head of the history.
func (p *Prefs) Remember(command string, keep int) {
	out := []string{command}
	for _, c := range p.Palette {
		if c != command && len(out) < keep {
			out = append(out, c)
		}
	}
	p.Palette = out
}

// fileName keeps an analyst's name to characters safe in a file name, so
// no name can reach outside the directory or into another's document.
func fileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
