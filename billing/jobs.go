package billing

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
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
