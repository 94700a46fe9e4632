package httpx

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
)

// Redact wraps a log handler so no configured secret, and no bearer or SSWS
// credential, can reach the debug log, whatever attribute it hides in.
func Redact(h slog.Handler, secrets []string) slog.Handler {
	var keep []string
	for _, s := range secrets {
		if len(s) >= 4 { // shorter values would blank out ordinary words
			keep = append(keep, s)
		}
	}
	return &redactor{next: h, secrets: keep}
}

type redactor struct {
	next    slog.Handler
	secrets []string
}

const redacted = "[redacted]"

// credential matches an Authorization header value in free text.
var credential = regexp.MustCompile(`(?i)\b(Bearer|SSWS|Basic)\s+[^\s",;]+`)

func (r *redactor) scrub(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return credential.ReplaceAllString(s, "$1 "+redacted)
}

func (r *redactor) attr(a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	if k == "authorization" || k == "password" || k == "x-password" || strings.Contains(k, "secret") || strings.Contains(k, "token") && k != "token_requests" {
		return slog.String(a.Key, redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.scrub(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = r.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		return slog.String(a.Key, r.scrub(v.String()))
	}
	return a
}

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.scrub(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = r.attr(a)
	}
	return &redactor{next: r.next.WithAttrs(clean), secrets: r.secrets}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: r.next.WithGroup(name), secrets: r.secrets}
}
