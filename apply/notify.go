package apply

import (
	"context"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/notice"
	"creditwater/store"
)

// NotifyPayload is the outbox payload of a status notification.
type NotifyPayload struct {
	UserID        string           `json:"userId"`
	ApplicationID string           `json:"applicationId"`
	Status        models.AppStatus `json:"status"`
	TemplateID    string           `json:"templateId"`
	Reason        string           `json:"reason,omitempty"`
}

// GrantSubscription records that the user accepted one subscribe message
// of the status template in the mini-program (wx.requestSubscribeMessage):
// each acceptance allows one message (R4.4). It returns INVALID for another
// template.
func (s *Service) GrantSubscription(ctx context.Context, templateID string) (int, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return 0, err
	}
	if templateID != s.cfg.NotifyTemplateID {
		return 0, apperr.InvalidField("templateId", "未知的消息模板，状态通知模板为 %q", s.cfg.NotifyTemplateID)
	}
	var g models.SubscriptionGrant
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		g = models.SubscriptionGrant{} // read again when the transaction runs again
		res := tx.Where("user_id = ? AND template_id = ?", a.UserID, templateID).Limit(1).Find(&g)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			g = models.SubscriptionGrant{UserID: a.UserID, TemplateID: templateID, Remaining: 1}
			return tx.Create(&g).Error
		}
		g.Remaining++
		return tx.Model(&g).Update("remaining", gorm.Expr("remaining + 1")).Error
	})
	if err != nil {
		return 0, apperr.Wrap(err, apperr.Internal, "无法记录消息订阅")
	}
	return g.Remaining, nil
}

// useGrant consumes one grant of the status template held by userID and
// reports whether there was one. INTERNAL.
func (s *Service) useGrant(ctx context.Context, tx *gorm.DB, userID string) (bool, error) {
	res := tx.WithContext(ctx).Model(&models.SubscriptionGrant{}).
		Where("user_id = ? AND template_id = ? AND remaining > 0", userID, s.cfg.NotifyTemplateID).
		Update("remaining", gorm.Expr("remaining - 1"))
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法读取消息订阅")
	}
	return res.RowsAffected > 0, nil
}

// NoticePayload is the outbox payload of the subscribe message of an inbox
// notice (R7.6).
type NoticePayload struct {
	UserID     string `json:"userId"`
	TemplateID string `json:"templateId"`
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	Body       string `json:"body"`
}

// QueueNoticeMessage consumes one grant of userID, if any, and queues, in
// tx, the subscribe message of an inbox notice (R7.6: a WeChat subscribe
// message where a grant is held): no grant, no message, no error. Package
// inbox calls it for each new notice of the kinds it is given. INTERNAL.
func (s *Service) QueueNoticeMessage(ctx context.Context, tx *gorm.DB, userID string, ev notice.Event) error {
	ok, err := s.useGrant(ctx, tx, userID)
	if err != nil || !ok {
		return err
	}
	key := "notice:" + models.NewID()
	if ev.Key != "" {
		key = "notice:" + ev.Key + ":" + userID
	}
	title := ev.Title
	if title == "" {
		title = notice.Title(ev.Kind)
	}
	return s.enqueue(ctx, tx, key, KindNotifyNotice, ev.RefID, NoticePayload{UserID: userID, TemplateID: s.cfg.NotifyTemplateID,
		Kind: string(ev.Kind), Title: title, Body: ev.Body})
}

// queueNotification consumes one grant of the applicant, if any, and queues
// the status message in the same transaction (R4.4): no grant, no message,
// no error.
func (s *Service) queueNotification(ctx context.Context, tx *gorm.DB, app *models.Application) error {
	if ok, err := s.useGrant(ctx, tx, app.UserID); err != nil || !ok {
		return err
	}
	key := "notify:" + app.ID + ":" + strconv.Itoa(app.Version)
	return s.enqueue(ctx, tx, key, KindNotify, app.ID, NotifyPayload{UserID: app.UserID, ApplicationID: app.ID, Status: app.Status,
		TemplateID: s.cfg.NotifyTemplateID, Reason: truncate(app.Reason, 20)})
}

// Notified records a delivered notification (the outbox's completion).
func (s *Service) Notified(ctx context.Context, tx *gorm.DB, p NotifyPayload) error {
	n := models.Notification{UserID: p.UserID, ApplicationID: p.ApplicationID, Status: p.Status, TemplateID: p.TemplateID, SentAt: s.now().UTC()}
	if err := tx.WithContext(ctx).Create(&n).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法记录消息通知")
	}
	return nil
}

// StatusLabel is the Chinese text of a status for messages.
func StatusLabel(st models.AppStatus) string {
	switch st {
	case models.AppSubmitted:
		return "已提交"
	case models.AppSurveyScheduled:
		return "已预约现场勘查"
	case models.AppSurveyed:
		return "已完成现场勘查"
	case models.AppCreditChecked:
		return "信用核查通过，请签署承诺书"
	case models.AppCommitmentSigned:
		return "承诺书已签署"
	case models.AppPublished:
		return "承诺已公示"
	case models.AppAccepted:
		return "已受理"
	case models.AppRejected:
		return "未通过"
	case models.AppFallback:
		return "转普通办理，请补充材料"
	case models.AppWithdrawn:
		return "已撤回"
	}
	return string(st)
}

func truncate(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return string(r)
}
