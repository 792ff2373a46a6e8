package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store/storetest"
	"creditwater/testwait"
)

func admin() context.Context {
	return reqctx.WithActor(context.Background(), &reqctx.Actor{UserID: "admin-1", Role: models.RoleAdmin})
}

// pair returns two runners sharing one database and one Redis prefix, as
// two instances of the service would.
func pair(t *testing.T) (*Runner, *Runner, *gorm.DB, redis.UniversalClient) {
	t.Helper()
	db := storetest.DB(t)
	rdb, prefix := storetest.Redis(t)
	a, err := New(db, rdb, prefix, nil, "instance-a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(db, rdb, prefix, nil, "instance-b")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Stop(); _ = b.Stop() })
	return a, b, db, rdb
}

// lateTrigger fires the job's schedule on r until decided reports a lock
// decision: gocron drops a trigger that arrives while it still considers the
// previous run of the (singleton) job in progress.
func lateTrigger(t *testing.T, r *Runner, name string, decided func() bool) {
	t.Helper()
	testwait.For(t, "a lock decision on the late trigger", func() bool {
		if decided() {
			return true
		}
		if err := r.entry(name).handle.RunNow(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		return decided()
	})
}

func TestRegisterValidation(t *testing.T) {
	a, _, _, _ := pair(t)
	run := func(context.Context) (string, error) { return "", nil }
	cases := []struct {
		job   Job
		code  apperr.Code
		field string
	}{
		{Job{Name: "arrears", Schedule: "30 2 * * *", Run: run}, "", ""},
		{Job{Name: "tiers", Schedule: "15m", Run: run}, "", ""},
		{Job{Name: "daily", Schedule: "@daily", Run: run}, "", ""},
		{Job{Name: "arrears", Schedule: "30 2 * * *", Run: run}, apperr.Conflict, ""},
		{Job{Name: "Bad Name", Schedule: "15m", Run: run}, apperr.Invalid, "name"},
		{Job{Name: "x", Schedule: "not a schedule", Run: run}, apperr.Invalid, "schedule"},
		{Job{Name: "x", Schedule: "@every 5m", Run: run}, apperr.Invalid, "schedule"},
		{Job{Name: "x", Schedule: "10ms", Run: run}, apperr.Invalid, "schedule"},
		{Job{Name: "x", Schedule: "15m"}, apperr.Invalid, "run"},
	}
	for _, c := range cases {
		err := a.Register(c.job)
		ae := apperr.As(err)
		if apperr.CodeOf(err) != c.code || (ae != nil && ae.Field != c.field) {
			t.Errorf("%+v: %v, want %q field %q", c.job.Name, err, c.code, c.field)
		}
	}
	if got := a.Jobs(); len(got) != 3 || got[0].Name != "arrears" || got[2].Name != "tiers" {
		t.Fatalf("jobs %+v", got)
	}
}

func TestScheduleSlot(t *testing.T) {
	// The slot of a cron job is its latest activation at or before now (in
	// Asia/Shanghai); of an interval job, now truncated to the interval.
	loc := mustLoc(t)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05.999", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		schedule, now, want string
	}{
		{"30 2 * * *", "2026-03-10 02:30:00", "2026-03-10 02:30:00"},
		{"30 2 * * *", "2026-03-10 02:30:00.400", "2026-03-10 02:30:00"},
		{"30 2 * * *", "2026-03-10 02:29:59", "2026-03-09 02:30:00"},
		{"*/5 * * * *", "2026-03-10 10:07:00", "2026-03-10 10:05:00"},
		{"0 3 1 * *", "2026-03-31 00:00:00", "2026-03-01 03:00:00"},
		{"0 0 1 1 *", "2026-12-31 23:00:00", "2026-01-01 00:00:00"},
		{"15m", "2026-03-10 10:29:59", "2026-03-10 10:15:00"},
	}
	for _, c := range cases {
		r := &Runner{jobs: map[string]*entry{}}
		if err := r.Register(Job{Name: "j", Schedule: c.schedule, Run: func(context.Context) (string, error) { return "", nil }}); err != nil {
			t.Fatal(err)
		}
		if got := r.jobs["j"].slot(at(c.now)); !got.Equal(at(c.want)) {
			t.Errorf("%s at %s: slot %s, want %s", c.schedule, c.now, got, c.want)
		}
	}
}

func mustLoc(t *testing.T) *time.Location {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestScheduledSlotRunsOnceAcrossInstances(t *testing.T) {
	// Two instances fire for the same schedule slot at once: exactly one
	// runs it, and the slot is not run again after the first run finished.
	a, b, db, _ := pair(t)
	var executions atomic.Int32
	job := Job{Name: "yearly", Schedule: "0 0 1 1 *", Run: func(context.Context) (string, error) {
		executions.Add(1)
		return "done", nil
	}}
	var decisions atomic.Int32
	for _, r := range []*Runner{a, b} {
		r.onLock = func(string, error) { decisions.Add(1) }
		if err := r.Register(job); err != nil {
			t.Fatal(err)
		}
		if err := r.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for _, r := range []*Runner{a, b} {
		wg.Go(func() {
			if err := r.entry("yearly").handle.RunNow(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	testwait.For(t, "both lock decisions", func() bool { return decisions.Load() == 2 })
	testwait.For(t, "the run to be recorded", func() bool {
		var n int64
		_ = db.Model(&models.JobRun{}).Where("job = ? AND status = ?", "yearly", StatusOK).Count(&n).Error
		return n == 1
	})
	// A late third trigger for the same slot, after the run ended, is refused too.
	lateTrigger(t, a, "yearly", func() bool { return decisions.Load() >= 3 })
	if n := executions.Load(); n != 1 {
		t.Fatalf("%d executions, want 1", n)
	}
	runs, err := a.Runs(admin(), "yearly", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Trigger != TriggerSchedule || runs[0].Detail != "done" || runs[0].FinishedAt == nil {
		t.Fatalf("runs %+v", runs)
	}
}

func TestIntervalJobEachSlotOnce(t *testing.T) {
	// Two instances running the same 1-second job for a few slots: no slot
	// is executed twice.
	a, b, _, _ := pair(t)
	var mu sync.Mutex
	perSlot := map[int64]int{}
	var total atomic.Int32
	for _, r := range []*Runner{a, b} {
		err := r.Register(Job{Name: "tick", Schedule: "1s", Run: func(ctx context.Context) (string, error) {
			slot, ok := Slot(ctx)
			if !ok || !slot.Equal(slot.Truncate(time.Second)) {
				t.Errorf("slot %v, %v", slot, ok)
			}
			mu.Lock()
			perSlot[slot.Unix()]++
			mu.Unlock()
			total.Add(1)
			return "", nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(); err != nil {
			t.Fatal(err)
		}
	}
	testwait.For(t, "three slots", func() bool { return total.Load() >= 3 })
	_ = a.Stop()
	_ = b.Stop()
	mu.Lock()
	defer mu.Unlock()
	for slot, n := range perSlot {
		if n != 1 {
			t.Fatalf("slot %d ran %d times", slot, n)
		}
	}
}

func TestRunNowExcludesConcurrentRuns(t *testing.T) {
	// A manual run holds the job's lock: a second RunNow on another
	// instance gets CONFLICT, a scheduled trigger meanwhile is SKIPPED.
	a, b, db, _ := pair(t)
	var executions atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	job := Job{Name: "slow", Schedule: "0 0 1 1 *", Run: func(context.Context) (string, error) {
		if executions.Add(1) == 1 {
			close(started)
			<-release
		}
		return "slow done", nil
	}}
	for _, r := range []*Runner{a, b} {
		if err := r.Register(job); err != nil {
			t.Fatal(err)
		}
		if err := r.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var first models.JobRun
	var firstErr error
	done := make(chan struct{})
	go func() { first, firstErr = a.RunNow(admin(), "slow"); close(done) }()
	<-started
	_, err := b.RunNow(admin(), "slow")
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Conflict || ae.Reason != "JOB_RUNNING" || !strings.Contains(ae.Message, "正在运行") {
		t.Fatalf("second RunNow: %v", err)
	}
	if err := b.entry("slow").handle.RunNow(); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the SKIPPED run", func() bool {
		var n int64
		_ = db.Model(&models.JobRun{}).Where("job = ? AND status = ?", "slow", StatusSkipped).Count(&n).Error
		return n == 1
	})
	close(release)
	<-done
	if firstErr != nil || first.Status != StatusOK || first.Trigger != TriggerManual || first.Instance != "instance-a" || first.Detail != "slow done" {
		t.Fatalf("first run %+v, %v", first, firstErr)
	}
	if n := executions.Load(); n != 1 {
		t.Fatalf("%d executions, want 1", n)
	}
	// The lock was released: the next manual run goes through.
	if run, err := b.RunNow(admin(), "slow"); err != nil || run.Status != StatusOK {
		t.Fatalf("run after release: %+v, %v", run, err)
	}
}

func TestRunNowAccessAndFailures(t *testing.T) {
	// A failing job is recorded FAILED with a safe detail: an *apperr.Error
	// keeps its message, any other error (which may carry secrets) is
	// replaced, a panic is caught.
	a, _, _, _ := pair(t)
	jobs := []struct {
		name       string
		run        func(context.Context) (string, error)
		wantStatus string
		wantDetail string
		forbidden  string
	}{
		{"ok", func(context.Context) (string, error) { return "created 3 records", nil }, StatusOK, "created 3 records", ""},
		{"typed", func(context.Context) (string, error) {
			return "", apperr.Wrap(errors.New("dial tcp: password=hunter2"), apperr.Unavailable, "the database is unavailable")
		}, StatusFailed, "the database is unavailable", "hunter2"},
		{"raw", func(context.Context) (string, error) {
			return "", fmt.Errorf("Error 1045: Access denied for user 'root' (using password: secret)")
		}, StatusFailed, "任务运行失败", "secret"},
		{"panics", func(context.Context) (string, error) { panic("boom: token=abc") }, StatusFailed, "任务运行失败", "abc"},
	}
	for _, j := range jobs {
		if err := a.Register(Job{Name: j.name, Schedule: "0 0 1 1 *", Run: j.run}); err != nil {
			t.Fatal(err)
		}
	}
	for _, j := range jobs {
		run, err := a.RunNow(admin(), j.name)
		if err != nil {
			t.Fatalf("%s: %v", j.name, err)
		}
		if run.Status != j.wantStatus || !strings.HasPrefix(run.Detail, j.wantDetail) ||
			(j.forbidden != "" && strings.Contains(run.Detail, j.forbidden)) || run.FinishedAt == nil {
			t.Errorf("%s: %+v", j.name, run)
		}
	}
	runs, err := a.Runs(admin(), "", 100)
	if err != nil || len(runs) != len(jobs) {
		t.Fatalf("runs %d, %v", len(runs), err)
	}
	staff := reqctx.WithActor(context.Background(), &reqctx.Actor{UserID: "s", Role: models.RoleStaff})
	access := []struct {
		name string
		err  error
		want apperr.Code
	}{
		{"staff RunNow", func() error { _, err := a.RunNow(staff, "ok"); return err }(), apperr.Forbidden},
		{"anonymous RunNow", func() error { _, err := a.RunNow(context.Background(), "ok"); return err }(), apperr.Unauthenticated},
		{"unknown job", func() error { _, err := a.RunNow(admin(), "nope"); return err }(), apperr.NotFound},
		{"staff Runs", func() error { _, err := a.Runs(staff, "", 5); return err }(), apperr.Forbidden},
	}
	for _, c := range access {
		if apperr.CodeOf(c.err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.want)
		}
	}
}

func TestLostLockCancelsRun(t *testing.T) {
	// When the run lock cannot be extended (it vanished from Redis), the
	// run's context is cancelled so two instances never work at once.
	a, _, _, rdb := pair(t)
	a.lockTTL = 300 * time.Millisecond
	started := make(chan struct{})
	err := a.Register(Job{Name: "long", Schedule: "0 0 1 1 *", Run: func(ctx context.Context) (string, error) {
		close(started)
		<-ctx.Done()
		return "", apperr.Wrap(ctx.Err(), apperr.Unavailable, "cancelled: lock lost")
	}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan models.JobRun)
	go func() { run, _ := a.RunNow(admin(), "long"); done <- run }()
	<-started
	if err := rdb.Del(context.Background(), a.prefix+"jobs:run:long").Err(); err != nil {
		t.Fatal(err)
	}
	run := <-done
	if run.Status != StatusFailed || run.Detail != "cancelled: lock lost" {
		t.Fatalf("run %+v", run)
	}
}

// outage is a Redis the test can take down and bring back (miniredis on a
// fixed address), shared by the runners of a test as one Redis would be.
type outage struct {
	mr  *miniredis.Miniredis
	rdb *redis.Client
}

func newOutage(t *testing.T) *outage {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return &outage{mr: mr, rdb: rdb}
}

func (o *outage) down(t *testing.T) { o.mr.Close() }

func (o *outage) up(t *testing.T) {
	t.Helper()
	if err := o.mr.Restart(); err != nil {
		t.Fatal(err)
	}
}

// runner makes a started runner of the yearly job on db and o's Redis that
// looks for missed slots every few milliseconds.
func (o *outage) runner(t *testing.T, db *gorm.DB, instance string, job Job) *Runner {
	t.Helper()
	r, err := New(db, o.rdb, "cwt:outage:", nil, instance)
	if err != nil {
		t.Fatal(err)
	}
	r.catchUpEvery = 20 * time.Millisecond
	if err := r.Register(job); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop() })
	return r
}

func countRuns(t *testing.T, db *gorm.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.JobRun{}).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// R1.3 (the nightly ARREARS run): a schedule slot that falls while Redis is
// down is recorded SKIPPED (reason LOCK_UNAVAILABLE, with the slot) on each
// instance and not run; once Redis returns it runs exactly once across the
// instances, recorded CATCH_UP with the slot time, and is not run again.
func TestMissedSlotCaughtUpOnceAfterRedisReturns_R1_3(t *testing.T) {
	db := storetest.DB(t)
	o := newOutage(t)
	var executions atomic.Int32
	slots := make(chan time.Time, 10)
	job := Job{Name: "yearly", Schedule: "0 0 1 1 *", Run: func(ctx context.Context) (string, error) {
		executions.Add(1)
		slot, _ := Slot(ctx)
		slots <- slot
		return "done", nil
	}}
	a := o.runner(t, db, "instance-a", job)
	b := o.runner(t, db, "instance-b", job)

	o.down(t)
	for _, r := range []*Runner{a, b} {
		if err := r.entry("yearly").handle.RunNow(); err != nil { // the slot fires
			t.Fatal(err)
		}
	}
	testwait.For(t, "both instances to record the missed slot", func() bool {
		return countRuns(t, db, "job = ? AND status = ? AND reason = ?", "yearly", StatusSkipped, ReasonLockUnavailable) == 2
	})
	if n := executions.Load(); n != 0 {
		t.Fatalf("%d executions without Redis", n)
	}
	want := a.entry("yearly").slot(time.Now().In(a.loc))
	var skipped []models.JobRun
	if err := db.Where("job = ? AND status = ?", "yearly", StatusSkipped).Find(&skipped).Error; err != nil {
		t.Fatal(err)
	}
	for _, run := range skipped {
		if run.SlotAt == nil || !run.SlotAt.Equal(want) || run.Detail == "" {
			t.Fatalf("skipped run %+v, want slot %v with a detail", run, want)
		}
	}

	o.up(t)
	testwait.For(t, "the catch-up run", func() bool {
		return countRuns(t, db, "job = ? AND `trigger` = ? AND status = ?", "yearly", TriggerCatchUp, StatusOK) == 1
	})
	if got := <-slots; !got.Equal(want) {
		t.Fatalf("the catch-up ran as of %v, want the slot %v", got, want)
	}
	// More rounds on both instances, and a late trigger of the slot: nothing
	// runs again.
	for range 3 {
		a.catchUp(context.Background())
		b.catchUp(context.Background())
	}
	var decisions atomic.Int32
	a.mu.Lock()
	a.onLock = func(string, error) { decisions.Add(1) }
	a.mu.Unlock()
	lateTrigger(t, a, "yearly", func() bool { return decisions.Load() >= 1 })
	if n := executions.Load(); n != 1 {
		t.Fatalf("%d executions, want 1", n)
	}
	var run models.JobRun
	if err := db.Where("job = ? AND `trigger` = ?", "yearly", TriggerCatchUp).Take(&run).Error; err != nil {
		t.Fatal(err)
	}
	if run.SlotAt == nil || !run.SlotAt.Equal(want) || run.Detail != "done" || run.FinishedAt == nil {
		t.Fatalf("catch-up run %+v", run)
	}
	if n := countRuns(t, db, "job = ?", "yearly"); n != 3 {
		t.Fatalf("%d runs recorded, want 2 SKIPPED and 1 CATCH_UP", n)
	}
}

// A missed slot recorded by an instance that has gone away is caught up by
// another instance (the record is in the database, not in memory); a slot
// that a later run covers (here a manual run) is not.
func TestMissedSlotCaughtUpByAnotherInstance(t *testing.T) {
	db := storetest.DB(t)
	o := newOutage(t)
	var yearly, daily atomic.Int32
	jobYearly := Job{Name: "yearly", Schedule: "0 0 1 1 *", Run: func(context.Context) (string, error) { yearly.Add(1); return "", nil }}
	jobDaily := Job{Name: "daily", Schedule: "0 0 * * *", Run: func(context.Context) (string, error) { daily.Add(1); return "", nil }}
	a := o.runner(t, db, "instance-a", jobYearly)
	if err := a.Register(jobDaily); err != nil {
		t.Fatal(err)
	}
	o.down(t)
	for _, name := range []string{"yearly", "daily"} {
		if err := a.entry(name).handle.RunNow(); err != nil {
			t.Fatal(err)
		}
	}
	testwait.For(t, "the missed slots to be recorded", func() bool {
		return countRuns(t, db, "status = ? AND reason = ?", StatusSkipped, ReasonLockUnavailable) == 2
	})
	if err := a.Stop(); err != nil { // instance a goes away
		t.Fatal(err)
	}
	o.up(t)
	c, err := New(db, o.rdb, "cwt:outage:", nil, "instance-c")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	for _, j := range []Job{jobYearly, jobDaily} {
		if err := c.Register(j); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.RunNow(admin(), "daily"); err != nil { // an ADMIN ran the daily job meanwhile
		t.Fatal(err)
	}
	c.catchUp(context.Background())
	c.catchUp(context.Background())
	if y, d := yearly.Load(), daily.Load(); y != 1 || d != 1 {
		t.Fatalf("executions: yearly %d (want 1, caught up), daily %d (want 1, the manual run only)", y, d)
	}
	if n := countRuns(t, db, "`trigger` = ? AND instance = ?", TriggerCatchUp, "instance-c"); n != 1 {
		t.Fatalf("%d catch-up runs by instance c, want 1", n)
	}
}
