package credit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/models"
)

// countingKinds are the record kinds that keep a subject from the EXCELLENT
// tier (R3.1).
var countingKinds = []models.RecordKind{models.KindArrears, models.KindTheft, models.KindViolation, models.KindBrokenPromise}

// Tiers computes credit tiers (R3.1) and the incentives of EXCELLENT
// subjects (R3.2).
//
// The rule, with W = Config.WindowMonths (36) and D = the Shanghai day of
// asOf: a subject is EXCELLENT when
//   - its history is long enough: HistorySince's day ≤ D − W months
//     (inclusive: exactly 36 months of history is enough), and
//   - it has no ARREARS, THEFT, VIOLATION or BROKEN_PROMISE record whose
//     BehaviourOn day lies in (D − W months, D] and whose status is not
//     REVOKED. A REPAIRED record still counts; a record exactly W months
//     old (BehaviourOn day = D − W months) has left the window.
//
// Every other subject is STANDARD.
type Tiers struct {
	db    *gorm.DB
	audit *audit.Log
	cfg   Config
	acc   guard
	now   func() time.Time
}

// NewTiers returns the tier service over db; cfg's zero fields take their
// defaults.
func NewTiers(db *gorm.DB, log *audit.Log, cfg Config) *Tiers {
	return &Tiers{db: db, audit: log, cfg: cfg.withDefaults(), acc: newGuard(db), now: time.Now}
}

// Recompute re-evaluates the tier of the given subjects, or of every subject
// when none is given, as of asOf (R3.1). It is set-based: one UPDATE per
// batch of Config.BatchSize IDs (one UPDATE in all without IDs). TierSince
// is set to asOf when the tier changes and kept otherwise; TierEvaluatedAt
// is always set. It returns the number of subject rows updated (MySQL does
// not count a row already evaluated at the same asOf with the same result),
// or INTERNAL.
// It does not check the caller's role: it is run by jobs and by the other
// services of this package.
func (t *Tiers) Recompute(ctx context.Context, asOf time.Time, subjectIDs ...string) (int64, error) {
	var ids []string // nil: every subject
	if len(subjectIDs) > 0 {
		ids = subjectIDs
	}
	return recomputeTiers(ctx, t.db.WithContext(ctx), t.cfg, asOf, ids)
}

// tierBounds are the instants the tier rule compares with, for asOf.
type tierBounds struct {
	historyBefore time.Time // history_since < this: history long enough
	windowFrom    time.Time // behaviour_on >= this: inside the window
	windowTo      time.Time // behaviour_on < this: not after asOf's day
}

func boundsAt(cfg Config, asOf time.Time) tierBounds {
	day := DayOf(asOf)
	cut := AddMonths(day, -cfg.WindowMonths)
	return tierBounds{historyBefore: addDays(cut, 1), windowFrom: addDays(cut, 1), windowTo: addDays(day, 1)}
}

// recomputeTiers runs the tier UPDATE on db (a transaction or not) for ids,
// or for every subject when ids is nil.
func recomputeTiers(ctx context.Context, db *gorm.DB, cfg Config, asOf time.Time, ids []string) (int64, error) {
	if ids != nil && len(ids) == 0 {
		return 0, nil
	}
	b := boundsAt(cfg, asOf)
	at := asOf.UTC().Truncate(time.Millisecond)
	// The CASE is evaluated per row; "tier_since" is assigned before "tier"
	// because MySQL evaluates single-table assignments left to right (SQLite
	// reads the old values in every assignment).
	const eligible = `(subjects.history_since IS NOT NULL AND subjects.history_since < @historyBefore AND NOT EXISTS (
		SELECT 1 FROM dishonesty_records d WHERE d.subject_id = subjects.id AND d.kind IN @kinds
		AND d.status <> @revoked AND d.behaviour_on >= @windowFrom AND d.behaviour_on < @windowTo))`
	newTier := "(CASE WHEN " + eligible + " THEN @excellent ELSE @standard END)"
	args := map[string]any{
		"historyBefore": b.historyBefore, "windowFrom": b.windowFrom, "windowTo": b.windowTo,
		"kinds": countingKinds, "revoked": models.RecordRevoked,
		"excellent": models.TierExcellent, "standard": models.TierStandard, "at": at,
	}
	stmt := "UPDATE subjects SET tier_since = CASE WHEN tier = " + newTier + " AND tier_since IS NOT NULL THEN tier_since ELSE @at END, " +
		"tier = " + newTier + ", tier_evaluated_at = @at"
	if ids == nil {
		res := db.Exec(stmt, args)
		if res.Error != nil {
			return 0, apperr.Wrap(res.Error, apperr.Internal, "could not recompute the tiers")
		}
		return res.RowsAffected, nil
	}
	var n int64
	for start := 0; start < len(ids); start += cfg.BatchSize {
		args["ids"] = ids[start:min(start+cfg.BatchSize, len(ids))]
		res := db.Exec(stmt+" WHERE id IN @ids", args)
		if res.Error != nil {
			return n, apperr.Wrap(res.Error, apperr.Internal, "could not recompute the tiers")
		}
		n += res.RowsAffected
	}
	return n, nil
}

// earliestDayCovering returns the earliest Shanghai day A such that
// x's day ≤ A − months (clamped month arithmetic, see AddMonths).
func earliestDayCovering(x time.Time, months int) time.Time {
	d := DayOf(x)
	a := AddMonths(d, months)
	for AddMonths(a, -months).Before(d) {
		a = addDays(a, 1)
	}
	for !AddMonths(addDays(a, -1), -months).Before(d) {
		a = addDays(a, -1)
	}
	return a
}

// NextReevaluation returns the earliest day on which s's tier could change
// on its own, as of asOf: for a STANDARD subject, the day both its history
// reaches WindowMonths and its newest counting record has left the window
// (nil when its history is unknown); for an EXCELLENT subject nil, since
// only a new record can change it. It returns INTERNAL when the records
// cannot be read.
func (t *Tiers) NextReevaluation(ctx context.Context, s models.Subject, asOf time.Time) (*time.Time, error) {
	if s.Tier == models.TierExcellent || s.HistorySince == nil {
		return nil, nil
	}
	next := earliestDayCovering(*s.HistorySince, t.cfg.WindowMonths)
	b := boundsAt(t.cfg, asOf)
	var newest models.DishonestyRecord
	res := t.db.WithContext(ctx).Select("behaviour_on").
		Where("subject_id = ? AND kind IN ? AND status <> ? AND behaviour_on < ?", s.ID, countingKinds, models.RecordRevoked, b.windowTo).
		Order("behaviour_on DESC").Limit(1).Find(&newest)
	if res.Error != nil {
		return nil, apperr.Wrap(res.Error, apperr.Internal, "could not read the records")
	}
	if res.RowsAffected == 1 {
		if clear := earliestDayCovering(newest.BehaviourOn, t.cfg.WindowMonths); clear.After(next) {
			next = clear
		}
	}
	return &next, nil
}

// Incentives are what a subject's tier entitles it to (R3.2).
type Incentives struct {
	// AccountManager: an account manager serves the subject (客户经理主动服务).
	AccountManager bool
	// VIP: the subject's applications are queued first and flagged for
	// staff (绿色通道).
	VIP bool
	// LenientAcceptance: an application may be accepted with documents
	// missing, listed as to-follow (容缺受理).
	LenientAcceptance bool
	// UsageAnalysis: the subject may see its usage analysis (日常用水分析).
	UsageAnalysis bool
}

// IncentivesOf returns the incentives of s: all of them for an EXCELLENT
// subject, none otherwise (R3.2).
func IncentivesOf(s models.Subject) Incentives {
	ok := s.Tier == models.TierExcellent
	return Incentives{AccountManager: ok, VIP: ok, LenientAcceptance: ok, UsageAnalysis: ok}
}

// AssignAccountManager makes the staff user the account manager of an
// EXCELLENT subject (R3.2). Staff roles only. It returns UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND for an unknown subject or user, INVALID (field
// staffUserId) when the user is not an active staff member,
// FAILED_PRECONDITION (reason NOT_EXCELLENT) when the subject is not
// EXCELLENT, and INTERNAL.
func (t *Tiers) AssignAccountManager(ctx context.Context, subjectID, staffUserID string) (models.Subject, error) {
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return models.Subject{}, err
	}
	var s models.Subject
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("id = ?", subjectID).Limit(1).Find(&s)
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "could not read the subject")
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "subject not found")
		}
		var u models.User
		res = tx.Where("id = ?", staffUserID).Limit(1).Find(&u)
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "could not read the user")
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "user not found")
		}
		if !u.Role.IsStaff() || u.Disabled {
			return apperr.InvalidField("staffUserId", "the account manager must be an active staff member")
		}
		if s.Tier != models.TierExcellent {
			return apperr.Precondition("NOT_EXCELLENT", "only EXCELLENT subjects get an account manager; this subject is %s", s.Tier)
		}
		if err := tx.Model(&models.Subject{}).Where("id = ?", s.ID).Update("account_manager_id", u.ID).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "could not assign the account manager")
		}
		s.AccountManagerID = &u.ID
		return recordAudit(ctx, t.audit, tx, audit.Entry{Action: "subject.account_manager", SubjectType: "subject",
			SubjectID: s.ID, Detail: fmt.Sprintf("manager=%s", u.ID)})
	})
	if err != nil {
		if apperr.As(err) == nil {
			err = apperr.Wrap(err, apperr.Internal, "could not assign the account manager")
		}
		return models.Subject{}, err
	}
	return s, nil
}

// Profile is a subject's credit profile: tier, records and incentives.
type Profile struct {
	Subject         models.Subject
	Tier            models.Tier
	TierSince       *time.Time
	TierEvaluatedAt *time.Time
	// Records are all the subject's records with their status, newest
	// behaviour first (REPAIRED and REVOKED ones included).
	Records []models.DishonestyRecord
	// NextReevaluation is the earliest day the tier could change on its own.
	NextReevaluation *time.Time
	Incentives       Incentives
	// AccountManagerID is the assigned account manager, if any.
	AccountManagerID *string
}

// Profile returns the credit profile of a subject. Staff see every subject;
// an ENTERPRISE user only subjects it is bound to. It returns NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (t *Tiers) Profile(ctx context.Context, subjectID string) (Profile, error) {
	if _, err := t.acc.subject(ctx, subjectID, models.ScopeView); err != nil {
		return Profile{}, err
	}
	var s models.Subject
	res := t.db.WithContext(ctx).Where("id = ?", subjectID).Limit(1).Find(&s)
	if res.Error != nil {
		return Profile{}, apperr.Wrap(res.Error, apperr.Internal, "could not read the subject")
	}
	if res.RowsAffected == 0 {
		return Profile{}, apperr.New(apperr.NotFound, "subject not found")
	}
	p := Profile{Subject: s, Tier: s.Tier, TierSince: s.TierSince, TierEvaluatedAt: s.TierEvaluatedAt,
		Incentives: IncentivesOf(s), AccountManagerID: s.AccountManagerID}
	if err := t.db.WithContext(ctx).Where("subject_id = ?", s.ID).Order("behaviour_on DESC, id DESC").Find(&p.Records).Error; err != nil {
		return Profile{}, apperr.Wrap(err, apperr.Internal, "could not read the records")
	}
	next, err := t.NextReevaluation(ctx, s, t.now())
	if err != nil {
		return Profile{}, err
	}
	p.NextReevaluation = next
	return p, nil
}
