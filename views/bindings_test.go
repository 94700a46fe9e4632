package views

import (
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/identity"
)

// Every write of every tab, from its binding list: a read-only analyst is
// refused it with an audit line, and a responder gets a form or a
// confirmation before anything is sent.
func TestEveryWriteBindingIsRefusedReadOnlyAndAsksFirst(t *testing.T) {
	t.Parallel()
	readOnly := newDriver(t, setup{analyst: identity.Analyst{Name: "bob", Role: "read-only"}})
	responder := newDriver(t, setup{})
	writes := 0
	for i, tab := range readOnly.app.tabs {
		bt, ok := tab.(bound)
		if !ok {
			continue
		}
		for _, b := range bt.bindings() {
			if b.write == "" || !b.isShown() {
				continue
			}
			writes++
			keyName := b.key.Keys()[0]

			readOnly.typeKeys(itoa(tab.Number()))
			before := len(readOnly.audit.Entries())
			readOnly.typeKeys(keyName)
			readOnly.waitFor("read-only role")
			es := readOnly.audit.Entries()
			if len(es) != before+1 || es[before].Outcome != audit.Refused || es[before].Action != b.write {
				t.Errorf("%s %s for a read-only analyst: audit %+v", tab.Name(), keyName, es[before:])
			}
			if b.key.Enabled() {
				t.Errorf("%s %s is enabled for a read-only analyst", tab.Name(), keyName)
			}

			rt := responder.app.tabs[i]
			responder.typeKeys(itoa(rt.Number()))
			responder.typeKeys(keyName)
			if !rt.Capturing() {
				// A write on the open item: open the row first.
				responder.typeKeys("esc", "enter", keyName)
			}
			for row := 0; row < 30 && !rt.Capturing(); row++ {
				// A write the row does not take (enable, for someone
				// active everywhere): the rows below, until one does.
				responder.typeKeys("esc", "down", keyName)
			}
			if !rt.Capturing() {
				t.Errorf("%s %s opened no form or confirmation:\n%s", rt.Name(), keyName, responder.screen())
			}
			if es := responder.audit.Entries(); len(es) != 0 {
				t.Errorf("%s %s sent before asking: audit %+v", rt.Name(), keyName, es)
			}
			responder.typeKeys("esc")
			for rt.Capturing() {
				responder.typeKeys("esc")
			}
			responder.typeKeys("esc")
		}
	}
	if writes == 0 || !strings.Contains(readOnly.screen(), "(read-only)") {
		t.Fatalf("%d write bindings checked", writes)
	}
}
