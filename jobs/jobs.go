// Package jobs runs creditwater's scheduled jobs (the arrears rule, tier
// recomputation, …) exactly once per schedule slot across any number of
// instances, lets an ADMIN run a job on demand, and records every run in
// models.JobRun.
//
// Scheduling is github.com/go-co-op/gocron/v2; the distribution is its
// Locker interface implemented over Redis (github.com/bsm/redislock on
// go-redis v9), with two keys per job under the configured prefix:
//
//   - "<prefix>jobs:slot:<job>:<slot>" is claimed (SET NX) by the first
//     instance to fire for a schedule slot and kept after the run (for
//     Job.Timeout + 10 minutes), so an instance whose clock is a little
//     late finds the slot taken and does not run it again. The slot is the
//     schedule's activation the instance fired for: the latest cron
//     activation at or before now, or now truncated to the interval for
//     interval jobs (which start on multiples of the interval).
//   - "<prefix>jobs:run:<job>" is held (redislock) while a run of the job is
//     in progress, scheduled or manual, with a short TTL extended every
//     third of it; it is released at the end. So a manual run and a
//     scheduled run never overlap: the later one is refused (RunNow:
//     CONFLICT) or recorded SKIPPED (schedule). If the lock cannot be
//     extended (Redis lost it), the run's context is cancelled.
//
// Every run records the slot it is for (JobRun.SlotAt; a manual run's is
// its start). Before a scheduled run starts, under the run lock, the
// runner checks that no run of the job at or after the slot is recorded, so
// a slot whose Redis key has expired is still not run twice.
//
// Missed slots. When a slot fires while Redis (or the database) cannot be
// reached, the run cannot be made exclusive, so it is not run: it is
// recorded SKIPPED with reason LOCK_UNAVAILABLE and the slot. Every instance
// looks for such slots every CatchUpInterval (the latest one per job
// recorded within the last CatchUpWindow, from job_runs, and from memory
// when even the database failed) and, once it can take the run lock, runs the slot once
// with trigger CATCH_UP, unless a run of the job at or after the slot was
// recorded meanwhile (on any instance; a manual run counts). The check and
// the run happen under the run lock, so two instances never both catch a
// slot up. Only the latest missed slot of a job is caught up: a job's run
// for a slot covers the earlier ones.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zone database
	"unicode/utf8"

	"github.com/bsm/redislock"
	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/models"
	"creditwater/store"
)

// Run triggers (JobRun.Trigger).
const (
	TriggerSchedule = "SCHEDULE"
	TriggerManual   = "MANUAL"
	// TriggerCatchUp is the late run of a slot missed while Redis or the
	// database was unreachable.
	TriggerCatchUp = "CATCH_UP"
)

// Reasons of SKIPPED runs (JobRun.Reason).
const (
	// ReasonJobRunning: a run of the job was in progress at the slot; it
	// covers the slot.
	ReasonJobRunning = "JOB_RUNNING"
	// ReasonLockUnavailable: Redis or the database could not be reached at
	// the slot; the slot is caught up later.
	ReasonLockUnavailable = "LOCK_UNAVAILABLE"
)

// Catch-up defaults.
const (
	// CatchUpInterval is how often a runner looks for missed slots.
	CatchUpInterval = 15 * time.Second
	// CatchUpWindow is how long after it was missed a slot is still caught
	// up.
	CatchUpWindow = 24 * time.Hour
)

// Run statuses (JobRun.Status).
const (
	StatusRunning = "RUNNING"
	StatusOK      = "OK"
	StatusFailed  = "FAILED"
	StatusSkipped = "SKIPPED"
)

// Zone is the time zone of cron schedules.
const Zone = calendar.Zone

// Job is a named piece of scheduled work.
type Job struct {
	// Name identifies the job: 1–64 of a-z 0-9 . _ -.
	Name string
	// Schedule is a five-field cron expression evaluated in Asia/Shanghai
	// ("30 2 * * *": 02:30 every day; descriptors such as @daily work), or
	// a Go duration ("15m") for an interval job aligned on multiples of the
	// interval.
	Schedule string
	// Timeout bounds one run (its context's deadline). Default 30 minutes.
	Timeout time.Duration
	// Run does the work. The detail it returns is stored with the run (at
	// most 2000 characters) and must be safe to show to an ADMIN. A
	// returned *apperr.Error's message is stored; any other error is
	// logged and stored as a generic message.
	Run func(ctx context.Context) (detail string, err error)
}

// Runner schedules and runs jobs. Create it with New, Register the jobs,
// then Start it; Stop it on shutdown.
type Runner struct {
	db       *gorm.DB
	rdb      redis.UniversalClient
	locks    *redislock.Client
	prefix   string
	instance string
	log      *slog.Logger
	loc      *time.Location
	sched    gocron.Scheduler
	// lockTTL is the TTL of the run lock; it is extended every third of it.
	lockTTL time.Duration
	now     func() time.Time
	// ctx is cancelled by Stop: every run's context derives from it.
	ctx    context.Context
	cancel context.CancelFunc

	// catchUpEvery and catchUpWindow tune the catch-up of missed slots
	// (CatchUpInterval and CatchUpWindow; tests shorten the first).
	catchUpEvery  time.Duration
	catchUpWindow time.Duration
	loops         sync.WaitGroup // the catch-up loop, waited for by Stop

	mu      sync.Mutex
	jobs    map[string]*entry
	started bool
	// missed is the latest slot per job that could not run and is not yet
	// caught up, for when even recording it in job_runs failed.
	missed map[string]time.Time
	// onLock, when set (tests, under mu), observes every scheduled lock
	// decision.
	onLock func(job string, err error)
}

type entry struct {
	job    Job
	cron   cron.Schedule // nil for interval jobs
	every  time.Duration // interval jobs
	handle gocron.Job
	held   *runLock // the run lock taken by the locker for the next scheduled run
}

var (
	errSlotTaken = errors.New("jobs: schedule slot already run by another instance")
	errRunning   = errors.New("jobs: already running")
	namePattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// unavailableError is a slot that could not be locked because Redis or the
// database failed.
type unavailableError struct {
	slot time.Time
	err  error
}

func (e *unavailableError) Error() string { return "jobs: lock unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// New returns a runner whose runs are recorded in db and whose locks live in
// rdb under prefix; instance names this process in the recorded runs (e.g.
// the host name). It returns INTERNAL when the scheduler cannot be made.
func New(db *gorm.DB, rdb redis.UniversalClient, prefix string, logger *slog.Logger, instance string) (*Runner, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc := calendar.Shanghai
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{db: db, rdb: rdb, locks: redislock.New(rdb), prefix: prefix, instance: truncate(instance, 128),
		log: logger.With("component", "jobs", "instance", instance), loc: loc, lockTTL: 30 * time.Second,
		now: time.Now, ctx: ctx, cancel: cancel, jobs: map[string]*entry{}, missed: map[string]time.Time{},
		catchUpEvery: CatchUpInterval, catchUpWindow: CatchUpWindow}
	var err error
	r.sched, err = gocron.NewScheduler(
		gocron.WithLocation(loc),
		gocron.WithLogger(r.log),
		gocron.WithDistributedLocker(slotLocker{r}),
		gocron.WithStopTimeout(30*time.Second),
	)
	if err != nil {
		cancel()
		return nil, apperr.Wrap(err, apperr.Internal, "无法创建调度器")
	}
	return r, nil
}

// Register adds a job. Jobs registered after Start are scheduled at once. It
// returns INVALID (field name, schedule or run) and CONFLICT (reason
// JOB_EXISTS) for a second job of the same name.
func (r *Runner) Register(j Job) error {
	if !namePattern.MatchString(j.Name) {
		return apperr.InvalidField("name", "任务名须为 1–64 个 a-z 0-9 . _ - 字符")
	}
	if j.Run == nil {
		return apperr.InvalidField("run", "该任务没有执行函数")
	}
	if j.Timeout <= 0 {
		j.Timeout = 30 * time.Minute
	}
	e := &entry{job: j}
	if d, err := time.ParseDuration(j.Schedule); err == nil {
		if d < time.Second {
			return apperr.InvalidField("schedule", "间隔至少为 1 秒")
		}
		e.every = d
	} else {
		spec := j.Schedule
		if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
			spec = "CRON_TZ=" + Zone + " " + spec
		}
		s, err := cron.ParseStandard(spec)
		if _, isSpec := s.(*cron.SpecSchedule); err != nil || !isSpec {
			return apperr.InvalidField("schedule", "调度须为 5 段 cron 表达式或时长（如 15m）")
		}
		e.cron = s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.jobs[j.Name]; dup {
		return apperr.New(apperr.Conflict, "任务 %s 已注册", j.Name).WithReason("JOB_EXISTS")
	}
	if r.started {
		if err := r.schedule(e); err != nil {
			return err
		}
	}
	r.jobs[j.Name] = e
	return nil
}

// schedule adds e to gocron. The caller holds r.mu.
func (r *Runner) schedule(e *entry) error {
	opts := []gocron.JobOption{
		gocron.WithName(e.job.Name),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithEventListeners(gocron.AfterLockError(r.lockError)),
	}
	var def gocron.JobDefinition
	if e.every > 0 {
		def = gocron.DurationJob(e.every)
		opts = append(opts, gocron.WithStartAt(gocron.WithStartDateTime(r.now().Truncate(e.every).Add(e.every))))
	} else {
		def = gocron.CronJob(e.job.Schedule, false)
	}
	name := e.job.Name
	h, err := r.sched.NewJob(def, gocron.NewTask(func() { r.scheduled(name) }), opts...)
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法调度任务 %s", name)
	}
	e.handle = h
	return nil
}

// Start schedules the registered jobs and starts the scheduler. It returns
// INTERNAL when a job cannot be scheduled.
func (r *Runner) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return nil
	}
	for _, e := range r.jobs {
		if err := r.schedule(e); err != nil {
			return err
		}
	}
	r.started = true
	r.sched.Start()
	r.loops.Go(r.catchUpLoop)
	return nil
}

// Stop cancels the runs in progress, waits for them (up to 30 s) and stops
// the scheduler and the catch-up of missed slots. A stopped runner cannot be
// started again. It returns INTERNAL when the scheduler did not stop
// cleanly.
func (r *Runner) Stop() error {
	r.cancel()
	err := r.sched.Shutdown()
	r.loops.Wait()
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "调度器未能正常停止")
	}
	return nil
}

// JobInfo describes a registered job.
type JobInfo struct {
	Name     string
	Schedule string
	// NextRun is the next scheduled run on this instance (zero before
	// Start).
	NextRun time.Time
}

// Jobs lists the registered jobs by name.
func (r *Runner) Jobs() []JobInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]JobInfo, 0, len(r.jobs))
	for _, e := range r.jobs {
		info := JobInfo{Name: e.job.Name, Schedule: e.job.Schedule}
		if e.handle != nil {
			info.NextRun, _ = e.handle.NextRun()
		}
		out = append(out, info)
	}
	for i := 1; i < len(out); i++ { // few jobs: insertion sort by name
		for k := i; k > 0 && out[k].Name < out[k-1].Name; k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	return out
}

func (r *Runner) entry(name string) *entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.jobs[name]
}

// slot returns the schedule slot e fires for at now.
func (e *entry) slot(now time.Time) time.Time {
	if e.cron == nil {
		return now.Truncate(e.every)
	}
	return prevActivation(e.cron, now)
}

// prevActivation returns the latest activation of s at or before now.
func prevActivation(s cron.Schedule, now time.Time) time.Time {
	for back := time.Minute; back <= 5*366*24*time.Hour; back *= 2 {
		t := s.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := s.Next(t)
			if n.IsZero() || n.After(now) {
				return t
			}
			t = n
		}
	}
	return now.Truncate(time.Minute) // a schedule that never fired: one slot per minute
}

// slotLocker is gocron's distributed locker: it claims the schedule slot,
// then takes the run lock.
type slotLocker struct{ r *Runner }

func (l slotLocker) Lock(ctx context.Context, name string) (gocron.Lock, error) {
	r := l.r
	lk, err := r.lockSlot(ctx, name)
	r.mu.Lock()
	onLock := r.onLock
	r.mu.Unlock()
	if onLock != nil {
		onLock(name, err)
	}
	if err != nil {
		return nil, err
	}
	return lk, nil
}

func (r *Runner) lockSlot(ctx context.Context, name string) (*runLock, error) {
	e := r.entry(name)
	if e == nil {
		return nil, fmt.Errorf("jobs: unknown job %q", name)
	}
	slot := e.slot(r.now().In(r.loc))
	ok, err := r.rdb.SetNX(ctx, r.slotRedisKey(name, slot), r.instance, e.job.Timeout+10*time.Minute).Result()
	if err != nil {
		return nil, &unavailableError{slot: slot, err: fmt.Errorf("claim slot: %w", err)}
	}
	if !ok {
		return nil, errSlotTaken
	}
	lk, err := r.obtain(ctx, name)
	if errors.Is(err, errRunning) {
		return nil, errRunning
	}
	if err != nil {
		return nil, &unavailableError{slot: slot, err: err}
	}
	// Under the run lock: a run at or after the slot (its Redis key
	// expired, or a catch-up) means the slot is done.
	if done, err := r.slotDone(ctx, name, slot); err != nil || done {
		_ = lk.Unlock(ctx)
		if err != nil {
			return nil, &unavailableError{slot: slot, err: err}
		}
		return nil, errSlotTaken
	}
	lk.slot = slot
	r.mu.Lock()
	e.held = lk
	r.mu.Unlock()
	return lk, nil
}

func (r *Runner) slotRedisKey(name string, slot time.Time) string {
	return r.prefix + "jobs:slot:" + name + ":" + slot.UTC().Format("20060102T150405Z")
}

// slotDone reports whether job_runs holds a run of the job that covers slot:
// one at or after it that started (any status but SKIPPED), or a skip
// because a run was in progress then.
func (r *Runner) slotDone(ctx context.Context, name string, slot time.Time) (bool, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&models.JobRun{}).
		Where("job = ? AND slot_at >= ? AND (status <> ? OR reason = ?)", name, dbTime(slot), StatusSkipped, ReasonJobRunning).
		Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("jobs: read the runs of %s: %w", name, err)
	}
	return n > 0, nil
}

// lockError records a scheduled run that could not take its lock: SKIPPED
// (reason JOB_RUNNING) when a run of the job was in progress; SKIPPED
// (reason LOCK_UNAVAILABLE), to be caught up, when Redis or the database
// failed. A slot taken by another instance is normal and only logged at
// debug level.
func (r *Runner) lockError(_ uuid.UUID, name string, err error) {
	var ue *unavailableError
	switch {
	case errors.Is(err, errSlotTaken):
		r.log.Debug("schedule slot taken by another instance", "job", name)
	case errors.Is(err, errRunning):
		e := r.entry(name)
		if e == nil {
			return
		}
		r.recordSkip(name, e.slot(r.now().In(r.loc)), ReasonJobRunning, "同一任务的另一次运行尚未结束，本时段由其覆盖")
	case errors.As(err, &ue):
		r.log.Warn("job lock unavailable; the slot will be caught up", "job", name, "slot", ue.slot, "error", err)
		r.markMissed(name, ue.slot)
		r.recordSkip(name, ue.slot, ReasonLockUnavailable, "Redis 或数据库暂时不可用，本时段未能运行；恢复后将补跑一次")
	default:
		r.log.Error("job lock failed; run skipped", "job", name, "error", err)
	}
}

// recordSkip records a SKIPPED run of the slot; when that fails it is only
// logged (a LOCK_UNAVAILABLE slot is kept in memory for the catch-up).
func (r *Runner) recordSkip(name string, slot time.Time, reason, detail string) {
	now := r.now().UTC()
	slot = dbTime(slot)
	run := models.JobRun{Job: name, Trigger: TriggerSchedule, Instance: r.instance, StartedAt: now, FinishedAt: &now,
		Status: StatusSkipped, Reason: reason, SlotAt: &slot, Detail: detail}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.db.WithContext(ctx).Create(&run).Error; err != nil {
		r.log.Error("could not record a skipped run", "job", name, "reason", reason, "error", err)
	}
}

// catchUpLoop catches up missed slots every catchUpEvery until Stop.
func (r *Runner) catchUpLoop() {
	t := time.NewTicker(r.catchUpEvery)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
			r.catchUp(r.ctx)
		}
	}
}

// catchUp runs, once each, the latest missed slot of every registered job
// that no run covers yet. Failures (Redis or the database still down) are
// logged at debug level and retried on the next call.
func (r *Runner) catchUp(ctx context.Context) {
	for name, slot := range r.missedSlots(ctx) {
		e := r.entry(name)
		if e == nil {
			continue // a job another instance runs
		}
		if err := r.catchUpSlot(ctx, e, slot); err != nil {
			r.log.Debug("missed slot not caught up yet", "job", name, "slot", slot, "error", err)
		}
	}
}

// missedSlots returns the latest LOCK_UNAVAILABLE slot of each job recorded
// within catchUpWindow, from job_runs (any instance's) and from memory.
func (r *Runner) missedSlots(ctx context.Context) map[string]time.Time {
	out := map[string]time.Time{}
	r.mu.Lock()
	for name, slot := range r.missed {
		out[name] = slot
	}
	r.mu.Unlock()
	// Few rows (one per missed slot and instance within the window); the
	// latest per job is picked here, portably.
	var rows []models.JobRun
	err := r.db.WithContext(ctx).Select("job, slot_at").
		Where("reason = ? AND status = ? AND started_at >= ?", ReasonLockUnavailable, StatusSkipped, r.now().UTC().Add(-r.catchUpWindow)).
		Order("slot_at DESC").Limit(1000).Find(&rows).Error
	if err != nil {
		r.log.Debug("could not read missed slots", "error", err)
	}
	for _, row := range rows {
		if prev, ok := out[row.Job]; row.SlotAt != nil && (!ok || row.SlotAt.After(prev)) {
			out[row.Job] = *row.SlotAt
		}
	}
	return out
}

// catchUpSlot runs the missed slot of e once (trigger CATCH_UP) unless a
// run covers it; the check and the run hold the run lock. It returns an
// error when Redis or the database fails (the slot stays missed).
func (r *Runner) catchUpSlot(ctx context.Context, e *entry, slot time.Time) error {
	name := e.job.Name
	if done, err := r.slotDone(ctx, name, slot); err != nil || done {
		if done {
			r.forgetMissed(name, slot)
		}
		return err
	}
	lk, err := r.obtain(ctx, name)
	if err != nil {
		return err // errRunning: the run in progress may cover it; look again later
	}
	defer func() { _ = lk.Unlock(context.Background()) }()
	if done, err := r.slotDone(ctx, name, slot); err != nil || done {
		if done {
			r.forgetMissed(name, slot)
		}
		return err
	}
	// Claim the slot for good (a late scheduled trigger of it finds it taken).
	if err := r.rdb.Set(ctx, r.slotRedisKey(name, slot), r.instance, e.job.Timeout+10*time.Minute).Err(); err != nil {
		return fmt.Errorf("jobs: claim slot: %w", err)
	}
	r.log.Info("catching up a missed slot", "job", name, "slot", slot)
	if _, err := r.execute(lk.ctx, e, TriggerCatchUp, slot); err != nil {
		return err
	}
	r.forgetMissed(name, slot)
	return nil
}

// markMissed keeps slot in memory as the job's latest missed slot, for the
// catch-up when even recording it in job_runs fails.
func (r *Runner) markMissed(name string, slot time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.missed[name]; !ok || slot.After(prev) {
		r.missed[name] = slot
	}
}

// forgetMissed drops the in-memory missed slot of the job when slot covers it.
func (r *Runner) forgetMissed(name string, slot time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.missed[name]; ok && !prev.After(slot) {
		delete(r.missed, name)
	}
}

// runLock is a held run lock, extended in the background until released.
type runLock struct {
	slot   time.Time // the schedule slot of a scheduled run
	lock   *redislock.Lock
	ctx    context.Context // cancelled when the lock is lost or released
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// obtain takes the run lock of the job, or returns errRunning.
func (r *Runner) obtain(ctx context.Context, name string) (*runLock, error) {
	lock, err := r.locks.Obtain(ctx, r.prefix+"jobs:run:"+name, r.lockTTL, nil)
	if errors.Is(err, redislock.ErrNotObtained) {
		return nil, errRunning
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: run lock: %w", err)
	}
	lctx, cancel := context.WithCancel(r.ctx)
	l := &runLock{lock: lock, ctx: lctx, cancel: cancel, done: make(chan struct{})}
	go r.keepAlive(name, l)
	return l, nil
}

func (r *Runner) keepAlive(name string, l *runLock) {
	t := time.NewTicker(r.lockTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), r.lockTTL/3)
			err := l.lock.Refresh(ctx, r.lockTTL, nil)
			cancel()
			if err != nil {
				r.log.Error("job lock lost; cancelling the run", "job", name, "error", err)
				l.cancel()
				return
			}
		}
	}
}

// Unlock stops extending the lock and releases it.
func (l *runLock) Unlock(context.Context) error {
	l.once.Do(func() { close(l.done); l.cancel() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.lock.Release(ctx); err != nil && !errors.Is(err, redislock.ErrLockNotHeld) {
		return err
	}
	return nil
}

// scheduled is the gocron task of a job: the locker has claimed the slot and
// taken the run lock.
func (r *Runner) scheduled(name string) {
	e := r.entry(name)
	r.mu.Lock()
	lk := e.held
	e.held = nil
	r.mu.Unlock()
	if lk == nil {
		r.log.Error("scheduled run without a lock; skipped", "job", name)
		return
	}
	if run, err := r.execute(lk.ctx, e, TriggerSchedule, lk.slot); err != nil && run.ID == 0 {
		// The database failed before the run started: catch it up later.
		r.markMissed(name, lk.slot)
	}
}

// RunNow runs the job at once on this instance and returns the finished run
// (with status OK or FAILED). It takes the same run lock as scheduled runs.
// ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN, NOT_FOUND for an
// unknown job, CONFLICT (reason JOB_RUNNING) when a run of the job is in
// progress on any instance, UNAVAILABLE when Redis cannot be reached, and
// INTERNAL when the run cannot be recorded.
func (r *Runner) RunNow(ctx context.Context, name string) (models.JobRun, error) {
	actor, err := auth.Require(ctx, models.RoleAdmin)
	if err != nil {
		return models.JobRun{}, err
	}
	e := r.entry(name)
	if e == nil {
		return models.JobRun{}, apperr.New(apperr.NotFound, "没有名为 %q 的任务", name)
	}
	lk, err := r.obtain(ctx, name)
	if errors.Is(err, errRunning) {
		return models.JobRun{}, apperr.New(apperr.Conflict, "任务 %s 正在运行", name).WithReason("JOB_RUNNING")
	}
	if err != nil {
		return models.JobRun{}, apperr.Wrap(err, apperr.Unavailable, "任务锁暂不可用")
	}
	defer func() { _ = lk.Unlock(context.Background()) }()
	// The run outlives a dropped request but not the lock or Stop.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(lk.ctx, cancel)
	defer stop()
	r.log.Info("manual job run", "job", name, "by", actor.UserID)
	return r.execute(runCtx, e, TriggerManual, r.now())
}

// execute runs e once under a held lock and records the run.
func (r *Runner) execute(ctx context.Context, e *entry, trigger string, slot time.Time) (models.JobRun, error) {
	slotAt := dbTime(slot)
	run := models.JobRun{Job: e.job.Name, Trigger: trigger, Instance: r.instance, StartedAt: r.now().UTC(), Status: StatusRunning, SlotAt: &slotAt}
	if err := r.db.WithContext(ctx).Create(&run).Error; err != nil {
		r.log.Error("could not record the job run; not running it", "job", e.job.Name, "error", err)
		return run, apperr.Wrap(err, apperr.Internal, "无法记录任务运行")
	}
	runCtx, cancel := context.WithTimeout(context.WithValue(ctx, slotKey{}, slot), e.job.Timeout)
	detail, err := safeRun(runCtx, e.job.Run)
	cancel()
	finished := r.now().UTC()
	run.FinishedAt = &finished
	if err != nil {
		run.Status = StatusFailed
		if ae := apperr.As(err); ae != nil {
			detail = ae.Message
		} else {
			detail = fmt.Sprintf("任务运行失败（运行 %d），详见服务日志", run.ID)
		}
		r.log.Error("job failed", "job", e.job.Name, "run", run.ID, "error", err)
	} else {
		run.Status = StatusOK
	}
	run.Detail = truncate(detail, 2000)
	uctx, ucancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ucancel()
	if err := r.db.WithContext(uctx).Model(&run).Updates(map[string]any{
		"status": run.Status, "finished_at": finished, "detail": run.Detail,
	}).Error; err != nil {
		r.log.Error("could not record the end of the job run", "job", e.job.Name, "run", run.ID, "error", err)
		return run, apperr.Wrap(err, apperr.Internal, "无法记录任务运行")
	}
	return run, nil
}

type slotKey struct{}

// Slot returns the time a run is for: the schedule slot of a scheduled run
// (e.g. 02:30:00 for "30 2 * * *", whatever the instant the run started) or
// the start of a manual run. Jobs use it as their "as of" time so that a
// slot's result does not depend on which instance ran it or how late.
func Slot(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(slotKey{}).(time.Time)
	return t, ok
}

func safeRun(ctx context.Context, f func(context.Context) (string, error)) (detail string, err error) {
	defer func() {
		if p := recover(); p != nil {
			detail, err = "", fmt.Errorf("jobs: panic: %v", p)
		}
	}()
	return f(ctx)
}

// Runs returns the latest runs of the job (all jobs when name is empty),
// newest first, at most limit (1–100, default 20). ADMIN only. It returns
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (r *Runner) Runs(ctx context.Context, name string, limit int) ([]models.JobRun, error) {
	if _, err := auth.Require(ctx, models.RoleAdmin); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 100)
	q := r.db.WithContext(ctx).Order("id DESC").Limit(limit)
	q = store.Eq(q, "job", name)
	var runs []models.JobRun
	if err := q.Find(&runs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取任务运行记录")
	}
	return runs, nil
}

// dbTime is t as the database keeps it: UTC, millisecond precision
// (MariaDB DATETIME(3)), so slots written and compared agree.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
