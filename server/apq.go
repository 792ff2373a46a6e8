package server

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// apqCache stores automatic persisted queries in Redis, so every instance
// knows a query registered on any of them.
type apqCache struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

func (c apqCache) Get(ctx context.Context, key string) (string, bool) {
	s, err := c.rdb.Get(ctx, c.prefix+"apq:"+key).Result()
	return s, err == nil
}

func (c apqCache) Add(ctx context.Context, key, value string) {
	_ = c.rdb.Set(ctx, c.prefix+"apq:"+key, value, c.ttl).Err()
}
