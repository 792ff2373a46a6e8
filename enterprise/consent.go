package enterprise

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/store"
)

// ConsentTextVersion is the version of the consent texts below.
const ConsentTextVersion = "2026-11-v1"

// ConsentTexts are the texts shown before consent (PIPL Art. 29–30: purpose,
// the data, how long it is kept, and the alternative).
var ConsentTexts = map[models.ConsentPurpose]string{
	models.ConsentIDProcessing: "为核验您代表企业办理供水业务的身份，我们将处理法定代表人（或受托人）的姓名、证件类型和证件号码。" +
		"证件号码加密存储，仅在核验身份和生成信用承诺书时使用，展示时脱敏；解除绑定后按规定期限删除。",
	models.ConsentFaceVerification: "为确认由本人办理，我们将通过微信人脸核身比对您的人脸与证件信息。我们不获取、不保存人脸图像，" +
		"只保存核验结果和时间。如您不能或不愿刷脸，可携带证件到营业厅由工作人员核验。",
}

// GiveConsent records the caller's separate consent to a purpose, for the
// current text version. It returns INVALID for an unknown purpose or a
// stale text version (the client must show the current text) and
// UNAUTHENTICATED without a session.
func (s *Service) GiveConsent(ctx context.Context, purpose models.ConsentPurpose, textVersion string) (models.Consent, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.Consent{}, err
	}
	if _, ok := ConsentTexts[purpose]; !ok {
		return models.Consent{}, apperr.InvalidField("purpose", "未知的授权同意用途 %q", purpose)
	}
	if want := s.cfg.ConsentVersions[string(purpose)]; textVersion != want {
		return models.Consent{}, apperr.InvalidField("textVersion", "授权同意文本的版本为 %q，请展示该版本并就该版本表示同意", want)
	}
	c := models.Consent{UserID: a.UserID, Purpose: purpose, TextVersion: textVersion, GrantedAt: s.now().UTC()}
	if err := s.db.WithContext(ctx).Create(&c).Error; err != nil {
		return c, apperr.Wrap(err, apperr.Internal, "无法记录授权同意")
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "consent.give", SubjectType: "user", SubjectID: a.UserID, Detail: string(purpose) + "@" + textVersion})
	return c, nil
}

// WithdrawConsent withdraws the caller's consent to a purpose. Withdrawing
// consent to ID processing also ends every binding of the user and erases
// their stored ID numbers (R6.8, PIPL Art. 47); withdrawing consent to face
// verification erases their face results. It returns NOT_FOUND when there
// is no consent in force.
func (s *Service) WithdrawConsent(ctx context.Context, purpose models.ConsentPurpose) error {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return err
	}
	return store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.Consent{}).Where("user_id = ? AND purpose = ? AND withdrawn_at IS NULL", a.UserID, purpose).
			Update("withdrawn_at", s.now().UTC())
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "无法撤回授权同意")
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "没有生效中的该项同意")
		}
		switch purpose {
		case models.ConsentIDProcessing:
			if err := s.eraseIdentity(ctx, tx, a.UserID); err != nil {
				return err
			}
		case models.ConsentFaceVerification:
			if err := s.eraseFaceResults(ctx, tx, a.UserID); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "consent.withdraw", SubjectType: "user", SubjectID: a.UserID, Detail: string(purpose)})
	})
}

// Consents returns the caller's consents in force.
func (s *Service) Consents(ctx context.Context) ([]models.Consent, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return nil, err
	}
	var out []models.Consent
	if err := s.db.WithContext(ctx).Where("user_id = ? AND withdrawn_at IS NULL", a.UserID).Order("granted_at").Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取授权同意")
	}
	return out, nil
}

// requireConsent returns FAILED_PRECONDITION (reason CONSENT_REQUIRED) when
// the user has no consent in force to purpose at the current text version.
func (s *Service) requireConsent(ctx context.Context, tx *gorm.DB, userID string, purpose models.ConsentPurpose) error {
	var c models.Consent
	err := tx.WithContext(ctx).Where("user_id = ? AND purpose = ? AND text_version = ? AND withdrawn_at IS NULL", userID, purpose, s.cfg.ConsentVersions[string(purpose)]).
		Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.Precondition("CONSENT_REQUIRED", "须先同意 %s（文本版本 %s）：请调用 giveConsent", purpose, s.cfg.ConsentVersions[string(purpose)]).
			WithDetail("purpose", string(purpose))
	}
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法核对授权同意")
	}
	return nil
}
