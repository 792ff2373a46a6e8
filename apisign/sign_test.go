package apisign_test

import (
	"bytes"
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

	newReq := func() *http.Request {
		return httptest.NewRequest(http.MethodPost, "/api/v1/publications", bytes.NewReader(body))
	}
	tests := []struct {
		name    string
		prepare func() (*http.Request, []byte)
		want    error
	}{
		{"round trip", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			return r, body
		}, nil},
		{"timestamp inside window", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now.Add(-4*time.Minute))
			return r, body
		}, nil},
		{"tampered body", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			return r, []byte(`{"kind":"DISHONESTY"}`)
		}, apisign.ErrBadSignature},
		{"tampered path", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			r.URL.Path = "/api/v1/publications/x/withdrawal"
			return r, body
		}, apisign.ErrBadSignature},
		{"tampered method", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			r.Method = http.MethodPut
			return r, body
		}, apisign.ErrBadSignature},
		{"tampered nonce", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			r.Header.Set(apisign.HeaderNonce, "other-nonce")
			return r, body
		}, apisign.ErrBadSignature},
		{"wrong secret", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, "not-the-secret", now)
			return r, body
		}, apisign.ErrBadSignature},
		{"unknown key", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, "app-2", secret, now)
			return r, body
		}, apisign.ErrUnknownAppKey},
		{"stale timestamp", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now.Add(-6*time.Minute))
			return r, body
		}, apisign.ErrStaleTimestamp},
		{"future timestamp", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now.Add(6*time.Minute))
			return r, body
		}, apisign.ErrStaleTimestamp},
		{"missing nonce", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			r.Header.Del(apisign.HeaderNonce)
			return r, body
		}, apisign.ErrMissingSignature},
		{"non-numeric timestamp", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			r.Header.Set(apisign.HeaderTimestamp, "yesterday")
			return r, body
		}, apisign.ErrMissingSignature},
		{"signature not hex", func() (*http.Request, []byte) {
			r := newReq()
			apisign.SignRequest(r, body, key, secret, now)
			r.Header.Set(apisign.HeaderSignature, "zz")
			return r, body
		}, apisign.ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, b := tt.prepare()
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
