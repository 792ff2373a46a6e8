package writestamp_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"creditwater/models"
	"creditwater/store"
	"creditwater/store/storetest"
	"creditwater/store/writestamp"
	"creditwater/testwait"
)

// R8.3: the write stamp the cached statistics check moves with each
// statement that changed a watched table — gorm's creates, updates and
// deletes, and raw writes naming the table — and not with reads, with
// writes that changed no row, or with writes to other tables; in the
// caller's transaction it moves again after the COMMIT.
func TestR8_3_WriteStampCountsWrites(t *testing.T) {
	db := storetest.DB(t)
	rdb, prefix := storetest.Redis(t)
	stamp := writestamp.New(rdb, prefix, slog.Default(), "subjects", "dishonesty_records")
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
		got, err := stamp.Read(ctx, "subjects", "dishonesty_records")
		if err != nil || got != fmt.Sprintf("%d,0", want) {
			t.Fatalf("%s: stamp %s (%v), want %d", what, got, err, want)
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
	// In the caller's transaction: at the statement, and again after the
	// COMMIT (a cache filled in between must not outlive it).
	step("in a transaction", true, db.Transaction(func(tx *gorm.DB) error {
		return tx.Create(&models.Subject{Kind: models.SubjectPerson, Name: "事务内"}).Error
	}))
	want++
	testwait.For(t, "the count moved again after the COMMIT", func() bool {
		got, err := stamp.Read(ctx, "subjects", "dishonesty_records")
		return err == nil && got == fmt.Sprintf("%d,0", want)
	})
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
		if got := writestamp.ContainsWord(q, "subjects"); got != want {
			t.Errorf("%q: %v", q, got)
		}
	}
}

// A list's capped count is cached until a write to its table (the write
// stamp): a repeated count answers the cached value even when the rows
// changed outside the product, and the product's next write to the table
// makes it count again; counts of several tables (a subquery) or of an
// unwatched table are never cached.
func TestCountUpToCachedUntilAWrite(t *testing.T) {
	db := storetest.DB(t)
	rdb, prefix := storetest.Redis(t)
	stamp := writestamp.New(rdb, prefix, slog.Default(), "subjects")
	stamp.CountTTL = time.Minute
	if err := db.Use(stamp); err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	person := func(name string) models.Subject {
		s := models.Subject{Kind: models.SubjectPerson, Name: name}
		if err := db.Create(&s).Error; err != nil {
			t.Fatal(err)
		}
		return s
	}
	count := func(q *gorm.DB) int64 {
		t.Helper()
		n, err := store.CountUpTo(q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	people := func() *gorm.DB { return db.Model(&models.Subject{}).Where("kind = ?", models.SubjectPerson) }
	base := count(people())
	a := person("计数甲")
	if n := count(people()); n != base+1 {
		t.Fatalf("after a create: %d, want %d", n, base+1)
	}
	// Outside the product: the cached count stays.
	if _, err := sqlDB.Exec("DELETE FROM subjects WHERE id = ?", a.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(people()); n != base+1 {
		t.Fatalf("not cached: %d, want %d", n, base+1)
	}
	// Another filter is another count.
	if n := count(people().Where("name = ?", "计数甲")); n != 0 {
		t.Fatalf("another filter: %d", n)
	}
	// The product's write: counted again.
	person("计数乙")
	if n := count(people()); n != base+1 {
		t.Fatalf("after a write: %d, want %d", n, base+1)
	}
	// A subquery reads another table: never cached.
	users := func() *gorm.DB {
		return db.Model(&models.Subject{}).Where("id NOT IN (?)", db.Model(&models.User{}).Select("id"))
	}
	before := count(users())
	if _, err := sqlDB.Exec("DELETE FROM subjects WHERE name = ?", "计数乙"); err != nil {
		t.Fatal(err)
	}
	if n := count(users()); n != before-1 {
		t.Fatalf("with a subquery: %d, want %d", n, before-1)
	}
}
