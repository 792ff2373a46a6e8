package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"creditwater/models"
	"creditwater/store"
	"creditwater/store/storetest"
)

// openWithReplica opens a fresh, migrated test database with the read
// replica of CW_TEST_REPLICA_URL (skipping without the pair), and a root
// connection to the same database on the replica.
func openWithReplica(t *testing.T) (*gorm.DB, *sql.DB) {
	t.Helper()
	if os.Getenv("CW_TEST_DATABASE_URL") == "" || os.Getenv("CW_TEST_REPLICA_URL") == "" {
		t.Skip("needs a primary and its replica: CW_TEST_DATABASE_URL and CW_TEST_REPLICA_URL (scripts/mariadb-replica.sh)")
	}
	c := storetest.DBConfig(t)
	db, err := store.OpenDB(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.CloseDB(db) })
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	storetest.CatchUp(t, c.URL, c.Replicas[0])
	replica, err := sql.Open("mysql", c.Replicas[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = replica.Close() })
	return db, replica
}

// R8.1 (lists at scale): only reads that opt in with store.ReadReplica go
// to the replica; everything else, and everything inside a transaction,
// runs on the primary. A table that exists on the replica alone tells
// where a statement ran.
func TestReadReplicaRoutesOnlyOptedInReads_R8_1(t *testing.T) {
	db, replica := openWithReplica(t)
	// The test's database is dropped on the primary at the end, which
	// drops this table on the replica too.
	if _, err := replica.Exec("CREATE TABLE replica_only (v INT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.Exec("INSERT INTO replica_only VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	read := store.ReadReplica(db.WithContext(ctx))
	for i := range 2 { // the handle is reusable, like WithContext's
		var n int64
		if err := read.Table("replica_only").Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("ReadReplica count #%d: %d, %v", i, n, err)
		}
	}
	var v int
	if err := read.Raw("SELECT v FROM replica_only").Scan(&v).Error; err != nil || v != 7 {
		t.Fatalf("ReadReplica raw select: %d, %v", v, err)
	}
	// The paged list helpers keep the route (CountUpTo starts a new session).
	if n, err := store.CountUpTo(read.Table("replica_only")); err != nil || n != 1 {
		t.Fatalf("CountUpTo on the replica: %d, %v", n, err)
	}
	var n int64
	if err := db.WithContext(ctx).Table("replica_only").Count(&n).Error; err == nil {
		t.Fatal("a read without ReadReplica ran on the replica")
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		return store.ReadReplica(tx).Table("replica_only").Count(&n).Error
	})
	if err == nil {
		t.Fatal("ReadReplica inside a transaction left the transaction")
	}
	// Writes and the reads after them are the primary's.
	u := models.User{Role: models.RoleStaff, DisplayName: "副本测试"}
	if err := db.Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	var got models.User
	if err := db.Take(&got, "id = ?", u.ID).Error; err != nil || got.DisplayName != u.DisplayName {
		t.Fatalf("read-your-write on the primary: %+v, %v", got, err)
	}
	if len(store.ReplicaPools(db)) != 1 {
		t.Fatalf("replica pools: %d", len(store.ReplicaPools(db)))
	}
}

// R8.1: a replica that does not answer does not break the lists: their
// reads fall back to the primary. Needs only MySQL (the replica address
// is closed).
func TestReadReplicaDownFallsBackToPrimary_R8_1(t *testing.T) {
	url := storetest.DatabaseURL(t)
	if url == "" {
		t.Skip("read replicas are MySQL only (CW_TEST_DATABASE_URL)")
	}
	db, err := store.OpenDB(context.Background(), store.DBConfig{URL: url, MaxOpen: 4, MaxIdle: 2,
		Replicas: []string{"root@tcp(127.0.0.1:1)/nowhere?timeout=1s", " "}, ReplicaMaxOpen: 2, ReplicaMaxIdle: 1})
	if err != nil {
		t.Fatalf("a replica that is down must not stop the service: %v", err)
	}
	t.Cleanup(func() { store.CloseDB(db) })
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := store.ReadReplica(db).Model(&models.User{}).Count(&n).Error; err != nil {
		t.Fatalf("list read with the replica down: %v", err)
	}
	if len(store.ReplicaPools(db)) != 1 {
		t.Fatalf("blank entries are ignored: %d pools", len(store.ReplicaPools(db)))
	}
}

// Replicas are ignored on the embedded database: ReadReplica is a no-op.
func TestReadReplicaIgnoredOnSQLite_R8_1(t *testing.T) {
	db, err := store.OpenDB(context.Background(), store.DBConfig{DataDir: filepath.Join(t.TempDir(), "data"), Replicas: []string{"root@tcp(127.0.0.1:1)/x"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.CloseDB(db) })
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := store.ReadReplica(db).Model(&models.User{}).Count(&n).Error; err != nil || store.ReplicaPools(db) != nil {
		t.Fatalf("SQLite with replicas configured: %v, %v", err, store.ReplicaPools(db))
	}
}

func TestReplicaDSNErrorsNameTheVariable(t *testing.T) {
	url := storetest.DatabaseURL(t)
	if url == "" {
		t.Skip("read replicas are MySQL only (CW_TEST_DATABASE_URL)")
	}
	_, err := store.OpenDB(context.Background(), store.DBConfig{URL: url, Replicas: []string{"mysql://%zz"}})
	if err == nil || err.Error() != "store: CW_DATABASE_REPLICA_URLS (entry 1) is not a valid URL" {
		t.Fatalf("bad replica URL: %v", err)
	}
}
