package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

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
	help     bool
	spinning bool
}

// refreshTick is the auto-refresh clock.
type refreshTick struct{ at time.Time }

// New builds the whole UI of one session from its Common.
func New(c *Common) *App {
	a := &App{c: c, status: ui.NewStatus(c.Styles), width: 80, height: 24}
	// Only configured vendors' tabs appear, in the order of design.md.
	if len(c.Backends.ITM) > 0 {
		a.tabs = append(a.tabs, newITMTab(c)) // 1
	}
	if len(c.Backends.SaaS) > 0 {
		a.tabs = append(a.tabs, newSaaSTab(c)) // 2
	}
	if len(c.Backends.SaaS) > 0 || len(c.Backends.Essentials) > 0 {
		a.tabs = append(a.tabs, newRemediationsTab(c)) // 3: SaaS remediations, Essentials sender blocks
	}
	if len(c.Backends.Okta) > 0 {
		a.tabs = append(a.tabs, newOktaTab(c)) // 4
	}
	if len(c.Backends.Okta)+len(c.Backends.Atlassian)+len(c.Backends.Essentials) > 0 {
		a.tabs = append(a.tabs, newIAMTab(c)) // 5
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
	k := a.c.Keys
	for _, b := range []*key.Binding{&k.Comment, &k.Assign, &k.Status, &k.Remediate, &k.New, &k.Update, &k.Disable, &k.Enable,
		&k.Block, &k.Sessions, &k.ResetPassword, &k.ExpirePassword} {
		b.SetEnabled(false)
	}
}

// Init starts every tab loading at once: time to data is the slowest
// vendor, not the sum.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.SetWindowTitle("triage")}
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
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = m.Width, m.Height
		for _, t := range a.tabs {
			t.SetSize(a.width, a.bodyHeight())
		}
		return a, nil
	case tea.KeyMsg:
		return a, a.withSpinner(a.key(m))
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
		return a, a.withSpinner(tea.Batch(cmd, a.scheduleRefresh()))
	}
	var cmds []tea.Cmd
	for _, t := range a.tabs {
		cmds = append(cmds, t.Update(msg))
	}
	return a, a.withSpinner(tea.Batch(cmds...))
}

func (a *App) key(m tea.KeyMsg) tea.Cmd {
	a.status.Key()
	k := a.c.Keys
	if a.help {
		if key.Matches(m, k.Help, k.Back, k.Quit) {
			a.help = false
		}
		return nil
	}
	t := a.current()
	if t != nil && t.Capturing() {
		return t.Update(m)
	}
	switch {
	case key.Matches(m, k.Quit):
		return tea.Quit
	case key.Matches(m, k.Help):
		a.help = true
		return nil
	case key.Matches(m, k.NextTab):
		return a.switchTo((a.active + 1) % max(len(a.tabs), 1))
	case key.Matches(m, k.PrevTab):
		return a.switchTo((a.active - 1 + len(a.tabs)) % max(len(a.tabs), 1))
	}
	for n, b := range []key.Binding{k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Tab5} {
		if key.Matches(m, b) {
			for i, tab := range a.tabs {
				if tab.Number() == n+1 {
					return a.switchTo(i)
				}
			}
			return ui.Failf("tab %d (%s) has no configured tenant", n+1, tabNames[n])
		}
	}
	if t == nil {
		return nil
	}
	return t.Update(m)
}

var tabNames = []string{"ITM tickets", "SaaS incidents", "Remediations", "Okta", "IAM users"}

func (a *App) switchTo(i int) tea.Cmd {
	if i >= 0 && i < len(a.tabs) {
		a.active = i
		return a.shown()
	}
	return nil
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
	tenant := ""
	if t := a.current(); t != nil && t.Tenant() != "" {
		tenant = " " + st.Bold.Render(t.Tenant())
	}
	fp := a.c.Analyst.Fingerprint
	rightText := strings.Join(append(right, st.Muted.Render(a.who(fp))), " ") + tenant
	if ansi.StringWidth(left)+ansi.StringWidth(rightText)+1 > a.width {
		left = a.tabBar(true) // the tabs not shown go by their number alone
	}
	if len(fp) > 16 && ansi.StringWidth(left)+ansi.StringWidth(rightText)+1 > a.width {
		// A narrow terminal gets enough of the fingerprint to check it.
		rightText = strings.Join(append(right, st.Muted.Render(a.who(fp[:15]+"…"))), " ") + tenant
	}
	gap := a.width - ansi.StringWidth(left) - ansi.StringWidth(rightText)
	head := left + strings.Repeat(" ", max(gap, 1)) + rightText
	rule := st.Muted.Render(strings.Repeat("─", max(a.width, 1)))

	var body string
	switch {
	case a.help:
		body = a.helpView()
	case a.current() == nil:
		body = ui.Center(st, a.width, a.bodyHeight(), st.Muted.Render("No tenants are configured. Add one to config.toml (see config.toml.example), or run triage --demo."))
	default:
		body = a.current().View()
	}
	info := ""
	if t := a.current(); t != nil {
		info = t.Info()
	}
	bar := a.status.View(a.width, a.busy(), info+"  ? help")
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
		{Title: "Everywhere", Bindings: []key.Binding{k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Tab5, k.NextTab, k.PrevTab, k.Help, k.Quit}},
		{Title: "Lists", Bindings: []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Open, k.Back, k.Filter, k.Refresh, k.Mark}},
	}
	if t := a.current(); t != nil {
		groups = append(groups, t.Help()...)
	}
	return ui.HelpView(a.c.Styles, groups, a.width)
}
