package enterprise

import (
	"context"
	"fmt"

	"creditwater/apperr"
	"creditwater/models"
)

// CheckRegistry is the daily check of the registry (R6.7): every legal
// representative's binding that is PENDING or ACTIVE is asked again; a
// binding whose person is no longer the legal representative, or whose
// enterprise is no longer 存续, is suspended (its agents lapse and the user
// is told). Subjects get the registry's current name and legal
// representative. It returns how many bindings it suspended; an unreachable
// registry stops the run with UNAVAILABLE (what was done stays done).
func (s *Service) CheckRegistry(ctx context.Context) (int, error) {
	var bs []models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("role = ? AND status IN ?", models.BindingLegalRepresentative,
		[]models.BindingStatus{models.BindingPending, models.BindingActive}).Order("subject_id, id").Find(&bs).Error; err != nil {
		return 0, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	suspended := 0
	usccs := map[string]string{}
	for _, b := range bs {
		uscc, ok := usccs[b.SubjectID]
		if !ok {
			subj, err := s.Subject(ctx, b.SubjectID)
			if err != nil {
				return suspended, err
			}
			if subj.USCC != nil {
				uscc = *subj.USCC
			}
			usccs[b.SubjectID] = uscc
		}
		if uscc == "" {
			continue
		}
		err := s.recheck(ctx, b, uscc)
		switch {
		case err == nil:
		case apperr.Is(err, apperr.FailedPrecondition):
			suspended++
		default:
			return suspended, fmt.Errorf("enterprise: registry check stopped after %d suspensions: %w", suspended, err)
		}
	}
	return suspended, nil
}
