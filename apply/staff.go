package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/credit/grade"
	"creditwater/models"
	"creditwater/rating"
)

var staffRoles = []models.Role{models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin}

// ScheduleSurvey assigns the site survey (现场勘查) to a staff member at a
// time; rescheduling is allowed before the survey. It returns INVALID for an
// unknown assignee or a time in the past, and what transition returns.
func (s *Service) ScheduleSurvey(ctx context.Context, id, assigneeID string, at time.Time, version *int) (models.Application, error) {
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return models.Application{}, err
	}
	var u models.User
	if err := s.db.WithContext(ctx).Where("id = ?", assigneeID).Limit(1).Find(&u).Error; err != nil {
		return models.Application{}, apperr.Wrap(err, apperr.Internal, "无法读取承办人")
	}
	if u.ID == "" || !u.Role.IsStaff() || u.Disabled {
		return models.Application{}, apperr.InvalidField("assigneeId", "承办人须为在职的工作人员账号")
	}
	if at.Before(s.now().Add(-time.Hour)) {
		return models.Application{}, apperr.InvalidField("at", "勘查时间早于当前时间")
	}
	return s.step(ctx, id, func(_ *gorm.DB, app *models.Application) (change, error) {
		return change{to: models.AppSurveyScheduled, version: version, reason: "已预约现场勘查，时间 " + at.In(calendar.Shanghai).Format("2006-01-02 15:04"),
			set: map[string]any{"survey_assignee": assigneeID, "survey_at": at.UTC()}}, nil
	})
}

// SurveyInput is what staff record after the site survey.
type SurveyInput struct {
	// Fit: the address and business category fit the scheme.
	Fit bool
	// WantsCredit: the user (still) wants credit handling.
	WantsCredit bool
	Notes       string
	Version     *int
}

// RecordSurvey records the survey (R4.2). When the address or category do
// not fit, or the user does not want credit handling, the application falls
// back to the ordinary document-based path (R4.3).
func (s *Service) RecordSurvey(ctx context.Context, id string, in SurveyInput) (models.Application, error) {
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return models.Application{}, err
	}
	if len(in.Notes) > 1000 {
		return models.Application{}, apperr.InvalidField("notes", "最多 1000 字")
	}
	return s.step(ctx, id, func(_ *gorm.DB, app *models.Application) (change, error) {
		if app.Status != models.AppSurveyScheduled {
			return change{}, apperr.Precondition("ILLEGAL_TRANSITION", "申请状态为 %s，须在 SURVEY_SCHEDULED（已预约勘查）后才能录入勘查结果", app.Status).
				WithDetail("currentStatus", string(app.Status))
		}
		set := map[string]any{"survey_fit": in.Fit, "survey_notes": in.Notes, "wants_credit": in.WantsCredit}
		var failed []Condition
		if !in.Fit {
			failed = append(failed, Condition{Code: "SURVEY_FIT", Passed: boolp(false), Detail: "现场勘查认定用水地址或行业类别不在信用办水范围内"})
		}
		if !in.WantsCredit {
			failed = append(failed, Condition{Code: "CREDIT_HANDLING_WANTED", Passed: boolp(false), Detail: "申请人未申请信用办水"})
		}
		if len(failed) > 0 {
			raw, _ := json.Marshal(failed)
			set["failed_conditions"], set["eligible"] = string(raw), false
			return change{to: models.AppFallback, version: in.Version, reason: reasonOf(failed), set: set}, nil
		}
		return change{to: models.AppSurveyed, version: in.Version, reason: in.Notes, set: set}, nil
	})
}

// CheckResult is the outcome of a credit check.
type CheckResult struct {
	Application models.Application
	Eligible    bool
	Conditions  []Condition
	ReportNo    string
	// Rating is the report's rating level, "" when there is none.
	Rating rating.Level
}

// CheckCredit fetches the e-credit report through the credit platform and
// evaluates R4.1: an enterprise subject, a rating in scope, no record in
// force, land in scope. Eligible → CREDIT_CHECKED; otherwise
// FALLBACK_TO_DOCUMENTS listing every failed condition (R4.3). The report
// number, rating and time are stored. It returns UNAVAILABLE (and changes
// nothing) when the platform cannot be reached.
func (s *Service) CheckCredit(ctx context.Context, id string, version *int) (CheckResult, error) {
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return CheckResult{}, err
	}
	app, err := s.load(ctx, s.db, id)
	if err != nil {
		return CheckResult{}, err
	}
	if app.Status != models.AppSurveyed {
		return CheckResult{}, apperr.Precondition("ILLEGAL_TRANSITION", "申请状态为 %s，信用核查须在现场勘查完成（SURVEYED）之后进行", app.Status).
			WithDetail("currentStatus", string(app.Status))
	}
	subj, err := s.identity.Subject(ctx, app.SubjectID)
	if err != nil {
		return CheckResult{}, err
	}
	var conds []Condition
	var reportNo string
	var level rating.Level
	isEnterprise := subj.Kind == models.SubjectEnterprise && subj.USCC != nil
	conds = append(conds, Condition{Code: "ENTERPRISE_SUBJECT", Passed: boolp(isEnterprise), Detail: "申请人须为企业用户"})
	if isEnterprise {
		rep, err := s.reports.Report(ctx, *subj.USCC, "零材料申请 "+app.ID+"：信用核查")
		switch {
		case apperr.Is(err, apperr.NotFound):
			conds = append(conds, Condition{Code: "RATING_IN_SCOPE", Passed: boolp(false), Detail: s.cfg.PlatformName + "无该企业的信用评级"})
		case err != nil:
			return CheckResult{}, err
		default:
			reportNo, level = rep.ReportNo, rep.Level
			conds = append(conds, Condition{Code: "RATING_IN_SCOPE", Passed: boolp(s.ratingInScope(level)),
				Detail: fmt.Sprintf("信用评级 %s（报告编号 %s），适用范围：%s", level, rep.ReportNo, strings.Join(s.cfg.Ratings, "、"))})
		}
	}
	kinds, err := s.recordsInForce(ctx, subj.ID)
	if err != nil {
		return CheckResult{}, err
	}
	detail := "无生效中的失信记录"
	if len(kinds) > 0 {
		detail = "生效中的失信记录：" + joinKinds(kinds)
	}
	overdue, err := s.overdueCondition(ctx, subj.ID)
	if err != nil {
		return CheckResult{}, err
	}
	conds = append(conds, Condition{Code: "NO_DISHONESTY_RECORD", Passed: boolp(len(kinds) == 0), Detail: detail},
		s.gradeCondition(subj), overdue,
		Condition{Code: "LAND_IN_SCOPE", Passed: boolp(landInScope(app.Land)), Detail: "用地情况 " + string(app.Land)})
	var failed []Condition
	for _, c := range conds {
		if c.Passed != nil && !*c.Passed {
			failed = append(failed, c)
		}
	}
	now := s.now().UTC()
	eligible := len(failed) == 0
	rawFailed, _ := json.Marshal(failed)
	set := map[string]any{"report_no": reportNo, "rating": string(level), "credit_checked_at": now, "eligible": eligible, "failed_conditions": string(rawFailed)}
	if handles(s.cfg.Lifecycle.ExtraReviewGrades, subj) {
		// R3.4: graded DISHONEST at the credit check: the extra review
		// step is required (once required, it stays).
		set["extra_review"] = true
	}
	to, reason := models.AppCreditChecked, "eligible: rating "+string(level)
	if !eligible {
		to, reason = models.AppFallback, reasonOf(failed)
	}
	app, err = s.step(ctx, id, func(_ *gorm.DB, cur *models.Application) (change, error) {
		return change{to: to, version: version, reason: reason, set: set}, nil
	})
	if err != nil {
		return CheckResult{}, err
	}
	return CheckResult{Application: app, Eligible: eligible, Conditions: conds, ReportNo: reportNo, Rating: level}, nil
}

func reasonOf(failed []Condition) string {
	var codes []string
	for _, c := range failed {
		codes = append(codes, c.Code+"："+c.Detail)
	}
	return "不符合“零材料”办理条件，请补充材料按普通程序办理——" + strings.Join(codes, "；")
}

// AcceptInput is the acceptance decision.
type AcceptInput struct {
	// MissingDocuments are accepted as to-follow (容缺受理): only for
	// EXCELLENT subjects.
	MissingDocuments []string
	Version          *int
}

// Accept completes the acceptance (完成受理). From PUBLISHED the
// property-ownership proof is waived, the e-credit report standing in for it
// (R4.2); from FALLBACK_TO_DOCUMENTS it is the ordinary path. Documents may
// be missing (容缺) only for the grades of Lifecycle.LenientGrades
// (EXCELLENT, R3.2, R3.4); an application that needs the extra review step
// (see extraReviewDue) is accepted only after a credit officer passed it
// (PassExtraReview). It returns FAILED_PRECONDITION (NOT_EXCELLENT,
// EXTRA_REVIEW_REQUIRED) otherwise, CONFLICT when another staff member
// changed the application first.
func (s *Service) Accept(ctx context.Context, id string, in AcceptInput) (models.Application, error) {
	a, err := auth.Require(ctx, staffRoles...)
	if err != nil {
		return models.Application{}, err
	}
	var missing []string
	for _, d := range in.MissingDocuments {
		if d = strings.TrimSpace(d); d != "" {
			if len(d) > 200 {
				return models.Application{}, apperr.InvalidField("missingDocuments", "文件名最多 200 个字符")
			}
			missing = append(missing, d)
		}
	}
	var handling time.Duration
	var vip bool
	app, err := s.step(ctx, id, func(tx *gorm.DB, app *models.Application) (change, error) {
		subj, err := s.identity.Subject(ctx, app.SubjectID)
		if err != nil {
			return change{}, err
		}
		// R3.4: the applications of a DISHONEST subject (by default) need
		// the extra review step, passed by a credit officer, first.
		extra := s.extraReviewDue(*app, subj)
		if extra && app.ExtraReviewedAt == nil {
			return change{}, apperr.Precondition("EXTRA_REVIEW_REQUIRED", "该主体信用等级为「%s」，须先经信用管理员完成失信主体额外复核，方可受理", grade.GradeLabel(gradeOf(subj)))
		}
		if len(missing) > 0 {
			if !handles(s.cfg.Lifecycle.LenientGrades, subj) {
				return change{}, apperr.Precondition("NOT_EXCELLENT", "容缺受理仅适用于信用等级为%s的主体", gradeList(s.cfg.Lifecycle.LenientGrades))
			}
		}
		now := s.now().UTC()
		set := map[string]any{"accepted_at": now, "accepted_by": a.UserID, "documents_waived": app.Status == models.AppPublished}
		if len(missing) > 0 {
			raw, _ := json.Marshal(missing)
			set["missing_documents"] = string(raw)
		}
		if len(missing) > 0 && s.OnLenientAccept != nil {
			if err := s.OnLenientAccept(ctx, tx, *app, missing, now); err != nil {
				return change{}, err
			}
		}
		reason := "按普通程序受理"
		if app.Status == models.AppPublished {
			reason = "accepted; property-ownership proof waived: the e-credit report stands in for it (零证办水)"
		}
		if len(missing) > 0 {
			reason += "; to follow (容缺): " + strings.Join(missing, ", ")
		}
		if extra {
			reason += "；失信主体，已经信用管理员额外复核"
		}
		handling, vip = now.Sub(app.SubmittedAt), app.VIP
		return change{to: models.AppAccepted, version: in.Version, reason: reason, set: set}, nil
	})
	if err == nil && s.OnAccepted != nil {
		s.OnAccepted(vip, handling)
	}
	return app, err
}

// Reject rejects an application with a reason (R4.2).
func (s *Service) Reject(ctx context.Context, id, reason string, version *int) (models.Application, error) {
	if _, err := auth.Require(ctx, staffRoles...); err != nil {
		return models.Application{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return models.Application{}, apperr.InvalidField("reason", "不予通过须说明理由（最多 1000 字）")
	}
	return s.step(ctx, id, func(_ *gorm.DB, app *models.Application) (change, error) {
		return change{to: models.AppRejected, version: version, reason: reason}, nil
	})
}
