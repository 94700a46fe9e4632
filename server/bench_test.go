package server

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sort"
	"testing"
	"time"

	"triage/backend/config"
)

// BenchmarkFiftySessions opens 50 concurrent console sessions over SSH
// against the simulators, then measures the heap each session costs (with
// its client, whose collected output is also reported on its own) and the
// keystroke echo latency: from sending j to the redrawn frame arriving.
func BenchmarkFiftySessions(b *testing.B) {
	const sessions = 50
	o := Options{}
	o.NewSessions.Burst = sessions
	f := startWith(b, func(c *config.Config) { c.SSH.MaxSessions = sessions + 1 }, o)
	settle() // the previous run's sessions are still ending
	before := liveHeap()
	consoles := make([]*console, sessions)
	for i := range consoles {
		k := f.alice
		if i%2 == 1 {
			k = f.bob
		}
		consoles[i] = f.console(k)
	}
	for _, c := range consoles {
		c.waitFor("40 of 40 incidents")
	}
	time.Sleep(2 * time.Second) // the other tabs' first loads settle too
	heap := float64(liveHeap()-before) / sessions / 1024
	// The test's clients keep every byte they were sent; that is not the
	// server's cost, so it is reported apart.
	var screens int
	for _, c := range consoles {
		c.mu.Lock()
		screens += c.out.Cap()
		c.mu.Unlock()
	}
	screen := float64(screens) / sessions / 1024
	goroutines := float64(runtime.NumGoroutine()) / sessions

	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := consoles[i%sessions]
		lat = append(lat, c.echo("j"))
	}
	b.StopTimer()
	b.ReportMetric(heap, "heap-KiB/session")
	b.ReportMetric(screen, "client-output-KiB/session")
	b.ReportMetric(goroutines, "goroutines/session")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "echo-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "echo-p99-ms")
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

// liveHeap is the heap the collector marked live, after a collection:
// unlike HeapAlloc it does not count what the running sessions allocate
// between the collection and the reading.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// echo sends one key and returns how long until the session printed the
// next frame.
func (c *console) echo(key string) time.Duration {
	c.mu.Lock()
	n := c.out.Len()
	c.mu.Unlock()
	start := time.Now()
	if _, err := fmt.Fprint(c.in, key); err != nil {
		c.t.Fatal(err)
	}
	for {
		c.mu.Lock()
		grew := c.out.Len() > n
		c.mu.Unlock()
		if grew {
			return time.Since(start)
		}
		if time.Since(start) > 5*time.Second {
			c.t.Fatal("no echo within 5s")
		}
		time.Sleep(100 * time.Microsecond)
	}
}
