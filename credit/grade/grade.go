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
	// already bound to one, fn runs in it).
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
	// SetAccountManager stores the subject's account manager; INTERNAL.
	SetAccountManager(ctx context.Context, subjectID, userID string) error
	// SubjectRecords lists all the subject's records, newest behaviour
	// first; INTERNAL.
	SubjectRecords(ctx context.Context, subjectID string) ([]models.DishonestyRecord, error)
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
	return Rule{HistoryBefore: cut, WindowFrom: cut, WindowTo: credit.AddDays(day, 1), Kinds: credit.BlockingKinds,
		At: asOf.UTC().Truncate(time.Millisecond), BatchSize: s.d.Config.BatchSize}
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
	return s.d.Store.Regrade(ctx, s.RuleAt(asOf), ids)
}

// Regrade re-evaluates the tiers of the given subjects as of asOf on st,
// a store bound to the caller's transaction (a record made, its status
// changed). It returns INTERNAL.
func (s *Service) Regrade(ctx context.Context, st Store, asOf time.Time, subjectIDs []string) error {
	if len(subjectIDs) == 0 {
		return nil
	}
	_, err := st.Regrade(ctx, s.RuleAt(asOf), subjectIDs)
	return err
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

// AssignAccountManager makes the staff user the account manager of an
// EXCELLENT subject (R3.2). Staff roles only. It returns UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND for an unknown subject or user, INVALID (field
// staffUserId) when the user is not an active staff member,
// FAILED_PRECONDITION (reason NOT_EXCELLENT) when the subject is not
// EXCELLENT, and INTERNAL.
func (s *Service) AssignAccountManager(ctx context.Context, subjectID, staffUserID string) (models.Subject, error) {
	if _, err := credit.RequireStaff(ctx); err != nil {
		return models.Subject{}, err
	}
	var subj models.Subject
	err := s.d.Store.Tx(ctx, func(st Store) error {
		var err error
		if subj, err = subject(ctx, st, subjectID); err != nil {
			return err
		}
		u, ok, err := st.User(ctx, staffUserID)
		switch {
		case err != nil:
			return err
		case !ok:
			return apperr.New(apperr.NotFound, "未找到该用户")
		case !u.Role.IsStaff() || u.Disabled:
			return apperr.InvalidField("staffUserId", "客户经理须为在职的工作人员")
		case subj.Tier != models.TierExcellent:
			return apperr.Precondition("NOT_EXCELLENT", "只有 EXCELLENT（守信激励）主体才指派客户经理，该主体为 %s", subj.Tier)
		}
		if err := st.SetAccountManager(ctx, subj.ID, u.ID); err != nil {
			return err
		}
		subj.AccountManagerID = &u.ID
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
		Incentives: IncentivesOf(subj), AccountManagerID: subj.AccountManagerID}
	if p.Records, err = s.d.Store.SubjectRecords(ctx, subj.ID); err != nil {
		return Profile{}, err
	}
	if p.NextReevaluation, err = s.NextReevaluation(ctx, subj, s.d.Now()); err != nil {
		return Profile{}, err
	}
	return p, nil
}
