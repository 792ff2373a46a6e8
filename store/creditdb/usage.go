package creditdb

import (
	"context"
	"database/sql"

	"creditwater/apperr"
	"creditwater/credit/usage"
	"creditwater/models"
)

// Usage implements usage.Store.
type Usage struct{ conn }

var _ usage.Store = (*Usage)(nil)

// Account reads an account.
func (s *Usage) Account(ctx context.Context, no string) (models.Account, bool, error) {
	return s.account(ctx, no)
}

// Tier reads a subject's tier.
func (s *Usage) Tier(ctx context.Context, subjectID string) (models.Tier, error) {
	var subj models.Subject
	if err := s.q(ctx).Select("id, tier").Where("id = ?", subjectID).First(&subj).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not read the subject")
	}
	return subj.Tier, nil
}

// NewestPeriod returns the account's newest period with usage.
func (s *Usage) NewestPeriod(ctx context.Context, accountNo string) (string, error) {
	var newest sql.NullString
	if err := s.q(ctx).Model(&models.Usage{}).Select("MAX(period)").Where("account_no = ?", accountNo).Scan(&newest).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not read the usage")
	}
	return newest.String, nil
}

// Usage returns the account's usage of the periods from … to.
func (s *Usage) Usage(ctx context.Context, accountNo, from, to string) ([]models.Usage, error) {
	var rows []models.Usage
	if err := s.q(ctx).Where("account_no = ? AND period >= ? AND period <= ?", accountNo, from, to).Find(&rows).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the usage")
	}
	return rows, nil
}
