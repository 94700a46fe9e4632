package views

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"triage/backend/audit"
	"triage/backend/clean"
	"triage/backend/config"
	"triage/backend/prefs"
	"triage/ui"
)

// App is the root model: a header with the tab bar, the active tab, and the
// status line.
type App struct {
	c        *Common
	tabs     []Tab
	active   int
	width    int
	height   int
	status   *ui.Status
	spinning bool
	theme    string

	overlay     overlay
	palette     *ui.Picker
	paletteActs map[string]Action
	history     []string // palette commands, newest first
	sheet       pane     // the audit log or the messages, over the tabs
	help        pane     // the help, scrolled with the list keys
	prefs       *prefs.Store
	person      *personView // what p opened
	pickerOnly  bool        // the palette shows a short choice, not every command

	back    []crumb           // where the back key returns, the newest last
	ask     *ui.Confirm       // the console's own question (quit with drafts?)
	askYes  func() tea.Cmd    // what y to it does
	askOver overlay           // what it covered
	drafts  map[string]string // the comment drafts as last saved
}

// overlay is what covers the tabs: help, the palette, the audit log, the
// messages, a person.
type overlay int

const (
	overlayNone overlay = iota
	overlayHelp
	overlayPalette
	overlayAudit
	overlayMessages
	overlayPerson
	overlayAsk
)

// prefsLoaded carries the analyst's remembered state, read at start.
type prefsLoaded struct {
	p   prefs.Prefs
	err error
}

// auditRead carries the tail of the audit log.
type auditRead struct {
	text string
	err  error
}

// refreshTick is the auto-refresh clock.
type refreshTick struct{ at time.Time }

// New builds the whole UI of one session from its Common.
func New(c *Common) *App {
	a := &App{c: c, status: ui.NewStatus(c.Styles), width: 80, height: 24, theme: c.Backends.Config.UI.Theme, sheet: newPane(c), help: newPane(c)}
	a.status.More = keyOf(c.Keys.Messages)
	a.status.Now = c.now
	if c.StateDir != "" || c.State != nil {
		a.prefs = prefs.For(c.state(), c.Analyst.Name)
	}
	for _, sp := range registry {
		c.Keys.Tab(sp.Number).SetHelp(keyOf(*c.Keys.Tab(sp.Number)), sp.Name)
		if sp.enabled(c.Backends) {
			a.tabs = append(a.tabs, sp.build(c))
		}
	}
	a.applyRole()
	return a
}

// applyRole greys out write keys for a read-only analyst; the backend
// refuses their writes regardless.
func (a *App) applyRole() {
	if a.c.Analyst.CanWrite() {
		return
	}
	for _, b := range writeKeys(a.tabs) {
		b.SetEnabled(false)
	}
}

// Init starts every tab loading at once: time to data is the slowest
// vendor, not the sum.
func (a *App) Init() tea.Cmd {
	// No window title: bubbletea v1.3.10 writes it without the lock that
	// frame drawing takes, so the two can interleave.
	cmds := []tea.Cmd{a.loadPrefs()}
	for _, t := range a.tabs {
		cmds = append(cmds, t.Init())
	}
	cmds = append(cmds, a.shown())
	for _, n := range a.c.Notices {
		cmds = append(cmds, ui.Failf("%s", n))
	}
	if a.c.Refresh > 0 {
		cmds = append(cmds, a.scheduleRefresh())
	}
	return a.withSpinner(tea.Batch(cmds...))
}

func (a *App) scheduleRefresh() tea.Cmd {
	return tea.Tick(a.c.Refresh, func(t time.Time) tea.Msg { return refreshTick{t} })
}

// Update implements tea.Model.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := a.update(msg)
	if save := a.saveDrafts(); save != nil {
		cmd = tea.Batch(cmd, save)
	}
	return model, cmd
}

func (a *App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		// A terminal may claim any size; the console draws for at most
		// ui.MaxWidth×ui.MaxHeight, so no frame grows with the claim.
		a.width, a.height = ui.ClampSize(m.Width, m.Height)
		for _, t := range a.tabs {
			t.SetSize(a.width, a.bodyHeight())
		}
		a.sheet.SetSize(a.width, a.bodyHeight())
		a.help.SetSize(a.width, a.bodyHeight())
		if a.person != nil {
			a.person.pane.SetSize(a.width, a.bodyHeight())
			a.person.render()
		}
		return a, nil
	case followMsg:
		return a, a.withSpinner(a.openPerson(m.s))
	case sectionMsg:
		m.v.apply(m) // shown now, or kept on the back stack
		return a, nil
	case prefsLoaded:
		if m.err != nil {
			return a, ui.Fail(fmt.Errorf("your saved preferences: %w", m.err))
		}
		a.history = m.p.Palette
		a.loadDrafts(m.p.Drafts)
		return a, a.applyPrefs(m.p)
	case auditRead:
		if a.overlay != overlayAudit {
			return a, nil // closed, or the messages opened, before it was read
		}
		if m.err != nil {
			a.overlay = overlayNone
			return a, ui.Fail(m.err)
		}
		a.sheet.Show(m.text, false)
		a.sheet.vp.GotoBottom()
		return a, nil
	case tea.KeyMsg:
		return a, a.withSpinner(a.keys(m))
	case ui.ErrorMsg:
		if m.Err != nil {
			a.status.Error(m.Err)
			a.c.Log.Debug("status error", "error", m.Err.Error())
		}
		return a, nil
	case ui.ToastMsg:
		a.status.Note(m.Text)
		return a, nil
	case spinner.TickMsg:
		if a.busy() == "" {
			a.spinning = false
			return a, nil
		}
		return a, a.status.Spin(m)
	case refreshTick:
		var cmd tea.Cmd
		if t := a.current(); t != nil {
			cmd = t.Refresh()
		}
		return a, a.withSpinner(tea.Batch(cmd, a.markSeen(), a.scheduleRefresh()))
	}
	return a, a.withSpinner(route(a.tabs, msg))
}

// keys splits runes that arrived together: bubbletea reports "jjj" (a held
// key, fast typing over SSH) as one message, which no binding matches. Text
// fields take them whole; everywhere else each is its own key press.
func (a *App) keys(m tea.KeyMsg) tea.Cmd {
	if m.Type != tea.KeyRunes || len(m.Runes) < 2 || m.Paste || a.typing() {
		return a.key(m)
	}
	cmds := make([]tea.Cmd, 0, len(m.Runes))
	for _, r := range m.Runes {
		cmds = append(cmds, a.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: m.Alt}))
	}
	return tea.Batch(cmds...)
}

// typing reports whether a text field has the keys.
func (a *App) typing() bool {
	if a.overlay == overlayPalette {
		return true
	}
	t := a.current()
	return a.overlay == overlayNone && t != nil && t.Capturing()
}

func (a *App) key(m tea.KeyMsg) tea.Cmd {
	a.status.Key()
	k := a.c.Keys
	switch a.overlay {
	case overlayHelp:
		if key.Matches(m, k.Help, k.Back, k.Quit) {
			a.overlay = overlayNone
			a.help.Show("", false) // the next help opens at the top
			return nil
		}
		a.help.Show(a.helpView(), true)
		return a.help.Key(m)
	case overlayPalette:
		return a.paletteKey(m)
	case overlayAudit, overlayMessages:
		if key.Matches(m, k.Back, k.Quit) {
			a.overlay = overlayNone
			return nil
		}
		return a.sheet.Key(m)
	case overlayPerson:
		return a.personKey(m)
	case overlayAsk:
		return a.askKey(m)
	}
	t := a.current()
	if t != nil && t.Capturing() {
		return t.Update(m)
	}
	if m.Type == tea.KeyBackspace && !key.Matches(m, k.Back) {
		m = a.backKey() // backspace goes back too, as in k9s
	}
	switch {
	case key.Matches(m, k.Quit):
		if d, ok := t.(detailed); ok && !isInterrupt(m) && d.inDetail() {
			return t.Update(a.backKey()) // q leaves the item; q again quits
		}
		return a.quit()
	case key.Matches(m, k.Back) && len(a.back) > 0 && (t == nil || !a.takesBack(t)):
		return a.goBack()
	case key.Matches(m, k.Help):
		a.overlay = overlayHelp
		return nil
	case key.Matches(m, k.Palette):
		a.openPalette()
		return nil
	case key.Matches(m, k.Messages):
		a.showMessages()
		return nil
	case key.Matches(m, k.Pivot) && t != nil:
		return a.pivot(t)
	case key.Matches(m, k.NextTab):
		return a.switchTo((a.active + 1) % max(len(a.tabs), 1))
	case key.Matches(m, k.PrevTab):
		return a.switchTo((a.active - 1 + len(a.tabs)) % max(len(a.tabs), 1))
	}
	for _, sp := range registry {
		if key.Matches(m, *k.Tab(sp.Number)) {
			for i, tab := range a.tabs {
				if tab.Number() == sp.Number {
					return a.switchTo(i)
				}
			}
			return ui.Failf("tab %d (%s) has no configured tenant", sp.Number, sp.Name)
		}
	}
	if t == nil {
		return nil
	}
	return t.Update(m)
}

// switchTo shows tab i, recording that the analyst has seen the one left.
func (a *App) switchTo(i int) tea.Cmd {
	if i < 0 || i >= len(a.tabs) || i == a.active {
		return nil
	}
	seen := a.markSeen()
	a.active = i
	return tea.Batch(seen, a.shown())
}

// shownTab is a tab that starts loading when it is first shown rather than
// at start (the IAM directories: an SSH session that never opens the tab
// never loads them).
type shownTab interface{ Shown() tea.Cmd }

func (a *App) shown() tea.Cmd {
	if s, ok := a.current().(shownTab); ok {
		return s.Shown()
	}
	return nil
}

func (a *App) current() Tab {
	if a.active < len(a.tabs) {
		return a.tabs[a.active]
	}
	return nil
}

func (a *App) busy() string {
	if a.overlay == overlayPerson && a.person != nil {
		if b := a.person.busy(); b != "" {
			return b
		}
	}
	if t := a.current(); t != nil {
		return t.Busy()
	}
	return ""
}

// withSpinner starts the spinner when something began loading.
func (a *App) withSpinner(cmd tea.Cmd) tea.Cmd {
	if a.spinning || a.busy() == "" {
		return cmd
	}
	a.spinning = true
	return tea.Batch(cmd, a.status.Tick())
}

// header is one line: the tab bar, then who and where on the right.
const headerLines = 2

func (a *App) bodyHeight() int { return max(a.height-headerLines-1, 3) }

// View implements tea.Model.
func (a *App) View() string {
	st := a.c.Styles
	left := a.tabBar(false)
	var right []string
	if a.c.Backends.Config.Demo {
		right = append(right, st.Badge.Render("DEMO TENANTS"))
	}
	if ins := a.c.Backends.Config.Insecure(); len(ins) > 0 {
		right = append(right, st.Warn.Render("TLS NOT VERIFIED: "+strings.Join(ins, ", ")))
	}
	if audit.Problem(a.c.Backends.Audit) != nil {
		// Until a line is written again: the status line of each write says why.
		what := "writes refused"
		if a.c.Backends.Config.Audit.OnError == config.AuditWarn {
			what = "writes go unrecorded"
		}
		right = append(right, st.Warn.Render("AUDIT LOG FAILING: "+what))
	}
	tenant := ""
	if t := a.current(); t != nil && t.Tenant() != "" {
		tenant = " " + st.Bold.Render(t.Tenant())
	}
	fp := a.c.Analyst.Fingerprint
	if len(fp) > 16 {
		// Enough of the key's fingerprint to check it ("SHA256:" and 8 of
		// its 43 characters), so the tab names keep their room; the audit
		// log has it whole.
		fp = fp[:15] + "…"
	}
	rightText := strings.Join(append(right, st.Muted.Render(a.who(fp))), " ") + tenant
	if ansi.StringWidth(left)+ansi.StringWidth(rightText)+1 > a.width {
		left = a.tabBar(true) // the tabs not shown go by their number alone
	}
	gap := a.width - ansi.StringWidth(left) - ansi.StringWidth(rightText)
	head := left + strings.Repeat(" ", max(gap, 1)) + rightText
	rule := st.Muted.Render(strings.Repeat("─", max(a.width, 1)))

	var body string
	switch {
	case a.overlay == overlayHelp:
		// Drawn for this tab and width, where the analyst scrolled it to.
		a.help.Show(a.helpView(), true)
		body = a.help.View()
	case a.overlay == overlayPalette:
		body = ui.Center(st, a.width, a.bodyHeight(), a.palette.View(min(a.width, 100)))
	case a.overlay == overlayAudit, a.overlay == overlayMessages:
		body = a.sheet.View()
	case a.overlay == overlayPerson && a.person != nil:
		body = a.person.pane.View()
	case a.overlay == overlayAsk && a.ask != nil:
		body = ui.Center(st, a.width, a.bodyHeight(), a.ask.View(min(a.width, 90)))
	case a.current() == nil:
		body = ui.Center(st, a.width, a.bodyHeight(), st.Muted.Render("No tenants are configured. Add one to config.toml (see config.toml.example), or run triage --demo."))
	default:
		body = a.current().View()
	}
	info, busy := "", a.busy()
	if t := a.current(); t != nil {
		info = a.statusInfo(t, busy)
	}
	bar := a.status.View(a.width, busy, info+"  ? help")
	return frame(head, a.width, 1) + "\n" + rule + "\n" + frame(body, a.width, a.bodyHeight()) + "\n" + frame(bar, a.width, 1)
}

// tabBar is "triage" and the tabs, the active one highlighted; compact
// names the idle tabs by their number only.
func (a *App) tabBar(compact bool) string {
	st := a.c.Styles
	tabs := []string{st.Title.Render("triage")}
	for i, t := range a.tabs {
		label := fmt.Sprintf("%d %s", t.Number(), t.Name())
		switch {
		case i == a.active:
			tabs = append(tabs, st.TabActive.Render(label))
		case compact:
			tabs = append(tabs, st.TabIdle.Render(itoa(t.Number())))
		default:
			tabs = append(tabs, st.TabIdle.Render(label))
		}
	}
	return strings.Join(tabs, " ")
}

// who names the analyst in the header: name, key fingerprint, role.
func (a *App) who(fingerprint string) string {
	who := a.c.Analyst.Name
	if fingerprint != "" {
		who += " " + fingerprint
	}
	if !a.c.Analyst.CanWrite() {
		who += " (read-only)"
	}
	return who
}

func (a *App) helpView() string {
	k := a.c.Keys
	groups := []ui.HelpGroup{
		{Title: "Everywhere", Bindings: []key.Binding{k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Tab5, k.NextTab, k.PrevTab, k.Palette,
			relabel(k.Pivot, "follow the person (or asset) under the cursor everywhere"), k.Messages, k.Help,
			relabel(k.Quit, "quit (q in an item: back)")}},
		{Title: "Lists", Bindings: []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.HalfPageUp, k.HalfPageDown, k.Open,
			relabel(k.Back, "back (also backspace)"), k.Filter, k.Refresh, k.Mark}},
	}
	if t := a.current(); t != nil {
		groups = append(groups, t.Help()...)
	}
	// At 80×24 the help is taller than the screen: it scrolls.
	first := func(b key.Binding) string { return cmp.Or(append(b.Keys(), "")...) }
	scroll := fmt.Sprintf("Help · %s/%s, %s/%s, %s/%s scroll · %s closes", first(k.Down), first(k.Up), first(k.PageDown), first(k.PageUp),
		first(k.Bottom), first(k.Top), first(k.Back))
	return a.c.Styles.Muted.Render(ui.Fit(scroll, a.width)) + "\n" + ui.HelpView(a.c.Styles, groups, a.width)
}

func (a *App) loadPrefs() tea.Cmd {
	store := a.prefs
	if store == nil {
		return nil
	}
	return func() tea.Msg {
		p, err := store.Load()
		return prefsLoaded{p, err}
	}
}

// savePrefs changes the analyst's preferences off the key path.
func (a *App) savePrefs(change func(*prefs.Prefs)) tea.Cmd {
	store := a.prefs
	if store == nil {
		return nil
	}
	return func() tea.Msg {
		if _, err := store.Update(change); err != nil {
			return ui.ErrorMsg{Err: fmt.Errorf("saving your preferences: %w", err)}
		}
		return nil
	}
}

// showMessages opens every error and note of the session in full, newest
// last: the status line cuts them to its width.
func (a *App) showMessages() {
	a.overlay = overlayMessages
	st := a.c.Styles
	msgs := a.status.Messages()
	d := ui.NewDoc(st, a.width)
	d.Section(fmt.Sprintf("Messages · %d this session, newest last · esc closes", len(msgs)))
	if len(msgs) == 0 {
		d.Muted("  Nothing yet: errors and notes from the status line are kept here.")
	}
	for _, m := range msgs {
		mark, tone := "✓", ui.ToneGood
		if m.Error {
			mark, tone = "✗", ui.ToneBad
		}
		for i, line := range ui.Wrap(m.Text, max(a.width-13, 20)) {
			prefix := strings.Repeat(" ", 11)
			if i == 0 {
				prefix = m.At.Local().Format("15:04:05") + " " + mark + " "
			}
			d.Line(st.Tone(tone, prefix+line))
		}
	}
	a.sheet.Show(d.String(), false)
	a.sheet.vp.GotoBottom()
}

// auditTail is how many of the newest audit lines the console shows.
const auditTail = 500

// showAudit opens the newest entries of the audit log.
func (a *App) showAudit() tea.Cmd {
	a.overlay = overlayAudit
	a.sheet.Show(a.c.Styles.Muted.Render("Reading the audit log…"), false)
	path, st, me := a.c.Backends.Config.Audit.Path, a.c.Styles, a.c.Analyst.Name
	width := a.width
	return func() tea.Msg {
		text, err := readAudit(path, st, me, width)
		return auditRead{text, err}
	}
}

func readAudit(path string, st *ui.Styles, me string, width int) (string, error) {
	tail, err := audit.Tail(path, auditTail)
	if tail.Missing {
		return st.Muted.Render("No writes yet: " + path + " does not exist."), nil
	}
	if err != nil {
		return "", err
	}
	d := ui.NewDoc(st, width)
	d.Section(fmt.Sprintf("Audit log · %s · the newest %d of its lines · esc closes", path, tail.Lines))
	for _, e := range tail.Entries {
		if e == nil {
			d.Muted("  (a line that is not an audit entry)")
			continue
		}
		who := e.Analyst
		if who == me {
			who += " (you)"
		}
		line := fmt.Sprintf("%s  %-16s %-14s %s %s/%s  %s", e.Time.Local().Format("2006-01-02 15:04:05"), who, e.Action, e.Target, e.Vendor, e.Tenant, e.Outcome)
		if e.Status > 0 {
			line += fmt.Sprintf(" %d", e.Status)
		}
		if e.Error != "" {
			line += "  " + e.Error
		}
		tone := ui.ToneNone
		switch e.Outcome {
		case audit.Failed, audit.Refused:
			tone = ui.ToneBad
		case audit.Unknown, audit.Pending:
			tone = ui.ToneMedium
		}
		d.Line(st.Tone(tone, clean.Line(line)))
	}
	return d.String(), nil
}
