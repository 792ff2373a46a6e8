package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"creditwater/console"
)

// TestR8_2_ConsoleServedFromTheBinary: the staff console is served by the
// same binary under /console/, its page and assets come from this origin
// only (no CDN), its CSP allows same-origin scripts and GraphQL requests and
// nothing else, and the security headers of every response still apply.
func TestR8_2_ConsoleServedFromTheBinary(t *testing.T) {
	h := newHarness(t, testEnv(t))
	resp, page := h.fetch("/console/", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("console page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != console.CSP {
		t.Fatalf("console CSP = %q", got)
	}
	for _, want := range []string{"script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(console.CSP, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	if strings.Contains(console.CSP, "unsafe-inline") || strings.Contains(console.CSP, "http") {
		t.Errorf("CSP allows inline code or another host: %q", console.CSP)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("console page lacks the security headers: %v", resp.Header)
	}
	if !strings.Contains(page, `lang="zh-CN"`) {
		t.Errorf("console page is not marked Chinese")
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("console page loads no script or style: %s", page)
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/console/assets/") {
			t.Errorf("console page loads %q from outside its own assets", m[1])
			continue
		}
		r, body := h.fetch(m[1], nil)
		if r.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: %d", m[1], r.StatusCode)
		}
		if r.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: Cache-Control %q", m[1], r.Header.Get("Cache-Control"))
		}
	}
	for path, want := range map[string]int{"/console/assets/": http.StatusNotFound, "/console/nothing": http.StatusNotFound} {
		if r, _ := h.fetch(path, nil); r.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, r.StatusCode, want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/console", nil)
	r, err := h.ts.Client().Transport.RoundTrip(req)
	if err != nil || r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/console/" {
		t.Errorf("GET /console: %v %v", r, err)
	}
}
