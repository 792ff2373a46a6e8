// Package apply is the zero-document water application (零证办水, R4) and the
// credit commitment (信用承诺, R2): submission with an idempotency key, the
// state machine with actor, time and reason on every transition, the staff
// steps (survey, credit check, acceptance), commitment signing and its
// reliable publication, status notifications and the staff queue.
package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/calendar"
	"creditwater/config"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/notice"
	"creditwater/pii"
	"creditwater/rating"
	"creditwater/reqctx"
)

// Signature is who may sign a commitment letter now: the verified legal
// representative's binding, the enterprise as the registry names it, and
// the face verification that authorises the signature (R6.7).
type Signature struct {
	Binding models.EnterpriseBinding
	Subject models.Subject
	FaceID  string
}

// Identity is what this package needs from enterprise binding.
type Identity interface {
	Subject(ctx context.Context, id string) (models.Subject, error)
	// Signer returns FORBIDDEN unless the caller is the subject's verified
	// legal representative with a fresh face verification, and
	// FAILED_PRECONDITION when the registry no longer confirms them.
	Signer(ctx context.Context, subjectID string) (Signature, error)
}

// Reports fetches (and audits) e-credit reports; rating.Service is one.
type Reports interface {
	Report(ctx context.Context, uscc, purpose string) (*rating.Report, error)
}

// Enqueue writes an outbox message inside tx (idempotent on key).
type Enqueue func(ctx context.Context, tx *gorm.DB, key, kind, aggregateID string, payload any) error

// Outbox message kinds this package produces.
const (
	KindPublishCommitment = "PUBLISH_COMMITMENT"
	KindNotify            = "NOTIFY_STATUS"
	KindNotifyNotice      = "NOTIFY_NOTICE"
)

// Config are the scheme's rules (R7.4).
type Config struct {
	// Apply is the configuration passed whole: Ratings in scope for
	// zero-document handling (default A, B) and NotifyTemplateID, the
	// subscribe-message template for status changes.
	config.Apply
	// SLA is the number of working days each step may take, by the state the
	// application waits in.
	SLA map[models.AppStatus]int
	// PlatformName names the credit platform in texts (信用中国（广东韶关）).
	PlatformName string
	// Lifecycle holds each grade's handling (R3.4): VIP, 容缺,
	// zero-document handling and the extra review.
	Lifecycle config.Lifecycle
	// StatsDefaultDays is handlingStats' period when the caller names no
	// start: the N days before its end (CW_STATS_DEFAULT_DAYS).
	StatsDefaultDays int
	// StatsCacheTTL is how long handlingStats' figures stay cached while
	// no application is written (writestamp.Plugin on the database; 0: not
	// cached).
	StatsCacheTTL time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Apply: config.Apply{Ratings: []string{"A", "B"}, NotifyTemplateID: "application-status"},
		SLA: map[models.AppStatus]int{
			models.AppSubmitted: 2, models.AppSurveyScheduled: 3, models.AppSurveyed: 1,
			models.AppCreditChecked: 5, models.AppCommitmentSigned: 1, models.AppPublished: 1,
		},
		PlatformName:     "信用中国（广东韶关）",
		Lifecycle:        credit.DefaultConfig().Lifecycle,
		StatsDefaultDays: 90,
	}
}

// Service is the application service.
type Service struct {
	db       *gorm.DB
	policy   *access.Policy
	identity Identity
	reports  Reports
	enqueue  Enqueue
	sealer   *pii.Sealer
	audit    *audit.Log
	cal      *calendar.Calendar
	cfg      Config
	now      func() time.Time
	// OnAccepted, when set, is told each acceptance (for metrics, R3.3).
	OnAccepted func(vip bool, handling time.Duration)
	// OnLenientAccept, when set, records the documents of an application
	// accepted with them missing (容缺, R3.6) in the acceptance's
	// transaction; its error undoes the acceptance.
	OnLenientAccept func(ctx context.Context, tx *gorm.DB, app models.Application, missing []string, at time.Time) error
	// Notices, when set, posts each status change to the inbox of the
	// applicant and of every user who may view the enterprise, in the
	// transaction of the change (R7.6).
	Notices Notices
}

// Notices posts an event inside a transaction (package inbox's Notifier).
type Notices interface {
	NotifyTx(ctx context.Context, tx *gorm.DB, ev notice.Event) error
}

// postStatus posts app's status to the inbox (R7.6): every status change
// reaches it, whether or not a subscribe message is granted.
func (s *Service) postStatus(ctx context.Context, tx *gorm.DB, app *models.Application) error {
	if s.Notices == nil {
		return nil
	}
	body := "您的信用办水申请（" + app.Address + "）" + StatusLabel(app.Status) + "。"
	if r := strings.TrimSpace(app.Reason); r != "" && app.Status != models.AppSubmitted {
		body += "说明：" + r
	}
	return s.Notices.NotifyTx(ctx, tx, notice.Event{SubjectID: app.SubjectID, Also: []string{app.UserID}, Kind: notice.ApplicationStatus,
		Body: body, RefType: "application", RefID: app.ID, Key: "application:" + app.ID + ":" + strconv.Itoa(app.Version)})
}

// New wires the service.
func New(db *gorm.DB, policy *access.Policy, identity Identity, reports Reports, enqueue Enqueue, sealer *pii.Sealer, log *audit.Log, cal *calendar.Calendar, cfg Config) *Service {
	return &Service{db: db, policy: policy, identity: identity, reports: reports, enqueue: enqueue, sealer: sealer, audit: log, cal: cal, cfg: cfg, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// transitions is the state machine (R4.2): from → allowed targets.
var transitions = map[models.AppStatus][]models.AppStatus{
	models.AppSubmitted:        {models.AppSurveyScheduled, models.AppRejected, models.AppWithdrawn},
	models.AppSurveyScheduled:  {models.AppSurveyScheduled, models.AppSurveyed, models.AppFallback, models.AppRejected, models.AppWithdrawn},
	models.AppSurveyed:         {models.AppCreditChecked, models.AppFallback, models.AppRejected, models.AppWithdrawn},
	models.AppCreditChecked:    {models.AppCommitmentSigned, models.AppRejected, models.AppWithdrawn},
	models.AppCommitmentSigned: {models.AppPublished, models.AppRejected, models.AppWithdrawn},
	models.AppPublished:        {models.AppAccepted, models.AppRejected, models.AppWithdrawn},
	models.AppFallback:         {models.AppAccepted, models.AppRejected, models.AppWithdrawn},
}

// Terminal reports whether no transition leaves st. The column
// applications.is_open (migration 0035) is its negation in SQL.
func Terminal(st models.AppStatus) bool { return len(transitions[st]) == 0 }

// openStatuses are the statuses that are not terminal.
var openStatuses = slices.Sorted(maps.Keys(transitions))

// change is one transition to apply.
type change struct {
	to      models.AppStatus
	reason  string
	version *int // the version the caller saw, when given
	set     map[string]any
}

// fresh returns CONFLICT (reason STALE_VERSION) when the caller saw
// another version of app than the stored one.
func fresh(app models.Application, seen int) error {
	if seen != app.Version {
		return apperr.Stale("申请已变更（当前版本 %d，您看到的是 %d），请刷新后重试", app.Version, seen)
	}
	return nil
}

// transition moves app to c.to inside tx with optimistic locking, records
// the event and the audit entry and queues a notification. It returns
// FAILED_PRECONDITION (reason ILLEGAL_TRANSITION) naming the current state
// and CONFLICT when the application changed since it was read.
func (s *Service) transition(ctx context.Context, tx *gorm.DB, app *models.Application, c change) error {
	if c.version != nil {
		if err := fresh(*app, *c.version); err != nil {
			return err
		}
	}
	if !slices.Contains(transitions[app.Status], c.to) {
		return apperr.Precondition("ILLEGAL_TRANSITION", "申请状态为 %s，不能变为 %s", app.Status, c.to).
			WithDetail("currentStatus", string(app.Status))
	}
	now := s.now().UTC()
	set := map[string]any{"status": c.to, "version": app.Version + 1, "step_since": now, "updated_at": now}
	for k, v := range c.set {
		set[k] = v
	}
	if c.reason != "" {
		set["reason"] = c.reason
	}
	res := tx.WithContext(ctx).Model(&models.Application{}).Where("id = ? AND version = ?", app.ID, app.Version).Updates(set)
	if res.Error != nil {
		return apperr.Wrap(res.Error, apperr.Internal, "无法更新申请")
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.Conflict, "申请已被他人修改，请刷新后重试").WithReason("CONCURRENT_UPDATE")
	}
	ev := models.ApplicationEvent{ApplicationID: app.ID, At: now, FromStatus: app.Status, ToStatus: c.to, Reason: c.reason}
	if a := reqctx.ActorFrom(ctx); a != nil {
		ev.ActorID, ev.ActorRole = a.UserID, a.Role
	}
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法记录状态变更")
	}
	from := app.Status
	app.Status, app.Version, app.StepSince = c.to, app.Version+1, now
	if c.reason != "" {
		app.Reason = c.reason
	}
	if err := s.postStatus(ctx, tx, app); err != nil {
		return err
	}
	if err := s.audit.Record(ctx, tx, audit.Entry{Action: "application." + strings.ToLower(string(c.to)), SubjectType: "application", SubjectID: app.ID,
		Detail: fmt.Sprintf("%s→%s %s", from, c.to, c.reason)}); err != nil {
		return err
	}
	return s.queueNotification(ctx, tx, app)
}

// load reads an application. It returns NOT_FOUND when there is none.
func (s *Service) load(ctx context.Context, tx *gorm.DB, id string) (models.Application, error) {
	var app models.Application
	if err := tx.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&app).Error; err != nil {
		return app, apperr.Wrap(err, apperr.Internal, "无法读取申请")
	}
	if app.ID == "" {
		return app, apperr.New(apperr.NotFound, "未找到该申请")
	}
	return app, nil
}

// Condition is one eligibility condition of R4.1 and its result.
type Condition struct {
	Code   string `json:"code"`
	Passed *bool  `json:"passed"` // nil: not known yet
	Detail string `json:"detail"`
}

func boolp(b bool) *bool { return &b }

// FailedConditions decodes an application's failed conditions.
func FailedConditions(app models.Application) []Condition {
	var out []Condition
	if app.FailedConditions != "" {
		_ = json.Unmarshal([]byte(app.FailedConditions), &out)
	}
	return out
}

// MissingDocuments decodes the documents to follow (容缺).
func MissingDocuments(app models.Application) []string {
	var out []string
	if app.MissingDocuments != "" {
		_ = json.Unmarshal([]byte(app.MissingDocuments), &out)
	}
	return out
}

func (s *Service) ratingInScope(l rating.Level) bool {
	return slices.Contains(s.cfg.Ratings, string(l))
}

func landInScope(l models.LandSituation) bool {
	return l == models.LandOwnBuildingOnStateLand || l == models.LandOwnStateLandNoBuilding
}

// inForce are the statuses in which a record counts against eligibility
// (credit.InForce: not repaired, revoked or expired, R1.5).
var inForce = credit.InForce

func (s *Service) recordsInForce(ctx context.Context, subjectID string) ([]models.RecordKind, error) {
	var kinds []models.RecordKind
	err := s.db.WithContext(ctx).Model(&models.DishonestyRecord{}).
		Where("subject_id = ? AND kind IN ? AND status IN ?", subjectID, credit.BlockingKinds, inForce).
		Distinct().Pluck("kind", &kinds).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取失信记录")
	}
	slices.Sort(kinds)
	return kinds, nil
}
