// Command bench measures triage end to end, on this machine, in one run:
// the real binary started in a pseudo-terminal on the demo simulators at
// several sizes (time to the first frame and the first tickets, keystroke
// echo as a terminal sees it, resident memory once every tab has loaded),
// the vendor requests a workflow costs against a token-per-action client,
// and the package benchmarks (keypress, filter, start-up, 50 SSH sessions).
//
//	go run ./bench                 # everything, rows 1k, 10k and 100k
//	go run ./bench -rows 1000      # one size
//	go run ./bench -skip-go-bench  # only the end-to-end part
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
)

func main() {
	rowsFlag := flag.String("rows", "1000,10000,100000", "demo sizes to start the console at, comma-separated")
	presses := flag.Int("presses", 300, "keystrokes timed per size")
	skipGo := flag.Bool("skip-go-bench", false, "skip the package benchmarks")
	flag.Parse()

	dir, err := os.MkdirTemp("", "triage-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "triage")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fail(fmt.Errorf("go build: %v\n%s", err, out))
	}
	fmt.Printf("# triage benchmarks · %s · %s\n\n", time.Now().Format("2006-01-02 15:04"), machine())

	fmt.Println("## The real binary in a terminal (demo simulators, 160×48)")
	fmt.Println()
	fmt.Println("| rows per list | first frame | first tickets | echo p50 | p99 | every tab loaded: RSS | live Go heap | echo p50 | p99 |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, f := range strings.Split(*rowsFlag, ",") {
		rows, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			fail(fmt.Errorf("-rows: %v", err))
		}
		r, err := terminalRun(bin, dir, rows, *presses)
		if err != nil {
			fail(fmt.Errorf("%d rows: %w", rows, err))
		}
		fmt.Printf("| %d | %s | %s | %s | %s | %d MB | %d MB | %s | %s |\n", rows, ms(r.firstFrame), ms(r.firstTickets), ms(r.p50), ms(r.p99), r.rssKB/1024, r.heapMB, ms(r.loadedP50), ms(r.loadedP99))
	}
	fmt.Println()
	fmt.Println("Echo is from writing a key (j or g in the ITM table) to the redrawn frame arriving: first while the")
	fmt.Println("tabs load their first pages, then with every tab loaded (every ITM ticket paged in, the whole SaaS")
	fmt.Println("feed, seven days of System Log, the IAM directories). RSS includes the in-process simulators.")
	fmt.Println()

	fmt.Println("## Vendor requests per workflow")
	fmt.Println()
	if err := requestCosts(os.Stdout); err != nil {
		fail(err)
	}
	fmt.Println()

	if !*skipGo {
		fmt.Println("## Package benchmarks")
		fmt.Println()
		fmt.Println("```")
		for _, b := range []struct{ pkg, pattern, time string }{
			{"./ui", "TableKeypress", "3000x"},
			{"./views", "KeypressPercentiles", "2000x"},
			{"./views", "ITMFilter|SaaSFilter|OktaLogFilter|IAMFilter|OktaHistogramPage|SaaSPage|IAMPage|IAMChunk", "100x"},
			{"./views", "RowsMemory|EventsMemory|PeopleMemory", "2x"},
			{"./views", "Startup", "3x"},
			{"./server", "FiftySessions", "1000x"},
		} {
			cmd := exec.Command("go", "test", b.pkg, "-run", "^$", "-bench", b.pattern, "-benchtime", b.time)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				fail(fmt.Errorf("go test %s: %v\n%s", b.pkg, err, out))
			}
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "Benchmark") {
					fmt.Println(line)
				}
			}
		}
		fmt.Println("```")
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func machine() string {
	out, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	goVersion, _ := exec.Command("go", "env", "GOVERSION").Output()
	return fmt.Sprintf("%s, %d CPUs, %s", model, numCPU(), strings.TrimSpace(string(goVersion)))
}

func numCPU() int {
	out, _ := exec.Command("nproc").Output()
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}

type terminalResult struct {
	firstFrame, firstTickets time.Duration
	p50, p99                 time.Duration // while the tabs load their first pages
	loadedP50, loadedP99     time.Duration // with every tab loaded
	rssKB                    int
	heapMB                   int // live Go heap after the last collection
}

// screen collects what the console writes to its terminal (or stderr).
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Len()
}

func (s *screen) contains(text string, from int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.buf.Bytes()[min(from, s.buf.Len()):], []byte(text))
}

// settle waits until the screen has stopped redrawing text since from: a
// spinner line repaints on every tick while its work runs.
func (s *screen) settle(text string, from int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	seen, quietSince := -1, time.Now()
	for time.Now().Before(deadline) {
		s.mu.Lock()
		n := bytes.Count(s.buf.Bytes()[min(from, s.buf.Len()):], []byte(text))
		s.mu.Unlock()
		if n != seen {
			seen, quietSince = n, time.Now()
		} else if time.Since(quietSince) > 2*time.Second {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastLiveHeap reads the live heap from the last line of a gctrace log
// ("gc 12 @3.4s 0%: …, 420->428->231 MB, …").
func lastLiveHeap(log *screen) int {
	log.mu.Lock()
	defer log.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(log.buf.String()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		for _, f := range strings.Split(lines[i], ", ") {
			if parts := strings.Split(strings.TrimSuffix(f, " MB"), "->"); len(parts) == 3 {
				n, err := strconv.Atoi(parts[2])
				if err == nil {
					return n
				}
			}
		}
	}
	return 0
}

func (s *screen) waitFor(text string, from int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if s.contains(text, from) {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

// terminalRun starts the console at rows, times its start and keystroke
// echo, loads every tab and reads its resident memory.
func terminalRun(bin, dir string, rows, presses int) (terminalResult, error) {
	var r terminalResult
	state := filepath.Join(dir, fmt.Sprint("state-", rows))
	cmd := exec.Command(bin, "--demo", "--demo-rows", strconv.Itoa(rows))
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "XDG_STATE_HOME="+state, "XDG_CONFIG_HOME="+state, "TRIAGE_CONFIG=")
	// The runtime's collection trace goes to a file: its last line gives the
	// live heap without changing the program.
	cmd.Env = append(cmd.Env, "GODEBUG=gctrace=1")
	gcLog := &screen{}
	cmd.Stderr = gcLog
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 48, Cols: 160})
	if err != nil {
		return r, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
	}()
	scr := &screen{}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := tty.Read(buf)
			if n > 0 {
				scr.Write(buf[:n])
				answerQueries(tty, buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	if !scr.waitFor("ITM tickets", 0, 30*time.Second) {
		return r, fmt.Errorf("no first frame within 30s")
	}
	r.firstFrame = time.Since(start)
	if !scr.waitFor("acme.example", 0, 60*time.Second) {
		return r, fmt.Errorf("no tickets within 60s")
	}
	r.firstTickets = time.Since(start)
	time.Sleep(time.Second) // let the first pages of every tab settle

	if r.p50, r.p99, err = echo(tty, scr, presses); err != nil {
		return r, err
	}

	// Load every tab: the IAM directories, the SaaS feed (read whole at
	// start), seven days of System Log, every ITM ticket; then read memory.
	tty.Write([]byte("5"))
	scr.settle("Loading people", scr.len(), 5*time.Minute)
	tty.Write([]byte("2"))
	time.Sleep(time.Second)
	tty.Write([]byte("4"))
	time.Sleep(100 * time.Millisecond)
	tty.Write([]byte("]"))
	time.Sleep(500 * time.Millisecond)
	tty.Write([]byte("f"))
	time.Sleep(300 * time.Millisecond)
	tty.Write([]byte("\x15since:-7d sort:desc\r")) // ctrl+u clears the query first
	scr.settle("Loading the Okta System Log", scr.len(), 5*time.Minute)
	tty.Write([]byte("1"))
	want := fmt.Sprintf("%s of %s incidents", thousands(rows), thousands(rows))
	deadline := time.Now().Add(5 * time.Minute)
	for !scr.contains(want, 0) && time.Now().Before(deadline) {
		tty.Write([]byte("G"))
		time.Sleep(30 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	r.rssKB = rss(cmd.Process.Pid)
	r.heapMB = lastLiveHeap(gcLog)
	if r.loadedP50, r.loadedP99, err = echo(tty, scr, presses); err != nil {
		return r, err
	}
	return r, nil
}

// echo times keystrokes in the ITM table from writing the key to the
// redrawn frame starting to arrive. Keys come at a person's pace with a
// jitter, so they do not fall into step with the console's frame clock.
func echo(tty *os.File, scr *screen, presses int) (p50, p99 time.Duration, err error) {
	tty.Write([]byte("g")) // from the top, so that every j moves the cursor
	time.Sleep(200 * time.Millisecond)
	lat := make([]time.Duration, 0, presses)
	for i := 0; i < presses; i++ {
		key := "j"
		if i%50 == 49 {
			key = "g"
		}
		n := scr.len()
		t0 := time.Now()
		if _, err := tty.Write([]byte(key)); err != nil {
			return 0, 0, err
		}
		for scr.len() == n && time.Since(t0) < 2*time.Second {
			time.Sleep(100 * time.Microsecond)
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(20*time.Millisecond + rand.N(20*time.Millisecond))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[len(lat)/2], lat[len(lat)*99/100], nil
}

// answerQueries replies to the terminal queries a console sends at start
// (background colour, cursor position, device attributes), as a terminal
// emulator would.
func answerQueries(tty *os.File, out []byte) {
	if bytes.Contains(out, []byte("\x1b]11;?")) {
		tty.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))
	}
	if bytes.Contains(out, []byte("\x1b[6n")) {
		tty.Write([]byte("\x1b[1;1R"))
	}
	if bytes.Contains(out, []byte("\x1b[c")) {
		tty.Write([]byte("\x1b[?62;22c"))
	}
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func rss(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				n, _ := strconv.Atoi(f[1])
				return n
			}
		}
	}
	return 0
}
