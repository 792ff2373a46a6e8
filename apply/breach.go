package apply

import (
	"context"
	"time"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/credit"
	"creditwater/models"
)

// Cases opens and confirms staff cases (package credit).
type Cases interface {
	// OpenAndConfirm opens a case and confirms it in one transaction.
	OpenAndConfirm(ctx context.Context, in credit.CaseInput, note string) (models.ViolationCase, models.DishonestyRecord, error)
}

// BreachInput describes a breach of a signed commitment.
type BreachInput struct {
	CommitmentID, CaseNo, Description, Evidence string
	OccurredOn                                  time.Time
	Severity                                    models.Severity
}

// RecordBreach records a breach of a signed commitment (R2.4): a confirmed
// BROKEN_PROMISE case whose record is linked to the commitment, all in one
// transaction, once per commitment. It returns NOT_FOUND for an unknown
// commitment, CONFLICT (reason BREACH_RECORDED) when a breach is already
// recorded — also to the loser of two concurrent calls, which leaves no
// case and no record — and what opening and confirming the case return
// (INVALID naming the field, CONFLICT for a used case number).
func (s *Service) RecordBreach(ctx context.Context, cases Cases, in BreachInput) (models.ViolationCase, models.DishonestyRecord, error) {
	if _, err := auth.Require(ctx, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, err
	}
	var c models.Commitment
	if err := s.db.WithContext(ctx).Select("id", "subject_id").Where("id = ?", in.CommitmentID).Limit(1).Find(&c).Error; err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, apperr.Wrap(err, apperr.Internal, "无法读取承诺")
	}
	if c.ID == "" {
		return models.ViolationCase{}, models.DishonestyRecord{}, apperr.New(apperr.NotFound, "未找到该承诺")
	}
	if in.Severity == "" {
		in.Severity = models.SeverityGeneral
	}
	return cases.OpenAndConfirm(ctx, credit.CaseInput{CaseNo: in.CaseNo, SubjectID: c.SubjectID, Kind: models.KindBrokenPromise, Severity: in.Severity,
		Description: in.Description, Evidence: in.Evidence, OccurredOn: in.OccurredOn, CommitmentID: c.ID}, "违反信用承诺 "+c.ID)
}
