// Package store opens creditwater's system of record (MySQL/MariaDB through
// gorm, or an embedded SQLite file for development) and its Redis, and owns
// the versioned schema migrations.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DBConfig is what OpenDB needs.
type DBConfig struct {
	// URL is a MySQL DSN (user:pass@tcp(host:3306)/db?...) or mysql:// URL;
	// empty selects the embedded SQLite file under DataDir.
	URL          string
	DataDir      string
	MaxOpen      int
	MaxIdle      int
	ConnLifetime time.Duration
	// Replicas are read replicas of URL (DSNs or mysql:// URLs), each with
	// a pool of ReplicaMaxOpen/ReplicaMaxIdle connections; ignored on the
	// embedded database. See ReadReplica.
	Replicas       []string
	ReplicaMaxOpen int
	ReplicaMaxIdle int
}

// Embedded reports whether the configuration selects the SQLite file.
func (c DBConfig) Embedded() bool { return c.URL == "" }

// OpenDB opens the database and checks it answers. MySQL connections use
// utf8mb4, parseTime, UTC and interpolateParams; the pool is sized from c.
func OpenDB(ctx context.Context, c DBConfig) (*gorm.DB, error) {
	// No automatic ping: OpenDB pings the primary itself below, and a read
	// replica (opened by dbresolver with this configuration) may be down at
	// start without stopping the service.
	gcfg := &gorm.Config{Logger: logger.Discard, TranslateError: true, DisableAutomaticPing: true, NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	var dial func() gorm.Dialector
	if c.Embedded() {
		if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("store: data dir: %w", err)
		}
		path := filepath.Join(c.DataDir, "creditwater.db")
		dial = func() gorm.Dialector { return sqlite.Open(SQLiteDSN(path)) }
	} else {
		dsn, err := MySQLDSN(c.URL)
		if err != nil {
			return nil, err
		}
		dial = func() gorm.Dialector { return gmysql.New(gmysql.Config{DSN: dsn, DefaultStringSize: 255}) }
	}
	db, err := openGorm(ctx, dial, gcfg)
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if c.Embedded() {
		// SQLite has one writer; a small pool with immediate transactions and
		// a busy timeout serialises writers instead of failing them.
		sqlDB.SetMaxOpenConns(4)
	} else {
		sqlDB.SetMaxOpenConns(max(c.MaxOpen, 1))
		sqlDB.SetMaxIdleConns(max(c.MaxIdle, 1))
		sqlDB.SetConnMaxLifetime(c.ConnLifetime)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: database not reachable: %w", err)
	}
	if !c.Embedded() && len(c.Replicas) > 0 {
		if err := useReplicas(db, c); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
	}
	if !c.Embedded() {
		// Session makes the configured handle safe to reuse (a bare Set would
		// share one statement between all callers).
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci").Session(&gorm.Session{})
	}
	return db, nil
}

// openGorm opens the database. A new SQLite file that another process is
// switching to WAL at the same moment (two instances starting together)
// answers "database is locked" at once, without waiting for the busy
// timeout: the open is tried again for up to 10 s. Other errors are
// returned at once.
func openGorm(ctx context.Context, dial func() gorm.Dialector, gcfg *gorm.Config) (*gorm.DB, error) {
	b := &backoff.ExponentialBackOff{InitialInterval: 20 * time.Millisecond, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: 500 * time.Millisecond}
	return backoff.Retry(ctx, func() (*gorm.DB, error) {
		db, err := gorm.Open(dial(), gcfg)
		if err == nil {
			return db, nil
		}
		if db != nil {
			if sqlDB, e := db.DB(); e == nil {
				_ = sqlDB.Close()
			}
		}
		if !IsSQLiteBusy(err) {
			return nil, backoff.Permanent(err)
		}
		return nil, err
	}, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(10*time.Second))
}

// SQLiteDSN is the DSN of the embedded database file at path. Transactions
// begin IMMEDIATE so that concurrent writers wait (busy_timeout) instead of
// failing when a read would upgrade to a write. (No _time_format: the driver
// stops reading options after it, which would drop _txlock; its default is
// the same format.)
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// MySQLDSN normalises a DSN or mysql:// URL and sets the options the
// service relies on: parseTime, UTC, utf8mb4, interpolateParams, times
// truncated to microseconds.
func MySQLDSN(raw string) (string, error) { return mysqlDSN(raw, "CW_DATABASE_URL") }

// mysqlDSN is MySQLDSN with the variable named in its errors.
func mysqlDSN(raw, name string) (string, error) {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "mysql://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", errors.New("store: " + name + " is not a valid URL")
		}
		pass, _ := u.User.Password()
		cfg := mysql.NewConfig()
		cfg.User = u.User.Username()
		cfg.Passwd = pass
		cfg.Net = "tcp"
		cfg.Addr = u.Host
		cfg.DBName = strings.TrimPrefix(u.Path, "/")
		raw = cfg.FormatDSN()
		if u.RawQuery != "" {
			raw += "?" + u.RawQuery
		}
	}
	cfg, err := mysql.ParseDSN(raw)
	if err != nil {
		return "", errors.New("store: " + name + " is not a valid MySQL DSN")
	}
	cfg.ParseTime = true
	cfg.InterpolateParams = true
	// Times are sent with at most microseconds: a literal with nanoseconds
	// is no valid DATETIME for MariaDB, which then compares it as a string
	// and reads a whole index instead of the range (issue 14, bench/lists).
	if err := cfg.Apply(mysql.TimeTruncate(time.Microsecond)); err != nil {
		return "", err
	}
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["charset"] = "utf8mb4"
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.AllowNativePasswords = true
	cfg.MultiStatements = false
	cfg.AllowAllFiles = false
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	return cfg.FormatDSN(), nil
}

// IsMySQL reports whether db talks to MySQL/MariaDB.
func IsMySQL(db *gorm.DB) bool { return db.Dialector.Name() == "mysql" }
