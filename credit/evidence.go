package credit

import (
	"context"

	"creditwater/apperr"
	"creditwater/evidence"
	"creditwater/models"
)

// Owners of evidence and of request history (Evidence.OwnerType,
// RequestEvent.OwnerType).
const (
	OwnerRepair    = "REPAIR"
	OwnerObjection = "OBJECTION"
)

// Upload is one evidence file sent with a repair request, a supplement or
// an objection (see evidence.Upload).
type Upload = evidence.Upload

func (c RepairConfig) evidenceLimits() evidence.Limits {
	return evidence.Limits{MaxBytes: c.EvidenceMaxBytes, MaxFiles: c.EvidenceMaxFiles}
}

// EvidenceCheck is the evidence.OwnerCheck of repairs (ownerType REPAIR)
// and objections (OBJECTION): staff, and enterprise users who act for the
// request's subject with the DISPUTE scope, may read their evidence.
func (r *Reviews) EvidenceCheck(ownerType string) evidence.OwnerCheck {
	var owner any = &models.RepairRequest{}
	if ownerType == OwnerObjection {
		owner = &models.Objection{}
	}
	return func(ctx context.Context, ownerID string) (string, error) {
		var subjectID string
		if err := r.db.WithContext(ctx).Model(owner).Where("id = ?", ownerID).Limit(1).Pluck("subject_id", &subjectID).Error; err != nil {
			return "", apperr.Wrap(err, apperr.Internal, "could not read the evidence owner")
		}
		if subjectID == "" {
			return "", apperr.New(apperr.NotFound, "证据文件不存在")
		}
		if _, err := r.acc.subject(ctx, subjectID, dispute...); err != nil {
			return "", err
		}
		return "review of " + ownerType + " " + ownerID, nil
	}
}
