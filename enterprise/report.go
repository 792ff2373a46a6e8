package enterprise

import (
	"context"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/rating"
)

// ReportSource fetches (and audits) e-credit reports; rating.Service is
// one.
type ReportSource interface {
	Report(ctx context.Context, uscc, purpose string) (*rating.Report, error)
}

// MyReport returns the e-credit report of an enterprise the caller acts for
// (R6.1, R6.6): its verified legal representative or an agent with the VIEW
// scope, each after their own face verification within the validity
// window. It returns FAILED_PRECONDITION (NOT_BOUND) without an ACTIVE
// binding, FORBIDDEN (NOT_BOUND, SCOPE_NOT_GRANTED,
// FACE_VERIFICATION_REQUIRED), and what the report source returns.
func (s *Service) MyReport(ctx context.Context, reports ReportSource, subjectID string) (*rating.Report, error) {
	g, err := s.policy.Subject(ctx, subjectID, models.ScopeView)
	if err != nil {
		return nil, err
	}
	if g.Staff {
		return nil, apperr.New(apperr.Forbidden, "工作人员请使用 creditReport 查询")
	}
	if err := s.RequireFreshFace(ctx, g.Binding); err != nil {
		return nil, err
	}
	subj, err := s.Subject(ctx, g.Binding.SubjectID)
	if err != nil {
		return nil, err
	}
	if subj.USCC == nil {
		return nil, apperr.Precondition("NOT_AN_ENTERPRISE", "只有企业有电子信用报告")
	}
	return reports.Report(ctx, *subj.USCC, "企业自助查询本企业电子信用报告")
}
