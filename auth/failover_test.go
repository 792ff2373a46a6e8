package auth

import (
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"creditwater/audit"
	"creditwater/models"
	"creditwater/store"
	"creditwater/store/storetest"
	"creditwater/testwait"
)

// A Sentinel failover loses no session and needs no restart: a staff
// member logs in through the service's own Redis client (store.OpenRedis
// on CW_TEST_REDIS_URL, a go-redis failover client), the write reaches the
// replica (WAIT 1), SENTINEL FAILOVER promotes the replica, and then — the
// same client, never reopened — the session from before the failover
// still authenticates, a new login (login budgets, known clients, a new
// session) succeeds and its session is on the new master, and the old
// master rejoins as the new master's replica. It forces a failover of the
// Sentinel's master, so it runs only when asked (CW_TEST_REDIS_FAILOVER=1,
// with scripts/redis-cluster.sh's master and replica on 7004/7005) (R7.1).
func TestSessionSurvivesSentinelFailover_R7_1(t *testing.T) {
	if storetest.RedisMode() != store.RedisSentinel || os.Getenv("CW_TEST_REDIS_FAILOVER") == "" {
		t.Skip("forces a Sentinel failover: set CW_TEST_REDIS_MODE=sentinel, CW_TEST_REDIS_URL and CW_TEST_REDIS_FAILOVER=1")
	}
	ctx := context.Background()
	fo, err := redis.ParseFailoverURL(storetest.RedisConfig(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: fo.SentinelAddrs[0], Username: fo.SentinelUsername, Password: fo.SentinelPassword})
	t.Cleanup(func() { _ = sentinel.Close() })
	node := func(addr string) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr, Username: fo.Username, Password: fo.Password, DB: fo.DB})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	masterAddr := func() string {
		a, err := sentinel.GetMasterAddrByName(ctx, fo.MasterName).Result()
		if err != nil || len(a) != 2 {
			return ""
		}
		return net.JoinHostPort(a[0], a[1])
	}
	// A failover needs a replica the Sentinel sees in sync. Right after an
	// earlier run's failover the old master has rejoined as a replica, and
	// the Sentinel sees its link up at its next INFO (every 10 s).
	var replicas []string
	testwait.For(t, "the Sentinel to list a replica of "+fo.MasterName+" in sync", func() bool {
		replicas = syncedReplicas(ctx, sentinel, fo.MasterName)
		return len(replicas) > 0
	})
	oldMaster := masterAddr()

	rdb, prefix := storetest.Redis(t)
	db := storetest.DB(t)
	sessions := NewSessions(rdb, prefix, SessionConfig{IdleTTL: time.Hour})
	svc := NewService(db, rdb, prefix, sessions, nil, Limits{PerAccount: 5, PerAccountTotal: 50, PerIP: 50, Window: time.Minute}, audit.New(db))
	const username, password = "failover.staff", "correct horse battery"
	u, err := svc.CreateStaff(ctx, username, password, "", models.RoleStaff)
	if err != nil {
		t.Fatal(err)
	}
	before, err := svc.StaffLogin(ctx, username, password)
	if err != nil {
		t.Fatal(err)
	}
	// The session is on the replica before the master changes.
	if n, err := rdb.Do(ctx, "WAIT", 1, testwait.Deadline.Milliseconds()).Int(); err != nil || n < 1 {
		t.Fatalf("WAIT 1: %d replicas acknowledged (%v)", n, err)
	}

	if err := sentinel.Failover(ctx, fo.MasterName).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER %s: %v", fo.MasterName, err)
	}
	testwait.For(t, "the Sentinel to name a new master", func() bool {
		m := masterAddr()
		return m != "" && m != oldMaster
	})
	newMaster := masterAddr()
	if !slices.Contains(replicas, newMaster) {
		t.Fatalf("the Sentinel promoted %s, want one of the replicas in sync %v", newMaster, replicas)
	}
	t.Logf("failover: master %s -> %s", oldMaster, newMaster)

	// The same client, never reopened, follows the Sentinel: it moves to the
	// new master when the Sentinel announces the switch (+switch-master, at
	// the end of the failover). Until then it still writes to the old
	// master, which stays writable until the Sentinel turns it into a
	// replica — those writes are lost then (Redis replication is
	// asynchronous) — so logins are tried until one lands on the new master.
	nm := node(newMaster)
	var after Login
	onOld, refused := 0, 0
	testwait.For(t, "a login through the same client to reach the new master", func() bool {
		after, err = svc.StaffLogin(ctx, username, password)
		switch {
		case err != nil:
			refused++
			return false
		case nm.Exists(ctx, sessions.key(tokenHash(after.Token))).Val() == 0:
			onOld++
			return false
		}
		return true
	})
	t.Logf("logins before the client switched: %d refused, %d written to the old master (last error: %v)", refused, onOld, err)
	for name, token := range map[string]string{"before": before.Token, "after": after.Token} {
		a, err := svc.Authenticate(ctx, token)
		if err != nil || a.UserID != u.ID {
			t.Errorf("the session made %s the failover: %+v %v", name, a, err)
		}
	}
	// The session from before the failover is on the new master: it was
	// replicated, not rewritten.
	if role := roleOf(nm.Do(ctx, "ROLE").Val()); role != "master" {
		t.Errorf("%s's role is %q", newMaster, role)
	}
	if n := nm.Exists(ctx, sessions.key(tokenHash(before.Token))).Val(); n != 1 {
		t.Errorf("the session from before the failover is not on the new master %s", newMaster)
	}

	// The old master becomes the new one's replica (the Sentinel converts it
	// about 10 s after the failover), so the pair is whole again: the next
	// run, and scripts/redis-cluster.sh, find a master with a replica in sync.
	old := node(oldMaster)
	_, newPort, _ := net.SplitHostPort(newMaster)
	testwait.For(t, "the old master "+oldMaster+" to replicate the new one", func() bool {
		info := old.Info(ctx, "replication").Val()
		return strings.Contains(info, "role:slave") && strings.Contains(info, "master_port:"+newPort+"\r") &&
			strings.Contains(info, "master_link_status:up")
	})
	if n, err := rdb.Do(ctx, "WAIT", 1, testwait.Deadline.Milliseconds()).Int(); err != nil || n < 1 {
		t.Errorf("WAIT 1 on the new master: %d replicas acknowledged (%v)", n, err)
	}
}

// syncedReplicas returns the addresses of the replicas of master that the
// Sentinel lists with no failure flags and their link to the master up.
func syncedReplicas(ctx context.Context, sentinel *redis.SentinelClient, master string) []string {
	replicas, _ := sentinel.Replicas(ctx, master).Result()
	var addrs []string
	for _, r := range replicas {
		if r["flags"] == "slave" && r["master-link-status"] == "ok" {
			addrs = append(addrs, net.JoinHostPort(r["ip"], r["port"]))
		}
	}
	return addrs
}

// roleOf returns the first element of a ROLE reply ("master", "slave").
func roleOf(reply any) string {
	if s, ok := reply.([]any); ok && len(s) > 0 {
		if r, ok := s[0].(string); ok {
			return r
		}
	}
	return ""
}
