package credit

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/store"
)

// Cases handles staff cases of theft (窃水), contract violation (违约用水)
// and broken promises (失约) (R1.3): staff open a case with its number and
// evidence; a credit officer confirms it, which makes a dishonesty record,
// or dismisses it.
type Cases struct {
	db      *gorm.DB
	audit   *audit.Log
	cfg     Config
	records *Records
	now     func() time.Time
}

// NewCases returns the case service; records creates the records of
// confirmed cases.
func NewCases(db *gorm.DB, log *audit.Log, cfg Config, records *Records) *Cases {
	return &Cases{db: db, audit: log, cfg: cfg.withDefaults(), records: records, now: time.Now}
}

// CaseInput opens a case.
type CaseInput struct {
	// CaseNo is the water company's case number (unique).
	CaseNo    string
	SubjectID string
	// AccountNo is optional; when given it must be an account of the subject.
	AccountNo string
	// Kind is THEFT, VIOLATION or BROKEN_PROMISE.
	Kind     models.RecordKind
	Severity models.Severity
	// Description says what happened.
	Description string
	// Evidence lists or describes the evidence (photos, meter readings, …).
	Evidence string
	// OccurredOn is the day of the behaviour; not in the future.
	OccurredOn time.Time
	// CommitmentID links a BROKEN_PROMISE case to the breached commitment
	// (R2.4); only for BROKEN_PROMISE.
	CommitmentID string
}

var caseNoPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_/\-.]{0,63}$`)

func (c *Cases) validate(in *CaseInput) error {
	in.CaseNo = strings.TrimSpace(in.CaseNo)
	in.Description = strings.TrimSpace(in.Description)
	in.AccountNo = strings.TrimSpace(in.AccountNo)
	in.CommitmentID = strings.TrimSpace(in.CommitmentID)
	switch {
	case !caseNoPattern.MatchString(in.CaseNo):
		return apperr.InvalidField("caseNo", "the case number is required: 1–64 letters, digits, - _ / .")
	case in.SubjectID == "":
		return apperr.InvalidField("subjectId", "the subject is required")
	case in.Kind != models.KindTheft && in.Kind != models.KindViolation && in.Kind != models.KindBrokenPromise:
		return apperr.InvalidField("kind", "kind must be THEFT, VIOLATION or BROKEN_PROMISE")
	case !validSeverity(in.Severity):
		return apperr.InvalidField("severity", "severity must be MINOR, GENERAL or SERIOUS")
	case in.Description == "" || utf8.RuneCountInString(in.Description) > 2000:
		return apperr.InvalidField("description", "a description is required (at most 2000 characters)")
	case len(in.Evidence) > 65535:
		return apperr.InvalidField("evidence", "the evidence is at most 64 KiB")
	case in.OccurredOn.IsZero():
		return apperr.InvalidField("occurredOn", "the day it happened is required")
	case DayOf(in.OccurredOn).After(DayOf(c.now())):
		return apperr.InvalidField("occurredOn", "the day it happened cannot be in the future")
	case len(in.AccountNo) > 32:
		return apperr.InvalidField("accountNo", "the account number is at most 32 characters")
	case in.CommitmentID != "" && in.Kind != models.KindBrokenPromise:
		return apperr.InvalidField("commitmentId", "only a BROKEN_PROMISE case refers to a commitment")
	case len(in.CommitmentID) > 36:
		return apperr.InvalidField("commitmentId", "not a commitment ID")
	}
	return nil
}

// Open records a new case (R1.3). Staff roles only. It returns
// UNAUTHENTICATED, FORBIDDEN, INVALID (with the field), NOT_FOUND for an
// unknown subject or account, CONFLICT (reason CASE_NO_TAKEN) when the case
// number exists, and INTERNAL.
func (c *Cases) Open(ctx context.Context, in CaseInput) (models.ViolationCase, error) {
	actor, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return models.ViolationCase{}, err
	}
	if err := c.validate(&in); err != nil {
		return models.ViolationCase{}, err
	}
	vc := models.ViolationCase{
		CaseNo: in.CaseNo, SubjectID: in.SubjectID, AccountNo: in.AccountNo, Kind: in.Kind, Severity: in.Severity,
		Description: in.Description, Evidence: in.Evidence, OccurredOn: DayOf(in.OccurredOn),
		Status: models.CaseOpen, RecordedBy: actor.UserID,
	}
	if in.CommitmentID != "" {
		vc.CommitmentID = &in.CommitmentID
	}
	err = c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Subject{}).Where("id = ?", in.SubjectID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "subject not found")
		}
		if in.AccountNo != "" {
			var acc models.Account
			res := tx.Where("account_no = ?", in.AccountNo).Limit(1).Find(&acc)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return apperr.New(apperr.NotFound, "account not found")
			}
			if acc.SubjectID != in.SubjectID {
				return apperr.InvalidField("accountNo", "the account does not belong to this subject")
			}
		}
		if err := tx.Create(&vc).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.New(apperr.Conflict, "case number %s exists", in.CaseNo).WithReason("CASE_NO_TAKEN")
			}
			return err
		}
		return recordAudit(ctx, c.audit, tx, audit.Entry{Action: "case.open", SubjectType: "violation_case", SubjectID: vc.ID,
			Detail: fmt.Sprintf("kind=%s subject=%s", vc.Kind, vc.SubjectID)})
	})
	if err != nil {
		return models.ViolationCase{}, internalUnlessTyped(err, "could not open the case")
	}
	return vc, nil
}

// Get returns a case. Staff roles only. It returns UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND or INTERNAL.
func (c *Cases) Get(ctx context.Context, caseID string) (models.ViolationCase, error) {
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return models.ViolationCase{}, err
	}
	var vc models.ViolationCase
	res := c.db.WithContext(ctx).Where("id = ?", caseID).Limit(1).Find(&vc)
	if res.Error != nil {
		return vc, apperr.Wrap(res.Error, apperr.Internal, "could not read the case")
	}
	if res.RowsAffected == 0 {
		return vc, apperr.New(apperr.NotFound, "case not found")
	}
	return vc, nil
}

// Confirm decides an OPEN case as founded (R1.3): it creates the
// dishonesty record (source key "CASE:<case id>", source STAFF_CASE, or
// COMMITMENT_BREACH for a BROKEN_PROMISE case linked to a commitment, R2.4),
// links it to the case and recomputes the subject's tier (R3.1). CREDIT_OFFICER
// and ADMIN only. It returns the decided case and the record, or
// UNAUTHENTICATED, FORBIDDEN, INVALID (field note), NOT_FOUND,
// FAILED_PRECONDITION (reason CASE_DECIDED, naming the current state) when
// the case is not OPEN, and INTERNAL.
func (c *Cases) Confirm(ctx context.Context, caseID, note string) (models.ViolationCase, models.DishonestyRecord, error) {
	var rec models.DishonestyRecord
	vc, err := c.decide(ctx, caseID, note, models.CaseConfirmed, func(tx *gorm.DB, vc *models.ViolationCase) error {
		source := SourceStaffCase
		if vc.Kind == models.KindBrokenPromise && vc.CommitmentID != nil {
			source = SourceCommitmentBreach
		}
		summary := truncate(fmt.Sprintf("Case %s: %s", vc.CaseNo, vc.Description), 500)
		var err error
		rec, _, err = c.records.Create(ctx, tx, NewRecord{
			SubjectID: vc.SubjectID, AccountNo: vc.AccountNo, Kind: vc.Kind, Severity: vc.Severity,
			SourceKey: "CASE:" + vc.ID, Source: source, Evidence: vc.Evidence, Summary: summary,
			BehaviourOn: vc.OccurredOn, CaseID: &vc.ID, CommitmentID: vc.CommitmentID,
		})
		if err != nil {
			return err
		}
		vc.RecordID = &rec.ID
		return nil
	})
	if err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, err
	}
	return vc, rec, nil
}

// Dismiss decides an OPEN case as unfounded; no record is made.
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field note), NOT_FOUND, FAILED_PRECONDITION (reason
// CASE_DECIDED) when the case is not OPEN, and INTERNAL.
func (c *Cases) Dismiss(ctx context.Context, caseID, note string) (models.ViolationCase, error) {
	return c.decide(ctx, caseID, note, models.CaseDismissed, nil)
}

func (c *Cases) decide(ctx context.Context, caseID, note string, to models.CaseStatus, onConfirm func(*gorm.DB, *models.ViolationCase) error) (models.ViolationCase, error) {
	actor, err := auth.Require(ctx, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return models.ViolationCase{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 1000 {
		return models.ViolationCase{}, apperr.InvalidField("note", "a decision note is required (at most 1000 characters)")
	}
	var vc models.ViolationCase
	err = c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("id = ?", caseID).Limit(1)
		if store.IsMySQL(tx) {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		res := q.Find(&vc)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "case not found")
		}
		if vc.Status != models.CaseOpen {
			return apperr.Precondition("CASE_DECIDED", "the case is already %s", vc.Status).WithDetail("status", string(vc.Status))
		}
		now := c.now().UTC()
		vc.Status, vc.DecidedBy, vc.DecidedAt, vc.DecisionNote = to, actor.UserID, &now, note
		if onConfirm != nil {
			if err := onConfirm(tx, &vc); err != nil {
				return err
			}
		}
		upd := tx.Model(&models.ViolationCase{}).Where("id = ? AND status = ?", vc.ID, models.CaseOpen).Updates(map[string]any{
			"status": to, "decided_by": actor.UserID, "decided_at": now, "decision_note": note, "record_id": vc.RecordID, "updated_at": now,
		})
		if upd.Error != nil {
			return upd.Error
		}
		if upd.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "the case was decided by someone else; reload it").WithReason("CASE_CHANGED")
		}
		return recordAudit(ctx, c.audit, tx, audit.Entry{Action: "case.decide", SubjectType: "violation_case", SubjectID: vc.ID,
			Detail: string(to)})
	})
	if err != nil {
		return models.ViolationCase{}, internalUnlessTyped(err, "could not decide the case")
	}
	return vc, nil
}

// internalUnlessTyped passes an *apperr.Error through and classifies any
// other error as INTERNAL with msg.
func internalUnlessTyped(err error, msg string) error {
	if apperr.As(err) != nil {
		return err
	}
	return apperr.Wrap(err, apperr.Internal, "%s", msg)
}
