package apisign

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// The signing headers.
const (
	HeaderAppKey    = "X-App-Key"
	HeaderTimestamp = "X-Timestamp"
	HeaderNonce     = "X-Nonce"
	HeaderSignature = "X-Signature"
)

// DefaultWindow is how far a request's timestamp may be from the verifier's
// clock, and how long a verifier must remember nonces.
const DefaultWindow = 5 * time.Minute

// MaxNonceLen bounds X-Nonce (and idempotency keys, which follow the same
// rule) in bytes.
const MaxNonceLen = 128

// The errors of Verify and Verifier.Check. Each has a wire code (WireCode)
// that a server answers with HTTP 401.
var (
	ErrMissingSignature = errors.New("apisign: missing or malformed signing header")
	ErrUnknownAppKey    = errors.New("apisign: unknown app key")
	ErrStaleTimestamp   = errors.New("apisign: timestamp outside the replay window")
	ErrBadSignature     = errors.New("apisign: signature mismatch")
	ErrNonceReused      = errors.New("apisign: nonce already used within the window")
)

// Signed describes a request whose signature Verify accepted. A verifier
// must reject a second request with the same AppKey and Nonce within the
// window (Verifier does).
type Signed struct {
	AppKey    string
	Nonce     string
	Timestamp time.Time
}

// Sign returns the lowercase hex HMAC-SHA256 signature of a request under
// secret: over method, the escaped path, the timestamp (decimal Unix seconds
// as sent in X-Timestamp), the nonce and the hex SHA-256 of body, joined by
// newlines.
func Sign(secret, method, path, timestamp, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(mac.Sum(nil))
}

// SignRequest sets the signing headers of r for body (the exact bytes r
// sends) with a fresh random nonce and now as the timestamp.
func SignRequest(r *http.Request, body []byte, appKey, appSecret string, now time.Time) {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	nonce := hex.EncodeToString(b[:])
	ts := strconv.FormatInt(now.Unix(), 10)
	r.Header.Set(HeaderAppKey, appKey)
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderNonce, nonce)
	r.Header.Set(HeaderSignature, Sign(appSecret, r.Method, r.URL.EscapedPath(), ts, nonce, body))
}

// Verify checks the signing headers of r against body (the exact bytes
// received). secret looks up an app key's secret. The timestamp must be
// within window of now (DefaultWindow when window ≤ 0). Verify does not
// remember nonces: the caller must reject a reused Signed.Nonce (Verifier
// does both).
//
// It returns ErrMissingSignature, ErrUnknownAppKey, ErrStaleTimestamp or
// ErrBadSignature.
func Verify(r *http.Request, body []byte, secret func(appKey string) (string, bool), now time.Time, window time.Duration) (Signed, error) {
	if window <= 0 {
		window = DefaultWindow
	}
	key := r.Header.Get(HeaderAppKey)
	ts := r.Header.Get(HeaderTimestamp)
	nonce := r.Header.Get(HeaderNonce)
	sig := r.Header.Get(HeaderSignature)
	if key == "" || ts == "" || sig == "" || !ValidNonce(nonce) {
		return Signed{}, ErrMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return Signed{}, ErrMissingSignature
	}
	want, err := hex.DecodeString(sig)
	if err != nil || len(want) != sha256.Size {
		return Signed{}, ErrMissingSignature
	}
	appSecret, ok := secret(key)
	if !ok {
		return Signed{}, ErrUnknownAppKey
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > window || d < -window {
		return Signed{}, ErrStaleTimestamp
	}
	got, _ := hex.DecodeString(Sign(appSecret, r.Method, r.URL.EscapedPath(), ts, nonce, body))
	if !hmac.Equal(got, want) {
		return Signed{}, ErrBadSignature
	}
	return Signed{AppKey: key, Nonce: nonce, Timestamp: at}, nil
}

// ValidNonce reports whether s is 1 to MaxNonceLen printable ASCII
// characters, the rule of X-Nonce and of idempotency keys.
func ValidNonce(s string) bool {
	if s == "" || len(s) > MaxNonceLen {
		return false
	}
	for i := range len(s) {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
