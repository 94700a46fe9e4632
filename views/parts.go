package views

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"triage/ui"
)

// Parts every tab is built from: a scrollable detail pane, the "/" filter
// bar over a table and cancellable requests.

// pane is a scrollable detail view moved with the session's keys.
type pane struct {
	vp   viewport.Model
	keys *ui.KeyMap
}

func newPane(c *Common) pane {
	vp := viewport.New(80, 20)
	vp.Style = c.Styles.R.NewStyle()
	vp.KeyMap.Up, vp.KeyMap.Down = c.Keys.Up, c.Keys.Down
	vp.KeyMap.PageUp, vp.KeyMap.PageDown = c.Keys.PageUp, c.Keys.PageDown
	vp.KeyMap.HalfPageUp, vp.KeyMap.HalfPageDown = c.Keys.HalfPageUp, c.Keys.HalfPageDown
	return pane{vp: vp, keys: c.Keys}
}

func (p *pane) SetSize(w, h int) { p.vp.Width, p.vp.Height = w, h }

// Width is the pane's width, for laying out its text.
func (p *pane) Width() int { return p.vp.Width }

// Show replaces the text; keep holds the scroll position (a refresh of the
// same item), otherwise it starts at the top.
func (p *pane) Show(content string, keep bool) {
	offset := p.vp.YOffset
	p.vp.SetContent(content)
	if keep {
		p.vp.SetYOffset(offset)
	} else {
		p.vp.GotoTop()
	}
}

// Key scrolls for navigation keys.
func (p *pane) Key(m tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(m, p.keys.Top):
		p.vp.GotoTop()
		return nil
	case key.Matches(m, p.keys.Bottom):
		p.vp.GotoBottom()
		return nil
	}
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(m)
	return cmd
}

func (p *pane) View() string { return p.vp.View() }

// infoLine is a tab's counts on the status line followed by what its
// table shows: the filter in effect with how many rows match it, and how
// many rows are marked.
func infoLine(tb *ui.Table, parts ...string) string {
	if f := tb.Filter(); f != "" {
		parts = append(parts, fmt.Sprintf("/%s: %s shown", f, count(tb.Len())))
	}
	if n := len(tb.Marked()); n > 0 {
		parts = append(parts, fmt.Sprintf("%d marked", n))
	}
	return strings.Join(parts, " · ")
}

// filterBar is the "/" prompt that filters a table as the analyst types:
// enter keeps the filter, esc clears it.
type filterBar struct {
	st     *ui.Styles
	table  *ui.Table
	prompt *ui.Prompt
}

func newFilterBar(st *ui.Styles, t *ui.Table) filterBar { return filterBar{st: st, table: t} }

// Open starts typing a filter, from the one in effect.
func (f *filterBar) Open() {
	f.prompt = ui.NewPrompt(f.st, "/", f.table.Filter(), "words to match · !word excludes · ~ for fuzzy")
}

// Typing is true while the prompt has focus.
func (f *filterBar) Typing() bool { return f.prompt != nil }

// Typed is the text in the prompt while typing.
func (f *filterBar) Typed() string {
	if f.prompt == nil {
		return ""
	}
	return f.prompt.Value()
}

// Key handles a key while typing.
func (f *filterBar) Key(m tea.KeyMsg) tea.Cmd {
	out, cmd := f.prompt.Update(m)
	switch out {
	case ui.Submitted:
		f.prompt = nil
		return f.table.CommitFilter()
	case ui.Cancelled:
		f.prompt = nil
		return f.table.SetFilter("")
	}
	return tea.Batch(cmd, f.table.SetFilter(f.prompt.Value()))
}

// Update forwards cursor blinks to the prompt.
func (f *filterBar) Update(msg tea.Msg) tea.Cmd {
	if f.prompt == nil {
		return nil
	}
	_, cmd := f.prompt.Update(msg)
	return cmd
}

// View is the bar under the table: the prompt while typing, else the
// filter in effect, else nothing.
func (f *filterBar) View(width int) string {
	switch {
	case f.prompt != nil:
		return f.prompt.Inline(width)
	case f.table.Filter() != "":
		return f.st.Muted.Render("filter /" + f.table.Filter() + " · / edit · esc clear")
	}
	return ""
}

// requests numbers a tab's loads and cancels the previous one when a new
// query starts, so a slow old answer can neither land nor keep running. It
// owns the query's context: its later pages, load-more and refreshes run
// under it, so they end with the query.
type requests struct {
	cancel context.CancelFunc
	id     int
	ctx    context.Context
}

// next starts a new request under parent.
func (r *requests) next(parent context.Context) (context.Context, int) {
	if r.cancel != nil {
		r.cancel()
	}
	ctx, cancel := context.WithCancel(parent)
	r.cancel, r.ctx = cancel, ctx
	r.id++
	return ctx, r.id
}

// current is the id answers must carry to be applied.
func (r *requests) current() int { return r.id }

// paging is the current query's context and id, for its next page, a
// load-more or a refresh; before any query, parent's.
func (r *requests) paging(parent context.Context) (context.Context, int) {
	if r.ctx == nil {
		return parent, r.id
	}
	return r.ctx, r.id
}

// stop cancels the request in flight; its late answers carry an old id.
func (r *requests) stop() {
	if r.cancel != nil {
		r.cancel()
		r.cancel, r.ctx = nil, nil
	}
	r.id++
}
