// Package views holds the tabs and the root App that composes them. It is
// the only place where vendors meet the screen.
package views

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"triage/backend/dataset"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"triage/backend"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/lenient"
	"triage/backend/store"
	"triage/ui"
)

// Common is what every part of one session's UI shares. One is built per
// session: nothing in views is package-level state, so one process can serve
// many SSH sessions.
type Common struct {
	Ctx      context.Context // ends with the session
	Styles   *ui.Styles
	Keys     *ui.KeyMap
	Backends *backend.Set
	Analyst  identity.Analyst
	Log      *slog.Logger
	Refresh  time.Duration // auto-refresh of the visible tab; 0 is off
	Clock    clock.Clock   // what time it is; nil is the wall clock (tests pin it)
	Notices  []string      // shown once at start (config warnings)
	Local    bool          // a local terminal, not an SSH session
	StateDir string        // where per-analyst state is kept (remediations, last seen)
	// State is the state store ([state]); nil is the files under StateDir.
	State   store.Store
	ownSets *dataset.Registry // when Backends has none (a test's own set)
}

// state is where the session keeps the journal and the analyst's prefs.
func (c *Common) state() store.Store {
	if c.State != nil {
		return c.State
	}
	if c.StateDir == "" {
		return c.Backends.Store()
	}
	return store.Files{Dir: c.StateDir}
}

// datasets are the shared query results the tabs read: the server's, else
// this session's own.
func (c *Common) datasets() *dataset.Registry {
	if c.Backends != nil && c.Backends.Datasets != nil {
		return c.Backends.Datasets
	}
	if c.ownSets == nil {
		c.ownSets = dataset.New(c.Clock, 0, 0)
	}
	return c.ownSets
}

// Context is the session context carrying the analyst, for backend calls.
func (c *Common) Context() context.Context {
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return identity.With(ctx, c.Analyst)
}

func (c *Common) now() time.Time { return clock.Or(c.Clock).Now() }

// Tab is one tab of the console; its bindings are its keys and its
// palette commands.
type Tab interface {
	bound
	// Name is the tab's title in the tab bar.
	Name() string
	// Number is the tab's fixed key (1 ITM .. 5 IAM users).
	Number() int
	Init() tea.Cmd
	// Update handles a message. Keys come only when the tab is visible;
	// every other message reaches every tab, which ignores what is not its own.
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	// Help lists the tab's keys by group.
	Help() []ui.HelpGroup
	// Capturing is true while a text field has focus, so keys such as q, 1
	// or ? are typed instead of acting.
	Capturing() bool
	// Busy says what is loading, for the spinner; "" when idle.
	Busy() string
	// Info is the right side of the status line.
	Info() string
	// Refresh is the auto-refresh of the visible tab.
	Refresh() tea.Cmd
	// Tenant is the tenant shown.
	Tenant() string
}

// frame pads or cuts s to exactly h lines of at most w cells, so the layout
// never jumps when a tab draws more or less.
func frame(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…") // a cut shows
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// short is enough of a long id to tell rows apart: the first segment of a
// dashed id (a UUID's first group, an fqid's hash), else the id's start.
func short(id string, n int) string {
	if i := strings.IndexByte(id, '-'); i >= 6 {
		id = id[:i]
	}
	if len(id) <= n {
		return id
	}
	return id[:n]
}

// ago says how long ago t was the way analysts say it: 5m ago, 3h ago.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return itoa(int(d/time.Minute)) + "m ago"
	case d < 48*time.Hour:
		return itoa(int(d/time.Hour)) + "h ago"
	}
	return itoa(int(d/(24*time.Hour))) + "d ago"
}

func itoa(n int) string { return strconv.Itoa(n) }

// count writes n with thousands separators.
func count(n int) string { return ui.Count(n) }

// timeCell formats a time for a table cell in local time.
func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

// interner keeps one copy of strings that repeat across many rows
// (statuses, severities, rule names), to keep 100,000 rows small.
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	if len(in) < 4096 {
		in[s] = s
	}
	return s
}

// orDash is s, or a dash for nothing.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// relabel is b with another description in help, enabled as b is.
func relabel(b key.Binding, desc string) key.Binding {
	out := key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	out.SetEnabled(b.Enabled())
	return out
}

// when is a time with how long ago it was.
func when(t lenient.Time, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s  (%s)", t.Local().Format("2006-01-02 15:04:05 MST"), ago(now, t.Time))
}

// Keys parses the config's [keys] once: the defaults with them applied.
// NewCommon gives each session its own copy, since a read-only session
// disables its write keys.
func Keys(keys config.Keys) (*ui.KeyMap, error) {
	km := ui.DefaultKeyMap()
	if len(keys) == 0 {
		return km, nil
	}
	m := make(map[string][]string, len(keys))
	for k, v := range keys {
		m[k] = v
	}
	if err := km.Rebind(m); err != nil {
		return nil, fmt.Errorf("[keys]: %w", err)
	}
	return km, nil
}

// Session is what sets one console apart from another: the terminal it
// draws on, who uses it, and when it ends.
type Session struct {
	Ctx      context.Context
	Renderer *lipgloss.Renderer
	Analyst  identity.Analyst
	Log      *slog.Logger
	Clock    clock.Clock
	Local    bool     // a local terminal, not an SSH session
	Notices  []string // config warnings, shown once
}

// NewCommon builds what one session's UI shares, for the local console
// and for each SSH session alike: keys is the parsed [keys] (Keys), of
// which the session gets its own copy.
func NewCommon(b *backend.Set, keys *ui.KeyMap, s Session) *Common {
	cfg := b.Config
	own := *keys
	return &Common{
		Ctx:      s.Ctx,
		Styles:   ui.NewStyles(s.Renderer, cfg.UI.Theme),
		Keys:     &own,
		Backends: b,
		Analyst:  s.Analyst,
		Log:      s.Log,
		Refresh:  cfg.UI.Refresh.Duration,
		Clock:    s.Clock,
		Notices:  s.Notices,
		Local:    s.Local,
		StateDir: cfg.State.Dir,
		State:    b.State,
	}
}

// pollAfter is a timer that ends with ctx (the session, or the query it
// polls for), so a session that has left keeps nothing waiting.
func pollAfter(ctx context.Context, d time.Duration, msg func() tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return msg()
		case <-ctx.Done():
			return nil
		}
	}
}
