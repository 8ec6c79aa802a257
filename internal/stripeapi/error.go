package stripeapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/stripesql/stripesql/internal/sqlstate"
)

// Error is an error answer from Stripe (or the emulator): the HTTP status and Stripe's error object.
type Error struct {
	Status      int
	Type        string // api_error, card_error, idempotency_error, invalid_request_error
	Code        string // resource_missing, card_declined, …
	DeclineCode string
	Param       string
	Message     string
	RequestID   string
}

// Error returns Stripe's message with the status, and never an API key.
func (e *Error) Error() string {
	return fmt.Sprintf("stripe: %d %s: %s", e.Status, e.Code, RedactKey(e.Message))
}

// SQLState returns the SQLSTATE this answer maps to (see SQL), following the same convention as
// pgx's PgError, so callers can switch on codes without converting.
func (e *Error) SQLState() string { return e.SQL().Code }

// Unwrap returns the coded form of the error (see SQL), so that sqlstate.As and sqlstate.Wrap
// find a code on a Stripe answer instead of falling back to XX000.
func (e *Error) Unwrap() error { return e.SQL() }

// IsNotFound reports whether err is Stripe's 404 for a missing object.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// SQL maps a Stripe error to the coded error a client sees, following DESIGN.md: 401 → 28000,
// 403 → 42501, 404 → 42704, card errors → 38000, other 4xx → 22023, 429 → 53000, 5xx → 58000.
// DETAIL carries Stripe's code, decline code, parameter and request id.
func (e *Error) SQL() *sqlstate.Error {
	code := sqlstate.InvalidParameterValue
	switch {
	case e.Status == http.StatusUnauthorized:
		code = sqlstate.InvalidAuthorization
	case e.Status == http.StatusForbidden:
		code = sqlstate.InsufficientPrivilege
	case e.Status == http.StatusNotFound:
		code = sqlstate.UndefinedObject
	case e.Type == "card_error":
		code = sqlstate.ExternalRoutineException
	case e.Status == http.StatusTooManyRequests:
		code = sqlstate.InsufficientResources
	case e.Status >= 500:
		code = sqlstate.SystemError
	}
	msg := RedactKey(e.Message)
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	se := &sqlstate.Error{Code: code, Message: "stripe: " + lowerFirst(msg)}
	detail := ""
	add := func(k, v string) {
		if v == "" {
			return
		}
		if detail != "" {
			detail += ", "
		}
		detail += k + "=" + v
	}
	add("status", fmt.Sprint(e.Status))
	add("type", e.Type)
	add("code", e.Code)
	add("decline_code", e.DeclineCode)
	add("param", e.Param)
	add("request_id", e.RequestID)
	se.Detail = "Stripe answered " + detail
	if e.Param != "" {
		se.Hint = fmt.Sprintf("check the value given for %q", e.Param)
	}
	return se
}

// lowerFirst lowercases the first letter and drops a trailing period, PostgreSQL style.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' && (len(b) < 2 || b[1] < 'A' || b[1] > 'Z') {
		b[0] += 'a' - 'A'
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return string(b)
}
