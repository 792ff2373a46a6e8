// Package outbox is the transactional outbox of creditwater (R2.3): a change
// and the message announcing it to the outside world commit in one
// transaction (Enqueue), and a Worker delivers the messages with retries.
//
// Guarantees. A message is never lost: it is a row written with the
// business change. Delivery is at least once; combined with the message Key
// passed to the receiver as its idempotency key (the credit platform keeps
// one publication per key), the effect is exactly once. Several workers, in
// one process or on many instances, share the table safely: a worker claims
// due messages with a lease (SELECT ... FOR UPDATE SKIP LOCKED on MariaDB, a
// conditional UPDATE on SQLite's single writer), delivers outside the claim
// transaction and records the outcome only while it still holds the lease,
// so a message is marked DONE, and its OnDone runs, exactly once. A worker
// that dies mid-delivery leaves a lease that expires; the message is then
// claimed again. Messages are not ordered with respect to one another.
//
// Errors. A handler error is classified by its apperr code. INVALID,
// NOT_FOUND, CONFLICT and FAILED_PRECONDITION are permanent: retrying the
// same request cannot succeed (CONFLICT from the idempotent platform means
// the key was reused with a different payload), so the message goes to DEAD
// at once. Every other error (UNAVAILABLE, RATE_LIMITED, INTERNAL, plain
// errors, timeouts, and UNAUTHENTICATED/FORBIDDEN, which a credentials fix
// cures) is retried with capped exponential backoff and jitter until
// MaxAttempts, then the message goes to DEAD. DEAD messages are logged at
// error level and wait for an ADMIN's Retry.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/models"
)

// Message is what a caller enqueues.
type Message struct {
	// Key is the idempotency key (1 to 100 bytes), e.g.
	// "commitment:<id>:publish"; the receiver sees it on every attempt.
	Key string
	// Kind selects the Handler (1 to 40 bytes).
	Kind string
	// AggregateID is the public ID of the entity the message is about.
	AggregateID string
	// Payload is marshalled to JSON.
	Payload any
}

// Enqueue writes m in the caller's transaction tx, so it commits or rolls
// back with the change that causes it. Enqueuing a Key that already exists
// keeps the existing message and is not an error. Call Worker.Notify after
// the commit to deliver at once rather than at the next poll. It returns
// INVALID for a missing or oversized Key/Kind/AggregateID or a payload that
// cannot be marshalled, and INTERNAL when the row cannot be written.
func Enqueue(ctx context.Context, tx *gorm.DB, m Message) error {
	switch {
	case tx == nil:
		return apperr.New(apperr.Internal, "待发消息：缺少事务")
	case m.Key == "" || len(m.Key) > 100:
		return apperr.InvalidField("key", "须为 1 至 100 字节")
	case m.Kind == "" || len(m.Kind) > 40:
		return apperr.InvalidField("kind", "须为 1 至 40 字节")
	case len(m.AggregateID) > 36:
		return apperr.InvalidField("aggregateId", "最多 36 字节")
	}
	payload, err := json.Marshal(m.Payload)
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "待发消息内容无法编码为 JSON").WithReason("PAYLOAD")
	}
	row := models.OutboxMessage{
		Key: m.Key, Kind: m.Kind, AggregateID: m.AggregateID, Payload: string(payload),
		Status: models.OutboxPending, NextAttemptAt: dbTime(time.Now()),
	}
	if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法保存待发消息")
	}
	return nil
}

// permanent reports whether err means retrying the same message is futile.
func permanent(err error) bool {
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.NotFound, apperr.Conflict, apperr.FailedPrecondition:
		return true
	}
	return false
}

// safeText is what LastError keeps of err: its apperr code, reason and
// caller-safe message, never the wrapped cause (raw upstream text).
func safeText(err error) string {
	var s string
	switch e := apperr.As(err); {
	case e != nil:
		s = string(e.Code) + ": " + e.Message
		if e.Reason != "" {
			s += " [" + e.Reason + "]"
		}
	case errors.Is(err, context.DeadlineExceeded):
		s = string(apperr.Unavailable) + ": delivery timed out"
	default:
		s = string(apperr.Internal) + ": delivery failed"
	}
	return truncate(s, 500)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// dbTime is t as the database keeps it: UTC, millisecond precision (MariaDB
// DATETIME(3)), so values written and compared by the worker agree.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
