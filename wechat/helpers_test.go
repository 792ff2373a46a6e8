package wechat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"creditwater/apperr"
	"creditwater/wechat/fake"
)

// The tests of this package must not call t.Parallel: New swaps the SDK's
// global HTTP client (see the package doc).

const (
	testAppID  = "wxtest0000000001"
	testSecret = "s3cr3t-do-not-leak-7f1c"
)

// syncBuffer collects log output from concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is one test's world: a fake WeChat, a Redis and a Client on them.
type env struct {
	fake   *fake.Server
	mr     *miniredis.Miniredis
	rdb    *redis.Client
	prefix string
	logs   *syncBuffer
	cfg    Config
	client *Client
}

// fakeAndRedis starts a fake WeChat that knows appID and secret, and a
// miniredis with a client on it; all stop when the test ends.
func fakeAndRedis(t *testing.T, appID, secret string) (*fake.Server, *miniredis.Miniredis, *redis.Client) {
	t.Helper()
	f := fake.New()
	t.Cleanup(f.Close)
	f.SetCredentials(appID, secret)
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	return f, mr, rdb
}

func newEnv(t *testing.T, mods ...func(*Config)) *env {
	t.Helper()
	f, mr, rdb := fakeAndRedis(t, testAppID, testSecret)
	e := &env{
		fake:   f,
		mr:     mr,
		rdb:    rdb,
		prefix: randomPrefix(),
		logs:   &syncBuffer{},
		cfg:    Config{AppID: testAppID, AppSecret: testSecret, Timeout: 5 * time.Second, BaseURL: f.URL()},
	}
	for _, m := range mods {
		m(&e.cfg)
	}
	e.client = e.newClient(t, e.prefix)
	return e
}

// newEnvSetup is newEnv followed by setup (nil: none), for table tests.
func newEnvSetup(t *testing.T, setup func(*testing.T, *env)) *env {
	t.Helper()
	e := newEnv(t)
	if setup != nil {
		setup(t, e)
	}
	return e
}

// newClient builds another Client on the env's fake and Redis.
func (e *env) newClient(t *testing.T, prefix string) *Client {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(e.cfg, NewTokenCache(e.rdb, prefix), logger)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func randomPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test:" + hex.EncodeToString(b) + ":"
}

// wantCode fails unless err is an *apperr.Error of code (nil for no error).
func wantCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return nil
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want *apperr.Error %s", err, err, code)
	}
	if ae.Code != code {
		t.Fatalf("code = %s (%v), want %s", ae.Code, err, code)
	}
	return ae
}

// wantFieldError checks a constructor's error: INVALID naming field when
// field is not "" (it then reports true: there is nothing more to check),
// none otherwise.
func wantFieldError(t *testing.T, err error, field string) bool {
	t.Helper()
	if field == "" {
		wantCode(t, err, "")
		return false
	}
	if ae := wantCode(t, err, apperr.Invalid); ae.Field != field {
		t.Errorf("field = %q, want %q", ae.Field, field)
	}
	return true
}

func ctx(t *testing.T) context.Context { return t.Context() }
