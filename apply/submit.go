package apply

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/pii"
	"creditwater/store"
)

// SubmitInput is an application as the mini-program (or the counter) sends
// it.
type SubmitInput struct {
	// SubjectID is the enterprise applied for: optional for a user with one
	// binding; required at the counter.
	SubjectID      string
	Address        string
	Land           models.LandSituation
	Category       string
	ContactName    string
	ContactPhone   string
	WantsCredit    bool
	IdempotencyKey string
}

// Submitted is the result of Submit: the application and the immediate
// eligibility preview (what the scheme will check, R4.1).
type Submitted struct {
	Application models.Application
	Preview     []Condition
	// Replayed is true when the idempotency key matched an earlier submit.
	Replayed bool
}

// Submit creates an application (R4.2, R6.3). An enterprise user applies for
// an enterprise they are bound to; staff may enter one at the counter for
// any subject. The same idempotency key from the same user returns the first
// application instead of a second. It returns INVALID naming the field,
// FAILED_PRECONDITION (NOT_BOUND) for an unbound user and FORBIDDEN for
// another enterprise.
func (s *Service) Submit(ctx context.Context, in SubmitInput) (Submitted, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise, models.RoleStaff, models.RoleAdmin)
	if err != nil {
		return Submitted{}, err
	}
	if err := validateSubmit(&in); err != nil {
		return Submitted{}, err
	}
	var subj models.Subject
	channel := "MINI_PROGRAM"
	if a.Role == models.RoleEnterprise {
		g, err := s.policy.Subject(ctx, in.SubjectID, models.ScopeApply)
		if err != nil {
			return Submitted{}, err
		}
		in.SubjectID = g.SubjectID()
	} else {
		channel = "COUNTER"
		if in.SubjectID == "" {
			return Submitted{}, apperr.InvalidField("subjectId", "请指明申请的用水主体")
		}
	}
	if subj, err = s.identity.Subject(ctx, in.SubjectID); err != nil {
		return Submitted{}, err
	}
	if prev, ok, err := s.byKey(ctx, a.UserID, in.IdempotencyKey); err != nil || ok {
		if err == nil {
			return s.replay(ctx, prev, subj, in)
		}
		return Submitted{}, err
	}
	now := s.now().UTC()
	app := models.Application{SubjectID: subj.ID, UserID: a.UserID, IdempotencyKey: in.IdempotencyKey, Channel: channel,
		Address: in.Address, Land: in.Land, Category: in.Category, ContactName: in.ContactName, WantsCredit: in.WantsCredit,
		Status: models.AppSubmitted, Version: 1, VIP: handles(s.cfg.Lifecycle.VIPGrades, subj), SubmittedAt: now, StepSince: now,
		ExtraReview: handles(s.cfg.Lifecycle.ExtraReviewGrades, subj)}
	if in.ContactPhone != "" {
		if app.ContactSealed, err = s.sealer.Seal(in.ContactPhone); err != nil {
			return Submitted{}, apperr.Wrap(err, apperr.Internal, "无法加密手机号码")
		}
		app.ContactMasked = pii.MaskPhone(in.ContactPhone)
	}
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&app).Error; err != nil {
			return err
		}
		ev := models.ApplicationEvent{ApplicationID: app.ID, At: now, ActorID: a.UserID, ActorRole: a.Role, ToStatus: models.AppSubmitted}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if err := s.postStatus(ctx, tx, &app); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "application.submitted", SubjectType: "application", SubjectID: app.ID, Detail: channel})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// A concurrent retry with the same key won: return its application.
		if prev, ok, err := s.byKey(ctx, a.UserID, in.IdempotencyKey); err == nil && ok {
			return s.replay(ctx, prev, subj, in)
		}
	}
	if err != nil {
		return Submitted{}, apperr.Wrap(err, apperr.Internal, "无法保存申请")
	}
	return Submitted{Application: app, Preview: s.preview(ctx, app, subj)}, nil
}

// replay answers a submit whose idempotency key was used before: the first
// application when the request is the same, CONFLICT (reason
// IDEMPOTENCY_KEY_REUSED) when the key came with another application.
func (s *Service) replay(ctx context.Context, prev models.Application, subj models.Subject, in SubmitInput) (Submitted, error) {
	same := prev.SubjectID == subj.ID && prev.Address == in.Address && prev.Land == in.Land && prev.Category == in.Category &&
		prev.ContactName == in.ContactName && prev.WantsCredit == in.WantsCredit
	if same {
		phone := ""
		if prev.ContactSealed != "" {
			var err error
			if phone, err = s.sealer.Open(prev.ContactSealed); err != nil {
				return Submitted{}, apperr.Wrap(err, apperr.Internal, "无法读取申请")
			}
		}
		same = phone == in.ContactPhone
	}
	if !same {
		return Submitted{}, apperr.New(apperr.Conflict, "该幂等键已用于另一份申请；重试时请发送与首次相同的内容，新申请请使用新的幂等键").
			WithReason("IDEMPOTENCY_KEY_REUSED").WithDetail("applicationId", prev.ID)
	}
	return Submitted{Application: prev, Preview: s.preview(ctx, prev, subj), Replayed: true}, nil
}

func (s *Service) byKey(ctx context.Context, userID, key string) (models.Application, bool, error) {
	var app models.Application
	res := s.db.WithContext(ctx).Where("user_id = ? AND idempotency_key = ?", userID, key).Limit(1).Find(&app)
	if res.Error != nil {
		return app, false, apperr.Wrap(res.Error, apperr.Internal, "无法读取申请")
	}
	return app, res.RowsAffected == 1, nil
}

func validateSubmit(in *SubmitInput) error {
	in.Address = strings.TrimSpace(in.Address)
	in.Category = strings.TrimSpace(in.Category)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.ContactPhone = strings.TrimSpace(in.ContactPhone)
	in.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
	switch {
	case utf8.RuneCountInString(in.Address) < 5 || utf8.RuneCountInString(in.Address) > 200:
		return apperr.InvalidField("address", "用水地址须为 5–200 字")
	case in.Land != models.LandOwnBuildingOnStateLand && in.Land != models.LandOwnStateLandNoBuilding && in.Land != models.LandOther:
		return apperr.InvalidField("land", "未知的用地情况 %q", in.Land)
	case in.Category == "" || utf8.RuneCountInString(in.Category) > 60:
		return apperr.InvalidField("category", "请填写行业类别（最多 60 字）")
	case utf8.RuneCountInString(in.ContactName) < 2 || utf8.RuneCountInString(in.ContactName) > 50:
		return apperr.InvalidField("contactName", "联系人姓名须为 2–50 个字")
	case in.ContactPhone != "" && !validPhone(in.ContactPhone):
		return apperr.InvalidField("contactPhone", "请填写内地手机号码（以 1 开头的 11 位数字）或带区号的固定电话")
	case len(in.IdempotencyKey) < 8 || len(in.IdempotencyKey) > 64:
		return apperr.InvalidField("idempotencyKey", "须提供 8–64 个字符的幂等键（重试时沿用同一键）")
	}
	return nil
}

func validPhone(p string) bool {
	p = strings.ReplaceAll(p, "-", "")
	if len(p) < 7 || len(p) > 12 {
		return false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(p) != 11 || p[0] == '1'
}

// preview lists the conditions the scheme will check, with what is already
// known (R4.1): the rating is checked by staff later.
func (s *Service) preview(ctx context.Context, app models.Application, subj models.Subject) []Condition {
	out := []Condition{
		{Code: "ENTERPRISE_SUBJECT", Passed: boolp(subj.Kind == models.SubjectEnterprise), Detail: "申请人为企业用户"},
		{Code: "LAND_IN_SCOPE", Passed: boolp(landInScope(app.Land)), Detail: "用水地址为国有土地上的自有房屋，或无房屋的自有国有土地"},
		{Code: "CREDIT_HANDLING_WANTED", Passed: boolp(app.WantsCredit), Detail: "申请人申请信用办水"},
	}
	if kinds, err := s.recordsInForce(ctx, subj.ID); err == nil {
		detail := "无生效中的欠费、窃水、违规用水或违诺失信记录"
		if len(kinds) > 0 {
			detail = "生效中的失信记录：" + joinKinds(kinds)
		}
		out = append(out, Condition{Code: "NO_DISHONESTY_RECORD", Passed: boolp(len(kinds) == 0), Detail: detail})
	}
	out = append(out, s.gradeCondition(subj))
	if c, err := s.overdueCondition(ctx, subj.ID); err == nil {
		out = append(out, c)
	}
	out = append(out, Condition{Code: "RATING_IN_SCOPE", Detail: s.cfg.PlatformName + "综合信用评级为 " + strings.Join(s.cfg.Ratings, " 或 ") + "（由工作人员核查）"},
		Condition{Code: "SURVEY_FIT", Detail: "现场勘查认定用水地址和行业类别符合信用办水范围"})
	return out
}

func joinKinds(kinds []models.RecordKind) string {
	var ss []string
	for _, k := range kinds {
		ss = append(ss, credit.KindLabel(k))
	}
	return strings.Join(ss, "、")
}

// Withdraw withdraws the caller's own application before acceptance. It
// returns FORBIDDEN for someone else's and FAILED_PRECONDITION in a final
// state.
func (s *Service) Withdraw(ctx context.Context, id, reason string, version *int) (models.Application, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.Application{}, err
	}
	return s.step(ctx, id, func(tx *gorm.DB, app *models.Application) (change, error) {
		if app.UserID != a.UserID {
			if _, err := s.policy.Subject(ctx, app.SubjectID, models.ScopeApply); err != nil {
				return change{}, apperr.New(apperr.Forbidden, "不是您企业的申请")
			}
		}
		if strings.TrimSpace(reason) == "" {
			reason = "申请人撤回"
		}
		return change{to: models.AppWithdrawn, reason: reason, version: version}, nil
	})
}

// step loads an application in a transaction, lets decide compute the
// change, and applies it.
func (s *Service) step(ctx context.Context, id string, decide func(tx *gorm.DB, app *models.Application) (change, error)) (models.Application, error) {
	var app models.Application
	err := store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if app, err = s.load(ctx, tx, id); err != nil {
			return err
		}
		c, err := decide(tx, &app)
		if err != nil {
			return err
		}
		return s.transition(ctx, tx, &app, c)
	})
	if err != nil {
		if apperr.As(err) == nil {
			err = apperr.Wrap(err, apperr.Internal, "无法更新申请")
		}
		return models.Application{}, err
	}
	return s.load(ctx, s.db, id)
}

// Get returns an application: staff, and enterprise users who act for its
// subject with the APPLY scope (its legal representative, or an agent
// holding the scope) may read it (R6.6). It returns NOT_FOUND or FORBIDDEN.
func (s *Service) Get(ctx context.Context, id string) (models.Application, error) {
	if _, err := auth.Require(ctx); err != nil {
		return models.Application{}, err
	}
	app, err := s.load(ctx, s.db, id)
	if err != nil {
		return app, err
	}
	if _, err := s.policy.Subject(ctx, app.SubjectID, models.ScopeApply); err != nil {
		return models.Application{}, apperr.New(apperr.Forbidden, "不是您企业的申请")
	}
	return app, nil
}

// Events returns an application's history, oldest first.
func (s *Service) Events(ctx context.Context, id string) ([]models.ApplicationEvent, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	var out []models.ApplicationEvent
	if err := s.db.WithContext(ctx).Where("application_id = ?", id).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取历史记录")
	}
	return out, nil
}

// Mine returns the applications of the enterprises the caller acts for
// with the APPLY scope, newest first.
func (s *Service) Mine(ctx context.Context) ([]models.Application, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return nil, err
	}
	var out []models.Application
	if err := s.db.WithContext(ctx).Where("subject_id IN (?)", s.policy.Subjects(ctx, a.UserID, models.ScopeApply)).
		Order("submitted_at DESC").Limit(100).Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取申请")
	}
	return out, nil
}
