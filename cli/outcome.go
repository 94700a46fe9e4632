package cli

import (
	"fmt"

	"triage/backend/settle"
)

// wording is how the command line words a write's settle.Outcome: the
// backend decides whether it landed, a command only says so.
type wording struct {
	unknown string // what to do when it is unknown: "check the ticket before trying again"
	missing string // what reading back showed when it was not applied
	shows   string // what reading back showed when it was
}

// fail is the error of a write that is not applied, nil when it is: the
// vendor's refusal as it is, a lost answer read back as missing with what
// reading back showed, an unknown one with what to check.
func fail[T any](w wording, o settle.Outcome[T]) error {
	switch {
	case o.Class == settle.Applied:
		return nil
	case o.Class == settle.Unknown:
		return fmt.Errorf("%w: %s", o.Err, w.unknown)
	case o.Checked():
		return fmt.Errorf("%w; %s", o.Err, w.missing)
	}
	return o.Err
}

// note ends the done line of a write whose answer was lost and read back
// as applied: " (the answer was lost; reading the ticket back shows it)".
func note[T any](w wording, o settle.Outcome[T]) string {
	if o.Lost == "" || o.Class != settle.Applied {
		return ""
	}
	return " (" + o.Lost + "; " + w.shows + ")"
}
