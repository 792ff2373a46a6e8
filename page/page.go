// Package page is the one keyset-pagination helper of the API's
// connections: how many items a page has (`first`, clamped the same way
// everywhere) and opaque cursors that name the last item seen by the
// values of its sort key, so a page never shifts when rows are added
// before it.
package page

import (
	"encoding/base64"
	"encoding/json"

	"creditwater/apperr"
)

// Page sizes.
const (
	DefaultFirst = 20
	MaxFirst     = 100
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

// Encode makes an opaque cursor of a sort key's values.
func Encode(key ...any) string {
	raw, _ := json.Marshal(key)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Decode reads a cursor made by Encode into the pointers of dst, one per
// key part. An empty cursor leaves dst alone and returns false. It returns
// INVALID (field after) for a cursor this API did not make.
func Decode(cursor string, dst ...any) (bool, error) {
	if cursor == "" {
		return false, nil
	}
	bad := apperr.InvalidField("after", "分页游标无效")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) > 1024 {
		return false, bad
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != len(dst) {
		return false, bad
	}
	for i, p := range parts {
		if err := json.Unmarshal(p, dst[i]); err != nil {
			return false, bad
		}
	}
	return true, nil
}
