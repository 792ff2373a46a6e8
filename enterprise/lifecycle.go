package enterprise

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/models"
	"creditwater/store"
)

// Notice kinds this package posts to users' inboxes (R7.6).
const (
	NoticeBindingActive    = "BINDING_ACTIVE"
	NoticeBindingSuspended = "BINDING_SUSPENDED"
	NoticeAgentAuthorised  = "AGENT_AUTHORISED"
	NoticeAgentEnded       = "AGENT_ENDED"
)

// retire moves b to SUSPENDED or ENDED inside tx: a new generation (so no
// earlier face verification or authorisation counts), the reason, and the
// ID data erased — only PENDING and ACTIVE bindings keep an ID number
// (R6.8, PIPL Art. 47); the masked number stays for the history. The face
// verifications of the binding lose their ID index too.
func (s *Service) retire(ctx context.Context, tx *gorm.DB, b *models.EnterpriseBinding, to models.BindingStatus, reason string, now time.Time) error {
	b.Status, b.Generation, b.StatusReason, b.StatusChangedAt, b.Version = to, b.Generation+1, reason, &now, b.Version+1
	b.IDSealed, b.IDIndex, b.IdentityVerifiedAt = "", "", nil
	err := tx.WithContext(ctx).Model(&models.EnterpriseBinding{}).Where("id = ?", b.ID).Updates(map[string]any{
		"status": to, "generation": b.Generation, "status_reason": reason, "status_changed_at": now, "version": gorm.Expr("version + 1"),
		"id_sealed": "", "id_index": "", "identity_verified_at": nil, "updated_at": now,
	}).Error
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法更新企业绑定")
	}
	if err := eraseFaceIndex(ctx, tx, "binding_id = ?", b.ID); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, audit.Entry{Action: "enterprise.binding_" + strings.ToLower(string(to)), SubjectType: "binding", SubjectID: b.ID,
		Detail: fmt.Sprintf("generation=%d id=%s reason=%s", b.Generation, b.IDMasked, reason)})
}

func eraseFaceIndex(ctx context.Context, tx *gorm.DB, where string, arg any) error {
	if err := tx.WithContext(ctx).Model(&models.FaceVerification{}).Where(where, arg).
		Updates(map[string]any{"cert_index": "", "valid_until": nil}).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法更新人脸核身记录")
	}
	return nil
}

// lapseAgents ends the agents of a subject inside tx: those authorised by
// the legal representative's binding principalID, or every agent of the
// subject when principalID is nil (a new legal representative: a paper
// authorisation of the old one lapses too). Each agent is told.
func (s *Service) lapseAgents(ctx context.Context, tx *gorm.DB, subjectID string, principalID *string, reason string, now time.Time) error {
	q := tx.WithContext(ctx).Where("subject_id = ? AND role = ? AND status IN ?", subjectID, models.BindingAuthorisedAgent,
		[]models.BindingStatus{models.BindingPending, models.BindingActive})
	if principalID != nil {
		q = q.Where("principal_id = ?", *principalID)
	}
	var agents []models.EnterpriseBinding
	if err := q.Find(&agents).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法读取经办人")
	}
	for i := range agents {
		if err := s.retire(ctx, tx, &agents[i], models.BindingEnded, reason, now); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, agents[i], NoticeAgentEnded, "经办人授权已失效", reason); err != nil {
			return err
		}
	}
	return nil
}

// notify posts a notice about b to its user.
func (s *Service) notify(ctx context.Context, tx *gorm.DB, b models.EnterpriseBinding, kind, title, body string) error {
	if s.inbox == nil {
		return nil
	}
	return s.inbox.Post(ctx, tx, models.Notice{UserID: b.UserID, SubjectID: b.SubjectID, Kind: kind, Title: title, Body: body,
		RefType: "binding", RefID: b.ID})
}

// Suspend suspends a legal representative's binding because the registry
// no longer confirms its person (R6.7): a new generation, ID data erased,
// every agent of the subject lapsed, and the user told in the inbox. It
// returns INTERNAL on a database failure.
func (s *Service) suspend(ctx context.Context, b models.EnterpriseBinding, reason string) error {
	now := s.now().UTC()
	return store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		var cur models.EnterpriseBinding
		if err := tx.Where("id = ?", b.ID).Take(&cur).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
		}
		if cur.Status != models.BindingActive && cur.Status != models.BindingPending {
			return nil
		}
		if err := s.retire(ctx, tx, &cur, models.BindingSuspended, reason, now); err != nil {
			return err
		}
		if err := s.lapseAgents(ctx, tx, cur.SubjectID, nil, "企业法定代表人已变更，原授权失效；如需继续办理，请由现任法定代表人重新授权", now); err != nil {
			return err
		}
		return s.notify(ctx, tx, cur, NoticeBindingSuspended, "企业绑定已暂停", reason+"。如您是现任法定代表人，请重新绑定并完成人脸核身。")
	})
}
