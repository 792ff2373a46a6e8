package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/publication"
)

// KindPublishRepair is the outbox message kind of an approved repair's
// publication; the composition root registers Repairs.DeliverRepair.
const KindPublishRepair = "PUBLISH_REPAIR"

// RepairCommitmentVersion is the version of the credit-repair commitment
// template (信用修复承诺书) rendered by RepairCommitment.
const RepairCommitmentVersion = "2026.1"

// RepairCommitment renders the credit-repair commitment (信用修复承诺书)
// that a subject signs when filing a repair of rec (R5.1): the fixed
// template of version RepairCommitmentVersion filled with the subject's
// name and USCC (empty for a person), the record, the signing account and
// the day.
func RepairCommitment(subjectName, uscc string, rec models.DishonestyRecord, signerID string, signedAt time.Time) string {
	if uscc == "" {
		uscc = "—"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "信用修复承诺书\n（模板版本 %s）\n\n", RepairCommitmentVersion)
	fmt.Fprintf(&b, "承诺主体：%s\n统一社会信用代码：%s\n", subjectName, uscc)
	fmt.Fprintf(&b, "申请修复的失信记录：%s（%s，认定日期 %s）\n\n", rec.ID, credit.KindLabel(rec.Kind), credit.DateString(rec.DecidedOn))
	b.WriteString("本主体申请对上述失信记录进行信用修复，现郑重承诺：\n")
	b.WriteString("一、已纠正上述失信行为，履行了相关法定责任和约定义务（如已足额缴清欠缴的水费），消除了不良影响；\n")
	b.WriteString("二、本次申请提交的全部材料真实、准确、完整，如有虚假，愿意承担相应责任；\n")
	b.WriteString("三、今后自觉遵守供水用水相关法律法规和供用水合同的约定，诚信用水，按时足额缴纳水费；\n")
	b.WriteString("四、如违反本承诺，同意撤销本次信用修复，并依法依规接受失信惩戒；\n")
	b.WriteString("五、同意将本承诺及信用修复结果向社会公开。\n\n")
	fmt.Fprintf(&b, "签署账号：%s\n签署日期：%s\n", signerID, credit.DateString(signedAt))
	return b.String()
}

// repairKind is the repair request (信用修复) kind of the workflow.
var repairKind = kind[models.RepairRequest, models.RepairStatus]{owner: OwnerRepair, noun: "信用修复申请", short: "申请",
	label: "repair", auditType: "repair_request", head: repairHead, filed: models.RepairSubmitted,
	pending: "REPAIR_PENDING", pendingMsg: "该记录已有正在办理的信用修复申请", pendingID: "repairId",
	open: []models.RepairStatus{models.RepairSubmitted, models.RepairUnderReview}, all: []models.RepairStatus{models.RepairSubmitted,
		models.RepairNeedsSupplement, models.RepairUnderReview, models.RepairApproved, models.RepairDenied}}

// Repairs runs credit repair requests (信用修复, R5.1): an enterprise files a
// request for one of its records with evidence and a signed commitment;
// credit officers review it within Config.RepairReviewDays working days,
// may ask for supplements, and approve it (the record becomes REPAIRED,
// its publication is withdrawn and the repair is published) or deny it.
// Get, ListForSubject, History, Evidence and Queue are the workflow's.
type Repairs struct {
	*flow[models.RepairRequest, models.RepairStatus]
}

// NewRepairs returns the repair service.
func NewRepairs(d Deps) *Repairs { return &Repairs{newFlow(repairKind, d)} }

func repairHead(r *models.RepairRequest) head[models.RepairStatus] {
	return head[models.RepairStatus]{&r.Entity, &r.RecordID, &r.SubjectID, &r.Status, &r.Version, &r.DueAt,
		&r.AssigneeID, &r.DecidedBy, &r.DecidedAt, &r.Decision, &r.OpenKey}
}

// FileRepair is what an enterprise sends to file a repair request.
type FileRepair struct {
	RecordID string
	// Statement explains how the dishonest act was corrected (1–2000
	// characters).
	Statement string
	// SignCommitment signs the credit-repair commitment shown by
	// CommitmentText (precondition (d)).
	SignCommitment bool
	// Evidence is at most Config.EvidenceMaxFiles PDF, JPEG or PNG files.
	Evidence []credit.Upload
}

// CommitmentText returns the credit-repair commitment the calling user
// would sign today for the record, and its template version, so the
// mini-program can show it before signing. The record must be visible to
// the caller (see record.Service.Get). It returns NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Repairs) CommitmentText(ctx context.Context, recordID string) (text, version string, err error) {
	rec, err := s.records.Get(ctx, recordID)
	if err != nil {
		return "", "", err
	}
	subj, ok, err := s.store.Records().Subject(ctx, rec.SubjectID)
	if err != nil || !ok {
		return "", "", credit.NotFound(err, "未找到该用水主体")
	}
	return RepairCommitment(subj.Name, credit.Deref(subj.USCC), rec, credit.ActorID(ctx), s.now()), RepairCommitmentVersion, nil
}

// File files a repair request for one of the caller's records (R5.1). The
// caller must be an ENTERPRISE user actively bound to the record's subject.
// The evidence is checked before anything is stored (see evidence.Read).
// Then all the preconditions are checked and every failed one is named at
// once:
//
//	(a) RECORD_NOT_ACTIVE: the record is ACTIVE (not repaired, revoked or
//	    under objection);
//	(b) MIN_PUBLICITY_NOT_OVER: the minimum publicity period of its
//	    kind and severity (Config.Publicity(kind, severity, DecidedOn).MinEnd) has ended
//	    by today; the error's detail "possibleFrom" (YYYY-MM-DD) is the
//	    first day a request can be filed (MINOR records have no minimum);
//	(c) OBLIGATION_NOT_MET: for an ARREARS record, every bill it cites is
//	    paid in full in the billing tables; detail "unpaidBills" lists the
//	    others;
//	(d) COMMITMENT_NOT_SIGNED: SignCommitment is true.
//
// The request, the commitment text with its SHA-256, the evidence, its
// history entry and an audit entry are stored in one transaction; DueAt is
// RepairReviewDays working days after filing.
//
// It returns UNAUTHENTICATED, FORBIDDEN (staff may not file; NOT_BOUND),
// INVALID (field recordId, statement or evidence), NOT_FOUND,
// CONFLICT (reason REPAIR_PENDING) when a request for the record is open,
// FAILED_PRECONDITION (reason REPAIR_PRECONDITIONS, detail "conditions":
// [{code, text}]) and INTERNAL.
func (s *Repairs) File(ctx context.Context, in FileRepair) (models.RepairRequest, error) {
	return s.file(ctx, filing[models.RepairRequest]{recordID: in.RecordID, text: in.Statement, field: "statement",
		textMsg: "请说明失信行为的纠正情况（最多 %d 字）", uploads: in.Evidence,
		build: func(st Store, rec models.DishonestyRecord, now time.Time, actor string) (models.RepairRequest, error) {
			if err := s.preconditions(ctx, st, rec, now, in.SignCommitment); err != nil {
				return models.RepairRequest{}, err
			}
			subj, ok, err := st.Records().Subject(ctx, rec.SubjectID)
			if err != nil || !ok {
				return models.RepairRequest{}, credit.NotFound(err, "未找到该用水主体")
			}
			text := RepairCommitment(subj.Name, credit.Deref(subj.USCC), rec, actor, now)
			sum := sha256.Sum256([]byte(text))
			return models.RepairRequest{FiledBy: actor, Statement: strings.TrimSpace(in.Statement),
				CommitmentText: text, CommitmentVersion: RepairCommitmentVersion, CommitmentSHA256: hex.EncodeToString(sum[:]),
				CommitmentSignedAt: now, MissingItems: "[]", DueAt: s.due(now, s.cfg.RepairReviewDays)}, nil
		},
		detail: func(req *models.RepairRequest, files int) string {
			return fmt.Sprintf("record=%s files=%d commitment=%s", req.RecordID, files, req.CommitmentSHA256)
		},
	})
}

// preconditions checks (a)–(d) of File and returns one FAILED_PRECONDITION
// naming every failed condition, or nil.
func (s *Repairs) preconditions(ctx context.Context, st Store, rec models.DishonestyRecord, now time.Time, signed bool) error {
	e := apperr.Precondition("REPAIR_PRECONDITIONS", "")
	var conds []map[string]string
	add := func(code, text string) {
		conds = append(conds, map[string]string{"code": code, "text": text})
	}
	if rec.Status != models.RecordActive {
		add("RECORD_NOT_ACTIVE", fmt.Sprintf("该记录状态为 %s，只有 ACTIVE（生效中）的记录才能申请信用修复", rec.Status))
	}
	if pub := s.records.Config().Publicity(rec.Kind, rec.Severity, rec.DecidedOn); pub.Published && pub.MinEnd.After(credit.DayOf(now)) {
		from := credit.DateString(pub.MinEnd)
		add("MIN_PUBLICITY_NOT_OVER", fmt.Sprintf("%s 记录的最短公示期至 %s 届满，自该日起可申请信用修复", rec.Severity, from))
		e = e.WithDetail("possibleFrom", from)
	}
	if rec.Kind == models.KindArrears {
		unpaid, err := unpaidBills(ctx, st, rec.Evidence)
		if err != nil {
			return err
		}
		if len(unpaid) > 0 {
			nos := make([]string, len(unpaid))
			parts := make([]string, len(unpaid))
			var total int64
			for i, b := range unpaid {
				nos[i] = b.BillNo
				parts[i] = fmt.Sprintf("%s（未缴 %s 元）", b.BillNo, credit.Yuan(b.UnpaidFen))
				if b.AmountFen == 0 && b.UnpaidFen == 0 {
					parts[i] = b.BillNo + "（营业收费系统中无此账单）"
				}
				total += b.UnpaidFen
			}
			add("OBLIGATION_NOT_MET", "水费未足额缴清：账单 "+strings.Join(parts, "、"))
			e = e.WithDetail("unpaidBills", nos).WithDetail("unpaidFen", total)
		}
	}
	if !signed {
		add("COMMITMENT_NOT_SIGNED", "须签署信用修复承诺书")
	}
	if len(conds) == 0 {
		return nil
	}
	texts := make([]string, len(conds))
	for i, c := range conds {
		texts[i] = c["text"]
	}
	e.Message = "不能提交信用修复申请：" + strings.Join(texts, "；")
	return e.WithDetail("conditions", conds)
}

// unpaidBills returns the bills cited by an ARREARS record's evidence that
// the billing tables do not show paid in full (a cited bill missing from
// them counts as unpaid). Evidence that cites no bills yields none: staff
// check such records by hand.
func unpaidBills(ctx context.Context, st Store, ev string) ([]credit.ArrearsBill, error) {
	var cited credit.ArrearsEvidence
	if json.Unmarshal([]byte(ev), &cited) != nil || len(cited.Bills) == 0 {
		return nil, nil
	}
	nos := make([]string, 0, len(cited.Bills))
	for _, b := range cited.Bills {
		if b.BillNo != "" && !slices.Contains(nos, b.BillNo) {
			nos = append(nos, b.BillNo)
		}
	}
	rows, err := st.Bills(ctx, nos)
	if err != nil {
		return nil, err
	}
	var out []credit.ArrearsBill
	for _, no := range nos {
		i := slices.IndexFunc(rows, func(r credit.ArrearsBill) bool { return r.BillNo == no })
		if i < 0 {
			out = append(out, credit.ArrearsBill{BillNo: no})
			continue
		}
		if r := rows[i]; r.PaidFen < r.AmountFen {
			out = append(out, credit.ArrearsBill{BillNo: no, AmountFen: r.AmountFen, PaidFen: r.PaidFen, UnpaidFen: r.AmountFen - r.PaidFen})
		}
	}
	return out, nil
}

// StartReview takes a SUBMITTED request into review (→ UNDER_REVIEW) with
// the caller as its assignee. CREDIT_OFFICER and ADMIN only. It returns
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, FAILED_PRECONDITION (reason
// INVALID_STATE, naming the current state), CONFLICT and INTERNAL.
func (s *Repairs) StartReview(ctx context.Context, id string, version *int) (models.RepairRequest, error) {
	uid, err := credit.RequireReviewer(ctx)
	if err != nil {
		return models.RepairRequest{}, err
	}
	return s.transition(ctx, id, version, step[models.RepairRequest, models.RepairStatus]{
		from: []models.RepairStatus{models.RepairSubmitted}, to: models.RepairUnderReview,
		verb: "进入复核", action: ActionReviewStarted, reason: "开始复核",
		apply: func(_ Store, req *models.RepairRequest, _ time.Time) error {
			req.AssigneeID = &uid
			return nil
		},
	})
}

// RequestSupplement asks the subject for the missing items, all listed at
// once (→ NEEDS_SUPPLEMENT); the review clock stops until Supplement.
// A request not yet assigned is assigned to the caller. version, when not
// nil, must be the request's current Version. CREDIT_OFFICER and ADMIN
// only. It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field missing: 1–20
// items of 1–200 characters), NOT_FOUND, FAILED_PRECONDITION (reason
// INVALID_STATE) unless the request is SUBMITTED or UNDER_REVIEW, CONFLICT
// (reason REQUEST_CHANGED) and INTERNAL.
func (s *Repairs) RequestSupplement(ctx context.Context, id string, missing []string, version *int) (models.RepairRequest, error) {
	uid, err := credit.RequireReviewer(ctx)
	if err != nil {
		return models.RepairRequest{}, err
	}
	items, err := cleanItems(missing)
	if err != nil {
		return models.RepairRequest{}, err
	}
	list, _ := json.Marshal(items)
	return s.transition(ctx, id, version, step[models.RepairRequest, models.RepairStatus]{
		from: []models.RepairStatus{models.RepairSubmitted, models.RepairUnderReview}, to: models.RepairNeedsSupplement,
		verb: "退回补充材料", action: ActionSupplementAsked,
		reason: credit.Truncate("需补充："+strings.Join(items, "；"), maxDecisionRunes), detail: map[string]any{"missingItems": items},
		apply: func(_ Store, req *models.RepairRequest, _ time.Time) error {
			req.MissingItems = string(list)
			if req.AssigneeID == nil {
				req.AssigneeID = &uid
			}
			return nil
		},
	})
}

// cleanItems trims, de-duplicates and checks the missing items.
func cleanItems(missing []string) ([]string, error) {
	var items []string
	for _, m := range missing {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if utf8.RuneCountInString(m) > maxMissingItemRunes {
			return nil, apperr.InvalidField("missing", "每项缺少材料最多 %d 字", maxMissingItemRunes)
		}
		if !slices.Contains(items, m) {
			items = append(items, m)
		}
	}
	switch {
	case len(items) == 0:
		return nil, apperr.InvalidField("missing", "请列出每一项缺少的材料（至少一项）")
	case len(items) > maxMissingItems:
		return nil, apperr.InvalidField("missing", "缺少材料最多列 %d 项", maxMissingItems)
	}
	return items, nil
}

// Supplement answers a request for a supplement with a text and/or files
// (→ UNDER_REVIEW); the review deadline starts again from now. The caller
// must be an ENTERPRISE user bound to the request's subject; the evidence
// is checked before anything is stored. It returns UNAUTHENTICATED,
// FORBIDDEN, INVALID (field text or evidence), NOT_FOUND,
// FAILED_PRECONDITION (reason INVALID_STATE) unless the request is
// NEEDS_SUPPLEMENT, CONFLICT and INTERNAL.
func (s *Repairs) Supplement(ctx context.Context, id, text string, uploads []credit.Upload) (models.RepairRequest, error) {
	actor, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.RepairRequest{}, err
	}
	text = strings.TrimSpace(text)
	switch {
	case utf8.RuneCountInString(text) > maxStatementRunes:
		return models.RepairRequest{}, apperr.InvalidField("text", "说明最多 %d 字", maxStatementRunes)
	case text == "" && len(uploads) == 0:
		return models.RepairRequest{}, apperr.InvalidField("text", "请填写说明或至少上传一个文件")
	}
	if _, err := s.Get(ctx, id); err != nil { // NOT_FOUND or not bound
		return models.RepairRequest{}, err
	}
	now := s.now().UTC()
	files, err := evidence.Read(uploads, s.cfg.Evidence, actor.UserID, now)
	if err != nil {
		return models.RepairRequest{}, err
	}
	reason := "已补充材料"
	if text != "" {
		files = append([]models.Evidence{evidence.Text(text, actor.UserID, now)}, files...)
		reason = text
	}
	return s.transition(ctx, id, nil, step[models.RepairRequest, models.RepairStatus]{
		from: []models.RepairStatus{models.RepairNeedsSupplement}, to: models.RepairUnderReview,
		verb: "补充材料", action: ActionSupplemented, reason: credit.Truncate(reason, maxDecisionRunes),
		detail: map[string]any{"files": len(uploads)},
		apply: func(st Store, req *models.RepairRequest, now time.Time) error {
			req.MissingItems, req.DueAt = "[]", s.due(now, s.cfg.RepairReviewDays)
			return st.AddEvidence(ctx, OwnerRepair, req.ID, files)
		},
	})
}

// repairPayload is the outbox payload of PUBLISH_REPAIR.
type repairPayload struct {
	RepairID string `json:"repairId"`
	RecordID string `json:"recordId"`
}

// Ref names the repair.
func (p repairPayload) Ref() string { return p.RepairID }

// Approve approves a request UNDER_REVIEW (→ APPROVED) and, in the same
// transaction, marks the record REPAIRED (record.Service.ChangeStatus:
// kept, not deleted; hidden from public views), queues the withdrawal of
// the record's publication when it was published or its publication is
// queued (outbox kind WITHDRAW_PUBLICATION, key "withdraw:record:<record
// id>") and queues the publication of the repair (kind PUBLISH_REPAIR, key
// "repair:<id>") (R5.1). CREDIT_OFFICER and ADMIN only. It returns
// UNAUTHENTICATED, FORBIDDEN, INVALID (field reason), NOT_FOUND,
// FAILED_PRECONDITION (reason INVALID_STATE naming the current state, or
// RECORD_NOT_ACTIVE when the record is under objection or revoked),
// CONFLICT and INTERNAL.
func (s *Repairs) Approve(ctx context.Context, id, reason string, version *int) (models.RepairRequest, error) {
	return s.conclude(ctx, id, reason, version, models.RepairApproved, ActionApproved, "批准",
		func(st Store, req *models.RepairRequest, reason string) error {
			rec, err := activeRecord(ctx, st, req.RecordID, "予以信用修复")
			if err != nil {
				return err
			}
			if _, err := s.records.ChangeStatus(ctx, st.Records(), rec.ID, models.RecordActive, models.RecordRepaired,
				credit.Truncate("信用修复申请 "+req.ID+" 已批准："+reason, maxDecisionRunes)); err != nil {
				return err
			}
			queued, err := record.QueueWithdrawal(ctx, st.Records(), rec, "信用修复已批准")
			if err != nil || !queued {
				return err // R1.5: a record never published has no repair to publish
			}
			return st.Enqueue(ctx, outbox.Message{Key: "repair:" + req.ID, Kind: KindPublishRepair, AggregateID: req.ID,
				Payload: repairPayload{RepairID: req.ID, RecordID: rec.ID}})
		})
}

// activeRecord locks the record on st and checks it is ACTIVE:
// FAILED_PRECONDITION (reason RECORD_NOT_ACTIVE, detail "recordStatus")
// otherwise, saying only an ACTIVE record can be <what>.
func activeRecord(ctx context.Context, st Store, id, what string) (models.DishonestyRecord, error) {
	rec, err := record.Find(ctx, st.Records(), id)
	if err == nil && rec.Status != models.RecordActive {
		err = apperr.Precondition("RECORD_NOT_ACTIVE", "该记录状态为 %s，只有 ACTIVE（生效中）的记录才能%s", rec.Status, what).
			WithDetail("recordStatus", string(rec.Status))
	}
	return rec, err
}

// Deny denies a request UNDER_REVIEW (→ DENIED); the record is unchanged.
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field reason), NOT_FOUND, FAILED_PRECONDITION (reason
// INVALID_STATE), CONFLICT and INTERNAL.
func (s *Repairs) Deny(ctx context.Context, id, reason string, version *int) (models.RepairRequest, error) {
	return s.conclude(ctx, id, reason, version, models.RepairDenied, ActionDenied, "不予批准", nil)
}

// conclude decides a request UNDER_REVIEW with a reason: effect runs in
// the transaction, then the decision closes the request.
func (s *Repairs) conclude(ctx context.Context, id, reason string, version *int, to models.RepairStatus, action, verb string,
	effect func(st Store, req *models.RepairRequest, reason string) error) (models.RepairRequest, error) {
	uid, err := credit.RequireReviewer(ctx)
	if err != nil {
		return models.RepairRequest{}, err
	}
	if reason, err = decisionReason(reason); err != nil {
		return models.RepairRequest{}, err
	}
	return s.transition(ctx, id, version, step[models.RepairRequest, models.RepairStatus]{
		from: []models.RepairStatus{models.RepairUnderReview}, to: to, verb: verb, action: action, reason: reason,
		apply: func(st Store, req *models.RepairRequest, now time.Time) error {
			if effect != nil {
				if err := effect(st, req, reason); err != nil {
					return err
				}
			}
			s.decide(req, uid, now, reason)
			return nil
		},
	})
}

// repairBody is the published content of an approved repair.
type repairBody struct {
	RepairID         string `json:"repairId"`
	RecordID         string `json:"recordId"`
	RecordKind       string `json:"recordKind"`
	KindLabel        string `json:"kindLabel"`
	RepairedOn       string `json:"repairedOn"`
	CommitmentSHA256 string `json:"commitmentSha256"`
}

// DeliverRepair returns the outbox handler of PUBLISH_REPAIR: it publishes
// the approved repair (R5.1) with the message key as the idempotency key
// and returns the publication ID; a repair of a subject without USCC is not
// published (empty result). Errors: INVALID (malformed payload), NOT_FOUND
// and FAILED_PRECONDITION (the repair is not APPROVED) are permanent; the
// platform's errors pass through.
func (s *Repairs) DeliverRepair(pub publication.Publisher) outbox.Handler {
	return record.Deliver("repair", func(ctx context.Context, msg models.OutboxMessage, pl repairPayload) (string, error) {
		var req models.RepairRequest
		if err := s.read(ctx, s.store, pl.RepairID, &req); err != nil {
			return "", err
		}
		if req.Status != models.RepairApproved || req.DecidedAt == nil {
			return "", apperr.Precondition("INVALID_STATE", "只有已批准的信用修复才会公示")
		}
		it, err := record.WithSubject(ctx, s.store.Records(), req.RecordID, req.SubjectID)
		if err != nil || credit.Deref(it.Subject.USCC) == "" {
			return "", err
		}
		rec := it.Record
		return record.Announce(ctx, pub, msg.Key, publication.Repair, "信用修复", it.Subject, rec.Kind, repairBody{
			RepairID: req.ID, RecordID: rec.ID, RecordKind: string(rec.Kind), KindLabel: credit.KindLabel(rec.Kind),
			RepairedOn: credit.DateString(*req.DecidedAt), CommitmentSHA256: req.CommitmentSHA256})
	})
}

// RepairDelivered is the outbox completion of DeliverRepair, on tx, the
// store bound to the transaction that marks the message done: it stores the
// publication ID on the repair request. It returns INVALID for a malformed
// payload or INTERNAL.
func (s *Repairs) RepairDelivered(ctx context.Context, tx Store, msg models.OutboxMessage, publicationID string) error {
	return record.Completed(msg, publicationID, "repair", func(pl repairPayload) error {
		return tx.SetRepairPublication(ctx, pl.RepairID, publicationID)
	})
}
