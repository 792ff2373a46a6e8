package rules

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/models"
	"creditwater/page"
)

// Cases handles staff cases of theft (窃水), contract violation (违约用水)
// and broken promises (失约) (R1.3): staff open a case with its number and
// evidence; a credit officer confirms it, which makes a dishonesty record,
// or dismisses it.
type Cases struct {
	store   Store
	records *record.Service
	now     func() time.Time
}

// NewCases returns the case service; Deps.Records creates the records of
// confirmed cases.
func NewCases(d Deps) *Cases {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Cases{store: d.Store, records: d.Records, now: d.Now}
}

var caseNoPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_/\-.]{0,63}$`)

func (c *Cases) validate(in *credit.CaseInput) error {
	in.CaseNo = strings.TrimSpace(in.CaseNo)
	in.Description = strings.TrimSpace(in.Description)
	in.AccountNo = strings.TrimSpace(in.AccountNo)
	in.CommitmentID = strings.TrimSpace(in.CommitmentID)
	switch {
	case !caseNoPattern.MatchString(in.CaseNo):
		return apperr.InvalidField("caseNo", "请填写案件编号：1–64 个字母、数字或 - _ / .")
	case in.SubjectID == "":
		return apperr.InvalidField("subjectId", "请指明用水主体")
	case in.Kind != models.KindTheft && in.Kind != models.KindViolation && in.Kind != models.KindBrokenPromise:
		return apperr.InvalidField("kind", "类型须为 THEFT、VIOLATION 或 BROKEN_PROMISE")
	case !credit.ValidSeverity(in.Severity):
		return apperr.InvalidField("severity", "严重程度须为 MINOR、GENERAL 或 SERIOUS")
	case in.Description == "" || utf8.RuneCountInString(in.Description) > 2000:
		return apperr.InvalidField("description", "请填写情况描述（最多 2000 字）")
	case len(in.Evidence) > 65535:
		return apperr.InvalidField("evidence", "证据说明最多 64 KiB")
	case in.OccurredOn.IsZero():
		return apperr.InvalidField("occurredOn", "请填写发生日期")
	case credit.DayOf(in.OccurredOn).After(credit.DayOf(c.now())):
		return apperr.InvalidField("occurredOn", "发生日期不能晚于今天")
	case len(in.AccountNo) > 32:
		return apperr.InvalidField("accountNo", "用水户号最多 32 个字符")
	case in.CommitmentID != "" && in.Kind != models.KindBrokenPromise:
		return apperr.InvalidField("commitmentId", "只有违诺（BROKEN_PROMISE）案件才关联承诺")
	case len(in.CommitmentID) > 36:
		return apperr.InvalidField("commitmentId", "不是承诺编号")
	}
	return nil
}

// Open records a new case (R1.3). Staff roles only. A BROKEN_PROMISE case
// may name the breached commitment (R2.4), which must be the subject's and
// not yet breached. It returns UNAUTHENTICATED, FORBIDDEN, INVALID (with
// the field), NOT_FOUND for an unknown subject, account or commitment,
// CONFLICT (reason CASE_NO_TAKEN) when the case number exists, CONFLICT
// (reason BREACH_RECORDED) when the commitment's breach is recorded, and
// INTERNAL.
func (c *Cases) Open(ctx context.Context, in credit.CaseInput) (models.ViolationCase, error) {
	actor, err := credit.RequireStaff(ctx)
	if err != nil {
		return models.ViolationCase{}, err
	}
	if err := c.validate(&in); err != nil {
		return models.ViolationCase{}, err
	}
	var vc models.ViolationCase
	err = c.store.Tx(ctx, func(st Store) error {
		vc, err = c.open(ctx, st, in, actor.UserID)
		return err
	})
	if err != nil {
		return models.ViolationCase{}, credit.Internal(err, "无法立案")
	}
	return vc, nil
}

// OpenAndConfirm opens the case in and confirms it with note in one
// transaction (recordCommitmentBreach, R2.4): either the case, its record
// and the commitment's link are all stored, or nothing is. CREDIT_OFFICER
// and ADMIN only. It returns what Open and Confirm return; of two
// concurrent breaches of one commitment one succeeds and the other is
// CONFLICT (reason BREACH_RECORDED) and leaves no trace.
func (c *Cases) OpenAndConfirm(ctx context.Context, in credit.CaseInput, note string) (models.ViolationCase, models.DishonestyRecord, error) {
	uid, note, err := reviewerDecision(ctx, "note", note)
	if err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, err
	}
	if err := c.validate(&in); err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, err
	}
	var vc models.ViolationCase
	var rec models.DishonestyRecord
	err = c.store.Tx(ctx, func(st Store) error {
		opened, err := c.open(ctx, st, in, uid)
		if err != nil {
			return err
		}
		vc, err = c.decideIn(ctx, st, opened.ID, uid, note, opened.Version, models.CaseConfirmed, c.confirmed(ctx, &rec))
		return err
	})
	if err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, credit.Internal(err, "无法记录违诺")
	}
	c.records.TellNew(ctx, rec)
	return vc, rec, nil
}

// open stores the validated case in on st (a transaction), opened by uid.
func (c *Cases) open(ctx context.Context, st Store, in credit.CaseInput, uid string) (models.ViolationCase, error) {
	vc := models.ViolationCase{
		CaseNo: in.CaseNo, SubjectID: in.SubjectID, AccountNo: in.AccountNo, Kind: in.Kind, Severity: in.Severity,
		Description: in.Description, Evidence: in.Evidence, OccurredOn: credit.DayOf(in.OccurredOn),
		Status: models.CaseOpen, RecordedBy: uid, Version: 1,
	}
	if in.CommitmentID != "" {
		vc.CommitmentID = &in.CommitmentID
		// First, so that breaches of one commitment queue on its row.
		if err := unbreached(ctx, st, in.CommitmentID, in.SubjectID); err != nil {
			return vc, err
		}
	}
	vc.ID = models.NewID()
	vc.CreatedAt = c.now().UTC()
	vc.UpdatedAt = vc.CreatedAt
	if _, ok, err := st.Records().Subject(ctx, in.SubjectID); err != nil || !ok {
		return vc, credit.NotFound(err, "未找到该用水主体")
	}
	if in.AccountNo != "" {
		acc, ok, err := st.Account(ctx, in.AccountNo)
		if err != nil || !ok {
			return vc, credit.NotFound(err, "未找到该用水户号")
		}
		if acc.SubjectID != in.SubjectID {
			return vc, apperr.InvalidField("accountNo", "该用水户号不属于此用水主体")
		}
	}
	if err := st.InsertCase(ctx, vc); err != nil {
		if errors.Is(err, credit.ErrDuplicate) {
			return vc, apperr.New(apperr.Conflict, "案件编号 %s 已存在", in.CaseNo).WithReason("CASE_NO_TAKEN")
		}
		return vc, err
	}
	return vc, st.Audit(ctx, audit.Entry{Action: "case.open", SubjectType: "violation_case", SubjectID: vc.ID,
		Detail: fmt.Sprintf("kind=%s subject=%s", vc.Kind, vc.SubjectID)})
}

// unbreached reads and locks the commitment a BROKEN_PROMISE case names
// on st: NOT_FOUND when there is none, INVALID (field commitmentId) when
// it is another subject's, CONFLICT (reason BREACH_RECORDED) when its
// breach is recorded.
func unbreached(ctx context.Context, st Store, commitmentID, subjectID string) error {
	cm, ok, err := st.Commitment(ctx, commitmentID)
	switch {
	case err != nil || !ok:
		return credit.NotFound(err, "未找到该承诺")
	case cm.SubjectID != subjectID:
		return apperr.InvalidField("commitmentId", "该承诺不属于此用水主体")
	case cm.BreachRecordID != nil:
		return breachRecorded(*cm.BreachRecordID)
	}
	return nil
}

// breachRecorded is the CONFLICT (reason BREACH_RECORDED) of a second
// breach of a commitment (R2.4): each commitment has at most one
// BROKEN_PROMISE record. recordID names the record when known.
func breachRecorded(recordID string) error {
	if recordID == "" {
		return apperr.New(apperr.Conflict, "该承诺的违诺已记录，不能重复记录").WithReason("BREACH_RECORDED")
	}
	return apperr.New(apperr.Conflict, "该承诺的违诺已记录（失信记录 %s），不能重复记录", recordID).
		WithReason("BREACH_RECORDED").WithDetail("recordId", recordID)
}

// Get returns a case. Staff roles only. It returns UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND or INTERNAL.
func (c *Cases) Get(ctx context.Context, caseID string) (models.ViolationCase, error) {
	if _, err := credit.RequireStaff(ctx); err != nil {
		return models.ViolationCase{}, err
	}
	vc, ok, err := c.store.Case(ctx, caseID)
	if err != nil || !ok {
		return models.ViolationCase{}, credit.NotFound(err, "未找到该案件")
	}
	return vc, nil
}

// Confirm decides an OPEN case at the version the officer saw as founded
// (R1.3): it creates the dishonesty record (source key "CASE:<case id>",
// source STAFF_CASE, or COMMITMENT_BREACH for a BROKEN_PROMISE case linked
// to a commitment, R2.4), links it to the case (and to the commitment,
// which gets at most one such record), moves the case to the next version
// and re-grades the subject (R3.1). CREDIT_OFFICER and ADMIN only.
// It returns the decided case and the record, or UNAUTHENTICATED,
// FORBIDDEN, INVALID (field note), NOT_FOUND, CONFLICT (reason
// STALE_VERSION) when version is not the stored one (R8.1), CONFLICT
// (reason BREACH_RECORDED) when the commitment's breach is recorded,
// FAILED_PRECONDITION (reason CASE_DECIDED, naming the current state) when
// the case is not OPEN, and INTERNAL.
func (c *Cases) Confirm(ctx context.Context, caseID, note string, version int) (models.ViolationCase, models.DishonestyRecord, error) {
	var rec models.DishonestyRecord
	vc, err := c.decide(ctx, caseID, note, version, models.CaseConfirmed, c.confirmed(ctx, &rec))
	if err != nil {
		return models.ViolationCase{}, models.DishonestyRecord{}, err
	}
	c.records.TellNew(ctx, rec)
	return vc, rec, nil
}

// confirmed is the step of a confirmation inside its transaction: it
// creates the case's record into *rec and links it to the case and, for a
// breach (R2.4), to the commitment, once: the commitment is locked and
// linked only while it has no breach record; otherwise CONFLICT (reason
// BREACH_RECORDED) rolls everything back.
func (c *Cases) confirmed(ctx context.Context, rec *models.DishonestyRecord) func(Store, *models.ViolationCase) error {
	return func(st Store, vc *models.ViolationCase) error {
		source := credit.SourceStaffCase
		breach := vc.Kind == models.KindBrokenPromise && vc.CommitmentID != nil
		if breach {
			source = credit.SourceCommitmentBreach
			if err := unbreached(ctx, st, *vc.CommitmentID, vc.SubjectID); err != nil {
				return err
			}
		}
		var err error
		*rec, _, err = c.records.Create(ctx, st.Records(), record.NewRecord{
			SubjectID: vc.SubjectID, AccountNo: vc.AccountNo, Kind: vc.Kind, Severity: vc.Severity,
			SourceKey: "CASE:" + vc.ID, Source: source, Evidence: vc.Evidence,
			Summary:     credit.Truncate(fmt.Sprintf("案件 %s：%s", vc.CaseNo, vc.Description), 500),
			BehaviourOn: vc.OccurredOn, CaseID: &vc.ID, CommitmentID: vc.CommitmentID,
		})
		if err != nil {
			return err
		}
		vc.RecordID = &rec.ID
		if breach {
			if ok, err := st.LinkBreach(ctx, *vc.CommitmentID, rec.ID); err != nil || !ok {
				if err == nil {
					err = breachRecorded("")
				}
				return err
			}
		}
		return nil
	}
}

// Dismiss decides an OPEN case at the version the officer saw as
// unfounded; no record is made. CREDIT_OFFICER and ADMIN only. It returns
// UNAUTHENTICATED, FORBIDDEN, INVALID (field note), NOT_FOUND, CONFLICT
// (reason STALE_VERSION) when version is not the stored one (R8.1),
// FAILED_PRECONDITION (reason CASE_DECIDED) when the case is not OPEN, and
// INTERNAL.
func (c *Cases) Dismiss(ctx context.Context, caseID, note string, version int) (models.ViolationCase, error) {
	return c.decide(ctx, caseID, note, version, models.CaseDismissed, nil)
}

// reviewerDecision checks that a credit officer or admin decides, with a
// written decision (field) of 1–1000 characters; it returns the reviewer
// and the trimmed text.
func reviewerDecision(ctx context.Context, field, text string) (uid, trimmed string, err error) {
	if uid, err = credit.RequireReviewer(ctx); err != nil {
		return "", "", err
	}
	trimmed = strings.TrimSpace(text)
	if trimmed == "" || utf8.RuneCountInString(trimmed) > 1000 {
		return "", "", apperr.InvalidField(field, "请填写决定说明（最多 1000 字）")
	}
	return uid, trimmed, nil
}

func (c *Cases) decide(ctx context.Context, caseID, note string, version int, to models.CaseStatus, onConfirm func(Store, *models.ViolationCase) error) (models.ViolationCase, error) {
	uid, note, err := reviewerDecision(ctx, "note", note)
	if err != nil {
		return models.ViolationCase{}, err
	}
	var vc models.ViolationCase
	err = c.store.Tx(ctx, func(st Store) error {
		vc, err = c.decideIn(ctx, st, caseID, uid, note, version, to, onConfirm)
		return err
	})
	if err != nil {
		return models.ViolationCase{}, credit.Internal(err, "无法对案件作出决定")
	}
	return vc, nil
}

// decideIn decides the case on st (a transaction) by uid: it must be OPEN
// at version; onConfirm, when given, runs before the decision is written.
func (c *Cases) decideIn(ctx context.Context, st Store, caseID, uid, note string, version int, to models.CaseStatus, onConfirm func(Store, *models.ViolationCase) error) (models.ViolationCase, error) {
	vc, ok, err := st.Case(ctx, caseID)
	if err != nil || !ok {
		return vc, credit.NotFound(err, "未找到该案件")
	}
	if vc.Version != version {
		return vc, staleCase()
	}
	if vc.Status != models.CaseOpen {
		return vc, apperr.Precondition("CASE_DECIDED", "该案件已是 %s 状态", vc.Status).WithDetail("status", string(vc.Status))
	}
	now := c.now().UTC()
	vc.Status, vc.DecidedBy, vc.DecidedAt, vc.DecisionNote, vc.UpdatedAt, vc.Version = to, uid, &now, note, now, version+1
	if onConfirm != nil {
		if err := onConfirm(st, &vc); err != nil {
			return vc, err
		}
	}
	if ok, err := st.DecideCase(ctx, vc, version); err != nil || !ok {
		if err == nil {
			err = staleCase()
		}
		return vc, err
	}
	return vc, st.Audit(ctx, audit.Entry{Action: "case.decide", SubjectType: "violation_case", SubjectID: vc.ID, Detail: string(to)})
}

// staleCase is the CONFLICT (reason STALE_VERSION) of a decision on a case
// that changed since the officer read it.
func staleCase() error {
	return apperr.Stale("该案件已被他人修改，请刷新后重试")
}

// CaseListKey is the order of the case list: newest first (IDs are
// time-ordered UUIDv7).
var CaseListKey = page.NewKey("cases", page.Desc("id"))

// CaseFilter selects cases; empty fields match all. From (inclusive) and
// To (exclusive) bound the time the case was opened.
type CaseFilter struct {
	Status    models.CaseStatus
	Kind      models.RecordKind
	SubjectID string
	From, To  time.Time
	// Count asks for CasePage.TotalCount (capped at page.CountCap+1).
	Count bool
}

// CasePage is one page of cases, newest first.
type CasePage struct {
	Cases []models.ViolationCase
	page.Info
}

// List returns the cases matching f, newest first, first at a time
// (clamped to 1–100) after the opaque cursor after (R8.1): how staff find
// the ID a decision needs. Staff roles only. It returns UNAUTHENTICATED,
// FORBIDDEN, INVALID (field status, kind or after) and INTERNAL.
func (c *Cases) List(ctx context.Context, f CaseFilter, first int, after string) (CasePage, error) {
	var out CasePage
	if _, err := credit.RequireStaff(ctx); err != nil {
		return out, err
	}
	switch f.Status {
	case "", models.CaseOpen, models.CaseConfirmed, models.CaseDismissed:
	default:
		return out, apperr.InvalidField("status", "状态须为 OPEN、CONFIRMED 或 DISMISSED")
	}
	switch f.Kind {
	case "", models.KindTheft, models.KindViolation, models.KindBrokenPromise:
	default:
		return out, apperr.InvalidField("kind", "类型须为 THEFT、VIOLATION 或 BROKEN_PROMISE")
	}
	var id string
	pos, err := CaseListKey.Position(after, &id)
	if err != nil {
		return out, err
	}
	first = page.Clamp(first)
	q := CaseQuery{Status: f.Status, Kind: f.Kind, SubjectID: f.SubjectID, From: f.From, To: f.To, Limit: first + 1, Count: f.Count, After: pos}
	cases, total, err := c.store.ListCases(ctx, q)
	if err != nil {
		return out, err
	}
	out.TotalCount = total
	out.Cases, out.HasNext, out.EndCursor = page.Cut(cases, first, CaseCursor)
	return out, nil
}

// CaseCursor is the opaque cursor of a case in the list.
func CaseCursor(vc models.ViolationCase) string { return CaseListKey.Encode(vc.ID) }
