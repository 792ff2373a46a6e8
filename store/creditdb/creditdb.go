// Package creditdb is the SQL of the credit packages: it implements the
// stores they declare — record.Store, grade.Store, rules.Store,
// review.Store, review.Notices and usage.Store — with gorm on MySQL/MariaDB
// and SQLite. Every dialect branch of credit (store.IsMySQL: FOR UPDATE,
// CONCAT, ON DUPLICATE KEY, backquoted keys) lives here, and nothing of
// credit's rules: a method runs the query its doc comment names.
//
// Each store wraps a handle on the database or on one transaction; Tx
// binds a store to a new transaction, and the accessors (Records, Grades)
// give the other stores on the same handle, so one transaction spans
// records, tiers and requests. Errors are INTERNAL (*apperr.Error, with a
// caller-safe message) or credit.ErrDuplicate; "not found" is a false
// result, for the domain to name.
package creditdb

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/credit/rules"
	"creditwater/credit/usage"
	"creditwater/inbox"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/store"
)

// DB hands out the credit stores on one database.
type DB struct{ c conn }

// New returns the stores on db; log receives the audit entries the domain
// writes (nil: none), policy answers which subjects an enterprise user may
// see in lists.
func New(db *gorm.DB, log *audit.Log, policy *access.Policy) *DB {
	return &DB{c: conn{db: db, audit: log, policy: policy}}
}

// Records returns the record store.
func (d *DB) Records() *Records { return &Records{d.c} }

// Grades returns the tier store.
func (d *DB) Grades() *Grades { return &Grades{d.c} }

// Rules returns the store of the ARREARS rule and staff cases.
func (d *DB) Rules() *Rules { return &Rules{d.c} }

// Reviews returns the store of repair requests and objections.
func (d *DB) Reviews() *Reviews { return &Reviews{d.c} }

// Notices returns the staff notice store.
func (d *DB) Notices() *Notices { return &Notices{d.c} }

// Usage returns the usage store.
func (d *DB) Usage() *Usage { return &Usage{d.c} }

// RecordsDone adapts a completion written against record.Store to the
// outbox's OnDone: the store runs in the transaction that marks the
// message done.
func (d *DB) RecordsDone(f func(context.Context, record.Store, models.OutboxMessage, string) error) outbox.OnDone {
	return func(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, result string) error {
		return f(ctx, &Records{d.c.bound(tx)}, msg, result)
	}
}

// ReviewsDone is RecordsDone for review.Store.
func (d *DB) ReviewsDone(f func(context.Context, review.Store, models.OutboxMessage, string) error) outbox.OnDone {
	return func(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, result string) error {
		return f(ctx, &Reviews{d.c.bound(tx)}, msg, result)
	}
}

// The stores: Records implements record.Store, Grades grade.Store, Rules
// rules.Store, Reviews review.Store (tables repair_requests and objections,
// with request_events and evidences), Notices review.Notices and Usage
// usage.Store.
type (
	Records struct{ conn }
	Grades  struct{ conn }
	Rules   struct{ conn }
	Reviews struct{ conn }
	Notices struct{ conn }
	Usage   struct{ conn }
)

var (
	_ record.Store   = (*Records)(nil)
	_ grade.Store    = (*Grades)(nil)
	_ rules.Store    = (*Rules)(nil)
	_ review.Store   = (*Reviews)(nil)
	_ review.Notices = (*Notices)(nil)
	_ usage.Store    = (*Usage)(nil)
)

// Tx runs fn on a store bound to a transaction: a new one, or the store's
// own when it is bound to one already. So do the other stores' Tx.
func (s *Records) Tx(ctx context.Context, fn func(record.Store) error) error {
	return s.tx(ctx, func(c conn) error { return fn(&Records{c}) })
}

func (s *Grades) Tx(ctx context.Context, fn func(grade.Store) error) error {
	return s.tx(ctx, func(c conn) error { return fn(&Grades{c}) })
}

func (s *Rules) Tx(ctx context.Context, fn func(rules.Store) error) error {
	return s.tx(ctx, func(c conn) error { return fn(&Rules{c}) })
}

func (s *Reviews) Tx(ctx context.Context, fn func(review.Store) error) error {
	return s.tx(ctx, func(c conn) error { return fn(&Reviews{c}) })
}

// conn is a handle on the database, or on one transaction (inTx).
type conn struct {
	db     *gorm.DB
	inTx   bool
	audit  *audit.Log
	policy *access.Policy
}

// bound is c on the transaction tx.
func (c conn) bound(tx *gorm.DB) conn {
	c.db, c.inTx = tx, true
	return c
}

func (c conn) q(ctx context.Context) *gorm.DB { return c.db.WithContext(ctx) }

// tx runs fn on a handle bound to a transaction: c's own when it has one,
// a new one otherwise (store.Transaction), which runs fn again when the
// database aborts it as a deadlock victim — two confirmations regrading
// one subject at once. fn must keep no state across tries.
func (c conn) tx(ctx context.Context, fn func(conn) error) error {
	if c.inTx {
		return fn(c)
	}
	return store.Transaction(ctx, c.db, func(tx *gorm.DB) error { return fn(c.bound(tx)) })
}

// Audit appends an audit entry on c's handle; INTERNAL.
func (c conn) Audit(ctx context.Context, e audit.Entry) error {
	if c.audit == nil {
		return nil
	}
	return c.audit.Record(ctx, c.db, e)
}

// Enqueue writes an outbox message on c's handle (see outbox.Enqueue).
func (c conn) Enqueue(ctx context.Context, m outbox.Message) error {
	return outbox.Enqueue(ctx, c.db, m)
}

// Notify posts n to the inbox of the subject's users on c's handle (see
// inbox.ToSubject).
func (c conn) Notify(ctx context.Context, subjectID string, n models.Notice) error {
	return inbox.ToSubject(ctx, c.db, subjectID, n)
}

// find reads the first row matching where into dst; with lock, inside a
// transaction on MySQL, FOR UPDATE (SQLite's write transaction excludes
// other writers already). It returns whether a row was found, or INTERNAL
// naming what.
func (c conn) find(ctx context.Context, lock bool, dst any, what, where string, args ...any) (bool, error) {
	q := c.q(ctx).Where(where, args...).Limit(1)
	if lock && c.inTx && store.IsMySQL(c.db) {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	res := q.Find(dst)
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法读取%s", what)
	}
	return res.RowsAffected > 0, nil
}

// create inserts row: credit.ErrDuplicate on a unique key, or INTERNAL
// naming what.
func (c conn) create(ctx context.Context, row any, what string) error {
	if err := c.q(ctx).Create(row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return credit.ErrDuplicate
		}
		return apperr.Wrap(err, apperr.Internal, "无法保存%s", what)
	}
	return nil
}

// one reads the first row of T matching where (see conn.find).
func one[T any](ctx context.Context, c conn, lock bool, what, where string, args ...any) (T, bool, error) {
	var row T
	ok, err := c.find(ctx, lock, &row, what, where, args...)
	return row, ok, err
}

// list reads the rows of T matching where in order, at most limit (0: no
// limit); INTERNAL naming what.
func list[T any](ctx context.Context, c conn, what, order string, limit int, where string, args ...any) ([]T, error) {
	var rows []T
	q := c.q(ctx).Where(where, args...).Order(order)
	if limit > 0 {
		q = q.Limit(limit)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取%s", what)
	}
	return rows, nil
}

// Subject reads a subject (record.Store, grade.Store).
func (c conn) Subject(ctx context.Context, id string) (models.Subject, bool, error) {
	return one[models.Subject](ctx, c, false, "subject", "id = ?", id)
}

// Account reads an account (rules.Store, usage.Store).
func (c conn) Account(ctx context.Context, no string) (models.Account, bool, error) {
	return one[models.Account](ctx, c, false, "account", "account_no = ?", no)
}

// paidSQL is what was paid of bill b.
const paidSQL = `(SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p WHERE p.bill_no = b.bill_no)`
