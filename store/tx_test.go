package store_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"creditwater/store"
	"creditwater/store/storetest"
)

// probeTable makes the scratch table tx_probe with rows ids, n = 0.
func probeTable(t *testing.T, db *gorm.DB, ids ...int) {
	t.Helper()
	if err := db.Exec("CREATE TABLE tx_probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := db.Exec("INSERT INTO tx_probe (id, n) VALUES (?, 0)", id).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func bump(tx *gorm.DB, id int) error {
	return tx.Exec("UPDATE tx_probe SET n = n + 1 WHERE id = ?", id).Error
}

// probes returns the n of the rows ids.
func probes(t *testing.T, db *gorm.DB, ids ...int) []int {
	t.Helper()
	out := make([]int, len(ids))
	for i, id := range ids {
		if err := db.Raw("SELECT n FROM tx_probe WHERE id = ?", id).Scan(&out[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// captured returns db logging Transaction's retries into the buffer.
func captured(db *gorm.DB) (*gorm.DB, *bytes.Buffer) {
	var buf bytes.Buffer
	return store.WithLogger(db, slog.New(slog.NewTextHandler(&buf, nil))), &buf
}

var errDeadlock = &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}

func TestTransactionRunsADeadlockVictimAgain(t *testing.T) {
	// Two transactions lock rows 1 and 2 in opposite orders, each waiting
	// at a barrier until the other holds its first row: MariaDB aborts one
	// of them as a deadlock victim (1213). Through store.Transaction both
	// commit; the victim's function ran twice, the winner's once; the retry
	// is logged at WARN with the error class and no SQL.
	db := storetest.DB(t)
	if !store.IsMySQL(db) {
		t.Skip("SQLite transactions begin IMMEDIATE and queue on the file lock: no deadlock to force (needs CW_TEST_DATABASE_URL)")
	}
	probeTable(t, db, 1, 2)
	db, logs := captured(db)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	locked := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	var runs [2]atomic.Int32
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		first, second := 1+i, 2-i
		wg.Go(func() {
			errs[i] = store.Transaction(ctx, db, func(tx *gorm.DB) error {
				if err := bump(tx, first); err != nil {
					return err
				}
				if runs[i].Add(1) == 1 {
					close(locked[i])
					select {
					case <-locked[1-i]:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return bump(tx, second)
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	got := []int{int(runs[0].Load()), int(runs[1].Load())}
	if slices.Sort(got); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("the functions ran %v times, want once for the winner and twice for the victim", got)
	}
	if n := probes(t, db, 1, 2); !slices.Equal(n, []int{2, 2}) {
		t.Fatalf("rows hold %v, want both transactions' updates committed once: [2 2]", n)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "class=deadlock") ||
		strings.Contains(out, "UPDATE") || strings.Contains(out, "tx_probe") || strings.Contains(out, "Deadlock found") {
		t.Fatalf("retry log: %q", out)
	}
}

func TestTransactionRetriesOnlyTheOutermost(t *testing.T) {
	// A deadlock reported inside a nested transaction (a savepoint) is not
	// run again there: it aborts the outer one, which runs again whole, and
	// what it wrote is committed once.
	db := storetest.DB(t)
	probeTable(t, db, 1)
	var outer, inner int
	err := store.Transaction(context.Background(), db, func(tx *gorm.DB) error {
		outer++
		if err := bump(tx, 1); err != nil {
			return err
		}
		return store.Transaction(context.Background(), tx, func(*gorm.DB) error {
			inner++
			if outer == 1 {
				return errDeadlock
			}
			return nil
		})
	})
	if err != nil || outer != 2 || inner != 2 {
		t.Fatalf("err %v; outer ran %d, inner %d times; want nil, 2, 2", err, outer, inner)
	}
	if n := probes(t, db, 1); n[0] != 1 {
		t.Fatalf("row holds %d, want the second run's update only", n[0])
	}
	inner = 0
	err = db.Transaction(func(tx *gorm.DB) error {
		return store.Transaction(context.Background(), tx, func(*gorm.DB) error { inner++; return errDeadlock })
	})
	if !errors.Is(err, errDeadlock) || inner != 1 {
		t.Fatalf("inside a caller's transaction: err %v after %d runs, want the deadlock after 1", err, inner)
	}
}

func TestTransactionRetryIsBounded(t *testing.T) {
	db, logs := captured(storetest.DB(t))
	probeTable(t, db, 1)
	ctx := context.Background()
	cases := []struct {
		name    string
		fail    func(run int) error
		runs    int
		want    error
		retries int
	}{
		{"a deadlock then success commits", func(run int) error {
			if run == 1 {
				return errDeadlock
			}
			return nil
		}, 2, nil, 1},
		{"a lock wait timeout is retried too", func(run int) error {
			if run == 1 {
				return &mysql.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded; try restarting transaction"}
			}
			return nil
		}, 2, nil, 1},
		{"other errors are returned at once, as they are", func(int) error { return gorm.ErrDuplicatedKey }, 1, gorm.ErrDuplicatedKey, 0},
		{"deadlocks every time stop after TxAttempts", func(int) error { return errDeadlock }, store.TxAttempts, errDeadlock, store.TxAttempts - 1},
	}
	for _, c := range cases {
		logs.Reset()
		runs := 0
		err := store.Transaction(ctx, db, func(tx *gorm.DB) error {
			runs++
			if err := bump(tx, 1); err != nil {
				return err
			}
			return c.fail(runs)
		})
		if err != c.want || runs != c.runs {
			t.Errorf("%s: err %v after %d runs, want %v after %d", c.name, err, runs, c.want, c.runs)
		}
		if got := strings.Count(logs.String(), "level=WARN"); got != c.retries {
			t.Errorf("%s: %d retries logged, want %d: %s", c.name, got, c.retries, logs)
		}
	}
	// Only the successful runs' updates were committed.
	if n := probes(t, db, 1); n[0] != 2 {
		t.Fatalf("row holds %d, want 2", n[0])
	}
	// A context that ends stops the retries; the deadlock is returned.
	cctx, cancel := context.WithCancel(ctx)
	runs := 0
	err := store.Transaction(cctx, db, func(*gorm.DB) error { runs++; cancel(); return errDeadlock })
	if !store.Retryable(err) || runs != 1 {
		t.Fatalf("cancelled: err %v after %d runs, want the deadlock after 1", err, runs)
	}
}
