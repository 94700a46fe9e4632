// Package settle decides, once for every front-end, whether a write
// landed. A write is sent once. When its answer is lost (or was not the
// vendor's: httpx.IsUnknown), it is not sent again: the vendor's state is
// read back once, and the Outcome says applied, not applied, or unknown,
// with what reading back found or why it failed. The console and the
// command line only word an Outcome.
//
// It is a package of its own rather than part of httpx: httpx speaks one
// request, while settling is a write and a read of the vendor's state,
// which only the vendor packages know how to make. They offer each write
// through Do (their ...Once methods); httpx.ReadBack still records in the
// audit log what reading back showed.
package settle

import (
	"context"

	"triage/backend/httpx"
)

// Class is what became of a write.
type Class int

// Classes of outcome.
const (
	// Applied: the vendor said so, or its answer was lost and reading back
	// shows the write there.
	Applied Class = iota + 1
	// NotApplied: the vendor refused it, it was never sent, or its answer
	// was lost and reading back shows it missing; sending it again is safe.
	NotApplied
	// Unknown: the answer was lost and reading back failed too (or the
	// write cannot be read back): the vendor may have applied it.
	Unknown
)

func (c Class) String() string {
	switch c {
	case Applied:
		return "applied"
	case NotApplied:
		return "not applied"
	case Unknown:
		return "unknown"
	}
	return "unsettled"
}

// Outcome is what became of one write, with the evidence: the Result
// and what the vendor answered or reading back found.
type Outcome[T any] struct {
	Result
	// Value is the vendor's answer, or what reading back found.
	Value T
}

// Result is an Outcome without its value: what a front-end words.
type Result struct {
	Class Class
	// Err is the write's error as it now stands: nil when applied; the
	// vendor's refusal; once read back as missing, the write's error
	// without "it may have been applied"; when unknown, the write's error
	// and why reading back failed.
	Err error
	// Lost says why the answer was in doubt ("the answer was lost", "the
	// gateway answered 502"); "" when the vendor answered.
	Lost string
	// ReadErr is why reading back failed (Unknown only; nil for a write
	// that cannot be read back).
	ReadErr error
}

// Applied reports whether the write is there.
func (o Result) Applied() bool { return o.Class == Applied }

// Checked reports whether the answer was lost and reading back told
// what became of the write.
func (o Result) Checked() bool { return o.Lost != "" && o.Class != Unknown }

// Check reads the vendor's state once after a lost answer: what it found,
// and whether the write is there.
type Check[T any] func(context.Context) (T, bool, error)

// Do sends a write once and settles it. check may be nil for a write
// nothing can read back: a lost answer is then Unknown.
func Do[T any](ctx context.Context, send func(context.Context) (T, error), check Check[T]) Outcome[T] {
	v, err := send(ctx)
	switch {
	case err == nil:
		return Outcome[T]{Result{Class: Applied}, v}
	case !httpx.IsUnknown(err):
		return Outcome[T]{Result{Class: NotApplied, Err: err}, v}
	case check == nil:
		return Outcome[T]{Result: Result{Class: Unknown, Err: err, Lost: httpx.WhyUnknown(err)}}
	}
	o := Outcome[T]{Result: Result{Lost: httpx.WhyUnknown(err)}}
	applied, out := httpx.ReadBack(ctx, err, func(ctx context.Context) (bool, error) {
		var ok bool
		o.Value, ok, o.ReadErr = check(ctx)
		return ok && o.ReadErr == nil, o.ReadErr
	})
	switch {
	case applied:
		o.Class = Applied
	case o.ReadErr != nil:
		o.Class, o.Err = Unknown, out
	default:
		o.Class, o.Err = NotApplied, out
	}
	return o
}
