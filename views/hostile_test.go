package views

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/backend/sim"
)

// TestHostileTextEveryTabAndPaneGolden walks the whole console with the
// simulators in hostile mode: every list, detail pane, raw JSON view, the
// raw email, the remediations, the audit log and the help. No frame may
// carry a control (the harness renders in the Ascii profile, so any ESC,
// C0 but newline, DEL, C1, bidi override or zero-width character is a
// leak), and the golden shows the attackers' text stays readable: links as
// their text with their target, "click here <https://…>", bidi overrides as <U+202E>, a carriage return as a new line.
func TestHostileTextEveryTabAndPaneGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A journal record naming a hostile asset, as one started from a
	// hostile incident would: tab 3 shows what the journal holds.
	started := testNow.Add(-time.Hour)
	remediations.Open(dir).Add(remediations.Record{Kind: remediations.KindAsset, Vendor: "saas", Tenant: "demo", TargetID: "61099d00000001aaaaaaaaaa",
		TargetName: sim.Attacks[2] + "roadmap.pptx", Type: saas.Quarantine, Source: "incident " + sim.Attacks[4], StartedBy: "carol",
		StartedAt: started, Status: remediations.Success, FinishedAt: started.Add(3 * time.Second), Detail: sim.Attacks[3] + "done"})
	h := newHarness(t, setup{sim: sim.Options{Hostile: true, Rows: 40}, stateDir: dir})
	var golden strings.Builder
	shot := func(name string, mustShow ...string) {
		t.Helper()
		h.waitFor(mustShow...)
		frame := h.screen()
		assertNoControls(t, frame)
		fmt.Fprintf(&golden, "==== %s\n%s\n", name, frame)
	}
	// shows reports whether a frame shows an attack, made readable.
	shows := func(frame string) bool {
		// Raw JSON shows escapes as JSON writes them: \u001b, as text.
		for _, sign := range []string{"click here", "<U+202E>", "DENY", "paypal", "31mred", "bellbackspacez", `\u001b`, `\u0007`} {
			if strings.Contains(frame, sign) {
				return true
			}
		}
		return false
	}
	hostile := func(name string) {
		t.Helper()
		if frame := h.screen(); !shows(frame) {
			t.Fatalf("%s shows no hostile text: the test would prove nothing\n%s", name, frame)
		}
	}
	// openHostile opens the rows of a list in turn until a detail shows an
	// attack, and keeps that frame.
	openHostile := func(name, mustShow string) {
		t.Helper()
		for row := 0; row < 30; row++ {
			h.typeKeys("enter")
			frame := h.waitFor2(mustShow)
			assertNoControls(t, frame)
			if shows(frame) {
				fmt.Fprintf(&golden, "==== %s\n%s\n", name, frame)
				return
			}
			h.typeKeys("esc", "j")
			h.waitUntil("the list", func(f string) bool { return !strings.Contains(f, mustShow) })
		}
		t.Fatalf("no %s shows hostile text: the test would prove nothing", name)
	}
	// rawJSON pages down a raw JSON view to the attack, checking every page.
	rawJSON := func(name string) {
		t.Helper()
		h.typeKeys("v")
		frame := h.waitFor2("Raw JSON")
		for page := 0; !shows(frame); page++ {
			assertNoControls(t, frame)
			if page == 20 {
				t.Fatalf("%s shows no hostile text: the test would prove nothing", name)
			}
			h.typeKeys("pgdown")
			frame = h.screen() // the program takes the snapshot after the key
		}
		assertNoControls(t, frame)
		fmt.Fprintf(&golden, "==== %s\n%s\n", name, frame)
	}

	h.waitFor("40 of 40 incidents")
	shot("ITM list", "40 of 40 incidents")
	hostile("ITM list")
	h.typeKeys("?")
	shot("Help", "Everywhere")
	h.typeKeys("esc")
	openHostile("ITM detail", "Why it fired")
	rawJSON("ITM raw JSON")
	h.typeKeys("esc", "e")
	shot("ITM raw email", "Subject:")
	hostile("ITM raw email")
	h.typeKeys("esc", "esc")

	h.typeKeys("2")
	shot("SaaS list", "40 incidents  ")
	hostile("SaaS list")
	openHostile("SaaS detail", "Asset page")
	rawJSON("SaaS raw JSON")
	h.typeKeys("esc", "esc", "esc")

	h.typeKeys("3")
	shot("Remediations", "carol")
	hostile("Remediations")

	h.typeKeys("4")
	h.waitFor("apps (more as you scroll)")
	shot("Okta apps", "apps (more as you scroll)")
	hostile("Okta apps")
	h.typeKeys("/") // an app whose own label is hostile, for its raw JSON
	h.typeText("U+202E")
	h.typeKeys("enter")
	h.waitFor("/U+202E: 1 shown")
	openHostile("Okta app detail", "Assigned users (")
	rawJSON("Okta app raw JSON")
	h.typeKeys("esc", "esc", "esc")
	frame := openSystemLog(h)
	assertNoControls(t, frame)
	fmt.Fprintf(&golden, "==== Okta System Log\n%s\n", frame)
	openHostile("Okta event detail", "Targets (")
	rawJSON("Okta event raw JSON")
	h.typeKeys("esc", "esc", "esc")

	openIAM(h)
	// Not in the golden: a person's name comes from whichever provider
	// answers first, and the simulators taint different fields.
	assertNoControls(t, h.screen())
	hostile("IAM users")
	for _, i := range []int{31, 38} { // a carriage return, a bidi override
		lookUp(h, sim.PersonAt(i).Email)
		h.waitFor(sim.PersonAt(i).Email + ": 1 shown")
		h.typeKeys("enter")
		h.waitUntil("the person everywhere", func(f string) bool {
			return strings.Contains(f, "Okta demo  ·  ") && !strings.Contains(f, "looking…") && !strings.Contains(f, "reading groups")
		})
		shown := sim.PersonAt(i).Email + ": 1 shown"
		shot(fmt.Sprintf("IAM person %d", i), "Okta demo  ·  ", shown)
		hostile("IAM person")
		h.typeKeys("v")
		shot(fmt.Sprintf("IAM person %d raw JSON", i), "raw JSON", shown)
		h.typeKeys("esc", "esc")
	}

	h.typeKeys(":")
	h.typeText("audit")
	h.typeKeys("enter")
	h.waitFor("Audit log")
	assertNoControls(t, h.screen())
	h.typeKeys("esc")

	// What went to the terminal is the frames and our own cursor moves: no
	// title, hyperlink, clipboard or device string (OSC, DCS), no bell, no
	// 8-bit control, no bidi override.
	h.tm.Quit()
	stream, err := io.ReadAll(h.tm.FinalOutput(t, teatest.WithFinalTimeout(patience)))
	if err != nil {
		t.Fatal(err)
	}
	// The first frame is in it whole (later ones are written as diffs, so
	// the stream's size proves nothing).
	if !strings.Contains(string(stream), "ITM tickets") {
		t.Fatalf("%d bytes written to the terminal, without the frames shown: the test reads the wrong stream", len(stream))
	}
	for _, bad := range []string{"\x1b]", "\x1bP", "\x1b_", "\x07", "\u009b", "\u009d", "\u202e", "\u200b"} {
		if i := strings.Index(string(stream), bad); i >= 0 {
			t.Fatalf("%q reached the terminal near %q", bad, stream[max(i-40, 0):min(i+40, len(stream))])
		}
	}

	// The journal's folder and the simulators' ports change every run.
	out := regexp.MustCompile(`journal /[^\n]*`).ReplaceAllString(golden.String(), "journal $$STATE")
	h.golden(regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(out, "127.0.0.1:PORT"))
}
