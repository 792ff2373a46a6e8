package billing

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/store"
)

// row is one valid record waiting to be written.
type row struct {
	line    int64
	key     string
	vals    []any // one value per spec column: string, int64 or time.Time
	subject *subjectRef
}

// batch is a set of rows with distinct keys, written in one transaction.
type batch struct {
	ncols int
	max   int
	rows  []row
	arena []any
	keys  map[string]struct{}
	bytes int

	// A queued job's checkpoint after this batch (see run.seal): the data
	// rows done, the rows rejected and row errors found up to there, and
	// the row errors to store with it.
	done, failed, errCount int64
	errs                   []models.ImportError
}

func newBatchFor(sp *spec, maxRows int) *batch {
	return &batch{
		ncols: len(sp.cols), max: maxRows,
		rows:  make([]row, 0, maxRows),
		arena: make([]any, maxRows*len(sp.cols)),
		keys:  make(map[string]struct{}, maxRows),
	}
}

func (b *batch) reset() {
	b.rows = b.rows[:0]
	clear(b.arena)
	clear(b.keys)
	b.bytes = 0
	b.done, b.failed, b.errCount, b.errs = 0, 0, 0, b.errs[:0]
}

func (b *batch) has(key string) bool {
	_, ok := b.keys[key]
	return ok
}

func (b *batch) full() bool { return len(b.rows) >= b.max || b.bytes >= maxBatchBytes }

// add copies vals into the batch.
func (b *batch) add(line int64, key string, vals []any, subject *subjectRef) {
	off := len(b.rows) * b.ncols
	dst := b.arena[off : off+b.ncols : off+b.ncols]
	copy(dst, vals)
	b.rows = append(b.rows, row{line: line, key: key, vals: dst, subject: subject})
	b.keys[key] = struct{}{}
	for _, v := range vals {
		if s, ok := v.(string); ok {
			b.bytes += len(s) + 4
		} else {
			b.bytes += 24
		}
	}
}

// writer writes batches on one connection at a time.
type writer struct {
	ru    *run
	sp    *spec
	mysql bool
	// canCount tells that the counting upsert may be used (MariaDB, a kind
	// without side tables); readFirst that the last batch found most of
	// its keys stored, so the next reads first.
	canCount  bool
	readFirst bool
	// Reused between batches.
	args   []any
	olds   [][]any
	writes []*row
	sb     strings.Builder
}

// newWriter returns a writer of ru; onMariaDB enables the counting upsert
// for the kinds that allow it.
func newWriter(ru *run, onMariaDB bool) *writer {
	k := ru.sp.kind
	return &writer{ru: ru, sp: ru.sp, mysql: ru.im.mysql,
		canCount: onMariaDB && k != KindAccounts && k != KindReminders}
}

// write applies one batch in one transaction and adds its counts to the
// run; store.Transaction runs the transaction again when the database
// aborts it as a deadlock victim or on a lock wait timeout. It returns the
// context's error when ctx ends, and an INTERNAL *apperr.Error when the
// database fails.
func (w *writer) write(ctx context.Context, b *batch) error {
	// READ COMMITTED on MySQL: each read sees the latest committed rows
	// (a subject another import just created), and upserts take no gap
	// locks, which keeps parallel writers from deadlocking.
	var opts []*sql.TxOptions
	if w.mysql {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	var c counts
	err := store.Transaction(ctx, w.ru.im.db, func(tx *gorm.DB) (err error) {
		c, err = w.writeOnce(ctx, tx, b)
		return err
	}, opts...)
	if err == nil {
		w.readFirst = 2*(c.updated+c.unchanged) >= int64(len(b.rows))
		w.ru.inserted.Add(c.inserted)
		w.ru.updated.Add(c.updated)
		w.ru.unchanged.Add(c.unchanged)
		w.ru.written.Add(int64(len(b.rows)))
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if apperr.As(err) != nil {
		return err
	}
	return apperr.Wrap(err, apperr.Internal, "无法将 %s 数据（第 %d–%d 行）写入数据库",
		strings.ToLower(string(w.sp.kind)), b.rows[0].line, b.rows[len(b.rows)-1].line)
}

type counts struct{ inserted, updated, unchanged int64 }

// writeOnce writes one batch in tx, classifying its rows in one of two
// ways (see the package documentation): read the stored rows first and
// write only new and changed ones, or — on MariaDB, for kinds without side
// tables — write all rows and let the upsert count duplicates and changes.
// After each batch the writer picks the way for the next (write): counting
// when most rows were new, reading first when most already existed (a
// re-import).
func (w *writer) writeOnce(ctx context.Context, tx *gorm.DB, b *batch) (c counts, err error) {
	pool := tx.Statement.ConnPool
	if w.canCount && !w.readFirst {
		c, err = w.countingUpsert(ctx, pool, b)
		w.ru.im.countedBatches.Add(1)
	} else {
		c, err = w.readThenUpsert(ctx, tx, pool, b)
		w.ru.im.readBatches.Add(1)
	}
	if err != nil {
		return c, err
	}
	if w.ru.ckpt != nil {
		if err := w.ru.saveCheckpoint(tx, b, c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// readThenUpsert reads the stored rows of the batch's keys, classifies every
// row by comparing values, and upserts only the new and changed ones.
func (w *writer) readThenUpsert(ctx context.Context, tx *gorm.DB, pool gorm.ConnPool, b *batch) (c counts, err error) {
	existing, err := w.fetch(ctx, pool, b.rows)
	if err != nil {
		return c, err
	}
	if w.sp.kind == KindAccounts {
		if err := w.resolveSubjects(ctx, tx, b.rows); err != nil {
			return c, err
		}
	}
	w.writes, w.olds = w.writes[:0], w.olds[:0]
	for i := range b.rows {
		r := &b.rows[i]
		old, ok := existing[r.key]
		switch {
		case !ok:
			c.inserted++
		case w.same(old, r.vals):
			c.unchanged++
			continue
		default:
			c.updated++
		}
		w.writes = append(w.writes, r)
		w.olds = append(w.olds, old)
	}
	if len(w.writes) == 0 {
		return c, nil
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := w.upsert(ctx, pool, now, false); err != nil {
		return c, err
	}
	switch w.sp.kind {
	case KindAccounts:
		err = w.refreshHistory(ctx, pool, now)
	case KindReminders:
		err = w.syncReminderBills(ctx, pool)
	}
	return c, err
}

// countingUpsert writes all rows of the batch with one upsert whose update
// clause counts, in session variables, the rows that hit an existing key
// (@cw_dup) and those of them that differ (@cw_chg); the counts are read
// back in the same transaction. MariaDB only: MySQL 8 deprecates assigning
// variables inside expressions.
func (w *writer) countingUpsert(ctx context.Context, pool gorm.ConnPool, b *batch) (c counts, err error) {
	if _, err := pool.ExecContext(ctx, "SET @cw_dup = 0, @cw_chg = 0"); err != nil {
		return c, err
	}
	w.writes = w.writes[:0]
	for i := range b.rows {
		w.writes = append(w.writes, &b.rows[i])
	}
	if err := w.upsert(ctx, pool, time.Now().UTC().Truncate(time.Microsecond), true); err != nil {
		return c, err
	}
	var dup, chg int64
	if err := pool.QueryRowContext(ctx, "SELECT @cw_dup, @cw_chg").Scan(&dup, &chg); err != nil {
		return c, err
	}
	n := int64(len(b.rows))
	if dup < 0 || dup > n || chg < 0 || chg > dup {
		return c, errBadCounts
	}
	return counts{inserted: n - dup, updated: chg, unchanged: dup - chg}, nil
}

type writeError string

func (e writeError) Error() string { return string(e) }

const errBadCounts = writeError("billing: the upsert reported impossible counts")

// same reports whether the stored values equal the new ones, key columns
// aside (they matched).
func (w *writer) same(old, vals []any) bool {
	for i := w.sp.nKey; i < len(vals); i++ {
		switch v := vals[i].(type) {
		case string:
			if o, ok := old[i].(string); !ok || o != v {
				return false
			}
		case int64:
			if o, ok := old[i].(int64); !ok || o != v {
				return false
			}
		case time.Time:
			if o, ok := old[i].(time.Time); !ok || !o.Equal(v) {
				return false
			}
		}
	}
	return true
}

func quote(name string) string { return "`" + name + "`" }

// placeholders appends n comma-separated groups of k placeholders.
func placeholders(sb *strings.Builder, n, k int) {
	group := "(" + strings.Repeat("?,", k-1) + "?)"
	sb.Grow(n * (len(group) + 1))
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(group)
	}
}

func inList(sb *strings.Builder, n int) {
	sb.WriteString(" IN (")
	sb.WriteString(strings.Repeat("?,", n-1))
	sb.WriteString("?)")
}

// fetch returns the stored rows of the batch's keys by row key (folded as
// in run.keyOf), each as one value per spec column (nil for NULL).
func (w *writer) fetch(ctx context.Context, pool gorm.ConnPool, rows []row) (map[string][]any, error) {
	sp := w.sp
	w.sb.Reset()
	w.sb.WriteString("SELECT ")
	for i, c := range sp.cols {
		if i > 0 {
			w.sb.WriteByte(',')
		}
		w.sb.WriteString(quote(c.name))
	}
	w.sb.WriteString(" FROM " + quote(sp.table) + " WHERE " + quote(sp.cols[0].name))
	args := w.args[:0]
	for i := range rows {
		args = append(args, rows[i].vals[0])
	}
	inList(&w.sb, len(rows))
	if sp.nKey == 2 {
		// Composite key (usage: account, period): select the cross product
		// of the distinct values and keep the rows of the batch below.
		seen := make(map[string]struct{}, 4)
		n := 0
		for i := range rows {
			v := rows[i].vals[1].(string)
			if _, ok := seen[v]; !ok {
				seen[v] = struct{}{}
				args = append(args, v)
				n++
			}
		}
		w.sb.WriteString(" AND " + quote(sp.cols[1].name))
		inList(&w.sb, n)
	}
	w.args = args
	rs, err := pool.QueryContext(ctx, w.sb.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make(map[string][]any)
	dest := make([]any, len(sp.cols))
	strs := make([]sql.NullString, len(sp.cols))
	ints := make([]sql.NullInt64, len(sp.cols))
	times := make([]sql.NullTime, len(sp.cols))
	for i, c := range sp.cols {
		switch c.typ {
		case colText:
			dest[i] = &strs[i]
		case colInt:
			dest[i] = &ints[i]
		case colTime:
			dest[i] = &times[i]
		}
	}
	for rs.Next() {
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		vals := make([]any, len(sp.cols))
		for i, c := range sp.cols {
			switch {
			case c.typ == colText && strs[i].Valid:
				vals[i] = strs[i].String
			case c.typ == colInt && ints[i].Valid:
				vals[i] = ints[i].Int64
			case c.typ == colTime && times[i].Valid:
				vals[i] = times[i].Time
			}
		}
		if vals[0] == nil || sp.nKey == 2 && vals[1] == nil {
			continue
		}
		out[w.ru.keyOf(vals)] = vals
	}
	return out, rs.Err()
}

// upsert writes w.writes in one multi-row statement. A row whose key exists
// is updated, and its updated_at moves only when a value really differs.
// With count set (MySQL only) the update clause also counts duplicates and
// changed rows in @cw_dup and @cw_chg.
func (w *writer) upsert(ctx context.Context, pool gorm.ConnPool, now time.Time, count bool) error {
	sp := w.sp
	ncols := len(sp.cols) + 1
	if sp.createdAt {
		ncols++
	}
	w.sb.Reset()
	w.sb.WriteString("INSERT INTO " + quote(sp.table) + " (")
	for _, c := range sp.cols {
		w.sb.WriteString(quote(c.name) + ",")
	}
	if sp.createdAt {
		w.sb.WriteString("`created_at`,")
	}
	w.sb.WriteString("`updated_at`) VALUES ")
	placeholders(&w.sb, len(w.writes), ncols)
	args := w.args[:0]
	for _, r := range w.writes {
		args = append(args, r.vals...)
		if sp.createdAt {
			args = append(args, now)
		}
		args = append(args, now)
	}
	w.args = args
	data := sp.cols[sp.nKey:]
	if w.mysql {
		// Assignments run left to right and see the values already
		// assigned: updated_at comes first so it compares the old values.
		// Text compares as bytes, not under the case-insensitive collation.
		// IF evaluates only the branch it takes, so the counters move once
		// per duplicate and once per changed row.
		w.sb.WriteString(" ON DUPLICATE KEY UPDATE `updated_at` = IF(")
		if count {
			w.sb.WriteString("(@cw_dup := @cw_dup + 1) > 0 AND ")
		}
		for i, c := range data {
			if i > 0 {
				w.sb.WriteString(" AND ")
			}
			q := quote(c.name)
			if c.typ == colText {
				w.sb.WriteString("CAST(" + q + " AS BINARY) <=> CAST(VALUES(" + q + ") AS BINARY)")
			} else {
				w.sb.WriteString(q + " <=> VALUES(" + q + ")")
			}
		}
		if count {
			w.sb.WriteString(", `updated_at`, IF((@cw_chg := @cw_chg + 1) > 0, VALUES(`updated_at`), NULL))")
		} else {
			w.sb.WriteString(", `updated_at`, VALUES(`updated_at`))")
		}
		for _, c := range data {
			q := quote(c.name)
			w.sb.WriteString(", " + q + " = VALUES(" + q + ")")
		}
	} else {
		w.sb.WriteString(" ON CONFLICT (")
		for i := range sp.nKey {
			if i > 0 {
				w.sb.WriteByte(',')
			}
			w.sb.WriteString(quote(sp.cols[i].name))
		}
		w.sb.WriteString(") DO UPDATE SET ")
		for _, c := range data {
			q := quote(c.name)
			w.sb.WriteString(q + " = excluded." + q + ", ")
		}
		w.sb.WriteString("`updated_at` = excluded.`updated_at` WHERE ")
		for i, c := range data {
			if i > 0 {
				w.sb.WriteString(" OR ")
			}
			q := quote(c.name)
			w.sb.WriteString(quote(sp.table) + "." + q + " IS NOT excluded." + q)
		}
	}
	_, err := pool.ExecContext(ctx, w.sb.String(), args...)
	return err
}
