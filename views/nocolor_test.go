package views

import (
	"strings"
	"testing"
)

// TestNoColorMarksTheCursorAndTheActiveTabGolden: without colour (the
// harness draws as under NO_COLOR) the cursor row and the active tab are
// marked in the text, so j changes the frame, and a marked row keeps its
// mark beside the cursor.
func TestNoColorMarksTheCursorAndTheActiveTabGolden(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}})
	before := h.waitFor2("120 of 120 incidents")
	if !strings.Contains(before, "[1 ITM tickets]") {
		t.Fatalf("the active tab is not marked:\n%s", before)
	}
	h.typeKeys("j")
	after := h.screen()
	if after == before {
		t.Fatal("j left the frame unchanged")
	}
	rows := lines(after)[4:6]
	if !strings.HasPrefix(rows[0], "  ") || !strings.HasPrefix(rows[1], " ▸") {
		t.Fatalf("the cursor is not on the second row:\n%s", after)
	}
	h.typeKeys("space", "k") // mark the second row, then back onto it
	frame := h.screen()
	if !strings.HasPrefix(lines(frame)[5], "✔▸") {
		t.Fatalf("the marked row under the cursor:\n%s", frame)
	}
	h.typeKeys("4")
	okta := h.waitFor2("switch panes")
	if !strings.Contains(okta, "[4 Okta]") || !strings.Contains(okta, "[Apps]") {
		t.Fatalf("the active tab and pane are not marked:\n%s", okta)
	}
	h.golden(frame + "\n" + okta)
}

// TestColourMarksTheCursorByColour: with colour the cursor row and the
// active tab are their colours, without the text marks.
func TestColourMarksTheCursorByColour(t *testing.T) {
	t.Parallel()
	h := newDriver(t, setup{loads: []int{1}, colour: true})
	before := h.waitFor2("120 of 120 incidents")
	h.typeKeys("j")
	after := h.screen()
	if after == before || !strings.Contains(after, "\x1b[") {
		t.Fatal("j left the coloured frame unchanged")
	}
	if strings.Contains(after, "▸") || strings.Contains(after, "[1 ITM tickets]") {
		t.Fatalf("text marks drawn with colour:\n%s", after)
	}
}
