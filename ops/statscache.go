package ops

import (
	"context"
	"encoding/json"
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

// periodKey names a period in the cache: "default-90d" for the default one
// (the last N days up to when it was computed: the cached entry keeps its
// own bounds), else the asked bounds.
func periodKey(p Period, def bool, days int) string {
	if def {
		return fmt.Sprintf("default-%dd", days)
	}
	return p.From.UTC().Format(time.RFC3339Nano) + "/" + p.To.UTC().Format(time.RFC3339Nano)
}

// get returns the statistics of the period named key from the cache, or
// from compute when the cache has none computed since the last write, and
// caches what compute returns.
func (c *StatsCache) get(ctx context.Context, key string, compute func() (Stats, error)) (Stats, error) {
	if c == nil || c.stamp == nil || c.ttl <= 0 {
		return compute()
	}
	raw, err := c.stamp.Cached(ctx, fmt.Sprintf("stats:v%d:%s", statsCacheVersion, key), c.ttl, StatsTables, func() ([]byte, error) {
		st, err := compute()
		if err != nil {
			return nil, err
		}
		return json.Marshal(st)
	})
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	if err := json.Unmarshal(raw, &st); err != nil {
		return compute()
	}
	return st, nil
}
