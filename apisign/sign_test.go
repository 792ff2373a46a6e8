package apisign_test

import (
	"bytes"
	"cmp"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"creditwater/apisign"
)

// TestSignKnownVectors pins the documented string-to-sign; the expected values
// were computed independently (Python hmac/hashlib).
func TestSignKnownVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                    string
		method, path, ts, nonce string
		body                    string
		want                    string
	}{
		{"post with body", "POST", "/api/v1/publications/p1/withdrawal", "1767225600", "abc123", `{"reason":"x"}`,
			"179c851c37c11ef38f6fca8a985025f278db12077ff5bc1582cf9397442b29aa"},
		{"get without body", "GET", "/api/v1/subjects/914403001922038216/rating", "1767225600", "n", "",
			"6288cecc67ad1fdca0e3a70b2d94906009e12f4ea42f46014b68a069bcd3442e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := apisign.Sign("secret", tt.method, tt.path, tt.ts, tt.nonce, []byte(tt.body)); got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestVerify covers the round trip and every rejection of a signed request.
func TestVerify(t *testing.T) {
	t.Parallel()
	const key, secret = "app-1", "s3cret"
	lookup := func(k string) (string, bool) { return secret, k == key }
	now := time.Unix(1767225600, 0)
	body := []byte(`{"kind":"COMMITMENT"}`)

	header := func(name, v string) func(*http.Request) {
		return func(r *http.Request) {
			if v == "" {
				r.Header.Del(name)
			} else {
				r.Header.Set(name, v)
			}
		}
	}
	// Each request is signed with key, secret and body at now unless the
	// case names another key, secret or clock skew; tamper then changes it,
	// and sent is the body that arrives (body when nil).
	tests := []struct {
		name        string
		key, secret string
		skew        time.Duration
		tamper      func(*http.Request)
		sent        []byte
		want        error
	}{
		{name: "round trip"},
		{name: "timestamp inside window", skew: -4 * time.Minute},
		{name: "tampered body", sent: []byte(`{"kind":"DISHONESTY"}`), want: apisign.ErrBadSignature},
		{name: "tampered path", tamper: func(r *http.Request) { r.URL.Path = "/api/v1/publications/x/withdrawal" }, want: apisign.ErrBadSignature},
		{name: "tampered method", tamper: func(r *http.Request) { r.Method = http.MethodPut }, want: apisign.ErrBadSignature},
		{name: "tampered nonce", tamper: header(apisign.HeaderNonce, "other-nonce"), want: apisign.ErrBadSignature},
		{name: "wrong secret", secret: "not-the-secret", want: apisign.ErrBadSignature},
		{name: "unknown key", key: "app-2", want: apisign.ErrUnknownAppKey},
		{name: "stale timestamp", skew: -6 * time.Minute, want: apisign.ErrStaleTimestamp},
		{name: "future timestamp", skew: 6 * time.Minute, want: apisign.ErrStaleTimestamp},
		{name: "missing nonce", tamper: header(apisign.HeaderNonce, ""), want: apisign.ErrMissingSignature},
		{name: "non-numeric timestamp", tamper: header(apisign.HeaderTimestamp, "yesterday"), want: apisign.ErrMissingSignature},
		{name: "signature not hex", tamper: header(apisign.HeaderSignature, "zz"), want: apisign.ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/api/v1/publications", bytes.NewReader(body))
			apisign.SignRequest(r, body, cmp.Or(tt.key, key), cmp.Or(tt.secret, secret), now.Add(tt.skew))
			if tt.tamper != nil {
				tt.tamper(r)
			}
			b := body
			if tt.sent != nil {
				b = tt.sent
			}
			signed, err := apisign.Verify(r, b, lookup, now, 0)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if tt.want == nil {
				if signed.AppKey != key || signed.Nonce != r.Header.Get(apisign.HeaderNonce) ||
					strconv.FormatInt(signed.Timestamp.Unix(), 10) != r.Header.Get(apisign.HeaderTimestamp) {
					t.Errorf("Signed = %+v does not describe the request", signed)
				}
			}
		})
	}
}

// TestSignRequestFreshNonce checks that two signatures never share a nonce,
// which the replay protection relies on.
func TestSignRequestFreshNonce(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/subjects/x/rating", nil)
		apisign.SignRequest(r, nil, "k", "s", time.Now())
		n := r.Header.Get(apisign.HeaderNonce)
		if n == "" || seen[n] {
			t.Fatalf("nonce %q empty or reused", n)
		}
		seen[n] = true
	}
}
