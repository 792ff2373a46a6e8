package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"creditwater/creditplatform/simulator"
	"creditwater/reqctx"
)

// redisCounter counts the Redis round trips (a command or a pipeline) made
// for requests with one request ID.
type redisCounter struct {
	id string
	n  atomic.Int64
}

func (c *redisCounter) count(ctx context.Context) {
	if id := c.id; id != "" && reqctx.RequestID(ctx) == id {
		c.n.Add(1)
	}
}

func (c *redisCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *redisCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.count(ctx); return next(ctx, cmd) }
}

func (c *redisCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.count(ctx); return next(ctx, cmds) }
}

// Issue 14: a cached creditRating with a staff session costs one Redis
// round trip (the session's GETEX): the user's state, the rating
// (CW_LOCAL_RATING_TTL) and a persisted query are served from memory once
// read.
func TestCachedRatingOneRedisRoundTrip(t *testing.T) {
	h := newHarness(t, testEnv(t))
	c := &redisCounter{}
	h.srv.Redis().AddHook(c)
	staff := h.staffToken("staff", "demo-staff-pass")
	query := `query Rating { creditRating(uscc: "` + simulator.EnterpriseA + `") { uscc rating stale } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	text, _ := json.Marshal(map[string]any{"query": query})
	register, _ := json.Marshal(map[string]any{"query": query, "extensions": ext})
	persisted, _ := json.Marshal(map[string]any{"extensions": ext})
	for _, tc := range []struct {
		name       string
		warm, body []byte
	}{{"query text", text, text}, {"persisted query", register, persisted}} {
		name, body := tc.name, tc.body
		for _, b := range [][]byte{tc.warm, body} { // fills the caches
			if r := h.post(staff, b, nil); len(r.Errors) > 0 {
				t.Fatalf("%s: %s", name, r.Raw)
			}
		}
		c.id = "roundtrip-" + randHex(8)
		c.n.Store(0)
		r := h.post(staff, body, map[string]string{"X-Request-ID": c.id})
		c.id = ""
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %s", name, r.Raw)
		}
		if n := c.n.Load(); n != 1 {
			t.Errorf("%s: %d Redis round trips for a cached rating, want 1 (the session)", name, n)
		}
	}
}
