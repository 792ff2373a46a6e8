// Package importqueue runs the queued billing imports in the background
// (R1.1, R8.2). A file uploaded through the API is queued: billing's
// Enqueue checks its header, counts its rows and stores it with a QUEUED
// job, and returns at once; a worker takes the job and imports its rows
// (billing.Importer.Resume), saving the job's checkpoint — rows done,
// counts, the new row errors — in the transaction of every batch, so the
// console sees the counts move and a stopped job is resumed from the last
// batch written, with no row lost or counted twice. Any number of workers, in one process or many, may share
// a database: a job is claimed with a lease in its own row
// (import_jobs.locked_by, locked_until) by a conditional UPDATE that only
// one worker can win, and the lease is renewed with every batch the import
// commits (billing.Importer.Resume). A job whose worker stopped — shut down
// (the lease is released) or died (the lease runs out) — is taken by the
// next worker and resumed from its last checkpoint.
package importqueue

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/billing"
	"creditwater/models"
)

// Defaults.
const (
	// DefaultLease is how long a worker's claim of a job lasts unless a
	// batch renews it: the wait before another worker resumes the job of a
	// worker that died.
	DefaultLease = 2 * time.Minute
	// DefaultPoll is how often an idle worker looks for queued jobs.
	DefaultPoll = time.Second
)

// Worker runs queued import jobs.
type Worker struct {
	db       *gorm.DB
	im       *billing.Importer
	instance string
	lease    time.Duration
	poll     time.Duration
	log      *slog.Logger
	// Now is the clock of leases (tests move it).
	Now func() time.Time
	// AfterBatch, when set, is called after each batch a job commits with
	// the rows done so far (tests stop a worker midway with it).
	AfterBatch func(job string, rowsDone int64)
}

// New returns a worker of im's queue in db named instance (default
// host-pid) with the given lease and idle poll interval (defaults
// DefaultLease and DefaultPoll). A nil logger discards logs.
func New(db *gorm.DB, im *billing.Importer, instance string, lease, poll time.Duration, logger *slog.Logger) *Worker {
	if instance == "" {
		host, _ := os.Hostname()
		instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if len(instance) > 60 {
		instance = instance[:60]
	}
	if lease <= 0 {
		lease = DefaultLease
	}
	if poll <= 0 {
		poll = DefaultPoll
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{db: db, im: im, instance: instance, lease: lease, poll: poll, log: logger.With("component", "imports"), Now: time.Now}
}

// Run imports queued jobs until ctx ends: at once when one is queued in
// this process, otherwise every poll interval. A job cut short by the end
// of ctx is left for another worker to resume.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.poll)
	defer t.Stop()
	for ctx.Err() == nil {
		ran, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("import job failed", "code", apperr.CodeOf(err))
		}
		if ran {
			continue
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-w.im.Queued():
		}
	}
}

// RunOnce claims one job that is QUEUED, or RUNNING with an expired lease
// (its worker stopped), and runs it to its end. It reports whether it ran
// one, and the job's error as billing.Importer.Resume returns it; INTERNAL
// when the queue cannot be read.
func (w *Worker) RunOnce(ctx context.Context) (bool, error) {
	job, token, err := w.claim(ctx)
	if err != nil || job.ID == "" {
		return false, err
	}
	_, err = w.im.Resume(ctx, job, billing.Lease{Token: token, Duration: w.lease, Now: w.Now}, w.AfterBatch)
	return true, err
}

// claim takes the oldest due job under a new lease token.
func (w *Worker) claim(ctx context.Context) (models.ImportJob, string, error) {
	now := w.Now().UTC()
	db := w.db.WithContext(ctx)
	due := func(tx *gorm.DB) *gorm.DB {
		// A RUNNING job without a lease is an import run at once (the
		// command line): never taken.
		return tx.Model(&models.ImportJob{}).Where("status = ? OR (status = ? AND locked_until IS NOT NULL AND locked_until <= ?)",
			billing.StatusQueued, billing.StatusRunning, now)
	}
	var ids []string
	if err := due(db).Order("id").Limit(5).Pluck("id", &ids).Error; err != nil {
		return models.ImportJob{}, "", apperr.Wrap(err, apperr.Internal, "无法读取导入队列")
	}
	token := w.instance + "/" + uuid.NewString()[:8]
	for _, id := range ids {
		res := due(db).Where("id = ?", id).Updates(map[string]any{
			"status": billing.StatusRunning, "locked_by": token, "locked_until": now.Add(w.lease), "updated_at": now,
		})
		if res.Error != nil {
			return models.ImportJob{}, "", apperr.Wrap(res.Error, apperr.Internal, "无法领取导入任务")
		}
		if res.RowsAffected == 1 {
			job, err := w.im.Job(ctx, id)
			return job, token, err
		}
	}
	return models.ImportJob{}, "", nil
}
