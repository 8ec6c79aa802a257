package stripeapi

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// keyPattern matches Stripe secret, restricted and publishable keys (sk_test_…, rk_live_…, pk_…),
// and bearer credentials in dumped Authorization headers.
var (
	keyPattern    = regexp.MustCompile(`\b(sk|rk|pk)_(test|live)_[0-9A-Za-z_]+`)
	legacyPattern = regexp.MustCompile(`\b(sk|rk|pk)_[0-9A-Za-z]{16,}`)
	bearerPattern = regexp.MustCompile(`\b(Bearer|Basic) [^\s"',]+`)
)

// RedactKey replaces every Stripe API key (sk_, rk_ and pk_ keys) and every bearer or basic
// credential in s with a marker that keeps only the key's kind, so that text built from requests,
// responses or errors can be logged or shown to a user without leaking a key.
func RedactKey(s string) string {
	s = keyPattern.ReplaceAllString(s, "${1}_${2}_[redacted]")
	s = legacyPattern.ReplaceAllString(s, "${1}_[redacted]")
	s = bearerPattern.ReplaceAllString(s, "${1} [redacted]")
	return s
}

// redactor removes one configured key (whatever its shape) and every key RedactKey recognises.
type redactor struct{ key string }

func (r redactor) redact(s string) string {
	if r.key != "" {
		marker := RedactKey(r.key)
		if marker == r.key {
			marker = "[redacted]"
		}
		s = strings.ReplaceAll(s, r.key, marker)
	}
	return RedactKey(s)
}

// redactHandler is a slog.Handler that redacts the message and every attribute value before
// passing a record on, so no log line of this package can carry an API key, whoever builds it
// (our transport or stripe-go's own logger).
type redactHandler struct {
	inner slog.Handler
	r     redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &redactHandler{inner: h.inner.WithAttrs(clean), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{inner: h.inner.WithGroup(name), r: h.r}
}

func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		return slog.String(a.Key, h.r.redact(fmt.Sprint(v.Any())))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}

// logger writes this package's log lines at a verbosity from 0 (silent) to 5 (whole requests and
// responses): 1 errors, 2 retries and budget waits, 3 one line per request, 4 request parameters.
type logger struct {
	l *slog.Logger
	v int
}

func (lg logger) enabled(v int) bool { return lg.l != nil && lg.v >= v }

func (lg logger) log(ctx context.Context, v int, level slog.Level, msg string, args ...any) {
	if !lg.enabled(v) {
		return
	}
	lg.l.Log(ctx, level, msg, args...)
}

// stripeGoLogger routes stripe-go's own log lines into the redacting slog logger. Its errors and
// warnings are kept (verbosity 1 and 2); its info and debug lines repeat what the transport
// already logs with more detail, so they are dropped.
type stripeGoLogger struct{ lg logger }

func (s stripeGoLogger) Debugf(string, ...any) {}
func (s stripeGoLogger) Infof(string, ...any)  {}

func (s stripeGoLogger) Errorf(format string, v ...any) {
	s.lg.log(context.Background(), 1, slog.LevelError, "stripe-go: "+fmt.Sprintf(format, v...))
}

func (s stripeGoLogger) Warnf(format string, v ...any) {
	s.lg.log(context.Background(), 2, slog.LevelWarn, "stripe-go: "+fmt.Sprintf(format, v...))
}
