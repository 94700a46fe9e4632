package views

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"triage/backend"
	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/sim"
	"triage/ui"
)

// The simulated present of every view test, so goldens never change.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}

// harness is a console against the simulators, sized and clocked for
// stable goldens.
type harness struct {
	t        *testing.T
	sim      *sim.Sim
	cfg      *config.Config
	audit    *audit.Memory
	app      *App
	tm       *teatest.TestModel
	stateDir string
	clock    *clock.Pinned // the simulators' and the console's present
}

type setup struct {
	sim      sim.Options
	analyst  identity.Analyst
	edit     func(*config.Config) // change the config before the clients are built
	stateDir string               // default: a fresh temporary directory
	now      time.Time            // the pinned present; default testNow
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	if s.now.IsZero() {
		s.now = testNow
	}
	now := clock.Pin(s.now)
	s.sim.Clock = now
	if s.sim.Rows == 0 {
		s.sim.Rows = 120
	}
	simu, err := sim.Start(s.sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(simu.Close)
	cfg := simu.Config()
	if s.edit != nil {
		s.edit(cfg)
	}
	mem := &audit.Memory{}
	cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.jsonl")
	file, err := audit.Open(cfg.Audit.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	set, err := backend.Open(cfg, backend.Options{Audit: tee{mem, file}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if s.stateDir == "" {
		s.stateDir = t.TempDir()
	}
	if s.analyst.Name == "" {
		s.analyst = identity.Analyst{Name: "alice", Role: "responder"}
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &Common{
		Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set,
		Analyst: s.analyst, Log: slog.New(slog.DiscardHandler), Clock: now,
		StateDir: s.stateDir,
	}
	h := &harness{t: t, sim: simu, cfg: cfg, audit: mem, app: New(c), stateDir: s.stateDir, clock: now}
	h.tm = teatest.NewTestModel(t, probe{h.app}, teatest.WithInitialTermSize(120, 32))
	t.Cleanup(func() { h.tm.Quit() })
	return h
}

// probe wraps the App so the test can read a frame from inside the
// program's own goroutine: calling View from the test would race Update.
type probe struct{ app *App }

type snapshot struct{ frame chan string }

func (p probe) Init() tea.Cmd { return p.app.Init() }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s, ok := msg.(snapshot); ok {
		s.frame <- p.app.View()
		return p, nil
	}
	_, cmd := p.app.Update(msg)
	return p, cmd
}

func (p probe) View() string { return p.app.View() }

// screen is the current frame, as the analyst sees it.
func (h *harness) screen() string {
	h.t.Helper()
	ch := make(chan string, 1)
	h.tm.Send(snapshot{ch})
	select {
	case f := <-ch:
		return f
	case <-time.After(3 * time.Second):
		h.t.Fatal("the program did not answer: Update is blocked")
		return ""
	}
}

// waitFor waits until the screen shows every one of texts.
func (h *harness) waitFor(texts ...string) {
	h.t.Helper()
	h.waitUntil(fmt.Sprintf("%q", texts), func(frame string) bool {
		for _, s := range texts {
			if !strings.Contains(frame, s) {
				return false
			}
		}
		return true
	})
}

// waitUntil waits until ok holds for the screen.
func (h *harness) waitUntil(what string, ok func(frame string) bool) string {
	h.t.Helper()
	return h.waitWithin(15*time.Second, what, ok)
}

// waitWithin is waitUntil for things that take the vendor a while (a
// remediation finishing).
func (h *harness) waitWithin(d time.Duration, what string, ok func(frame string) bool) string {
	h.t.Helper()
	deadline := time.Now().Add(d)
	for {
		frame := h.screen()
		if ok(frame) {
			return frame
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("waited %s for %s; the screen shows:\n%s", d, what, frame)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// typeKeys sends each key separately, as a person types.
func (h *harness) typeKeys(keys ...string) {
	for _, k := range keys {
		h.tm.Send(keyMsg(k))
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	time.Sleep(10 * time.Millisecond)
}

func keyMsg(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "ctrl+s": tea.KeyCtrlS, "down": tea.KeyDown, "up": tea.KeyUp,
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "space": tea.KeySpace, "ctrl+c": tea.KeyCtrlC, "backspace": tea.KeyBackspace,
		"ctrl+u": tea.KeyCtrlU,
	}
	if t, ok := types[k]; ok {
		m := tea.KeyMsg{Type: t}
		if k == "space" {
			m.Runes = []rune{' '}
		}
		return m
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// golden compares the frame with testdata/<test>.golden (-update rewrites).
func (h *harness) golden(frame string) {
	h.t.Helper()
	teatest.RequireEqualOutput(h.t, []byte(frame+"\n"))
}

var controlRE = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u200b]")

// assertNoControls fails when anything but text and newlines would reach
// the terminal (the renderer is Ascii, so even colours would be a leak).
func assertNoControls(t *testing.T, frame string) {
	t.Helper()
	if loc := controlRE.FindStringIndex(frame); loc != nil {
		start := max(loc[0]-30, 0)
		t.Fatalf("control character %q reached the screen near %q", frame[loc[0]:loc[1]], frame[start:min(loc[1]+30, len(frame))])
	}
}

func lines(s string) []string { return strings.Split(s, "\n") }

// tee records audit entries in memory, for assertions, and in the file the
// console's audit view reads.
type tee struct {
	mem  *audit.Memory
	file *audit.Log
}

func (t tee) Record(e audit.Entry) error {
	t.mem.Record(e)
	return t.file.Record(e)
}
