package store_test

import (
	"context"
	"strings"
	"testing"

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
		for _, want := range []string{"parseTime=true", "interpolateParams=true", "charset=utf8mb4"} {
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
