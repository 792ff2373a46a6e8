package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"creditwater/models"
	"creditwater/store"
	"creditwater/store/storetest"
)

func TestMigrateIsRepeatable(t *testing.T) {
	db := storetest.DB(t)
	if err := store.Migrate(db); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	u := models.User{Role: models.RoleStaff, DisplayName: "张三"}
	if err := db.Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	var got models.User
	if err := db.First(&got, "id = ?", u.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "张三" || len(got.ID) != 36 {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestMySQLDSNSetsOptions(t *testing.T) {
	for _, in := range []string{"root@tcp(127.0.0.1:3306)/test", "mysql://root:pw@127.0.0.1:3306/test"} {
		dsn, err := store.MySQLDSN(in)
		if err != nil {
			t.Fatal(err)
		}
		// timeTruncate (issue 14): a nanosecond literal would make MariaDB
		// compare DATETIME columns as strings, without their indexes.
		for _, want := range []string{"parseTime=true", "interpolateParams=true", "charset=utf8mb4", "timeTruncate=1µs"} {
			if !strings.Contains(dsn, want) {
				t.Errorf("%s: DSN %q lacks %s", in, dsn, want)
			}
		}
	}
	if _, err := store.MySQLDSN("not a dsn"); err == nil {
		t.Error("bad DSN accepted")
	}
}

func TestRedisRoundTrip(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	ctx := context.Background()
	if err := rdb.Set(ctx, prefix+"k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, _ := rdb.Get(ctx, prefix+"k").Result(); v != "v" {
		t.Fatalf("got %q", v)
	}
}

// Concurrent read-then-write transactions wait for each other instead of
// failing with "database is locked" on SQLite (immediate transactions).
func TestConcurrentWriteTransactions(t *testing.T) {
	db := storetest.DB(t)
	u := models.User{Role: models.RoleStaff, DisplayName: "n0"}
	if err := db.Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			errs <- db.Transaction(func(tx *gorm.DB) error {
				var cur models.User
				if err := tx.Where("id = ?", u.ID).Take(&cur).Error; err != nil {
					return err
				}
				return tx.Model(&cur).Update("display_name", fmt.Sprintf("n%d", i+1)).Error
			})
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// migratedTo opens a fresh database for one test, migrated up to and
// including version, so that a test can seed the rows a later migration
// upgrades.
func migratedTo(t *testing.T, version string) *gorm.DB {
	t.Helper()
	db, err := store.OpenDB(t.Context(), storetest.DBConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	if err := store.MigrateTo(db, version); err != nil {
		t.Fatal(err)
	}
	return db
}
