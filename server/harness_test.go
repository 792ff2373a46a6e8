package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"creditwater/config"
	"creditwater/creditplatform/simulator"
	"creditwater/server"
	"creditwater/store/storetest"
)

// harness runs the real server (real HTTP handler, fake WeChat) on a fresh
// database and Redis prefix. Server tests are not parallel: the WeChat SDK
// sends through a package-global HTTP client that each server points at its
// own fake.
type harness struct {
	t   *testing.T
	cfg config.Config
	srv *server.Server
	ts  *httptest.Server
	// logs records what the server logged at WARN and above.
	logs *levelLog
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Raw    string
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	s, _ := r.Errors[0].Extensions["code"].(string)
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testEnv is the environment of a test server; shared lets two servers use
// one database and Redis.
// With CW_TEST_REPLICA_URL the database's replica is configured too, kept
// in step with the primary (storetest.SyncReplicas) unless the env sets
// CW_TEST_REPLICA_LAG.
func testEnv(t *testing.T) map[string]string {
	rc := storetest.RedisConfig(t)
	db := storetest.DatabaseURL(t)
	return map[string]string{
		"CW_ENV":                   "test",
		"CW_DATA_DIR":              t.TempDir(),
		"CW_DATABASE_URL":          db,
		"CW_DATABASE_REPLICA_URLS": storetest.ReplicaURL(t, db),
		"CW_REDIS_URL":             rc.URL,
		"CW_REDIS_MODE":            rc.Mode,
		"CW_REDIS_PREFIX":          "cwt:" + randHex(6) + ":",
		"CW_LOG_LEVEL":             "error",
	}
}

func newHarness(t *testing.T, env map[string]string) *harness {
	t.Helper()
	return newHarnessLog(t, env, slog.New(slog.NewJSONHandler(logSink, &slog.HandlerOptions{Level: slog.LevelError})))
}

// newHarnessLog is newHarness with the server logging to logger (and to
// the harness's record of WARN and ERROR lines).
func newHarnessLog(t *testing.T, env map[string]string, logger *slog.Logger) *harness {
	t.Helper()
	logs := &levelLog{}
	cfg, srv := newServer(t, env, slog.New(slog.NewMultiHandler(logger.Handler(), logs)))
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &harness{t: t, cfg: cfg, srv: srv, ts: ts, logs: logs}
}

// newServer builds a server from env (closed when the test ends).
func newServer(t *testing.T, env map[string]string, logger *slog.Logger) (config.Config, *server.Server) {
	t.Helper()
	cfg := loadConfig(t, env)
	srv, err := server.New(context.Background(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if r := env["CW_DATABASE_REPLICA_URLS"]; r != "" && env["CW_DATABASE_URL"] != "" {
		// The migrations and demo data reach the replica before the test reads.
		storetest.CatchUp(t, env["CW_DATABASE_URL"], r)
		if env["CW_TEST_REPLICA_LAG"] == "" {
			storetest.SyncReplicas(t, srv.DB())
		}
	}
	return cfg, srv
}

// loadConfig builds the configuration of env as the process would.
func loadConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	var environ []string
	for k, v := range env {
		if v != "" {
			environ = append(environ, k+"="+v)
		}
	}
	cfg, err := config.Load(environ)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testLogger logs errors to logSink.
func testLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(logSink, &slog.HandlerOptions{Level: slog.LevelError}))
}

// attach serves srv, built by the test, over HTTP and closes both at the
// test's end.
func attach(t *testing.T, cfg config.Config, srv *server.Server) *harness {
	t.Helper()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return &harness{t: t, cfg: cfg, srv: srv, ts: ts, logs: &levelLog{}}
}

// externalPlatform starts a credit-platform simulator the test controls
// (faults, publications) and points env's servers at it; servers sharing
// env share it, as instances share the real platform.
func externalPlatform(t *testing.T, env map[string]string) *simulator.Simulator {
	t.Helper()
	sim := simulator.New(simulator.Options{})
	env["CW_CREDIT_PLATFORM_URL"] = sim.Start()
	t.Cleanup(sim.Close)
	env["CW_CREDIT_PLATFORM_KEY"] = simulator.DefaultAppKey
	env["CW_CREDIT_PLATFORM_SECRET"] = simulator.DefaultAppSecret
	return sim
}

func (h *harness) post(token string, body []byte, header map[string]string) gqlResponse {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, raw := h.do(req, header)
	return h.decode(resp.StatusCode, raw)
}

// decode reads a GraphQL response body.
func (h *harness) decode(status int, raw []byte) gqlResponse {
	h.t.Helper()
	out := gqlResponse{Status: status, Raw: string(raw)}
	if err := json.Unmarshal(raw, &out); err != nil {
		h.t.Fatalf("response is not JSON (%d): %s", status, raw)
	}
	return out
}

// do sends req to the test server with the extra headers and returns the
// response with its whole body (closed).
func (h *harness) do(req *http.Request, header map[string]string) (*http.Response, []byte) {
	h.t.Helper()
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// gql runs a GraphQL operation as the holder of token ("" = anonymous).
func (h *harness) gql(token, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return h.post(token, body, nil)
}

// drain runs the outbox of h a few times.
func (h *harness) drain() {
	h.t.Helper()
	for range 3 {
		if _, err := h.srv.Outbox().RunOnce(context.Background()); err != nil {
			h.t.Fatal(err)
		}
	}
}

// must runs an operation that must succeed and decodes its data into out.
func (h *harness) must(token, query string, vars map[string]any, out any) {
	h.t.Helper()
	r := h.gql(token, query, vars)
	if len(r.Errors) > 0 {
		h.t.Fatalf("unexpected errors: %s", r.Raw)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			h.t.Fatal(err)
		}
	}
}

const loginStaff = `mutation($u:String!,$p:String!){staffLogin(input:{username:$u,password:$p}){token user{id role}}}`
const loginWeChat = `mutation($c:String!){wechatLogin(input:{code:$c}){token newUser user{id role}}}`

func (h *harness) staffToken(username, password string) string {
	h.t.Helper()
	var out struct {
		StaffLogin struct{ Token string } `json:"staffLogin"`
	}
	h.must("", loginStaff, map[string]any{"u": username, "p": password}, &out)
	return out.StaffLogin.Token
}

func (h *harness) wechatToken(code string) string {
	h.t.Helper()
	var out struct {
		WechatLogin struct{ Token string } `json:"wechatLogin"`
	}
	h.must("", loginWeChat, map[string]any{"c": code}, &out)
	return out.WechatLogin.Token
}

// logSink receives the servers' error logs: set CW_TEST_LOG=1 to see them.
var logSink = func() io.Writer {
	if os.Getenv("CW_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}()

// getStatus GETs path with the token ("" = anonymous) and returns the
// status code.
func (h *harness) getStatus(token, path string) int {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
