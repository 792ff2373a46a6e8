package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"creditwater/apperr"
	"creditwater/store"
	"creditwater/store/storetest"
)

// Classified causes, wrapped the way domain code wraps them.
func TestIsUnavailableClassifiesCauses(t *testing.T) {
	wrap := func(err error) error {
		return apperr.Wrap(fmt.Errorf("query: %w", err), apperr.Internal, "could not read")
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"bad conn", wrap(driver.ErrBadConn), true},
		{"mysql invalid conn", wrap(mysql.ErrInvalidConn), true},
		{"too many connections", wrap(&mysql.MySQLError{Number: 1040, Message: "Too many connections"}), true},
		{"server shutdown", wrap(&mysql.MySQLError{Number: 1053}), true},
		{"duplicate key", wrap(&mysql.MySQLError{Number: 1062}), false},
		{"syntax", wrap(&mysql.MySQLError{Number: 1064}), false},
		{"not found", wrap(gorm.ErrRecordNotFound), false},
		{"duplicated key (gorm)", wrap(gorm.ErrDuplicatedKey), false},
		{"deadline", wrap(context.DeadlineExceeded), false},
		{"cancelled", wrap(context.Canceled), false},
		{"domain error", apperr.InvalidField("x", "bad"), false},
		{"plain", errors.New("boom"), false},
	} {
		if got := store.IsUnavailable(tc.err); got != tc.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// Real failures of the real drivers are classified as outages.
func TestIsUnavailableOnRealFailures(t *testing.T) {
	ctx := context.Background()

	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		_, err = store.OpenDB(ctx, store.DBConfig{URL: "u:p@tcp(" + addr + ")/x", MaxOpen: 1, MaxIdle: 1})
		if err == nil || !store.IsUnavailable(err) {
			t.Fatalf("refused connection: %v", err)
		}
	})

	t.Run("closed pool", func(t *testing.T) {
		db := storetest.DB(t)
		sqlDB, _ := db.DB()
		_ = sqlDB.Close()
		err := db.WithContext(ctx).Exec("SELECT 1").Error
		if err == nil || !store.IsUnavailable(apperr.Wrap(err, apperr.Internal, "x")) {
			t.Fatalf("closed pool: %v", err)
		}
	})

	t.Run("sqlite locked", func(t *testing.T) {
		dir := t.TempDir()
		holder, err := store.OpenDB(ctx, store.DBConfig{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if s, err := holder.DB(); err == nil {
				_ = s.Close()
			}
		})
		if err := holder.Exec("CREATE TABLE t (x INTEGER)").Error; err != nil {
			t.Fatal(err)
		}
		tx := holder.Begin() // BEGIN IMMEDIATE: holds the write lock
		if err := tx.Exec("INSERT INTO t VALUES (1)").Error; err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		// A second handle that does not wait at all meets the lock at once.
		other, err := gorm.Open(sqliteNoWait(filepath.Join(dir, "creditwater.db")), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if s, err := other.DB(); err == nil {
				_ = s.Close()
			}
		})
		err = other.Exec("INSERT INTO t VALUES (2)").Error
		if err == nil || !store.IsUnavailable(err) {
			t.Fatalf("locked database: %v", err)
		}
	})

	t.Run("mysql connection killed", func(t *testing.T) {
		if os.Getenv("CW_TEST_DATABASE_URL") == "" {
			t.Skip("needs CW_TEST_DATABASE_URL (runs in CI against MariaDB)")
		}
		db := storetest.DB(t)
		sqlDB, _ := db.DB()
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var id int64
		if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(fmt.Sprintf("KILL %d", id)).Error; err != nil {
			t.Fatal(err)
		}
		// The pinned connection is not retried by database/sql.
		_, err = conn.ExecContext(ctx, "SELECT 1")
		if err == nil || !store.IsUnavailable(err) {
			t.Fatalf("killed connection: %v", err)
		}
	})
}

// sqliteNoWait opens the SQLite file at path with no busy timeout.
func sqliteNoWait(path string) gorm.Dialector {
	return sqlite.Open("file:" + path + "?_pragma=busy_timeout(0)")
}
