package rating

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// cacheVersion is the version of the Redis cache format: the JSON of a
// Rating or a Report in the envelope {"v": cacheVersion, "value": …}, under
// keys that carry the version (<prefix>credit:rating:v2:<uscc>,
// <prefix>credit:report:v2:<uscc>). Version 1 was the platform adapter's
// wire DTO itself, unversioned, under <prefix>credit:rating:<uscc>; it is no
// longer read and expires by itself.
//
// Any change of Rating's or Report's JSON form bumps the version
// (TestCacheFormatPinned fails until it does). An entry of another version,
// or one that does not decode or fails its check, is a miss, never an error:
// instances of two releases share one Redis without misreading each other's
// entries.
const cacheVersion = 2

// cacheEntry is one cached value with its format version.
type cacheEntry[T any] struct {
	Version int `json:"v"`
	Value   T   `json:"value"`
}

// The cached kinds, the first part of a cache key.
const (
	kindRating = "rating"
	kindReport = "report"
)

// cacheKey is the key of the cached value of the given kind for USCC u.
func (s *Service) cacheKey(kind, u string) string {
	return fmt.Sprintf("%s%s:v%d:%s", s.prefix, kind, cacheVersion, u)
}

// readCache returns the value of kind cached for u when there is an entry of
// cacheVersion that ok accepts. A Redis failure is logged and, like any
// unusable entry, reported as a miss.
func readCache[T any](ctx context.Context, s *Service, kind, u string, ok func(T) bool) (T, bool) {
	var zero T
	raw, err := s.rdb.Get(ctx, s.cacheKey(kind, u)).Bytes()
	if err != nil {
		if err != redis.Nil {
			s.log.Warn("rating cache read failed; reading through", "kind", kind, "err", err.Error())
		}
		return zero, false
	}
	var e cacheEntry[T]
	if json.Unmarshal(raw, &e) != nil || e.Version != cacheVersion || !ok(e.Value) {
		return zero, false
	}
	return e.Value, true
}

// writeCache caches v as kind for u for ttl. A Redis failure is logged: the
// caller is served uncached.
func writeCache[T any](ctx context.Context, s *Service, kind, u string, v T, ttl time.Duration) {
	raw, err := json.Marshal(cacheEntry[T]{Version: cacheVersion, Value: v})
	if err != nil {
		s.log.Error("rating cache entry not encodable", "kind", kind, "err", err.Error())
		return
	}
	if err := s.rdb.Set(ctx, s.cacheKey(kind, u), raw, ttl).Err(); err != nil {
		s.log.Warn("rating cache write failed; serving uncached", "kind", kind, "err", err.Error())
	}
}

// usableRating accepts a cached rating of USCC u.
func usableRating(u string) func(Rating) bool {
	return func(r Rating) bool { return r.USCC == u && r.Level.Valid() && !r.FetchedAt.IsZero() }
}

// usableReport accepts a cached report of USCC u.
func usableReport(u string) func(*Report) bool {
	return func(r *Report) bool { return r != nil && r.USCC == u && r.Level.Valid() && r.ReportNo != "" }
}

// cachedRating returns u's rating from the local cache while it is there
// for less than LocalTTL, else from Redis (then kept locally).
func (s *Service) cachedRating(ctx context.Context, u string) (Rating, bool) {
	if s.local != nil {
		if e, ok := s.local.Get(u); ok && s.now().Before(e.until) {
			return e.r, true
		}
	}
	r, ok := readCache(ctx, s, kindRating, u, usableRating(u))
	if ok {
		s.keepLocal(u, r)
	}
	return r, ok
}

// cacheRating caches r as u's rating in Redis (for StaleMax) and replaces
// the local copy.
func (s *Service) cacheRating(ctx context.Context, u string, r Rating) {
	writeCache(ctx, s, kindRating, u, r, s.cfg.StaleMax)
	s.keepLocal(u, r)
}

func (s *Service) keepLocal(u string, r Rating) {
	if s.local != nil {
		s.local.Add(u, localRating{r: r, until: s.now().Add(s.cfg.LocalTTL)})
	}
}
