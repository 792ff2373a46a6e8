// Package rating serves credit ratings and electronic credit reports of
// enterprises from the city credit platform through a Redis cache (R6.2):
// concurrent misses for one USCC make one upstream call (singleflight); when
// the platform fails, the last known rating is served marked stale up to a
// configured age; when Redis is down, look-ups read through to the platform.
// Every report read is audited (who, whose, why).
package rating

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/creditplatform"
	"creditwater/ident"
)

// Platform is the part of the credit platform this package uses.
type Platform interface {
	Rating(ctx context.Context, uscc string) (creditplatform.RatingResult, error)
	Report(ctx context.Context, uscc string) (*creditplatform.Report, error)
}

// Config are the cache rules (R7.4).
type Config struct {
	// RatingTTL is how long a cached rating is fresh (default 24h).
	RatingTTL time.Duration
	// ReportTTL is how long a cached report is fresh (default 1h).
	ReportTTL time.Duration
	// StaleMax is how old a rating may be when served stale because the
	// platform fails (default 7 days).
	StaleMax time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{RatingTTL: 24 * time.Hour, ReportTTL: time.Hour, StaleMax: 7 * 24 * time.Hour}
}

// Rating is a rating as served.
type Rating struct {
	USCC        string                `json:"uscc"`
	Rating      creditplatform.Rating `json:"rating"`
	EvaluatedAt time.Time             `json:"evaluatedAt"`
	FetchedAt   time.Time             `json:"fetchedAt"`
	// Stale is true when the platform failed and this is the last known
	// rating.
	Stale bool `json:"-"`
}

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
}

// New wires the service.
func New(p Platform, rdb redis.UniversalClient, prefix string, cfg Config, log *audit.Log, logger *slog.Logger) *Service {
	return &Service{platform: p, rdb: rdb, prefix: prefix + "credit:", cfg: cfg, audit: log, log: logger, now: time.Now}
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

// Rating returns the comprehensive credit rating of an enterprise. It returns
// INVALID (field uscc) for a malformed code, NOT_FOUND when the platform does
// not know the enterprise, and UNAVAILABLE when the platform fails and no
// rating younger than StaleMax is cached.
func (s *Service) Rating(ctx context.Context, uscc string) (Rating, error) {
	u, err := normalize(uscc)
	if err != nil {
		return Rating{}, err
	}
	key := s.prefix + "rating:" + u
	cached, haveCached := s.cachedRating(ctx, key)
	now := s.now()
	if haveCached && now.Sub(cached.FetchedAt) < s.cfg.RatingTTL {
		return cached, nil
	}
	v, err, _ := s.group.Do("rating:"+u, func() (any, error) {
		// Detached from the first caller's cancellation: the result serves
		// every waiter.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		res, err := s.platform.Rating(cctx, u)
		if err != nil {
			return Rating{}, err
		}
		r := Rating{USCC: u, Rating: res.Rating, EvaluatedAt: res.EvaluatedAt, FetchedAt: s.now().UTC()}
		if raw, err := json.Marshal(r); err == nil {
			// The entry outlives its freshness so it can be served stale.
			if err := s.rdb.Set(cctx, key, raw, s.cfg.StaleMax).Err(); err != nil {
				s.log.Warn("rating cache write failed; serving uncached", "err", err.Error())
			}
		}
		return r, nil
	})
	if err == nil {
		return v.(Rating), nil
	}
	if apperr.Is(err, apperr.Unavailable) && haveCached && now.Sub(cached.FetchedAt) <= s.cfg.StaleMax {
		cached.Stale = true
		return cached, nil
	}
	if apperr.Is(err, apperr.Unavailable) {
		return Rating{}, apperr.Wrap(err, apperr.Unavailable, "the credit platform is unavailable and no recent rating is known; try again later").WithReason("CREDIT_PLATFORM_UNAVAILABLE")
	}
	return Rating{}, err
}

func (s *Service) cachedRating(ctx context.Context, key string) (Rating, bool) {
	raw, err := s.rdb.Get(ctx, key).Bytes()
	if err != nil {
		if err != redis.Nil {
			s.log.Warn("rating cache read failed; reading through", "err", err.Error())
		}
		return Rating{}, false
	}
	var r Rating
	if json.Unmarshal(raw, &r) != nil {
		return Rating{}, false
	}
	return r, true
}

// Report returns an enterprise's electronic credit report and audits the
// read with its purpose. Authorisation is the caller's: staff with a purpose,
// or the bound, face-verified enterprise user. It returns INVALID for a
// malformed USCC or an empty purpose, NOT_FOUND when the platform does not
// know the enterprise, and UNAVAILABLE when the platform fails and no fresh
// report is cached.
func (s *Service) Report(ctx context.Context, uscc, purpose string) (*creditplatform.Report, error) {
	u, err := normalize(uscc)
	if err != nil {
		return nil, err
	}
	purpose = strings.TrimSpace(purpose)
	if purpose == "" || len(purpose) > 255 {
		return nil, apperr.InvalidField("purpose", "state why the report is read (at most 255 characters)")
	}
	key := s.prefix + "report:" + u
	var rep *creditplatform.Report
	if raw, err := s.rdb.Get(ctx, key).Bytes(); err == nil {
		var r creditplatform.Report
		if json.Unmarshal(raw, &r) == nil {
			rep = &r
		}
	}
	if rep == nil {
		v, err, _ := s.group.Do("report:"+u, func() (any, error) {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			defer cancel()
			r, err := s.platform.Report(cctx, u)
			if err != nil {
				return nil, err
			}
			if raw, err := json.Marshal(r); err == nil {
				_ = s.rdb.Set(cctx, key, raw, s.cfg.ReportTTL).Err()
			}
			// The report also refreshes the rating.
			rr := Rating{USCC: u, Rating: r.Rating, EvaluatedAt: r.IssuedAt, FetchedAt: s.now().UTC()}
			if raw, err := json.Marshal(rr); err == nil {
				_ = s.rdb.Set(cctx, s.prefix+"rating:"+u, raw, s.cfg.StaleMax).Err()
			}
			return r, nil
		})
		if err != nil {
			return nil, err
		}
		rep = v.(*creditplatform.Report)
	}
	if err := s.audit.Record(ctx, nil, audit.Entry{Action: "credit.report.read", SubjectType: "uscc", SubjectID: u, Purpose: purpose, Detail: rep.ReportNo}); err != nil {
		return nil, err
	}
	return rep, nil
}
