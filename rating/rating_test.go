package rating_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
	"creditwater/rating"
	"creditwater/store/storetest"
)

type fixture struct {
	sim *simulator.Simulator
	svc *rating.Service
	now time.Time
}

func newFixture(t *testing.T, rdb redis.UniversalClient, prefix string) *fixture {
	t.Helper()
	sim := simulator.New(simulator.Options{})
	url := sim.Start()
	t.Cleanup(sim.Close)
	client := creditplatform.New(creditplatform.Config{BaseURL: url, AppKey: simulator.DefaultAppKey, AppSecret: simulator.DefaultAppSecret,
		Timeout: 2 * time.Second, BreakerFailures: 1000})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{sim: sim, now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	f.svc = rating.New(client, rdb, prefix, rating.DefaultConfig(), audit.New(storetest.DB(t)), logger)
	f.svc.SetClock(func() time.Time { return f.now })
	return f
}

// R6.2: 1,000 concurrent look-ups of an uncached USCC make exactly one
// request to the platform.
func TestConcurrentMissesMakeOneUpstreamCall_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	f := newFixture(t, rdb, prefix)
	f.sim.SetFault(simulator.Fault{Latency: 200 * time.Millisecond}) // keep the call in flight while the others arrive
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	start := make(chan struct{})
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := f.svc.Rating(context.Background(), simulator.EnterpriseA)
			if err == nil && r.Rating != creditplatform.RatingA {
				err = apperr.New(apperr.Internal, "wrong rating %s", r.Rating)
			}
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.sim.Requests(simulator.KindRating); n != 1 {
		t.Fatalf("upstream rating requests: %d, want 1", n)
	}
	// Cached now: no further call.
	if _, err := f.svc.Rating(context.Background(), simulator.EnterpriseA); err != nil || f.sim.Requests(simulator.KindRating) != 1 {
		t.Fatalf("cached look-up: err %v, requests %d", err, f.sim.Requests(simulator.KindRating))
	}
}

// R6.2: when the platform fails, the last known rating is served marked
// stale up to StaleMax; beyond it the error is clear.
func TestStaleRatingWhenPlatformDown_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	f := newFixture(t, rdb, prefix)
	ctx := context.Background()
	if _, err := f.svc.Rating(ctx, simulator.EnterpriseB); err != nil {
		t.Fatal(err)
	}
	f.sim.SetFault(simulator.Fault{Status: 503})
	f.now = f.now.Add(25 * time.Hour) // past the 24h freshness
	r, err := f.svc.Rating(ctx, simulator.EnterpriseB)
	if err != nil || !r.Stale || r.Rating != creditplatform.RatingB {
		t.Fatalf("stale rating: %+v, %v", r, err)
	}
	f.now = f.now.Add(7 * 24 * time.Hour) // past StaleMax
	_, err = f.svc.Rating(ctx, simulator.EnterpriseB)
	if !apperr.Is(err, apperr.Unavailable) || apperr.As(err).Reason != "CREDIT_PLATFORM_UNAVAILABLE" {
		t.Fatalf("beyond StaleMax: %v", err)
	}
	// Never cached and platform down: UNAVAILABLE, not a panic.
	if _, err := f.svc.Rating(ctx, simulator.EnterpriseC); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("uncached while down: %v", err)
	}
}

// R6.2: with Redis unreachable the service reads through to the platform.
func TestRedisDownReadsThrough_R6_2(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = dead.Close() })
	f := newFixture(t, dead, "cwt:dead:")
	for i := range 2 {
		r, err := f.svc.Rating(context.Background(), simulator.EnterpriseD)
		if err != nil || r.Rating != creditplatform.RatingD {
			t.Fatalf("look-up %d with Redis down: %+v, %v", i, r, err)
		}
	}
	if n := f.sim.Requests(simulator.KindRating); n != 2 {
		t.Errorf("requests: %d, want 2 (no cache)", n)
	}
}

func TestRatingInputAndUnknown_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	f := newFixture(t, rdb, prefix)
	ctx := context.Background()
	if _, err := f.svc.Rating(ctx, "91440300192203821X"); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Field != "uscc" {
		t.Errorf("bad checksum: %v", err)
	}
	if _, err := f.svc.Rating(ctx, simulator.EnterpriseUnknown); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown: %v", err)
	}
	if _, err := f.svc.Report(ctx, simulator.EnterpriseA, " "); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("report without purpose: %v", err)
	}
	rep, err := f.svc.Report(ctx, simulator.EnterpriseWithEntries, "test")
	if err != nil || len(rep.Entries) != 2 || rep.ReportNo == "" {
		t.Fatalf("report: %+v, %v", rep, err)
	}
}
