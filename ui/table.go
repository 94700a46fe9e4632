package ui

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Column describes one table column.
type Column struct {
	Title string
	Width int // the column's width, or the least of a flexible column when all fit
	Flex  int // share of the width left over; 0 = fixed
	// When the columns do not fit, they give up width by Priority: the
	// least important first narrow to Min (0: Width, the column does not
	// narrow), then hide. Equal priorities give way from the right.
	Min      int
	Priority int
}

func (c Column) min() int {
	if c.Min <= 0 || c.Min > c.Width {
		return c.Width
	}
	return c.Min
}

// Source is what a table shows. The table never copies rows: it asks for
// the cells of the rows on screen, so drawing costs the same at 100 rows
// and at 100,000.
type Source interface {
	Len() int
	Key(i int) string       // stable id, for the cursor and marks across refreshes
	Cell(i, col int) string // display text, already cleaned
	Tone(i, col int) Tone
	Search(i int) string // lower-case text the filter matches
	Fresh(i int) bool    // new or changed since the analyst last looked
}

// SortKeyer is a Source whose columns sort by something other than their
// text (a severity by its rank, a time by its instant). Keys compare as
// strings.
type SortKeyer interface {
	SortKey(i, col int) string
}

// Stamper is a Source whose rows carry a time (observed, updated,
// published): rows newer than when the analyst last looked are marked.
type Stamper interface {
	Stamp(i int) time.Time
}

// Table is a windowed table: only the visible rows are rendered, a filter
// runs off the key path, and marks and the cursor follow row keys.
type Table struct {
	st       *Styles
	keys     *KeyMap
	cols     []Column
	shown    []int // the columns on screen, by index into cols
	widths   []int // of the shown columns
	hidden   map[int]bool
	sortCol  int // -1: the source's own order
	sortDesc bool
	seen     time.Time // rows stamped after it are new to the analyst
	src      Source
	view     []int32 // rows shown, in order; nil means every row
	query    string  // the filter applied to view
	pending  string  // the filter being typed
	seq      int
	cursor   int // position in the view
	offset   int
	width    int
	height   int
	marks    map[string]bool
	Empty    string // what to say when there are no rows
}

// NewTable returns an empty table.
func NewTable(st *Styles, keys *KeyMap, cols []Column) *Table {
	t := &Table{st: st, keys: keys, cols: cols, marks: map[string]bool{}, hidden: map[int]bool{}, sortCol: -1, Empty: "Nothing here."}
	t.layout()
	return t
}

// SetSource shows src, keeping the cursor on the same row key when it is
// still there. When a filter is active the caller should also call Refilter.
func (t *Table) SetSource(src Source) {
	key := t.CursorKey()
	t.src = src
	if !t.arranged() {
		t.view = nil
	}
	if t.view != nil {
		// Until Refilter answers, the old view must not point past the new
		// rows (a tenant switch empties them).
		n := src.Len()
		kept := t.view[:0]
		for _, i := range t.view {
			if int(i) < n {
				kept = append(kept, i)
			}
		}
		t.view = kept
	}
	t.clamp()
	if key != "" {
		t.Select(key)
	}
}

// Source returns what the table shows.
func (t *Table) Source() Source { return t.src }

// SetSize sets the table's outer size, header included.
func (t *Table) SetSize(w, h int) {
	t.width, t.height = ClampSize(w, h)
	t.layout()
	t.clamp()
}

// layout fits the columns to the width: when they all fit, flexible
// columns share what is left; when not, the least important narrow, then
// hide, so no line is wider than the table and every cut ends in "…".
func (t *Table) layout() {
	t.shown = t.shown[:0]
	for i := range t.cols {
		if !t.hidden[i] {
			t.shown = append(t.shown, i)
		}
	}
	// The columns from the least important: who narrows and hides first.
	order := slices.Clone(t.shown)
	slices.SortStableFunc(order, func(a, b int) int {
		if c := t.cols[a].Priority - t.cols[b].Priority; c != 0 {
			return c
		}
		return b - a // from the right
	})
	avail := func() int { return t.width - 2 - (len(t.shown) - 1) } // gutter and separators
	need := func(w func(Column) int) int {
		n := 0
		for _, i := range t.shown {
			n += w(t.cols[i])
		}
		return n
	}
	for len(t.shown) > 1 && need(Column.min) > avail() {
		t.shown = slices.DeleteFunc(t.shown, func(i int) bool { return i == order[0] })
		order = order[1:]
	}
	t.widths = make([]int, len(t.shown))
	at := make(map[int]int, len(t.shown)) // column -> its place in shown
	for j, i := range t.shown {
		at[i] = j
		t.widths[j] = t.cols[i].Width
	}
	left := avail() - need(func(c Column) int { return c.Width })
	if left >= 0 {
		flex := 0
		for _, i := range t.shown {
			flex += t.cols[i].Flex
		}
		for j, i := range t.shown {
			if c := t.cols[i]; c.Flex > 0 && flex > 0 {
				t.widths[j] += left * c.Flex / flex
			}
		}
		return
	}
	// Narrow the least important first, each to its Min, until they fit;
	// one column alone takes what there is.
	for _, i := range order {
		j := at[i]
		give := min(t.widths[j]-t.cols[i].min(), -left)
		if len(t.shown) == 1 {
			give = -left
		}
		t.widths[j] -= give
		left += give
		if left >= 0 {
			break
		}
	}
	for j := range t.widths {
		t.widths[j] = max(t.widths[j], 1)
	}
}

// Columns are the table's columns, shown or not.
func (t *Table) Columns() []Column { return t.cols }

// Hidden reports whether column i is hidden.
func (t *Table) Hidden(i int) bool { return t.hidden[i] }

// SetHidden hides or shows column i; at least one column stays.
func (t *Table) SetHidden(i int, hide bool) {
	if i < 0 || i >= len(t.cols) {
		return
	}
	if hide && len(t.shown) <= 1 && !t.hidden[i] {
		return
	}
	if hide {
		t.hidden[i] = true
	} else {
		delete(t.hidden, i)
	}
	t.layout()
}

// SetSeen marks rows stamped after at as new to the analyst.
func (t *Table) SetSeen(at time.Time) { t.seen = at }

// Sort is the column the rows are sorted by (-1: the source's order).
func (t *Table) Sort() (col int, desc bool) { return t.sortCol, t.sortDesc }

// SortBy sorts the rows by column col (-1 restores the source's order),
// off the key path like the filter.
func (t *Table) SortBy(col int, desc bool) tea.Cmd {
	if col >= len(t.cols) {
		col = -1
	}
	t.sortCol, t.sortDesc = col, desc && col >= 0
	if t.src == nil {
		return nil
	}
	t.seq++
	return t.arrange(t.seq, t.pending)
}

// arranged reports whether the view differs from the source's order.
func (t *Table) arranged() bool { return t.query != "" || t.sortCol >= 0 }

// Len is the number of rows shown (after the filter).
func (t *Table) Len() int {
	if t.src == nil {
		return 0
	}
	if t.view != nil {
		return len(t.view)
	}
	return t.src.Len()
}

// Total is the number of rows loaded, filtered or not.
func (t *Table) Total() int {
	if t.src == nil {
		return 0
	}
	return t.src.Len()
}

func (t *Table) row(pos int) int {
	if t.view != nil {
		return int(t.view[pos])
	}
	return pos
}

// Cursor returns the source index of the row under the cursor.
func (t *Table) Cursor() (int, bool) {
	if t.Len() == 0 {
		return 0, false
	}
	return t.row(t.cursor), true
}

// CursorKey is the key of the row under the cursor, or "".
func (t *Table) CursorKey() string {
	if i, ok := t.Cursor(); ok {
		return t.src.Key(i)
	}
	return ""
}

// Position is the cursor's place in the shown rows.
func (t *Table) Position() int { return t.cursor }

// Select moves the cursor to the row with key; false if it is not shown.
func (t *Table) Select(key string) bool {
	for pos := 0; pos < t.Len(); pos++ {
		if t.src.Key(t.row(pos)) == key {
			t.cursor = pos
			t.scroll()
			return true
		}
	}
	return false
}

// NearEnd reports whether the cursor is within n rows of the last row, the
// moment to fetch the next page.
func (t *Table) NearEnd(n int) bool { return t.Len()-t.cursor <= n }

func (t *Table) visibleRows() int { return max(t.height-1, 1) }

func (t *Table) clamp() {
	n := t.Len()
	if t.cursor >= n {
		t.cursor = n - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	t.scroll()
}

func (t *Table) scroll() {
	vis := t.visibleRows()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+vis {
		t.offset = t.cursor - vis + 1
	}
	if max := t.Len() - vis; t.offset > max {
		t.offset = max
	}
	if t.offset < 0 {
		t.offset = 0
	}
}

// Move moves the cursor by delta rows.
func (t *Table) Move(delta int) {
	t.cursor += delta
	t.clamp()
}

// HandleKey moves the cursor for navigation keys and reports whether the key
// was one.
func (t *Table) HandleKey(msg tea.KeyMsg) bool {
	k := t.keys
	switch {
	case key.Matches(msg, k.Down):
		t.Move(1)
	case key.Matches(msg, k.Up):
		t.Move(-1)
	case key.Matches(msg, k.PageDown):
		t.Move(t.visibleRows())
	case key.Matches(msg, k.PageUp):
		t.Move(-t.visibleRows())
	case key.Matches(msg, k.HalfPageDown):
		t.Move(max(t.visibleRows()/2, 1))
	case key.Matches(msg, k.HalfPageUp):
		t.Move(-max(t.visibleRows()/2, 1))
	case key.Matches(msg, k.Top):
		t.cursor = 0
		t.clamp()
	case key.Matches(msg, k.Bottom):
		t.cursor = t.Len() - 1
		t.clamp()
	case key.Matches(msg, k.Mark):
		t.ToggleMark()
		t.Move(1)
	default:
		return false
	}
	return true
}

// --- marks ---------------------------------------------------------------

// ToggleMark marks or unmarks the row under the cursor.
func (t *Table) ToggleMark() {
	if k := t.CursorKey(); k != "" {
		if t.marks[k] {
			delete(t.marks, k)
		} else {
			t.marks[k] = true
		}
	}
}

// MarkAll marks every shown row.
func (t *Table) MarkAll() {
	for pos := 0; pos < t.Len(); pos++ {
		t.marks[t.src.Key(t.row(pos))] = true
	}
}

// ClearMarks removes every mark.
func (t *Table) ClearMarks() { t.marks = map[string]bool{} }

// Marked returns the keys of marked rows still loaded, in row order.
func (t *Table) Marked() []string {
	if len(t.marks) == 0 || t.src == nil {
		return nil
	}
	var out []string
	for i := 0; i < t.src.Len(); i++ {
		if k := t.src.Key(i); t.marks[k] {
			out = append(out, k)
		}
	}
	return out
}

// IsMarked reports whether the row with key is marked.
func (t *Table) IsMarked(key string) bool { return t.marks[key] }

// --- filter --------------------------------------------------------------

// FilterTick and Filtered carry a filter from the keystroke to its result.
type (
	filterTick struct {
		t   *Table
		seq int
	}
	filtered struct {
		t        *Table
		seq      int
		query    string
		view     []int32
		arranged bool // a filtered or sorted view; false restores the source order
	}
)

// FilterDebounce is how long typing must pause before the filter runs.
const FilterDebounce = 80 * time.Millisecond

// SetFilter schedules the filter query; it runs when typing pauses, off the
// key path. Handle the messages it produces with Update.
func (t *Table) SetFilter(query string) tea.Cmd {
	t.pending = query
	t.seq++
	seq := t.seq
	return tea.Tick(FilterDebounce, func(time.Time) tea.Msg { return filterTick{t, seq} })
}

// Filter is the filter in effect.
func (t *Table) Filter() string { return t.query }

// Refilter runs the current filter and sort again over new data.
func (t *Table) Refilter() tea.Cmd {
	if t.query == "" && t.pending == "" && t.sortCol < 0 {
		return nil
	}
	t.seq++
	return t.arrange(t.seq, t.pending)
}

// arrange computes the rows to show: those matching query, in the sort
// order. The keys are read here, on the UI goroutine (the rows may change
// while it runs); the matching and sorting run in a command.
func (t *Table) arrange(seq int, query string) tea.Cmd {
	filter := strings.TrimSpace(query) != ""
	if !filter && t.sortCol < 0 {
		return func() tea.Msg { return filtered{t: t, seq: seq} }
	}
	n := t.src.Len()
	var search, order []string
	if filter {
		search = make([]string, n)
		for i := range search {
			search[i] = t.src.Search(i)
		}
	}
	if col := t.sortCol; col >= 0 {
		order = make([]string, n)
		sk, typed := t.src.(SortKeyer)
		for i := range order {
			if typed {
				order[i] = sk.SortKey(i, col)
			} else {
				order[i] = strings.ToLower(t.src.Cell(i, col))
			}
		}
	}
	m := CompileFilter(query)
	desc := t.sortDesc
	return func() tea.Msg {
		view := make([]int32, 0, n)
		for i := 0; i < n; i++ {
			if !filter || m(search[i]) {
				view = append(view, int32(i))
			}
		}
		if order != nil {
			slices.SortStableFunc(view, func(a, b int32) int {
				c := strings.Compare(order[a], order[b])
				if desc {
					c = -c
				}
				return c
			})
		}
		return filtered{t: t, seq: seq, query: query, view: view, arranged: true}
	}
}

// Update handles the table's own filter messages.
func (t *Table) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case filterTick:
		if m.t == t && m.seq == t.seq && t.src != nil {
			return t.arrange(m.seq, t.pending)
		}
	case filtered:
		if m.t == t && m.seq == t.seq {
			key := t.CursorKey()
			t.query, t.view = m.query, m.view
			if !m.arranged {
				t.view = nil
			}
			t.cursor = 0
			t.offset = 0
			if key == "" || !t.Select(key) {
				t.clamp()
			}
		}
	}
	return nil
}

// commitNowRows is the most rows CommitFilter filters in place: a few
// milliseconds of work at most.
const commitNowRows = 20_000

// CommitFilter applies the typed filter when the analyst presses enter, so
// the next key acts on the filtered rows, not on the list before it: small
// tables are filtered in place, large ones at once, without the typing pause.
func (t *Table) CommitFilter() tea.Cmd {
	if t.src == nil || t.pending == t.query {
		return nil
	}
	t.seq++
	run := t.arrange(t.seq, t.pending)
	if t.src.Len() > commitNowRows {
		return run
	}
	t.Update(run())
	return nil
}

// ApplyFilterNow filters synchronously, for tests and small tables.
func (t *Table) ApplyFilterNow(query string) {
	t.pending = query
	t.seq++
	if t.src == nil {
		return
	}
	t.Update(t.arrange(t.seq, query)())
}

// CompileFilter turns a filter query into a matcher over lower-case text:
// space-separated terms must all appear, a "!" term must not, and a query
// starting with "~" matches its letters in order (fuzzy).
func CompileFilter(query string) func(string) bool {
	query = strings.ToLower(strings.TrimSpace(query))
	if fuzzy, ok := strings.CutPrefix(query, "~"); ok {
		want := []rune(strings.ReplaceAll(fuzzy, " ", ""))
		return func(s string) bool {
			i := 0
			for _, r := range s {
				if i < len(want) && r == want[i] {
					i++
				}
			}
			return i == len(want)
		}
	}
	var must, mustNot []string
	for _, term := range strings.Fields(query) {
		if neg, ok := strings.CutPrefix(term, "!"); ok {
			if neg != "" {
				mustNot = append(mustNot, neg)
			}
		} else {
			must = append(must, term)
		}
	}
	return func(s string) bool {
		for _, m := range must {
			if !strings.Contains(s, m) {
				return false
			}
		}
		for _, m := range mustNot {
			if strings.Contains(s, m) {
				return false
			}
		}
		return true
	}
}

// --- drawing -------------------------------------------------------------

// View draws the header and the rows on screen.
func (t *Table) View() string {
	n := t.Len()
	end := min(t.offset+t.visibleRows(), n)
	var b strings.Builder
	// The lines drawn, header included: bounded by the rows there are and
	// by the clamped size.
	b.Grow((t.width + 16) * (max(end-t.offset, 0) + 1))
	b.WriteString(t.st.Header.Render(t.line(-1, false)))
	if n == 0 {
		// The sentence wraps: what to do next must not be cut off.
		for _, l := range Wrap(t.Empty, max(t.width-2, 10)) {
			b.WriteString("\n" + t.st.Muted.Render("  "+l))
		}
		return b.String()
	}
	for pos := t.offset; pos < end; pos++ {
		b.WriteByte('\n')
		i := t.row(pos)
		if pos == t.cursor {
			b.WriteString(t.st.Selected.Render(t.line(i, true)))
			continue
		}
		b.WriteString(t.styledLine(i))
	}
	return b.String()
}

// gutter is the two cells before a row: a mark, or whether it is new to
// the analyst. Without colour the cursor row's second cell is "▸",
// pointing at the row, its mark kept beside it.
func (t *Table) gutter(i int, cursor bool) string {
	if i < 0 {
		return "  "
	}
	if cursor && t.st.Plain {
		mark, _ := utf8.DecodeRuneInString(t.gutter(i, false)) // ✔, ● or a space
		return string(mark) + "▸"
	}
	switch {
	case t.marks[t.src.Key(i)]:
		return "✔ "
	case t.src.Fresh(i):
		return "● "
	case !t.seen.IsZero():
		if st, ok := t.src.(Stamper); ok && st.Stamp(i).After(t.seen) {
			return "● "
		}
	}
	return "  "
}

// title is a column's header fitted to w, with the sort direction when
// sorted by it (the arrow stays, the title gives way).
func (t *Table) title(col, w int) string {
	title := t.cols[col].Title
	if col != t.sortCol || w < 3 {
		return Fit(title, w)
	}
	arrow := " ▲"
	if t.sortDesc {
		arrow = " ▼"
	}
	return Fit(strings.TrimRight(Fit(title, w-2), " ")+arrow, w)
}

// line is row i as plain text padded to the columns (-1 is the header).
func (t *Table) line(i int, cursor bool) string {
	var b strings.Builder
	b.WriteString(t.gutter(i, cursor))
	for j, w := range t.widths {
		if j > 0 {
			b.WriteByte(' ')
		}
		c := t.shown[j]
		if i < 0 {
			b.WriteString(t.title(c, w))
		} else {
			b.WriteString(Fit(t.src.Cell(i, c), w))
		}
	}
	return b.String()
}

func (t *Table) styledLine(i int) string {
	var b strings.Builder
	g := t.gutter(i, false)
	if g == "● " {
		b.WriteString(t.st.Tone(ToneAccent, g))
	} else if g == "✔ " {
		b.WriteString(t.st.Marked.Render(g))
	} else {
		b.WriteString(g)
	}
	for j, w := range t.widths {
		if j > 0 {
			b.WriteByte(' ')
		}
		c := t.shown[j]
		b.WriteString(t.st.Tone(t.src.Tone(i, c), Fit(t.src.Cell(i, c), w)))
	}
	return b.String()
}

// Fit pads or truncates s to exactly w cells, with "…" marking a cut.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if strings.IndexByte(s, '\n') >= 0 {
		s = strings.ReplaceAll(s, "\n", " ") // a cell is one line
	}
	if isASCII(s) {
		switch {
		case len(s) == w:
			return s
		case len(s) < w:
			return s + strings.Repeat(" ", w-len(s))
		case w == 1:
			return "…"
		}
		return s[:w-1] + "…"
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return false
		}
	}
	return true
}
