package sim

import (
	"time"

	"triage/backend/clock"
)

// epochForTests is the simulated present of this package's tests.
var epochForTests = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// pin puts o on a clock pinned at epochForTests.
func pin(o Options) Options {
	o.Clock = clock.Pin(epochForTests)
	return o
}

// anchored is o pinned and anchored as Start would, for tests that build
// one vendor directly.
func anchored(o Options) *Options {
	o = pin(o)
	if err := o.anchor(); err != nil {
		panic(err)
	}
	return &o
}
