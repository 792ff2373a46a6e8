package main

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"creditwater/store"
	"creditwater/store/storetest"
)

// The bench's loader at a tiny scale against MariaDB (CW_TEST_DATABASE_URL),
// so that the bench keeps working as the schema moves on: every table gets
// its rows, the indexes dropped for the load come back as the migrations
// made them, the cases find their fixtures and an EXPLAIN reads.
func TestLoaderTinyScale(t *testing.T) {
	if storetest.DatabaseURL(t) == "" {
		t.Skip("the loader needs MariaDB (CW_TEST_DATABASE_URL)")
	}
	ctx := context.Background()
	gdb := storetest.DB(t)
	if !store.IsMySQL(gdb) {
		t.Fatal("not MariaDB")
	}
	db, err := gdb.DB()
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]key{}
	for _, tbl := range []string{"applications", "dishonesty_records", "audit_entries", "repair_requests"} {
		if before[tbl], err = secondaryKeys(ctx, c, tbl); err != nil {
			t.Fatal(err)
		}
	}
	z := newSizes(0.0001, time.Now())
	for range 2 { // a second load replaces the first
		if err := load(ctx, db, z, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := loaded(ctx, db, 0.0001)
	if err != nil || !ok || got.Apps != z.Apps || got.NowMS != z.NowMS {
		t.Fatalf("loaded: %+v %v %v", got, ok, err)
	}
	if _, ok, _ := loaded(ctx, db, 0.0002); ok {
		t.Error("another scale counts as loaded")
	}
	for tbl, want := range before {
		after, err := secondaryKeys(ctx, c, tbl)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(after, want) {
			t.Errorf("%s: indexes %v after the load, want %v", tbl, after, want)
		}
	}
	var open, vip int
	if err := db.QueryRowContext(ctx, "SELECT SUM(status NOT IN ('ACCEPTED','REJECTED','WITHDRAWN')), SUM(vip) FROM applications").Scan(&open, &vip); err != nil {
		t.Fatal(err)
	}
	if open == 0 || vip == 0 {
		t.Errorf("applications: %d open, %d VIP", open, vip)
	}
	cs, err := cases(ctx, db, z)
	if err != nil || len(cs) < 20 {
		t.Fatalf("cases: %d, %v", len(cs), err)
	}
	lines, err := explain(ctx, c, "SELECT * FROM applications ORDER BY vip DESC, submitted_at, id LIMIT 51")
	if err != nil || len(lines) != 1 {
		t.Fatalf("explain: %v %v", lines, err)
	}
	c.Close()
}

// A list's profile is named after the list, in lower case, without spaces
// or punctuation.
func TestProfileName(t *testing.T) {
	for list, want := range map[string]string{
		"queue: VIP first, all":       "queue-vip-first-all.pprof",
		"records: kind+status+date":   "records-kind-status-date.pprof",
		"statistics (default period)": "statistics-default-period.pprof",
	} {
		if got := profileName(list); got != want {
			t.Errorf("profileName(%q) = %q, want %q", list, got, want)
		}
	}
}

// Each process's CPU time over the run is divided by the requests made; a
// process not measured (0 before) stays 0, shown as "-".
func TestPerRequest(t *testing.T) {
	before := []time.Duration{time.Second, 2 * time.Second, 0, time.Second}
	after := []time.Duration{5 * time.Second, 3 * time.Second, 0, 1200 * time.Millisecond}
	got := perRequest(before, after, 1000)
	want := [4]time.Duration{4 * time.Millisecond, time.Millisecond, 0, 200 * time.Microsecond}
	if got != want {
		t.Errorf("perRequest = %v, want %v", got, want)
	}
	if got := perRequest(before, after, 0); got != ([4]time.Duration{}) {
		t.Errorf("no requests: %v", got)
	}
	if cpuMS(0) != "-" || cpuMS(1250*time.Microsecond) != "1.25ms" {
		t.Errorf("cpuMS: %q %q", cpuMS(0), cpuMS(1250*time.Microsecond))
	}
}
