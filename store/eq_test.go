package store

import (
	"strings"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"

	"creditwater/models"
)

// Eq filters only on a value that is set (R8.1: a list's optional filters).
func TestEqFiltersOnlyOnSetValues_R8_1(t *testing.T) {
	db, err := gorm.Open(sqlite.Open("file::memory:"), &gorm.Config{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	sql := func(q *gorm.DB) string {
		return q.Find(&[]models.AuditEntry{}).Statement.SQL.String()
	}
	base := db.Model(&models.AuditEntry{})
	if s := sql(Eq(Eq(base, "actor_id", ""), "action", models.OutboxStatus(""))); strings.Contains(s, "WHERE") {
		t.Errorf("zero values filtered: %s", s)
	}
	s := sql(Eq(Eq(db.Model(&models.AuditEntry{}), "actor_id", "u1"), "action", ""))
	if !strings.Contains(s, "actor_id = ?") || strings.Contains(s, "action = ?") {
		t.Errorf("want only actor_id filtered: %s", s)
	}
}
