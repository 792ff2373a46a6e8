package creditdb

import (
	"context"
	"database/sql"

	"creditwater/apperr"
	"creditwater/models"
)

// Tier reads a subject's tier.
func (s *Usage) Tier(ctx context.Context, subjectID string) (models.Tier, error) {
	var subj models.Subject
	if err := s.q(ctx).Select("id, tier").Where("id = ?", subjectID).First(&subj).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法读取用水主体")
	}
	return subj.Tier, nil
}

// NewestPeriod returns the account's newest period with usage.
func (s *Usage) NewestPeriod(ctx context.Context, accountNo string) (string, error) {
	var newest sql.NullString
	if err := s.q(ctx).Model(&models.Usage{}).Select("MAX(period)").Where("account_no = ?", accountNo).Scan(&newest).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法读取用水量")
	}
	return newest.String, nil
}

// Usage returns the account's usage of the periods from … to.
func (s *Usage) Usage(ctx context.Context, accountNo, from, to string) ([]models.Usage, error) {
	return list[models.Usage](ctx, s.conn, "usage", "period", 0, "account_no = ? AND period >= ? AND period <= ?", accountNo, from, to)
}
