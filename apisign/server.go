package apisign

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// ErrorBody is the JSON body of every non-2xx response of a signed API.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// The wire error codes every signed API shares. An API adds its own (for
// example SUBJECT_NOT_FOUND).
const (
	CodeInvalidRequest       = "INVALID_REQUEST"
	CodeMissingSignature     = "MISSING_SIGNATURE"
	CodeUnknownAppKey        = "UNKNOWN_APP_KEY"
	CodeTimestampOutOfWindow = "TIMESTAMP_OUT_OF_WINDOW"
	CodeBadSignature         = "BAD_SIGNATURE"
	CodeNonceReused          = "NONCE_REUSED"
	CodeRouteNotFound        = "ROUTE_NOT_FOUND"
	CodeRateLimited          = "RATE_LIMITED"
	CodeInternalError        = "INTERNAL_ERROR"
	CodeServiceUnavailable   = "SERVICE_UNAVAILABLE"
)

// WireCode returns the wire code a server answers (with HTTP 401) for an
// error of Verify or Verifier.Check; MISSING_SIGNATURE for any other error.
func WireCode(err error) string {
	switch {
	case errors.Is(err, ErrUnknownAppKey):
		return CodeUnknownAppKey
	case errors.Is(err, ErrStaleTimestamp):
		return CodeTimestampOutOfWindow
	case errors.Is(err, ErrBadSignature):
		return CodeBadSignature
	case errors.Is(err, ErrNonceReused):
		return CodeNonceReused
	}
	return CodeMissingSignature
}

// Verifier is the server side of the signature: it accepts requests signed
// with one app key and secret within a replay window and refuses a nonce it
// has already seen. It is safe for concurrent use.
type Verifier struct {
	key, secret string
	window      time.Duration

	mu     sync.Mutex
	nonces map[string]time.Time // app key + nonce → when it may be forgotten
}

// NewVerifier returns a Verifier for one credential pair; window ≤ 0 means
// DefaultWindow.
func NewVerifier(appKey, appSecret string, window time.Duration) *Verifier {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Verifier{key: appKey, secret: appSecret, window: window, nonces: map[string]time.Time{}}
}

// Check verifies r's signature over body (the exact bytes received) at now
// and remembers its nonce. It returns ErrMissingSignature, ErrUnknownAppKey,
// ErrStaleTimestamp, ErrBadSignature or ErrNonceReused.
func (v *Verifier) Check(r *http.Request, body []byte, now time.Time) (Signed, error) {
	signed, err := Verify(r, body, func(k string) (string, bool) { return v.secret, k == v.key }, now, v.window)
	if err != nil {
		return Signed{}, err
	}
	if !v.fresh(signed.AppKey+"\x00"+signed.Nonce, now) {
		return Signed{}, ErrNonceReused
	}
	return signed, nil
}

// fresh records a nonce for twice the window (a timestamp may be up to one
// window in the future) and reports whether it was new.
func (v *Verifier) fresh(nonce string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for n, until := range v.nonces {
		if now.After(until) {
			delete(v.nonces, n)
		}
	}
	if _, seen := v.nonces[nonce]; seen {
		return false
	}
	v.nonces[nonce] = now.Add(2 * v.window)
	return true
}

// Handler reads each request's body (at most maxBody bytes; 400
// INVALID_REQUEST beyond), checks its signature (401 with the WireCode when
// refused) and passes it to next with the body restored.
func (v *Verifier) Handler(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			WriteError(w, http.StatusBadRequest, CodeInvalidRequest, "body unreadable or too large")
			return
		}
		if _, err := v.Check(r, body, time.Now()); err != nil {
			WriteError(w, http.StatusUnauthorized, WireCode(err), "signature rejected")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// Resource finds what r's path value key names for a simulator: it answers
// 400 INVALID_REQUEST when valid refuses the value and 404 with the wire
// code notFound when find does not know it, and reports whether it found
// one.
func Resource[T any](w http.ResponseWriter, r *http.Request, key string, valid func(string) bool, find func(string) (T, bool), notFound string) (T, bool) {
	v := r.PathValue(key)
	if !valid(v) {
		WriteError(w, http.StatusBadRequest, CodeInvalidRequest, "malformed "+key)
		var zero T
		return zero, false
	}
	found, ok := find(v)
	if !ok {
		WriteError(w, http.StatusNotFound, notFound, "not found")
	}
	return found, ok
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError answers with status and an ErrorBody.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	WriteJSON(w, status, ErrorBody{Code: code, Message: msg})
}

// RouteNotFound answers 404 ROUTE_NOT_FOUND, as a signed API does for a
// path it does not serve; a simulator mounts it on "/".
func RouteNotFound(w http.ResponseWriter, _ *http.Request) {
	WriteError(w, http.StatusNotFound, CodeRouteNotFound, "no such endpoint")
}
