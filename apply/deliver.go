package apply

import (
	"context"
	"encoding/json"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/publication"
)

// Messenger sends a WeChat subscribe message to a mini-program user.
type Messenger func(ctx context.Context, openID, templateID, page string, data map[string]string) error

// DeliverCommitment publishes a signed commitment (公开承诺) with the
// outbox message's key as the idempotency key, so a retry after a crash
// never publishes twice (R2.3). It returns the publication ID.
func DeliverCommitment(p publication.Publisher) func(ctx context.Context, msg models.OutboxMessage) (string, error) {
	return func(ctx context.Context, msg models.OutboxMessage) (string, error) {
		var pl CommitmentPayload
		if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil {
			return "", apperr.Wrap(err, apperr.Invalid, "承诺消息内容格式不正确")
		}
		body, _ := json.Marshal(map[string]string{"commitmentId": pl.CommitmentID, "sha256": pl.SHA256, "text": pl.Text})
		res, err := p.Publish(ctx, publication.Request{IdempotencyKey: msg.Key, Kind: publication.Commitment,
			SubjectUSCC: pl.USCC, Title: pl.Title, Body: body})
		if err != nil {
			return "", err
		}
		return res.ID, nil
	}
}

// CommitmentDelivered is the outbox completion of DeliverCommitment.
func (s *Service) CommitmentDelivered(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, publicationID string) error {
	var pl CommitmentPayload
	if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "承诺消息内容格式不正确")
	}
	return s.CommitmentPublished(ctx, tx, pl.CommitmentID, publicationID)
}

// DeliverNotification sends a status message to the applicant (R4.4).
func (s *Service) DeliverNotification(send Messenger) func(ctx context.Context, msg models.OutboxMessage) (string, error) {
	return func(ctx context.Context, msg models.OutboxMessage) (string, error) {
		var pl NotifyPayload
		if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil {
			return "", apperr.Wrap(err, apperr.Invalid, "通知消息内容格式不正确")
		}
		openID, err := s.openIDOf(ctx, pl.UserID)
		if err != nil {
			return "", err
		}
		data := map[string]string{"thing1": "用水报装申请", "phrase2": truncate(StatusLabel(pl.Status), 5), "thing3": truncate(StatusLabel(pl.Status), 20)}
		if pl.Reason != "" {
			data["thing4"] = pl.Reason
		}
		if err := send(ctx, openID, pl.TemplateID, "pages/application/detail?id="+pl.ApplicationID, data); err != nil {
			return "", err
		}
		return "sent", nil
	}
}

// DeliverNoticeMessage sends the subscribe message of an inbox notice
// (R7.6, QueueNoticeMessage): its title and the start of its text, linking
// to the inbox.
func (s *Service) DeliverNoticeMessage(send Messenger) func(ctx context.Context, msg models.OutboxMessage) (string, error) {
	return func(ctx context.Context, msg models.OutboxMessage) (string, error) {
		var pl NoticePayload
		if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil {
			return "", apperr.Wrap(err, apperr.Invalid, "通知消息内容格式不正确")
		}
		openID, err := s.openIDOf(ctx, pl.UserID)
		if err != nil {
			return "", err
		}
		data := map[string]string{"thing1": truncate(pl.Title, 20), "phrase2": "有新消息", "thing3": truncate(pl.Body, 20)}
		if err := send(ctx, openID, pl.TemplateID, "pages/inbox/index", data); err != nil {
			return "", err
		}
		return "sent", nil
	}
}

// openIDOf is the mini-program openid of a user: NOT_FOUND when the user
// has none (or is gone).
func (s *Service) openIDOf(ctx context.Context, userID string) (string, error) {
	var u models.User
	if err := s.db.WithContext(ctx).Where("id = ?", userID).Take(&u).Error; err != nil || u.OpenID == nil {
		return "", apperr.New(apperr.NotFound, "收件人没有微信账号")
	}
	return *u.OpenID, nil
}

// NoticeMessageDelivered is the outbox completion of DeliverNoticeMessage:
// the inbox notice already records the event, nothing more to write.
func (s *Service) NoticeMessageDelivered(context.Context, *gorm.DB, models.OutboxMessage, string) error {
	return nil
}

// NotificationDelivered is the outbox completion of DeliverNotification.
func (s *Service) NotificationDelivered(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, _ string) error {
	var pl NotifyPayload
	if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "通知消息内容格式不正确")
	}
	return s.Notified(ctx, tx, pl)
}
