package server

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/charmbracelet/ssh"
)

// maxCommand is the longest command a session may send (ssh jump triage
// ...). A real one, a long comment included, is far shorter; the bound is
// checked before anything reads the command.
const maxCommand = 8 << 10

// command refuses a command longer than maxCommand or with an unclosed
// quote, and splits the others once, in linear time. The session library
// splits the command on every call to Command() with go-shlex, whose time
// grows with the square of the command's length (16 s for 250 KB).
func (s *Server) command(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		raw := sess.RawCommand()
		if len(raw) > maxCommand {
			s.refuse(sess, 1, "command too long", fmt.Sprintf("triage: the command is %d KB; commands over SSH are at most %d KB", len(raw)>>10, maxCommand>>10), "bytes", len(raw))
			return
		}
		args, err := splitWords(raw)
		if err != nil {
			s.refuse(sess, 2, "command not split", "triage: "+err.Error()+"; quote arguments as in a POSIX shell")
			return
		}
		next(splitSession{sess, args})
	}
}

// splitSession is a session whose command was split once.
type splitSession struct {
	ssh.Session
	args []string
}

func (s splitSession) Command() []string { return append([]string(nil), s.args...) }

var (
	errUnclosedQuote = errors.New("the command has an unclosed quote")
	errTrailingSlash = errors.New("the command ends with a backslash")
)

// splitWords splits a command into words as the session library's go-shlex
// (POSIX mode) does: blanks (unicode.IsSpace) separate words; single
// quotes keep everything; in double quotes a backslash escapes only a
// backslash or a double quote (and is kept before anything else); outside
// quotes it escapes any character; empty words are dropped. Each byte is
// read once.
func splitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	word := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	var quote rune // ' or " while in quotes
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			if quote == '"' && r != '\\' && r != '"' {
				w.WriteByte('\\')
			}
			w.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				w.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				w.WriteRune(r)
			}
		case r == '\\':
			escaped = true
		case r == '\'', r == '"':
			quote = r
		case unicode.IsSpace(r):
			word()
		default:
			w.WriteRune(r)
		}
	}
	switch {
	case quote != 0:
		return nil, errUnclosedQuote
	case escaped:
		return nil, errTrailingSlash
	}
	word()
	return words, nil
}
