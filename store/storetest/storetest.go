// Package storetest gives tests an isolated database and Redis: real MariaDB
// and Redis when CW_TEST_DATABASE_URL / CW_TEST_REDIS_URL are set (as CI
// does), an SQLite file and miniredis otherwise. Each call makes a database
// with a random name (dropped after the test) and a random Redis key prefix,
// so packages running in parallel never collide.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/store"
	"creditwater/testwait"
)

func randName(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// With CW_TEST_REPLICA_URL (a root DSN of a replica of the
// CW_TEST_DATABASE_URL server, e.g. scripts/mariadb-replica.sh's 3308),
// DBConfig and DB also configure the test's database on the replica as a
// read replica (ReplicaURL), after it has replicated.

// DatabaseURL returns the MySQL DSN of a new, empty, randomly named
// database (dropped when the test ends), or "" on embedded defaults.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CW_TEST_DATABASE_URL")
	if base == "" {
		return ""
	}
	dsn, err := store.MySQLDSN(base)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := mysql.ParseDSN(dsn)
	admin, err := store.OpenDB(context.Background(), store.DBConfig{URL: dsn, MaxOpen: 2, MaxIdle: 1})
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	name := "cwt_" + randName(6)
	if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP DATABASE IF EXISTS " + name).Error
		if s, err := admin.DB(); err == nil {
			_ = s.Close()
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// ReplicaURL returns the DSN of the database primaryDSN (made by
// DatabaseURL) on the read replica CW_TEST_REPLICA_URL names, once the
// database has reached the replica; "" when CW_TEST_REPLICA_URL or
// primaryDSN is empty.
func ReplicaURL(t testing.TB, primaryDSN string) string {
	t.Helper()
	base := os.Getenv("CW_TEST_REPLICA_URL")
	if base == "" || primaryDSN == "" {
		return ""
	}
	dsn, err := store.MySQLDSN(base)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := mysql.ParseDSN(dsn)
	primary, _ := mysql.ParseDSN(primaryDSN)
	cfg.DBName = primary.DBName
	CatchUp(t, primaryDSN, cfg.FormatDSN())
	return cfg.FormatDSN()
}

// CatchUp waits until the replica replicaDSN has applied everything the
// primary primaryDSN has written so far (MASTER_GTID_WAIT on the
// primary's GTID position); it fails the test after testwait.Deadline.
func CatchUp(t testing.TB, primaryDSN, replicaDSN string) {
	t.Helper()
	open := func(dsn string) *sql.DB {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.DBName = "" // the database may not be on the replica yet
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	p, r := open(primaryDSN), open(replicaDSN)
	defer p.Close()
	defer r.Close()
	var pos string
	if err := p.QueryRow("SELECT @@gtid_binlog_pos").Scan(&pos); err != nil {
		t.Fatalf("storetest: primary's GTID position: %v", err)
	}
	var res sql.NullInt64
	if err := r.QueryRow("SELECT MASTER_GTID_WAIT(?, ?)", pos, testwait.Deadline.Seconds()).Scan(&res); err != nil || !res.Valid || res.Int64 != 0 {
		t.Fatalf("storetest: the replica did not reach the primary's position %s (%v, %v)", pos, res, err)
	}
}

// SyncReplicas makes db's reads on a replica wait until the replica has
// applied every write the primary had made when the read began
// (MASTER_GTID_WAIT), so that tests written against one database — write,
// then list at once — see their writes on the pair too. The replica tests,
// which want the lag, do not call it. Nothing happens without replicas.
func SyncReplicas(t testing.TB, db *gorm.DB) {
	t.Helper()
	replicas := store.ReplicaPools(db)
	if len(replicas) == 0 {
		return
	}
	wait := func(tx *gorm.DB) {
		pool, ok := tx.Statement.ConnPool.(*sql.DB)
		primary, _ := tx.Config.ConnPool.(*sql.DB)
		if !ok || primary == nil || !slices.Contains(replicas, pool) {
			return
		}
		ctx := tx.Statement.Context
		var pos string
		var res sql.NullInt64
		if err := primary.QueryRowContext(ctx, "SELECT @@gtid_binlog_pos").Scan(&pos); err != nil {
			_ = tx.AddError(err)
		} else if err := pool.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, ?)", pos, testwait.Deadline.Seconds()).Scan(&res); err != nil || res.Int64 != 0 {
			_ = tx.AddError(fmt.Errorf("storetest: the replica did not reach %s (%v, %v)", pos, res, err))
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Query().After("gorm:db_resolver").Before("gorm:query").Register("storetest:replica_sync", wait),
		cb.Row().After("gorm:db_resolver").Before("gorm:row").Register("storetest:replica_sync", wait),
		cb.Raw().After("gorm:db_resolver").Before("gorm:raw").Register("storetest:replica_sync", wait),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// DBConfig returns the configuration of a fresh database for one test,
// with the read replica when CW_TEST_REPLICA_URL is set.
func DBConfig(t testing.TB) store.DBConfig {
	t.Helper()
	if u := DatabaseURL(t); u != "" {
		c := store.DBConfig{URL: u, MaxOpen: 10, MaxIdle: 5}
		if r := ReplicaURL(t, u); r != "" {
			c.Replicas, c.ReplicaMaxOpen, c.ReplicaMaxIdle = []string{r}, 4, 2
		}
		return c
	}
	return store.DBConfig{DataDir: filepath.Join(t.TempDir(), "data")}
}

// DB returns a fresh, migrated database for one test (with its replica
// kept in step: SyncReplicas).
func DB(t testing.TB) *gorm.DB {
	t.Helper()
	c := DBConfig(t)
	db, err := store.OpenDB(context.Background(), c)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { store.CloseDB(db) })
	if err := store.Migrate(db); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if c.Replicas != nil {
		CatchUp(t, c.URL, c.Replicas[0])
		SyncReplicas(t, db)
	}
	return db
}

// RedisConfig returns CW_TEST_REDIS_URL read as CW_TEST_REDIS_MODE (single
// when unset; cluster and sentinel take the forms of CW_REDIS_URL in those
// modes), or the URL of a new miniredis that lives as long as the test.
func RedisConfig(t testing.TB) store.RedisConfig {
	t.Helper()
	if u := os.Getenv("CW_TEST_REDIS_URL"); u != "" {
		return store.RedisConfig{URL: u, Mode: RedisMode()}
	}
	addr, stop, err := store.StartEmbeddedRedis()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return store.RedisConfig{URL: "redis://" + addr, Mode: store.RedisSingle}
}

// RedisMode returns CW_TEST_REDIS_MODE when CW_TEST_REDIS_URL is set, else
// single.
func RedisMode() string {
	if m := os.Getenv("CW_TEST_REDIS_MODE"); m != "" && os.Getenv("CW_TEST_REDIS_URL") != "" {
		return m
	}
	return store.RedisSingle
}

// Keys returns the keys matching pattern, scanning every master of a Redis
// Cluster (SCAN on a cluster client reaches one node only).
func Keys(t testing.TB, rdb redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, rdb)
	}
	if err != nil {
		t.Errorf("storetest: scan %s: %v", pattern, err)
	}
	return keys
}

// Prefix returns a random Redis key prefix for one test; with a real Redis
// its keys are deleted when the test ends.
func Prefix(t testing.TB, rdb redis.UniversalClient) string {
	t.Helper()
	p := "cwt:" + randName(6) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for _, k := range Keys(t, rdb, p+"*") {
			_ = rdb.Del(ctx, k).Err()
		}
	})
	return p
}

// Redis returns a client and a private key prefix for one test.
func Redis(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	rdb, closeFn, err := store.OpenRedis(context.Background(), RedisConfig(t))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(closeFn) // cleanups run last-in first-out: the prefix is cleared before the client closes
	return rdb, Prefix(t, rdb)
}

// HashTag is the part of key that Redis Cluster hashes to pick its slot:
// the text between the first { and the next } when it is not empty, else
// the whole key.
func HashTag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

// SameSlot fails the test unless keys — used together by one command,
// script, transaction or pipeline — share a Redis Cluster hash slot: they
// must carry one hash tag, and on a cluster (CW_TEST_REDIS_MODE=cluster)
// CLUSTER KEYSLOT must agree.
func SameSlot(t testing.TB, rdb redis.UniversalClient, keys ...string) {
	t.Helper()
	if len(keys) < 2 {
		t.Fatalf("SameSlot needs at least two keys, got %q", keys)
	}
	for _, k := range keys[1:] {
		if HashTag(k) != HashTag(keys[0]) || HashTag(k) == k {
			t.Errorf("keys %q and %q do not share a hash tag {…}: on a Redis Cluster they may land on different slots", keys[0], k)
		}
	}
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return
	}
	ctx := context.Background()
	first, err := cc.ClusterKeySlot(ctx, keys[0]).Result()
	if err != nil {
		t.Fatalf("CLUSTER KEYSLOT: %v", err)
	}
	for _, k := range keys[1:] {
		if slot, err := cc.ClusterKeySlot(ctx, k).Result(); err != nil || slot != first {
			t.Errorf("CLUSTER KEYSLOT %q = %d (%v), %q = %d", k, slot, err, keys[0], first)
		}
	}
}
