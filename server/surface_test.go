package server_test

import (
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// metricsText fetches /metrics from the server's metrics handler (the
// metrics listener's handler).
func (h *harness) metricsText() (int, string) {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Code, rec.Body.String()
}

// fetch GETs path from the test server with extra headers.
func (h *harness) fetch(path string, header map[string]string) (*http.Response, string) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+path, nil)
	resp, body := h.do(req, header)
	return resp, string(body)
}

// fileLog returns a logger at INFO (access logs included) writing to a file,
// and a function reading what it wrote so far.
func fileLog(t *testing.T) (*slog.Logger, func() string) {
	f, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo})), func() string {
		b, _ := os.ReadFile(f.Name())
		return string(b)
	}
}

// Every response carries the security headers: API answers and errors,
// the GraphiQL page and its assets, plain errors and the mux's 404.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h := newHarness(t, testEnv(t))
	check := func(what string, hdr http.Header) {
		t.Helper()
		csp := hdr.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", what, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP %q allows inline code, eval or another host", what, csp)
		}
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
			"X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Resource-Policy": "same-origin"} {
			if got := hdr.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", what, name, got, want)
			}
		}
		if hdr.Get("Permissions-Policy") == "" || hdr.Get("X-Request-ID") == "" {
			t.Errorf("%s: no Permissions-Policy or X-Request-ID", what)
		}
	}
	check("query", h.send(http.MethodPost, jsonMT, "", "", []byte(`{"query":"{__typename}"}`), nil).header)
	check("GraphQL error", h.send(http.MethodPost, jsonMT, grMT, "", []byte(`{"query":"{"}`), nil).header)
	check("transport error", h.send(http.MethodPost, "text/plain", "", "", []byte(`x`), nil).header)
	resp, page := h.fetch("/", nil)
	check("GraphiQL page", resp.Header)
	m := regexp.MustCompile(`src="(/graphiql/[^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no script in the page: %s", page)
	}
	resp, _ = h.fetch(m[1], nil)
	check("GraphiQL asset", resp.Header)
	resp, _ = h.fetch("/no/such/page", nil)
	check("404", resp.Header)
	resp, _ = h.fetch("/evidence/no-such-file", nil)
	check("download error", resp.Header)
	resp, _ = h.fetch("/commitments/no-such.html", nil)
	check("document error", resp.Header)
	resp, _ = h.fetch("/healthz", nil)
	check("healthz", resp.Header)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("API responses may be cached: %q", resp.Header.Get("Cache-Control"))
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS over plain HTTP: %q", hsts)
	}
	resp, _ = h.fetch("/healthz", map[string]string{"X-Forwarded-Proto": "https"})
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS behind a TLS load balancer")
	}
}

// R7.3: a client's X-Request-ID is kept only when it matches the strict
// charset; anything else is replaced, and never echoed or logged.
func TestRequestIDValidated_R7_3(t *testing.T) {
	logger, logs := fileLog(t)
	h := newHarnessLog(t, testEnv(t), logger)
	good := "req-20261201.abc_DEF"
	resp, _ := h.fetch("/healthz", map[string]string{"X-Request-ID": good})
	if resp.Header.Get("X-Request-ID") != good {
		t.Errorf("a valid request ID was replaced: %q", resp.Header.Get("X-Request-ID"))
	}
	x := h.send(http.MethodPost, jsonMT, "", "", []byte(`{"query":"{me{id}}"}`), map[string]string{"X-Request-ID": good})
	if x.ext("requestId") != good {
		t.Errorf("error extensions requestId %q, want %q", x.ext("requestId"), good)
	}
	for _, bad := range []string{"<script>alert(1)</script>", "short", strings.Repeat("a", 65), "has space here", "semi;colon;value", "ünïcode-value", "line\tbreak-tab"} {
		x := h.send(http.MethodPost, jsonMT, "", "", []byte(`{"query":"{me{id}}"}`), map[string]string{"X-Request-ID": bad})
		got := x.header.Get("X-Request-ID")
		if got == bad || !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(got) || strings.Contains(x.raw, bad) {
			t.Errorf("request ID %q: answered with %q, body %s", bad, got, x.raw)
		}
		if x.ext("requestId") != got {
			t.Errorf("request ID %q: error names %q, header %q", bad, x.ext("requestId"), got)
		}
	}
	if strings.Contains(logs(), "script") || strings.Contains(logs(), "semi;colon") {
		t.Errorf("a rejected request ID was logged: %s", logs())
	}
	if !strings.Contains(logs(), `"request_id":"`+good+`"`) {
		t.Errorf("the valid request ID is not in the access log")
	}
}

// R7.1: the client IP (used by the per-IP login limits and logs) comes from
// the connection, and from X-Forwarded-For only when the connection is from
// a trusted proxy: then the right-most address that is not a trusted proxy.
func TestClientIPFromTrustedProxiesOnly_R7_1(t *testing.T) {
	clientIP := func(logs func() string, id string) string {
		for line := range strings.SplitSeq(logs(), "\n") {
			var entry struct {
				Msg       string `json:"msg"`
				RequestID string `json:"request_id"`
				ClientIP  string `json:"client_ip"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "request" && entry.RequestID == id {
				return entry.ClientIP
			}
		}
		t.Fatalf("no access log for %s in %s", id, logs())
		return ""
	}
	for _, tc := range []struct {
		name, trusted, xff, want string
	}{
		{"no trusted proxy: XFF ignored", "", "203.0.113.9", "127.0.0.1"},
		{"untrusted peer: XFF ignored", "10.0.0.0/8", "203.0.113.9", "127.0.0.1"},
		{"trusted peer: client from XFF", "127.0.0.1", "203.0.113.9", "203.0.113.9"},
		{"spoofed left entries skipped", "127.0.0.0/8, 10.0.0.0/8", "1.1.1.1, 198.51.100.7, 10.1.2.3", "198.51.100.7"},
		{"trusted peer, no XFF", "127.0.0.1", "", "127.0.0.1"},
		{"trusted peer, only proxies in XFF", "127.0.0.1,10.0.0.0/8", "10.0.0.5", "127.0.0.1"},
		{"IPv6 client", "127.0.0.1", "2001:db8::1", "2001:db8::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := fileLog(t)
			env := testEnv(t)
			env["CW_TRUSTED_PROXIES"] = tc.trusted
			h := newHarnessLog(t, env, logger)
			id := "client-ip-" + randHex(6)
			hdr := map[string]string{"X-Request-ID": id}
			if tc.xff != "" {
				hdr["X-Forwarded-For"] = tc.xff
			}
			h.fetch("/healthz", hdr)
			if got := clientIP(logs, id); got != tc.want {
				t.Errorf("client IP %q, want %q", got, tc.want)
			}
		})
	}
}

// /metrics is not on the public handler, and operation labels come from the
// schema: 150 requests with random operation names (and random unknown
// fields) add no series.
func TestMetricsPrivateAndBounded(t *testing.T) {
	h := newHarness(t, testEnv(t))
	if resp, _ := h.fetch("/metrics", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /metrics on the public handler: %d", resp.StatusCode)
	}
	series := func() int {
		code, body := h.metricsText()
		if code != http.StatusOK {
			t.Fatalf("metrics handler: %d", code)
		}
		n := 0
		for line := range strings.SplitSeq(body, "\n") {
			if strings.HasPrefix(line, "creditwater_graphql_") {
				n++
			}
		}
		return n
	}
	shapes := []func(name string) string{
		func(name string) string { return "query " + name + " { __typename }" },
		func(name string) string { return "query " + name + " { me { id } }" },
		func(name string) string { return "query " + name + " { f" + randHex(4) + " }" },
		func(name string) string { return "query " + name + " { a: me { id } b: __typename }" },
	}
	run := func(name string, i int) {
		if r := h.gql("", shapes[i%len(shapes)](name), nil); len(r.Errors) == 0 && i%len(shapes) != 0 {
			t.Fatalf("expected an error: %s", r.Raw)
		}
	}
	for i := range shapes {
		run("Warm", i)
	}
	before := series()
	for i := range 150 {
		run("Op"+randHex(8), i)
	}
	if after := series(); after != before {
		_, body := h.metricsText()
		t.Fatalf("series %d → %d after random operation names:\n%s", before, after, body)
	}
	_, body := h.metricsText()
	for _, want := range []string{`operation="me",outcome="error"`, `operation="introspection",outcome="ok"`, `operation="invalid",outcome="error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, `operation="Op`) || strings.Contains(body, `operation="Warm"`) {
		t.Errorf("a client's operation name became a label")
	}
}

// Run serves the API and /metrics on separate listeners and stops both on
// cancellation (graceful shutdown); CW_METRICS_ADDR empty turns metrics off.
func TestRunServesMetricsOnItsOwnListener(t *testing.T) {
	free := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	api, metricsAddr := free(), free()
	env := testEnv(t)
	env["CW_HTTP_ADDR"], env["CW_METRICS_ADDR"], env["CW_JOBS_ENABLED"] = api, metricsAddr, "false"
	_, srv := newServer(t, env, slog.New(slog.NewJSONHandler(logSink, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	status := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; status("http://"+api+"/readyz") != http.StatusOK; i++ {
		if i == 100 {
			t.Fatal("the API listener did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := status("http://" + metricsAddr + "/metrics"); got != http.StatusOK {
		t.Errorf("metrics listener: %d", got)
	}
	if got := status("http://" + api + "/metrics"); got != http.StatusNotFound {
		t.Errorf("/metrics on the API listener: %d", got)
	}
	if got := status("http://" + metricsAddr + "/graphql"); got != http.StatusNotFound {
		t.Errorf("the API on the metrics listener: %d", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after cancellation")
	}
	if got := status("http://" + metricsAddr + "/metrics"); got != 0 {
		t.Errorf("metrics listener still answers after shutdown: %d", got)
	}
}

// The GraphiQL page and every asset it references come from this server:
// no URL of another host in the page, none in the stylesheets, no CDN in the
// scripts, a CSP that allows only this server, and a per-request nonce.
func TestGraphiQLServedOffline(t *testing.T) {
	h := newHarness(t, testEnv(t))
	resp, page := h.fetch("/", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if regexp.MustCompile(`(?i)https?:|//[a-z0-9.-]+\.[a-z]{2,}/`).MatchString(page) {
		t.Errorf("the page names another host:\n%s", page)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	nonce := regexp.MustCompile(`nonce="([^"]+)"`).FindStringSubmatch(page)
	if nonce == nil || !strings.Contains(csp, "'nonce-"+html.UnescapeString(nonce[1])+"'") || !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("CSP %q does not match the page's nonce %v", csp, nonce)
	}
	if _, again := h.fetch("/", nil); strings.Contains(again, `nonce="`+nonce[1]+`"`) {
		t.Errorf("the nonce is reused across requests")
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "<style") || strings.Contains(page, "style=") {
		t.Errorf("the page has inline script or style")
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	assets := 0
	for _, m := range refs {
		ref := m[1]
		if strings.HasPrefix(ref, "data:") {
			continue
		}
		assets++
		if !strings.HasPrefix(ref, "/graphiql/") {
			t.Errorf("asset %q is not served by us", ref)
			continue
		}
		resp, body := h.fetch(ref, nil)
		if resp.StatusCode != http.StatusOK || len(body) == 0 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("asset %s: %d, %d bytes, Cache-Control %q", ref, resp.StatusCode, len(body), resp.Header.Get("Cache-Control"))
		}
		if strings.HasSuffix(ref, ".css") && regexp.MustCompile(`(?i)@import|url\(\s*['"]?(https?:)?//`).MatchString(body) {
			t.Errorf("stylesheet %s loads from another host", ref)
		}
		if cdn := cdnURL.FindString(body); cdn != "" {
			t.Errorf("asset %s loads from the CDN %s", ref, cdn)
		}
	}
	if assets < 5 {
		t.Errorf("the page references %d assets: %s", assets, page)
	}
	if resp, _ := h.fetch("/graphiql/", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("directory listing: %d", resp.StatusCode)
	}
}

// cdnURL matches a URL of the public CDNs GraphiQL is usually loaded from.
var cdnURL = regexp.MustCompile(`(?i)(https?:)?//(cdn\.jsdelivr\.net|unpkg\.com|esm\.sh|cdnjs\.cloudflare\.com|fonts\.(googleapis|gstatic)\.com)`)

// The playground is only served when CW_PLAYGROUND is on (never in
// production, where config refuses it).
func TestGraphiQLOffWhenPlaygroundOff(t *testing.T) {
	env := testEnv(t)
	env["CW_PLAYGROUND"] = "false"
	h := newHarness(t, env)
	for _, path := range []string{"/", "/graphiql/x/init.js"} {
		if resp, _ := h.fetch(path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s with the playground off: %d", path, resp.StatusCode)
		}
	}
}

// Go's profiler is on the private metrics listener only when CW_PPROF is
// set, and never on the public one.
func TestPprofOnlyOnTheMetricsListenerWhenAsked(t *testing.T) {
	for _, on := range []bool{false, true} {
		env := testEnv(t)
		if on {
			env["CW_PPROF"] = "true"
		}
		h := newHarness(t, env)
		rec := httptest.NewRecorder()
		h.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil))
		if (rec.Code == http.StatusOK) != on {
			t.Errorf("CW_PPROF=%v: metrics listener /debug/pprof/ answered %d", on, rec.Code)
		}
		if resp, _ := h.fetch("/debug/pprof/", nil); resp.StatusCode == http.StatusOK {
			t.Errorf("CW_PPROF=%v: the public listener serves /debug/pprof/", on)
		}
	}
}
