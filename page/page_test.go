package page_test

import (
	"errors"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/page"
)

// R8.1 (issue 11): a cursor names its list and is checked, so a cursor of
// another list, an edited one or a made-up one is INVALID field after.
func TestR8_1_CursorRoundTripAndRefusals(t *testing.T) {
	k := page.NewKey("apps", page.Desc("vip"), page.Asc("submitted_at"), page.Asc("id"))
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	c := k.Encode(true, at, "A-1")
	var vip bool
	var got time.Time
	var id string
	if ok, err := k.Decode(c, &vip, &got, &id); err != nil || !ok || !vip || !got.Equal(at) || id != "A-1" {
		t.Fatalf("round trip: %v %v %v %v %q", ok, err, vip, got, id)
	}
	if ok, err := k.Decode("", &vip, &got, &id); ok || err != nil {
		t.Fatalf("empty cursor: %v %v", ok, err)
	}
	edited := []byte(c)
	edited[len(edited)-3] ^= 1
	for name, cur := range map[string]string{
		"another list": page.Encode("users", true, at, "A-1"),
		"edited":       string(edited),
		"not base64":   "%%%",
		"too short":    "AA",
		"wrong arity":  page.Encode("apps", "A-1"),
	} {
		_, err := k.Decode(cur, &vip, &got, &id)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != "after" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// R8.1: Position decodes a cursor into the keyset position that follows
// it (the values, in the key's order), nil for no cursor, and refuses
// what Decode refuses.
func TestR8_1_CursorPosition(t *testing.T) {
	k := page.NewKey("apps", page.Desc("vip"), page.Asc("submitted_at"), page.Asc("id"))
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var vip bool
	var got time.Time
	var id string
	pos, err := k.Position(k.Encode(true, at, "A-1"), &vip, &got, &id)
	if err != nil || len(pos) != 3 || pos[0] != true || !pos[1].(time.Time).Equal(at) || pos[2] != "A-1" {
		t.Fatalf("position %v, %v", pos, err)
	}
	if pos, err := k.Position("", &vip, &got, &id); pos != nil || err != nil {
		t.Fatalf("empty cursor: %v %v", pos, err)
	}
	if pos, err := k.Position(page.Encode("users", true, at, "A-1"), &vip, &got, &id); pos != nil || apperr.As(err) == nil || apperr.As(err).Field != "after" {
		t.Fatalf("another list's cursor: %v %v", pos, err)
	}
}

// The keyset condition of a mixed-direction key, and the clamp of first.
func TestKeyAfterAndFirst(t *testing.T) {
	k := page.NewKey("apps", page.Desc("vip"), page.Asc("submitted_at"), page.Asc("id"))
	sql, args := k.After([]any{true, "t", "i"})
	want := "(vip <= ? AND ((vip < ?) OR (vip = ? AND submitted_at > ?) OR (vip = ? AND submitted_at = ? AND id > ?)))"
	if sql != want || len(args) != 7 {
		t.Fatalf("After: %s %v", sql, args)
	}
	if k.OrderBy() != "vip DESC, submitted_at, id" {
		t.Fatalf("OrderBy: %s", k.OrderBy())
	}
	for _, n := range []int{0, 101} {
		if _, err := page.First(&n); err == nil {
			t.Errorf("first %d accepted", n)
		}
	}
	if page.Clamp(0) != page.DefaultFirst || page.Clamp(500) != page.MaxFirst {
		t.Error("Clamp")
	}
}

func TestCut(t *testing.T) {
	cur := func(n int) string { return page.Encode("n", n) }
	items, more, end := page.Cut([]int{1, 2, 3}, 2, cur)
	if len(items) != 2 || !more || end != cur(2) {
		t.Errorf("cut 3 to 2: %v %v %q", items, more, end)
	}
	items, more, end = page.Cut([]int{1, 2}, 2, cur)
	if len(items) != 2 || more || end != cur(2) {
		t.Errorf("cut 2 to 2: %v %v %q", items, more, end)
	}
	if items, more, end = page.Cut([]int{}, 2, cur); len(items) != 0 || more || end != "" {
		t.Errorf("empty: %v %v %q", items, more, end)
	}
}
