package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/page"
)

// PageQuery applies one page of the sort key k to q: the rows after the
// position after (nil for the first page), in the key's order, n+1 of them
// so that the caller can tell whether another page follows.
func PageQuery(q *gorm.DB, k page.Key, after []any, n int) *gorm.DB {
	if after != nil {
		cond, args := k.After(after)
		q = q.Where(cond, args...)
	}
	return q.Order(k.OrderBy()).Limit(n + 1)
}

// PageQueryEach is PageQuery for rows whose col (a constant of the code) is
// one of vals when no index reads that filter in the key's order: one page
// query per value (each an ordered range of an index on (col, key…)),
// merged by UNION ALL and cut to n+1 rows in the key's order. Scan its
// rows. With one value it is PageQuery with col = value.
func PageQueryEach(q *gorm.DB, col string, vals []any, k page.Key, after []any, n int) *gorm.DB {
	if len(vals) == 1 {
		return PageQuery(q.Session(&gorm.Session{}).Where(col+" = ?", vals[0]), k, after, n)
	}
	parts := make([]string, len(vals))
	args := make([]any, 0, len(vals)+1)
	for i, v := range vals {
		parts[i] = fmt.Sprintf("SELECT * FROM (?) AS p%d", i)
		args = append(args, PageQuery(q.Session(&gorm.Session{}).Where(col+" = ?", v), k, after, n))
	}
	return q.Session(&gorm.Session{NewDB: true}).Raw(strings.Join(parts, " UNION ALL ")+" ORDER BY "+k.OrderBy()+" LIMIT ?", append(args, n+1)...)
}

// CountUpTo counts the rows of q up to page.CountCap+1 (a connection's
// totalCount), so that a filter matching millions of rows reads at most
// CountCap+1 index entries.
func CountUpTo(q *gorm.DB) (int64, error) {
	var n int64
	sub := q.Session(&gorm.Session{}).Select("1").Limit(page.CountCap + 1)
	err := q.Session(&gorm.Session{NewDB: true}).Table("(?) AS capped", sub).Count(&n).Error
	return n, err
}

// LikeEscape escapes s for LIKE … ESCAPE '!' (the same on both dialects).
func LikeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// Between limits q to rows whose col (a constant of the code) is from
// (inclusive) to to (exclusive); a zero bound is open.
func Between(q *gorm.DB, col string, from, to time.Time) *gorm.DB {
	if !from.IsZero() {
		q = q.Where(col+" >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where(col+" < ?", to.UTC())
	}
	return q
}

// Eq adds `col = v` to q when v is set (not its type's zero value): the
// optional equality filters of the lists.
func Eq[T comparable](q *gorm.DB, col string, v T) *gorm.DB {
	var zero T
	if v == zero {
		return q
	}
	return q.Where(col+" = ?", v)
}

// ForceIndex is the table expression of table read through its index idx
// on MariaDB/MySQL (FORCE INDEX), for a statement whose ORDER BY or GROUP
// BY tempts the optimizer into scanning another index in full; on SQLite
// the table alone (its planner takes the range by itself). table and idx
// are constants of the code.
func ForceIndex(db *gorm.DB, table, idx string) string {
	if IsMySQL(db) {
		return table + " FORCE INDEX (" + idx + ")"
	}
	return table
}

// HoursSQL is the SQL of the hours from the instant column a to b (constants
// of the code) on db's dialect.
func HoursSQL(db *gorm.DB, a, b string) string {
	if IsMySQL(db) {
		return "TIMESTAMPDIFF(MICROSECOND, " + a + ", " + b + ") / 3600000000.0"
	}
	return "(julianday(" + b + ") - julianday(" + a + ")) * 24.0"
}
