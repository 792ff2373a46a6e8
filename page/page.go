// Package page is the one keyset-pagination helper of the API's
// connections: how many items a page has (`first`, clamped the same way
// everywhere), opaque cursors that name the list and the last item seen by
// the values of its sort key (so a page never shifts when rows are added
// before it, and a cursor of another list or a tampered one is refused),
// and the SQL of a sort key: its ORDER BY and the "after this cursor"
// condition, the same text on MariaDB and SQLite.
package page

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"

	"creditwater/apperr"
)

// Page sizes.
const (
	DefaultFirst = 20
	MaxFirst     = 100
	// CountCap is where totalCount stops counting: a connection's
	// totalCount is exact up to CountCap and CountCap+1 means "more than
	// CountCap", so that no page counts millions of rows.
	CountCap = 10000
)

// First returns the page size for a requested first: DefaultFirst when
// nil. It returns INVALID (field first) outside 1–MaxFirst.
func First(first *int) (int, error) {
	if first == nil {
		return DefaultFirst, nil
	}
	if *first < 1 || *first > MaxFirst {
		return 0, apperr.InvalidField("first", "first 须在 1–%d 之间", MaxFirst)
	}
	return *first, nil
}

// checkLen is how many bytes of SHA-256 guard a cursor against edits.
const checkLen = 6

// Encode makes the opaque cursor of a position in the list named list: the
// values of its sort key, in the key's column order.
func Encode(list string, key ...any) string {
	raw, _ := json.Marshal(append([]any{list}, key...))
	sum := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(append(sum[:checkLen:checkLen], raw...))
}

// Decode reads a cursor that Encode made for the same list into the
// pointers of dst, one per key part. An empty cursor leaves dst alone and
// returns false. It returns INVALID (field after) for a cursor this API
// did not make, one that was edited, or one of another list.
func Decode(list, cursor string, dst ...any) (bool, error) {
	if cursor == "" {
		return false, nil
	}
	bad := apperr.InvalidField("after", "分页游标无效")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) <= checkLen || len(b) > 1024 {
		return false, bad
	}
	raw := b[checkLen:]
	if sum := sha256.Sum256(raw); !bytes.Equal(sum[:checkLen], b[:checkLen]) {
		return false, bad
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != len(dst)+1 {
		return false, bad
	}
	var name string
	if err := json.Unmarshal(parts[0], &name); err != nil || name != list {
		return false, bad
	}
	for i, p := range parts[1:] {
		if err := json.Unmarshal(p, dst[i]); err != nil {
			return false, bad
		}
	}
	return true, nil
}

// Position decodes a cursor of the key's list like Decode, into the
// pointers of dst, and returns the values they then point at, in order:
// the keyset position that follows the cursor (Key.After,
// store.PageQuery); nil for an empty cursor.
func (k Key) Position(cursor string, dst ...any) ([]any, error) {
	ok, err := k.Decode(cursor, dst...)
	if err != nil || !ok {
		return nil, err
	}
	pos := make([]any, len(dst))
	for i, d := range dst {
		pos[i] = reflect.ValueOf(d).Elem().Interface()
	}
	return pos, nil
}

// Col is a column of a sort key.
type Col struct {
	// Name is the column's SQL name (a constant of the code, never input).
	Name string
	// Desc orders the column descending.
	Desc bool
}

// Key is a list's sort key: columns in order, the last one unique (an ID),
// so that every row has one position. List names the list in its cursors.
type Key struct {
	List string
	Cols []Col
}

// Asc and Desc make sort-key columns.
func Asc(name string) Col  { return Col{Name: name} }
func Desc(name string) Col { return Col{Name: name, Desc: true} }

// NewKey makes the sort key of the list named list.
func NewKey(list string, cols ...Col) Key { return Key{List: list, Cols: cols} }

// OrderBy is the key's ORDER BY clause (without the keywords).
func (k Key) OrderBy() string {
	parts := make([]string, len(k.Cols))
	for i, c := range k.Cols {
		parts[i] = c.Name
		if c.Desc {
			parts[i] += " DESC"
		}
	}
	return strings.Join(parts, ", ")
}

// After is the condition "the row comes after the position vals" (one
// value per column) with its arguments:
//
//	c1 ⋗ v1 OR (c1 = v1 AND c2 ⋗ v2) OR …
//
// where ⋗ is > on ascending and < on descending columns. It is written
// out, not as a row comparison, because the key may mix directions; a
// leading c1 ≥ v1 (≤ when descending) lets the database read the index
// as one range.
func (k Key) After(vals []any) (string, []any) {
	var sb strings.Builder
	var args []any
	first := k.Cols[0]
	sb.WriteString("(" + first.Name + op(first.Desc, true) + "? AND (")
	args = append(args, vals[0])
	for i := range k.Cols {
		if i > 0 {
			sb.WriteString(" OR ")
		}
		sb.WriteString("(")
		for j := 0; j < i; j++ {
			sb.WriteString(k.Cols[j].Name + " = ? AND ")
			args = append(args, vals[j])
		}
		sb.WriteString(k.Cols[i].Name + op(k.Cols[i].Desc, false) + "?)")
		args = append(args, vals[i])
	}
	sb.WriteString("))")
	return sb.String(), args
}

func op(desc, orEqual bool) string {
	switch {
	case desc && orEqual:
		return " <= "
	case desc:
		return " < "
	case orEqual:
		return " >= "
	}
	return " > "
}

// Encode makes the cursor of the position vals in the key's list.
func (k Key) Encode(vals ...any) string { return Encode(k.List, vals...) }

// Decode reads a cursor of the key's list into dst (see Decode).
func (k Key) Decode(cursor string, dst ...any) (bool, error) {
	return Decode(k.List, cursor, dst...)
}

// Info is what a page of a connection says besides its items (embedded
// in each domain's page type): the cursor of its last item ("" when it is
// empty), whether more items follow, and the total count when the caller
// asked for it (exact up to CountCap, CountCap+1 beyond).
type Info struct {
	EndCursor  string
	HasNext    bool
	TotalCount int64
}

// Clamp is the page size for a first that reached a domain function
// without page.First (0 when none was given): DefaultFirst when below 1,
// at most MaxFirst. Resolvers check first with First, so a caller sees
// INVALID rather than a silently smaller page.
func Clamp(first int) int {
	if first < 1 {
		return DefaultFirst
	}
	return min(first, MaxFirst)
}

// Cut ends a page read with one item more than first (n+1, see
// store.PageQuery): it returns the first items, whether more follow, and
// the cursor of the last item kept ("" on an empty page).
func Cut[T any](items []T, first int, cursor func(T) string) ([]T, bool, string) {
	more := len(items) > first
	if more {
		items = items[:first]
	}
	if len(items) == 0 {
		return items, more, ""
	}
	return items, more, cursor(items[len(items)-1])
}
