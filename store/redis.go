package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// The Redis deployments OpenRedis speaks to (CW_REDIS_MODE).
const (
	// RedisSingle is one server (or a proxy in front of several):
	// redis://[user:password@]host:6379/db, parsed by go-redis's ParseURL.
	RedisSingle = "single"
	// RedisCluster is a Redis Cluster: redis://[user:password@]host1:7001?addr=host2:7002&addr=host3:7003,
	// parsed by go-redis's ParseClusterURL. Any one reachable node finds
	// the others; several are listed so that startup survives one down.
	RedisCluster = "cluster"
	// RedisSentinel is a master watched by Sentinels:
	// redis://[sentinel-user:sentinel-password@]sentinel1:26379/db?addr=sentinel2:26379&master_name=mymaster[&password=…],
	// parsed by go-redis's ParseFailoverURL. The URL's user and password
	// are the Sentinels'; the master's are the username and password query
	// parameters.
	RedisSentinel = "sentinel"
)

// redisModes are the accepted values of CW_REDIS_MODE.
var redisModes = []string{RedisSingle, RedisCluster, RedisSentinel}

// RedisConfig says where Redis is.
type RedisConfig struct {
	// URL is the address in the form of Mode; empty starts an in-process
	// Redis (development and tests).
	URL string
	// Mode is RedisSingle (also when empty), RedisCluster or RedisSentinel.
	Mode string
}

// The client settings applied when the URL does not set them (go-redis
// query parameters dial_timeout, read_timeout, write_timeout, pool_size,
// max_retries override them).
const (
	redisTimeout    = 2 * time.Second
	redisPoolSize   = 64
	redisMaxRetries = 1
)

// OpenRedis connects to Redis as cfg says through a go-redis client — a
// Client (single), ClusterClient (cluster) or failover Client (sentinel),
// all redis.UniversalClient — or, when cfg.URL is empty, starts an
// in-process Redis (miniredis) so development runs the same code path. The
// returned function releases both. An invalid URL is reported naming
// CW_REDIS_URL without echoing it or its passwords.
func OpenRedis(ctx context.Context, cfg RedisConfig) (redis.UniversalClient, func(), error) {
	var stopEmbedded func()
	if cfg.URL == "" {
		addr, stop, err := StartEmbeddedRedis()
		if err != nil {
			return nil, nil, err
		}
		stopEmbedded = stop
		cfg = RedisConfig{URL: "redis://" + addr, Mode: RedisSingle}
	}
	rdb, err := NewRedisClient(cfg)
	if err != nil {
		if stopEmbedded != nil {
			stopEmbedded()
		}
		return nil, nil, err
	}
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
		return nil, nil, fmt.Errorf("store: redis (%s) not reachable: %w", mode(cfg), err)
	}
	return rdb, closeFn, nil
}

func mode(cfg RedisConfig) string {
	if cfg.Mode == "" {
		return RedisSingle
	}
	return cfg.Mode
}

// NewRedisClient parses cfg.URL with go-redis's parser for cfg.Mode and
// returns the client, not yet connected. Errors name CW_REDIS_URL and
// CW_REDIS_MODE and never carry a password.
func NewRedisClient(cfg RedisConfig) (redis.UniversalClient, error) {
	m := mode(cfg)
	u, err := url.Parse(cfg.URL)
	if err != nil {
		// url.Error repeats the whole URL, password included.
		return nil, fmt.Errorf("store: CW_REDIS_URL is not a valid URL")
	}
	bad := func(err error) error {
		msg := err.Error()
		for _, secret := range urlSecrets(u) {
			msg = strings.ReplaceAll(msg, secret, "xxxxx")
		}
		return fmt.Errorf("store: CW_REDIS_URL is not a valid %s URL (CW_REDIS_MODE=%s): %s", m, m, msg)
	}
	switch m {
	case RedisSingle:
		o, err := redis.ParseURL(cfg.URL)
		if err != nil {
			return nil, bad(err)
		}
		clientDefaults(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolSize, &o.MaxRetries)
		return redis.NewClient(o), nil
	case RedisCluster:
		// A cluster has database 0 only; ParseClusterURL ignores the path.
		if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
			return nil, bad(errors.New("a Redis Cluster has database 0 only: leave the path empty"))
		}
		o, err := redis.ParseClusterURL(cfg.URL)
		if err != nil {
			return nil, bad(err)
		}
		clientDefaults(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolSize, &o.MaxRetries)
		return redis.NewClusterClient(o), nil
	case RedisSentinel:
		o, err := redis.ParseFailoverURL(cfg.URL)
		if err != nil {
			return nil, bad(err)
		}
		if o.MasterName == "" {
			return nil, bad(errors.New("the master_name query parameter (the master's name in the Sentinels' configuration) is required"))
		}
		clientDefaults(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolSize, &o.MaxRetries)
		return redis.NewFailoverClient(o), nil
	default:
		return nil, fmt.Errorf("store: CW_REDIS_MODE=%q: want %s", cfg.Mode, strings.Join(redisModes, ", "))
	}
}

// clientDefaults applies the client settings the URL left unset.
func clientDefaults(dial, read, write *time.Duration, pool, retries *int) {
	for _, d := range []*time.Duration{dial, read, write} {
		if *d == 0 {
			*d = redisTimeout
		}
	}
	if *pool == 0 {
		*pool = redisPoolSize
	}
	if *retries == 0 {
		*retries = redisMaxRetries
	}
}

// urlSecrets are the passwords u carries: its user info's and the password
// query parameters of the cluster and sentinel forms.
func urlSecrets(u *url.URL) []string {
	var s []string
	if p, ok := u.User.Password(); ok && p != "" {
		s = append(s, p)
	}
	for _, k := range []string{"password", "sentinel_password"} {
		for _, v := range u.Query()[k] {
			if v != "" {
				s = append(s, v, url.QueryEscape(v))
			}
		}
	}
	return s
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
