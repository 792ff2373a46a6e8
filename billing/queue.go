package billing

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/billing/textenc"
	"creditwater/models"
)

// chunkBytes is the size of the pieces a queued file is stored in.
const chunkBytes = 1 << 20

// Enqueue checks a billing file of the given kind and queues its import: it
// returns the QUEUED job (with TotalRows) at once; a worker (package
// importqueue, which describes the checkpoints) imports it.
// Staff roles are checked by the caller (the API). A refused file queues
// nothing and returns INVALID as Import does (Field "kind", "encoding",
// "file" or the column); INTERNAL when the database fails.
func (im *Importer) Enqueue(ctx context.Context, kind Kind, r io.Reader, meta Meta) (models.ImportJob, error) {
	ru, mode, job, err := im.prepare(kind, meta, StatusQueued)
	if err != nil {
		return models.ImportJob{}, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return models.ImportJob{}, apperr.Wrap(err, apperr.Invalid, "无法读取该文件").WithReason("UNREADABLE")
	}
	in, err := ru.open(bytes.NewReader(data), mode)
	if err != nil {
		return models.ImportJob{}, err
	}
	if job.TotalRows, err = countRows(in.cr); err != nil {
		return models.ImportJob{}, err
	}
	err = im.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&job).Error; err != nil {
			return err
		}
		for seq := 0; seq*chunkBytes < len(data); seq++ {
			piece := data[seq*chunkBytes : min(len(data), (seq+1)*chunkBytes)]
			if err := tx.Create(&models.ImportChunk{JobID: job.ID, Seq: seq, Data: piece}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return models.ImportJob{}, apperr.Wrap(err, apperr.Internal, "无法保存导入文件")
	}
	select {
	case im.queued <- struct{}{}:
	default:
	}
	return job, nil
}

// countRows counts the data rows after the header as the import reads
// them (a malformed CSV record is one row). It returns INVALID (Reason
// UNREADABLE) when the text cannot be read.
func countRows(cr *csv.Reader) (int64, error) {
	var n int64
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return n, apperr.Wrap(err, apperr.Invalid, "无法读取该文件").WithReason("UNREADABLE")
		}
		n++
	}
}

// errLeaseLost: another worker took the job over (this one was too slow to
// renew its lease); the batch is rolled back and the run stops.
var errLeaseLost = apperr.New(apperr.Conflict, "导入任务已由其他实例接手").WithReason("LEASE_LOST")

// seal closes batch b of a queued job: done data rows are accounted for
// once it is written, with the rejected rows and row errors found so far,
// and the row errors waiting since the last batch go with it.
func (ru *run) seal(b *batch, done int64) {
	if ru.ckpt == nil {
		return
	}
	b.done, b.failed, b.errCount = done, ru.failedRows, ru.errCount
	b.errs = append(b.errs[:0], ru.errs...)
	ru.errs = ru.errs[:0]
}

// saveCheckpoint stores, in the transaction of batch b, its row errors
// and the job's counts after it, and renews the lease. It returns
// errLeaseLost when the job is no longer this worker's.
func (ru *run) saveCheckpoint(tx *gorm.DB, b *batch, c counts) error {
	if len(b.errs) > 0 {
		for i := range b.errs {
			b.errs[i].ID = 0 // a retried batch inserts them afresh
		}
		if err := tx.CreateInBatches(&b.errs, 500).Error; err != nil {
			return err
		}
	}
	now := ru.ckpt.Now().UTC()
	res := tx.Model(&models.ImportJob{}).Where("id = ? AND locked_by = ?", ru.job.ID, ru.ckpt.Token).Updates(map[string]any{
		"rows": b.done, "failed": b.failed, "errors": b.errCount,
		"inserted": ru.inserted.Load() + c.inserted, "updated": ru.updated.Load() + c.updated, "unchanged": ru.unchanged.Load() + c.unchanged,
		"locked_until": now.Add(ru.ckpt.Duration), "updated_at": now,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errLeaseLost
	}
	ru.rowsSaved.Store(b.done)
	return nil
}

// finishQueued ends a queued job's run: DONE or FAILED, with the row
// errors of the rows after the last batch, its lease cleared and its file
// deleted; a run stopped by its context (the worker shutting down) leaves
// the job RUNNING at its checkpoint with the lease expired, for any worker
// to resume at once; a run whose lease was lost changes nothing.
func (ru *run) finishQueued(ctx context.Context, runErr error) (models.ImportJob, []models.ImportError, error) {
	job, ck := ru.job, ru.ckpt
	db := ru.im.db.WithContext(ctx)
	mine := func(tx *gorm.DB) *gorm.DB {
		return tx.Model(&models.ImportJob{}).Where("id = ? AND locked_by = ?", job.ID, ck.Token)
	}
	now := ck.Now().UTC()
	switch {
	case errors.Is(runErr, errLeaseLost):
		return *job, nil, runErr
	case errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded):
		if err := mine(db).Updates(map[string]any{"locked_until": now, "updated_at": now}).Error; err != nil {
			ru.im.log.Error("could not release an import job; its lease expires by itself", "job", job.ID, "code", apperr.CodeOf(err))
		}
		return *job, nil, apperr.Wrap(runErr, apperr.Unavailable, "导入已暂停，将由其他实例继续").WithReason("CANCELLED")
	}
	set := map[string]any{"locked_by": "", "locked_until": nil, "finished_at": now, "updated_at": now}
	if runErr != nil {
		if apperr.As(runErr) == nil {
			runErr = apperr.Wrap(runErr, apperr.Internal, "导入失败")
		}
		set["status"], set["message"] = StatusFailed, clip(apperr.As(runErr).Message, 500)
	} else {
		set["status"] = StatusDone
		set["rows"], set["failed"], set["errors"] = ru.rows, ru.failedRows, ru.errCount
		set["inserted"], set["updated"], set["unchanged"] = ru.inserted.Load(), ru.updated.Load(), ru.unchanged.Load()
		if ru.text != nil {
			set["encoding"] = ru.text.Encoding()
		}
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if runErr == nil && len(ru.errs) > 0 {
			if err := tx.CreateInBatches(&ru.errs, 500).Error; err != nil {
				return err
			}
		}
		res := mine(tx).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errLeaseLost
		}
		return tx.Where("job_id = ?", job.ID).Delete(&models.ImportChunk{}).Error
	})
	if err != nil && runErr == nil {
		runErr = err
		if !errors.Is(err, errLeaseLost) {
			runErr = apperr.Wrap(err, apperr.Internal, "无法记录导入结果")
		}
	}
	if fresh, err := ru.im.Job(ctx, job.ID); err == nil {
		*job = fresh
	}
	return *job, ru.errs, runErr
}

// Lease is a worker's claim of a queued job (package importqueue claims
// jobs): its token (import_jobs.locked_by), how long it lasts, and the
// clock.
type Lease struct {
	Token    string
	Duration time.Duration
	Now      func() time.Time
}

// Queued is signalled when a job is queued in this process, to wake a
// worker at once.
func (im *Importer) Queued() <-chan struct{} { return im.queued }

// Resume imports the file of a job claimed under lease l, from its
// checkpoint to its end; afterBatch, when set, is called after each batch
// committed with the rows done so far. It returns the job as it ended and
// its error: INVALID or INTERNAL when the job FAILED, UNAVAILABLE (Reason
// CANCELLED) when ctx ended first (the job is left RUNNING with its lease
// expired, for any worker to resume), CONFLICT (Reason LEASE_LOST) when
// another worker took it over (nothing of this run is kept after its last
// checkpoint).
func (im *Importer) Resume(ctx context.Context, job models.ImportJob, l Lease, afterBatch func(job string, rowsDone int64)) (models.ImportJob, error) {
	sp := specFor(Kind(job.Kind))
	ru := &run{im: im, sp: sp, job: &job, ckpt: &l, skip: job.Rows}
	if afterBatch != nil {
		ru.progress = func(int64) { afterBatch(job.ID, ru.rowsSaved.Load()) }
	}
	ru.failedRows, ru.errCount, ru.kept = job.Failed, job.Errors, int(min(job.Errors, int64(im.opts.MaxErrors)))
	ru.inserted.Store(job.Inserted)
	ru.updated.Store(job.Updated)
	ru.unchanged.Store(job.Unchanged)
	runErr := func() error {
		if sp == nil {
			return apperr.New(apperr.Invalid, "未知的导入类型")
		}
		var chunks []models.ImportChunk
		if err := im.db.WithContext(ctx).Where("job_id = ?", job.ID).Order("seq").Find(&chunks).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法读取导入文件")
		}
		var data []byte
		for _, c := range chunks {
			data = append(data, c.Data...)
		}
		mode, err := textenc.ParseMode(job.Encoding)
		if err != nil {
			return err
		}
		in, err := ru.open(bytes.NewReader(data), mode)
		if err != nil {
			return err
		}
		return ru.execute(ctx, in)
	}()
	out, _, err := ru.finish(ctx, runErr)
	return out, err
}
