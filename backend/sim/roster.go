package sim

import "strings"

// roster is one simulated vendor's accounts of the shared people. A seeded
// account is a function of the person's index and is not stored; only the
// accounts changed or created through the API are, so 100,000 people cost
// the simulator a few bytes each.
type roster[T any] struct {
	n       int
	has     func(i int) bool // whether person i has an account at this vendor
	seed    func(i int) T    // person i's account as seeded
	key     func(*T) string  // the account's email, as the vendor looks it up
	changed map[int]*T       // seeded accounts changed through the API; nil: deleted
	created []*T             // accounts created through the API
}

func newRoster[T any](n int, has func(int) bool, seed func(int) T, key func(*T) string) *roster[T] {
	return &roster[T]{n: n, has: has, seed: seed, key: key, changed: map[int]*T{}}
}

// at is person i's account, or nil when they have none (or it was deleted).
func (r *roster[T]) at(i int) *T {
	if i < 0 || i >= r.n || !r.has(i) {
		return nil
	}
	if a, ok := r.changed[i]; ok {
		return a
	}
	a := r.seed(i)
	return &a
}

// find looks an account up by email, case-insensitively; i is the
// person's index, or -1 for an account created through the API.
func (r *roster[T]) find(email string) (a *T, i int) {
	if i, ok := PersonIndex(email, r.n); ok {
		if a := r.at(i); a != nil {
			return a, i
		}
	}
	for _, a := range r.created {
		if strings.EqualFold(r.key(a), email) {
			return a, -1
		}
	}
	return nil, -1
}

// edit returns the stored account with email for changing in place,
// storing a seeded one first.
func (r *roster[T]) edit(email string) *T {
	a, i := r.find(email)
	if a == nil || i < 0 {
		return a
	}
	if _, ok := r.changed[i]; !ok {
		r.changed[i] = a
	}
	return r.changed[i]
}

// add stores an account created through the API.
func (r *roster[T]) add(a *T) { r.created = append(r.created, a) }

// remove deletes the account with email; false if there was none.
func (r *roster[T]) remove(email string) bool {
	a, i := r.find(email)
	if a == nil {
		return false
	}
	if i >= 0 {
		r.changed[i] = nil
		return true
	}
	for j, c := range r.created {
		if c == a {
			r.created = append(r.created[:j], r.created[j+1:]...)
		}
	}
	return true
}

// each visits every account in order (seeded people, then created ones)
// until fn returns false.
func (r *roster[T]) each(fn func(*T) bool) {
	for i := 0; i < r.n; i++ {
		if a := r.at(i); a != nil && !fn(a) {
			return
		}
	}
	for _, a := range r.created {
		if !fn(a) {
			return
		}
	}
}

// window is the accounts in positions [start, start+count) of the whole
// list (start is 1-based, as SCIM's startIndex) and the list's length.
// Only the accounts in the window are built.
func (r *roster[T]) window(start, count int) (total int, page []*T) {
	take := func() bool { total++; return total >= start && len(page) < count }
	for i := 0; i < r.n; i++ {
		if !r.has(i) {
			continue
		}
		if a, ok := r.changed[i]; ok && a == nil {
			continue // deleted
		}
		if take() {
			page = append(page, r.at(i))
		}
	}
	for _, a := range r.created {
		if take() {
			page = append(page, a)
		}
	}
	return total, page
}

// stored visits the accounts changed or created through the API.
func (r *roster[T]) stored(fn func(*T)) {
	for _, a := range r.changed {
		if a != nil {
			fn(a)
		}
	}
	for _, a := range r.created {
		fn(a)
	}
}
