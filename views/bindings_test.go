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

// The write policy, from every tab's binding list: each write that changes
// what others see ends in a y/N question that shows what will be sent,
// and nothing is sent before y. Pickers on the way take their first item;
// a form is filled as an analyst would. The one exception is a comment on
// one ticket, which its editor sends on ctrl+s (the README says so).
func TestEveryWriteShowsWhatItSendsAndAsksYN(t *testing.T) {
	t.Parallel()
	d := newDriver(t, setup{})
	forms := map[string]func(){
		"iam.create_user": func() {
			d.typeText("dana.new@acme.example")
			d.typeKeys("enter")
			d.typeText("Dana")
			d.typeKeys("enter")
			d.typeText("New")
			d.typeKeys("ctrl+s")
		},
		"iam.update_user": func() { d.typeKeys("tab", "tab", "tab", "tab", "ctrl+u", "ctrl+s") },
	}
	// Writes that start from a prompt: what the analyst types.
	prompts := map[string]string{
		"okta.app_assign_user":   li,
		"okta.app_unassign_user": li,
		"essentials.sender_list": "phish.example",
	}
	asked := 0
	for _, tab := range d.app.tabs {
		bt, ok := tab.(bound)
		if !ok {
			continue
		}
		for _, b := range bt.bindings() {
			if b.write == "" || !b.isShown() {
				continue
			}
			keyName := b.key.Keys()[0]
			before := len(d.audit.Lines())
			sent := func() []audit.Entry { return d.audit.Lines()[before:] }
			d.typeKeys(itoa(tab.Number()), keyName)
			if !tab.Capturing() {
				d.typeKeys("esc", "enter", keyName) // a write on the open item
			}
			for row := 0; row < 30 && !tab.Capturing(); row++ {
				d.typeKeys("esc", "down", keyName)
			}
			for step := 0; step < 6 && !strings.Contains(d.screen(), "N cancel"); step++ {
				switch s := d.screen(); {
				case strings.Contains(s, "ctrl+s send"):
					d.typeText("Seen by the night shift.")
					d.typeKeys("ctrl+s")
				case strings.Contains(s, "enter choose"):
					d.waitUntil("the picker's items", func(f string) bool { return !strings.Contains(f, "Loading") })
					d.typeKeys("enter")
				case strings.Contains(s, "ctrl+s submit") && forms[b.write] != nil:
					forms[b.write]()
				case prompts[b.write] != "" && strings.Contains(s, "› "):
					d.typeText(prompts[b.write])
					d.typeKeys("enter")
				}
				d.settle()
			}
			switch s := d.screen(); {
			case b.write == "itm.comment" && len(sent()) > 0:
				// The documented exception: the editor's ctrl+s sends.
				d.waitFor("Comment saved")
			case !strings.Contains(s, "N cancel"):
				t.Errorf("%s %s (%s) asked no y/N question:\n%s", tab.Name(), keyName, b.write, s)
			default:
				asked++
				if es := sent(); len(es) != 0 {
					t.Errorf("%s %s (%s) sent before y: %+v", tab.Name(), keyName, b.write, es)
				}
			}
			for i := 0; i < 5 && tab.Capturing(); i++ {
				d.typeKeys("esc")
			}
			d.typeKeys("esc")
		}
	}
	if asked < 10 {
		t.Fatalf("only %d writes asked", asked)
	}
}
