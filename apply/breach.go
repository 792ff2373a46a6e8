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
	Open(ctx context.Context, in credit.CaseInput) (models.ViolationCase, error)
	Confirm(ctx context.Context, caseID, note string, version int) (models.ViolationCase, models.DishonestyRecord, error)
}

// BreachInput describes a breach of a signed commitment.
type BreachInput struct {
	CommitmentID, CaseNo, Description, Evidence string
	OccurredOn                                  time.Time
	Severity                                    models.Severity
}

// RecordBreach records a breach of a signed commitment (R2.4): a confirmed
// BROKEN_PROMISE case whose record is linked to the commitment. It returns
// NOT_FOUND for an unknown commitment, CONFLICT when a breach is already
// recorded, and what opening and confirming the case return (INVALID naming
// the field, CONFLICT for a used case number).
func (s *Service) RecordBreach(ctx context.Context, cases Cases, in BreachInput) (models.ViolationCase, models.DishonestyRecord, error) {
	if _, err := auth.Require(ctx, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, err
	}
	var c models.Commitment
	if err := s.db.WithContext(ctx).Where("id = ?", in.CommitmentID).Limit(1).Find(&c).Error; err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, apperr.Wrap(err, apperr.Internal, "无法读取承诺")
	}
	if c.ID == "" {
		return models.ViolationCase{}, models.DishonestyRecord{}, apperr.New(apperr.NotFound, "未找到该承诺")
	}
	if c.BreachRecordID != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, apperr.New(apperr.Conflict, "该承诺的违诺情况已记录").WithReason("BREACH_RECORDED")
	}
	if in.Severity == "" {
		in.Severity = models.SeverityGeneral
	}
	vc, err := cases.Open(ctx, credit.CaseInput{CaseNo: in.CaseNo, SubjectID: c.SubjectID, Kind: models.KindBrokenPromise, Severity: in.Severity,
		Description: in.Description, Evidence: in.Evidence, OccurredOn: in.OccurredOn, CommitmentID: c.ID})
	if err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, err
	}
	vc, rec, err := cases.Confirm(ctx, vc.ID, "违反信用承诺 "+c.ID, vc.Version)
	if err != nil {
		return vc, rec, err
	}
	if err := s.db.WithContext(ctx).Model(&models.Commitment{}).Where("id = ?", c.ID).Update("breach_record_id", rec.ID).Error; err != nil {
		return vc, rec, apperr.Wrap(err, apperr.Internal, "无法将违诺关联到承诺")
	}
	return vc, rec, nil
}
