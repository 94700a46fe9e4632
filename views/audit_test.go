package views

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"triage/backend/audit"
	"triage/backend/config"
	"triage/backend/identity"
	"triage/backend/sim"
)

// The console and the audit log: a write whose line cannot be written is
// refused before it leaves (or, by the config's explicit choice, sent with
// a warning); a deleted or rotated log is written afresh; a write answered
// by a page that is not the vendor's is read back and said to be.

// spoilers make the audit log unwritable as a host can: a directory where
// the file was, a full disk (/dev/full answers every write with ENOSPC, as
// a file at its size limit does), a file made read-only.
var spoilers = []struct {
	name  string
	spoil func(t *testing.T, path string)
}{
	{"a directory in its place", func(t *testing.T, path string) {
		os.Remove(path)
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	}},
	{"a full disk", func(t *testing.T, path string) {
		if _, err := os.Stat("/dev/full"); err != nil {
			t.Skip("no /dev/full")
		}
		os.Remove(path)
		if err := os.Symlink("/dev/full", path); err != nil {
			t.Fatal(err)
		}
	}},
	{"a read-only file", func(t *testing.T, path string) {
		if os.Geteuid() == 0 {
			t.Skip("root writes a mode 0400 file")
		}
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
	}},
}

// said is the newest message of the status line, in full, and whether it
// is an error.
func said(d *driver) (string, bool) {
	ms := d.app.status.Messages()
	if len(ms) == 0 {
		return "", false
	}
	return ms[len(ms)-1].Text, ms[len(ms)-1].Error
}

// fileLines reads the audit file as "action outcome" lines.
func fileLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e audit.Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		out = append(out, e.Action+" "+e.Outcome)
	}
	return out
}

func TestConsoleRefusesAWriteTheAuditLogCannotRecord(t *testing.T) {
	t.Parallel()
	for _, sp := range spoilers {
		t.Run(sp.name, func(t *testing.T) {
			t.Parallel()
			h := newDriver(t, setup{loads: []int{1}})
			h.waitFor("120 of 120 incidents")
			fqid, path := h.sim.ITM.FQIDs(1)[0], h.cfg.Audit.Path
			sp.spoil(t, path)
			h.typeKeys("c")
			h.waitFor("Comment on")
			h.typeText("Refused unaudited.")
			before := h.sim.ITM.Requests()
			h.typeKeys("ctrl+s")
			text, isErr := said(h)
			if !isErr || !strings.Contains(text, "Comment not saved; draft kept, c then ctrl+s resends: ITM demo: not sent: audit log "+path+" cannot be written") {
				t.Fatalf("the console says %q", text)
			}
			if n := h.sim.ITM.Requests() - before; n != 0 {
				t.Fatalf("%d requests reached ITM", n)
			}
			h.waitFor("AUDIT LOG FAILING: writes refused")
			// The draft is kept, and goes once the log can be written.
			os.Remove(path)
			h.typeKeys("c")
			h.waitFor("Refused unaudited.")
			h.typeKeys("ctrl+s")
			h.waitFor("Comment saved")
			if strings.Contains(h.screen(), "AUDIT LOG FAILING") {
				t.Fatal("the header still says the audit log is failing")
			}
			if got := h.sim.ITM.Comments(fqid); len(got) != 1 {
				t.Fatalf("vendor has %q", got)
			}
			if got := fileLines(t, path); strings.Join(got, ",") != "itm.comment pending,itm.comment ok" {
				t.Fatalf("audit %v", got)
			}
		})
	}
}

// Every write of the console goes through the same refusal: one of each
// tab, with the log a directory.
func TestConsoleRefusesEveryTabsWritesTheAuditLogCannotRecord(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{2, 5}})
	spoilers[0].spoil(t, h.cfg.Audit.Path)
	// The writes' requests (the reads before some writes, such as the GET
	// of Essentials' whole user before its PUT, may go).
	requests := func() int {
		return h.sim.SaaS.Count("POST /incident/api/incidents/") + h.sim.SaaS.Count("POST /remediation/") +
			h.sim.Okta.Count("POST /api/v1/users/") + h.sim.Atlassian.Count("PATCH ") +
			h.sim.Essentials.Count("PUT ") + h.sim.Essentials.Count("POST ")
	}
	refused := func(what string, keys func()) {
		t.Helper()
		before := requests()
		keys()
		if text, isErr := said(h); !isErr || !strings.Contains(text, "not sent: audit log "+h.cfg.Audit.Path+" cannot be written") {
			t.Fatalf("%s: the console says %q", what, text)
		}
		if n := requests() - before; n != 0 {
			t.Fatalf("%s: %d requests reached the vendors", what, n)
		}
	}
	openSaaS(h, 120)
	refused("close", func() { h.typeKeys("s"); h.typeText("business"); h.typeKeys("enter", "y") })
	refused("remediate", func() { h.typeKeys("x"); h.typeText("quar"); h.typeKeys("enter", "y") })
	openIAM(h)
	lookUp(h, li)
	h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
	before := requests()
	h.typeKeys("d")
	h.waitFor("Disable Li Chen?")
	h.typeKeys("y")
	if text, _ := said(h); strings.Count(text, "not sent: audit log") != 3 {
		t.Fatalf("disable at 3 providers: the console says %q", text)
	}
	if n := requests() - before; n != 0 {
		t.Fatalf("disable: %d requests reached the vendors", n)
	}
	refused("block a sender", func() {
		h.typeKeys("b")
		h.waitFor("Sender to block or allow")
		h.typeText("bulk.example")
		h.typeKeys("enter", "enter", "y")
	})
	if es := h.audit.Lines(); len(es) != 0 {
		t.Fatalf("the audit memory has %+v", es)
	}
}

func TestConsoleSendsAndWarnsWhenTheConfigChoseWarn(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, edit: func(c *config.Config) { c.Audit.OnError = config.AuditWarn }})
	h.waitFor("120 of 120 incidents")
	spoilers[0].spoil(t, h.cfg.Audit.Path)
	h.typeKeys("c")
	h.waitFor("Comment on")
	h.typeText("Sent unrecorded.")
	h.typeKeys("ctrl+s")
	h.waitFor("Comment saved", "AUDIT LOG FAILING: writes go unrecorded")
	if got := h.sim.ITM.Comments(h.sim.ITM.FQIDs(1)[0]); len(got) != 1 {
		t.Fatalf("vendor has %q", got)
	}
}

func TestConsoleWritesADeletedOrRotatedAuditLogAfresh(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	h.waitFor("120 of 120 incidents")
	path := h.cfg.Audit.Path
	comment := func(text string) {
		t.Helper()
		h.typeKeys("c")
		h.waitFor("Comment on")
		h.typeText(text)
		h.typeKeys("ctrl+s")
		h.waitFor("Comment saved")
	}
	comment("First.")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	comment("After the deletion.")
	if got := fileLines(t, path); strings.Join(got, ",") != "itm.comment pending,itm.comment ok" {
		t.Fatalf("after the deletion: %v", got)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	comment("After the rotation.")
	if got := fileLines(t, path); len(got) != 2 {
		t.Fatalf("after the rotation the new file holds %v", got)
	}
	if got := fileLines(t, path+".1"); len(got) != 2 {
		t.Fatalf("the rotated file holds %v", got)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("recreated: %v %v", info, err)
	}
	// The audit view shows each write once, by its outcome.
	h.app.showAudit()()
	if text, err := readAudit(path, h.app.c.Styles, "alice", screenWidth); err != nil || strings.Count(text, "itm.comment") != 1 || strings.Contains(text, "pending") {
		t.Fatalf("audit view %v:\n%s", err, text)
	}
}

// signIn is what a proxy or an SSO gateway in front of a vendor answers
// when it wants a session of its own: a 200 with a page.
const signIn = `<!DOCTYPE html><html><head><title>Sign in to Acme SSO</title></head><body><form action="/login"></form></body></html>`

func signInPage(path, method string, passed bool) *sim.Fault {
	return &sim.Fault{Path: path, Method: method, Status: http.StatusOK, Header: http.Header{"Content-Type": {"text/html"}},
		Body: signIn, Replace: passed, Times: 1}
}

// consoleWrite is one write of the console, answered by the sign-in page.
type consoleWrite struct {
	name   string
	server func(*sim.Sim) *sim.Server
	method string
	path   string
	keys   func(h *driver) // starts and confirms it
	action string          // in the audit log
	// What the status line says when reading back shows it missing (kept
	// by the proxy), and when it shows it applied (passed on).
	missing, shows string
}

// TestConsoleWritesAnsweredBySignInPageAreReadBackAndSaidSo: each write of
// the console answered 200 by a proxy's sign-in page. The console never
// says it was done on that page's word: it reads back once and says what
// it found, naming the page; the write is sent once; the audit log has
// the unknown outcome and what reading back showed.
func TestConsoleWritesAnsweredBySignInPageAreReadBackAndSaidSo(t *testing.T) {
	t.Parallel()
	page := func(vendor string) string {
		return "the answer is not one " + vendor + " documents (HTML page: Sign in to Acme SSO)"
	}
	ITM := func(s *sim.Sim) *sim.Server { return s.ITM.Server }
	SaaS := func(s *sim.Sim) *sim.Server { return s.SaaS.Server }
	Okta := func(s *sim.Sim) *sim.Server { return s.Okta.Server }
	Essentials := func(s *sim.Sim) *sim.Server { return s.Essentials.Server }
	run := func(t *testing.T, h *driver, writes []consoleWrite) {
		for _, w := range writes {
			srv := w.server(h.sim)
			for _, passed := range []bool{false, true} {
				what := w.name + map[bool]string{false: " (kept by the proxy)", true: " (passed on)"}[passed]
				before, lines := srv.Count(w.method+" "+w.path), len(h.audit.Entries())
				srv.Inject(signInPage(w.path, w.method, passed))
				w.keys(h)
				srv.Inject(nil)
				text, isErr := said(h)
				want := map[bool]string{false: w.missing, true: w.shows}[passed]
				if isErr == passed || !strings.Contains(text, want) || strings.Contains(text, "may have been applied") {
					t.Errorf("%s: the console says %q (error %v); want %q", what, text, isErr, want)
				}
				if n := srv.Count(w.method+" "+w.path) - before; n != 1 {
					t.Errorf("%s: sent %d times, want once", what, n)
				}
				var got []string
				for _, e := range h.audit.Entries()[lines:] {
					if e.Action == w.action {
						got = append(got, e.Outcome)
					}
				}
				if want := audit.Unknown + " " + map[bool]string{false: audit.Failed, true: audit.Confirmed}[passed]; strings.Join(got, " ") != want {
					t.Errorf("%s: audit %v, want %s", what, got, want)
				}
			}
		}
	}

	t.Run("ITM", func(t *testing.T) {
		t.Parallel()
		h := newDriver(t, setup{loads: []int{1}})
		h.waitFor("120 of 120 incidents")
		fqid := h.sim.ITM.FQIDs(1)[0]
		id := short(fqid, 12)
		ev := "/v2/apis/activity/events/" + fqid + "/annotations"
		comment := func(h *driver) {
			h.typeKeys("c")
			h.waitFor("Comment on")
			h.typeText("Escalated to HR.")
			h.typeKeys("ctrl+s")
		}
		run(t, h, []consoleWrite{
			{"comment", ITM, "POST", ev + "/comments", comment, "itm.comment",
				"Comment not saved (" + page("ITM") + ", read-back shows it missing; draft kept, c then ctrl+s resends)",
				"Comment on " + id + " went through: " + page("ITM") + ", and reading the ticket back shows it applied"},
			{"assign", ITM, "PUT", ev + "/workflow/assignment", func(h *driver) {
				h.typeKeys("a")
				h.waitFor("Sam Okoro")
				h.typeText("okoro")
				h.typeKeys("enter")
				h.waitFor("to Sam Okoro?")
				h.typeKeys("y")
			}, "itm.assign",
				"Assignment not saved (" + page("ITM") + ", read-back shows it missing)",
				"Assignment on " + id + " went through: " + page("ITM") + ", and reading the ticket back shows it applied"},
			{"status", ITM, "PATCH", ev + "/workflow", func(h *driver) {
				h.typeKeys("s")
				h.waitFor("Set the status")
				h.typeText("progress")
				h.typeKeys("enter")
				h.waitFor("→ In progress")
				h.typeKeys("y")
			}, "itm.status",
				"Status change not saved (" + page("ITM") + ", read-back shows it missing)",
				"Status change on " + id + " went through: " + page("ITM") + ", and reading the ticket back shows it applied"},
		})
		// The comment kept by the proxy kept its draft, and was not sent again.
		if got := h.sim.ITM.Comments(fqid); len(got) != 1 {
			t.Errorf("vendor has %q", got)
		}
	})

	t.Run("SaaS", func(t *testing.T) {
		t.Parallel()
		h := newDriver(t, setup{loads: []int{2}})
		openSaaS(h, 120)
		id := h.sim.SaaS.Newest(1)[0]
		run(t, h, []consoleWrite{
			{"close", SaaS, "POST", "/incident/api/incidents/" + id + "/state", func(h *driver) {
				h.typeKeys("s")
				h.waitFor("Close incident " + id + " as")
				h.typeText("business")
				h.typeKeys("enter", "y")
			}, "saas.close",
				"incident " + id + " not closed (" + page("SaaS") + ", and reading back shows it unchanged",
				"Incident " + id + " closed as Business justified: " + page("SaaS") + ", and reading the state back shows it applied"},
			{"remediate", SaaS, "POST", "/remediation/api/assets", func(h *driver) {
				h.typeKeys("x")
				h.typeText("quar")
				h.typeKeys("enter", "y")
			}, "saas.remediate",
				"Quarantine not started (" + page("SaaS") + ", and reading back shows no new remediation",
				"started: tab 3 follows it (start: " + page("SaaS") + "; reading back shows it started)"},
		})
	})

	t.Run("IAM", func(t *testing.T) {
		t.Parallel()
		h := newDriver(t, setup{loads: []int{5}})
		openIAM(h)
		lookUp(h, li)
		h.waitUntil("looked up", func(f string) bool { return strings.Join(statuses(rowOfPerson(f, li)), " ") == "ACTIVE active active" })
		okta := "/api/v1/users/" + h.sim.Okta.UserID(li)
		oktaOnly := func(key, asks string) func(h *driver) {
			return func(h *driver) {
				h.typeKeys(key)
				h.waitFor(asks)
				h.typeKeys("y")
			}
		}
		run(t, h, []consoleWrite{
			{"disable at Okta", Okta, "POST", okta + "/lifecycle/suspend", func(h *driver) {
				h.typeKeys("d")
				h.waitFor("Disable Li Chen?")
				// Okta alone: the first check has the focus; after a failure
				// only the provider that failed is checked.
				for _, p := range []string{"Atlassian demo", "Essentials demo"} {
					h.typeKeys("down")
					if strings.Contains(h.screen(), "[x] "+p) {
						h.typeKeys("space")
					}
				}
				h.typeKeys("y")
			}, "okta.suspend",
				"Disable Li Chen failed at Okta demo (d retries it alone): Okta demo: 200: " + page("Okta"),
				"Disabled Li Chen: Okta demo SUSPENDED (" + page("Okta") + "; reading back shows it applied)"},
			{"enable at Okta", Okta, "POST", okta + "/lifecycle/unsuspend", oktaOnly("E", "Enable Li Chen?"), "okta.unsuspend",
				"Enable Li Chen failed at Okta demo (E retries it alone): Okta demo: 200: " + page("Okta"),
				"Enabled Li Chen: Okta demo ACTIVE (" + page("Okta") + "; reading back shows it applied)"},
			{"expire the password", Okta, "POST", okta + "/lifecycle/expire_password", oktaOnly("X", "Expire the password of Li Chen?"), "okta.expire_password",
				"Expire the password of Li Chen failed at Okta demo (X retries it alone): Okta demo: 200: " + page("Okta"),
				"Okta demo password expired (" + page("Okta") + "; reading back shows it applied)"},
			{"reset the password", Okta, "POST", okta + "/lifecycle/reset_password", oktaOnly("R", "Reset the password of Li Chen?"), "okta.reset_password",
				"Reset the password of Li Chen failed at Okta demo (R retries it alone): Okta demo: 200: " + page("Okta"),
				"Okta demo reset link emailed (" + page("Okta") + "; reading back shows it applied)"},
			{"block a sender", Essentials, "POST", "/api/v1/orgs/acme.example/sender-lists", func(h *driver) {
				h.typeKeys("b")
				h.waitFor("Sender to block or allow")
				h.typeKeys("ctrl+u") // a failed block reopens with its sender typed
				h.typeText("bulk.example")
				h.typeKeys("enter", "enter", "y")
			}, "essentials.block_sender",
				"could not block bulk.example for everyone at acme.example (" + page("Essentials") + ", and reading the list back shows it unchanged",
				"Blocked bulk.example for everyone at Essentials demo (tab 3): " + page("Essentials") + "; reading the list back shows the sender on it"},
		})
		// Sessions cannot be read back: the page leaves the outcome unknown.
		before := h.sim.Okta.Count("DELETE " + okta + "/sessions")
		h.sim.Okta.Inject(signInPage(okta+"/sessions", "DELETE", false))
		h.typeKeys("L")
		h.waitFor("Sign out Li Chen?")
		h.typeKeys("y")
		h.sim.Okta.Inject(nil)
		if text, _ := said(h); !strings.Contains(text, "outcome unknown at Okta demo") || !strings.Contains(text, page("Okta")) {
			t.Errorf("sign-out: the console says %q", text)
		}
		if n := h.sim.Okta.Count("DELETE "+okta+"/sessions") - before; n != 1 {
			t.Errorf("sign-out sent %d times", n)
		}
	})
}

// The person view's writes (d, c, L) are refused for a read-only analyst
// like the tabs' are, and each refusal is audited.
func TestPersonViewRefusesAReadOnlyAnalystAndAuditsIt(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{5}, analyst: identity.Analyst{Name: "bob", Role: "read-only"}})
	openIAM(h)
	lookUp(h, li)
	h.typeKeys("p")
	h.waitFor("Person:", li)
	for _, k := range []string{"d", "c", "L"} {
		h.typeKeys(k)
		if text, isErr := said(h); !isErr || !strings.Contains(text, "bob has the read-only role") {
			t.Fatalf("%s: the console says %q", k, text)
		}
	}
	var got []string
	for _, e := range h.audit.Entries() {
		if e.Outcome != audit.Refused || e.Analyst != "bob" || e.Target != li {
			t.Fatalf("refusal audited as %+v", e)
		}
		got = append(got, e.Action)
	}
	if strings.Join(got, " ") != "iam.disable_user itm.comment okta.clear_sessions" {
		t.Fatalf("audit %v", got)
	}
}
