package store_test

import (
	"testing"
	"time"

	"creditwater/store"
)

// R7.1: 0009_auth_usernames (migrate_0009.go) gives existing usernames their normalised key;
// of two that share a key the older keeps it and the other is disabled
// without one, so the unique index holds and no spelling reaches two
// accounts.
func TestMigrate0009FillsUsernameKeys_R7_1(t *testing.T) {
	db := migratedTo(t, "0007_repair_objection")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, u := range []struct{ id, role, username string }{
		{"u-1", "ADMIN", "Officer"},
		{"u-2", "STAFF", "off\u00adicer"}, // a soft hyphen: MariaDB's unicode_ci tells them apart
		{"u-3", "STAFF", "zhang.wei"},
		{"u-4", "ENTERPRISE", ""},
	} {
		row := map[string]any{"id": u.id, "role": u.role, "created_at": base.Add(time.Duration(i) * time.Hour), "updated_at": base, "disabled": false}
		if u.username != "" {
			row["username"] = u.username
		}
		if err := db.Table("users").Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	type got struct {
		ID          string
		UsernameKey *string
		Disabled    bool
		SessionGen  int64
		Version     int
	}
	var rows []got
	if err := db.Table("users").Select("id, username_key, disabled, session_gen, version").Order("id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	key := func(g got) string {
		if g.UsernameKey == nil {
			return "<nil>"
		}
		return *g.UsernameKey
	}
	want := []struct {
		key      string
		disabled bool
	}{{"officer", false}, {"<nil>", true}, {"zhang.wei", false}, {"<nil>", false}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if key(rows[i]) != w.key || rows[i].Disabled != w.disabled || rows[i].Version != 1 || rows[i].SessionGen != 0 {
			t.Errorf("%s: key %s disabled %v version %d gen %d; want key %s disabled %v version 1 gen 0",
				rows[i].ID, key(rows[i]), rows[i].Disabled, rows[i].Version, rows[i].SessionGen, w.key, w.disabled)
		}
	}
	if store.IsMySQL(db) {
		// Keys compare as bytes, as in Go: "officer" and "Officer" are two keys.
		var coll string
		if err := db.Raw("SELECT collation_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'username_key'").Scan(&coll).Error; err != nil || coll != "utf8mb4_bin" {
			t.Errorf("username_key collation %q (%v), want utf8mb4_bin", coll, err)
		}
	}
	// The index is unique.
	if err := db.Table("users").Where("id = ?", "u-3").Update("username_key", "officer").Error; err == nil {
		t.Error("a second user got the key officer")
	}
}
