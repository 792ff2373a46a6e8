package store_test

import (
	"context"
	"log/slog"
	"testing"

	"creditwater/models"
	"creditwater/store"
	"creditwater/store/storetest"
)

// R8.3: the write stamp the cached statistics check moves with each
// statement that changed a watched table — gorm's creates, updates and
// deletes, and raw writes naming the table — and not with reads, with
// writes that changed no row, or with writes to other tables.
func TestR8_3_WriteStampCountsWrites(t *testing.T) {
	db := storetest.DB(t)
	rdb, prefix := storetest.Redis(t)
	stamp := store.NewWriteStamp(rdb, prefix+"writes", slog.Default(), "subjects", "dishonesty_records")
	if err := db.Use(stamp); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := int64(0)
	step := func(what string, moves bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if moves {
			want++
		}
		got, err := stamp.Read(ctx)
		if err != nil || got != want {
			t.Fatalf("%s: stamp %d (%v), want %d", what, got, err, want)
		}
	}
	step("nothing yet", false, nil)
	s := models.Subject{Kind: models.SubjectPerson, Name: "写入计数"}
	step("create", true, db.Create(&s).Error)
	step("update", true, db.Model(&s).Update("name", "写入计数二").Error)
	step("update of no row", false, db.Model(&models.Subject{}).Where("id = ?", "none").Update("name", "x").Error)
	var n int64
	step("read", false, db.Model(&models.Subject{}).Count(&n).Error)
	step("raw read", false, db.Raw("SELECT COUNT(*) FROM subjects").Scan(&n).Error)
	step("raw write", true, db.Exec("UPDATE subjects SET tier = ? WHERE id = ?", models.TierExcellent, s.ID).Error)
	step("raw write elsewhere", false, db.Exec("UPDATE users SET display_name = 'x' WHERE id = 'none'").Error)
	step("other table", false, db.Create(&models.User{Role: models.RoleStaff, DisplayName: "李四"}).Error)
	if db.Exec("UPDATE subjects SET no_such_column = 1").Error == nil {
		t.Fatal("a write of an unknown column passed")
	}
	step("failed write", false, nil)
	step("delete", true, db.Delete(&models.Subject{}, "id = ?", s.ID).Error)
}

func TestContainsWord(t *testing.T) {
	for q, want := range map[string]bool{
		"UPDATE subjects SET a = 1":         true,
		"UPDATE `subjects` SET a = 1":       true,
		"DELETE FROM subjects":              true,
		"UPDATE subjects_archive SET a = 1": false,
		"UPDATE old_subjects SET a = 1":     false,
		"UPDATE x SET a = 1 WHERE id IN (SELECT id FROM old_subjects) AND subjects2 = 1": false,
		"INSERT INTO t SELECT * FROM subjects":                                           true,
	} {
		if got := store.ContainsWord(q, "subjects"); got != want {
			t.Errorf("%q: %v", q, got)
		}
	}
}
