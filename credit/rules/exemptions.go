package rules

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/page"
)

// Exemptions handles the valid reasons (正当理由, R1.6) for not paying:
// staff record an exemption of an account, a reminder or a bill, PENDING;
// a credit officer approves or rejects it. Only an APPROVED exemption
// valid on the day stops the ARREARS rule (see Arrears.Detect).
type Exemptions struct {
	store Store
	now   func() time.Time
}

// NewExemptions returns the exemption service.
func NewExemptions(d Deps) *Exemptions {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Exemptions{store: d.Store, now: d.Now}
}

// ExemptionInput is what staff record: the account, optionally one
// reminder or one bill of it (neither: the whole account), the reason and
// the validity (inclusive days; ValidTo nil = open-ended).
type ExemptionInput struct {
	AccountNo  string
	ReminderNo string
	BillNo     string
	Reason     string
	ValidFrom  time.Time
	ValidTo    *time.Time
}

// Record stores a PENDING exemption. STAFF, CREDIT_OFFICER and ADMIN; it
// returns UNAUTHENTICATED, FORBIDDEN, INVALID (field accountNo, reminderNo,
// billNo, reason, validFrom or validTo), NOT_FOUND when the account does
// not exist, and INTERNAL.
func (x *Exemptions) Record(ctx context.Context, in ExemptionInput) (models.Exemption, error) {
	actor, err := credit.RequireStaff(ctx)
	if err != nil {
		return models.Exemption{}, err
	}
	in.AccountNo, in.ReminderNo, in.BillNo = strings.TrimSpace(in.AccountNo), strings.TrimSpace(in.ReminderNo), strings.TrimSpace(in.BillNo)
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.AccountNo == "" || len(in.AccountNo) > 32:
		return models.Exemption{}, apperr.InvalidField("accountNo", "请填写户号（最多 32 个字符）")
	case len(in.ReminderNo) > 32:
		return models.Exemption{}, apperr.InvalidField("reminderNo", "催告书编号最多 32 个字符")
	case len(in.BillNo) > 32 || (in.BillNo != "" && in.ReminderNo != ""):
		return models.Exemption{}, apperr.InvalidField("billNo", "账单编号最多 32 个字符，且不能与催告书编号同时填写")
	case in.Reason == "" || utf8.RuneCountInString(in.Reason) > 500:
		return models.Exemption{}, apperr.InvalidField("reason", "请填写正当理由（最多 500 字）")
	case in.ValidFrom.IsZero():
		return models.Exemption{}, apperr.InvalidField("validFrom", "请填写生效日期")
	case in.ValidTo != nil && credit.DayOf(*in.ValidTo).Before(credit.DayOf(in.ValidFrom)):
		return models.Exemption{}, apperr.InvalidField("validTo", "截止日期不能早于生效日期")
	}
	now := x.now().UTC()
	ex := models.Exemption{AccountNo: in.AccountNo, ReminderNo: in.ReminderNo, BillNo: in.BillNo, Reason: in.Reason,
		RecordedBy: actor.UserID, ValidFrom: credit.DayOf(in.ValidFrom), Status: models.ExemptionPending, Version: 1}
	if in.ValidTo != nil {
		to := credit.DayOf(*in.ValidTo)
		ex.ValidTo = &to
	}
	ex.ID, ex.CreatedAt, ex.UpdatedAt = models.NewID(), now, now
	err = x.store.Tx(ctx, func(st Store) error {
		if _, ok, err := st.Account(ctx, in.AccountNo); err != nil || !ok {
			return credit.NotFound(err, "未找到该户号")
		}
		if err := st.InsertExemption(ctx, ex); err != nil {
			return err
		}
		return st.Audit(ctx, audit.Entry{Action: "exemption.record", SubjectType: "exemption", SubjectID: ex.ID,
			Detail: "account=" + ex.AccountNo + " reminder=" + ex.ReminderNo + " bill=" + ex.BillNo})
	})
	if err != nil {
		return models.Exemption{}, credit.Internal(err, "无法保存正当理由")
	}
	return ex, nil
}

// Decide approves or rejects a PENDING exemption at the version read.
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field reason), NOT_FOUND, FAILED_PRECONDITION (reason
// EXEMPTION_DECIDED) when it is not PENDING, CONFLICT (reason
// STALE_VERSION) when version is not the stored one, and INTERNAL.
func (x *Exemptions) Decide(ctx context.Context, id string, approve bool, reason string, version int) (models.Exemption, error) {
	uid, err := credit.RequireReviewer(ctx)
	if err != nil {
		return models.Exemption{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return models.Exemption{}, apperr.InvalidField("reason", "请填写决定说明（最多 1000 字）")
	}
	var ex models.Exemption
	err = x.store.Tx(ctx, func(st Store) error {
		var ok bool
		var err error
		if ex, ok, err = st.Exemption(ctx, id); err != nil || !ok {
			return credit.NotFound(err, "未找到该正当理由")
		}
		if ex.Version != version {
			return apperr.New(apperr.Conflict, "该正当理由已被修改，请刷新后重试").WithReason("STALE_VERSION")
		}
		if ex.Status != models.ExemptionPending {
			return apperr.Precondition("EXEMPTION_DECIDED", "该正当理由已是 %s 状态", ex.Status).WithDetail("status", string(ex.Status))
		}
		now := x.now().UTC()
		ex.Status = models.ExemptionRejected
		if approve {
			ex.Status = models.ExemptionApproved
		}
		ex.DecidedBy, ex.DecidedAt, ex.DecisionNote, ex.UpdatedAt, ex.Version = uid, &now, reason, now, version+1
		if ok, err := st.DecideExemption(ctx, ex, version); err != nil || !ok {
			if err == nil {
				err = apperr.New(apperr.Conflict, "该正当理由已被修改，请刷新后重试").WithReason("STALE_VERSION")
			}
			return err
		}
		return st.Audit(ctx, audit.Entry{Action: "exemption.decide", SubjectType: "exemption", SubjectID: ex.ID, Detail: string(ex.Status)})
	})
	if err != nil {
		return models.Exemption{}, credit.Internal(err, "无法对正当理由作出决定")
	}
	return ex, nil
}

// ExemptionFilter narrows the exemptions list; empty fields match all.
type ExemptionFilter struct {
	AccountNo string
	Status    models.ExemptionStatus
}

// ExemptionPage is a page of exemptions, newest first.
type ExemptionPage struct {
	Items      []models.Exemption
	Cursors    []string
	HasNext    bool
	TotalCount int64
}

// EndCursor is the cursor of the last item ("" on an empty page).
func (p ExemptionPage) EndCursor() string {
	if len(p.Cursors) == 0 {
		return ""
	}
	return p.Cursors[len(p.Cursors)-1]
}

// exemptionKey orders the list newest first (IDs are UUIDv7).
var exemptionKey = page.NewKey("exemptions", page.Desc("id"))

// List returns a page of exemptions (staff only): UNAUTHENTICATED,
// FORBIDDEN, INVALID (field first or after) or INTERNAL.
func (x *Exemptions) List(ctx context.Context, f ExemptionFilter, first *int, after string) (ExemptionPage, error) {
	if _, err := credit.RequireStaff(ctx); err != nil {
		return ExemptionPage{}, err
	}
	n, err := page.First(first)
	if err != nil {
		return ExemptionPage{}, err
	}
	var afterID string
	has, err := exemptionKey.Decode(after, &afterID)
	if err != nil {
		return ExemptionPage{}, err
	}
	q := ExemptionQuery{Filter: f, Limit: n + 1}
	if has {
		q.Where, q.Args = exemptionKey.After([]any{afterID})
	}
	q.OrderBy = exemptionKey.OrderBy()
	items, total, err := x.store.Exemptions(ctx, q)
	if err != nil {
		return ExemptionPage{}, err
	}
	p := ExemptionPage{TotalCount: total, HasNext: len(items) > n}
	if p.HasNext {
		items = items[:n]
	}
	p.Items = items
	for _, it := range items {
		p.Cursors = append(p.Cursors, exemptionKey.Encode(it.ID))
	}
	return p, nil
}

// ExemptionQuery is a page of the exemptions list in a store's terms.
type ExemptionQuery struct {
	Filter  ExemptionFilter
	Where   string
	Args    []any
	OrderBy string
	Limit   int
}
