package server

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"triage/backend/config"
)

// BenchmarkFiftySessions opens concurrent console sessions over SSH against
// the simulators; every session opens every tab and loads it whole (every
// ITM ticket paged in, the whole SaaS feed, the remediations, every Okta
// app and group, seven days of System Log, the IAM directories), as a team
// arriving at once would. Then it reports the vendor requests counted at
// the simulators, the process's memory and the keystroke echo: from sending
// j to the redrawn frame arriving.
//
// TRIAGE_BENCH_SESSIONS (default 50) and TRIAGE_BENCH_ROWS (rows in every
// simulated list, default 40) size it; TRIAGE_BENCH_KEYS (default 300) is
// the keystrokes timed; TRIAGE_BENCH_WAIT overrides the ceiling on each
// step of a session's walk through the tabs; TRIAGE_BENCH_OKTA_WINDOW
// (e.g. 2s) shortens the simulated Okta rate-limit window from Okta's
// minute, so that loading seven days of System Log in many sessions does
// not take an hour of waiting on the bucket: the requests are the same, the
// time to load all is not Okta's. The benchmark process holds
// the simulators, the server and the SSH clients: RSS is all three; the
// heap before the sessions is the simulators' data and the idle server.
func BenchmarkFiftySessions(b *testing.B) {
	sessions := envInt(b, "TRIAGE_BENCH_SESSIONS", 50)
	rows := envInt(b, "TRIAGE_BENCH_ROWS", 40)
	keys := envInt(b, "TRIAGE_BENCH_KEYS", 300)
	// A step waits at most this long: a load at 100,000 rows in 50 sessions
	// on 2 cores takes minutes, one at 40 rows well under a second.
	ceiling := 2*time.Minute + time.Duration(sessions*rows)*500*time.Microsecond
	if s := os.Getenv("TRIAGE_BENCH_WAIT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("TRIAGE_BENCH_WAIT: %v", err)
		}
		ceiling = d
	}
	var window time.Duration
	if s := os.Getenv("TRIAGE_BENCH_OKTA_WINDOW"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("TRIAGE_BENCH_OKTA_WINDOW: %v", err)
		}
		window = d
	}
	// The collector's target triage sets in main (GOGC=50), so RSS is the
	// server's as deployed.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	b.Run(fmt.Sprintf("sessions=%d/rows=%d", sessions, rows), func(b *testing.B) {
		fiftySessions(b, sessions, rows, keys, ceiling, window)
	})
}

func fiftySessions(b *testing.B, sessions, rows, keys int, ceiling, oktaWindow time.Duration) {
	o := Options{}
	o.NewSessions.Burst = sessions
	f := startRows(b, rows, func(c *config.Config) { c.SSH.MaxSessions = sessions + 1 }, o)
	if oktaWindow > 0 {
		f.sim.Okta.SetRateWindow(oktaWindow)
	}
	settle() // the previous run's sessions are still ending
	before := heapAfterGC()
	requests := func() map[string]int64 {
		return map[string]int64{"itm": f.sim.ITM.Requests(), "saas": f.sim.SaaS.Requests(), "okta": f.sim.Okta.Requests(),
			"atlassian": f.sim.Atlassian.Requests(), "essentials": f.sim.Essentials.Requests()}
	}
	start := requests()

	began := time.Now()
	terms := make([]*term, sessions)
	for i := range terms {
		k := f.alice
		if i%2 == 1 {
			k = f.bob
		}
		terms[i] = openTerm(b, f.connect(k), i)
	}
	errs := make([]error, sessions)
	var wg sync.WaitGroup
	for i, t := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = t.openEveryTab(ceiling)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	loaded := time.Since(began)
	end := requests()
	for i, st := range tabSteps() { // where the time went: the slowest session's step
		var slowest time.Duration
		for _, t := range terms {
			slowest = max(slowest, t.took[i])
		}
		b.Logf("%-40s %6.1f s", st.what, slowest.Seconds())
	}

	settle() // the loads' goroutines end
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	rss, hwm := procStatus(b, "VmRSS"), procStatus(b, "VmHWM")
	goroutines := float64(runtime.NumGoroutine()) / float64(sessions)

	lat := make([]time.Duration, 0, keys)
	b.ResetTimer()
	for i := range keys {
		t := terms[i%sessions]
		key := "j"
		if i/sessions%30 == 29 {
			key = "g" // back to the top before j reaches the last row
		}
		d, err := t.echo(key)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, d)
		// A person's pace: the next key lands anywhere in the console's
		// frame (30 a second), not just after the frame drawn.
		time.Sleep(rand.N(33 * time.Millisecond))
	}
	b.StopTimer()

	var total int64
	for vendor, n := range end {
		b.ReportMetric(float64(n-start[vendor]), "requests-"+vendor)
		total += n - start[vendor]
	}
	b.ReportMetric(float64(total), "requests")
	b.ReportMetric(float64(total)/float64(sessions), "requests/session")
	b.ReportMetric(loaded.Seconds(), "all-loaded-s")
	b.ReportMetric(float64(rss)/1024, "RSS-MB")
	b.ReportMetric(float64(hwm)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MB")
	b.ReportMetric(float64(before)/(1<<20), "heap-before-sessions-MB")
	b.ReportMetric(float64(ms.HeapAlloc-before)/float64(sessions)/1024, "heap-KiB/session")
	b.ReportMetric(goroutines, "goroutines/session")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	b.ReportMetric(float64(sum.Nanoseconds())/float64(len(lat)), "ns/op") // the mean echo
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "echo-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "echo-p99-ms")
}

// term is a benchmark's SSH session: it keeps the screen as drawn, not
// every byte sent, so 50 clients cost the benchmark process little.
type term struct {
	n     int // the session's number, for messages
	in    io.Writer
	total atomic.Int64 // bytes received
	mu    sync.Mutex
	fresh []byte // received, not yet applied to scr
	scr   *screen
	ended chan struct{}
	took  []time.Duration // each step of openEveryTab
}

func openTerm(b *testing.B, conn *gossh.Client, n int) *term {
	b.Helper()
	sess, err := conn.NewSession()
	if err != nil {
		b.Fatalf("session %d: %v", n, err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 120, gossh.TerminalModes{}); err != nil {
		b.Fatalf("session %d: %v", n, err)
	}
	t := &term{n: n, scr: newScreen(30, 120), ended: make(chan struct{})}
	t.in, _ = sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		b.Fatalf("session %d: %v", n, err)
	}
	go func() {
		defer close(t.ended)
		buf := make([]byte, 32<<10)
		var last []byte // the end of the read before, for a query cut in two
		answered := false
		for {
			k, err := stdout.Read(buf)
			if !answered && strings.Contains(string(last)+string(buf[:k]), "\x1b[c") {
				// Answer the console's terminal queries (background
				// colour, device attributes) as a real terminal does.
				answered = true
				io.WriteString(t.in, "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;22c")
			}
			last = append(last[:0], buf[max(k-4, 0):k]...)
			t.mu.Lock()
			t.fresh = append(t.fresh, buf[:k]...)
			t.mu.Unlock()
			t.total.Add(int64(k))
			if err != nil {
				return
			}
		}
	}()
	return t
}

// screen applies what arrived and returns the screen's text.
func (t *term) screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scr.Write(t.fresh)
	t.fresh = t.fresh[:0]
	return t.scr.String()
}

// status is the screen's last line: the tab's count, or what it loads.
func status(screen string) string { return screen[strings.LastIndexByte(screen, '\n')+1:] }

// step is one move through the tabs: keys to send, then what the screen
// shows once it is done.
type step struct {
	what string
	keys string
	done func(screen string) bool
}

// openEveryTab walks the session through every tab and loads each whole,
// waiting at most ceiling for each step.
func (t *term) openEveryTab(ceiling time.Duration) error {
	for _, st := range tabSteps() {
		began := time.Now()
		keys := st.keys
		if keys == "G?" { // G pages a list in to its end; it is there when it has no more
			keys = ""
			if strings.Contains(status(t.screen()), "more as you scroll") {
				keys = "G"
			}
		}
		if err := t.send(st, keys, ceiling); err != nil {
			return err
		}
		if err := t.await(st.what, ceiling, st.done); err != nil {
			return err
		}
		t.took = append(t.took, time.Since(began))
	}
	return nil
}

// tabSteps are the moves that open every tab and load each whole.
func tabSteps() []step {
	idle := func(s string) bool { return !strings.Contains(s, "Loading") }
	counted := func(noun string) func(string) bool {
		return func(s string) bool { n, ok := countOf(status(s), noun); return ok && n > 0 && idle(s) }
	}
	whole := func(noun string) func(string) bool { // a list paged in to its end
		return func(s string) bool {
			return counted(noun)(s) && !strings.Contains(status(s), "more as you scroll")
		}
	}
	steps := []step{
		{"ITM tickets, first page", "", counted("incidents")},
		{"ITM tickets, every one (G)", "G", func(s string) bool {
			loaded, total, ok := ofTotal(status(s), "incidents")
			return ok && loaded == total && idle(s)
		}},
		{"SaaS incidents, the whole feed", "2", func(s string) bool {
			_, _, ofs := ofTotal(status(s), "incidents")
			return counted("incidents")(s) && !ofs
		}},
		{"Remediations", "3", func(s string) bool { _, ok := countOf(status(s), "remediations"); return ok && idle(s) }},
		{"Okta apps, first page", "4", counted("apps")},
		{"Okta apps, every one (G)", "G?", whole("apps")},
		{"Okta System Log, last 24 hours", "]", counted("events")},
		{"Okta System Log query prompt", "f", func(s string) bool { return strings.Contains(s, "System Log query") }},
		{"Okta System Log, seven days", "\x15since:-7d sort:desc\r", func(s string) bool {
			return strings.Contains(s, "query: since:-7d sort:desc") && counted("events")(s)
		}},
		{"Okta groups, first page", "]", counted("groups")},
		{"Okta groups, every one (G)", "G?", whole("groups")},
		{"IAM users, every directory", "5", counted("people")},
		{"ITM tickets, back at the top", "1g", func(s string) bool { return strings.Contains(status(s), "row 1 of") }},
	}
	return steps
}

// send types a step's keys: a query in one write, as a paste; a key after
// the switch to tab 1 once tab 1 shows, so it acts on tab 1.
func (t *term) send(st step, keys string, ceiling time.Duration) error {
	write := func(k string) error {
		if _, err := io.WriteString(t.in, k); err != nil {
			return fmt.Errorf("session %d, %s: %w", t.n, st.what, err)
		}
		return nil
	}
	if strings.HasPrefix(keys, "\x15") {
		return write(keys)
	}
	for i, k := range strings.Split(keys, "") {
		if i > 0 {
			if err := t.await(st.what+" (tab 1 showing)", ceiling, func(s string) bool {
				_, _, ok := ofTotal(status(s), "incidents")
				return ok
			}); err != nil {
				return err
			}
		}
		if err := write(k); err != nil {
			return err
		}
	}
	return nil
}

// await polls the screen until done holds, at most ceiling.
func (t *term) await(what string, ceiling time.Duration, done func(string) bool) error {
	deadline := time.Now().Add(ceiling)
	for {
		s := t.screen()
		if done(s) {
			return nil
		}
		if strings.Contains(s, "✗ ") { // a failure the console shows: it will not settle
			return fmt.Errorf("session %d: %s failed; its screen:\n%s", t.n, what, s)
		}
		select {
		case <-t.ended:
			return fmt.Errorf("session %d ended while waiting for %s; its screen:\n%s", t.n, what, t.screen())
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("session %d: %s did not settle within %s; its screen:\n%s", t.n, what, ceiling, t.screen())
		}
	}
}

// echo sends one key and returns how long until the session sent the
// next frame.
func (t *term) echo(key string) (time.Duration, error) {
	n := t.total.Load()
	start := time.Now()
	if _, err := io.WriteString(t.in, key); err != nil {
		return 0, fmt.Errorf("session %d: %w", t.n, err)
	}
	for t.total.Load() == n {
		if time.Since(start) > 10*time.Second {
			return 0, fmt.Errorf("session %d: no frame within 10s after %q; its screen:\n%s", t.n, key, t.screen())
		}
		time.Sleep(100 * time.Microsecond)
	}
	return time.Since(start), nil
}

// countOf reads "1,234 noun" in a status line.
func countOf(line, noun string) (int, bool) {
	i := strings.Index(line, " "+noun)
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(line[:i])
	if len(f) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.ReplaceAll(f[len(f)-1], ",", ""))
	return n, err == nil
}

// ofTotal reads "500 of 2,000 noun" in a status line.
func ofTotal(line, noun string) (loaded, total int, ok bool) {
	total, ok = countOf(line, noun)
	if !ok {
		return 0, 0, false
	}
	f := strings.Fields(line[:strings.Index(line, " "+noun)])
	if len(f) < 3 || f[len(f)-2] != "of" {
		return 0, 0, false
	}
	loaded, err := strconv.Atoi(strings.ReplaceAll(f[len(f)-3], ",", ""))
	return loaded, total, err == nil
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// procStatus is a figure of /proc/self/status in KiB (VmRSS, VmHWM).
func procStatus(b *testing.B, field string) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field+":" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				b.Fatalf("/proc/self/status %s: %q", field, l)
			}
			return n
		}
	}
	b.Fatalf("/proc/self/status has no %s", field)
	return 0
}

// settle waits until the goroutine count stops changing.
func settle() {
	n := runtime.NumGoroutine()
	for range 50 {
		time.Sleep(200 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return
		}
		n = m
	}
}

// heapAfterGC is the heap in use right after a collection: what the
// collector found live.
func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
