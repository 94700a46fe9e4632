package views

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"triage/ui"
)

// A bulk action runs one write on many marked rows: the confirm before it
// states the count, each row's result is listed as it arrives, and the rows
// that failed can be retried on their own.

// bulkJob is the write for one row.
type bulkJob struct {
	key   string // the row's key
	label string // what the analyst reads for the row
	// run does the write, reading back a lost answer before reporting it;
	// a message it returns (the row re-read) goes to the tab.
	run func(ctx context.Context) (tea.Msg, error)
}

type bulkResult struct {
	job     bulkJob
	err     error
	done    bool
	running bool
}

// bulk is one bulk action and its results.
type bulk struct {
	c     *Common
	title string // "Comment on 3 tickets"
	// started is set for writes the vendor only starts (a remediation): a
	// row that went through is "started", and tab 3 says when it ends.
	started bool
	results []bulkResult
	next    int // the next job to start
	running int
	visible bool
	pane    pane
}

// bulkDone reports one row's result.
type bulkDone struct {
	b     *bulk
	index int
	msg   tea.Msg
	err   error
}

// bulkWorkers is how many rows are written at once: enough to be quick,
// few enough to stay well inside vendors' rate limits.
const bulkWorkers = 4

func newBulk(c *Common, title string, jobs []bulkJob) *bulk {
	b := &bulk{c: c, title: title, visible: true, pane: newPane(c)}
	for _, j := range jobs {
		b.results = append(b.results, bulkResult{job: j})
	}
	return b
}

// start runs the first rows; each result starts the next one.
func (b *bulk) start() tea.Cmd {
	var cmds []tea.Cmd
	for b.running < bulkWorkers && b.next < len(b.results) {
		cmds = append(cmds, b.launch(b.next))
		b.next++
	}
	return tea.Batch(cmds...)
}

func (b *bulk) launch(i int) tea.Cmd {
	b.running++
	r := &b.results[i]
	r.running, r.done, r.err = true, false, nil
	run, ctx := r.job.run, b.c.Context()
	return func() tea.Msg {
		msg, err := run(ctx)
		return bulkDone{b: b, index: i, msg: msg, err: err}
	}
}

// update applies a result that belongs to this bulk action.
func (b *bulk) update(m bulkDone) tea.Cmd {
	b.running--
	r := &b.results[m.index]
	r.running, r.done, r.err = false, true, m.err
	var cmds []tea.Cmd
	if m.msg != nil {
		msg := m.msg
		cmds = append(cmds, func() tea.Msg { return msg })
	}
	cmds = append(cmds, b.start())
	if b.finished() {
		ok, failed := b.counts()
		after := ""
		if b.started && ok > 0 {
			after = "; tab 3 follows them until the vendor says they finished"
		}
		if failed > 0 {
			cmds = append(cmds, ui.Failf("%s: %d %s, %d failed (R retries the failed ones)%s", b.title, ok, b.done(), failed, after))
		} else {
			cmds = append(cmds, ui.Toast("%s: all %d %s%s", b.title, ok, b.done(), after))
		}
	}
	b.render()
	return tea.Batch(cmds...)
}

// done is what a row that went through is.
func (b *bulk) done() string {
	if b.started {
		return "started"
	}
	return "done"
}

func (b *bulk) finished() bool { return b.running == 0 && b.next >= len(b.results) }

func (b *bulk) counts() (ok, failed int) {
	for _, r := range b.results {
		switch {
		case r.done && r.err == nil:
			ok++
		case r.done:
			failed++
		}
	}
	return ok, failed
}

// retryFailed runs the failed rows again.
func (b *bulk) retryFailed() tea.Cmd {
	if !b.finished() {
		return ui.Failf("%s is still running", b.title)
	}
	var cmds []tea.Cmd
	for i := range b.results {
		if r := &b.results[i]; r.done && r.err != nil {
			r.done, r.err = false, nil
			cmds = append(cmds, b.launch(i))
		}
	}
	if len(cmds) == 0 {
		return ui.Toast("Nothing failed")
	}
	b.next = len(b.results)
	b.render()
	return tea.Batch(cmds...)
}

// busy says how far the action has come, for the spinner.
func (b *bulk) busy() string {
	if b == nil || b.finished() {
		return ""
	}
	ok, failed := b.counts()
	return fmt.Sprintf("%s: %d of %d", b.title, ok+failed, len(b.results))
}

// key handles a key while the results are shown: R retries the failed
// rows, esc hides the list (the action goes on), the rest scrolls.
func (b *bulk) key(m tea.KeyMsg) tea.Cmd {
	switch {
	case m.String() == "R":
		return b.retryFailed()
	case key.Matches(m, b.c.Keys.Back):
		b.visible = false
		return nil
	}
	return b.pane.Key(m)
}

func (b *bulk) setSize(w, h int) {
	b.pane.SetSize(w, h)
	b.render()
}

func (b *bulk) render() {
	st := b.c.Styles
	d := ui.NewDoc(st, b.pane.Width())
	ok, failed := b.counts()
	state := "running"
	if b.finished() {
		state = "finished"
	}
	d.Section(fmt.Sprintf("%s · %s · %d %s, %d failed, %d to go", b.title, state, ok, b.done(), failed, len(b.results)-ok-failed))
	for _, r := range b.results {
		mark, tone := "…", ui.ToneMuted
		switch {
		case r.running:
			mark, tone = "⋯", ui.ToneAccent
		case r.done && r.err == nil:
			mark, tone = "✓", ui.ToneGood
		case r.done:
			mark, tone = "✗", ui.ToneBad
		}
		d.Line(st.Tone(tone, mark) + " " + r.job.label)
		if r.err != nil {
			d.Line("    " + st.Tone(ui.ToneBad, strings.ReplaceAll(r.err.Error(), "\n", " ")))
		}
	}
	d.Line("")
	if b.started {
		d.Muted("Started is not finished: tab 3 follows each one until the vendor says success or failure.")
	}
	d.Muted("R retries the failed rows · esc back to the list (the action goes on)")
	b.pane.Show(d.String(), true)
}

func (b *bulk) view() string { return b.pane.View() }
