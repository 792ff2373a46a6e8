package auth

import (
	"context"
	"testing"
	"time"

	"creditwater/ident"
	"creditwater/store/storetest"
)

// The keys of one staff account used together (the failure budgets reserved
// in one pipeline, the known clients and the failures from a client written
// in one transaction) share a Redis Cluster slot, and the transaction runs
// on the test Redis — a real cluster when CW_TEST_REDIS_MODE=cluster, where
// keys on two slots would fail it with CROSSSLOT (R7.1).
func TestAccountKeysShareOneSlot_R7_1(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	s := NewService(nil, rdb, prefix, NewSessions(rdb, prefix, SessionConfig{IdleTTL: time.Hour}), nil, Limits{}, nil)
	ctx := context.Background()
	const ip = "203.0.113.7"
	tag := accountTag(ident.UsernameKey("Zhang.Wei"))
	fromIP, total, known := accountKeys(tag, ip)
	storetest.SameSlot(t, rdb, s.loginKey(fromIP), s.loginKey(total), s.loginKey(known))

	if err := rdb.Set(ctx, s.loginKey(fromIP), 3, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	s.rememberClient(ctx, tag, ip)
	if n := rdb.Exists(ctx, s.loginKey(fromIP)).Val(); n != 0 {
		t.Errorf("the failures from the client are still there after a login")
	}
	if ok, err := s.knownClient(ctx, tag, ip); err != nil || !ok {
		t.Errorf("the client is not known after a login: %v %v", ok, err)
	}
	if ok, err := s.knownClient(ctx, tag, "198.51.100.1"); err != nil || ok {
		t.Errorf("another client is known: %v %v", ok, err)
	}
}
