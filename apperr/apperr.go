// Package apperr is the one error vocabulary of creditwater. Domain packages
// return *Error values; the GraphQL error presenter maps them to
// extensions.code and never shows the wrapped cause to a client.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, machine-readable error class shown as extensions.code.
type Code string

// The error codes. They are part of the public API: clients switch on them.
const (
	NotFound           Code = "NOT_FOUND"
	Invalid            Code = "INVALID"
	Unauthenticated    Code = "UNAUTHENTICATED"
	Forbidden          Code = "FORBIDDEN"
	Conflict           Code = "CONFLICT"
	FailedPrecondition Code = "FAILED_PRECONDITION"
	Unavailable        Code = "UNAVAILABLE"
	RateLimited        Code = "RATE_LIMITED"
	Internal           Code = "INTERNAL"
)

// Error is a classified error. Message is safe to show to the caller; Err is
// the underlying cause, logged but never shown.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault (INVALID).
	Field string
	// Reason is a finer, stable sub-code, e.g. FACE_VERIFICATION_REQUIRED
	// under FORBIDDEN or the failed rule under FAILED_PRECONDITION.
	Reason string
	// RetryAfter tells a RATE_LIMITED or UNAVAILABLE caller when to retry.
	RetryAfter time.Duration
	// Details are extra, safe key/values for the client (e.g. failed conditions).
	Details map[string]any
	// Err is the cause; never shown to clients.
	Err error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given code with a caller-safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap classifies cause under code with a caller-safe message.
func Wrap(cause error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// InvalidField returns an INVALID error naming the field at fault.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Precondition returns a FAILED_PRECONDITION error naming the failed rule.
func Precondition(reason, format string, args ...any) *Error {
	return &Error{Code: FailedPrecondition, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Stale returns the CONFLICT (reason STALE_VERSION) of a change to
// something that changed since the caller read it (optimistic locking, the
// version the caller saw is not the stored one); the message says what
// changed and asks to reload.
func Stale(format string, args ...any) *Error {
	return &Error{Code: Conflict, Reason: "STALE_VERSION", Message: fmt.Sprintf(format, args...)}
}

// WithReason sets the sub-code and returns e.
func (e *Error) WithReason(reason string) *Error { e.Reason = reason; return e }

// WithDetail adds a safe detail and returns e.
func (e *Error) WithDetail(key string, v any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = v
	return e
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the code of err: the code of the first *Error in its chain,
// INTERNAL for any other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
