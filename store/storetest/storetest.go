// Package storetest gives tests an isolated database and Redis: real MariaDB
// and Redis when CW_TEST_DATABASE_URL / CW_TEST_REDIS_URL are set (as CI
// does), an SQLite file and miniredis otherwise. Each call makes a database
// with a random name (dropped after the test) and a random Redis key prefix,
// so packages running in parallel never collide.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/store"
)

func randName(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

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

// DBConfig returns the configuration of a fresh database for one test.
func DBConfig(t testing.TB) store.DBConfig {
	t.Helper()
	if u := DatabaseURL(t); u != "" {
		return store.DBConfig{URL: u, MaxOpen: 10, MaxIdle: 5}
	}
	return store.DBConfig{DataDir: filepath.Join(t.TempDir(), "data")}
}

// DB returns a fresh, migrated database for one test.
func DB(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := store.OpenDB(context.Background(), DBConfig(t))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	if err := store.Migrate(db); err != nil {
		t.Fatalf("storetest: %v", err)
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
