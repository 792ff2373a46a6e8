package rating_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
	"creditwater/rating"
	"creditwater/store/storetest"
	"creditwater/testwait"
)

// clock is a settable, goroutine-safe time source (background refreshes
// read it).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type fixture struct {
	sim   *simulator.Simulator
	svc   *rating.Service
	clock *clock
}

func newFixture(t *testing.T, rdb redis.UniversalClient, prefix string) *fixture {
	t.Helper()
	sim := simulator.New(simulator.Options{})
	url := sim.Start()
	t.Cleanup(sim.Close)
	client := creditplatform.New(creditplatform.Config{BaseURL: url, AppKey: simulator.DefaultAppKey, AppSecret: simulator.DefaultAppSecret,
		Timeout: 2 * time.Second, BreakerFailures: 1000, BreakerFailureRatio: 2})
	f := &fixture{sim: sim, clock: &clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}}
	f.svc = newService(t, client, rdb, prefix, f.clock)
	return f
}

func newService(t *testing.T, p rating.Platform, rdb redis.UniversalClient, prefix string, c *clock) *rating.Service {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := rating.New(p, rdb, prefix, rating.DefaultConfig(), audit.New(storetest.DB(t)), logger)
	svc.SetClock(c.now)
	t.Cleanup(func() { svc.Close(context.Background()) })
	return svc
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
	f.clock.advance(25 * time.Hour) // past the 24h freshness
	r, err := f.svc.Rating(ctx, simulator.EnterpriseB)
	if err != nil || !r.Stale || r.Rating != creditplatform.RatingB {
		t.Fatalf("stale rating: %+v, %v", r, err)
	}
	f.svc.Close(ctx) // the background refresh has failed: the stale rating stays
	if r, err := f.svc.Rating(ctx, simulator.EnterpriseB); err != nil || !r.Stale || r.Rating != creditplatform.RatingB {
		t.Fatalf("stale rating after a failed refresh: %+v, %v", r, err)
	}
	f.clock.advance(7 * 24 * time.Hour) // past StaleMax
	_, err = f.svc.Rating(ctx, simulator.EnterpriseB)
	if e := apperr.As(err); e == nil || e.Code != apperr.Unavailable || e.Reason != "CREDIT_PLATFORM_UNAVAILABLE" || e.RetryAfter <= 0 {
		t.Fatalf("beyond StaleMax: %v, want UNAVAILABLE with retryAfter", err)
	}
	// Never cached and platform down: UNAVAILABLE, not a panic.
	if _, err := f.svc.Rating(ctx, simulator.EnterpriseC); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("uncached while down: %v", err)
	}
}

// slowPlatform answers ratings only when released, and counts the calls.
type slowPlatform struct {
	calls   atomic.Int32
	rating  creditplatform.Rating
	entered chan struct{} // receives once per call, when it reaches the platform
	release chan struct{} // closed to let the calls answer
}

func (p *slowPlatform) Rating(ctx context.Context, uscc string) (creditplatform.RatingResult, error) {
	p.calls.Add(1)
	p.entered <- struct{}{}
	select {
	case <-p.release:
	case <-ctx.Done():
		return creditplatform.RatingResult{}, apperr.Wrap(ctx.Err(), apperr.Unavailable, "cancelled")
	}
	return creditplatform.RatingResult{USCC: uscc, Rating: p.rating, EvaluatedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, nil
}

func (p *slowPlatform) Report(context.Context, string) (*creditplatform.Report, error) {
	return nil, apperr.New(apperr.Unavailable, "not in this test")
}

// R6.2: a cached rating past its freshness is served at once, marked stale,
// while the platform is slow; N concurrent callers on two instances cause
// exactly one upstream call, and afterwards the cache holds the new rating.
func TestStaleWhileRevalidate_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	c := &clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	p := &slowPlatform{rating: creditplatform.RatingB, entered: make(chan struct{}, 10), release: make(chan struct{})}
	a := newService(t, p, rdb, prefix, c)
	b := newService(t, p, rdb, prefix, c) // a second instance on the same Redis
	ctx := context.Background()

	// Cold miss: the caller waits for the platform.
	cold := make(chan error, 1)
	go func() { _, err := a.Rating(ctx, simulator.EnterpriseA); cold <- err }()
	<-p.entered
	p.release <- struct{}{} // answer this one call (release is unbuffered)
	if err := <-cold; err != nil {
		t.Fatal(err)
	}

	// Past freshness, with a platform that does not answer until released.
	c.advance(25 * time.Hour)
	p.rating = creditplatform.RatingC
	const n = 50
	var wg sync.WaitGroup
	results := make(chan rating.Rating, 2*n)
	errs := make(chan error, 2*n)
	for i := range 2 * n {
		svc := a
		if i%2 == 1 {
			svc = b
		}
		wg.Go(func() {
			r, err := svc.Rating(ctx, simulator.EnterpriseA)
			if err != nil {
				errs <- err
				return
			}
			results <- r
		})
	}
	answered := make(chan struct{})
	go func() { wg.Wait(); close(answered) }()
	// The one refresh reaches the platform, and every caller has its answer
	// while the platform still holds that call (release is not closed yet).
	// A hang guard, not a timing bound: waiting callers would block forever.
	testwait.Recv(t, p.entered, "the background refresh to reach the platform")
	testwait.Recv(t, answered, "the stale callers to be answered without the platform")
	close(results)
	close(errs)
	for err := range errs {
		t.Fatalf("stale caller: %v", err)
	}
	for r := range results {
		if !r.Stale || r.Rating != creditplatform.RatingB {
			t.Fatalf("stale caller got %+v, want the cached B marked stale", r)
		}
	}
	close(p.release)
	a.Close(ctx) // waits for the refresh
	b.Close(ctx)
	if got := p.calls.Load(); got != 2 {
		t.Fatalf("upstream calls: %d, want 2 (the cold miss and one refresh)", got)
	}
	r, err := a.Rating(ctx, simulator.EnterpriseA)
	if err != nil || r.Stale || r.Rating != creditplatform.RatingC || !r.FetchedAt.Equal(c.now()) {
		t.Fatalf("after the refresh: %+v, %v; want the fresh C", r, err)
	}
	if got := p.calls.Load(); got != 2 {
		t.Fatalf("the refreshed rating was not served from the cache: %d upstream calls", got)
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
