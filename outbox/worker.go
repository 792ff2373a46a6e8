package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/config"
	"creditwater/models"
	"creditwater/store"
)

// Handler delivers one message, e.g. calls the credit platform's Publish
// with msg.Key as the idempotency key, and returns a short result (such as
// the publication ID) kept on the message. Its ctx ends after half the lease,
// or when a shutdown's Drain has passed.
type Handler func(ctx context.Context, msg models.OutboxMessage) (result string, err error)

// OnDone runs in the transaction that marks msg DONE, e.g. to move an
// application to PUBLISHED; when it fails neither change is kept and the
// message is retried (or goes to DEAD on a permanent error).
type OnDone func(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, result string) error

// Config tunes a Worker; zero fields take the defaults.
type Config struct {
	// Instance names this process in leases and logs (default host-pid).
	Instance string
	// Batch is how many messages one claim takes (default 10, max 100).
	Batch int
	// Drain is how long in-flight deliveries may go on after Run's context
	// ends (a shutdown) before their handlers are cancelled and their
	// leases released (default 10 s).
	Drain time.Duration
	// Outbox is the configuration passed whole: PollInterval, the idle wait
	// of Run (default 1 s); MaxAttempts, how many failed attempts send a
	// message to DEAD (default 20); BaseBackoff, the wait after the first
	// failure, doubling per failure (default 2 s); MaxBackoff, its cap
	// (default 10 min); Lease, how long a claim is exclusive (default 1
	// min): the wait before another worker takes over the messages of a
	// worker that died. A handler gets half of it.
	config.Outbox
}

func (c Config) withDefaults() Config {
	if c.Instance == "" {
		host, _ := os.Hostname()
		c.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	c.Instance = truncate(c.Instance, 100)
	if c.Batch <= 0 {
		c.Batch = 10
	}
	c.Batch = min(c.Batch, 100)
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Drain <= 0 {
		c.Drain = 10 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 20
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = 2 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	c.MaxBackoff = max(c.MaxBackoff, c.BaseBackoff)
	return c
}

type route struct {
	handle Handler
	done   OnDone
}

// Worker claims due messages and delivers them through the handler of
// their kind. Any number of workers may share one database.
type Worker struct {
	db     *gorm.DB
	log    *slog.Logger
	audit  *audit.Log
	cfg    Config
	now    func() time.Time
	wake   chan struct{}
	mu     sync.RWMutex
	routes map[string]route
}

// NewWorker returns a worker over db; register handlers with Handle before
// Run. A nil logger discards logs.
func NewWorker(db *gorm.DB, logger *slog.Logger, cfg Config) *Worker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{
		db: db, log: logger.With("component", "outbox"), audit: audit.New(db), cfg: cfg.withDefaults(),
		now: time.Now, wake: make(chan struct{}, 1), routes: map[string]route{},
	}
}

// Handle makes h deliver messages of kind; done may be nil. The worker
// claims only kinds it has a handler for.
func (w *Worker) Handle(kind string, h Handler, done OnDone) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.routes[kind] = route{handle: h, done: done}
}

// Notify wakes Run at once, e.g. after a transaction that enqueued a
// message commits. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx ends: it claims again at once after a
// full batch, otherwise after PollInterval or a Notify. Errors are logged.
//
// When ctx ends (a shutdown) Run claims nothing more; the deliveries in
// flight may finish within Drain, then their handlers are cancelled and the
// messages they did not deliver are released (their leases cleared, no
// attempt counted) so another instance takes them at once. Run returns when
// every delivery has ended and its outcome is recorded.
func (w *Worker) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-w.wake:
		}
		claimed, _, err := w.runOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.log.ErrorContext(ctx, "outbox round failed", "code", apperr.CodeOf(err))
		}
		wait := w.cfg.PollInterval
		if err == nil && claimed == w.cfg.Batch {
			wait = 0
		}
		timer.Reset(wait)
	}
}

// RunOnce claims up to Batch due messages, delivers them concurrently and
// records each outcome. It returns how many were delivered (marked DONE),
// and INTERNAL when the claim fails; delivery failures are recorded on the
// messages, not returned. When ctx ends meanwhile the deliveries are drained
// as in Run.
func (w *Worker) RunOnce(ctx context.Context) (delivered int, err error) {
	_, delivered, err = w.runOnce(ctx)
	return delivered, err
}

func (w *Worker) runOnce(ctx context.Context) (claimed, delivered int, err error) {
	msgs, err := w.claim(ctx)
	if err != nil {
		return 0, 0, err
	}
	// The deliveries outlive ctx by Drain (see Run).
	dctx, cancel := w.drainContext(ctx)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	for _, m := range msgs {
		wg.Go(func() {
			if w.deliver(ctx, dctx, m) {
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return len(msgs), int(n.Load()), nil
}

// drainContext returns a context that ends Drain after ctx ends.
func (w *Worker) drainContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(w.cfg.Drain)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-dctx.Done():
		}
	})
	return dctx, func() { stop(); cancel() }
}

func (w *Worker) kinds() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	ks := make([]string, 0, len(w.routes))
	for k := range w.routes {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (w *Worker) route(kind string) route {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.routes[kind]
}

// claim leases up to Batch due messages to a fresh token and returns them.
// A message is due when PENDING, its NextAttemptAt has come and it has no
// live lease (an expired lease is a crashed worker's).
func (w *Worker) claim(ctx context.Context) ([]models.OutboxMessage, error) {
	kinds := w.kinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	now := dbTime(w.now())
	token := w.cfg.Instance + "/" + randHex(8)
	lease := map[string]any{"locked_by": token, "locked_until": now.Add(w.cfg.Lease)}
	due := func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&models.OutboxMessage{}).
			Where("status = ? AND kind IN ? AND next_attempt_at <= ?", models.OutboxPending, kinds, now).
			Where("(locked_until IS NULL OR locked_until <= ?)", now)
	}
	var ids []uint64
	db := w.db.WithContext(ctx)
	var err error
	if store.IsMySQL(db) {
		// Rows another worker is claiming are skipped, not waited for;
		// READ COMMITTED avoids gap locks that would block Enqueue.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := due(tx).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked}).
				Order("next_attempt_at, id").Limit(w.cfg.Batch).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
				return err
			}
			return tx.Model(&models.OutboxMessage{}).Where("id IN ?", ids).Updates(lease).Error
		}, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	} else {
		// SQLite has a single writer: the conditional UPDATE re-checks that
		// each candidate is still due, so a concurrent claim cannot share it.
		if err = due(db).Order("next_attempt_at, id").Limit(w.cfg.Batch).Pluck("id", &ids).Error; err == nil && len(ids) > 0 {
			err = due(db).Where("id IN ?", ids).Updates(lease).Error
		}
	}
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法领取待发消息")
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var msgs []models.OutboxMessage
	if err := db.Where("id IN ? AND locked_by = ?", ids, token).Order("id").Find(&msgs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取待发消息")
	}
	return msgs, nil
}

// deliver runs msg's handler under dctx (ctx, outliving it by Drain) and
// records the outcome; it reports whether the message is now DONE. A message
// whose delivery did not start before ctx ended, or was cut short by the end
// of the drain, is released.
func (w *Worker) deliver(ctx, dctx context.Context, msg models.OutboxMessage) bool {
	// The outcome is recorded even when ctx has just ended (shutdown).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ctx.Err() != nil {
		w.release(rctx, msg) // shutting down: not started, hand it back
		return false
	}
	r := w.route(msg.Kind)
	hctx, hcancel := context.WithTimeout(dctx, w.cfg.Lease/2)
	result, err := safeCall(hctx, r.handle, msg)
	hcancel()
	if err != nil && dctx.Err() != nil {
		// Cut short by the shutdown: not the message's fault, hand it back
		// uncounted.
		w.release(rctx, msg)
		return false
	}
	if err == nil {
		err = w.finish(rctx, msg, result, r.done)
		if err == nil {
			return true
		}
		if errors.Is(err, errLostLease) {
			w.log.WarnContext(ctx, "outbox lease lost before finishing; another worker owns the message", "id", msg.ID, "key", msg.Key)
			return false
		}
	}
	w.fail(rctx, msg, err)
	return false
}

func safeCall(ctx context.Context, h Handler, msg models.OutboxMessage) (result string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = apperr.New(apperr.Internal, "待发消息处理程序异常")
		}
	}()
	return h(ctx, msg)
}

var errLostLease = errors.New("outbox: lease lost")

// finish marks msg DONE and runs done in one transaction, guarded by the
// lease token so a worker whose lease was taken over changes nothing.
func (w *Worker) finish(ctx context.Context, msg models.OutboxMessage, result string, done OnDone) error {
	now := dbTime(w.now())
	return w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.OutboxMessage{}).
			Where("id = ? AND locked_by = ? AND status = ?", msg.ID, msg.LockedBy, models.OutboxPending).
			Updates(map[string]any{
				"status": models.OutboxDone, "result": truncate(result, 255), "done_at": now,
				"attempts": gorm.Expr("attempts + 1"), "locked_by": "", "locked_until": nil,
			})
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "无法将待发消息标记为已完成")
		}
		if res.RowsAffected == 0 {
			return errLostLease
		}
		if done == nil {
			return nil
		}
		msg.Status, msg.Result, msg.DoneAt, msg.Attempts = models.OutboxDone, truncate(result, 255), &now, msg.Attempts+1
		msg.LockedBy, msg.LockedUntil = "", nil
		return done(ctx, tx, msg, result)
	})
}

// fail records a failed attempt: the message waits for its backoff, or
// goes to DEAD after MaxAttempts or on a permanent error.
func (w *Worker) fail(ctx context.Context, msg models.OutboxMessage, cause error) {
	attempts := msg.Attempts + 1
	dead := permanent(cause) || attempts >= w.cfg.MaxAttempts
	wait := w.backoff(attempts)
	if e := apperr.As(cause); e != nil && e.RetryAfter > wait {
		wait = min(e.RetryAfter, w.cfg.MaxBackoff)
	}
	status := models.OutboxPending
	if dead {
		status = models.OutboxDead
	}
	text := safeText(cause)
	err := w.db.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("id = ? AND locked_by = ? AND status = ?", msg.ID, msg.LockedBy, models.OutboxPending).
		Updates(map[string]any{
			"status": status, "attempts": attempts, "next_attempt_at": dbTime(w.now().Add(wait)),
			"last_error": text, "locked_by": "", "locked_until": nil,
		}).Error
	attrs := []any{"id", msg.ID, "key", msg.Key, "kind", msg.Kind, "attempts", attempts, "error", text}
	switch {
	case err != nil:
		w.log.ErrorContext(ctx, "could not record an outbox failure", append(attrs, "code", apperr.CodeOf(err))...)
	case dead:
		w.log.ErrorContext(ctx, "outbox message is DEAD and needs an administrator", attrs...)
	default:
		w.log.WarnContext(ctx, "outbox delivery failed; will retry", append(attrs, "retryIn", wait)...)
	}
}

// release hands msg back without counting an attempt, due at once for
// any worker. When it cannot be written the lease simply expires.
func (w *Worker) release(ctx context.Context, msg models.OutboxMessage) {
	err := w.db.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("id = ? AND locked_by = ?", msg.ID, msg.LockedBy).
		Updates(map[string]any{"locked_by": "", "locked_until": nil}).Error
	if err != nil {
		w.log.ErrorContext(ctx, "could not release an outbox lease; it expires by itself", "id", msg.ID, "code", apperr.CodeOf(err))
		return
	}
	w.log.InfoContext(ctx, "outbox lease released at shutdown", "id", msg.ID, "key", msg.Key)
}

// backoff is the wait after the given failed attempt: BaseBackoff doubled
// per earlier failure, capped at MaxBackoff, with "equal jitter": a random
// point in its upper half, so workers do not retry in lockstep and, below the
// cap, a wait is never shorter than the one before.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.cfg.BaseBackoff
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d = min(d, w.cfg.MaxBackoff/2) * 2
	}
	d = min(d, w.cfg.MaxBackoff)
	half := d / 2
	return half + time.Duration(mrand.Int64N(int64(d-half)+1))
}

// Stats counts messages by status, every status present, for metrics. It
// returns INTERNAL when the database fails.
func (w *Worker) Stats(ctx context.Context) (map[models.OutboxStatus]int64, error) {
	var rows []struct {
		Status models.OutboxStatus
		N      int64
	}
	if err := w.db.WithContext(ctx).Model(&models.OutboxMessage{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法统计待发消息")
	}
	out := map[models.OutboxStatus]int64{models.OutboxPending: 0, models.OutboxDone: 0, models.OutboxDead: 0}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// List returns up to limit messages (default 50, max 500), newest first,
// with the given status or any when status is "". It returns
// UNAUTHENTICATED/FORBIDDEN unless the actor is an ADMIN, INVALID (field
// "status") for an unknown status, and INTERNAL when the database fails.
func (w *Worker) List(ctx context.Context, status models.OutboxStatus, limit int) ([]models.OutboxMessage, error) {
	if _, err := auth.Require(ctx, models.RoleAdmin); err != nil {
		return nil, err
	}
	q := w.db.WithContext(ctx).Order("id DESC")
	switch status {
	case "":
	case models.OutboxPending, models.OutboxDone, models.OutboxDead:
		q = q.Where("status = ?", status)
	default:
		return nil, apperr.InvalidField("status", "须为 PENDING、DONE 或 DEAD")
	}
	if limit <= 0 {
		limit = 50
	}
	var msgs []models.OutboxMessage
	if err := q.Limit(min(limit, 500)).Find(&msgs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法列出待发消息")
	}
	return msgs, nil
}

// Retry requeues the DEAD message id for delivery now, with its attempt
// count reset, and writes an audit entry. It returns UNAUTHENTICATED/
// FORBIDDEN unless the actor is an ADMIN or a CREDIT_OFFICER (who answers
// for publications, R8.1), NOT_FOUND for an unknown id,
// FAILED_PRECONDITION (reason NOT_DEAD) when the message is not DEAD, and
// INTERNAL when the database fails.
func (w *Worker) Retry(ctx context.Context, id uint64) error {
	if _, err := auth.Require(ctx, models.RoleAdmin, models.RoleCreditOfficer); err != nil {
		return err
	}
	err := w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var msg models.OutboxMessage
		if err := tx.Select("id, status, kind").Take(&msg, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "没有编号为 %d 的待发消息", id)
		} else if err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法读取该待发消息")
		}
		res := tx.Model(&models.OutboxMessage{}).Where("id = ? AND status = ?", id, models.OutboxDead).
			Updates(map[string]any{"status": models.OutboxPending, "attempts": 0, "next_attempt_at": dbTime(w.now()), "locked_by": "", "locked_until": nil})
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "无法重新排队该待发消息")
		}
		if res.RowsAffected == 0 {
			return apperr.Precondition("NOT_DEAD", "只有 DEAD 状态的消息才能重试")
		}
		return w.audit.Record(ctx, tx, audit.Entry{
			Action: "OUTBOX_RETRY", SubjectType: "OUTBOX_MESSAGE", SubjectID: strconv.FormatUint(id, 10),
			Purpose: "requeue a message that gave up", Detail: "kind=" + msg.Kind,
		})
	})
	if err != nil {
		return err
	}
	w.Notify()
	return nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
