package ops

import (
	"context"
	"fmt"
	"time"

	"creditwater/store/writestamp"
)

// StatsTables are the tables the management statistics aggregate: the
// write stamp (writestamp.Plugin) must watch them, and a write to one makes
// the cached statistics stale.
var StatsTables = []string{"applications", "application_events", "dishonesty_records", "subjects", "repair_requests", "objections"}

// statsCacheVersion is the version of a cached entry's JSON form (in its
// key): an entry of another release's form is never read.
const statsCacheVersion = 1

// StatsCache keeps the statistics of a period in Redis, shared by the
// instances, for at most TTL and only while no write to the tables they
// aggregate happened since they were computed (writestamp.Plugin.Cached):
// a dashboard's repeated reads cost one Redis round trip instead of
// aggregating the period's rows each time (R8.3).
type StatsCache struct {
	stamp *writestamp.Plugin
	ttl   time.Duration
}

// NewStatsCache returns the cache on stamp. A nil stamp or a ttl of 0
// turns it off.
func NewStatsCache(stamp *writestamp.Plugin, ttl time.Duration) *StatsCache {
	return &StatsCache{stamp: stamp, ttl: ttl}
}

// get returns the statistics of the period named key from the cache, or
// from compute when the cache has none computed since the last write, and
// caches what compute returns.
func (c *StatsCache) get(ctx context.Context, key string, compute func() (Stats, error)) (Stats, error) {
	if c == nil {
		return compute()
	}
	return writestamp.CachedValue(ctx, c.stamp, fmt.Sprintf("stats:v%d:%s", statsCacheVersion, key), c.ttl, StatsTables, compute)
}
