package auth

import (
	"context"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/store/storetest"
)

// A session read again is taken from the decoded sessions only while its
// stored value is the one it was decoded from: a value changed or replaced
// under the same ID is decoded afresh, garbage is refused, and a deleted
// session is gone though it was decoded before (R7.1).
func TestSessionDecodeFollowsTheStoredValue_R7_1(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	st := NewSessions(rdb, prefix, SessionConfig{IdleTTL: time.Hour})
	ctx := context.Background()
	token, _, err := st.Create(ctx, Session{UserID: "u-1", Role: models.RoleStaff, Gen: 1})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if s, _, err := st.lookup(ctx, token); err != nil || s.UserID != "u-1" || s.Gen != 1 {
			t.Fatalf("lookup: %+v %v", s, err)
		}
	}
	id := tokenHash(token)
	// The same ID with another value (as if rewritten): the new value counts.
	other := `{"u":"u-2","r":"ADMIN","g":7,"c":"2026-12-01T00:00:00Z","x":"2099-01-01T00:00:00Z"}`
	if err := rdb.Set(ctx, st.key(id), other, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if s, _, err := st.lookup(ctx, token); err != nil || s.UserID != "u-2" || s.Role != models.RoleAdmin || s.Gen != 7 {
		t.Fatalf("after rewrite: %+v %v", s, err)
	}
	if err := rdb.Set(ctx, st.key(id), "not json", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.lookup(ctx, token); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("garbage value: %v", err)
	}
	if err := st.Delete(ctx, "u-2", id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.lookup(ctx, token); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("deleted session: %v", err)
	}
}
