package apisign_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"creditwater/apisign"
)

// A Verifier accepts a signed request once: the same nonce again is
// refused within the window, whatever the path.
func TestVerifierRefusesReplay(t *testing.T) {
	t.Parallel()
	v := apisign.NewVerifier("k", "s", time.Minute)
	now := time.Unix(1767225600, 0)
	first := httptest.NewRequest(http.MethodGet, "/a", nil)
	apisign.SignRequest(first, nil, "k", "s", now)
	if _, err := v.Check(first, nil, now); err != nil {
		t.Fatalf("first request: %v", err)
	}
	again := httptest.NewRequest(http.MethodGet, "/a", nil)
	again.Header = first.Header.Clone()
	if _, err := v.Check(again, nil, now.Add(30*time.Second)); !errors.Is(err, apisign.ErrNonceReused) {
		t.Fatalf("replay: %v, want ErrNonceReused", err)
	}
	fresh := httptest.NewRequest(http.MethodGet, "/a", nil)
	apisign.SignRequest(fresh, nil, "k", "s", now)
	if _, err := v.Check(fresh, nil, now.Add(30*time.Second)); err != nil {
		t.Fatalf("a fresh nonce: %v", err)
	}
}

// Each refusal has its documented wire code.
func TestWireCode(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{
		apisign.ErrMissingSignature: "MISSING_SIGNATURE",
		apisign.ErrUnknownAppKey:    "UNKNOWN_APP_KEY",
		apisign.ErrStaleTimestamp:   "TIMESTAMP_OUT_OF_WINDOW",
		apisign.ErrBadSignature:     "BAD_SIGNATURE",
		apisign.ErrNonceReused:      "NONCE_REUSED",
		errors.New("other"):         "MISSING_SIGNATURE",
	} {
		if got := apisign.WireCode(err); got != want {
			t.Errorf("WireCode(%v) = %s, want %s", err, got, want)
		}
	}
}

// The handler refuses an oversized body with 400 before checking anything
// and passes a signed request on with its body intact.
func TestVerifierHandler(t *testing.T) {
	t.Parallel()
	var got string
	h := apisign.NewVerifier("k", "s", 0).Handler(16, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
	}))
	for body, want := range map[string]int{`{"a":1}`: http.StatusOK, strings.Repeat("x", 17): http.StatusBadRequest} {
		r := httptest.NewRequest(http.MethodPost, "/p", strings.NewReader(body))
		apisign.SignRequest(r, []byte(body), "k", "s", time.Now())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != want {
			t.Errorf("body of %d bytes: status %d, want %d", len(body), rec.Code, want)
		}
	}
	if got != `{"a":1}` {
		t.Errorf("next saw body %q", got)
	}
}

// A LocalServer starts once, serves its handler over real HTTP, and stops.
func TestLocalServer(t *testing.T) {
	t.Parallel()
	l := apisign.NewLocalServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		apisign.WriteJSON(w, http.StatusTeapot, apisign.ErrorBody{Code: "TEA"})
	}))
	url := l.Start()
	if again := l.Start(); again != url {
		t.Errorf("second Start = %s, want %s", again, url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || !strings.Contains(string(body), `"code":"TEA"`) {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
	l.Close()
	l.Close() // harmless
	if _, err := http.Get(url); err == nil {
		t.Error("the server still answers after Close")
	}
}
