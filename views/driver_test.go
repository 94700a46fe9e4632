package views

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"triage/ui"
)

// driver runs a session without a terminal or a tea.Program: each message
// goes through App.Update in the test's goroutine, each command it returns
// is run there too and its message fed back, until nothing is left to do.
// Requests to the simulators are made one after another, in the order the
// commands were issued, so a test sees one interleaving, always the same,
// and reads View without racing anything. Timers are not waited for:
//
//   - the cursor's blink is skipped: it changes nothing an Ascii frame shows;
//   - the spinner does not turn: its ticks are dropped;
//   - the filter's pause in typing (ui.FilterDebounce) is over at once: once
//     a key's work is done, every table applies the filter typed so far, as
//     it would when the pause ends;
//   - every other timer (remediation checks, the System Log tail, the
//     auto-refresh) is skipped; a test that needs one sends its message.
type driver struct {
	*session
	queue   []tea.Msg
	observe func() // if set, called after each message the App handles
}

func newDriver(t *testing.T, s setup) *driver {
	t.Helper()
	d := &driver{session: newSession(t, s)}
	start := d.start()
	d.send(tea.WindowSizeMsg{Width: screenWidth, Height: screenHeight})
	d.run(start)
	d.settle()
	return d
}

// send delivers msg as the program would and runs everything it starts.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	d.queue = append(d.queue, msg)
	d.settle()
}

// settle delivers queued messages, and those their commands produce,
// until none is left and no filter is waiting for a pause in typing.
func (d *driver) settle() {
	for len(d.queue) > 0 {
		for len(d.queue) > 0 {
			msg := d.queue[0]
			d.queue = d.queue[1:]
			d.deliver(msg)
		}
		for _, tb := range tablesOf(d.app) {
			d.run(tb.CommitFilter())
		}
	}
}

func (d *driver) deliver(msg tea.Msg) {
	switch m := msg.(type) {
	case tea.BatchMsg:
		for _, cmd := range m {
			d.run(cmd)
		}
		return
	case spinner.TickMsg:
		return
	}
	if v := reflect.ValueOf(msg); isSequence(v) {
		for i := range v.Len() {
			d.run(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	_, cmd := d.app.Update(msg)
	if d.observe != nil {
		d.observe()
	}
	d.run(cmd)
}

// run runs cmd and queues its message, unless cmd is a timer.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil || isTimer(cmd) {
		return
	}
	if msg := cmd(); msg != nil {
		d.queue = append(d.queue, msg)
	}
}

// isTimer reports a command that waits before it delivers its message:
// tea.Tick (the console's timers and the spinner's) and the cursor's blink.
func isTimer(cmd tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	return strings.HasPrefix(name, "github.com/charmbracelet/bubbletea.Tick.") ||
		strings.HasPrefix(name, "triage/views.pollAfter.") ||
		strings.HasPrefix(name, "github.com/charmbracelet/bubbles/cursor.")
}

// isSequence reports tea.Sequence's message, which is not exported: its
// commands run one after another.
func isSequence(v reflect.Value) bool {
	return v.IsValid() && v.Type().String() == "tea.sequenceMsg"
}

// tablesOf are every table of the console's tabs.
func tablesOf(a *App) []*ui.Table {
	var out []*ui.Table
	for _, t := range a.tabs {
		switch t := t.(type) {
		case tableOwner:
			for _, tb := range t.Tables() {
				out = append(out, tb)
			}
		case *iamTab:
			out = append(out, t.table)
		}
	}
	return out
}

func (d *driver) typeKeys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func (d *driver) screen() string { return d.app.View() }

// The driver's waits have nothing to wait for: each checks the screen now.

func (d *driver) waitFor(texts ...string) {
	d.t.Helper()
	d.waitUntil(fmt.Sprintf("%q", texts), func(frame string) bool { return showsAll(frame, texts) })
}

func (d *driver) waitFor2(text string) string {
	d.t.Helper()
	return d.waitUntil(fmt.Sprintf("%q", text), func(f string) bool { return strings.Contains(f, text) })
}

func (d *driver) waitUntil(what string, ok func(frame string) bool) string {
	d.t.Helper()
	frame := d.screen()
	if !ok(frame) {
		d.t.Fatalf("the screen does not show %s:\n%s", what, frame)
	}
	return frame
}

// checkRemediations delivers the checks of tab 3's pending remediations
// that are due, as the tab's timers would.
func (d *driver) checkRemediations() {
	d.t.Helper()
	tab := tabOf[*remediationsTab](d.app)
	var due []string
	for id, p := range tab.polls {
		if p.scheduled {
			due = append(due, id)
		}
	}
	slices.Sort(due)
	for _, id := range due {
		d.send(pollDueMsg{tab: tab, id: id})
	}
}

// The driver tells timers by the name of the function behind a command: a
// newer bubbletea or bubbles that renames them must fail here, not leave
// tests waiting on timers.
func TestDriverKnowsTheTimers(t *testing.T) {
	t.Parallel()
	in := textinput.New()
	in.Focus()
	_, blink := in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	tick := tea.Tick(time.Hour, func(time.Time) tea.Msg { return nil })
	for name, cmd := range map[string]tea.Cmd{"tea.Tick": tick, "the cursor's blink": blink} {
		if cmd == nil || !isTimer(cmd) {
			t.Errorf("%s is not known as a timer", name)
		}
	}
	if isTimer(ui.Toast("saved")) || isTimer(tea.Batch(tick, tick)) {
		t.Error("a command that answers at once is taken for a timer")
	}
	if v := reflect.ValueOf(tea.Sequence(tick, tick)()); !isSequence(v) {
		t.Errorf("tea.Sequence's message %s is not known", v.Type())
	}
}
