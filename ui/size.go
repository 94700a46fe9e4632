package ui

// MaxWidth and MaxHeight bound the window the console draws for, whatever
// size a terminal or an SSH client claims: a frame, and what is allocated
// to draw it, never grows past 1000×500 cells.
const (
	MaxWidth  = 1000
	MaxHeight = 500
)

// ClampSize bounds a window size to MaxWidth×MaxHeight.
func ClampSize(w, h int) (int, int) {
	return min(max(w, 0), MaxWidth), min(max(h, 0), MaxHeight)
}
