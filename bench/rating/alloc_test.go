package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"creditwater/bench/loadgen"
	"creditwater/config"
	"creditwater/creditplatform/simulator"
	"creditwater/rating"
	"creditwater/server"
	"creditwater/store"
)

// BenchmarkCachedRating serves the cached creditRating in-process (no
// network, no load generator) through the product's whole handler — a
// server.New built as `serve` builds it, staff session — and through the
// baseline handler of the load bench, so that -benchmem and -memprofile show
// what the product allocates per request beyond the baseline:
//
//	go test ./bench/rating -run '^$' -bench CachedRating -benchmem [-memprofile mem.out]
//
// Redis is CW_TEST_REDIS_URL, or an embedded one; the database the embedded
// SQLite (CW_TEST_DATABASE_URL when set).
func BenchmarkCachedRating(b *testing.B) {
	ctx := context.Background()
	redisURL := os.Getenv("CW_TEST_REDIS_URL")
	if redisURL == "" {
		addr, stopRedis, err := store.StartEmbeddedRedis()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(stopRedis)
		redisURL = "redis://" + addr
	}
	prefix := "cwbenchalloc:" + time.Now().Format("150405.000") + ":"
	environ := []string{"CW_ENV=development", "CW_DATA_DIR=" + b.TempDir(), "CW_REDIS_URL=" + redisURL,
		"CW_REDIS_PREFIX=" + prefix, "CW_PLAYGROUND=false", "CW_LOG_LEVEL=error"}
	if u := os.Getenv("CW_TEST_DATABASE_URL"); u != "" {
		environ = append(environ, "CW_DATABASE_URL="+u)
	}
	cfg, err := config.Load(environ)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	product := srv.Handler()
	ts := httptest.NewServer(product)
	token, err := loadgen.Token(ctx, ts.URL+"/graphql", loadgen.StaffLogin)
	ts.Close()
	if err != nil {
		b.Fatal(err)
	}

	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	b.Cleanup(func() { _ = rdb.Close() })
	key := prefix + "baseline"
	raw, _ := json.Marshal(rating.Rating{USCC: simulator.EnterpriseA, Level: rating.LevelA, EvaluatedAt: time.Now(), FetchedAt: time.Now()})
	if err := rdb.Set(ctx, key, raw, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	baseline := baselineHandler(rdb, key)

	text, _ := json.Marshal(map[string]any{"query": queryText})
	hash := sha256.Sum256([]byte(queryText))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(hash[:])}}
	register, _ := json.Marshal(map[string]any{"query": queryText, "extensions": ext})
	persisted, _ := json.Marshal(map[string]any{"extensions": ext})
	for _, tg := range []struct {
		name  string
		h     http.Handler
		token string
	}{{"baseline", baseline, ""}, {"product", product, token}} {
		if err := serveOnce(tg.h, tg.token, register); err != nil {
			b.Fatalf("%s: %v", tg.name, err)
		}
		for _, v := range []struct {
			name string
			body []byte
		}{{"text", text}, {"apq", persisted}} {
			b.Run(v.name+"/"+tg.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := serveOnce(tg.h, tg.token, v.body); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// serveOnce sends body to h as a loopback client would and checks the answer.
func serveOnce(h http.Handler, token string, body []byte) error {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.RemoteAddr = "127.0.0.1:40000"
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return check(w.Code, w.Body.Bytes())
}
