package enterprise

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-redis/redis_rate/v10"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store"
)

// BindInput is what a user gives to bind an enterprise as its legal
// representative. The enterprise's name is never taken from the user: it
// comes from the registry.
type BindInput struct {
	USCC         string
	LegalRepName string
	IDType       ident.IDType
	IDNumber     string
}

// person is a validated name and ID number.
type person struct {
	name   string
	idType ident.IDType
	idNo   string
}

func validatePerson(nameField, name string, idType ident.IDType, idNumber string) (person, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 2 || n > 50 {
		return person{}, apperr.InvalidField(nameField, "姓名应为 2–50 个字符")
	}
	idNo, err := ident.ValidateID(idType, idNumber)
	if err != nil {
		return person{}, err
	}
	return person{name: name, idType: idType, idNo: idNo}, nil
}

// Bind asks to act for an enterprise as its legal representative (R6.5).
// Everything is checked before anything is stored: the USCC (GB 32100-2015)
// and ID number, consent to ID processing, a limit on attempts, and the
// registry — the enterprise must exist and be 存续, and the name and ID
// number must be its current legal representative's. Only then the subject
// is found or created with the registry's name and legal representative
// (never a name the user typed) and the caller's binding becomes PENDING;
// it becomes ACTIVE when a face verification of that same name and ID
// passes (CompleteFace) or staff verify the person at the counter. A new ID
// number on an existing binding starts a new generation: earlier face
// verifications and authorisations count for nothing (R6.7).
//
// A refusal writes nothing but an audit entry. It returns INVALID naming
// the field, FAILED_PRECONDITION (CONSENT_REQUIRED; ENTERPRISE_REVOKED,
// ENTERPRISE_CANCELLED; LEGAL_REP_MISMATCH), NOT_FOUND (reason
// ENTERPRISE_NOT_FOUND, field uscc), RATE_LIMITED, UNAVAILABLE when the
// registry cannot be reached, and FORBIDDEN for staff.
func (s *Service) Bind(ctx context.Context, in BindInput) (models.EnterpriseBinding, error) {
	a, uscc, p, entry, err := s.beginBinding(ctx, in.USCC, "legalRepName", in.LegalRepName, in.IDType, in.IDNumber, "enterprise.bind_refused")
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	ok, err := s.registry.VerifyLegalRep(ctx, uscc, p.name, string(p.idType), p.idNo)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	if !ok {
		s.refusal(ctx, "enterprise.bind_refused", uscc, "LEGAL_REP_MISMATCH", p)
		return models.EnterpriseBinding{}, apperr.Precondition("LEGAL_REP_MISMATCH",
			"企业登记信息未能确认您填写的姓名和证件号码为该企业的现任法定代表人；如您是经办人，请申请经办人授权").
			WithDetail("uscc", uscc)
	}
	return s.storeBinding(ctx, a.UserID, entry, p, models.BindingLegalRepresentative)
}

// beginBinding makes the checks every binding request starts with: an
// enterprise user, a valid USCC (returned normalised), a valid name and ID
// number (nameField names the input field), the ID-processing consent, the
// binding attempts limit, and an enterprise the registry knows as 存续 (a
// refusal is audited as action).
func (s *Service) beginBinding(ctx context.Context, rawUSCC, nameField, name string, idType ident.IDType, idNumber, action string) (*reqctx.Actor, string, person, RegistryEntry, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return nil, "", person{}, RegistryEntry{}, err
	}
	uscc := ident.NormalizeUSCC(rawUSCC)
	if err := ident.ValidateUSCC(uscc); err != nil {
		return nil, "", person{}, RegistryEntry{}, err
	}
	p, err := validatePerson(nameField, name, idType, idNumber)
	if err != nil {
		return nil, "", person{}, RegistryEntry{}, err
	}
	if err := s.requireConsent(ctx, s.db, a.UserID, models.ConsentIDProcessing); err != nil {
		return nil, "", person{}, RegistryEntry{}, err
	}
	if err := s.limit(ctx, "bind:"+a.UserID, s.cfg.BindAttempts, s.cfg.BindWindow, "绑定尝试过于频繁"); err != nil {
		return nil, "", person{}, RegistryEntry{}, err
	}
	entry, err := s.lookupActive(ctx, uscc, action)
	return a, uscc, p, entry, err
}

// RequestAgentInput is what an agent (经办人) gives to ask to act for an
// enterprise: the enterprise and the agent's own name and ID number.
type RequestAgentInput struct {
	USCC     string
	Name     string
	IDType   ident.IDType
	IDNumber string
}

// RequestAgent asks to act for an enterprise as its agent (R6.6): the
// enterprise must exist in the registry and be 存续; the binding is
// PENDING until the agent passes a face verification of their own name and
// ID number and the enterprise's legal representative authorises them with
// scopes (AuthoriseAgent), or staff approve them at the counter against a
// paper 授权委托书 (ApproveAgentAtCounter). It returns what Bind returns,
// and CONFLICT (reason ALREADY_LEGAL_REPRESENTATIVE) for a caller who is
// the enterprise's verified legal representative.
func (s *Service) RequestAgent(ctx context.Context, in RequestAgentInput) (models.EnterpriseBinding, error) {
	a, _, p, entry, err := s.beginBinding(ctx, in.USCC, "name", in.Name, in.IDType, in.IDNumber, "enterprise.agent_refused")
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	return s.storeBinding(ctx, a.UserID, entry, p, models.BindingAuthorisedAgent)
}

// lookupActive asks the registry for an enterprise that must be 存续. A
// refusal is audited under action.
func (s *Service) lookupActive(ctx context.Context, uscc, action string) (RegistryEntry, error) {
	entry, err := s.registry.Lookup(ctx, uscc)
	if apperr.Is(err, apperr.NotFound) {
		s.refusal(ctx, action, uscc, "ENTERPRISE_NOT_FOUND", person{})
		e := apperr.InvalidField("uscc", "企业登记信息中没有统一社会信用代码为 %s 的企业", uscc)
		e.Code, e.Reason = apperr.NotFound, "ENTERPRISE_NOT_FOUND"
		return RegistryEntry{}, e
	}
	if err != nil {
		return RegistryEntry{}, err
	}
	switch entry.Status {
	case RegistryActive:
		return entry, nil
	case RegistryRevoked, RegistryCancelled:
		reason := "ENTERPRISE_" + string(entry.Status)
		s.refusal(ctx, action, uscc, reason, person{})
		return RegistryEntry{}, apperr.Precondition(reason, "该企业登记状态为“%s”，不能办理绑定", entry.Status.Label()).WithDetail("uscc", uscc)
	}
	return RegistryEntry{}, apperr.New(apperr.Unavailable, "企业登记信息返回了无法识别的状态，请稍后再试").WithReason("REGISTRY_UNAVAILABLE")
}

// refusal audits a refused binding; the ID number appears masked only.
func (s *Service) refusal(ctx context.Context, action, uscc, reason string, p person) {
	detail := "uscc=" + uscc + " reason=" + reason
	if p.idNo != "" {
		detail += " id=" + ident.MaskID(p.idNo)
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: action, SubjectType: "uscc", SubjectID: uscc, Detail: detail})
}

// storeBinding finds or creates the subject with the registry's data and
// stores the caller's PENDING binding (or keeps an ACTIVE one for the same
// person unchanged).
func (s *Service) storeBinding(ctx context.Context, userID string, entry RegistryEntry, p person, role models.BindingRole) (models.EnterpriseBinding, error) {
	sealed, err := s.sealer.Seal(p.idNo)
	if err != nil {
		return models.EnterpriseBinding{}, apperr.Wrap(err, apperr.Internal, "无法加密证件号码")
	}
	idx := s.sealer.BlindIndex(p.idNo)
	now := s.now().UTC()
	var b models.EnterpriseBinding
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		b = models.EnterpriseBinding{} // read again when the transaction runs again
		subj, err := s.upsertSubject(tx, entry, now)
		if err != nil {
			return err
		}
		res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ? AND subject_id = ?", userID, subj.ID).Limit(1).Find(&b)
		if res.Error != nil {
			return res.Error
		}
		existing := res.RowsAffected > 0
		if existing && b.Status == models.BindingActive && b.Role == models.BindingLegalRepresentative && role == models.BindingAuthorisedAgent {
			return apperr.New(apperr.Conflict, "您已是该企业经核验的法定代表人，无需申请经办人授权").WithReason("ALREADY_LEGAL_REPRESENTATIVE")
		}
		if existing && b.Status == models.BindingActive && b.Role == role && b.IDIndex == idx && b.PersonName == p.name {
			// The same person again: nothing changes, the check is fresh.
			b.RegistryCheckedAt = &now
			return tx.Model(&b).Update("registry_checked_at", now).Error
		}
		wasActiveLR := existing && b.Status == models.BindingActive && b.Role == models.BindingLegalRepresentative
		gen, version := 1, 1
		if existing {
			gen, version = b.Generation+1, b.Version+1
		}
		b = models.EnterpriseBinding{Entity: b.Entity, UserID: userID, SubjectID: subj.ID, Role: role,
			PersonName: p.name, IDType: string(p.idType), IDSealed: sealed, IDIndex: idx, IDMasked: ident.MaskID(p.idNo),
			Status: models.BindingPending, Generation: gen, StatusChangedAt: &now, Version: version}
		if role == models.BindingLegalRepresentative {
			b.RegistryCheckedAt = &now
		}
		if !existing {
			if err := tx.Create(&b).Error; err != nil {
				return err
			}
		} else {
			if err := tx.Select("*").Omit("created_at").Updates(&b).Error; err != nil {
				return err
			}
			if wasActiveLR {
				// A changed legal representative's binding voids the
				// authorisations it gave (R6.7).
				if err := s.lapseAgents(ctx, tx, subj.ID, &b.ID, "授权您的法定代表人绑定信息已变更，授权失效", now); err != nil {
					return err
				}
			}
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "enterprise.bind", SubjectType: "binding", SubjectID: b.ID,
			Detail: fmt.Sprintf("subject=%s role=%s generation=%d id=%s", subj.ID, role, gen, b.IDMasked)})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return models.EnterpriseBinding{}, apperr.New(apperr.Conflict, "绑定正在处理中，请稍后重试").WithReason("CONCURRENT_UPDATE")
	}
	if err != nil {
		if apperr.As(err) == nil {
			err = apperr.Wrap(err, apperr.Internal, "无法保存企业绑定")
		}
		return models.EnterpriseBinding{}, err
	}
	return b, nil
}

// upsertSubject finds the enterprise by USCC or creates it, and writes the
// registry's name, legal representative and status onto it (the registry
// is authoritative; a name a user typed is never stored).
func (s *Service) upsertSubject(tx *gorm.DB, entry RegistryEntry, now time.Time) (models.Subject, error) {
	var subj models.Subject
	res := tx.Where("uscc = ?", entry.USCC).Limit(1).Find(&subj)
	if res.Error != nil {
		return subj, res.Error
	}
	if res.RowsAffected == 0 {
		uscc := entry.USCC
		subj = models.Subject{Kind: models.SubjectEnterprise, Name: entry.Name, USCC: &uscc, Tier: models.TierStandard,
			LegalRepName: entry.LegalRepName, RegistryStatus: string(entry.Status), RegistryCheckedAt: &now}
		err := tx.Create(&subj).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			err = tx.Where("uscc = ?", entry.USCC).Take(&subj).Error
		}
		return subj, err
	}
	subj.Name, subj.LegalRepName, subj.RegistryStatus, subj.RegistryCheckedAt = entry.Name, entry.LegalRepName, string(entry.Status), &now
	err := tx.Model(&models.Subject{}).Where("id = ?", subj.ID).
		Updates(map[string]any{"name": entry.Name, "legal_rep_name": entry.LegalRepName, "registry_status": string(entry.Status), "registry_checked_at": now}).Error
	return subj, err
}

// limit allows n attempts per window under key; it returns RATE_LIMITED
// with a retry time, or UNAVAILABLE when Redis cannot be reached.
func (s *Service) limit(ctx context.Context, key string, n int, window time.Duration, what string) error {
	res, err := redis_rate.NewLimiter(s.rdb).Allow(ctx, s.prefix+key, redis_rate.Limit{Rate: n, Burst: n, Period: window})
	if err != nil {
		e := apperr.Wrap(err, apperr.Unavailable, "服务暂时不可用，请稍后再试")
		e.RetryAfter = 5 * time.Second
		return e
	}
	if res.Allowed == 0 {
		e := apperr.New(apperr.RateLimited, "%s，请于 %s 后再试", what, res.RetryAfter.Round(time.Second))
		e.RetryAfter = res.RetryAfter
		return e
	}
	return nil
}

// Bindings returns the caller's bindings that have not ended (PENDING,
// ACTIVE, SUSPENDED), oldest first.
func (s *Service) Bindings(ctx context.Context) ([]models.EnterpriseBinding, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return nil, err
	}
	var out []models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("user_id = ? AND status <> ?", a.UserID, models.BindingEnded).Order("created_at").Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	return out, nil
}

// ownBinding returns the caller's PENDING or ACTIVE binding bindingID, or
// the one to subjectID, or their only one when both are empty. It returns
// FAILED_PRECONDITION (reason NOT_BOUND) without one, INVALID (field
// bindingId) when several could be meant.
func (s *Service) ownBinding(ctx context.Context, userID, bindingID, subjectID string) (models.EnterpriseBinding, error) {
	var bs []models.EnterpriseBinding
	q := s.db.WithContext(ctx).Where("user_id = ? AND status IN ?", userID, []models.BindingStatus{models.BindingPending, models.BindingActive})
	q = store.Eq(q, "id", bindingID)
	q = store.Eq(q, "subject_id", subjectID)
	if err := q.Order("created_at").Find(&bs).Error; err != nil {
		return models.EnterpriseBinding{}, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	switch {
	case len(bs) == 0:
		return models.EnterpriseBinding{}, apperr.Precondition("NOT_BOUND", "请先绑定企业（bindEnterprise）")
	case len(bs) > 1:
		return models.EnterpriseBinding{}, apperr.InvalidField("bindingId", "您有多个绑定，请指明绑定")
	}
	return bs[0], nil
}

// Subject returns a subject by ID. It returns NOT_FOUND when there is none.
func (s *Service) Subject(ctx context.Context, id string) (models.Subject, error) {
	var subj models.Subject
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&subj).Error; err != nil {
		return subj, apperr.Wrap(err, apperr.Internal, "无法读取用水主体")
	}
	if subj.ID == "" {
		return subj, apperr.New(apperr.NotFound, "主体不存在")
	}
	return subj, nil
}

// ViewSubject returns a subject: staff see any; an enterprise user only one
// it acts for through an ACTIVE binding (R6.5: nothing is visible before).
// It returns FORBIDDEN (reason NOT_BOUND) otherwise and NOT_FOUND for an
// unknown subject.
func (s *Service) ViewSubject(ctx context.Context, id string) (models.Subject, error) {
	if _, err := s.policy.Subject(ctx, id); err != nil {
		if id == "" {
			return models.Subject{}, apperr.InvalidField("id", "请指明主体")
		}
		return models.Subject{}, err
	}
	return s.Subject(ctx, id)
}

// SubjectsByIDs loads subjects by ID in the order of ids (for the GraphQL
// dataloader): a NOT_FOUND error stands in for an unknown ID.
func (s *Service) SubjectsByIDs(ctx context.Context, ids []string) ([]models.Subject, []error) {
	found := make([]models.Subject, 0, len(ids))
	out, errs := make([]models.Subject, len(ids)), make([]error, len(ids))
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&found).Error; err != nil {
		for i := range errs {
			errs[i] = apperr.Wrap(err, apperr.Internal, "无法读取用水主体")
		}
		return out, errs
	}
	byID := make(map[string]int, len(found))
	for i := range found {
		byID[found[i].ID] = i
	}
	for i, id := range ids {
		if j, ok := byID[id]; ok {
			out[i] = found[j]
		} else {
			errs[i] = apperr.New(apperr.NotFound, "主体不存在")
		}
	}
	return out, errs
}
