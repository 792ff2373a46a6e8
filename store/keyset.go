package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/page"
	"creditwater/store/writestamp"
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

// PageQueryEach is PageQuery for rows of table whose col (a constant of
// the code) is one of vals when no index reads that filter in the key's
// order: one page query per value (each an ordered range of an index on
// (col, key…), reading the key's columns only, from the index), merged by
// UNION ALL and cut to n+1 keys in the key's order; the rows of those keys
// are then read by the primary key (the key's last column must be the
// table's primary key, id), n+1 rows rather than n+1 per value: whole rows,
// or the plain columns q selects (Select("a", "b")).
// Scan its rows. With one value it is PageQuery with col = value.
func PageQueryEach(q *gorm.DB, table, col string, vals []any, k page.Key, after []any, n int) *gorm.DB {
	if len(vals) == 1 {
		return PageQuery(q.Session(&gorm.Session{}).Where(col+" = ?", vals[0]), k, after, n)
	}
	names := make([]string, len(k.Cols))
	outer := make([]string, len(k.Cols))
	for i, c := range k.Cols {
		names[i] = c.Name
		outer[i] = "t." + c.Name
		if c.Desc {
			outer[i] += " DESC"
		}
	}
	parts := make([]string, len(vals))
	args := make([]any, 0, len(vals)+1)
	for i, v := range vals {
		parts[i] = fmt.Sprintf("SELECT * FROM (?) AS p%d", i)
		args = append(args, PageQuery(q.Session(&gorm.Session{}).Select(strings.Join(names, ", ")).Where(col+" = ?", v), k, after, n))
	}
	keys := strings.Join(parts, " UNION ALL ") + " ORDER BY " + k.OrderBy() + " LIMIT ?"
	cols := "t.*"
	if sel := q.Statement.Selects; len(sel) > 0 {
		cols = "t." + strings.Join(sel, ", t.")
	}
	return q.Session(&gorm.Session{NewDB: true}).Raw("SELECT "+cols+" FROM "+table+" AS t JOIN ("+keys+") AS k ON t.id = k.id ORDER BY "+strings.Join(outer, ", "),
		append(args, n+1)...)
}

// CountUpTo counts the rows of q up to page.CountCap+1 (a connection's
// totalCount), so that a filter matching millions of rows reads at most
// CountCap+1 index entries. When the database has a writestamp.Plugin that
// watches q's table and q reads that table alone, the count is cached
// until the next write to the table (writestamp.Plugin.Cached, for at most its
// CountTTL): the lists' repeated reads do not count the same rows again.
func CountUpTo(q *gorm.DB) (int64, error) {
	var n int64
	sub := q.Session(&gorm.Session{}).Select("1").Limit(page.CountCap + 1)
	count := func() ([]byte, error) {
		err := q.Session(&gorm.Session{NewDB: true}).Table("(?) AS capped", sub).Count(&n).Error
		return strconv.AppendInt(nil, n, 10), err
	}
	w := writestamp.Of(q)
	if w == nil || w.CountTTL <= 0 {
		_, err := count()
		return n, err
	}
	text := q.ToSQL(func(tx *gorm.DB) *gorm.DB {
		return tx.Select("1").Limit(page.CountCap + 1).Find(&[]struct{}{})
	})
	table, ok := soleTable(text)
	if !ok || !w.Watches(table) {
		_, err := count()
		return n, err
	}
	sum := sha256.Sum256([]byte(text))
	raw, err := w.Cached(q.Statement.Context, "count:"+table+":"+hex.EncodeToString(sum[:16]), w.CountTTL, []string{table}, count)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// soleTable returns the table a SELECT reads when it reads one table
// only: one FROM, no JOIN (a value that spells either makes it refuse,
// never accept).
func soleTable(q string) (string, bool) {
	u := strings.ToUpper(q)
	if strings.Count(u, "FROM") != 1 || strings.Contains(u, "JOIN") || strings.Contains(u, "UNION") {
		return "", false
	}
	rest := strings.TrimSpace(q[strings.Index(u, "FROM")+len("FROM"):])
	name, _, _ := strings.Cut(rest, " ")
	name = strings.Trim(name, "`\"")
	return name, name != ""
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
