package enterprise

import (
	"context"

	"creditwater/apperr"
	"creditwater/creditplatform"
)

// ReportSource fetches (and audits) e-credit reports.
type ReportSource interface {
	Report(ctx context.Context, uscc, purpose string) (*creditplatform.Report, error)
}

// MyReport returns the e-credit report of the enterprise the caller is bound
// to (R6.1): only after a face verification within the validity window. It
// returns FAILED_PRECONDITION (NOT_BOUND) without a binding, FORBIDDEN for
// an enterprise the caller is not bound to, FORBIDDEN with reason
// FACE_VERIFICATION_REQUIRED without a fresh verification, and what the
// report source returns.
func (s *Service) MyReport(ctx context.Context, reports ReportSource, subjectID string) (*creditplatform.Report, error) {
	b, err := s.BindingFor(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	if err := s.RequireFreshFace(ctx, b); err != nil {
		return nil, err
	}
	subj, err := s.Subject(ctx, b.SubjectID)
	if err != nil {
		return nil, err
	}
	if subj.USCC == nil {
		return nil, apperr.Precondition("NOT_AN_ENTERPRISE", "only enterprises have e-credit reports")
	}
	return reports.Report(ctx, *subj.USCC, "enterprise self-service: own e-credit report")
}
