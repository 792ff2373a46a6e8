package enterprise

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/evidence"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/store"
)

// OwnerAgentAuthorisation owns the scan of a paper letter of authorisation
// (evidence.OwnerType).
const OwnerAgentAuthorisation = "AGENT_LETTER"

// validScopes checks an authorisation's scopes. It returns INVALID (field
// scopes) for none or an unknown one.
func validScopes(scopes []models.AgentScope) error {
	if len(scopes) == 0 {
		return apperr.InvalidField("scopes", "请至少授予一项权限（VIEW、APPLY、DISPUTE）")
	}
	for _, sc := range scopes {
		if !slices.Contains([]models.AgentScope{models.ScopeView, models.ScopeApply, models.ScopeDispute}, sc) {
			return apperr.InvalidField("scopes", "未知的权限 %q", sc)
		}
	}
	return nil
}

// loadOpenAgent is loadBinding for an agent's application that is still
// pending or active; any other binding is FAILED_PRECONDITION
// (BINDING_NOT_OPEN).
func loadOpenAgent(tx *gorm.DB, id string) (models.EnterpriseBinding, error) {
	b, err := loadBinding(tx, id)
	if err != nil {
		return b, err
	}
	return openAgent(b)
}

// openAgent is b when it is an agent's application that is still pending
// or active, else FAILED_PRECONDITION (BINDING_NOT_OPEN).
func openAgent(b models.EnterpriseBinding) (models.EnterpriseBinding, error) {
	if b.Role != models.BindingAuthorisedAgent || (b.Status != models.BindingPending && b.Status != models.BindingActive) {
		return b, apperr.Precondition("BINDING_NOT_OPEN", "该经办人申请已失效，请让经办人重新申请")
	}
	return b, nil
}

// loadBinding reads a binding by ID inside tx, locked for update. It
// returns NOT_FOUND when there is none.
func loadBinding(tx *gorm.DB, id string) (models.EnterpriseBinding, error) {
	var b models.EnterpriseBinding
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Limit(1).Find(&b).Error; err != nil {
		return b, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	if b.ID == "" {
		return b, apperr.New(apperr.NotFound, "绑定不存在")
	}
	return b, nil
}

// Agents lists the agents of a subject that have not ended (requests,
// authorised, suspended), for its verified legal representative or staff.
// It returns FORBIDDEN (reason NOT_LEGAL_REPRESENTATIVE) for anyone else.
func (s *Service) Agents(ctx context.Context, subjectID string) ([]models.EnterpriseBinding, error) {
	g, err := s.policy.Subject(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	if !g.Staff && !g.LegalRepresentative() {
		return nil, apperr.New(apperr.Forbidden, "只有法定代表人可以管理经办人").WithReason("NOT_LEGAL_REPRESENTATIVE")
	}
	var out []models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("subject_id = ? AND role = ? AND status <> ?", subjectID, models.BindingAuthorisedAgent, models.BindingEnded).
		Order("created_at").Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取经办人")
	}
	return out, nil
}

// SubjectBindings lists the bindings of a subject that have not ended — its legal
// representative and its agents — oldest first, for staff (R8.1). It
// returns UNAUTHENTICATED/FORBIDDEN for anyone else and INTERNAL.
func (s *Service) SubjectBindings(ctx context.Context, subjectID string) ([]models.EnterpriseBinding, error) {
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return nil, err
	}
	var out []models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("subject_id = ? AND status <> ?", subjectID, models.BindingEnded).
		Order("created_at").Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	return out, nil
}

// AuthoriseAgent lets the enterprise's verified legal representative
// authorise an agent, or change an agent's scopes, from the mini-program
// (R6.6). The legal representative needs a face verification within the
// validity window; the agent must have passed their own face verification
// (or a counter check) of the binding's current generation. It returns
// FORBIDDEN (NOT_LEGAL_REPRESENTATIVE, FACE_VERIFICATION_REQUIRED),
// FAILED_PRECONDITION (AGENT_NOT_VERIFIED, BINDING_NOT_OPEN), INVALID
// (scopes, bindingId) and NOT_FOUND.
func (s *Service) AuthoriseAgent(ctx context.Context, agentBindingID string, scopes []models.AgentScope) (models.EnterpriseBinding, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	if err := validScopes(scopes); err != nil {
		return models.EnterpriseBinding{}, err
	}
	agent, err := loadBinding(s.db.WithContext(ctx), agentBindingID)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	g, err := s.policy.Subject(ctx, agent.SubjectID)
	if err != nil || !g.LegalRepresentative() {
		return models.EnterpriseBinding{}, apperr.New(apperr.Forbidden, "只有该企业经核验的法定代表人可以授权经办人").WithReason("NOT_LEGAL_REPRESENTATIVE")
	}
	if err := s.RequireFreshFace(ctx, g.Binding); err != nil {
		return models.EnterpriseBinding{}, err
	}
	now := s.now().UTC()
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		cur, err := loadOpenAgent(tx, agent.ID)
		if err != nil {
			return err
		}
		if cur.IdentityVerifiedAt == nil {
			return apperr.Precondition("AGENT_NOT_VERIFIED", "经办人尚未完成本人人脸核身，暂不能授权")
		}
		principal := g.Binding.ID
		agent = cur
		agent.Status, agent.Scopes, agent.PrincipalID, agent.AuthorisedBy, agent.AuthorisedAt, agent.StatusChangedAt = models.BindingActive, access.FormatScopes(scopes), &principal, a.UserID, &now, &now
		agent.Version++
		if err := tx.Model(&models.EnterpriseBinding{}).Where("id = ?", agent.ID).Updates(map[string]any{
			"status": agent.Status, "scopes": agent.Scopes, "principal_id": principal, "authorised_by": a.UserID, "authorised_at": now,
			"status_changed_at": now, "status_reason": "", "updated_at": now, "version": agent.Version,
		}).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法更新企业绑定")
		}
		if err := s.notify(ctx, tx, agent, NoticeAgentAuthorised, "您已获经办人授权",
			fmt.Sprintf("法定代表人已授权您代表企业办理：%s。", scopeLabels(scopes))); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "enterprise.agent_authorise", SubjectType: "binding", SubjectID: agent.ID,
			Detail: "scopes=" + agent.Scopes + " principal=" + principal})
	})
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	return agent, nil
}

// scopeLabels names scopes in Chinese.
func scopeLabels(scopes []models.AgentScope) string {
	labels := map[models.AgentScope]string{models.ScopeView: "查看信用报告和记录", models.ScopeApply: "办理用水申请", models.ScopeDispute: "办理信用修复和异议"}
	var out []string
	for _, sc := range scopes {
		out = append(out, labels[sc])
	}
	return strings.Join(out, "、")
}

// RevokeAgent ends an agent's authorisation, or refuses an agent's request
// (R6.6): by the enterprise's verified legal representative or by staff.
// It takes effect on the agent's next request. It returns FORBIDDEN
// (NOT_LEGAL_REPRESENTATIVE), NOT_FOUND and FAILED_PRECONDITION
// (BINDING_NOT_OPEN) for one already ended.
func (s *Service) RevokeAgent(ctx context.Context, agentBindingID, reason string) (models.EnterpriseBinding, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 200 {
		return models.EnterpriseBinding{}, apperr.InvalidField("reason", "原因最多 200 个字符")
	}
	agent, err := loadBinding(s.db.WithContext(ctx), agentBindingID)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	g, err := s.policy.Subject(ctx, agent.SubjectID)
	if err != nil || (!g.Staff && !g.LegalRepresentative()) {
		return models.EnterpriseBinding{}, apperr.New(apperr.Forbidden, "只有该企业的法定代表人或工作人员可以撤销经办人授权").WithReason("NOT_LEGAL_REPRESENTATIVE")
	}
	if reason == "" {
		reason = "授权已被撤销"
	}
	now := s.now().UTC()
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		cur, err := loadBinding(tx, agent.ID)
		if err != nil {
			return err
		}
		if cur.Role != models.BindingAuthorisedAgent || cur.Status == models.BindingEnded {
			return apperr.Precondition("BINDING_NOT_OPEN", "该经办人授权已失效")
		}
		if err := s.retire(ctx, tx, &cur, models.BindingEnded, reason, now); err != nil {
			return err
		}
		agent = cur
		return s.notify(ctx, tx, cur, NoticeAgentEnded, "经办人授权已撤销", reason)
	})
	return agent, err
}

// CounterAgentInput is what staff record when they approve an agent at the
// counter against a paper 授权委托书 (R6.6).
type CounterAgentInput struct {
	AgentBindingID   string
	Scopes           []models.AgentScope
	AuthorisationRef string
	// IDType and IDNumber are of the document staff inspected: they must
	// be the agent binding's.
	IDType   ident.IDType
	IDNumber string
	// Letter is the scan of the signed and sealed letter (PDF, JPEG, PNG).
	Letter []evidence.Upload
	Note   string
	// Version is the binding's version the staff member saw (R8.1).
	Version int
}

// ApproveAgentAtCounter lets staff approve an agent's request at the
// counter: the agent shows their ID document (it must match the request's
// ID number) and the paper 授权委托书, whose scan is stored under the
// evidence rules. The binding becomes ACTIVE with the scopes written in the
// letter, and moves to the next version. It returns FORBIDDEN for
// non-staff, INVALID (scopes, authorisationRef, note, letter/evidence,
// idNumber), NOT_FOUND, CONFLICT (STALE_VERSION) when the binding is no
// longer at the version the staff member saw (R8.1), FAILED_PRECONDITION
// (BINDING_NOT_OPEN; ID_MISMATCH when the document is not the request's).
func (s *Service) ApproveAgentAtCounter(ctx context.Context, in CounterAgentInput) (models.EnterpriseBinding, error) {
	a, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	if err := validScopes(in.Scopes); err != nil {
		return models.EnterpriseBinding{}, err
	}
	in.AuthorisationRef, in.Note = strings.TrimSpace(in.AuthorisationRef), strings.TrimSpace(in.Note)
	if in.AuthorisationRef == "" || utf8.RuneCountInString(in.AuthorisationRef) > 64 {
		return models.EnterpriseBinding{}, apperr.InvalidField("authorisationRef", "请填写授权委托书编号（最多 64 个字符）")
	}
	if in.Note == "" || utf8.RuneCountInString(in.Note) > 500 {
		return models.EnterpriseBinding{}, apperr.InvalidField("note", "请说明核验情况（最多 500 个字符）")
	}
	idNo, err := ident.ValidateID(in.IDType, in.IDNumber)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	if len(in.Letter) != 1 {
		return models.EnterpriseBinding{}, apperr.InvalidField("letter", "请上传一份授权委托书扫描件")
	}
	now := s.now().UTC()
	files, err := evidence.Read(in.Letter, evidence.Limits{MaxBytes: s.cfg.Evidence.MaxBytes, MaxFiles: 1}, a.UserID, now)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	var agent models.EnterpriseBinding
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		cur, err := loadBinding(tx, in.AgentBindingID)
		if err != nil {
			return err
		}
		if cur.Version != in.Version {
			return apperr.Stale("该经办人申请已变更（当前版本 %d，您看到的是 %d），请刷新后重试", cur.Version, in.Version)
		}
		if cur, err = openAgent(cur); err != nil {
			return err
		}
		if string(in.IDType) != cur.IDType || s.sealer.BlindIndex(idNo) != cur.IDIndex {
			return apperr.Precondition("ID_MISMATCH", "所核验的证件与经办人申请中的证件不一致")
		}
		if err := evidence.Store(tx, OwnerAgentAuthorisation, cur.ID, files); err != nil {
			return err
		}
		cur.Status, cur.Scopes, cur.PrincipalID, cur.AuthorisedBy, cur.AuthorisedAt = models.BindingActive, access.FormatScopes(in.Scopes), nil, a.UserID, &now
		cur.AuthorisationRef, cur.AuthorisationEvidenceID, cur.IdentityVerifiedAt, cur.StatusChangedAt, cur.StatusReason = in.AuthorisationRef, files[0].PublicID, &now, &now, ""
		cur.Version++
		if err := tx.Model(&models.EnterpriseBinding{}).Where("id = ?", cur.ID).Updates(map[string]any{
			"status": cur.Status, "scopes": cur.Scopes, "version": cur.Version, "principal_id": nil, "authorised_by": a.UserID, "authorised_at": now,
			"authorisation_ref": cur.AuthorisationRef, "authorisation_evidence_id": cur.AuthorisationEvidenceID,
			"identity_verified_at": now, "status_changed_at": now, "status_reason": "", "updated_at": now,
		}).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法更新企业绑定")
		}
		agent = cur
		if err := s.notify(ctx, tx, cur, NoticeAgentAuthorised, "您已获经办人授权",
			fmt.Sprintf("营业厅已根据授权委托书（%s）授权您代表企业办理：%s。", cur.AuthorisationRef, scopeLabels(in.Scopes))); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "enterprise.agent_counter_approve", SubjectType: "binding", SubjectID: cur.ID,
			Detail: fmt.Sprintf("scopes=%s letter=%s document=%s %s note=%s", cur.Scopes, cur.AuthorisationRef, ident.IDType(cur.IDType).Label(), cur.IDMasked, in.Note)})
	})
	return agent, err
}

// AuthorisationEvidenceCheck is the evidence.OwnerCheck of letters of
// authorisation: staff and the subject's verified legal representative may
// read the scan.
func (s *Service) AuthorisationEvidenceCheck(ctx context.Context, bindingID string) (string, error) {
	var b models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("id = ?", bindingID).Limit(1).Find(&b).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	if b.ID == "" {
		return "", apperr.New(apperr.NotFound, "证据文件不存在")
	}
	g, err := s.policy.Subject(ctx, b.SubjectID)
	if err != nil || (!g.Staff && !g.LegalRepresentative()) {
		return "", apperr.New(apperr.Forbidden, "无权查看该授权委托书")
	}
	return "企业绑定授权书 " + b.ID, nil
}
