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
	"creditwater/rating"
	"creditwater/store/storetest"
	"creditwater/testwait"
)

// Enterprises the fake platform knows (valid USCCs), and one it does not.
const (
	usccA       = "914403001922038216"
	usccB       = "9144030071526726XG"
	usccC       = "91440224MA4X8N1P16" // rated C, two dishonesty entries
	usccD       = "91440281MA51B7QD8E"
	usccUnknown = "91440205MA52K0LT81"
)

// evaluated is when the fake platform evaluated every enterprise.
var evaluated = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// fakePlatform is an in-memory rating.Platform that counts its calls and
// can hold them until released.
type fakePlatform struct {
	mu     sync.Mutex
	levels map[string]rating.Level
	fail   error // when set, every call fails with it

	// entered, when set, receives once per call as it reaches the platform;
	// release, when set, holds each call until it receives or is closed.
	entered chan struct{}
	release chan struct{}

	ratingCalls, reportCalls atomic.Int32
}

func newFakePlatform() *fakePlatform {
	return &fakePlatform{levels: map[string]rating.Level{usccA: rating.LevelA, usccB: rating.LevelB, usccC: rating.LevelC, usccD: rating.LevelD}}
}

func (p *fakePlatform) set(uscc string, l rating.Level) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.levels[uscc] = l
}

func (p *fakePlatform) setFail(err error) { p.mu.Lock(); defer p.mu.Unlock(); p.fail = err }

// answer waits as configured, then returns the level of uscc.
func (p *fakePlatform) answer(ctx context.Context, uscc string) (rating.Level, error) {
	if p.entered != nil {
		p.entered <- struct{}{}
	}
	if p.release != nil {
		select {
		case <-p.release:
		case <-ctx.Done():
			return "", apperr.Wrap(ctx.Err(), apperr.Unavailable, "cancelled")
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return "", p.fail
	}
	l, ok := p.levels[uscc]
	if !ok {
		return "", apperr.New(apperr.NotFound, "城市信用平台没有该主体的信息")
	}
	return l, nil
}

func (p *fakePlatform) Rating(ctx context.Context, uscc string) (rating.Rating, error) {
	p.ratingCalls.Add(1)
	l, err := p.answer(ctx, uscc)
	if err != nil {
		return rating.Rating{}, err
	}
	return rating.Rating{USCC: uscc, Level: l, EvaluatedAt: evaluated}, nil
}

func (p *fakePlatform) Report(ctx context.Context, uscc string) (*rating.Report, error) {
	p.reportCalls.Add(1)
	l, err := p.answer(ctx, uscc)
	if err != nil {
		return nil, err
	}
	entries := []rating.Entry{}
	if uscc == usccC {
		entries = []rating.Entry{
			{Kind: "欠缴水费", Description: "欠缴水费超过三个月", DecidedOn: "2025-03-01", Authority: "韶关市水务局", DocumentNo: "韶水罚〔2025〕12号"},
			{Kind: "行政处罚", Description: "违规用水", DecidedOn: "2025-06-10", Authority: "韶关市水务局"},
		}
	}
	return &rating.Report{ReportNo: "SGXYBG-" + uscc, SubjectName: "测试企业", USCC: uscc, Level: l, Entries: entries,
		IssuedAt: evaluated, PeriodFrom: evaluated.AddDate(-3, 0, 0), PeriodTo: evaluated}, nil
}

// unavailable is the error of a failing platform.
func unavailable() error {
	e := apperr.New(apperr.Unavailable, "城市信用平台暂时无法访问").WithReason("CREDIT_PLATFORM_UNAVAILABLE")
	e.RetryAfter = 5 * time.Second
	return e
}

// clock is a settable, goroutine-safe time source (background refreshes
// read it).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

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
	p := newFakePlatform()
	p.entered, p.release = make(chan struct{}, 1001), make(chan struct{}) // hold the call while the others arrive
	svc := newService(t, p, rdb, prefix, newClock())
	var started, done sync.WaitGroup
	errs := make(chan error, 1000)
	for range 1000 {
		started.Add(1)
		done.Go(func() {
			started.Done()
			r, err := svc.Rating(context.Background(), usccA)
			if err == nil && r.Level != rating.LevelA {
				err = apperr.New(apperr.Internal, "wrong rating %s", r.Level)
			}
			errs <- err
		})
	}
	started.Wait()
	testwait.Recv(t, p.entered, "the upstream call")
	close(p.release)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := p.ratingCalls.Load(); n != 1 {
		t.Fatalf("upstream rating requests: %d, want 1", n)
	}
	// Cached now: no further call.
	if _, err := svc.Rating(context.Background(), usccA); err != nil || p.ratingCalls.Load() != 1 {
		t.Fatalf("cached look-up: err %v, requests %d", err, p.ratingCalls.Load())
	}
}

// R6.2: when the platform fails, the last known rating is served marked
// stale up to StaleMax; beyond it the error is clear.
func TestStaleRatingWhenPlatformDown_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	p, c := newFakePlatform(), newClock()
	svc := newService(t, p, rdb, prefix, c)
	ctx := context.Background()
	if _, err := svc.Rating(ctx, usccB); err != nil {
		t.Fatal(err)
	}
	p.setFail(unavailable())
	c.advance(25 * time.Hour) // past the 24h freshness
	r, err := svc.Rating(ctx, usccB)
	if err != nil || !r.Stale || r.Level != rating.LevelB {
		t.Fatalf("stale rating: %+v, %v", r, err)
	}
	svc.Close(ctx) // the background refresh has failed: the stale rating stays
	if r, err := svc.Rating(ctx, usccB); err != nil || !r.Stale || r.Level != rating.LevelB {
		t.Fatalf("stale rating after a failed refresh: %+v, %v", r, err)
	}
	c.advance(7 * 24 * time.Hour) // past StaleMax
	_, err = svc.Rating(ctx, usccB)
	if e := apperr.As(err); e == nil || e.Code != apperr.Unavailable || e.Reason != rating.ReasonPlatformUnavailable || e.RetryAfter != 5*time.Second {
		t.Fatalf("beyond StaleMax: %v, want UNAVAILABLE with the platform's retryAfter", err)
	}
	// Never cached and platform down: UNAVAILABLE, not a panic.
	if _, err := svc.Rating(ctx, usccC); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("uncached while down: %v", err)
	}
}

// R6.2: a cached rating past its freshness is served at once, marked stale,
// while the platform is slow; N concurrent callers on two instances cause
// exactly one upstream call, and afterwards the cache holds the new rating.
func TestStaleWhileRevalidate_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	c := newClock()
	p := newFakePlatform()
	p.set(usccA, rating.LevelB)
	p.entered, p.release = make(chan struct{}, 10), make(chan struct{})
	a := newService(t, p, rdb, prefix, c)
	b := newService(t, p, rdb, prefix, c) // a second instance on the same Redis
	ctx := context.Background()

	// Cold miss: the caller waits for the platform.
	cold := make(chan error, 1)
	go func() { _, err := a.Rating(ctx, usccA); cold <- err }()
	<-p.entered
	p.release <- struct{}{} // answer this one call (release is unbuffered)
	if err := <-cold; err != nil {
		t.Fatal(err)
	}

	// Past freshness, with a platform that does not answer until released.
	c.advance(25 * time.Hour)
	p.set(usccA, rating.LevelC)
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
			r, err := svc.Rating(ctx, usccA)
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
		if !r.Stale || r.Level != rating.LevelB {
			t.Fatalf("stale caller got %+v, want the cached B marked stale", r)
		}
	}
	close(p.release)
	a.Close(ctx) // waits for the refresh
	b.Close(ctx)
	if got := p.ratingCalls.Load(); got != 2 {
		t.Fatalf("upstream calls: %d, want 2 (the cold miss and one refresh)", got)
	}
	r, err := a.Rating(ctx, usccA)
	if err != nil || r.Stale || r.Level != rating.LevelC || !r.FetchedAt.Equal(c.now()) {
		t.Fatalf("after the refresh: %+v, %v; want the fresh C", r, err)
	}
	if got := p.ratingCalls.Load(); got != 2 {
		t.Fatalf("the refreshed rating was not served from the cache: %d upstream calls", got)
	}
}

// R6.2: with Redis unreachable the service reads through to the platform.
func TestRedisDownReadsThrough_R6_2(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = dead.Close() })
	p := newFakePlatform()
	svc := newService(t, p, dead, "cwt:dead:", newClock())
	for i := range 2 {
		r, err := svc.Rating(context.Background(), usccD)
		if err != nil || r.Level != rating.LevelD {
			t.Fatalf("look-up %d with Redis down: %+v, %v", i, r, err)
		}
	}
	if n := p.ratingCalls.Load(); n != 2 {
		t.Errorf("requests: %d, want 2 (no cache)", n)
	}
}

func TestRatingInputAndUnknown_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	p := newFakePlatform()
	svc := newService(t, p, rdb, prefix, newClock())
	ctx := context.Background()
	if _, err := svc.Rating(ctx, "91440300192203821X"); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Field != "uscc" {
		t.Errorf("bad checksum: %v", err)
	}
	if _, err := svc.Rating(ctx, usccUnknown); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown: %v", err)
	}
	if _, err := svc.Report(ctx, usccA, " "); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Field != "purpose" {
		t.Errorf("report without purpose: %v", err)
	}
	if p.ratingCalls.Load()+p.reportCalls.Load() != 1 {
		t.Errorf("refused input reached the platform: %d rating, %d report calls", p.ratingCalls.Load(), p.reportCalls.Load())
	}
	rep, err := svc.Report(ctx, usccC, "test")
	if err != nil || len(rep.Entries) != 2 || rep.ReportNo == "" || rep.Level != rating.LevelC || rep.Label() != "失信观察" {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	// The report refreshed the cached rating: no rating call follows.
	if r, err := svc.Rating(ctx, usccC); err != nil || r.Level != rating.LevelC || p.ratingCalls.Load() != 1 {
		t.Fatalf("rating after the report: %+v, %v, %d rating calls", r, err, p.ratingCalls.Load())
	}
}

// The levels and their Chinese names (SPEC, attachment: GB/T 45255-2025).
func TestLevelLabels(t *testing.T) {
	for l, want := range map[rating.Level]string{rating.LevelA: "诚信优良", rating.LevelB: "基本诚信", rating.LevelC: "失信观察", rating.LevelD: "严重失信"} {
		if !l.Valid() || l.Label() != want || (rating.Rating{Level: l}).Label() != want {
			t.Errorf("%s: valid %v, label %q, want %q", l, l.Valid(), l.Label(), want)
		}
	}
	for _, l := range []rating.Level{"", "E", "a", "AA"} {
		if l.Valid() || l.Label() != "" {
			t.Errorf("%q accepted as a level", l)
		}
	}
}
