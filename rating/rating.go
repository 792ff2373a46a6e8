// Package rating serves credit ratings and electronic credit reports of
// enterprises from the city credit platform through a Redis cache (R6.2):
// concurrent misses for one USCC make one upstream call (singleflight); when
// Redis is down, look-ups read through to the platform. Every report read is
// audited (who, whose, why).
//
// Ratings are served stale-while-revalidate: a cached rating older than
// RatingTTL but younger than StaleMax is returned at once, marked stale, and
// one background refresh fetches the new one (one per process through
// singleflight, one per RefreshLock period across instances through a Redis
// key). So a slow or failing platform never stalls a caller who has a
// cached rating; only a cold miss (nothing cached, or older than StaleMax)
// waits for the platform.
//
// The package owns its types: Level (the platform's A–D), Rating, Report
// and Entry, and the Platform port expressed in them. The credit platform's
// wire format stays in its adapter (package creditplatform), which package
// server fits to Platform; the cache holds these types in a versioned format
// (see cacheVersion), and the GraphQL schema binds to them.
package rating

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/config"
	"creditwater/ident"
)

// ReasonPlatformUnavailable is the apperr reason of the UNAVAILABLE errors
// of Service: the credit platform cannot be reached and nothing usable is
// cached. The platform adapter uses the same reason.
const ReasonPlatformUnavailable = "CREDIT_PLATFORM_UNAVAILABLE"

// Config are the cache rules (R7.4).
type Config struct {
	// Rating is the configured cache lifetimes, passed whole: RatingTTL, how
	// long a cached rating is fresh (default 24h); ReportTTL, how long a
	// cached report is fresh (default 1h); StaleMax, how old a rating may be
	// when served stale, while it is refreshed or because the platform fails
	// (default 7 days).
	config.Rating
	// RefreshLock is how long one instance's background refresh of a rating
	// keeps the other instances from refreshing it too (default 15 s); after
	// a failed refresh it is also the wait before the next attempt.
	RefreshLock time.Duration
	// LocalTTL is how long a rating read from (or written to) Redis is
	// also served from this process's memory without asking Redis (0: no
	// local cache). A rating this process fetches replaces its local copy
	// at once; another instance's refresh is seen here within LocalTTL.
	LocalTTL time.Duration
	// LocalSize bounds the local cache (default 10,000 ratings, least
	// recently used dropped first).
	LocalSize int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Rating: config.Rating{RatingTTL: 24 * time.Hour, ReportTTL: time.Hour, StaleMax: 7 * 24 * time.Hour}, RefreshLock: 15 * time.Second}
}

// fetchTimeout bounds one upstream rating call made for the cache.
const fetchTimeout = 10 * time.Second

// Service serves ratings and reports.
type Service struct {
	platform Platform
	rdb      redis.UniversalClient
	prefix   string
	cfg      Config
	audit    *audit.Log
	log      *slog.Logger
	group    singleflight.Group
	now      func() time.Time

	// Background refreshes: bgCtx ends them when Close gives up waiting.
	bgCtx      context.Context
	bgCancel   context.CancelFunc
	bgMu       sync.Mutex
	bg         sync.WaitGroup
	closed     bool
	refreshing map[string]bool // USCCs refreshed in the background now

	// local holds ratings in memory for LocalTTL (nil: off).
	local *lru.Cache[string, localRating]
}

// localRating is a rating in the local cache and when it stops being
// served from there.
type localRating struct {
	r     Rating
	until time.Time
}

// New wires the service. Zero fields of cfg take DefaultConfig's values.
func New(p Platform, rdb redis.UniversalClient, prefix string, cfg Config, log *audit.Log, logger *slog.Logger) *Service {
	def := DefaultConfig()
	cfg.RatingTTL = positiveOr(cfg.RatingTTL, def.RatingTTL)
	cfg.ReportTTL = positiveOr(cfg.ReportTTL, def.ReportTTL)
	cfg.StaleMax = positiveOr(cfg.StaleMax, def.StaleMax)
	cfg.RefreshLock = positiveOr(cfg.RefreshLock, def.RefreshLock)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{platform: p, rdb: rdb, prefix: prefix + "credit:", cfg: cfg, audit: log, log: logger, now: time.Now,
		bgCtx: ctx, bgCancel: cancel, refreshing: map[string]bool{}}
	if cfg.LocalTTL > 0 {
		if cfg.LocalSize <= 0 {
			cfg.LocalSize = 10000
		}
		s.local, _ = lru.New[string, localRating](cfg.LocalSize) // errs only for a size ≤ 0
	}
	return s
}

func positiveOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Close stops starting background refreshes and waits for the running ones
// until ctx ends, then cancels what is left. Look-ups keep working (without
// background refreshes).
func (s *Service) Close(ctx context.Context) {
	s.bgMu.Lock()
	s.closed = true
	s.bgMu.Unlock()
	done := make(chan struct{})
	go func() { s.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.bgCancel()
		<-done
	}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func normalize(uscc string) (string, error) {
	u := ident.NormalizeUSCC(uscc)
	if err := ident.ValidateUSCC(u); err != nil {
		return "", err
	}
	return u, nil
}

// Rating returns the comprehensive credit rating of an enterprise: fresh
// from the cache; or, when the cached rating is older than RatingTTL but not
// than StaleMax, that rating at once, marked stale, while one background
// refresh runs; otherwise from the platform (concurrent misses share one
// call). It returns INVALID (field uscc) for a malformed code, NOT_FOUND when
// the platform does not know the enterprise, and UNAVAILABLE (reason
// CREDIT_PLATFORM_UNAVAILABLE, with retryAfter) when it has to ask the
// platform and the platform fails.
func (s *Service) Rating(ctx context.Context, uscc string) (Rating, error) {
	u, err := normalize(uscc)
	if err != nil {
		return Rating{}, err
	}
	if cached, ok := s.cachedRating(ctx, u); ok {
		switch age := s.now().Sub(cached.FetchedAt); {
		case age < s.cfg.RatingTTL:
			return cached, nil
		case age <= s.cfg.StaleMax:
			s.revalidate(u)
			cached.Stale = true
			return cached, nil
		}
	}
	// A cold miss: detached from the first caller's cancellation, as the
	// result serves every waiter. A caller that missed just before another
	// call filled the cache finds it filled here, rather than calling again.
	v, err, _ := s.group.Do("rating:"+u, func() (any, error) {
		if cached, ok := s.cachedRating(ctx, u); ok && s.now().Sub(cached.FetchedAt) < s.cfg.RatingTTL {
			return cached, nil
		}
		return s.fetchRating(context.WithoutCancel(ctx), u)
	})
	if err == nil {
		return v.(Rating), nil
	}
	if e := apperr.As(err); e != nil && e.Code == apperr.Unavailable {
		out := apperr.Wrap(err, apperr.Unavailable, "信用平台暂时无法访问，且没有近期的信用评级，请稍后再试").WithReason(ReasonPlatformUnavailable)
		out.RetryAfter = e.RetryAfter
		return Rating{}, out
	}
	return Rating{}, err
}

// fetchRating asks the platform for u's rating and caches it; the entry
// outlives its freshness (StaleMax) so it can be served stale.
func (s *Service) fetchRating(ctx context.Context, u string) (Rating, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	res, err := s.platform.Rating(ctx, u)
	if err != nil {
		return Rating{}, err
	}
	r := Rating{USCC: u, Level: res.Level, EvaluatedAt: res.EvaluatedAt, FetchedAt: s.now().UTC()}
	s.cacheRating(ctx, u, r)
	return r, nil
}

// revalidate refreshes u's cached rating in the background unless a refresh
// of it is running in this process, another instance took the refresh lock
// within RefreshLock, or the service is closed. A failed refresh is logged;
// the stale rating stays until StaleMax.
func (s *Service) revalidate(u string) {
	s.bgMu.Lock()
	if s.closed || s.refreshing[u] {
		s.bgMu.Unlock()
		return
	}
	s.refreshing[u] = true
	s.bg.Add(1)
	s.bgMu.Unlock()
	go func() {
		defer func() {
			s.bgMu.Lock()
			delete(s.refreshing, u)
			s.bgMu.Unlock()
			s.bg.Done()
		}()
		ctx := s.bgCtx
		// Across instances: the first to take the key refreshes. When Redis
		// fails, refresh anyway (this process still makes one call).
		won, err := s.rdb.SetNX(ctx, s.prefix+"refresh:rating:"+u, "1", s.cfg.RefreshLock).Result()
		if err == nil && !won {
			return
		}
		if _, err, _ := s.group.Do("rating:"+u, func() (any, error) { return s.fetchRating(ctx, u) }); err != nil {
			s.log.Warn("background rating refresh failed; serving the cached rating", "code", apperr.CodeOf(err))
		}
	}()
}

// Report returns an enterprise's electronic credit report and audits the
// read with its purpose. Authorisation is the caller's: staff with a purpose,
// or the bound, face-verified enterprise user. A report fetched from the
// platform also refreshes the cached rating. It returns INVALID for a
// malformed USCC (field uscc) or an empty purpose (field purpose), NOT_FOUND
// when the platform does not know the enterprise, and UNAVAILABLE when the
// platform fails and no fresh report is cached.
func (s *Service) Report(ctx context.Context, uscc, purpose string) (*Report, error) {
	u, err := normalize(uscc)
	if err != nil {
		return nil, err
	}
	purpose = strings.TrimSpace(purpose)
	if purpose == "" || len(purpose) > 255 {
		return nil, apperr.InvalidField("purpose", "请说明查询原因（最多 255 个字符）")
	}
	rep, ok := readCache(ctx, s, kindReport, u, usableReport(u))
	if !ok {
		v, err, _ := s.group.Do("report:"+u, func() (any, error) {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			defer cancel()
			r, err := s.platform.Report(cctx, u)
			if err != nil {
				return nil, err
			}
			writeCache(cctx, s, kindReport, u, r, s.cfg.ReportTTL)
			s.cacheRating(cctx, u, Rating{USCC: u, Level: r.Level, EvaluatedAt: r.IssuedAt, FetchedAt: s.now().UTC()})
			return r, nil
		})
		if err != nil {
			return nil, err
		}
		rep = v.(*Report)
	}
	if err := s.audit.Record(ctx, nil, audit.Entry{Action: "credit.report.read", SubjectType: "uscc", SubjectID: u, Purpose: purpose, Detail: rep.ReportNo}); err != nil {
		return nil, err
	}
	return rep, nil
}
