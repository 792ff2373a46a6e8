package rules

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/page"
)

// Exemptions handles the valid reasons (正当理由, R1.6) for not paying:
// staff record an exemption of an account, a reminder or a bill, PENDING;
// a credit officer approves or rejects it. Only an APPROVED exemption
// valid on the day stops the ARREARS rule (see Arrears.Detect).
//
// An exemption carries its evidence (R1.6: reason, evidence, validity):
// files staff upload with it or later, checked by package evidence (PDF,
// JPEG, PNG; size and count limits), served only to staff. A credit
// officer approves only an exemption with at least one file.
type Exemptions struct {
	store  Store
	limits evidence.Limits
	now    func() time.Time
}

// OwnerExemption is the evidence owner type of exemptions
// (models.Evidence.OwnerType).
const OwnerExemption = "EXEMPTION"

// NewExemptions returns the exemption service.
func NewExemptions(d Deps) *Exemptions {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Exemptions{store: d.Store, limits: d.Evidence, now: d.Now}
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
	// Evidence are files supporting the reason (optional here; required
	// before approval).
	Evidence []evidence.Upload
}

// Record stores a PENDING exemption with its evidence files, checked
// before anything is stored. STAFF, CREDIT_OFFICER and ADMIN; it returns
// UNAUTHENTICATED, FORBIDDEN, INVALID (field accountNo, reminderNo,
// billNo, reason, validFrom, validTo or evidence), NOT_FOUND when the
// account does not exist, and INTERNAL.
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
	files, err := evidence.Read(in.Evidence, x.limits, actor.UserID, now)
	if err != nil {
		return models.Exemption{}, err
	}
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
		if err := st.AddExemptionEvidence(ctx, ex.ID, files); err != nil {
			return err
		}
		return st.Audit(ctx, audit.Entry{Action: "exemption.record", SubjectType: "exemption", SubjectID: ex.ID,
			Detail: fmt.Sprintf("account=%s reminder=%s bill=%s files=%d", ex.AccountNo, ex.ReminderNo, ex.BillNo, len(files))})
	})
	if err != nil {
		return models.Exemption{}, credit.Internal(err, "无法保存正当理由")
	}
	return ex, nil
}

// AddEvidence attaches more evidence files to a PENDING exemption at the
// version read, and moves it to the next version (an officer deciding on
// what they read sees the new files first). STAFF, CREDIT_OFFICER and
// ADMIN. It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field evidence:
// none given, or a file refused — then nothing is stored), NOT_FOUND,
// FAILED_PRECONDITION (reason EXEMPTION_DECIDED) when it is decided,
// CONFLICT (reason STALE_VERSION) and INTERNAL.
func (x *Exemptions) AddEvidence(ctx context.Context, id string, ups []evidence.Upload, version int) (models.Exemption, error) {
	actor, err := credit.RequireStaff(ctx)
	if err != nil {
		return models.Exemption{}, err
	}
	if len(ups) == 0 {
		return models.Exemption{}, apperr.InvalidField("evidence", "请上传至少一个证明材料文件")
	}
	now := x.now().UTC()
	files, err := evidence.Read(ups, x.limits, actor.UserID, now)
	if err != nil {
		return models.Exemption{}, err
	}
	return x.updatePending(ctx, id, version, "无法保存正当理由的证明材料", func(st Store, ex *models.Exemption) error {
		if err := updated(st.TouchExemption(ctx, id, version, now)); err != nil {
			return err
		}
		ex.Version, ex.UpdatedAt = version+1, now
		if err := st.AddExemptionEvidence(ctx, id, files); err != nil {
			return err
		}
		return st.Audit(ctx, audit.Entry{Action: "exemption.evidence", SubjectType: "exemption", SubjectID: id, Detail: fmt.Sprintf("files=%d", len(files))})
	})
}

// updatePending runs change in one transaction on exemption id, read
// locked and checked PENDING at version (see pending), and returns the
// exemption as change left it. A failure is returned as it is when it is
// an *apperr.Error, else as INTERNAL with message msg.
func (x *Exemptions) updatePending(ctx context.Context, id string, version int, msg string, change func(st Store, ex *models.Exemption) error) (models.Exemption, error) {
	var ex models.Exemption
	err := x.store.Tx(ctx, func(st Store) error {
		var err error
		if ex, err = x.pending(ctx, st, id, version); err != nil {
			return err
		}
		return change(st, &ex)
	})
	if err != nil {
		return models.Exemption{}, credit.Internal(err, msg)
	}
	return ex, nil
}

// updated is the error of a versioned update that reports whether it
// matched: err, or CONFLICT (STALE_VERSION) when no row was at the version.
func updated(ok bool, err error) error {
	if err == nil && !ok {
		return staleExemption()
	}
	return err
}

// pending reads exemption id, locked, and checks that it is PENDING at
// version: NOT_FOUND, CONFLICT (STALE_VERSION), FAILED_PRECONDITION
// (EXEMPTION_DECIDED) or INTERNAL.
func (x *Exemptions) pending(ctx context.Context, st Store, id string, version int) (models.Exemption, error) {
	ex, ok, err := st.Exemption(ctx, id)
	if err != nil || !ok {
		return ex, credit.NotFound(err, "未找到该正当理由")
	}
	if ex.Version != version {
		return ex, staleExemption()
	}
	if ex.Status != models.ExemptionPending {
		return ex, apperr.Precondition("EXEMPTION_DECIDED", "该正当理由已是 %s 状态", ex.Status).WithDetail("status", string(ex.Status))
	}
	return ex, nil
}

func staleExemption() error {
	return apperr.Stale("该正当理由已被修改，请刷新后重试")
}

// EvidenceOf returns the evidence of the exemptions (without contents) by
// exemption, an empty list for one without (the GraphQL dataloader).
// Staff only: UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (x *Exemptions) EvidenceOf(ctx context.Context, ids []string) (map[string][]models.Evidence, error) {
	if _, err := credit.RequireStaff(ctx); err != nil {
		return nil, err
	}
	rows, err := x.store.ExemptionEvidence(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]models.Evidence, len(ids))
	for _, id := range ids {
		out[id] = []models.Evidence{}
	}
	for _, r := range rows {
		out[r.OwnerID] = append(out[r.OwnerID], r)
	}
	return out, nil
}

// EvidenceCheck is the evidence.OwnerCheck of exemptions: only staff
// (STAFF, CREDIT_OFFICER, ADMIN) read their files; an enterprise user is
// refused (FORBIDDEN), even for its own account. NOT_FOUND when the
// exemption is gone, INTERNAL.
func (x *Exemptions) EvidenceCheck(ctx context.Context, exemptionID string) (string, error) {
	if _, err := credit.RequireStaff(ctx); err != nil {
		return "", err
	}
	if _, ok, err := x.store.Exemption(ctx, exemptionID); err != nil || !ok {
		return "", credit.NotFound(err, "证据文件不存在")
	}
	return "正当理由审核：" + exemptionID, nil
}

// Decide approves or rejects a PENDING exemption at the version read; an
// approval needs at least one evidence file (R1.6: reason, evidence,
// validity). CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED,
// FORBIDDEN, INVALID (field reason), NOT_FOUND, FAILED_PRECONDITION
// (reason EXEMPTION_DECIDED when it is not PENDING, EVIDENCE_REQUIRED for
// an approval without a file), CONFLICT (reason STALE_VERSION) when
// version is not the stored one, and INTERNAL.
func (x *Exemptions) Decide(ctx context.Context, id string, approve bool, reason string, version int) (models.Exemption, error) {
	uid, reason, err := reviewerDecision(ctx, "reason", reason)
	if err != nil {
		return models.Exemption{}, err
	}
	return x.updatePending(ctx, id, version, "无法对正当理由作出决定", func(st Store, ex *models.Exemption) error {
		if approve {
			files, err := st.ExemptionEvidence(ctx, id)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(files, func(e models.Evidence) bool { return e.Kind == evidence.KindFile }) {
				return apperr.Precondition("EVIDENCE_REQUIRED", "批准正当理由前须上传至少一个证明材料文件")
			}
		}
		now := x.now().UTC()
		ex.Status = models.ExemptionRejected
		if approve {
			ex.Status = models.ExemptionApproved
		}
		ex.DecidedBy, ex.DecidedAt, ex.DecisionNote, ex.UpdatedAt, ex.Version = uid, &now, reason, now, version+1
		if err := updated(st.DecideExemption(ctx, *ex, version)); err != nil {
			return err
		}
		return st.Audit(ctx, audit.Entry{Action: "exemption.decide", SubjectType: "exemption", SubjectID: ex.ID, Detail: string(ex.Status)})
	})
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
	pos, err := exemptionKey.Position(after, &afterID)
	if err != nil {
		return ExemptionPage{}, err
	}
	q := ExemptionQuery{Filter: f, Limit: n + 1}
	if pos != nil {
		q.Where, q.Args = exemptionKey.After(pos)
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
