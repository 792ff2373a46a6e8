// Package writestamp counts, per table and in Redis, the writes the product
// makes (a gorm plugin), and caches values read from those tables for as
// long as their counts have not moved: the management statistics (R8.3)
// and the lists' capped totals.
package writestamp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
	"gorm.io/gorm"
)

// Plugin is a gorm plugin that counts, per table and in Redis (shared
// by every instance), the statements that changed its rows, and a cache of
// what is read from those tables that is valid only while their counts
// have not moved (Cached): the management statistics (R8.3) and the
// lists' capped totalCount (store.CountUpTo) answer from it until a write.
//
// It counts each create, update or delete gorm runs on a watched table
// (Statement.Table) that affected a row, and each raw statement other than
// a read that names watched tables (an UPDATE … JOIN, a bulk INSERT …
// SELECT). The count moves when the statement ran (after gorm's own
// transaction around it), which inside the caller's transaction is before
// its COMMIT (so it moves again a second later), and a read replica sees
// the write later still: a value cached in between holds the rows before
// the write until the next move or its TTL. A Redis failure is logged and
// the write goes on (the TTL bounds what it leaves stale); a write by
// anything but the product (a migration, plain SQL) is seen within the TTL
// too.
type Plugin struct {
	// CountTTL is how long CountUpTo keeps a count (0: it does not).
	CountTTL time.Duration

	rdb    redis.UniversalClient
	prefix string
	tables []string
	log    *slog.Logger
	group  singleflight.Group
}

// New returns the plugin counting the writes to tables, its keys
// under prefix.
func New(rdb redis.UniversalClient, prefix string, log *slog.Logger, tables ...string) *Plugin {
	return &Plugin{rdb: rdb, prefix: prefix, tables: tables, log: log}
}

// stampKey is the key of table's count; the hash tag puts them in one slot
// of a Redis Cluster, so that one MGET reads several.
func (w *Plugin) stampKey(table string) string { return w.prefix + "{writes}:" + table }

// Of returns the Plugin on db, nil when it has none (Cached on
// nil only computes).
func Of(db *gorm.DB) *Plugin {
	w, _ := db.Config.Plugins[(*Plugin)(nil).Name()].(*Plugin)
	return w
}

// Watches reports whether table's writes are counted.
func (w *Plugin) Watches(table string) bool { return w != nil && slices.Contains(w.tables, table) }

// Name implements gorm.Plugin.
func (*Plugin) Name() string { return "creditwater:write_stamp" }

// Initialize implements gorm.Plugin: it counts after each statement.
func (w *Plugin) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	for _, err := range []error{
		// After the COMMIT of gorm's own transaction around one statement.
		cb.Create().After("gorm:commit_or_rollback_transaction").Register("write_stamp:create", w.after),
		cb.Update().After("gorm:commit_or_rollback_transaction").Register("write_stamp:update", w.after),
		cb.Delete().After("gorm:commit_or_rollback_transaction").Register("write_stamp:delete", w.after),
		cb.Raw().After("gorm:raw").Register("write_stamp:raw", w.afterRaw),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// stampKeys are the keys of tables' counts.
func (w *Plugin) stampKeys(tables []string) []string {
	keys := make([]string, len(tables))
	for i, t := range tables {
		keys[i] = w.stampKey(t)
	}
	return keys
}

// Read returns the counts of tables, joined ("3,0,12"; 0 before a
// table's first counted write).
func (w *Plugin) Read(ctx context.Context, tables ...string) (string, error) {
	vals, err := w.rdb.MGet(ctx, w.stampKeys(tables)...).Result()
	return joinStamps(vals), err
}

func joinStamps(vals []any) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		if v == nil {
			b.WriteByte('0')
		} else {
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// Cached returns the value cached under key (after the prefix) when it was
// computed at the current counts of tables, else the value compute
// returns, which it caches for ttl with those counts. Concurrent misses of
// one key in an instance compute it once. A Redis failure is logged and
// the value computed; with a nil w, a ttl of 0 or a table it does not
// watch it only computes.
func (w *Plugin) Cached(ctx context.Context, key string, ttl time.Duration, tables []string, compute func() ([]byte, error)) ([]byte, error) {
	if w == nil || ttl <= 0 || slices.ContainsFunc(tables, func(t string) bool { return !w.Watches(t) }) {
		return compute()
	}
	var stamps *redis.SliceCmd
	var entry *redis.StringCmd
	if _, err := w.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		stamps = p.MGet(ctx, w.stampKeys(tables)...)
		entry = p.Get(ctx, w.prefix+key)
		return nil
	}); err != nil && err != redis.Nil {
		w.log.Warn("cache read failed; computing", "key", key, "err", err.Error())
		return compute()
	}
	stamp := joinStamps(stamps.Val())
	if raw, err := entry.Bytes(); err == nil {
		if at, v, ok := bytes.Cut(raw, []byte("\n")); ok && string(at) == stamp {
			return v, nil
		}
	}
	v, err, _ := w.group.Do(key+"@"+stamp, func() (any, error) {
		v, err := compute()
		if err != nil {
			return nil, err
		}
		// A context of its own: the entry serves the other callers too.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := w.rdb.Set(wctx, w.prefix+key, append([]byte(stamp+"\n"), v...), ttl).Err(); err != nil {
			w.log.Warn("cache write failed", "key", key, "err", err.Error())
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// CachedValue is Cached for a value kept as JSON: compute's result is
// encoded into the cache, and an entry that no longer decodes (another
// release's form) is computed again.
func CachedValue[T any](ctx context.Context, w *Plugin, key string, ttl time.Duration, tables []string, compute func() (T, error)) (T, error) {
	raw, err := w.Cached(ctx, key, ttl, tables, func() ([]byte, error) {
		v, err := compute()
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
	var v T
	if err != nil {
		return v, err
	}
	if json.Unmarshal(raw, &v) != nil {
		return compute()
	}
	return v, nil
}

// PeriodKey names a statistics period in a cache key: "default-<days>d"
// for the default period (the last days up to when it was computed: the
// entry keeps its own bounds), else the asked bounds.
func PeriodKey(from, to time.Time, isDefault bool, days int) string {
	if isDefault {
		return fmt.Sprintf("default-%dd", days)
	}
	return from.UTC().Format(time.RFC3339Nano) + "/" + to.UTC().Format(time.RFC3339Nano)
}

func (w *Plugin) after(tx *gorm.DB) {
	if tx.Error != nil || tx.Statement.RowsAffected == 0 || !w.Watches(tx.Statement.Table) {
		return
	}
	w.bump(tx, tx.Statement.Table)
}

func (w *Plugin) afterRaw(tx *gorm.DB) {
	if tx.Error != nil {
		return
	}
	q := strings.TrimSpace(tx.Statement.SQL.String())
	verb, _, _ := strings.Cut(q, " ")
	switch strings.ToUpper(verb) {
	case "SELECT", "SHOW", "EXPLAIN", "SET", "WITH", "PRAGMA", "ANALYZE":
		return
	}
	var named []string
	for _, t := range w.tables {
		if containsWord(q, t) {
			named = append(named, t)
		}
	}
	w.bump(tx, named...)
}

// bump moves the counts of tables, on a context of its own: the write
// happened even when its caller's context ends now. Inside the caller's
// transaction it moves them again a second later (commitDelay), after the
// COMMIT of all but long transactions: a cache filled between the
// statement and the COMMIT (with the rows before the write) then lasts a
// second, not a TTL.
func (w *Plugin) bump(tx *gorm.DB, tables ...string) {
	if len(tables) == 0 {
		return
	}
	if err := w.incr(tx.Statement.Context, tables); err != nil {
		w.log.Warn("write stamp not moved; caches of the written tables stale until their TTL", "tables", tables, "err", err.Error())
	}
	// gorm's own transaction around one statement has committed by now;
	// the caller's has not.
	own, _ := tx.InstanceGet("gorm:started_transaction")
	if _, inTx := tx.Statement.ConnPool.(gorm.TxCommitter); inTx && own != true {
		// Best effort, unlogged: the process may be stopping.
		time.AfterFunc(commitDelay, func() { _ = w.incr(context.Background(), tables) })
	}
}

// commitDelay is how long after a write inside a transaction its counts
// move again.
const commitDelay = time.Second

func (w *Plugin) incr(ctx context.Context, tables []string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_, err := w.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range w.stampKeys(tables) {
			p.Incr(ctx, k)
		}
		return nil
	})
	return err
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
