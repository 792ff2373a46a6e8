package enterprise

import (
	"context"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/store"
)

// Unbind ends one of the caller's bindings (R6.8): the binding is ENDED
// with a new generation, its ID number (ciphertext and blind index) is
// erased — the masked number stays for the history — and, for a legal
// representative, the agents it authorised lapse. It returns NOT_FOUND for
// a binding that is not the caller's and FAILED_PRECONDITION
// (BINDING_NOT_OPEN) for one already ended.
func (s *Service) Unbind(ctx context.Context, bindingID string) (models.EnterpriseBinding, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.EnterpriseBinding{}, err
	}
	var out models.EnterpriseBinding
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		b, err := loadBinding(tx, bindingID)
		if err != nil {
			return err
		}
		if b.UserID != a.UserID {
			return apperr.New(apperr.NotFound, "绑定不存在")
		}
		if b.Status == models.BindingEnded {
			return apperr.Precondition("BINDING_NOT_OPEN", "该绑定已解除")
		}
		if err := s.endOwn(ctx, tx, &b, "用户已解除绑定", s.now().UTC()); err != nil {
			return err
		}
		out = b
		return nil
	})
	return out, err
}

// endOwn ends b (the caller's) inside tx and lapses the agents a legal
// representative's binding authorised.
func (s *Service) endOwn(ctx context.Context, tx *gorm.DB, b *models.EnterpriseBinding, reason string, now time.Time) error {
	wasLR := b.Role == models.BindingLegalRepresentative && b.Status == models.BindingActive
	if err := s.retire(ctx, tx, b, models.BindingEnded, reason, now); err != nil {
		return err
	}
	if wasLR {
		return s.lapseAgents(ctx, tx, b.SubjectID, &b.ID, "授权您的法定代表人已解除绑定，授权失效", now)
	}
	return nil
}

// eraseIdentity runs inside the consent withdrawal of ID processing (R6.8,
// PIPL Art. 47): every binding of the user ends and every stored ID number
// of the user — ciphertext and blind index, also on bindings that ended
// earlier and on face verifications — is erased. Audit entries keep masked
// values only.
func (s *Service) eraseIdentity(ctx context.Context, tx *gorm.DB, userID string) error {
	var bs []models.EnterpriseBinding
	if err := tx.Where("user_id = ?", userID).Find(&bs).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	now := s.now().UTC()
	for i := range bs {
		if bs[i].Status == models.BindingEnded {
			continue
		}
		if err := s.endOwn(ctx, tx, &bs[i], "用户撤回了个人身份信息处理同意，绑定已解除并删除证件信息", now); err != nil {
			return err
		}
	}
	if err := tx.Model(&models.EnterpriseBinding{}).Where("user_id = ?", userID).
		Updates(map[string]any{"id_sealed": "", "id_index": ""}).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法删除证件信息")
	}
	if err := eraseFaceIndex(ctx, tx, "user_id = ?", userID); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, audit.Entry{Action: "pii.id.erase", SubjectType: "user", SubjectID: userID, Detail: "已撤回证件信息处理同意"})
}

// eraseFaceResults runs inside the consent withdrawal of face verification:
// the user's sealed face results are erased and no earlier pass authorises
// anything any more.
func (s *Service) eraseFaceResults(ctx context.Context, tx *gorm.DB, userID string) error {
	if err := tx.Model(&models.FaceVerification{}).Where("user_id = ?", userID).
		Updates(map[string]any{"result_sealed": "", "valid_until": nil}).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法删除人脸核身结果")
	}
	return s.audit.Record(ctx, tx, audit.Entry{Action: "pii.face.erase", SubjectType: "user", SubjectID: userID, Detail: "已撤回人脸核身同意"})
}
