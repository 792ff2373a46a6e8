package billing_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/billing"
	"creditwater/billing/importqueue"
	"creditwater/models"
)

// billsFile is a bills file of n rows; every seventh row has a bad amount.
func billsFile(n int) (data []byte, bad int) {
	var b strings.Builder
	b.WriteString("bill_no,account_no,period,amount_yuan,issued_on,due_on\n")
	for i := 1; i <= n; i++ {
		amount := fmt.Sprintf("%d.5", i)
		if i%7 == 0 {
			amount, bad = "十元", bad+1
		}
		fmt.Fprintf(&b, "Q%05d,A%03d,2024-01,%s,2024-02-01,2024-02-28\n", i, i%50, amount)
	}
	return []byte(b.String()), bad
}

func enqueue(t *testing.T, e *env, data []byte) models.ImportJob {
	t.Helper()
	job, err := e.im.Enqueue(context.Background(), billing.KindBills, bytes.NewReader(data), billing.Meta{FileName: "bills.csv", StartedBy: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func jobOf(t *testing.T, e *env, id string) models.ImportJob {
	t.Helper()
	job, err := e.im.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// R1.1, R8.2: an uploaded file is queued at once (QUEUED, with its row
// count); a worker imports it, and the job's progress counts move batch by
// batch (read from the database while the worker runs) until DONE with
// every row counted once and the row errors kept; the file is deleted.
func TestQueuedImportCompletesWithProgress_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{BatchRows: 20})
	data, bad := billsFile(200)
	job := enqueue(t, e, data)
	if job.Status != billing.StatusQueued || job.TotalRows != 200 || job.Rows != 0 {
		t.Fatalf("queued job: %+v", job)
	}
	if n := countRows(t, e.db, "bills"); n != 0 {
		t.Fatalf("%d bills before the worker ran", n)
	}
	w := importqueue.New(e.db, e.im, "test", time.Minute, time.Second, nil)
	var seen []int64
	w.AfterBatch = func(id string, done int64) {
		seen = append(seen, jobOf(t, e, id).Rows) // what the console polls
	}
	ran, err := w.RunOnce(context.Background())
	if !ran || err != nil {
		t.Fatalf("RunOnce: %v %v", ran, err)
	}
	if len(seen) < 5 {
		t.Fatalf("progress seen %v: want a count per batch", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] || seen[i] > 200 {
			t.Fatalf("progress does not move forward: %v", seen)
		}
	}
	got := jobOf(t, e, job.ID)
	wantCounts(t, got, 200, int64(200-bad), 0, 0, int64(bad))
	if got.Status != billing.StatusDone || got.Errors != int64(bad) || got.LockedBy != "" || got.FinishedAt == nil {
		t.Fatalf("finished job: %+v", got)
	}
	errs, _ := e.im.JobErrors(context.Background(), job.ID, 0)
	if len(errs) != bad || errs[0].Line != 8 || errs[0].Column != "amount_yuan" {
		t.Fatalf("row errors: %d %+v", len(errs), errs)
	}
	if n := countRows(t, e.db, "bills"); n != int64(200-bad) {
		t.Errorf("%d bills, want %d", n, 200-bad)
	}
	if n := countRows(t, e.db, "import_chunks"); n != 0 {
		t.Errorf("%d file chunks left after the job", n)
	}
	if ran, err := w.RunOnce(context.Background()); ran || err != nil {
		t.Errorf("second RunOnce: %v %v", ran, err)
	}
}

// R1.1: a worker stopped after some batches (its context ends, as at a
// shutdown, or it dies and its lease expires) leaves the job at its last
// checkpoint; another worker resumes it, and the result is exactly that
// of an uninterrupted import: every row once, no row error twice.
func TestQueuedImportResumesWithoutLossOrDuplicates_R1_1(t *testing.T) {
	t.Parallel()
	for _, crash := range []bool{false, true} {
		t.Run(map[bool]string{false: "stopped", true: "died"}[crash], func(t *testing.T) {
			e := newEnv(t, billing.Options{BatchRows: 15})
			data, bad := billsFile(150)
			job := enqueue(t, e, data)

			ctx, cancel := context.WithCancel(context.Background())
			first := importqueue.New(e.db, e.im, "first", time.Minute, time.Second, nil)
			var once sync.Once
			first.AfterBatch = func(_ string, done int64) {
				if done >= 45 {
					once.Do(cancel)
				}
			}
			ran, err := first.RunOnce(ctx)
			cancel()
			if !ran || apperr.CodeOf(err) != apperr.Unavailable {
				t.Fatalf("stopped worker: %v %v", ran, err)
			}
			if crash {
				// A worker that dies releases nothing: its lease stays live.
				if err := e.db.Model(&models.ImportJob{}).Where("id = ?", job.ID).Update("locked_until", time.Now().Add(time.Minute)).Error; err != nil {
					t.Fatal(err)
				}
			}
			mid := jobOf(t, e, job.ID)
			if mid.Status != billing.StatusRunning || mid.Rows < 45 || mid.Rows >= 150 {
				t.Fatalf("job after the stop: %+v", mid)
			}
			if n := countRows(t, e.db, "bills") + mid.Failed; n != mid.Rows {
				t.Fatalf("checkpoint %d rows, but %d bills + %d failed stored", mid.Rows, n-mid.Failed, mid.Failed)
			}

			second := importqueue.New(e.db, e.im, "second", time.Minute, time.Second, nil)
			if crash {
				// Before the lease ends nobody takes the job …
				if ran, err := second.RunOnce(context.Background()); ran || err != nil {
					t.Fatalf("job taken under a live lease: %v %v", ran, err)
				}
				// … after it, the next worker does.
				second.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
			}
			if ran, err := second.RunOnce(context.Background()); !ran || err != nil {
				t.Fatalf("resuming worker: %v %v", ran, err)
			}
			got := jobOf(t, e, job.ID)
			if got.Status != billing.StatusDone {
				t.Fatalf("resumed job: %+v", got)
			}
			wantCounts(t, got, 150, int64(150-bad), 0, 0, int64(bad))
			if n := countRows(t, e.db, "bills"); n != int64(150-bad) {
				t.Errorf("%d bills, want %d", n, 150-bad)
			}
			if n := countRows(t, e.db, "import_errors"); n != int64(bad) || got.Errors != int64(bad) {
				t.Errorf("%d stored row errors, %d counted, want %d", n, got.Errors, bad)
			}
		})
	}
}

// R1.1: a bad file is refused at upload with a typed error naming the
// field, and nothing is queued.
func TestQueuedImportRefusesBadFileAtUpload_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{})
	for _, c := range []struct {
		name, file, field string
		kind              billing.Kind
	}{
		{"empty", "", "file", billing.KindBills},
		{"missing column", "bill_no,account_no\nB1,A1\n", "period", billing.KindBills},
		{"unknown kind", "x\n", "kind", "NOPE"},
	} {
		_, err := e.im.Enqueue(context.Background(), c.kind, strings.NewReader(c.file), billing.Meta{FileName: "x.csv"})
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Field != c.field {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if n := countRows(t, e.db, "import_jobs") + countRows(t, e.db, "import_chunks"); n != 0 {
		t.Errorf("%d rows stored for refused files", n)
	}
}
