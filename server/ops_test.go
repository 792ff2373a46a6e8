package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
)

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadyMetrics(t *testing.T) {
	h := newHarness(t, testEnv(t))
	if code, _ := get(t, h.ts.URL+"/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, body := get(t, h.ts.URL+"/readyz"); code != 200 {
		t.Errorf("readyz %d %s", code, body)
	}
	h.gql("", `query Probe {me{id}}`, nil)
	code, body := h.metricsText()
	for _, want := range []string{`creditwater_graphql_operations_total{operation="me",outcome="error"} 1`, `creditwater_graphql_errors_total{code="UNAUTHENTICATED"}`, "creditwater_redis_pool_connections", "go_sql_open_connections"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("metrics lack %q in %s", want, body)
		}
	}
}

// Two instances on one database and Redis: a session made on one works on
// the other (no state in process memory).
func TestSessionSharedAcrossInstances(t *testing.T) {
	a, b := twoInstances(t)
	tok := a.staffToken("officer", "demo-officer-pass")
	var me struct{ Me struct{ Role string } }
	b.must(tok, `{me{role}}`, nil, &me)
	if me.Me.Role != "CREDIT_OFFICER" {
		t.Fatalf("instance B sees %+v", me)
	}
	b.must(tok, `mutation{logout{ok}}`, nil, nil)
	if r := a.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("logout on B not seen on A: %s", r.Raw)
	}
}

func getAuth(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
