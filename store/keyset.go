package store

import (
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
