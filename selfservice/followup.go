package selfservice

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/store"
)

// Poster posts a notice to a user's inbox (R7.6), inside tx when given;
// inbox.Inbox is one.
type Poster interface {
	Post(ctx context.Context, tx *gorm.DB, n models.Notice) error
}

// FollowUpConfig are the rules of documents to follow (R3.6, R7.4).
type FollowUpConfig struct {
	// Days is how many working days a document has from the acceptance.
	Days int
	// RemindDays is how many working days before its due date the
	// subject is reminded (and again on the due date).
	RemindDays int
}

// FollowUps tracks the documents accepted as to-follow (容缺受理, R3.6):
// each gets a due date, the subject's users are reminded before and at it
// (inbox), staff mark each received, and overdue ones are listed for staff.
type FollowUps struct {
	s     *Service
	cal   *calendar.Calendar
	inbox Poster
	cfg   FollowUpConfig
}

// NewFollowUps returns the follow-up tracker over the self-service's
// database, access policy and clock.
func NewFollowUps(s *Service, cal *calendar.Calendar, inbox Poster, cfg FollowUpConfig) *FollowUps {
	return &FollowUps{s: s, cal: cal, inbox: inbox, cfg: cfg}
}

// Create records the documents of an application accepted with them
// missing, due cfg.Days working days after at, inside the acceptance's
// transaction tx (apply.Service.OnLenientAccept). It returns INTERNAL.
func (f *FollowUps) Create(ctx context.Context, tx *gorm.DB, app models.Application, names []string, at time.Time) error {
	due := credit.DayOf(f.cal.AddWorkdays(credit.DayOf(at), f.cfg.Days))
	for _, n := range names {
		d := models.FollowUpDocument{ApplicationID: app.ID, SubjectID: app.SubjectID, Name: n, DueOn: due}
		if err := tx.WithContext(ctx).Create(&d).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "could not record the documents to follow")
		}
	}
	return nil
}

// Overdue reports whether d is still missing after its due date at now.
func Overdue(d models.FollowUpDocument, now time.Time) bool {
	return d.ReceivedAt == nil && credit.DayOf(now).After(credit.DayOf(d.DueOn))
}

// FollowUpFilter narrows the list of documents to follow.
type FollowUpFilter struct {
	// SubjectID: an enterprise user's subject (may be left out with one
	// binding); staff may leave it out to see every subject's.
	SubjectID   string
	PendingOnly bool
	OverdueOnly bool
	// Count asks for Page.TotalCount (capped at page.CountCap+1).
	Count bool
}

// List returns documents to follow, newest first: staff see every
// subject's (the overdue ones with OverdueOnly), an enterprise user those
// of a subject it may VIEW. It returns the errors of Service.subject
// (except that staff need not name a subject) and INVALID (first, after).
func (f *FollowUps) List(ctx context.Context, flt FollowUpFilter, first *int, after string) (Page[models.FollowUpDocument], error) {
	q := f.s.db.WithContext(ctx).Model(&models.FollowUpDocument{})
	a, err := auth.Require(ctx)
	if err != nil {
		return Page[models.FollowUpDocument]{}, err
	}
	if !a.Role.IsStaff() || flt.SubjectID != "" {
		subj, err := f.s.subject(ctx, flt.SubjectID)
		if err != nil {
			return Page[models.FollowUpDocument]{}, err
		}
		q = q.Where("subject_id = ?", subj)
	}
	if flt.PendingOnly || flt.OverdueOnly {
		q = q.Where("received_at IS NULL")
	}
	if flt.OverdueOnly {
		q = q.Where("due_on < ?", credit.DayOf(f.s.now()))
	}
	return list(q, "follow_up_documents", first, after, flt.Count, func(d models.FollowUpDocument) string { return d.ID })
}

// MarkReceived records that staff received a document to follow (R3.6).
// version is the document's version as the caller saw it. It returns
// UNAUTHENTICATED, FORBIDDEN (not staff), NOT_FOUND, CONFLICT
// (STALE_VERSION), FAILED_PRECONDITION (ALREADY_RECEIVED) and INTERNAL.
func (f *FollowUps) MarkReceived(ctx context.Context, id string, version int) (models.FollowUpDocument, error) {
	a, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return models.FollowUpDocument{}, err
	}
	var d models.FollowUpDocument
	err = store.Transaction(ctx, f.s.db, func(tx *gorm.DB) error {
		d = models.FollowUpDocument{} // read again when the transaction runs again
		res := tx.Where("id = ?", id).Limit(1).Find(&d)
		switch {
		case res.Error != nil:
			return res.Error
		case res.RowsAffected == 0:
			return apperr.New(apperr.NotFound, "容缺材料不存在")
		case d.ReceivedAt != nil:
			return apperr.Precondition("ALREADY_RECEIVED", "该材料已于 %s 收取", credit.DateString(*d.ReceivedAt))
		case d.Version != version:
			return apperr.Stale("该材料已被他人更新，请刷新后重试")
		}
		now := f.s.now().UTC()
		upd := tx.Model(&models.FollowUpDocument{}).Where("id = ? AND version = ?", id, version).
			Updates(map[string]any{"received_at": now, "received_by": a.UserID, "version": version + 1, "updated_at": now})
		if upd.Error != nil {
			return upd.Error
		}
		if upd.RowsAffected == 0 {
			return apperr.Stale("该材料已被他人更新，请刷新后重试")
		}
		d.ReceivedAt, d.ReceivedBy, d.Version = &now, a.UserID, version+1
		return nil
	})
	if err != nil && apperr.As(err) == nil {
		err = apperr.Wrap(err, apperr.Internal, "could not mark the document received")
	}
	return d, err
}

// Remind posts, once each, an inbox notice to every user with an ACTIVE
// binding to the subject of each pending document: when its due date is
// within cfg.RemindDays working days (FOLLOW_UP_DUE_SOON), and on or after
// its due date (FOLLOW_UP_DUE). It is the job follow-up.reminders and
// returns a summary; INTERNAL on a database failure.
func (f *FollowUps) Remind(ctx context.Context) (string, error) {
	today := credit.DayOf(f.s.now())
	horizon := credit.DayOf(f.cal.AddWorkdays(today, f.cfg.RemindDays))
	var docs []models.FollowUpDocument
	if err := f.s.db.WithContext(ctx).Where("received_at IS NULL AND due_on <= ?", horizon).Order("due_on").Find(&docs).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not read the documents to follow")
	}
	posted := 0
	for _, d := range docs {
		kind, title := "FOLLOW_UP_DUE_SOON", "容缺材料即将到期"
		body := fmt.Sprintf("您的用水申请容缺受理的材料“%s”须于 %s 前补交，请及时提交。", d.Name, credit.DateString(d.DueOn))
		if !today.Before(credit.DayOf(d.DueOn)) {
			kind, title = "FOLLOW_UP_DUE", "容缺材料已到期"
			body = fmt.Sprintf("您的用水申请容缺受理的材料“%s”补交期限为 %s，已到期，请尽快补交。", d.Name, credit.DateString(d.DueOn))
		}
		var users []string
		if err := f.s.db.WithContext(ctx).Model(&models.EnterpriseBinding{}).Where("subject_id = ? AND status = ?", d.SubjectID, models.BindingActive).
			Distinct("user_id").Pluck("user_id", &users).Error; err != nil {
			return "", apperr.Wrap(err, apperr.Internal, "could not read the bindings")
		}
		for _, u := range users {
			key := "followup:" + kind + ":" + d.ID + ":" + u
			if err := f.inbox.Post(ctx, nil, models.Notice{UserID: u, SubjectID: d.SubjectID, Kind: kind, Title: title, Body: body,
				RefType: "application", RefID: d.ApplicationID, DedupKey: &key}); err != nil {
				return "", err
			}
			posted++
		}
	}
	return fmt.Sprintf("%d documents to follow due by %s; %d notices offered", len(docs), credit.DateString(horizon), posted), nil
}
