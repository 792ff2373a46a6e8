package store

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// WriteStamp is a gorm plugin that counts, in a Redis key shared by every
// instance, the statements that changed rows of a set of tables: a cache
// of what those tables aggregate (the management statistics, R8.3) keeps
// the count it was computed at and is stale as soon as the count moved.
//
// It counts each create, update or delete gorm runs on one of the tables
// (Statement.Table) that affected a row, and each raw statement other
// than a read that names one of them (an UPDATE … JOIN, a bulk INSERT …
// SELECT). The count moves when the statement ran, which inside a
// transaction is before its COMMIT: a cache filled between the two holds
// the rows before the transaction until its own TTL. A Redis failure is
// logged and the write goes on (the caches' TTL bounds what it leaves
// stale).
type WriteStamp struct {
	rdb    redis.UniversalClient
	key    string
	tables []string
	log    *slog.Logger
}

// NewWriteStamp returns the plugin counting the writes to tables in key.
func NewWriteStamp(rdb redis.UniversalClient, key string, log *slog.Logger, tables ...string) *WriteStamp {
	return &WriteStamp{rdb: rdb, key: key, tables: tables, log: log}
}

// Name implements gorm.Plugin.
func (*WriteStamp) Name() string { return "creditwater:write_stamp" }

// Initialize implements gorm.Plugin: it counts after each statement.
func (w *WriteStamp) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("write_stamp:create", w.after),
		cb.Update().After("gorm:update").Register("write_stamp:update", w.after),
		cb.Delete().After("gorm:delete").Register("write_stamp:delete", w.after),
		cb.Raw().After("gorm:raw").Register("write_stamp:raw", w.afterRaw),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Read returns the count (0 before the first counted write).
func (w *WriteStamp) Read(ctx context.Context) (int64, error) {
	n, err := w.rdb.Get(ctx, w.key).Int64()
	if err == redis.Nil {
		return 0, nil
	}
	return n, err
}

func (w *WriteStamp) after(tx *gorm.DB) {
	if tx.Error != nil || tx.Statement.RowsAffected == 0 || !slices.Contains(w.tables, tx.Statement.Table) {
		return
	}
	w.bump(tx.Statement.Context)
}

func (w *WriteStamp) afterRaw(tx *gorm.DB) {
	if tx.Error != nil {
		return
	}
	q := strings.TrimSpace(tx.Statement.SQL.String())
	verb, _, _ := strings.Cut(q, " ")
	switch strings.ToUpper(verb) {
	case "SELECT", "SHOW", "EXPLAIN", "SET", "WITH", "PRAGMA", "ANALYZE":
		return
	}
	for _, t := range w.tables {
		if containsWord(q, t) {
			w.bump(tx.Statement.Context)
			return
		}
	}
}

// bump moves the count, on a context of its own: the write happened even
// when its caller's context ends now.
func (w *WriteStamp) bump(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := w.rdb.Incr(ctx, w.key).Err(); err != nil {
		w.log.Warn("write stamp not moved; caches of the written tables stale until their TTL", "err", err.Error())
	}
}

// containsWord reports whether q names word as a whole identifier (not a
// part of a longer one: "applications" is not in "application_events").
func containsWord(q, word string) bool {
	ident := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(q[i:], word)
		if j < 0 {
			return false
		}
		s, e := i+j, i+j+len(word)
		if (s == 0 || !ident(q[s-1])) && (e == len(q) || !ident(q[e])) {
			return true
		}
		i = s + 1
	}
}
