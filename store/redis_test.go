package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"creditwater/store"
	"creditwater/store/storetest"
)

// Each CW_REDIS_MODE reads CW_REDIS_URL with go-redis's own parser and
// builds its kind of client, with the service's client settings unless the
// URL sets them.
func TestRedisURLForEachMode(t *testing.T) {
	single, err := store.NewRedisClient(store.RedisConfig{URL: "redis://u:pw@10.0.0.1:6380/3"})
	if err != nil {
		t.Fatal(err)
	}
	defer single.Close()
	so := single.(*redis.Client).Options()
	if so.Addr != "10.0.0.1:6380" || so.DB != 3 || so.Username != "u" || so.Password != "pw" ||
		so.ReadTimeout != 2*time.Second || so.PoolSize != 64 || so.MaxRetries != 1 {
		t.Errorf("single: %+v", so)
	}

	cluster, err := store.NewRedisClient(store.RedisConfig{Mode: store.RedisCluster,
		URL: "rediss://:pw@h1:7001?addr=h2:7002&addr=h3:7003&pool_size=8&read_timeout=500ms"})
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	co := cluster.(*redis.ClusterClient).Options()
	if strings.Join(co.Addrs, ",") != "h1:7001,h2:7002,h3:7003" || co.Password != "pw" || co.TLSConfig == nil ||
		co.PoolSize != 8 || co.ReadTimeout != 500*time.Millisecond || co.WriteTimeout != 2*time.Second || co.MaxRetries != 1 {
		t.Errorf("cluster: %+v", co)
	}

	sentinel, err := store.NewRedisClient(store.RedisConfig{Mode: store.RedisSentinel,
		URL: "redis://s1:26379/2?addr=s2:26379&master_name=mymaster&password=masterpw"})
	if err != nil {
		t.Fatal(err)
	}
	defer sentinel.Close()
	fo := sentinel.(*redis.Client).Options()
	if fo.DB != 2 || fo.Password != "masterpw" || fo.PoolSize != 64 || !strings.HasPrefix(fo.Addr, "FailoverClient") {
		t.Errorf("sentinel: %+v", fo)
	}
}

// A bad CW_REDIS_URL or CW_REDIS_MODE is refused naming the variable, and
// the error never carries a password.
func TestBadRedisURLNamesTheVariableNotThePassword(t *testing.T) {
	for _, c := range []struct{ mode, url, want string }{
		{"", "redis://:s3cret@h:port/0", "CW_REDIS_URL is not a valid URL"},
		{"", "redis://:s3cret@h:6379/0?bogus=1", "unexpected option: bogus"},
		{"", "http://:s3cret@h:6379/0", "invalid URL scheme"},
		{store.RedisCluster, "redis://:s3cret@h1:7001/2?addr=h2:7002", "database 0 only"},
		{store.RedisCluster, "redis://:s3cret@h1:7001?addr=s3cret", "unable to parse addr param"},
		{store.RedisCluster, "redis://h1:7001?addr=h2:7002&password=s3cret", "unexpected option: password"},
		{store.RedisSentinel, "redis://:s3cret@s1:26379/0?password=s3cret", "master_name"},
		{store.RedisSentinel, "redis://s1:26379/0?master_name=m&password=s3cret&dial_timeout=s3cret", "dial_timeout"},
		{"replicated", "redis://:s3cret@h:6379/0", "CW_REDIS_MODE=\"replicated\""},
	} {
		rdb, err := store.NewRedisClient(store.RedisConfig{URL: c.url, Mode: c.mode})
		if err == nil {
			_ = rdb.Close()
			t.Errorf("%s %s: accepted", c.mode, c.url)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, "CW_REDIS_") || strings.Contains(msg, "s3cret") {
			t.Errorf("%s: %s", c.want, msg)
		}
	}
}

// Cluster mode runs on the embedded Redis too (miniredis answers CLUSTER
// SLOTS as a one-node cluster), so the cluster client's code path is
// exercised without a real cluster.
func TestClusterClientOnEmbeddedRedis(t *testing.T) {
	addr, stop, err := store.StartEmbeddedRedis()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	rdb, closeFn, err := store.OpenRedis(context.Background(), store.RedisConfig{URL: "redis://" + addr, Mode: store.RedisCluster})
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("cluster mode made a %T", rdb)
	}
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if v := rdb.Get(ctx, "k").Val(); v != "v" {
		t.Errorf("got %q", v)
	}
}

// On the test Redis (a real three-master cluster when
// CW_TEST_REDIS_MODE=cluster): keys spread over the masters are all found
// by storetest.Keys (SCAN on every master), keys that share a hash tag can
// be used together in one command and one transaction, and — on a cluster
// — keys that do not are refused with CROSSSLOT, the failure the hash-tag
// rule prevents.
func TestHashTagsOnTheTestRedis(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	ctx := context.Background()
	var pairs []any
	for i := range 30 {
		pairs = append(pairs, fmt.Sprintf("%sspread:%d", prefix, i), i)
	}
	for i := 0; i < len(pairs); i += 2 {
		if err := rdb.Set(ctx, pairs[i].(string), pairs[i+1], time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if keys := storetest.Keys(t, rdb, prefix+"spread:*"); len(keys) != 30 {
		t.Errorf("found %d of the 30 keys", len(keys))
	}

	tagged := []string{prefix + "{acct1}:a", prefix + "{acct1}:b"}
	storetest.SameSlot(t, rdb, tagged...)
	if err := rdb.MSet(ctx, tagged[0], 1, tagged[1], 2).Err(); err != nil {
		t.Errorf("MSET of one hash tag: %v", err)
	}
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, tagged[0])
		p.Incr(ctx, tagged[1])
		return nil
	}); err != nil {
		t.Errorf("MULTI over one hash tag: %v", err)
	}

	if _, ok := rdb.(*redis.ClusterClient); !ok {
		return
	}
	// Two keys that hash to different slots of the cluster.
	a, b := prefix+"a", prefix+"b"
	for i := 0; rdb.ClusterKeySlot(ctx, a).Val() == rdb.ClusterKeySlot(ctx, b).Val(); i++ {
		b = fmt.Sprintf("%sb%d", prefix, i)
	}
	if err := rdb.MSet(ctx, a, 1, b, 2).Err(); err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Errorf("MSET over two slots: %v, want CROSSSLOT", err)
	}
}
