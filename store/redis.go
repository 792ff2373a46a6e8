package store

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// OpenRedis connects to the Redis at rawURL (redis:// or rediss://) through a
// go-redis UniversalClient, or, when rawURL is empty, starts an in-process
// Redis (miniredis) so development runs the same code path. The returned
// function releases both.
func OpenRedis(ctx context.Context, rawURL string) (redis.UniversalClient, func(), error) {
	var stopEmbedded func()
	if rawURL == "" {
		var addr string
		var err error
		if addr, stopEmbedded, err = StartEmbeddedRedis(); err != nil {
			return nil, nil, err
		}
		rawURL = "redis://" + addr
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("store: CW_REDIS_URL is not a valid redis URL")
	}
	uopts := &redis.UniversalOptions{
		Addrs:        []string{opts.Addr},
		DB:           opts.DB,
		Username:     opts.Username,
		Password:     opts.Password,
		TLSConfig:    opts.TLSConfig,
		DialTimeout:  2 * time.Second,
		ReadTimeout:  2 * time.Second,
		WriteTimeout: 2 * time.Second,
		PoolSize:     64,
		MaxRetries:   1,
	}
	rdb := redis.NewUniversalClient(uopts)
	closeFn := func() {
		_ = rdb.Close()
		if stopEmbedded != nil {
			stopEmbedded()
		}
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		closeFn()
		return nil, nil, fmt.Errorf("store: redis not reachable: %w", err)
	}
	return rdb, closeFn, nil
}

// StartEmbeddedRedis starts an in-process Redis (miniredis) whose key TTLs
// run on the wall clock, like a real server's (miniredis only ages keys when
// told to, so a ticker tells it). It returns the address and a stop function.
func StartEmbeddedRedis() (string, func(), error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		return "", nil, fmt.Errorf("store: start embedded redis: %w", err)
	}
	done := make(chan struct{})
	go func() {
		const tick = 250 * time.Millisecond
		t := time.NewTicker(tick)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				mr.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	return mr.Addr(), func() { close(done); mr.Close() }, nil
}
