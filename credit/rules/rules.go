// Package rules holds the dishonesty rules that make records (R1.3): the
// automatic ARREARS rule with its exemptions, and staff cases of theft,
// contract violation and broken promises.
package rules

import (
	"context"
	"time"

	"creditwater/calendar"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/evidence"
	"creditwater/models"
)

// Store is what the rules read and write besides records. Implementations:
// store/creditdb.
type Store interface {
	// Tx runs fn in one transaction with a Store bound to it (on a Store
	// already bound to one, fn runs in it). A new transaction that the
	// database aborts as a deadlock victim runs fn again from the start
	// (store.Transaction), so fn has no effect outside it and keeps no
	// state across tries.
	Tx(ctx context.Context, fn func(Store) error) error
	// Records is the record store on the same database or transaction.
	Records() record.Store
	credit.Effects
	// ArrearsCandidates selects, in one set-based query, the reminders q
	// makes ARREARS records of, ordered by reminder number; INTERNAL.
	ArrearsCandidates(ctx context.Context, q ArrearsQuery) ([]Candidate, error)
	// Reminders reads the reminders with the numbers, each with its bills
	// (and what was paid of them) ordered by bill number; INTERNAL.
	Reminders(ctx context.Context, nos []string) ([]Reminder, error)
	// InsertNotice stores a prior notice (R1.6) unless its reminder has
	// one; true when it was new. INTERNAL.
	InsertNotice(ctx context.Context, n models.ArrearsNotice) (bool, error)
	// InsertExemption stores a new exemption; INTERNAL.
	InsertExemption(ctx context.Context, ex models.Exemption) error
	// Exemption reads an exemption; inside Tx it locks the row. INTERNAL.
	Exemption(ctx context.Context, id string) (models.Exemption, bool, error)
	// DecideExemption writes ex's status, decision and version when the
	// stored one is PENDING at version; false when it is not. INTERNAL.
	DecideExemption(ctx context.Context, ex models.Exemption, version int) (bool, error)
	// TouchExemption moves a PENDING exemption at version to version+1
	// (its evidence changed); false when it is not PENDING at version.
	// INTERNAL.
	TouchExemption(ctx context.Context, id string, version int, at time.Time) (bool, error)
	// AddExemptionEvidence stores evidence of an exemption; INTERNAL.
	AddExemptionEvidence(ctx context.Context, id string, files []models.Evidence) error
	// ExemptionEvidence lists the evidence of the exemptions (without the
	// contents), oldest first; INTERNAL.
	ExemptionEvidence(ctx context.Context, ids ...string) ([]models.Evidence, error)
	// Exemptions reads a page of exemptions and the count of all matching
	// the filter; INTERNAL.
	Exemptions(ctx context.Context, q ExemptionQuery) ([]models.Exemption, int64, error)
	// Account reads an account; INTERNAL.
	Account(ctx context.Context, no string) (models.Account, bool, error)
	// Case reads a case; inside Tx it locks the row. INTERNAL.
	Case(ctx context.Context, id string) (models.ViolationCase, bool, error)
	// InsertCase stores a new case: credit.ErrDuplicate when its number is
	// taken, or INTERNAL.
	InsertCase(ctx context.Context, vc models.ViolationCase) error
	// DecideCase writes vc's status, decision, record and version when the
	// stored case is still OPEN at version; false when it is not. INTERNAL.
	DecideCase(ctx context.Context, vc models.ViolationCase, version int) (bool, error)
	// Commitment reads a signed commitment; inside Tx it locks the row, so
	// that breaches of one commitment are decided one at a time (R2.4).
	// INTERNAL.
	Commitment(ctx context.Context, id string) (models.Commitment, bool, error)
	// LinkBreach sets the breach record of the commitment when it has none
	// (UPDATE … WHERE breach_record_id IS NULL); false when it has one
	// already (or there is no such commitment). INTERNAL.
	LinkBreach(ctx context.Context, commitmentID, recordID string) (bool, error)
	// ListCases reads the cases of q in CaseListKey order, with the count
	// of the filter (capped at page.CountCap+1) when q.Count. INTERNAL.
	ListCases(ctx context.Context, q CaseQuery) ([]models.ViolationCase, int64, error)
}

// CaseQuery is one page of the case list in the terms a store applies:
// the filter (empty fields match all; From ≤ CreatedAt < To), the rows
// after the position After (nil for the first page) of CaseListKey, and
// Limit rows.
type CaseQuery struct {
	Status    models.CaseStatus
	Kind      models.RecordKind
	SubjectID string
	From, To  time.Time
	After     []any
	Limit     int
	Count     bool
}

// ArrearsQuery is the ARREARS rule as of one day, in the terms a store
// applies: a reminder served before ServedBefore, of an account linked to
// a subject, whose bills are unpaid by at least ThresholdFen in total (each
// bill max(amount − Σ payments, 0)), with no record of source key
// KeyPrefix + reminder number and no exemption of its account (or of the
// reminder) valid on the day [DayStart, DayEnd).
type ArrearsQuery struct {
	ServedBefore     time.Time
	DayStart, DayEnd time.Time
	ThresholdFen     int64
	KeyPrefix        string
}

// Candidate is a reminder the ARREARS rule makes a record of.
type Candidate struct {
	ReminderNo string
	AccountNo  string
	SubjectID  string
	UnpaidFen  int64
	// NoticedOn is the day of its prior notice (R1.6); nil: none yet.
	NoticedOn *time.Time
}

// Reminder is a served reminder (催告) with the bills it covers.
type Reminder struct {
	No       string
	ServedOn time.Time
	Bills    []credit.ArrearsBill
}

// Tiers re-grades subjects (*grade.Service).
type Tiers interface {
	Recompute(ctx context.Context, asOf time.Time, subjectIDs ...string) (int64, error)
}

// Deps are what the rules need.
type Deps struct {
	Store   Store
	Records *record.Service
	Grades  Tiers
	Config  credit.Config
	// Calendar counts the working days of the prior notice (nil:
	// calendar.Default()).
	Calendar *calendar.Calendar
	// Evidence bounds the evidence files of one upload to an exemption
	// (evidence.Limits: zero fields take its defaults).
	Evidence evidence.Limits
	// Now is the clock of cases and exemptions (nil: time.Now).
	Now func() time.Time
}
