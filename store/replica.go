package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// Read replicas (CW_DATABASE_REPLICA_URLS) are registered with
// gorm.io/plugin/dbresolver under one name and no global resolver, so that
// every statement runs on the primary unless its query opts in with
// ReadReplica: the lists, statistics and reports that may be a replica's
// lag behind. Reads that decide a rule (eligibility, blocking records, a
// version check) and the payload a mutation returns stay on the primary
// without anyone having to remember it; a missed opt-in costs a primary
// read, never a stale decision.

// replicaResolver names dbresolver's configuration of the read replicas
// (not a table name, which dbresolver would also match).
const replicaResolver = "cw:read-replicas"

// replicaCheckEvery is how often the replicas are pinged; one that does not
// answer is skipped until it answers again.
const replicaCheckEvery = 2 * time.Second

// replicaSet is the dbresolver plugin with the replicas' pools and their
// health, kept in the gorm.DB's plugins so that CloseDB and the metrics
// find them.
type replicaSet struct {
	*dbresolver.DBResolver
	pools   []*sql.DB
	healthy []atomic.Bool
	next    atomic.Uint64
	stop    context.CancelFunc
	done    sync.WaitGroup
}

// resolve is the policy: round robin over the replicas that answered the
// last check; the primary when none did (lists then read fresh data, never
// fail because a replica is down). pools are the replicas followed by the
// primary (dbresolver skips the policy when it has a single pool).
func (r *replicaSet) resolve(pools []gorm.ConnPool) gorm.ConnPool {
	n := uint64(len(r.healthy))
	start := r.next.Add(1)
	for i := range n {
		if j := (start + i) % n; r.healthy[j].Load() {
			return pools[j]
		}
	}
	return pools[len(pools)-1]
}

// check pings every replica and records which answered.
func (r *replicaSet) check(ctx context.Context) {
	for i, p := range r.pools {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		r.healthy[i].Store(p.PingContext(pctx) == nil)
		cancel()
	}
}

func (r *replicaSet) watch(ctx context.Context) {
	defer r.done.Done()
	t := time.NewTicker(replicaCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.check(ctx)
		}
	}
}

func (r *replicaSet) close() {
	r.stop()
	r.done.Wait()
	r.closePools()
}

// useReplicas registers the replicas of c on db (a MySQL primary). Each
// replica has its own pool sized by c.ReplicaMaxOpen/ReplicaMaxIdle; a
// replica that is down at start does not stop the service (its reads go to
// the primary until it answers).
func useReplicas(db *gorm.DB, c DBConfig) error {
	primary, err := db.DB()
	if err != nil {
		return err
	}
	var urls []string
	for _, u := range c.Replicas {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		return nil
	}
	set := &replicaSet{healthy: make([]atomic.Bool, len(urls))}
	var dials []gorm.Dialector
	for i, raw := range urls {
		dsn, err := mysqlDSN(raw, fmt.Sprintf("CW_DATABASE_REPLICA_URLS (entry %d)", i+1))
		if err != nil {
			set.closePools()
			return err
		}
		pool, err := sql.Open("mysql", dsn)
		if err != nil {
			set.closePools()
			return fmt.Errorf("store: replica %d: %w", i+1, err)
		}
		pool.SetMaxOpenConns(max(c.ReplicaMaxOpen, 1))
		pool.SetMaxIdleConns(max(c.ReplicaMaxIdle, 1))
		pool.SetConnMaxLifetime(c.ConnLifetime)
		set.pools = append(set.pools, pool)
		// The replica's dialector only lends its pool: statements are built
		// by the primary's, so no version query at start.
		dials = append(dials, gmysql.New(gmysql.Config{Conn: pool, SkipInitializeWithVersion: true, DefaultStringSize: 255}))
	}
	// The primary last, for resolve to fall back on.
	dials = append(dials, gmysql.New(gmysql.Config{Conn: primary, SkipInitializeWithVersion: true}))
	set.DBResolver = dbresolver.Register(dbresolver.Config{Replicas: dials, Policy: dbresolver.PolicyFunc(set.resolve)}, replicaResolver)
	if err := db.Use(set); err != nil {
		set.closePools()
		return fmt.Errorf("store: read replicas: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	set.stop = cancel
	set.check(ctx)
	set.done.Add(1)
	go set.watch(ctx)
	return nil
}

func (r *replicaSet) closePools() {
	for _, p := range r.pools {
		_ = p.Close()
	}
}

func replicasOf(db *gorm.DB) *replicaSet {
	set, _ := db.Config.Plugins[(&dbresolver.DBResolver{}).Name()].(*replicaSet)
	return set
}

// ReadReplica routes the reads of q to a read replica when replicas are
// configured (outside a transaction; inside one, or without replicas, q is
// unchanged). Use it only for reads whose result may lag the primary by the
// replica's delay: staff lists and their counts, statistics, reports and
// exports, the public publicity query. Never for a read that decides a
// rule or that a mutation returns, and never for a write (a statement
// derived from q with a new session would stay on the replica).
func ReadReplica(q *gorm.DB) *gorm.DB {
	if replicasOf(q) == nil {
		return q
	}
	// Session: the handle may be reused for several queries (as WithContext's).
	return q.Clauses(dbresolver.Use(replicaResolver)).Session(&gorm.Session{})
}

// ReplicaPools returns the pools of the configured read replicas (for
// metrics), or nil.
func ReplicaPools(db *gorm.DB) []*sql.DB {
	if set := replicasOf(db); set != nil {
		return set.pools
	}
	return nil
}

// CloseDB closes the database's pool and those of its read replicas.
func CloseDB(db *gorm.DB) {
	if set := replicasOf(db); set != nil {
		set.close()
	}
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
