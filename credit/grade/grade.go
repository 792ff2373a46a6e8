// Package grade computes credit tiers (R3.1) and the incentives of
// EXCELLENT subjects (R3.2): the account manager and the credit profile.
//
// The rule, with W = credit.Config.WindowMonths (36) and D = the Shanghai
// day of asOf: a subject is EXCELLENT when
//   - its history is long enough: HistorySince's day ≤ D − W months
//     (inclusive: exactly 36 months of history is enough), and
//   - it has no ARREARS, THEFT, VIOLATION or BROKEN_PROMISE record
//     (credit.BlockingKinds) whose BehaviourOn day lies in (D − W months, D]
//     and whose status is not REVOKED. A REPAIRED record still counts; a
//     record exactly W months old (BehaviourOn day = D − W months) has left
//     the window.
//
// Every other subject is STANDARD.
package grade

import (
	"context"
	"fmt"
	"slices"
	"time"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/notice"
)

// Store keeps the subjects' tiers and account managers and reads the
// records the rule counts. Implementations: store/creditdb.
type Store interface {
	// Tx runs fn in one transaction with a Store bound to it (on a Store
	// already bound to one, fn runs in it). A new transaction that the
	// database aborts as a deadlock victim runs fn again from the start
	// (store.Transaction), so fn has no effect outside it and keeps no
	// state across tries.
	Tx(ctx context.Context, fn func(Store) error) error
	credit.Effects
	// Regrade applies r to the subjects (every subject when ids is nil) in
	// set-based updates of at most r.BatchSize IDs: Tier is EXCELLENT or
	// STANDARD by the rule, TierSince becomes r.At when the tier changes,
	// TierEvaluatedAt is r.At. It returns the rows updated, or INTERNAL.
	Regrade(ctx context.Context, r Rule, ids []string) (int64, error)
	// NewestCounting returns the latest BehaviourOn before r.WindowTo of
	// the subject's records of r.Kinds that are not REVOKED; INTERNAL.
	NewestCounting(ctx context.Context, subjectID string, r Rule) (time.Time, bool, error)
	// Subject reads a subject; INTERNAL.
	Subject(ctx context.Context, id string) (models.Subject, bool, error)
	// User reads a user; INTERNAL.
	User(ctx context.Context, id string) (models.User, bool, error)
	// SetAccountManager stores the subject's account manager and moves its
	// AccountManagerVersion on when it is still version; false when it is
	// not. INTERNAL.
	SetAccountManager(ctx context.Context, subjectID, userID string, version int) (bool, error)
	// SubjectRecords lists all the subject's records, newest behaviour
	// first; INTERNAL.
	SubjectRecords(ctx context.Context, subjectID string) ([]models.DishonestyRecord, error)
	// GradeChanges returns the subjects (of ids; every subject when nil)
	// whose grade changed in the evaluation at r.At: GradeSince = r.At and
	// a previous grade that differs; INTERNAL.
	GradeChanges(ctx context.Context, r Rule, ids []string) ([]models.Subject, error)
	// LateBills returns the subject's bills due on or after from that were
	// paid late or are unpaid late by r (R3.5), oldest first; INTERNAL.
	LateBills(ctx context.Context, subjectID string, r Rule, from time.Time) ([]LateBill, error)
}

// LateBill is a bill paid (or still unpaid) later than the tolerance.
type LateBill struct {
	BillNo string
	Period string
	DueOn  time.Time
}

// Rule is the tier rule as of one instant, in the terms a store applies.
type Rule struct {
	// HistoryBefore: history_since < HistoryBefore is long enough.
	HistoryBefore time.Time
	// WindowFrom ≤ behaviour_on < WindowTo is inside the window.
	WindowFrom, WindowTo time.Time
	// Kinds are the record kinds that count (REVOKED records never do).
	Kinds []models.RecordKind
	// At is the evaluation instant (millisecond precision).
	At        time.Time
	BatchSize int
	// Late payments (R3.5): a bill is late when a payment was made
	// LateAfter or more after its due day's start, or it is not fully paid
	// and was due before UnpaidDueBefore.
	LateAfter       time.Duration
	UnpaidDueBefore time.Time
	// Grades (R3.4): WatchFrom ≤ due_on bounds the late payments that count
	// for WATCH (WatchLate of them); InForce are the statuses of records in
	// force; DishonestRecords in force (or one SERIOUS) make DISHONEST.
	WatchFrom        time.Time
	WatchLate        int
	InForce          []models.RecordStatus
	DishonestRecords int
}

// Deps are what the service needs.
type Deps = credit.Deps[Store]

// Service computes tiers and profiles.
type Service struct{ d Deps }

// New returns the tier service; the Config's zero fields take their
// defaults.
func New(d Deps) *Service { return &Service{d.WithDefaults()} }

// RuleAt returns the rule as of asOf.
func (s *Service) RuleAt(asOf time.Time) Rule {
	day := credit.DayOf(asOf)
	cut := credit.AddDays(credit.AddMonths(day, -s.d.Config.WindowMonths), 1)
	lc := s.d.Config.Lifecycle
	return Rule{HistoryBefore: cut, WindowFrom: cut, WindowTo: credit.AddDays(day, 1), Kinds: credit.BlockingKinds,
		At: asOf.UTC().Truncate(time.Millisecond), BatchSize: s.d.Config.BatchSize,
		LateAfter: time.Duration(lc.LateToleranceDays+1) * 24 * time.Hour, UnpaidDueBefore: credit.AddDays(day, -lc.LateToleranceDays),
		WatchFrom: credit.AddMonths(day, -lc.WatchLateMonths), WatchLate: lc.WatchLatePayments,
		InForce: credit.InForce, DishonestRecords: lc.DishonestRecords}
}

// Recompute re-evaluates the tier of the given subjects, or of every subject
// when none is given, as of asOf (R3.1). It is set-based: one UPDATE per
// batch of Config.BatchSize IDs (one UPDATE in all without IDs). TierSince
// is set to asOf when the tier changes and kept otherwise; TierEvaluatedAt
// is always set. It returns the number of subject rows updated (MySQL does
// not count a row already evaluated at the same asOf with the same result),
// or INTERNAL. It does not check the caller's role: it is run by jobs and
// by the other credit services.
func (s *Service) Recompute(ctx context.Context, asOf time.Time, subjectIDs ...string) (int64, error) {
	var ids []string // nil: every subject
	if len(subjectIDs) > 0 {
		ids = subjectIDs
	}
	r := s.RuleAt(asOf)
	n, err := s.d.Store.Regrade(ctx, r, ids)
	if err != nil {
		return n, err
	}
	return n, s.announce(ctx, s.d.Store, r, ids)
}

// Regrade re-evaluates the tiers of the given subjects as of asOf on st,
// a store bound to the caller's transaction (a record made, its status
// changed). It returns INTERNAL.
func (s *Service) Regrade(ctx context.Context, st Store, asOf time.Time, subjectIDs []string) error {
	if len(subjectIDs) == 0 {
		return nil
	}
	r := s.RuleAt(asOf)
	if _, err := st.Regrade(ctx, r, subjectIDs); err != nil {
		return err
	}
	return s.announce(ctx, st, r, subjectIDs)
}

// announce tells the users of every subject whose grade changed in the
// evaluation r (R3.4, R7.6), once per subject, evaluation and grade.
func (s *Service) announce(ctx context.Context, st Store, r Rule, ids []string) error {
	changed, err := st.GradeChanges(ctx, r, ids)
	if err != nil {
		return err
	}
	for _, subj := range changed {
		key := fmt.Sprintf("grade:%s:%d:%s", subj.ID, r.At.UnixMilli(), subj.Grade)
		if err := st.Notify(ctx, subj.ID, models.Notice{Kind: "GRADE_CHANGED", Title: "信用等级变更",
			Body:    fmt.Sprintf("贵单位的信用等级已由「%s」调整为「%s」。详情请在信用档案中查看评定理由。", GradeLabel(subj.GradePrev), GradeLabel(subj.Grade)),
			RefType: "subject", RefID: subj.ID, DedupKey: &key}); err != nil {
			return err
		}
	}
	return nil
}

// earliestDayCovering returns the earliest Shanghai day A such that
// x's day ≤ A − months (clamped month arithmetic, see credit.AddMonths).
func earliestDayCovering(x time.Time, months int) time.Time {
	d := credit.DayOf(x)
	a := credit.AddMonths(d, months)
	for credit.AddMonths(a, -months).Before(d) {
		a = credit.AddDays(a, 1)
	}
	for !credit.AddMonths(credit.AddDays(a, -1), -months).Before(d) {
		a = credit.AddDays(a, -1)
	}
	return a
}

// NextReevaluation returns the earliest day on which s's tier could change
// on its own, as of asOf: for a STANDARD subject, the day both its history
// reaches WindowMonths and its newest counting record has left the window
// (nil when its history is unknown); for an EXCELLENT subject nil, since
// only a new record can change it. It returns INTERNAL when the records
// cannot be read.
func (s *Service) NextReevaluation(ctx context.Context, subj models.Subject, asOf time.Time) (*time.Time, error) {
	if subj.Tier == models.TierExcellent || subj.HistorySince == nil {
		return nil, nil
	}
	next := earliestDayCovering(*subj.HistorySince, s.d.Config.WindowMonths)
	newest, ok, err := s.d.Store.NewestCounting(ctx, subj.ID, s.RuleAt(asOf))
	if err != nil {
		return nil, err
	}
	if ok {
		if clear := earliestDayCovering(newest, s.d.Config.WindowMonths); clear.After(next) {
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

// Incentives returns the incentives of s by its tier and the configured
// handling of its grade (R3.2, R3.4): VIP and 容缺 for the grades
// configured (EXCELLENT by default).
func (s *Service) Incentives(subj models.Subject) Incentives {
	in := IncentivesOf(subj)
	lc := s.d.Config.Lifecycle
	in.VIP = slices.Contains(lc.VIPGrades, string(subj.Grade))
	in.LenientAcceptance = slices.Contains(lc.LenientGrades, string(subj.Grade))
	return in
}

// AssignAccountManager makes the staff user the account manager of an
// EXCELLENT subject (R3.2), when the subject's assignment is still at the
// version the staff member saw (Profile.AccountManagerVersion, R8.1); it
// moves the assignment to the next version. Staff roles only. It returns
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND for an unknown subject or user,
// CONFLICT (reason STALE_VERSION) when the version is not the stored one,
// INVALID (field staffUserId) when the user is not an active staff member
// or has no work telephone (reason NO_WORK_PHONE), FAILED_PRECONDITION
// (reason NOT_EXCELLENT) when the subject is not EXCELLENT, and INTERNAL.
func (s *Service) AssignAccountManager(ctx context.Context, subjectID, staffUserID string, version int) (models.Subject, error) {
	if _, err := credit.RequireStaff(ctx); err != nil {
		return models.Subject{}, err
	}
	var subj models.Subject
	err := s.d.Store.Tx(ctx, func(st Store) error {
		var err error
		if subj, err = subject(ctx, st, subjectID); err != nil {
			return err
		}
		if subj.AccountManagerVersion != version {
			return staleAssignment()
		}
		u, ok, err := st.User(ctx, staffUserID)
		switch {
		case err != nil:
			return err
		case !ok:
			return apperr.New(apperr.NotFound, "未找到该用户")
		case !u.Role.IsStaff() || u.Disabled:
			return apperr.InvalidField("staffUserId", "客户经理须为在职的工作人员")
		case u.WorkPhone == "":
			return apperr.InvalidField("staffUserId", "客户经理须先登记办公电话（setWorkPhone），以便企业联系").WithReason("NO_WORK_PHONE")
		case subj.Tier != models.TierExcellent:
			return apperr.Precondition("NOT_EXCELLENT", "只有 EXCELLENT（守信激励）主体才指派客户经理，该主体为 %s", subj.Tier)
		}
		if ok, err := st.SetAccountManager(ctx, subj.ID, u.ID, version); err != nil || !ok {
			if err == nil {
				err = staleAssignment()
			}
			return err
		}
		subj.AccountManagerID, subj.AccountManagerVersion = &u.ID, version+1
		return st.Audit(ctx, audit.Entry{Action: "subject.account_manager", SubjectType: "subject",
			SubjectID: subj.ID, Detail: fmt.Sprintf("manager=%s", u.ID)})
	})
	if err != nil {
		return models.Subject{}, credit.Internal(err, "无法指派客户经理")
	}
	s.d.Inbox.Notify(ctx, notice.Event{SubjectID: subj.ID, Kind: notice.AccountManager, RefType: "subject", RefID: subj.ID,
		Body: "供水企业已为贵单位指派专属客户经理，可在小程序“我的企业”中查看其姓名和工作电话。",
		Key:  "account-manager:" + subj.ID + ":" + *subj.AccountManagerID + ":" + s.d.Now().UTC().Format(time.RFC3339)})
	return subj, nil
}

// staleAssignment is the CONFLICT (reason STALE_VERSION) of an assignment
// of the account manager that changed since the staff member read it.
func staleAssignment() error {
	return apperr.Stale("该主体的客户经理已被他人调整，请刷新后重试")
}

// subject reads a subject: NOT_FOUND or INTERNAL.
func subject(ctx context.Context, st Store, id string) (models.Subject, error) {
	subj, ok, err := st.Subject(ctx, id)
	if err == nil && !ok {
		err = apperr.New(apperr.NotFound, "未找到该用水主体")
	}
	return subj, err
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
	// AccountManagerVersion is the version of the assignment, which
	// AssignAccountManager requires (R8.1).
	AccountManagerVersion int
	// Grade (nil before the first evaluation), when it last changed, and
	// the reasons for it (R3.4).
	Grade        *models.Grade
	GradeSince   *time.Time
	GradeReasons []string
}

// Profile returns the credit profile of a subject. Staff see every subject;
// an ENTERPRISE user only subjects it is bound to. It returns NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Service) Profile(ctx context.Context, subjectID string) (Profile, error) {
	if _, err := s.d.Guard().Subject(ctx, subjectID, models.ScopeView); err != nil {
		return Profile{}, err
	}
	subj, err := subject(ctx, s.d.Store, subjectID)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{Subject: subj, Tier: subj.Tier, TierSince: subj.TierSince, TierEvaluatedAt: subj.TierEvaluatedAt,
		Incentives: s.Incentives(subj), AccountManagerID: subj.AccountManagerID,
		AccountManagerVersion: subj.AccountManagerVersion, GradeSince: subj.GradeSince}
	if subj.Grade != "" {
		p.Grade = &subj.Grade
	}
	if p.Records, err = s.d.Store.SubjectRecords(ctx, subj.ID); err != nil {
		return Profile{}, err
	}
	if p.GradeReasons, err = s.Reasons(ctx, subj, p.Records, s.d.Now()); err != nil {
		return Profile{}, err
	}
	if p.NextReevaluation, err = s.NextReevaluation(ctx, subj, s.d.Now()); err != nil {
		return Profile{}, err
	}
	return p, nil
}
