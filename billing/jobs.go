package billing

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/page"
	"creditwater/store"
)

// Job returns the import job with the given ID. It returns NOT_FOUND when
// there is none and INTERNAL when the database fails.
func (im *Importer) Job(ctx context.Context, id string) (models.ImportJob, error) {
	var job models.ImportJob
	err := im.db.WithContext(ctx).Where("id = ?", id).Take(&job).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return job, apperr.New(apperr.NotFound, "没有该导入任务")
	case err != nil:
		return job, apperr.Wrap(err, apperr.Internal, "无法读取导入任务")
	}
	return job, nil
}

// JobErrors returns up to limit stored row errors of a job in file order
// (limit ≤ 0 or above Options.MaxErrors means Options.MaxErrors). It returns
// NOT_FOUND when the job does not exist and INTERNAL when the database fails.
func (im *Importer) JobErrors(ctx context.Context, id string, limit int) ([]models.ImportError, error) {
	if _, err := im.Job(ctx, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > im.opts.MaxErrors {
		limit = im.opts.MaxErrors
	}
	var list []models.ImportError
	if err := im.db.WithContext(ctx).Where("job_id = ?", id).Order("line, id").Limit(limit).Find(&list).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取导入错误")
	}
	return list, nil
}

// jobListKey is the order of the import-job list: newest first (IDs are
// time-ordered UUIDv7).
var jobListKey = page.NewKey("importJobs", page.Desc("id"))

// JobFilter selects import jobs; empty fields match all. From (inclusive)
// and To (exclusive) bound the time the job started.
type JobFilter struct {
	Kind     Kind
	Status   string
	From, To time.Time
	// Count asks for JobPage.TotalCount (capped at page.CountCap+1).
	Count bool
}

// JobPage is one page of import jobs, newest first.
type JobPage struct {
	Jobs []models.ImportJob
	page.Info
}

// Jobs returns the import jobs matching f, newest first, first at a time
// (clamped to 1–100) after the opaque cursor after (R8.1). Staff roles
// only. It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field kind, status
// or after) and INTERNAL.
func (im *Importer) Jobs(ctx context.Context, f JobFilter, first int, after string) (JobPage, error) {
	var out JobPage
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return out, err
	}
	if f.Kind != "" && specFor(f.Kind) == nil {
		return out, apperr.InvalidField("kind", "未知的导入类型")
	}
	switch f.Status {
	case "", StatusQueued, StatusRunning, StatusDone, StatusFailed:
	default:
		return out, apperr.InvalidField("status", "状态须为 QUEUED、RUNNING、DONE 或 FAILED")
	}
	var id string
	pos, err := jobListKey.Position(after, &id)
	if err != nil {
		return out, err
	}
	q := store.ReadReplica(im.db.WithContext(ctx)).Model(&models.ImportJob{})
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	q = store.Eq(q, "status", f.Status)
	q = store.Between(q, "created_at", f.From, f.To)
	if f.Count {
		if out.TotalCount, err = store.CountUpTo(q); err != nil {
			return out, apperr.Wrap(err, apperr.Internal, "无法读取导入任务")
		}
	}
	first = page.Clamp(first)
	if err := store.PageQuery(q, jobListKey, pos, first).Find(&out.Jobs).Error; err != nil {
		return out, apperr.Wrap(err, apperr.Internal, "无法读取导入任务")
	}
	out.Jobs, out.HasNext, out.EndCursor = page.Cut(out.Jobs, first, JobCursor)
	return out, nil
}

// JobCursor is the opaque cursor of an import job in the list.
func JobCursor(j models.ImportJob) string { return jobListKey.Encode(j.ID) }
