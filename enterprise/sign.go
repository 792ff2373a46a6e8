package enterprise

import (
	"context"
	"fmt"

	"creditwater/apperr"
	"creditwater/models"
)

// Signer is who signs a commitment letter for an enterprise (R6.7, R2.2):
// the verified legal representative's binding, the enterprise as the
// registry names it now, and the face verification that authorises the
// signature.
type Signer struct {
	Binding models.EnterpriseBinding
	Subject models.Subject
	FaceID  string
}

// Signer checks that the caller may sign a commitment letter for subjectID
// now (R6.7): only through an ACTIVE legal representative's binding (never
// an agent); the registry is asked again and must still show the
// enterprise 存续 with the binding's person as its legal representative —
// otherwise the binding is suspended, its agents lapse and the user is told;
// and a face verification of the binding's ID number, of its current
// generation, must have passed within the validity window. The returned
// subject carries the registry's current name and legal representative.
// It returns FORBIDDEN (NOT_BOUND, NOT_LEGAL_REPRESENTATIVE,
// FACE_VERIFICATION_REQUIRED), FAILED_PRECONDITION (LEGAL_REP_CHANGED,
// ENTERPRISE_REVOKED, ENTERPRISE_CANCELLED) and UNAVAILABLE when the
// registry cannot be reached.
func (s *Service) Signer(ctx context.Context, subjectID string) (Signer, error) {
	g, err := s.policy.Subject(ctx, subjectID)
	if err != nil {
		return Signer{}, err
	}
	if !g.LegalRepresentative() {
		return Signer{}, apperr.New(apperr.Forbidden, "只有经核验的法定代表人本人可以签署信用承诺书").WithReason("NOT_LEGAL_REPRESENTATIVE")
	}
	b := g.Binding
	subj, err := s.Subject(ctx, b.SubjectID)
	if err != nil {
		return Signer{}, err
	}
	if subj.USCC == nil {
		return Signer{}, apperr.Precondition("NOT_AN_ENTERPRISE", "只有企业可以签署信用承诺书")
	}
	if err := s.recheck(ctx, b, *subj.USCC); err != nil {
		return Signer{}, err
	}
	if subj, err = s.Subject(ctx, b.SubjectID); err != nil { // the registry's current name
		return Signer{}, err
	}
	fv, err := s.freshFace(ctx, b)
	if err != nil {
		return Signer{}, err
	}
	return Signer{Binding: b, Subject: subj, FaceID: fv.ID}, nil
}

// recheck asks the registry whether b's person is still the legal
// representative of an enterprise that is 存续, refreshing the subject's
// registry data; when not, it suspends b (R6.7) and returns
// FAILED_PRECONDITION naming why.
func (s *Service) recheck(ctx context.Context, b models.EnterpriseBinding, uscc string) error {
	entry, err := s.registry.Lookup(ctx, uscc)
	if apperr.Is(err, apperr.NotFound) {
		entry, err = RegistryEntry{USCC: uscc, Status: RegistryCancelled}, nil
	}
	if err != nil {
		return err
	}
	if entry.Name != "" {
		now := s.now().UTC()
		if _, err := s.upsertSubject(s.db.WithContext(ctx), entry, now); err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法更新用水主体")
		}
	}
	if entry.Status != RegistryActive {
		reason := "ENTERPRISE_" + string(entry.Status)
		text := fmt.Sprintf("企业登记信息显示该企业状态为“%s”", entry.Status.Label())
		if err := s.suspend(ctx, b, text); err != nil {
			return err
		}
		return apperr.Precondition(reason, "%s，绑定已暂停", text)
	}
	idNo, err := s.sealer.Open(b.IDSealed)
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法读取证件号码")
	}
	ok, err := s.registry.VerifyLegalRep(ctx, uscc, b.PersonName, b.IDType, idNo)
	if err != nil {
		return err
	}
	if !ok {
		text := "企业登记信息显示该企业的法定代表人已变更（现任：" + entry.LegalRepName + "）"
		if err := s.suspend(ctx, b, text); err != nil {
			return err
		}
		return apperr.Precondition("LEGAL_REP_CHANGED", "%s，原绑定已暂停，不能签署；请由现任法定代表人绑定后签署", text)
	}
	if err := s.db.WithContext(ctx).Model(&models.EnterpriseBinding{}).Where("id = ?", b.ID).Update("registry_checked_at", s.now().UTC()).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法更新企业绑定")
	}
	return nil
}
