package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"triage/backend/clean/cleantest"
	"triage/backend/sim"
)

// runPty runs a command over SSH with a terminal (ssh -t jump triage ...).
func (f *fixture) runPty(k key, command string) (stdout, stderr string, code int) {
	f.t.Helper()
	sess, err := f.connect(k).NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 120, gossh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errb
	err = sess.Run(command)
	var exit *gossh.ExitError
	if errorsAs(err, &exit) {
		code = exit.ExitStatus()
	} else if err != nil {
		f.t.Fatal(err)
	}
	// The pty ends lines with CRLF, as a terminal's does; a vendor's lone
	// CR is still seen.
	return strings.ReplaceAll(out.String(), "\r\n", "\n"), strings.ReplaceAll(errb.String(), "\r\n", "\n"), code
}

// hostileEmail carries every attack of the simulators' hostile mode and a
// raw 8-bit CSI byte in its subject.
var hostileEmail = "From: Mallory <m@evil.example>\r\nSubject: " + strings.Join(sim.Attacks, " ") + " \x9b2J\r\n\r\nHi\r\n"

// TestVendorEscapesDoNotReachAnSSHClient replays finding 4 of issue 19:
// `ssh jump triage itm email FQID` and `triage api itm GET …/_raw` passed
// OSC 52, title, clear-screen and RLO to the analyst's terminal. Over SSH,
// with a pty or without, text is cleaned and JSON escaped; the bytes as
// stored need --raw, which a session with a pty refuses.
func TestVendorEscapesDoNotReachAnSSHClient(t *testing.T) {
	f := start(t, nil)
	fqid := f.sim.ITM.FQIDs(1)[0]
	path := "/activity/events/" + fqid + "/messages/default/contents/_raw"
	f.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis" + path, Status: http.StatusOK, Body: hostileEmail,
		Header: http.Header{"Content-Type": {"application/octet-stream"}}})
	for _, command := range []string{"triage itm email " + fqid, "triage api itm GET " + path} {
		for _, run := range []func(key, string) (string, string, int){
			func(k key, c string) (string, string, int) { return f.run(k, "", c) },
			f.runPty,
		} {
			out, errs, code := run(f.bob, command)
			if code != 0 {
				t.Fatalf("%s: code %d: %s", command, code, errs)
			}
			if r, bad := cleantest.Unsafe(out); bad {
				t.Fatalf("%s: %U reached the client:\n%q", command, r, out)
			}
			if !strings.Contains(out, "<U+202E>gnp.exe") || !strings.Contains(out, "Subject: ") {
				t.Fatalf("%s: the message is not there, cleaned:\n%q", command, out)
			}
		}
		// --raw, byte for byte, only where ssh cannot see a terminal.
		if out, errs, code := f.run(f.bob, "", command+" --raw"); code != 0 || out != hostileEmail {
			t.Fatalf("%s --raw without a pty: code %d %s\n%q", command, code, errs, out)
		}
		out, errs, code := f.runPty(f.bob, command+" --raw")
		if code != 2 || out != "" || !strings.Contains(errs, "stdout is a terminal") {
			t.Fatalf("%s --raw with a pty: code %d, stdout %q, stderr %q", command, code, out, errs)
		}
	}

	// A vendor's JSON through api: escaped, the same document.
	body := "{\"data\":[{\"alias\":\"x\u009b2J\x7fy\",\"name\":\"\u202egnp.exe\",\"note\":\"\\u001b]52;c;AAAA\\u0007\"}]}"
	f.sim.ITM.Inject(&sim.Fault{Path: "/v2/apis/auth/users", Status: http.StatusOK, Body: body})
	out, errs, code := f.run(f.bob, "", "triage api itm GET /auth/users")
	var sent, got any
	json.Unmarshal([]byte(body), &sent)
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("api JSON: code %d %s\n%q", code, errs, out)
	}
	if r, bad := cleantest.Unsafe(out); bad || !strings.Contains(out, `\u001b]52`) || !strings.Contains(out, `\u202e`) {
		t.Fatalf("api JSON: %U reached the client, or the vendor's text is not there escaped:\n%q", r, out)
	}
	if a, b := got.(map[string]any)["data"], sent.(map[string]any)["data"]; !jsonEqual(a, b) {
		t.Fatalf("api JSON changed meaning:\n%v\n%v", a, b)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
