package store

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// TxAttempts bounds the tries of a transaction that the database aborted
// as a deadlock victim or on a lock wait timeout (see Retryable).
const TxAttempts = 5

// Retryable reports whether err's chain carries MySQL/MariaDB's deadlock
// (1213) or lock wait timeout (1205): the database rolled the transaction
// back (Transaction rolls back what a lock wait timeout left), so running
// it again from the start is safe. SQLite answers false: its transactions
// begin IMMEDIATE (see SQLiteDSN), so writers queue for the file's one lock
// and cannot deadlock, and SQLITE_BUSY comes only after the busy timeout —
// an outage (IsUnavailable), not a lost race worth repeating.
func Retryable(err error) bool {
	return retryClass(err) != ""
}

// retryClass names the retryable failure err carries, "" for any other.
func retryClass(err error) string {
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok {
		switch me.Number {
		case 1213:
			return "deadlock"
		case 1205:
			return "lock_wait_timeout"
		}
	}
	return ""
}

// Transaction runs fn in a new transaction on db and commits it when fn
// returns nil. When the database aborts it as a deadlock victim or on a
// lock wait timeout (Retryable), the whole transaction runs again, at most
// TxAttempts times in all, after a short jittered pause and while ctx
// lasts; each retry is logged at WARN with the error class (never the
// statement). fn must therefore have no effect outside the transaction —
// no notification sent, cache changed or counter kept across tries; such
// work belongs after Transaction returns.
//
// On a handle already bound to a transaction, fn runs in a savepoint of
// that transaction, once, as gorm's own Transaction does: only the
// outermost transaction can be run again.
//
// opts are the new transaction's options (an isolation level); a
// savepoint ignores them.
//
// It returns fn's error (or the commit's) as it is.
func Transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error, opts ...*sql.TxOptions) error {
	if InTransaction(db) {
		return db.WithContext(ctx).Transaction(fn)
	}
	b := &backoff.ExponentialBackOff{InitialInterval: 20 * time.Millisecond, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: 500 * time.Millisecond}
	var last error
	attempt := 0
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempt++
		last = db.WithContext(ctx).Transaction(fn, opts...)
		if last != nil && !Retryable(last) {
			return struct{}{}, backoff.Permanent(last)
		}
		return struct{}{}, last
	}, backoff.WithBackOff(b), backoff.WithMaxTries(TxAttempts), backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			txLogger(db).WarnContext(ctx, "database transaction aborted; running it again",
				"class", retryClass(err), "attempt", attempt, "retryIn", wait)
		}))
	if err != nil && last != nil {
		// The transaction's own error, rather than backoff's wrapper or
		// ctx's cause when ctx ended during a pause.
		return last
	}
	return err
}

// InTransaction reports whether db is bound to a transaction (gorm's own
// test: its Transaction then makes a savepoint).
func InTransaction(db *gorm.DB) bool {
	c, ok := db.Statement.ConnPool.(gorm.TxCommitter)
	return ok && c != nil
}

// txLogKey is the gorm setting that carries the logger of Transaction.
const txLogKey = "creditwater:tx_logger"

// WithLogger returns db with log as the logger of Transaction's retries
// on it and on every handle derived from it (slog.Default() otherwise).
func WithLogger(db *gorm.DB, log *slog.Logger) *gorm.DB {
	return db.Set(txLogKey, log).Session(&gorm.Session{})
}

func txLogger(db *gorm.DB) *slog.Logger {
	if v, ok := db.Get(txLogKey); ok {
		if l, ok := v.(*slog.Logger); ok && l != nil {
			return l
		}
	}
	return slog.Default()
}
