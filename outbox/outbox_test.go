package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/config"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store"
	"creditwater/store/storetest"
	"creditwater/testwait"
)

// clock is an injectable, goroutine-safe time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Add(time.Second)} }

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// recorder is a handler that fails while fail says so and counts calls and
// successful deliveries per key.
type recorder struct {
	mu        sync.Mutex
	calls     map[string]int
	successes map[string]int
	dones     map[string]int
	fail      func(key string, call int) error
}

func newRecorder(fail func(key string, call int) error) *recorder {
	return &recorder{calls: map[string]int{}, successes: map[string]int{}, dones: map[string]int{}, fail: fail}
}

func (r *recorder) handle(_ context.Context, msg models.OutboxMessage) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[msg.Key]++
	if r.fail != nil {
		if err := r.fail(msg.Key, r.calls[msg.Key]); err != nil {
			return "", err
		}
	}
	r.successes[msg.Key]++
	return "pub-" + msg.Key, nil
}

func (r *recorder) done(_ context.Context, _ *gorm.DB, msg models.OutboxMessage, result string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if msg.Status != models.OutboxDone || result != "pub-"+msg.Key {
		return fmt.Errorf("OnDone got status %s result %q", msg.Status, result)
	}
	r.dones[msg.Key]++
	return nil
}

func (r *recorder) count(m map[string]int, key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return m[key]
}

const kindPublish = "PUBLISH"

func newWorker(db *gorm.DB, c *clock, cfg Config, r *recorder) *Worker {
	w := NewWorker(db, nil, cfg)
	if c != nil {
		w.now = c.now
	}
	if r != nil {
		w.Handle(kindPublish, r.handle, r.done)
	}
	return w
}

func enqueue(t *testing.T, db *gorm.DB, keys ...string) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, k := range keys {
			if err := Enqueue(context.Background(), tx, Message{Key: k, Kind: kindPublish, AggregateID: "agg-" + k, Payload: map[string]string{"key": k}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

func message(t *testing.T, db *gorm.DB, key string) models.OutboxMessage {
	t.Helper()
	var m models.OutboxMessage
	if err := db.Where("`key` = ?", key).Take(&m).Error; err != nil {
		t.Fatalf("load message %s: %v", key, err)
	}
	return m
}

func countMessages(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.OutboxMessage{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func runOnce(t *testing.T, w *Worker) int {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

func adminCtx() context.Context {
	return reqctx.WithActor(context.Background(), &reqctx.Actor{UserID: "admin-1", Role: models.RoleAdmin})
}

// R2.3: the message commits with the caller's transaction, once per key.
func TestEnqueueR2_3(t *testing.T) {
	db := storetest.DB(t)
	ctx := context.Background()
	errRollback := errors.New("rollback")

	err := db.Transaction(func(tx *gorm.DB) error {
		if err := Enqueue(ctx, tx, Message{Key: "rolled-back", Kind: kindPublish, Payload: 1}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("transaction: %v", err)
	}
	if n := countMessages(t, db); n != 0 {
		t.Fatalf("rolled-back transaction left %d messages", n)
	}

	enqueue(t, db, "dup", "dup") // twice in one transaction
	err = db.Transaction(func(tx *gorm.DB) error {
		return Enqueue(ctx, tx, Message{Key: "dup", Kind: kindPublish, Payload: map[string]string{"key": "other"}})
	})
	if err != nil {
		t.Fatalf("duplicate Enqueue: %v", err)
	}
	if n := countMessages(t, db); n != 1 {
		t.Fatalf("duplicate key: %d messages, want 1", n)
	}
	m := message(t, db, "dup")
	if m.Payload != `{"key":"dup"}` || m.Status != models.OutboxPending || m.AggregateID != "agg-dup" {
		t.Fatalf("stored message = %+v", m)
	}

	for _, tc := range []struct {
		name  string
		msg   Message
		field string
	}{
		{"no key", Message{Kind: kindPublish}, "key"},
		{"long key", Message{Key: strings.Repeat("k", 101), Kind: kindPublish}, "key"},
		{"no kind", Message{Key: "k"}, "kind"},
		{"long aggregate", Message{Key: "k", Kind: kindPublish, AggregateID: strings.Repeat("a", 37)}, "aggregateId"},
		{"bad payload", Message{Key: "k", Kind: kindPublish, Payload: make(chan int)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Enqueue(ctx, db, tc.msg)
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Field != tc.field {
				t.Fatalf("Enqueue = %v, want INVALID field %q", err, tc.field)
			}
		})
	}
}

// R2.3: a message whose delivery fails is retried after its backoff until
// it is delivered, exactly once, and OnDone runs exactly once.
func TestRetryUntilDeliveredR2_3(t *testing.T) {
	for _, failures := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("fails %d times", failures), func(t *testing.T) {
			db := storetest.DB(t)
			c := newClock()
			rec := newRecorder(func(_ string, call int) error {
				if call <= failures {
					return apperr.Wrap(errors.New("upstream said: secret=abc"), apperr.Unavailable, "platform down")
				}
				return nil
			})
			w := newWorker(db, c, Config{}, rec)
			enqueue(t, db, "m1")
			for i := 0; i < failures; i++ {
				if n := runOnce(t, w); n != 0 {
					t.Fatalf("attempt %d delivered %d", i+1, n)
				}
				if n := runOnce(t, w); n != 0 || rec.count(rec.calls, "m1") != i+1 {
					t.Fatalf("retried before the backoff passed: calls %d", rec.count(rec.calls, "m1"))
				}
				c.advance(w.cfg.MaxBackoff)
			}
			if n := runOnce(t, w); n != 1 {
				t.Fatalf("final attempt delivered %d, want 1", n)
			}
			c.advance(time.Hour)
			if n := runOnce(t, w); n != 0 {
				t.Fatalf("a DONE message was delivered again")
			}
			m := message(t, db, "m1")
			if m.Status != models.OutboxDone || m.Attempts != failures+1 || m.Result != "pub-m1" || m.DoneAt == nil || m.LockedBy != "" || m.LockedUntil != nil {
				t.Fatalf("message = %+v", m)
			}
			if got := rec.count(rec.successes, "m1"); got != 1 {
				t.Fatalf("successful deliveries = %d, want 1", got)
			}
			if got := rec.count(rec.dones, "m1"); got != 1 {
				t.Fatalf("OnDone ran %d times, want 1", got)
			}
			if failures > 0 && (m.LastError != "UNAVAILABLE: platform down" || strings.Contains(m.LastError, "secret")) {
				t.Fatalf("LastError = %q", m.LastError)
			}
		})
	}
}

// R2.3: a worker that crashes after claiming leaves a lease; once it has
// expired another worker delivers the message, and the crashed worker's late
// finish changes nothing.
func TestLeaseExpiryRestartR2_3(t *testing.T) {
	db := storetest.DB(t)
	c := newClock()
	rec := newRecorder(nil)
	a := newWorker(db, c, Config{Instance: "a"}, rec)
	enqueue(t, db, "m1")
	claimed, err := a.claim(context.Background()) // a "crashes" here
	if err != nil || len(claimed) != 1 || !strings.HasPrefix(claimed[0].LockedBy, "a/") {
		t.Fatalf("claim = %+v, %v", claimed, err)
	}

	b := newWorker(db, c, Config{Instance: "b"}, rec)
	if n := runOnce(t, b); n != 0 || rec.count(rec.calls, "m1") != 0 {
		t.Fatalf("b delivered a message under a live lease")
	}
	c.advance(a.cfg.Lease + time.Millisecond)
	if n := runOnce(t, b); n != 1 {
		t.Fatalf("b delivered %d after the lease expired, want 1", n)
	}

	// a comes back and tries to finish with its stale lease.
	if err := a.finish(context.Background(), claimed[0], "pub-m1", rec.done); !errors.Is(err, errLostLease) {
		t.Fatalf("stale finish = %v, want errLostLease", err)
	}
	if a.deliver(context.Background(), context.Background(), claimed[0]) {
		t.Fatalf("stale deliver reported DONE")
	}
	m := message(t, db, "m1")
	if m.Status != models.OutboxDone || m.Attempts != 1 {
		t.Fatalf("message = %+v", m)
	}
	if got := rec.count(rec.dones, "m1"); got != 1 {
		t.Fatalf("OnDone ran %d times, want 1", got)
	}
	if got := rec.count(rec.successes, "m1"); got != 2 {
		// The stale deliver called the handler once more: the platform's
		// idempotency key makes that harmless; the outbox records one.
		t.Fatalf("handler successes = %d, want 2 (1 recorded)", got)
	}
}

// runWorker runs w.Run(ctx) in the background; the returned channel closes
// when Run has returned.
func runWorker(w *Worker, ctx context.Context) <-chan struct{} {
	stopped := make(chan struct{})
	go func() { defer close(stopped); w.Run(ctx) }()
	return stopped
}

// noLease fails unless no message is leased (locked_by or locked_until set).
func noLease(t *testing.T, db *gorm.DB) {
	t.Helper()
	var n int64
	if err := db.Model(&models.OutboxMessage{}).Where("locked_by <> '' OR locked_until IS NOT NULL").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("%d messages still leased after the worker returned (%v)", n, err)
	}
}

// R2.3: a shutdown (Run's context ends) during a delivery lets it finish
// within Drain: the message is DONE, delivered once, and Run returns only
// after recording it.
func TestShutdownDrainsInFlightDeliveryR2_3(t *testing.T) {
	db := storetest.DB(t)
	enqueue(t, db, "m1")
	started, proceed := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	w := NewWorker(db, nil, Config{Instance: "a", Drain: time.Minute})
	w.Handle(kindPublish, func(hctx context.Context, _ models.OutboxMessage) (string, error) {
		calls.Add(1)
		close(started)
		// The platform answers during the drain, unless the call was
		// cancelled meanwhile.
		<-proceed
		if err := hctx.Err(); err != nil {
			return "", apperr.Wrap(err, apperr.Unavailable, "platform call cancelled")
		}
		return "pub-1", nil
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := runWorker(w, ctx)
	testwait.Recv(t, started, "the delivery to start")
	cancel() // SIGTERM
	close(proceed)
	testwait.Recv(t, stopped, "Run to return")
	m := message(t, db, "m1")
	if m.Status != models.OutboxDone || m.Result != "pub-1" || m.Attempts != 1 || calls.Load() != 1 {
		t.Fatalf("after the drain message = %+v, handler calls %d", m, calls.Load())
	}
	noLease(t, db)
}

// R2.3: a shutdown during a delivery slower than Drain cancels it and
// releases its lease before Run returns, without counting an attempt; the
// next worker delivers it at once (no lease to wait out), so it is delivered
// exactly once overall.
func TestShutdownReleasesLeaseR2_3(t *testing.T) {
	db := storetest.DB(t)
	enqueue(t, db, "m1", "m2")
	started := make(chan struct{}, 2)
	var calls atomic.Int32
	a := NewWorker(db, nil, Config{Instance: "a", Drain: time.Millisecond})
	a.Handle(kindPublish, func(hctx context.Context, _ models.OutboxMessage) (string, error) {
		calls.Add(1)
		started <- struct{}{}
		<-hctx.Done() // the platform never answers
		return "", apperr.Wrap(hctx.Err(), apperr.Unavailable, "platform call cancelled")
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := runWorker(a, ctx)
	testwait.Recv(t, started, "the first delivery to start")
	testwait.Recv(t, started, "the second delivery to start")
	cancel() // SIGTERM
	testwait.Recv(t, stopped, "Run to return")
	noLease(t, db)
	for _, k := range []string{"m1", "m2"} {
		if m := message(t, db, k); m.Status != models.OutboxPending || m.Attempts != 0 || m.LastError != "" {
			t.Fatalf("after shutdown message = %+v", m)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("handler calls %d, want 2", n)
	}

	// Another instance, on the wall clock: no lease to wait out.
	rec := newRecorder(nil)
	b := newWorker(db, nil, Config{Instance: "b"}, rec)
	if n := runOnce(t, b); n != 2 {
		t.Fatalf("b delivered %d, want 2 at once", n)
	}
	for _, k := range []string{"m1", "m2"} {
		if got := rec.count(rec.successes, k); got != 1 {
			t.Fatalf("%s delivered %d times, want 1", k, got)
		}
	}
	if n := runOnce(t, b); n != 0 {
		t.Fatalf("delivered again: %d", n)
	}
}

// R2.3: messages claimed as the shutdown begins are released without a
// handler call.
func TestShutdownBeforeDeliveryStartsReleasesR2_3(t *testing.T) {
	db := storetest.DB(t)
	enqueue(t, db, "m1")
	rec := newRecorder(nil)
	w := newWorker(db, nil, Config{Instance: "a"}, rec)
	msgs, err := w.claim(context.Background())
	if err != nil || len(msgs) != 1 {
		t.Fatalf("claim = %v, %v", msgs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if w.deliver(ctx, ctx, msgs[0]) || rec.count(rec.calls, "m1") != 0 {
		t.Fatalf("a delivery started after the shutdown")
	}
	noLease(t, db)
}

// R2.3: two workers draining the outbox concurrently deliver every message
// exactly once.
func TestConcurrentWorkersR2_3(t *testing.T) {
	db := storetest.DB(t)
	keys := make([]string, 50)
	for i := range keys {
		keys[i] = fmt.Sprintf("m%02d", i)
	}
	enqueue(t, db, keys...)
	rec := newRecorder(nil)
	workers := []*Worker{
		newWorker(db, nil, Config{Instance: "a", Batch: 5}, rec),
		newWorker(db, nil, Config{Instance: "b", Batch: 7}, rec),
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(workers))
	for _, w := range workers {
		wg.Go(func() {
			for round := 0; round < 200; round++ {
				if _, err := w.RunOnce(context.Background()); err != nil {
					errs <- err
					return
				}
				st, err := w.Stats(context.Background())
				if err != nil {
					errs <- err
					return
				}
				if st[models.OutboxPending] == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("worker: %v", err)
	}
	for _, k := range keys {
		if s, d := rec.count(rec.successes, k), rec.count(rec.dones, k); s != 1 || d != 1 {
			t.Errorf("%s: delivered %d times, OnDone %d times; want 1 and 1", k, s, d)
		}
	}
	st, err := workers[0].Stats(context.Background())
	if err != nil || st[models.OutboxDone] != 50 || st[models.OutboxPending] != 0 || st[models.OutboxDead] != 0 {
		t.Fatalf("Stats = %v, %v", st, err)
	}
}

// R2.3: on MariaDB a claim skips rows another transaction has locked
// instead of waiting for them (SELECT ... FOR UPDATE SKIP LOCKED).
func TestClaimSkipsLockedRowsR2_3(t *testing.T) {
	db := storetest.DB(t)
	if !store.IsMySQL(db) {
		t.Skip("SKIP LOCKED is the MariaDB path; SQLite has a single writer")
	}
	enqueue(t, db, "m1", "m2")
	tx := db.Begin()
	defer tx.Rollback()
	var locked models.OutboxMessage
	if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where("`key` = ?", "m1").Take(&locked).Error; err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(nil)
	w := newWorker(db, nil, Config{}, rec)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if n, err := w.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("RunOnce = %d, %v; want the unlocked message only", n, err)
	}
	if rec.count(rec.calls, "m1") != 0 || rec.count(rec.successes, "m2") != 1 {
		t.Fatalf("calls = %v", rec.calls)
	}
}

// R2.3: permanent errors send a message to DEAD at once; transient ones are
// retried until MaxAttempts.
func TestErrorClassesR2_3(t *testing.T) {
	cause := errors.New("raw upstream text with token=xyz")
	for _, tc := range []struct {
		name     string
		err      error
		want     models.OutboxStatus
		wantText string
	}{
		{"invalid", apperr.InvalidField("title", "must not be empty"), models.OutboxDead, "INVALID: must not be empty"},
		{"not found", apperr.Wrap(cause, apperr.NotFound, "no such subject"), models.OutboxDead, "NOT_FOUND: no such subject"},
		{"key reused", apperr.Wrap(cause, apperr.Conflict, "key reused").WithReason("IDEMPOTENCY_KEY_REUSED"), models.OutboxDead, "CONFLICT: key reused [IDEMPOTENCY_KEY_REUSED]"},
		{"precondition", apperr.Precondition("WITHDRAWN", "already withdrawn"), models.OutboxDead, "FAILED_PRECONDITION: already withdrawn [WITHDRAWN]"},
		{"unavailable", apperr.Wrap(cause, apperr.Unavailable, "platform down"), models.OutboxPending, "UNAVAILABLE: platform down"},
		{"internal", apperr.Wrap(cause, apperr.Internal, "bad reply"), models.OutboxPending, "INTERNAL: bad reply"},
		{"plain error", cause, models.OutboxPending, "INTERNAL: delivery failed"},
		{"timeout", fmt.Errorf("call: %w", context.DeadlineExceeded), models.OutboxPending, "UNAVAILABLE: delivery timed out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.DB(t)
			w := newWorker(db, newClock(), Config{}, newRecorder(func(string, int) error { return tc.err }))
			enqueue(t, db, "m1")
			runOnce(t, w)
			m := message(t, db, "m1")
			if m.Status != tc.want || m.Attempts != 1 || m.LastError != tc.wantText || m.LockedBy != "" {
				t.Fatalf("message = %+v", m)
			}
		})
	}

	t.Run("panic", func(t *testing.T) {
		db := storetest.DB(t)
		w := newWorker(db, newClock(), Config{}, newRecorder(func(string, int) error { panic("boom") }))
		enqueue(t, db, "m1")
		runOnce(t, w)
		if m := message(t, db, "m1"); m.Status != models.OutboxPending || m.Attempts != 1 || m.LastError != "INTERNAL: 待发消息处理程序异常" {
			t.Fatalf("message = %+v", m)
		}
	})

	t.Run("max attempts", func(t *testing.T) {
		db := storetest.DB(t)
		c := newClock()
		rec := newRecorder(func(string, int) error { return apperr.New(apperr.Unavailable, "down") })
		w := newWorker(db, c, Config{Outbox: config.Outbox{MaxAttempts: 3}}, rec)
		enqueue(t, db, "m1")
		for range 5 {
			runOnce(t, w)
			c.advance(w.cfg.MaxBackoff)
		}
		m := message(t, db, "m1")
		if m.Status != models.OutboxDead || m.Attempts != 3 || rec.count(rec.calls, "m1") != 3 {
			t.Fatalf("message = %+v, calls %d", m, rec.count(rec.calls, "m1"))
		}
	})
}

// R2.3: the wait between attempts grows exponentially up to MaxBackoff and
// honours a longer RetryAfter.
func TestBackoffR2_3(t *testing.T) {
	cfg := Config{Outbox: config.Outbox{BaseBackoff: time.Second, MaxBackoff: 30 * time.Second, MaxAttempts: 100}}
	w := NewWorker(nil, nil, cfg)
	for attempt := 1; attempt <= 70; attempt++ {
		full := min(time.Second<<min(attempt-1, 5), 30*time.Second)
		for range 20 {
			if d := w.backoff(attempt); d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, d, full/2, full)
			}
		}
	}

	db := storetest.DB(t)
	c := newClock()
	retryAfter := time.Duration(0)
	w = newWorker(db, c, cfg, newRecorder(func(string, int) error {
		return &apperr.Error{Code: apperr.RateLimited, Message: "slow down", RetryAfter: retryAfter}
	}))
	enqueue(t, db, "m1")
	for attempt := 1; attempt <= 8; attempt++ {
		full := min(time.Second<<(attempt-1), cfg.MaxBackoff) // 1s 2s 4s … 30s
		before := c.now()
		runOnce(t, w)
		m := message(t, db, "m1")
		wait := m.NextAttemptAt.Sub(before)
		if m.Attempts != attempt || wait < full/2-time.Millisecond || wait > full {
			t.Fatalf("attempt %d: wait %v, want in [%v, %v] (attempts %d)", attempt, wait, full/2, full, m.Attempts)
		}
		c.advance(wait + time.Millisecond)
	}

	retryAfter = time.Hour // capped at MaxBackoff
	before := c.now()
	runOnce(t, w)
	if wait := message(t, db, "m1").NextAttemptAt.Sub(before); wait < cfg.MaxBackoff-time.Millisecond {
		t.Fatalf("RetryAfter ignored: wait %v", wait)
	}
}

// R2.3: OnDone commits with the DONE mark or not at all; when it fails the
// message is retried and OnDone's writes are rolled back.
func TestOnDoneAtomicR2_3(t *testing.T) {
	db := storetest.DB(t)
	c := newClock()
	rec := newRecorder(nil)
	w := newWorker(db, c, Config{}, nil)
	calls := 0
	w.Handle(kindPublish, rec.handle, func(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, _ string) error {
		calls++
		if err := Enqueue(ctx, tx, Message{Key: "follow-" + msg.Key, Kind: "FOLLOW", Payload: nil}); err != nil {
			return err
		}
		if calls == 1 {
			return apperr.New(apperr.Unavailable, "database busy")
		}
		return nil
	})
	enqueue(t, db, "m1")
	if n := runOnce(t, w); n != 0 {
		t.Fatalf("delivered %d with a failing OnDone", n)
	}
	if m := message(t, db, "m1"); m.Status != models.OutboxPending || m.Attempts != 1 || m.LastError != "UNAVAILABLE: database busy" {
		t.Fatalf("message = %+v", m)
	}
	if n := countMessages(t, db); n != 1 {
		t.Fatalf("OnDone's write survived its rollback: %d messages", n)
	}
	c.advance(w.cfg.MaxBackoff)
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("retry delivered %d", n)
	}
	if m := message(t, db, "follow-m1"); m.Kind != "FOLLOW" || m.Payload != "null" {
		t.Fatalf("follow-up = %+v", m)
	}
	if m := message(t, db, "m1"); m.Status != models.OutboxDone || m.Attempts != 2 {
		t.Fatalf("message = %+v", m)
	}
}

// R2.3: a worker claims only the kinds it handles.
func TestClaimsOnlyHandledKinds(t *testing.T) {
	db := storetest.DB(t)
	err := db.Transaction(func(tx *gorm.DB) error {
		return Enqueue(context.Background(), tx, Message{Key: "other", Kind: "OTHER"})
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(nil)
	if n := runOnce(t, NewWorker(db, nil, Config{})); n != 0 {
		t.Fatalf("a worker without handlers delivered %d", n)
	}
	if n := runOnce(t, newWorker(db, nil, Config{}, rec)); n != 0 {
		t.Fatalf("delivered %d messages of an unhandled kind", n)
	}
	if m := message(t, db, "other"); m.LockedBy != "" || m.Attempts != 0 {
		t.Fatalf("unhandled message touched: %+v", m)
	}
}

// R2.3: an ADMIN requeues a DEAD message, which is then delivered.
func TestRetryDeadR2_3(t *testing.T) {
	db := storetest.DB(t)
	c := newClock()
	rec := newRecorder(func(key string, call int) error {
		if key == "dead" && call == 1 {
			return apperr.New(apperr.Invalid, "rejected")
		}
		return nil
	})
	w := newWorker(db, c, Config{}, rec)
	enqueue(t, db, "dead", "pending")
	runOnce(t, w) // dead → DEAD; pending → DONE on its first call
	dead := message(t, db, "dead")
	if dead.Status != models.OutboxDead {
		t.Fatalf("message = %+v", dead)
	}
	done := message(t, db, "pending")
	staff := reqctx.WithActor(context.Background(), &reqctx.Actor{UserID: "s", Role: models.RoleStaff})
	for _, tc := range []struct {
		name string
		ctx  context.Context
		id   uint64
		code apperr.Code
	}{
		{"anonymous", context.Background(), dead.ID, apperr.Unauthenticated},
		{"staff", staff, dead.ID, apperr.Forbidden},
		{"unknown", adminCtx(), dead.ID + done.ID + 100, apperr.NotFound},
		{"not dead", adminCtx(), done.ID, apperr.FailedPrecondition},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := w.Retry(tc.ctx, tc.id); apperr.CodeOf(err) != tc.code {
				t.Fatalf("Retry = %v, want %s", err, tc.code)
			}
		})
	}
	if m := message(t, db, "dead"); m.Status != models.OutboxDead {
		t.Fatalf("a refused Retry changed the message: %+v", m)
	}

	if err := w.Retry(adminCtx(), dead.ID); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if m := message(t, db, "dead"); m.Status != models.OutboxPending || m.Attempts != 0 {
		t.Fatalf("requeued message = %+v", m)
	}
	var audits int64
	if err := db.Model(&models.AuditEntry{}).Where("action = ? AND subject_id = ? AND actor_id = ?", "OUTBOX_RETRY", fmt.Sprint(dead.ID), "admin-1").Count(&audits).Error; err != nil || audits != 1 {
		t.Fatalf("audit entries = %d, %v", audits, err)
	}
	if n := runOnce(t, w); n != 1 || rec.count(rec.successes, "dead") != 1 {
		t.Fatalf("requeued message delivered %d", n)
	}
}

// List filters by status and is for ADMINs only.
func TestList(t *testing.T) {
	db := storetest.DB(t)
	w := newWorker(db, newClock(), Config{}, newRecorder(func(key string, _ int) error {
		if key == "bad" {
			return apperr.New(apperr.Conflict, "key reused")
		}
		return nil
	}))
	enqueue(t, db, "bad", "good")
	runOnce(t, w)
	enqueue(t, db, "new")
	for _, tc := range []struct {
		status models.OutboxStatus
		limit  int
		want   []string
	}{
		{"", 0, []string{"new", "good", "bad"}},
		{"", 2, []string{"new", "good"}},
		{models.OutboxDead, 0, []string{"bad"}},
		{models.OutboxDone, 0, []string{"good"}},
		{models.OutboxPending, 0, []string{"new"}},
	} {
		t.Run(string(tc.status)+fmt.Sprint(tc.limit), func(t *testing.T) {
			msgs, err := w.List(adminCtx(), tc.status, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range msgs {
				got = append(got, m.Key)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("List = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := w.List(adminCtx(), "LOST", 0); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("List(LOST) = %v", err)
	}
	if _, err := w.List(context.Background(), "", 0); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("anonymous List = %v", err)
	}
}

// Run delivers a message enqueued while it waits, when notified.
func TestRunNotify(t *testing.T) {
	db := storetest.DB(t)
	delivered := make(chan string, 1)
	w := NewWorker(db, nil, Config{Outbox: config.Outbox{PollInterval: time.Hour}})
	w.Handle(kindPublish, func(_ context.Context, m models.OutboxMessage) (string, error) {
		delivered <- m.Key
		return "ok", nil
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { w.Run(ctx); close(stopped) }()
	enqueue(t, db, "m1")
	w.Notify()
	if key := <-delivered; key != "m1" {
		t.Fatalf("delivered %q", key)
	}
	cancel()
	<-stopped
}
