package server

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/unrolled/secure"
)

// The precomputed sets are exactly what unrolled/secure sets with the same
// options, for plain and HTTPS requests (TLS here or at the load balancer).
func TestSecurityHeadersMatchTheLibrary(t *testing.T) {
	sec := secure.New(securityOptions)
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	ours := withSecurityHeaders(noop)
	for name, r := range map[string]*http.Request{
		"plain": httptest.NewRequest(http.MethodPost, "/graphql", nil),
		"TLS": func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/x", nil)
			r.TLS = &tls.ConnectionState{}
			return r
		}(),
		"forwarded": func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("X-Forwarded-Proto", "https")
			return r
		}(),
		"http-proxy": func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("X-Forwarded-Proto", "http")
			return r
		}(),
	} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		sec.Handler(noop).ServeHTTP(want, r)
		want.Header().Set("Cache-Control", "no-store")
		ours.ServeHTTP(got, r)
		if len(got.Header()) != len(want.Header()) {
			t.Errorf("%s: %d headers, want %d: %v vs %v", name, len(got.Header()), len(want.Header()), got.Header(), want.Header())
		}
		for k := range want.Header() {
			if got.Header().Get(k) != want.Header().Get(k) {
				t.Errorf("%s: %s = %q, want %q", name, k, got.Header().Get(k), want.Header().Get(k))
			}
		}
		if (name == "TLS" || name == "forwarded") != (got.Header().Get("Strict-Transport-Security") != "") {
			t.Errorf("%s: HSTS %q", name, got.Header().Get("Strict-Transport-Security"))
		}
	}
}

// A handler that adds to or replaces a security header changes its own
// response only, never the shared set the next response starts from.
func TestSecurityHeadersSharedSetIsNotWritten(t *testing.T) {
	h := withSecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/add" {
			w.Header().Add("Cache-Control", "private")
			w.Header().Add("Permissions-Policy", "x=()")
		} else if r.URL.Path == "/set" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
	}))
	for _, p := range []string{"/add", "/set", "/add"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if got := w.Header().Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Errorf("Cache-Control after other responses = %q, want [no-store]", got)
	}
	if got := w.Header().Values("Permissions-Policy"); len(got) != 1 {
		t.Errorf("Permissions-Policy after other responses = %q", got)
	}
}
