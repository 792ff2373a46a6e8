package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

// StatsTables are the tables the management statistics aggregate: a write
// to one of them moves the write stamp (store.WriteStamp, under
// StatsStampKey) that makes the cached statistics stale.
var StatsTables = []string{"applications", "application_events", "dishonesty_records", "subjects", "repair_requests", "objections"}

// StatsStampKey is the Redis key (after the instance's prefix) of the
// count of writes to StatsTables.
const StatsStampKey = "stats:writes"

// statsCacheVersion is the version of a cached entry's JSON form (in its
// key): an entry of another release's form is never read.
const statsCacheVersion = 1

// statsEntry is the statistics of one period as cached, with the write
// stamp they were computed at.
type statsEntry struct {
	Stamp int64 `json:"stamp"`
	Stats Stats `json:"stats"`
}

// StatsCache keeps the statistics of a period in Redis, shared by the
// instances, for at most TTL and only while no write to the tables they
// aggregate happened (the write stamp they were computed at is still the
// current one): a dashboard's repeated reads cost one Redis round trip
// instead of aggregating the period's rows each time (R8.3). Concurrent
// misses of one period in an instance compute it once.
type StatsCache struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
	log    *slog.Logger
	group  singleflight.Group
}

// NewStatsCache returns the cache (keys under prefix). A ttl of 0 turns it
// off.
func NewStatsCache(rdb redis.UniversalClient, prefix string, ttl time.Duration, log *slog.Logger) *StatsCache {
	return &StatsCache{rdb: rdb, prefix: prefix, ttl: ttl, log: log}
}

// periodKey names a period in the cache: "default" for the default one
// (the last N days up to when it was computed: the cached entry keeps its
// own bounds), else the asked bounds.
func periodKey(p Period, def bool, days int) string {
	if def {
		return fmt.Sprintf("default-%dd", days)
	}
	return p.From.UTC().Format(time.RFC3339Nano) + "/" + p.To.UTC().Format(time.RFC3339Nano)
}

// get returns the statistics of the period named key from the cache, or
// from compute when the cache has none computed at the current write
// stamp, and caches what compute returns. A Redis failure is logged and
// the statistics are computed.
func (c *StatsCache) get(ctx context.Context, key string, compute func() (Stats, error)) (Stats, error) {
	if c == nil || c.ttl <= 0 {
		return compute()
	}
	entryKey := fmt.Sprintf("%sstats:v%d:%s", c.prefix, statsCacheVersion, key)
	var stamp, entry *redis.StringCmd
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		stamp = p.Get(ctx, c.prefix+StatsStampKey)
		entry = p.Get(ctx, entryKey)
		return nil
	})
	if err != nil && err != redis.Nil {
		c.log.Warn("statistics cache read failed; computing", "err", err.Error())
		return compute()
	}
	now, err := stamp.Int64()
	if err != nil && err != redis.Nil {
		c.log.Warn("statistics write stamp unreadable; computing", "err", err.Error())
		return compute()
	}
	if raw, err := entry.Bytes(); err == nil {
		var e statsEntry
		if json.Unmarshal(raw, &e) == nil && e.Stamp == now {
			return e.Stats, nil
		}
	}
	v, err, _ := c.group.Do(fmt.Sprintf("%s@%d", key, now), func() (any, error) {
		st, err := compute()
		if err != nil {
			return st, err
		}
		raw, err := json.Marshal(statsEntry{Stamp: now, Stats: st})
		if err != nil {
			c.log.Error("statistics not encodable for the cache", "err", err.Error())
			return st, nil
		}
		// A new context: the entry is for the other callers too.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := c.rdb.Set(wctx, entryKey, raw, c.ttl).Err(); err != nil {
			c.log.Warn("statistics cache write failed", "err", err.Error())
		}
		return st, nil
	})
	return v.(Stats), err
}
