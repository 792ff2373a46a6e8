package auth

import (
	"context"
	"strings"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/models"
	"creditwater/pii"
)

// PhoneExchanger turns a getPhoneNumber button code into the user's phone
// number (WeChat getuserphonenumber). The wechat adapter provides it.
type PhoneExchanger func(ctx context.Context, code string) (string, error)

// BindPhone asks WeChat for the caller's phone number and stores it sealed,
// indexed and masked (R7.2). It returns INVALID for an empty code,
// UNAUTHENTICATED without a session, FORBIDDEN for staff, and what the
// exchanger returns (UNAVAILABLE when WeChat cannot be reached).
func (s *Service) BindPhone(ctx context.Context, exchange PhoneExchanger, sealer *pii.Sealer, code string) (models.User, error) {
	a, err := Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.User{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return models.User{}, apperr.InvalidField("code", "缺少手机号授权凭证（最多 128 个字符）")
	}
	phone, err := exchange(ctx, code)
	if err != nil {
		return models.User{}, err
	}
	sealed, err := sealer.Seal(phone)
	if err != nil {
		return models.User{}, apperr.Wrap(err, apperr.Internal, "无法加密保存手机号")
	}
	idx := sealer.BlindIndex(phone)
	masked := pii.MaskPhone(phone)
	if err := s.db.WithContext(ctx).Model(&models.User{}).Where("id = ?", a.UserID).
		Updates(map[string]any{"phone_sealed": sealed, "phone_index": idx, "phone_masked": masked}).Error; err != nil {
		return models.User{}, apperr.Wrap(err, apperr.Internal, "无法保存手机号")
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "user.phone.bind", SubjectType: "user", SubjectID: a.UserID})
	return s.User(ctx, a.UserID)
}
