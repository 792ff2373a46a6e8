package enterprise

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/ident"
	"creditwater/models"
)

// BindInput is what a user gives to bind an enterprise.
type BindInput struct {
	UnitName         string
	USCC             string
	LegalRepName     string
	IDType           ident.IDType
	IDNumber         string
	Role             models.BindingRole
	AuthorisationRef string
}

// Bind links the caller to an enterprise (found or created by USCC) as its
// legal representative or authorised agent, storing the legal
// representative's ID number sealed, indexed and masked (R6.1, R7.2). It
// checks everything before storing anything. It returns INVALID naming the
// field (USCC per GB 32100-2015, resident ID per GB 11643-1999, names,
// role, a missing letter of authorisation), FAILED_PRECONDITION (reason
// CONSENT_REQUIRED) without consent to ID processing, and FORBIDDEN for
// staff.
func (s *Service) Bind(ctx context.Context, in BindInput) (models.EnterpriseBinding, models.Subject, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.EnterpriseBinding{}, models.Subject{}, err
	}
	in.UnitName = strings.TrimSpace(in.UnitName)
	in.LegalRepName = strings.TrimSpace(in.LegalRepName)
	in.AuthorisationRef = strings.TrimSpace(in.AuthorisationRef)
	uscc := ident.NormalizeUSCC(in.USCC)
	if n := utf8.RuneCountInString(in.UnitName); n < 2 || n > 100 {
		return fail(apperr.InvalidField("unitName", "unit name must be 2–100 characters"))
	}
	if err := ident.ValidateUSCC(uscc); err != nil {
		return fail(err)
	}
	if n := utf8.RuneCountInString(in.LegalRepName); n < 2 || n > 50 {
		return fail(apperr.InvalidField("legalRepName", "legal representative's name must be 2–50 characters"))
	}
	idNo, err := ident.ValidateID(in.IDType, in.IDNumber)
	if err != nil {
		return fail(err)
	}
	switch in.Role {
	case models.BindingLegalRepresentative:
	case models.BindingAuthorisedAgent:
		if in.AuthorisationRef == "" {
			return fail(apperr.InvalidField("authorisationRef", "an authorised agent must give the reference of the letter of authorisation (授权委托书)"))
		}
	default:
		return fail(apperr.InvalidField("role", "role must be LEGAL_REPRESENTATIVE or AUTHORISED_AGENT"))
	}
	if len(in.AuthorisationRef) > 128 {
		return fail(apperr.InvalidField("authorisationRef", "at most 128 characters"))
	}
	if err := s.requireConsent(ctx, s.db, a.UserID, models.ConsentIDProcessing); err != nil {
		return fail(err)
	}
	sealed, err := s.sealer.Seal(idNo)
	if err != nil {
		return fail(apperr.Wrap(err, apperr.Internal, "could not protect the ID number"))
	}
	var b models.EnterpriseBinding
	var subj models.Subject
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("uscc = ?", uscc).Limit(1).Find(&subj)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			subj = models.Subject{Kind: models.SubjectEnterprise, Name: in.UnitName, USCC: &uscc, Tier: models.TierStandard}
			if err := tx.Create(&subj).Error; err != nil {
				return err
			}
		}
		res = tx.Where("user_id = ? AND subject_id = ?", a.UserID, subj.ID).Limit(1).Find(&b)
		if res.Error != nil {
			return res.Error
		}
		b.UserID, b.SubjectID, b.Role, b.AuthorisationRef = a.UserID, subj.ID, in.Role, in.AuthorisationRef
		b.LegalRepName, b.IDType, b.IDSealed, b.IDIndex, b.IDMasked = in.LegalRepName, string(in.IDType), sealed, s.sealer.BlindIndex(idNo), ident.MaskID(idNo)
		b.Active = true
		if res.RowsAffected == 0 {
			return tx.Create(&b).Error
		}
		return tx.Save(&b).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fail(apperr.New(apperr.Conflict, "the enterprise was bound concurrently; try again"))
	}
	if err != nil {
		return fail(apperr.Wrap(err, apperr.Internal, "could not store the binding"))
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "enterprise.bind", SubjectType: "subject", SubjectID: subj.ID, Detail: string(in.Role)})
	return b, subj, nil
}

func fail(err error) (models.EnterpriseBinding, models.Subject, error) {
	return models.EnterpriseBinding{}, models.Subject{}, err
}

// Bindings returns the caller's active bindings with their subjects.
func (s *Service) Bindings(ctx context.Context) ([]models.EnterpriseBinding, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return nil, err
	}
	var out []models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("user_id = ? AND active = ?", a.UserID, true).Order("created_at").Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read bindings")
	}
	return out, nil
}

// Subject returns a subject by ID. It returns NOT_FOUND when there is none.
func (s *Service) Subject(ctx context.Context, id string) (models.Subject, error) {
	var subj models.Subject
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&subj).Error; err != nil {
		return subj, apperr.Wrap(err, apperr.Internal, "could not read the subject")
	}
	if subj.ID == "" {
		return subj, apperr.New(apperr.NotFound, "subject not found")
	}
	return subj, nil
}

// BindingFor returns the caller's active binding to a subject: the only one
// when subjectID is empty. It returns FAILED_PRECONDITION (reason
// NOT_BOUND) without one, INVALID (field subjectId) when several exist and
// none is named, and FORBIDDEN for a subject the caller is not bound to.
func (s *Service) BindingFor(ctx context.Context, subjectID string) (models.EnterpriseBinding, error) {
	bs, err := s.Bindings(ctx)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	if len(bs) == 0 {
		return models.EnterpriseBinding{}, apperr.Precondition("NOT_BOUND", "bind your enterprise first (bindEnterprise)")
	}
	if subjectID == "" {
		if len(bs) > 1 {
			return models.EnterpriseBinding{}, apperr.InvalidField("subjectId", "you act for several enterprises: name one")
		}
		return bs[0], nil
	}
	for _, b := range bs {
		if b.SubjectID == subjectID {
			return b, nil
		}
	}
	return models.EnterpriseBinding{}, apperr.New(apperr.Forbidden, "you are not bound to this enterprise")
}

// IsBound reports whether the user has an active binding to the subject.
func (s *Service) IsBound(ctx context.Context, userID, subjectID string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.EnterpriseBinding{}).Where("user_id = ? AND subject_id = ? AND active = ?", userID, subjectID, true).Count(&n).Error; err != nil {
		return false, apperr.Wrap(err, apperr.Internal, "could not check the binding")
	}
	return n > 0, nil
}

// RevealID returns a binding's ID number in the clear, for a purpose, and
// audits the read (R7.2). Only the bound user (to sign a commitment) and
// staff may. It returns FORBIDDEN otherwise and INVALID without a purpose.
func (s *Service) RevealID(ctx context.Context, bindingID, purpose string) (string, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(purpose) == "" {
		return "", apperr.InvalidField("purpose", "a purpose is required to read an ID number")
	}
	var b models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("id = ?", bindingID).Limit(1).Find(&b).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not read the binding")
	}
	if b.ID == "" {
		return "", apperr.New(apperr.NotFound, "binding not found")
	}
	if b.UserID != a.UserID && !a.Role.IsStaff() {
		return "", apperr.New(apperr.Forbidden, "not your binding")
	}
	plain, err := s.sealer.Open(b.IDSealed)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not read the ID number")
	}
	if err := s.audit.Record(ctx, nil, audit.Entry{Action: "pii.id.read", SubjectType: "binding", SubjectID: b.ID, Purpose: purpose}); err != nil {
		return "", err
	}
	return plain, nil
}

// ViewSubject returns a subject: staff see any; an enterprise user only one
// they are bound to (FORBIDDEN otherwise). It returns NOT_FOUND for an
// unknown subject.
func (s *Service) ViewSubject(ctx context.Context, id string) (models.Subject, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return models.Subject{}, err
	}
	if a.Role == models.RoleEnterprise {
		ok, err := s.IsBound(ctx, a.UserID, id)
		if err != nil {
			return models.Subject{}, err
		}
		if !ok {
			return models.Subject{}, apperr.New(apperr.Forbidden, "you are not bound to this subject")
		}
	}
	return s.Subject(ctx, id)
}

// SubjectsByIDs loads subjects by ID in the order of ids (for the GraphQL
// dataloader): a NOT_FOUND error stands in for an unknown ID.
func (s *Service) SubjectsByIDs(ctx context.Context, ids []string) ([]models.Subject, []error) {
	var found []models.Subject
	out, errs := make([]models.Subject, len(ids)), make([]error, len(ids))
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&found).Error; err != nil {
		for i := range errs {
			errs[i] = apperr.Wrap(err, apperr.Internal, "could not read subjects")
		}
		return out, errs
	}
	byID := make(map[string]models.Subject, len(found))
	for _, f := range found {
		byID[f.ID] = f
	}
	for i, id := range ids {
		if subj, ok := byID[id]; ok {
			out[i] = subj
		} else {
			errs[i] = apperr.New(apperr.NotFound, "subject not found")
		}
	}
	return out, errs
}
