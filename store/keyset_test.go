package store

import (
	"slices"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"

	"creditwater/page"
)

type eachRow struct {
	ID     string `gorm:"primaryKey"`
	Status string
	DueAt  time.Time
	Note   string
}

// PageQueryEach reads one ordered range per value, merged into one page in
// the key's order, after a position; with selected columns it reads only
// those (the deadlines, issue 14: R8.1's lists).
func TestPageQueryEachMergesRangesAndReadsSelectedColumns_R8_1(t *testing.T) {
	db, err := gorm.Open(sqlite.Open("file::memory:"), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&eachRow{}); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := []eachRow{ // due days 5, 1, 3, 2, 4, 1, 6; C is never asked for
		{"a", "A", day.AddDate(0, 0, 5), "n"}, {"b", "B", day.AddDate(0, 0, 1), "n"}, {"c", "A", day.AddDate(0, 0, 3), "n"},
		{"d", "C", day.AddDate(0, 0, 2), "n"}, {"e", "B", day.AddDate(0, 0, 4), "n"}, {"f", "A", day.AddDate(0, 0, 1), "n"},
		{"g", "B", day.AddDate(0, 0, 6), "n"},
	}
	if err := db.Create(&rows).Error; err != nil {
		t.Fatal(err)
	}
	key := page.NewKey("", page.Asc("due_at"), page.Asc("id"))
	read := func(after []any, sel ...string) []eachRow {
		t.Helper()
		q := db.Model(&eachRow{})
		if sel != nil {
			q = q.Select(sel)
		}
		var got []eachRow
		if err := PageQueryEach(q, "each_rows", "status", []any{"A", "B"}, key, after, 2).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		return got
	}
	ids := func(rs []eachRow) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	first := read(nil)
	if want := []string{"b", "f", "c"}; !slices.Equal(ids(first), want) || first[0].Note != "n" {
		t.Fatalf("first page %+v, want %v with whole rows", first, want)
	}
	next := read([]any{first[1].DueAt, first[1].ID}, "id", "status", "due_at")
	if want := []string{"c", "e", "a"}; !slices.Equal(ids(next), want) {
		t.Fatalf("after f: %v, want %v", ids(next), want)
	}
	for _, r := range next {
		if r.Note != "" || r.Status == "" || r.DueAt.IsZero() {
			t.Errorf("selected columns only: %+v", r)
		}
	}
}
