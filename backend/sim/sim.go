// Package sim runs embedded simulators of the five vendor APIs on
// 127.0.0.1: the vendors' real paths, auth, pagination, error bodies and
// rate-limit headers, with deterministic seed data shared across vendors.
// `triage --demo` runs them in-process; tests and benchmarks use them too.
package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"triage/backend/clock"
)

// Options are the simulator's knobs.
type Options struct {
	Rows          int           // size of every list (tickets, incidents, apps, log events, users); 0 = defaults
	Latency       time.Duration // added to every answer
	ErrorRate     float64       // fraction of API requests answered with a 500
	RateLimitRate float64       // fraction of API requests answered with a 429
	Hostile       bool          // vendor strings carry escape sequences and bidi tricks
	Seed          uint64        // varies the data; 0 is the default data set
	// Clock is the simulated present, required: clock.Real{} for the demo,
	// a pinned instant in tests. The data is laid out back from its reading
	// at Start, so the same data and the same windows hold on any date.
	Clock clock.Clock
	Live  bool // new incidents keep arriving while it runs (the demo)
	// Background makes Start return as soon as every simulator listens,
	// building their data meanwhile: connections wait in the listeners'
	// queues until it is ready, so a large demo's first frame does not wait
	// for 100,000 rows per vendor.
	Background bool
	// Addrs are the addresses ("host:port") the simulators listen on, by
	// name (itm, saas, okta, atlassian, essentials); a missing one is a
	// free loopback port. `triage sim` sets them.
	Addrs map[string]string

	listeners map[string]net.Listener // made by Start in the background mode
	// epoch is the Clock's reading when the data was built, to the second:
	// generated data is laid out back from it.
	epoch time.Time
}

// Server is one simulated vendor on its own loopback port.
type Server struct {
	Name     string
	URL      string
	srv      *http.Server
	ln       net.Listener
	opts     *Options
	rng      *lockedRand
	requests atomic.Int64
	mu       sync.Mutex
	counts   map[string]int      // "POST /path" -> requests
	uris     map[string][]string // "GET /path" -> the request URIs, the latest 50
	fault    atomic.Pointer[Fault]
	// limited answers the RateLimitRate knob's 429 in the vendor's own
	// shape (Okta's rate-limit headers); nil uses Retry-After.
	limited func(http.ResponseWriter, *http.Request)
}

// Fault is a one-off misbehaviour injected into the next matching requests,
// for fault tests: a status with a body, a dropped connection, a delay, an
// answer cut off or trickled. Faults other than Status and Body let the
// request be applied as usual first and spoil only the answer.
type Fault struct {
	Path   string // prefix of the paths it applies to ("" = all)
	Method string // the method it applies to ("" = all)
	Status int
	Body   string
	Header http.Header
	Drop   bool // close the connection without an answer
	// DropAfter lets the request be applied, then drops the connection
	// instead of answering: a write whose answer is lost.
	DropAfter bool
	// Replace lets the request be applied, then answers with Status,
	// Header and Body instead of the vendor's answer: a proxy that passed
	// a write on and answered with a page of its own.
	Replace bool
	// Cut answers normally but resets the connection halfway through the
	// body (its Content-Length promises the whole of it).
	Cut bool
	// Trickle answers normally but sends the body one byte per Trickle: a
	// slow-loris answer.
	Trickle time.Duration
	Delay   time.Duration // wait before answering
	Times   int           // how many requests it applies to; 0 = until cleared
	Skip    int           // matching requests let through before it applies
	// Then is on for the requests after this fault has applied once: one
	// Inject loses a write's answer, then fails the read that settles it.
	Then  *Fault
	seen  atomic.Int64
	fired atomic.Bool
}

// take is the fault that applies to r, nil if none.
func (f *Fault) take(r *http.Request) *Fault {
	switch {
	case f == nil:
		return nil
	case strings.HasPrefix(r.URL.Path, f.Path) && (f.Method == "" || f.Method == r.Method) && f.applies():
		f.fired.Store(true)
		return f
	case f.fired.Load():
		return f.Then.take(r)
	}
	return nil
}

// applies counts a matching request and reports whether the fault is on
// for it.
func (f *Fault) applies() bool {
	n := f.seen.Add(1)
	return n > int64(f.Skip) && (f.Times == 0 || n <= int64(f.Skip+f.Times))
}

type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

// anchor reads the clock once and lays the data out back from it. The
// clock must be chosen, not defaulted: the demo passes the wall clock and a
// test a pinned instant, so no test's data can drift with the calendar.
func (o *Options) anchor() error {
	if o.Clock == nil {
		return errors.New("sim: Options.Clock is not set (clock.Real{} for the demo, clock.Pin(t) in tests)")
	}
	o.epoch = o.Clock.Now().UTC().Truncate(time.Second)
	return nil
}

// now is the simulated present. Data, timestamps of writes, remediation
// progress and live arrivals follow it; token lifetimes and rate-limit
// windows are protocol timers, measured on the wall clock as the client's
// own timers are.
func (o *Options) now() time.Time { return o.Clock.Now() }

// serve starts h on a fresh loopback port behind the shared knobs.
func serve(name string, opts *Options, h http.Handler) (*Server, error) {
	ln := opts.listeners[name]
	if ln == nil {
		var err error
		if ln, err = listen(name, opts.Addrs[name]); err != nil {
			return nil, err
		}
	}
	s := &Server{Name: name, URL: "http://" + ln.Addr().String(), ln: ln, opts: opts,
		rng: &lockedRand{r: rand.New(rand.NewPCG(opts.Seed, uint64(len(name))))}, counts: map[string]int{}, uris: map[string][]string{}}
	s.srv = &http.Server{Handler: s.wrap(h), ReadHeaderTimeout: 10 * time.Second}
	if opts.listeners == nil {
		s.start()
	} // else Start starts it once every vendor is whole
	return s, nil
}

func (s *Server) start() {
	go s.srv.Serve(s.ln) //nolint:errcheck // ends with Close
}

func listen(name, addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulator %s: %w", name, err)
	}
	return ln, nil
}

// Close stops the server.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
}

// Requests is how many requests the server answered.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Count is how many requests matched "METHOD /path-prefix".
func (s *Server) Count(methodPath string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.counts {
		if strings.HasPrefix(k, methodPath) {
			n += v
		}
	}
	return n
}

// Queries are the decoded query strings of the latest requests to
// "METHOD /path", oldest first: what a test checks the console asked.
func (s *Server) Queries(methodPath string) []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []url.Values
	for _, u := range s.uris[methodPath] {
		if parsed, err := url.Parse(u); err == nil {
			out = append(out, parsed.Query())
		}
	}
	return out
}

// Inject makes the next requests misbehave; nil clears it.
func (s *Server) Inject(f *Fault) { s.fault.Store(f) }

// isToken reports token endpoints, which the random fault knobs spare so a
// demo with a high error rate still starts.
func isToken(path string) bool {
	return strings.Contains(path, "/oauth") || strings.HasSuffix(path, "/token")
}

func (s *Server) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		s.counts[r.Method+" "+r.URL.Path]++
		k := r.Method + " " + r.URL.Path
		if u := s.uris[k]; len(u) >= 50 {
			s.uris[k] = u[1:]
		}
		s.uris[k] = append(s.uris[k], r.URL.RequestURI())
		s.mu.Unlock()
		if f := s.fault.Load().take(r); f != nil {
			if f.DropAfter || f.Replace || f.Cut || f.Trickle > 0 {
				rec := &recorder{header: http.Header{}, status: http.StatusOK}
				h.ServeHTTP(rec, r)
				switch {
				case f.DropAfter:
					drop(w)
				case f.Replace:
					s.applyFault(w, r, f)
				case f.Cut:
					cut(w, rec)
				default:
					trickle(w, r, rec, f.Trickle)
				}
				return
			}
			if s.applyFault(w, r, f) {
				return
			}
		}
		if d := s.opts.Latency; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if !isToken(r.URL.Path) {
			if p := s.opts.RateLimitRate; p > 0 && s.rng.Float64() < p {
				if s.limited != nil {
					s.limited(w, r)
					return
				}
				w.Header().Set("Retry-After", "1")
				writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "rate limit exceeded", "errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."})
				return
			}
			if p := s.opts.ErrorRate; p > 0 && s.rng.Float64() < p {
				writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "simulated internal error"})
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// applyFault answers with the fault; false means "then answer normally"
// (a pure delay).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	if f.Drop {
		drop(w)
		return true
	}
	if f.Status == 0 {
		return false
	}
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	fmt.Fprint(w, f.Body)
	return true
}

// drop resets the connection instead of answering.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset, not a clean close
			}
			conn.Close()
		}
	}
}

// cut sends the head of a recorded answer and half its body, then resets
// the connection.
func cut(w http.ResponseWriter, rec *recorder) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.status, http.StatusText(rec.status))
	rec.header.Set("Content-Length", strconv.Itoa(rec.body.Len()))
	rec.header.Write(buf) //nolint:errcheck // the connection is reset next
	buf.WriteString("\r\n")
	buf.Write(rec.body.Bytes()[:rec.body.Len()/2])
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// trickle sends a recorded answer with its body one byte per every,
// stopping when the client goes away.
func trickle(w http.ResponseWriter, r *http.Request, rec *recorder, every time.Duration) {
	for k, vs := range rec.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
	w.WriteHeader(rec.status)
	flusher, _ := w.(http.Flusher)
	for _, b := range rec.body.Bytes() {
		select {
		case <-time.After(every):
		case <-r.Context().Done():
			return
		}
		if _, err := w.Write([]byte{b}); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// recorder is a ResponseWriter that keeps the answer for a fault to spoil.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v) //nolint:errcheck // the client went away
}

// readJSON decodes a request body, answering 400 itself on failure.
func readJSON(w http.ResponseWriter, r *http.Request, v any, fail func(http.ResponseWriter, int, string)) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		fail(w, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errors.New(name + " must be a non-negative integer")
	}
	return n, nil
}

// tokens issues and checks bearer tokens.
type tokens struct {
	mu     sync.Mutex
	issued map[string]time.Time // token -> expiry
	all    []string             // every token handed out, revoked or not
	n      atomic.Int64
}

func newTokens() *tokens { return &tokens{issued: map[string]time.Time{}} }

func (t *tokens) issue(prefix string, life time.Duration) string {
	n := t.n.Add(1)
	tok := fmt.Sprintf("%s-%d-%x", prefix, n, rand.Uint64())
	t.mu.Lock()
	t.issued[tok] = time.Now().Add(life)
	t.all = append(t.all, tok)
	t.mu.Unlock()
	return tok
}

// valid checks an "Authorization: Bearer" header.
func (t *tokens) valid(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && t.validToken(tok)
}

// validToken checks a token, whatever scheme carried it.
func (t *tokens) validToken(tok string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, found := t.issued[tok]
	return found && time.Now().Before(exp)
}

// Revoke invalidates every issued token, as an admin rotating credentials
// would; the next API call gets a 401.
func (t *tokens) revokeAll() {
	t.mu.Lock()
	t.issued = map[string]time.Time{}
	t.mu.Unlock()
}

// Issued is how many tokens were handed out.
func (t *tokens) Issued() int64 { return t.n.Load() }

// list is every token handed out.
func (t *tokens) list() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.all...)
}
