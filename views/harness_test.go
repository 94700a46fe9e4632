package views

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

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

// session is one analyst's console against its own simulators, sized and
// clocked for stable goldens: what the harness and the driver both run.
type session struct {
	t        *testing.T
	sim      *sim.Sim
	cfg      *config.Config
	audit    *audit.Memory
	app      *App
	stateDir string
	clock    *clock.Pinned // the simulators' and the console's present
	loads    []int
	end      context.CancelFunc // ends the session's requests
}

type setup struct {
	sim      sim.Options
	analyst  identity.Analyst
	edit     func(*config.Config) // change the config before the clients are built
	vendors  func(*sim.Sim)       // faults in place before the console's first request
	stateDir string               // default: a fresh temporary directory
	now      time.Time            // the pinned present; default testNow
	// loads are the numbers of the tabs that load at start; nil is every
	// tab, as the console does. A test of one tab need not pay for the
	// others' loads: the frames of that tab are the same.
	loads  []int
	colour bool // draw in 256 colours, as a terminal without NO_COLOR
}

// Every console in a test is this size.
const screenWidth, screenHeight = 120, 32

func newSession(t *testing.T, s setup) *session {
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
	if s.vendors != nil {
		s.vendors(simu)
	}
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
	// Frames are drawn as the console draws them under NO_COLOR, so goldens
	// are plain text and show every mark colour would otherwise carry.
	if s.colour {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		ui.Plain(r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &Common{
		Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set,
		Analyst: s.analyst, Log: slog.New(slog.DiscardHandler), Clock: now,
		StateDir: s.stateDir,
	}
	return &session{t: t, sim: simu, cfg: cfg, audit: mem, app: New(c), stateDir: s.stateDir, clock: now, loads: s.loads, end: cancel}
}

// start is what App.Init starts, with only the loads of the tabs in
// s.loads when it names some.
func (s *session) start() tea.Cmd {
	if s.loads == nil {
		return s.app.Init()
	}
	cmds := []tea.Cmd{s.app.loadPrefs()}
	for _, t := range s.app.tabs {
		if slices.Contains(s.loads, t.Number()) {
			cmds = append(cmds, t.Init())
		}
	}
	return tea.Batch(append(cmds, s.app.shown())...)
}

func (s *session) base() *session { return s }

// golden compares the frame with testdata/<test>.golden (-update rewrites).
func (s *session) golden(frame string) {
	s.t.Helper()
	teatest.RequireEqualOutput(s.t, []byte(frame+"\n"))
}

// console is a session a test types into and reads. The harness runs it
// in a tea.Program, as a terminal would, and its waits wait; the driver
// calls Update and View itself and runs every command to its end, so when
// a key returns there is nothing left to wait for and its waits are
// checks of the screen.
type console interface {
	base() *session
	typeKeys(keys ...string)
	typeText(s string)
	screen() string
	// waitFor returns once the screen shows every one of texts.
	waitFor(texts ...string)
	// waitFor2 is waitFor of one text that returns the frame.
	waitFor2(text string) string
	// waitUntil returns the first frame for which ok holds.
	waitUntil(what string, ok func(frame string) bool) string
	golden(frame string)
}

// harness is a session in a tea.Program (teatest), for what only a running
// program shows: keys answered while vendors are slow or failing, loads
// stopped in flight, writes whose answers are lost on the wire.
type harness struct {
	*session
	tm    *teatest.TestModel
	probe probe
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	h := &harness{session: newSession(t, s)}
	h.probe = probe{app: h.app, watches: new([]*watch), running: &running{}}
	h.probe.start = h.probe.track(h.start())
	h.tm = teatest.NewTestModel(t, h.probe, teatest.WithInitialTermSize(screenWidth, screenHeight))
	t.Cleanup(h.stop)
	return h
}

// stop ends the program and waits for what it started to return, so that
// nothing writes to the test's folders once they are being removed.
func (h *harness) stop() {
	h.tm.Quit()
	h.end()
	h.tm.WaitFinished(h.t, teatest.WithFinalTimeout(patience))
	select {
	case <-h.probe.running.over():
	case <-time.After(patience):
		h.t.Errorf("commands still running %s after the program ended", patience)
	}
}

// running counts the program's commands while they run. Once it is over,
// commands the program had not started yet do nothing: it is gone.
type running struct {
	mu    sync.Mutex
	n     int
	ended bool
	idle  chan struct{} // closed when the last command returns, once over
}

func (r *running) begin() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return false
	}
	r.n++
	return true
}

func (r *running) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n--; r.n == 0 && r.ended {
		close(r.idle)
	}
}

// over ends the count and returns a channel closed when nothing runs.
func (r *running) over() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended, r.idle = true, make(chan struct{})
	if r.n == 0 {
		close(r.idle)
	}
	return r.idle
}

// patience bounds every wait: far beyond what a wait takes on a loaded
// machine under -race, so reaching it means the console never got there.
const patience = 60 * time.Second

// probe wraps the App so the test can read a frame from inside the
// program's own goroutine (calling View from the test would race Update),
// and checks what the test waits for on every frame the program draws and
// every message it handles, so a state that shows briefly is not missed
// between two looks.
type probe struct {
	app     *App
	start   tea.Cmd
	watches *[]*watch // only the program's goroutine touches them
	running *running
}

// watch is one thing a test waits for: a frame, or a message handled.
type watch struct {
	frame   func(frame string) bool
	handled func(msg tea.Msg) bool
	seen    chan string // gets the frame, or "" for a message
}

type (
	snapshot   struct{ frame chan string }
	startWatch struct{ w *watch }
	stopWatch  struct{ w *watch }
)

func (p probe) Init() tea.Cmd { return p.start }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case snapshot:
		m.frame <- p.app.View()
		return p, nil
	case startWatch:
		*p.watches = append(*p.watches, m.w) // the frame drawn next is the first checked
		return p, nil
	case stopWatch:
		p.end(m.w)
		return p, nil
	}
	_, cmd := p.app.Update(msg)
	for _, w := range slices.Clone(*p.watches) {
		if w.handled != nil && w.handled(msg) {
			w.seen <- ""
			p.end(w)
		}
	}
	return p, p.track(cmd)
}

// track counts cmd, and the commands of the batches it returns, while they
// run. Timers are left out: they deliver a message and touch nothing.
func (p probe) track(cmd tea.Cmd) tea.Cmd {
	if cmd == nil || isTimer(cmd) {
		return cmd
	}
	return func() tea.Msg {
		if !p.running.begin() {
			return nil
		}
		defer p.running.done()
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for i, c := range batch {
				batch[i] = p.track(c)
			}
		} else if v := reflect.ValueOf(msg); isSequence(v) {
			for i := range v.Len() {
				v.Index(i).Set(reflect.ValueOf(p.track(v.Index(i).Interface().(tea.Cmd))))
			}
		}
		return msg
	}
}

// View is called by the program after every Update.
func (p probe) View() string {
	frame := p.app.View()
	for _, w := range slices.Clone(*p.watches) {
		if w.frame != nil && w.frame(frame) {
			w.seen <- frame
			p.end(w)
		}
	}
	return frame
}

func (p probe) end(w *watch) {
	*p.watches = slices.DeleteFunc(*p.watches, func(x *watch) bool { return x == w })
}

// screen is the current frame, as the analyst sees it.
func (h *harness) screen() string {
	h.t.Helper()
	ch := make(chan string, 1)
	h.tm.Send(snapshot{ch})
	select {
	case f := <-ch:
		return f
	case <-time.After(patience):
		h.t.Fatal("the program did not answer: Update is blocked")
		return ""
	}
}

func (h *harness) waitFor(texts ...string) {
	h.t.Helper()
	h.waitUntil(fmt.Sprintf("%q", texts), func(frame string) bool { return showsAll(frame, texts) })
}

func (h *harness) waitFor2(text string) string {
	h.t.Helper()
	return h.waitUntil(fmt.Sprintf("%q", text), func(f string) bool { return strings.Contains(f, text) })
}

func (h *harness) waitUntil(what string, ok func(frame string) bool) string {
	h.t.Helper()
	return h.expect(what, &watch{frame: ok})()
}

// whenHandled starts watching for a message the App handles that matches,
// and returns the wait for it: call it before the key that leads to the
// message, so the message cannot come and go unseen.
func (h *harness) whenHandled(what string, match func(msg tea.Msg) bool) (wait func()) {
	h.t.Helper()
	w := h.expect(what, &watch{handled: match})
	return func() { h.t.Helper(); w() }
}

// expect begins a watch and returns the wait for it.
func (h *harness) expect(what string, w *watch) func() string {
	w.seen = make(chan string, 1)
	h.tm.Send(startWatch{w})
	return func() string {
		h.t.Helper()
		select {
		case frame := <-w.seen:
			return frame
		case <-time.After(patience):
			h.tm.Send(stopWatch{w})
			h.t.Fatalf("waited %s for %s; the screen shows:\n%s", patience, what, h.screen())
			return ""
		}
	}
}

func showsAll(frame string, texts []string) bool {
	for _, s := range texts {
		if !strings.Contains(frame, s) {
			return false
		}
	}
	return true
}

// typeKeys sends each key separately, as a person types. The program takes
// them in order; what a key starts may still be running when the next
// arrives, as at a terminal.
func (h *harness) typeKeys(keys ...string) {
	for _, k := range keys {
		h.tm.Send(keyMsg(k))
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keyMsg(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "ctrl+s": tea.KeyCtrlS, "down": tea.KeyDown, "up": tea.KeyUp,
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "space": tea.KeySpace, "ctrl+c": tea.KeyCtrlC, "backspace": tea.KeyBackspace,
		"ctrl+u": tea.KeyCtrlU, "pgdown": tea.KeyPgDown,
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

// uncursored is a frame's table rows as colour draws them: the cursor row
// without the "▸" that marks it when there is no colour, for tests that
// read rows by their text.
func uncursored(frame string) string {
	ls := lines(frame)
	for i, l := range ls {
		if _, size := utf8.DecodeRuneInString(l); size > 0 && strings.HasPrefix(l[size:], "▸") {
			ls[i] = l[:size] + " " + l[size+len("▸"):]
		}
	}
	return strings.Join(ls, "\n")
}

// tee records audit entries in memory, for assertions, and in the file the
// console's audit view reads.
type tee struct {
	mem  *audit.Memory
	file *audit.Log
}

// Record keeps in memory only what the file took, so a test of a log that
// cannot be written sees what the log has.
func (t tee) Record(e audit.Entry) error {
	if err := t.file.Record(e); err != nil {
		return err
	}
	return t.mem.Record(e)
}

// Err is the file's, for the header's warning.
func (t tee) Err() error { return t.file.Err() }
