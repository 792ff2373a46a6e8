package apply

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/credit/grade"
	"creditwater/models"
	"creditwater/notice"
	"creditwater/store"
)

// extraReviewDue reports whether app needs the extra review step (失信主体
// 额外复核, R3.4): it was marked at submission or at the credit check
// (the subject's grade was in Lifecycle.ExtraReviewGrades, DISHONEST by
// default), or the subject's grade is in them now.
func (s *Service) extraReviewDue(app models.Application, subj models.Subject) bool {
	return app.ExtraReview || handles(s.cfg.Lifecycle.ExtraReviewGrades, subj)
}

// PassExtraReview passes the extra review step of an application at the
// version read, with the credit officer's note (R3.4): the application
// keeps its status and moves to the next version; its history gets an
// event, the audit log an entry, and the applicant and the enterprise's
// users an inbox notice. Only then can it be accepted. CREDIT_OFFICER and
// ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field note),
// NOT_FOUND, FAILED_PRECONDITION (reason ILLEGAL_TRANSITION for a closed
// application, EXTRA_REVIEW_NOT_REQUIRED for one that skips the step,
// EXTRA_REVIEW_PASSED when it was passed), CONFLICT (reason STALE_VERSION
// or CONCURRENT_UPDATE) and INTERNAL.
func (s *Service) PassExtraReview(ctx context.Context, id, note string, version int) (models.Application, error) {
	a, err := auth.Require(ctx, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return models.Application{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 500 {
		return models.Application{}, apperr.InvalidField("note", "请填写复核意见（最多 500 字）")
	}
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		app, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != app.Version {
			return apperr.Stale("申请已变更（当前版本 %d，您看到的是 %d），请刷新后重试", app.Version, version)
		}
		if Terminal(app.Status) {
			return apperr.Precondition("ILLEGAL_TRANSITION", "申请状态为 %s，已办结，不能再复核", app.Status).WithDetail("currentStatus", string(app.Status))
		}
		subj, err := s.identity.Subject(ctx, app.SubjectID)
		if err != nil {
			return err
		}
		if !s.extraReviewDue(app, subj) {
			return apperr.Precondition("EXTRA_REVIEW_NOT_REQUIRED", "该主体信用等级为「%s」，申请无须额外复核", grade.GradeLabel(gradeOf(subj)))
		}
		if app.ExtraReviewedAt != nil {
			return apperr.Precondition("EXTRA_REVIEW_PASSED", "该申请已通过失信主体额外复核")
		}
		now := s.now().UTC()
		res := tx.Model(&models.Application{}).Where("id = ? AND version = ?", app.ID, app.Version).Updates(map[string]any{
			"extra_review": true, "extra_reviewed_by": a.UserID, "extra_reviewed_at": now, "extra_review_note": note,
			"version": app.Version + 1, "updated_at": now})
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "无法更新申请")
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "申请已被他人修改，请刷新后重试").WithReason("CONCURRENT_UPDATE")
		}
		reason := "失信主体额外复核通过：" + note
		ev := models.ApplicationEvent{ApplicationID: app.ID, At: now, ActorID: a.UserID, ActorRole: a.Role,
			FromStatus: app.Status, ToStatus: app.Status, Reason: reason}
		if err := tx.Create(&ev).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法记录复核")
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: "application.extra_review", SubjectType: "application", SubjectID: app.ID,
			Detail: string(app.Status) + " " + reason}); err != nil {
			return err
		}
		if s.Notices == nil {
			return nil
		}
		return s.Notices.NotifyTx(ctx, tx, notice.Event{SubjectID: app.SubjectID, Also: []string{app.UserID}, Kind: notice.ApplicationStatus,
			Body: "您的信用办水申请（" + app.Address + "）已通过信用管理员的失信主体额外复核，可继续办理受理。", RefType: "application", RefID: app.ID,
			Key: "application:" + app.ID + ":" + strconv.Itoa(app.Version+1)})
	})
	if err != nil {
		if apperr.As(err) == nil {
			err = apperr.Wrap(err, apperr.Internal, "无法更新申请")
		}
		return models.Application{}, err
	}
	return s.load(ctx, s.db, id)
}
