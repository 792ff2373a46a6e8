package wechat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// cacheOpTimeout bounds each Redis operation of TokenCache: the SDK's
// cache.Cache interface carries no context.
const cacheOpTimeout = 2 * time.Second

// TokenCache implements the SDK's cache.Cache on a go-redis v9 client, under
// a key prefix, so that every instance shares one WeChat access token. A
// Redis failure reads as a cache miss: the Client then fetches a token from
// WeChat instead of failing.
type TokenCache struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ cache.Cache = (*TokenCache)(nil)

// NewTokenCache returns a TokenCache storing keys as prefix+key in rdb.
func NewTokenCache(rdb redis.UniversalClient, prefix string) *TokenCache {
	return &TokenCache{rdb: rdb, prefix: prefix}
}

// Get returns the string stored under key, or nil when it is missing or
// Redis fails (the SDK requires exactly a string or nil).
func (c *TokenCache) Get(key string) any {
	if c.rdb == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	v, err := c.rdb.Get(ctx, c.prefix+key).Result()
	if err != nil {
		return nil
	}
	return v
}

// Set stores val (a string, or its fmt.Sprint form) under key for ttl. A ttl
// of zero or less stores nothing (and removes an older value), since Redis
// would otherwise keep the value forever. It returns Redis's error.
func (c *TokenCache) Set(key string, val any, ttl time.Duration) error {
	if c.rdb == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	if ttl <= 0 {
		return c.del(ctx, key)
	}
	var s string
	switch v := val.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		s = fmt.Sprint(v)
	}
	if err := c.rdb.Set(ctx, c.prefix+key, s, ttl).Err(); err != nil {
		return fmt.Errorf("token cache set: %w", err)
	}
	return nil
}

// IsExist reports whether key is stored; false when Redis fails.
func (c *TokenCache) IsExist(key string) bool {
	if c.rdb == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	n, err := c.rdb.Exists(ctx, c.prefix+key).Result()
	return err == nil && n > 0
}

// Delete removes key. It returns Redis's error.
func (c *TokenCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	return c.del(ctx, key)
}

func (c *TokenCache) del(ctx context.Context, key string) error {
	if c.rdb == nil {
		return nil
	}
	if err := c.rdb.Del(ctx, c.prefix+key).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("token cache delete: %w", err)
	}
	return nil
}
