package views

import (
	"slices"
	"strings"

	"triage/backend/people"
	"triage/ui"
)

// personRows is the IAM table's source: one row per person, merged by
// email from every provider's list and look-ups, shown in email order
// whichever provider answered first. It is kept small for 100,000 people:
// a row is a name, an email and a search key, and each provider's status is
// one byte indexing a short table of words.
type personRows struct {
	providers int
	rows      []personRow      // in the order they were added
	order     []int32          // rows by email: what the table shows
	index     map[string]int32 // people.Key(email) -> row
	states    []uint8          // providers per row: 0 unknown, else words[state]
	words     []string
	wordIx    map[string]uint8
	// listed says what an unknown state means for each provider: its list
	// is still loading ("…"), complete (absent), or failed ("?").
	listed []listState
	added  []int32 // rows not placed in order yet
}

type personRow struct {
	email  string // as the first provider spelled it
	key    string // people.Key(email): the same bytes when the email is lower case already
	name   string
	search string
}

type listState uint8

const (
	listLoading listState = iota
	listDone
	listFailed
)

// Words a status cell shows besides the providers' own.
const (
	wordAbsent  = "absent"
	wordLooking = "…"
	wordUnknown = "?"
)

func newPersonRows(providers int) *personRows {
	r := &personRows{providers: providers, index: map[string]int32{}, wordIx: map[string]uint8{}, listed: make([]listState, providers)}
	r.word("") // state 0: unknown
	return r
}

// word is the state of a status word, adding it to the table; past 255
// words (never, with real vendors) it falls back to "?".
func (r *personRows) word(w string) uint8 {
	if s, ok := r.wordIx[w]; ok {
		return s
	}
	if len(r.words) == 255 {
		return r.word(wordUnknown)
	}
	s := uint8(len(r.words))
	r.words = append(r.words, w)
	r.wordIx[w] = s
	return s
}

// row finds or adds the row of a person.
func (r *personRows) row(email, name string) int {
	k := people.Key(email)
	if i, ok := r.index[k]; ok {
		if r.rows[i].name == "" && name != "" {
			r.rows[i].name = name
			r.reindex(int(i))
		}
		return int(i)
	}
	i := len(r.rows)
	r.index[k] = int32(i)
	r.rows = append(r.rows, personRow{email: email, key: k, name: name})
	r.states = append(r.states, make([]uint8, r.providers)...)
	r.reindex(i)
	r.added = append(r.added, int32(i))
	return i
}

// place puts the rows added since the last call in email order. Rows come
// in pages sorted by email (sortEntries, off the key path), so this is a
// merge: a binary search for where each new row goes, and the rows between
// copied wholesale.
func (r *personRows) place() {
	if len(r.added) == 0 {
		return
	}
	cmp := func(a, b int32) int { return strings.Compare(r.rows[a].key, r.rows[b].key) }
	added := r.added
	if !slices.IsSortedFunc(added, cmp) {
		slices.SortFunc(added, cmp)
	}
	merged := make([]int32, 0, len(r.order)+len(added))
	i := 0
	for _, a := range added {
		j, _ := slices.BinarySearchFunc(r.order[i:], a, cmp)
		merged = append(append(merged, r.order[i:i+j]...), a)
		i += j
	}
	r.order, r.added = append(merged, r.order[i:]...), r.added[:0]
}

// sortEntries puts a page in email order, in the command that fetched it.
func sortEntries(es []people.Entry) {
	slices.SortFunc(es, func(a, b people.Entry) int { return strings.Compare(people.Key(a.Email), people.Key(b.Email)) })
}

// find is the row of an email.
func (r *personRows) find(email string) (int, bool) {
	i, ok := r.index[people.Key(email)]
	return int(i), ok
}

// set records what provider p says of a person, adding the row if new
// (place puts new rows in order).
func (r *personRows) set(email, name string, p int, status string) {
	if email == "" {
		return
	}
	i := r.row(email, name)
	if s := r.word(status); r.states[i*r.providers+p] != s {
		r.states[i*r.providers+p] = s
		r.reindex(i)
	}
}

// add merges a page of a provider's list.
func (r *personRows) add(p int, entries []people.Entry) {
	for _, e := range entries {
		r.set(e.Email, e.Name, p, e.Status)
	}
	r.place()
}

// status is what provider p's cell says of row i.
func (r *personRows) status(i, p int) string {
	if s := r.states[i*r.providers+p]; s != 0 {
		return r.words[s]
	}
	switch r.listed[p] {
	case listDone:
		return wordAbsent
	case listFailed:
		return wordUnknown
	}
	return wordLooking
}

// reindex rebuilds what the filter searches in row i: its name, email and
// statuses.
func (r *personRows) reindex(i int) {
	row := &r.rows[i]
	parts := []string{row.name, row.email}
	for p := 0; p < r.providers; p++ {
		if s := r.states[i*r.providers+p]; s != 0 {
			parts = append(parts, r.words[s])
		}
	}
	row.search = strings.ToLower(strings.Join(parts, " "))
}

// Columns: name, email, then one status per provider.
const (
	colPersonName = iota
	colPersonEmail
	colPersonFirstStatus
)

func personColumns(providers []people.Provider) []ui.Column {
	// The email is who the row is; a name narrows first, then the statuses.
	cols := []ui.Column{{Title: "NAME", Width: 16, Flex: 1, Min: 10, Priority: 5}, {Title: "EMAIL", Width: 26, Flex: 2, Min: 20, Priority: 9}}
	vendors := map[string]int{}
	for _, p := range providers {
		vendors[p.Vendor()]++
	}
	for _, p := range providers {
		title := strings.ToUpper(p.Vendor())
		if vendors[p.Vendor()] > 1 {
			title += "/" + p.Tenant()
		}
		width, least := 11, 9 // active, inactive, absent, error 503
		if _, ok := p.(*people.Okta); ok {
			width, least = 16, 12 // PASSWORD_EXPIRED
		}
		cols = append(cols, ui.Column{Title: title, Width: max(len(title), width), Min: least, Priority: 7})
	}
	return cols
}

func (r *personRows) Len() int            { return len(r.order) }
func (r *personRows) Key(i int) string    { return r.rows[r.order[i]].key }
func (r *personRows) Search(i int) string { return r.rows[r.order[i]].search }
func (r *personRows) Fresh(int) bool      { return false }

// email is the email of the row shown at i.
func (r *personRows) email(i int) string { return r.rows[r.order[i]].email }

func (r *personRows) Cell(i, col int) string {
	row := int(r.order[i])
	switch col {
	case colPersonName:
		return r.rows[row].name
	case colPersonEmail:
		return r.rows[row].email
	}
	return r.status(row, col-colPersonFirstStatus)
}

func (r *personRows) Tone(i, col int) ui.Tone {
	if col < colPersonFirstStatus {
		return ui.ToneNone
	}
	return accountTone(r.status(int(r.order[i]), col-colPersonFirstStatus))
}

// accountTone colours an account status: active green, disabled red,
// absent and unknown muted, the in-between states amber.
func accountTone(s string) ui.Tone {
	switch s {
	case "ACTIVE", "active":
		return ui.ToneGood
	case "SUSPENDED", "DEPROVISIONED", "inactive":
		return ui.ToneBad
	case wordAbsent, wordLooking, wordUnknown, "":
		return ui.ToneMuted
	}
	if strings.HasPrefix(s, "error") {
		return ui.ToneCritical
	}
	return ui.ToneMedium
}
