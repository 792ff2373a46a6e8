package credit

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/store"
)

// RepairConfig holds the deadlines and evidence limits of credit repairs
// and objections (R5.1–R5.3, R7.4). A zero field takes the default
// documented on it (SPEC "Defaults drawn from the rules").
type RepairConfig struct {
	// RepairReviewDays is how many working days staff have to decide a
	// repair request, counted from its filing or its last supplement.
	// Default 10 (信用中国 practice).
	RepairReviewDays int
	// ObjectionReviewDays is how many working days staff have to decide an
	// accepted objection, counted from its acceptance; a new objection is
	// due for acceptance within the same number of working days of its
	// filing. Default 5 (Shanghai Art. 36, Guangzhou, Shenzhen Art. 48–51).
	ObjectionReviewDays int
	// ObjectionMaxExtensionDays caps the one extension of an objection's
	// deadline, in working days. Default 5.
	ObjectionMaxExtensionDays int
	// EvidenceMaxBytes is the size limit of one evidence file. Default
	// 5 MiB.
	EvidenceMaxBytes int64
	// EvidenceMaxFiles is the most evidence files one request may carry.
	// Default 10.
	EvidenceMaxFiles int
	// RemindWithinWorkdays: RemindDue notifies the assignees of open items
	// due within this many working days, and of overdue ones. Default 1.
	RemindWithinWorkdays int
}

// DefaultRepairConfig returns the defaults of every setting.
func DefaultRepairConfig() RepairConfig { return RepairConfig{}.withDefaults() }

func (c RepairConfig) withDefaults() RepairConfig {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.RepairReviewDays, 10)
	def(&c.ObjectionReviewDays, 5)
	def(&c.ObjectionMaxExtensionDays, 5)
	def(&c.EvidenceMaxFiles, 10)
	def(&c.RemindWithinWorkdays, 1)
	if c.EvidenceMaxBytes <= 0 {
		c.EvidenceMaxBytes = 5 << 20
	}
	return c
}

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
	fmt.Fprintf(&b, "申请修复的失信记录：%s（%s，认定日期 %s）\n\n", rec.ID, kindLabel(rec.Kind), dateString(rec.DecidedOn))
	b.WriteString("本主体申请对上述失信记录进行信用修复，现郑重承诺：\n")
	b.WriteString("一、已纠正上述失信行为，履行了相关法定责任和约定义务（如已足额缴清欠缴的水费），消除了不良影响；\n")
	b.WriteString("二、本次申请提交的全部材料真实、准确、完整，如有虚假，愿意承担相应责任；\n")
	b.WriteString("三、今后自觉遵守供水用水相关法律法规和供用水合同的约定，诚信用水，按时足额缴纳水费；\n")
	b.WriteString("四、如违反本承诺，同意撤销本次信用修复，并依法依规接受失信惩戒；\n")
	b.WriteString("五、同意将本承诺及信用修复结果向社会公开。\n\n")
	fmt.Fprintf(&b, "签署账号：%s\n签署日期：%s\n", signerID, dateString(signedAt))
	return b.String()
}

// kindLabel is the Chinese name of a record kind.
func kindLabel(k models.RecordKind) string {
	switch k {
	case models.KindArrears:
		return "欠缴水费"
	case models.KindTheft:
		return "窃水"
	case models.KindViolation:
		return "违约用水"
	case models.KindBrokenPromise:
		return "违反信用承诺"
	}
	return string(k)
}

// Request history actions (RequestEvent.Action).
const (
	ActionFiled           = "FILED"
	ActionReviewStarted   = "REVIEW_STARTED"
	ActionSupplementAsked = "SUPPLEMENT_REQUESTED"
	ActionSupplemented    = "SUPPLEMENTED"
	ActionApproved        = "APPROVED"
	ActionDenied          = "DENIED"
	ActionAccepted        = "ACCEPTED"
	ActionNotAccepted     = "NOT_ACCEPTED"
	ActionExtended        = "EXTENDED"
	ActionDecided         = "DECIDED"
)

// Input limits of the workflows.
const (
	maxMissingItems     = 20
	maxMissingItemRunes = 200
	maxStatementRunes   = 2000
	maxDecisionRunes    = 1000
)

// Outbox message kinds of this package; the lead registers their handlers
// (Publications.DeliverDishonesty, DeliverWithdrawal, DeliverRepair).
const (
	KindPublishDishonesty   = "PUBLISH_DISHONESTY"
	KindWithdrawPublication = "WITHDRAW_PUBLICATION"
	KindPublishRepair       = "PUBLISH_REPAIR"
)

// Repairs runs credit repair requests (信用修复, R5.1): an enterprise files a
// request for one of its records with evidence and a signed commitment;
// credit officers review it within RepairConfig.RepairReviewDays working
// days, may ask for supplements, and approve it (the record becomes
// REPAIRED, its publication is withdrawn and the repair is published) or
// deny it.
type Repairs struct {
	db      *gorm.DB
	audit   *audit.Log
	records *Records
	cal     *calendar.Calendar
	cfg     RepairConfig
	now     func() time.Time
}

// NewRepairs returns the repair service working on records' database,
// audit log and credit Config; cal counts working days (nil:
// calendar.Default()).
func NewRepairs(records *Records, cal *calendar.Calendar, cfg RepairConfig) *Repairs {
	if cal == nil {
		cal = calendar.Default()
	}
	return &Repairs{db: records.db, audit: records.audit, records: records, cal: cal, cfg: cfg.withDefaults(), now: time.Now}
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
	// Evidence is at most RepairConfig.EvidenceMaxFiles PDF, JPEG or PNG
	// files.
	Evidence []Upload
}

// CommitmentText returns the credit-repair commitment the calling user
// would sign today for the record, and its template version, so the
// mini-program can show it before signing. The record must be visible to
// the caller (see Records.Get). It returns NOT_FOUND, UNAUTHENTICATED,
// FORBIDDEN or INTERNAL.
func (s *Repairs) CommitmentText(ctx context.Context, recordID string) (text, version string, err error) {
	rec, err := s.records.Get(ctx, recordID)
	if err != nil {
		return "", "", err
	}
	subj, err := loadSubject(s.db.WithContext(ctx), rec.SubjectID)
	if err != nil {
		return "", "", err
	}
	return RepairCommitment(subj.Name, deref(subj.USCC), rec, actorID(ctx), s.now()), RepairCommitmentVersion, nil
}

// File files a repair request for one of the caller's records (R5.1). The
// caller must be an ENTERPRISE user actively bound to the record's subject.
// The evidence is checked before anything is stored (see Upload). Then all
// the preconditions are checked and every failed one is named at once:
//
//	(a) RECORD_NOT_ACTIVE: the record is ACTIVE (not repaired, revoked or
//	    under objection);
//	(b) MIN_PUBLICITY_NOT_OVER: the minimum publicity period of its
//	    severity (Config.Publicity(severity, DecidedOn).MinEnd) has ended
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
	actor, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.RepairRequest{}, err
	}
	in.RecordID, in.Statement = strings.TrimSpace(in.RecordID), strings.TrimSpace(in.Statement)
	switch {
	case in.RecordID == "" || len(in.RecordID) > 36:
		return models.RepairRequest{}, apperr.InvalidField("recordId", "the record is required")
	case in.Statement == "" || utf8.RuneCountInString(in.Statement) > maxStatementRunes:
		return models.RepairRequest{}, apperr.InvalidField("statement", "a statement of how the act was corrected is required (at most %d characters)", maxStatementRunes)
	}
	if rec, err := s.records.Get(ctx, in.RecordID); err != nil { // NOT_FOUND or not bound
		return models.RepairRequest{}, err
	} else if _, err := s.records.acc.subject(ctx, rec.SubjectID, dispute...); err != nil { // R6.6: DISPUTE scope
		return models.RepairRequest{}, err
	}
	now := s.now().UTC()
	files, err := evidence.Read(in.Evidence, s.cfg.evidenceLimits(), actor.UserID, now)
	if err != nil {
		return models.RepairRequest{}, err
	}
	var req models.RepairRequest
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rec, err := lockRecord(tx, in.RecordID)
		if err != nil {
			return err
		}
		var open models.RepairRequest
		res := tx.Select("id").Where("open_key = ?", rec.ID).Limit(1).Find(&open)
		if res.Error != nil {
			return apperr.Wrap(res.Error, apperr.Internal, "could not read the repair requests")
		}
		if res.RowsAffected > 0 {
			return apperr.New(apperr.Conflict, "a repair request for this record is already open").
				WithReason("REPAIR_PENDING").WithDetail("repairId", open.ID)
		}
		if err := s.preconditions(tx, rec, now, in.SignCommitment); err != nil {
			return err
		}
		subj, err := loadSubject(tx, rec.SubjectID)
		if err != nil {
			return err
		}
		text := RepairCommitment(subj.Name, deref(subj.USCC), rec, actor.UserID, now)
		sum := sha256.Sum256([]byte(text))
		key := rec.ID
		req = models.RepairRequest{
			RecordID: rec.ID, SubjectID: rec.SubjectID, FiledBy: actor.UserID, Statement: in.Statement,
			CommitmentText: text, CommitmentVersion: RepairCommitmentVersion, CommitmentSHA256: hex.EncodeToString(sum[:]),
			CommitmentSignedAt: now, Status: models.RepairSubmitted, MissingItems: "[]",
			DueAt: s.due(now, s.cfg.RepairReviewDays), OpenKey: &key, Version: 1,
		}
		req.ID = models.NewID()
		req.CreatedAt, req.UpdatedAt = now, now
		if err := tx.Create(&req).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperr.New(apperr.Conflict, "a repair request for this record is already open").WithReason("REPAIR_PENDING")
			}
			return apperr.Wrap(err, apperr.Internal, "could not store the repair request")
		}
		if err := evidence.Store(tx, OwnerRepair, req.ID, files); err != nil {
			return err
		}
		if err := addEvent(tx, OwnerRepair, req.ID, now, actor.UserID, ActionFiled, "", string(models.RepairSubmitted), in.Statement, nil); err != nil {
			return err
		}
		return recordAudit(ctx, s.audit, tx, audit.Entry{Action: "repair.file", SubjectType: "repair_request", SubjectID: req.ID,
			Detail: fmt.Sprintf("record=%s files=%d commitment=%s", rec.ID, len(files), req.CommitmentSHA256)})
	})
	if err != nil {
		return models.RepairRequest{}, internalUnlessTyped(err, "could not file the repair request")
	}
	return req, nil
}

// preconditions checks (a)–(d) of File and returns one FAILED_PRECONDITION
// naming every failed condition, or nil.
func (s *Repairs) preconditions(tx *gorm.DB, rec models.DishonestyRecord, now time.Time, signed bool) error {
	e := apperr.Precondition("REPAIR_PRECONDITIONS", "")
	var conds []map[string]string
	add := func(code, text string) {
		conds = append(conds, map[string]string{"code": code, "text": text})
	}
	if rec.Status != models.RecordActive {
		add("RECORD_NOT_ACTIVE", fmt.Sprintf("the record is %s; only an ACTIVE record can be repaired", rec.Status))
	}
	if pub := s.records.cfg.Publicity(rec.Severity, rec.DecidedOn); pub.Published && pub.MinEnd.After(DayOf(now)) {
		from := dateString(pub.MinEnd)
		add("MIN_PUBLICITY_NOT_OVER", fmt.Sprintf("the minimum publicity period of a %s record ends on %s; a repair can be filed from that day", rec.Severity, from))
		e = e.WithDetail("possibleFrom", from)
	}
	if rec.Kind == models.KindArrears {
		unpaid, err := unpaidBills(tx, rec.Evidence)
		if err != nil {
			return err
		}
		if len(unpaid) > 0 {
			nos := make([]string, len(unpaid))
			parts := make([]string, len(unpaid))
			var total int64
			for i, b := range unpaid {
				nos[i] = b.BillNo
				parts[i] = fmt.Sprintf("%s (¥%s unpaid)", b.BillNo, yuan(b.UnpaidFen))
				if b.AmountFen == 0 && b.UnpaidFen == 0 {
					parts[i] = b.BillNo + " (not found in the billing records)"
				}
				total += b.UnpaidFen
			}
			add("OBLIGATION_NOT_MET", "the fees are not paid in full: bills "+strings.Join(parts, ", "))
			e = e.WithDetail("unpaidBills", nos).WithDetail("unpaidFen", total)
		}
	}
	if !signed {
		add("COMMITMENT_NOT_SIGNED", "the credit-repair commitment (信用修复承诺书) must be signed")
	}
	if len(conds) == 0 {
		return nil
	}
	texts := make([]string, len(conds))
	for i, c := range conds {
		texts[i] = c["text"]
	}
	e.Message = "the repair request cannot be filed: " + strings.Join(texts, "; ")
	return e.WithDetail("conditions", conds)
}

// billPaid is a bill with the sum of its payments.
type billPaid struct {
	BillNo    string
	AmountFen int64
	PaidFen   int64
}

// unpaidBills returns the bills cited by an ARREARS record's evidence that
// the billing tables do not show paid in full (a cited bill missing from
// them counts as unpaid). Evidence that cites no bills yields none: staff
// check such records by hand.
func unpaidBills(tx *gorm.DB, evidence string) ([]ArrearsBill, error) {
	var ev ArrearsEvidence
	if json.Unmarshal([]byte(evidence), &ev) != nil || len(ev.Bills) == 0 {
		return nil, nil
	}
	nos := make([]string, 0, len(ev.Bills))
	for _, b := range ev.Bills {
		if b.BillNo != "" && !slices.Contains(nos, b.BillNo) {
			nos = append(nos, b.BillNo)
		}
	}
	var rows []billPaid
	err := tx.Raw(`SELECT b.bill_no, b.amount_fen,
		(SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p WHERE p.bill_no = b.bill_no) AS paid_fen
		FROM bills b WHERE b.bill_no IN ?`, nos).Scan(&rows).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the bills")
	}
	var out []ArrearsBill
	for _, no := range nos {
		i := slices.IndexFunc(rows, func(r billPaid) bool { return r.BillNo == no })
		if i < 0 {
			out = append(out, ArrearsBill{BillNo: no})
			continue
		}
		if r := rows[i]; r.PaidFen < r.AmountFen {
			out = append(out, ArrearsBill{BillNo: no, AmountFen: r.AmountFen, PaidFen: r.PaidFen, UnpaidFen: r.AmountFen - r.PaidFen})
		}
	}
	return out, nil
}

// due is the deadline n working days after t, in UTC.
func (s *Repairs) due(t time.Time, n int) time.Time { return s.cal.AddWorkdays(t, n).UTC() }

// repairStep is one transition of a repair request.
type repairStep struct {
	from   []models.RepairStatus
	to     models.RepairStatus
	verb   string
	action string
	reason string
	detail any
	// apply checks more and makes the side effects inside the transaction;
	// it may add columns to set.
	apply func(tx *gorm.DB, req *models.RepairRequest, now time.Time, set map[string]any) error
}

// transition moves request id through st in one transaction: it locks the
// request, checks its state (FAILED_PRECONDITION, reason INVALID_STATE,
// detail "status") and version (CONFLICT, reason REQUEST_CHANGED), runs
// st.apply and updates the row under optimistic locking, then appends the
// history entry and an audit entry.
func (s *Repairs) transition(ctx context.Context, id string, version *int, st repairStep) (models.RepairRequest, error) {
	var req models.RepairRequest
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockFind(tx, &req, id, "repair request"); err != nil {
			return err
		}
		if !slices.Contains(st.from, req.Status) {
			return apperr.Precondition("INVALID_STATE", "the repair request is %s; only a %s request can be %s",
				req.Status, joinStatuses(st.from), st.verb).WithDetail("status", string(req.Status))
		}
		if version != nil && *version != req.Version {
			return apperr.New(apperr.Conflict, "the repair request was changed by someone else; reload it").
				WithReason("REQUEST_CHANGED").WithDetail("version", req.Version)
		}
		now, from := s.now().UTC(), req.Status
		set := map[string]any{"status": st.to, "version": gorm.Expr("version + 1"), "updated_at": now}
		if st.apply != nil {
			if err := st.apply(tx, &req, now, set); err != nil {
				return err
			}
		}
		upd := tx.Model(&models.RepairRequest{}).Where("id = ? AND version = ?", req.ID, req.Version).Updates(set)
		if upd.Error != nil {
			return apperr.Wrap(upd.Error, apperr.Internal, "could not update the repair request")
		}
		if upd.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "the repair request was changed by someone else; reload it").WithReason("REQUEST_CHANGED")
		}
		if err := tx.Where("id = ?", req.ID).Take(&req).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "could not read the repair request")
		}
		if err := addEvent(tx, OwnerRepair, req.ID, now, actorID(ctx), st.action, string(from), string(st.to), st.reason, st.detail); err != nil {
			return err
		}
		return recordAudit(ctx, s.audit, tx, audit.Entry{Action: "repair." + strings.ToLower(st.action), SubjectType: "repair_request",
			SubjectID: req.ID, Detail: fmt.Sprintf("%s->%s record=%s", from, st.to, req.RecordID)})
	})
	if err != nil {
		return models.RepairRequest{}, internalUnlessTyped(err, "could not change the repair request")
	}
	return req, nil
}

// requireReviewer admits the roles that review repairs and objections
// (CREDIT_OFFICER, ADMIN) and returns the caller's user ID.
func requireReviewer(ctx context.Context) (string, error) {
	a, err := auth.Require(ctx, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return "", err
	}
	return a.UserID, nil
}

// StartReview takes a SUBMITTED request into review (→ UNDER_REVIEW) with
// the caller as its assignee. CREDIT_OFFICER and ADMIN only. It returns
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, FAILED_PRECONDITION (reason
// INVALID_STATE, naming the current state), CONFLICT and INTERNAL.
func (s *Repairs) StartReview(ctx context.Context, id string) (models.RepairRequest, error) {
	uid, err := requireReviewer(ctx)
	if err != nil {
		return models.RepairRequest{}, err
	}
	return s.transition(ctx, id, nil, repairStep{
		from: []models.RepairStatus{models.RepairSubmitted}, to: models.RepairUnderReview,
		verb: "taken into review", action: ActionReviewStarted, reason: "review started",
		apply: func(_ *gorm.DB, _ *models.RepairRequest, _ time.Time, set map[string]any) error {
			set["assignee_id"] = uid
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
	uid, err := requireReviewer(ctx)
	if err != nil {
		return models.RepairRequest{}, err
	}
	items, err := cleanItems(missing)
	if err != nil {
		return models.RepairRequest{}, err
	}
	list, _ := json.Marshal(items)
	return s.transition(ctx, id, version, repairStep{
		from: []models.RepairStatus{models.RepairSubmitted, models.RepairUnderReview}, to: models.RepairNeedsSupplement,
		verb: "sent back for a supplement", action: ActionSupplementAsked,
		reason: truncate("missing: "+strings.Join(items, "; "), maxDecisionRunes), detail: map[string]any{"missingItems": items},
		apply: func(_ *gorm.DB, req *models.RepairRequest, _ time.Time, set map[string]any) error {
			set["missing_items"] = string(list)
			if req.AssigneeID == nil {
				set["assignee_id"] = uid
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
			return nil, apperr.InvalidField("missing", "each missing item is at most %d characters", maxMissingItemRunes)
		}
		if !slices.Contains(items, m) {
			items = append(items, m)
		}
	}
	switch {
	case len(items) == 0:
		return nil, apperr.InvalidField("missing", "list every missing item (at least one)")
	case len(items) > maxMissingItems:
		return nil, apperr.InvalidField("missing", "at most %d missing items", maxMissingItems)
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
func (s *Repairs) Supplement(ctx context.Context, id, text string, uploads []Upload) (models.RepairRequest, error) {
	actor, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.RepairRequest{}, err
	}
	text = strings.TrimSpace(text)
	switch {
	case utf8.RuneCountInString(text) > maxStatementRunes:
		return models.RepairRequest{}, apperr.InvalidField("text", "the text is at most %d characters", maxStatementRunes)
	case text == "" && len(uploads) == 0:
		return models.RepairRequest{}, apperr.InvalidField("text", "send a text or at least one file")
	}
	if _, err := s.Get(ctx, id); err != nil { // NOT_FOUND or not bound
		return models.RepairRequest{}, err
	}
	now := s.now().UTC()
	files, err := evidence.Read(uploads, s.cfg.evidenceLimits(), actor.UserID, now)
	if err != nil {
		return models.RepairRequest{}, err
	}
	if text != "" {
		files = append([]models.Evidence{evidence.Text(text, actor.UserID, now)}, files...)
	}
	return s.transition(ctx, id, nil, repairStep{
		from: []models.RepairStatus{models.RepairNeedsSupplement}, to: models.RepairUnderReview,
		verb: "supplemented", action: ActionSupplemented, reason: truncate(orDefault(text, "files supplemented"), maxDecisionRunes),
		detail: map[string]any{"files": len(uploads)},
		apply: func(tx *gorm.DB, req *models.RepairRequest, now time.Time, set map[string]any) error {
			set["missing_items"] = "[]"
			set["due_at"] = s.due(now, s.cfg.RepairReviewDays)
			return evidence.Store(tx, OwnerRepair, req.ID, files)
		},
	})
}

// Approve approves a request UNDER_REVIEW (→ APPROVED) and, in the same
// transaction, marks the record REPAIRED (Records.ChangeStatus: kept, not
// deleted; hidden from public views), queues the withdrawal of the
// record's publication when it was published or its publication is queued
// (outbox kind WITHDRAW_PUBLICATION, key "withdraw:record:<record id>") and
// queues the publication of the repair (kind PUBLISH_REPAIR, key
// "repair:<id>") (R5.1). CREDIT_OFFICER and ADMIN only. It returns
// UNAUTHENTICATED, FORBIDDEN, INVALID (field reason), NOT_FOUND,
// FAILED_PRECONDITION (reason INVALID_STATE naming the current state, or
// RECORD_NOT_ACTIVE when the record is under objection or revoked),
// CONFLICT and INTERNAL.
func (s *Repairs) Approve(ctx context.Context, id, reason string) (models.RepairRequest, error) {
	uid, err := requireReviewer(ctx)
	if err != nil {
		return models.RepairRequest{}, err
	}
	reason, err = decisionReason(reason)
	if err != nil {
		return models.RepairRequest{}, err
	}
	return s.transition(ctx, id, nil, repairStep{
		from: []models.RepairStatus{models.RepairUnderReview}, to: models.RepairApproved,
		verb: "approved", action: ActionApproved, reason: reason,
		apply: func(tx *gorm.DB, req *models.RepairRequest, now time.Time, set map[string]any) error {
			rec, err := lockRecord(tx, req.RecordID)
			if err != nil {
				return err
			}
			if rec.Status != models.RecordActive {
				return apperr.Precondition("RECORD_NOT_ACTIVE", "the record is %s; only an ACTIVE record can be repaired", rec.Status).
					WithDetail("recordStatus", string(rec.Status))
			}
			if _, err := s.records.ChangeStatus(ctx, tx, rec.ID, models.RecordActive, models.RecordRepaired,
				truncate("repair "+req.ID+" approved: "+reason, maxDecisionRunes)); err != nil {
				return err
			}
			if _, err := queueWithdrawal(ctx, tx, rec, "信用修复 (credit repair approved)"); err != nil {
				return err
			}
			if err := outbox.Enqueue(ctx, tx, outbox.Message{Key: "repair:" + req.ID, Kind: KindPublishRepair, AggregateID: req.ID,
				Payload: repairPayload{RepairID: req.ID, RecordID: rec.ID}}); err != nil {
				return err
			}
			decide(set, uid, now, reason)
			return nil
		},
	})
}

// Deny denies a request UNDER_REVIEW (→ DENIED); the record is unchanged.
// CREDIT_OFFICER and ADMIN only. It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field reason), NOT_FOUND, FAILED_PRECONDITION (reason
// INVALID_STATE), CONFLICT and INTERNAL.
func (s *Repairs) Deny(ctx context.Context, id, reason string) (models.RepairRequest, error) {
	uid, err := requireReviewer(ctx)
	if err != nil {
		return models.RepairRequest{}, err
	}
	reason, err = decisionReason(reason)
	if err != nil {
		return models.RepairRequest{}, err
	}
	return s.transition(ctx, id, nil, repairStep{
		from: []models.RepairStatus{models.RepairUnderReview}, to: models.RepairDenied,
		verb: "denied", action: ActionDenied, reason: reason,
		apply: func(_ *gorm.DB, _ *models.RepairRequest, now time.Time, set map[string]any) error {
			decide(set, uid, now, reason)
			return nil
		},
	})
}

// decide sets the decision columns and closes the request or objection.
func decide(set map[string]any, uid string, now time.Time, reason string) {
	set["decided_by"], set["decided_at"], set["decision"], set["open_key"] = uid, now, reason, nil
}

func decisionReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxDecisionRunes {
		return "", apperr.InvalidField("reason", "a reason is required (at most %d characters)", maxDecisionRunes)
	}
	return reason, nil
}

// Get returns a repair request. Staff see every request; an ENTERPRISE
// user only requests of subjects it is bound to. It returns NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Repairs) Get(ctx context.Context, id string) (models.RepairRequest, error) {
	var req models.RepairRequest
	if err := findByID(s.db.WithContext(ctx), &req, id, "repair request"); err != nil {
		return models.RepairRequest{}, err
	}
	if _, err := s.records.acc.subject(ctx, req.SubjectID, dispute...); err != nil {
		return models.RepairRequest{}, err
	}
	return req, nil
}

// ListForSubject returns the subject's repair requests, newest first (at
// most 200), under the access rule of Get. It returns UNAUTHENTICATED,
// FORBIDDEN or INTERNAL.
func (s *Repairs) ListForSubject(ctx context.Context, subjectID string) ([]models.RepairRequest, error) {
	if _, err := s.records.acc.subject(ctx, subjectID, dispute...); err != nil {
		return nil, err
	}
	var out []models.RepairRequest
	if err := s.db.WithContext(ctx).Where("subject_id = ?", subjectID).Order("created_at DESC, id DESC").Limit(200).Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the repair requests")
	}
	return out, nil
}

// History returns the request's history, oldest first, under the access
// rule of Get. It returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or
// INTERNAL.
func (s *Repairs) History(ctx context.Context, id string) ([]models.RequestEvent, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return listEvents(ctx, s.db, OwnerRepair, id)
}

// Evidence lists the request's evidence without file contents (see
// Reviews.EvidenceFile), oldest first, under the access rule of Get. It
// returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Repairs) Evidence(ctx context.Context, id string) ([]models.Evidence, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return evidence.List(ctx, s.db, OwnerRepair, id)
}

// RepairFilter selects requests of the staff queue; zero fields match all.
type RepairFilter struct {
	Status     models.RepairStatus
	AssigneeID string
	// OverdueOnly keeps open (SUBMITTED or UNDER_REVIEW) requests past
	// their DueAt.
	OverdueOnly bool
}

// QueuedRepair is a request in the staff queue.
type QueuedRepair struct {
	models.RepairRequest
	// Overdue: the request is open (SUBMITTED or UNDER_REVIEW) and now is
	// after its DueAt.
	Overdue bool
}

// RepairPage is one page of the staff queue, earliest deadline first.
type RepairPage struct {
	Items      []QueuedRepair
	EndCursor  string
	HasNext    bool
	TotalCount int64
}

// openRepair reports whether staff owe the request a decision.
func openRepair(st models.RepairStatus) bool {
	return st == models.RepairSubmitted || st == models.RepairUnderReview
}

// Queue returns the staff queue of repair requests matching f, ordered by
// DueAt, first at a time (1–100, default 20) after the opaque cursor after.
// Staff roles only. It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field
// status or after) and INTERNAL.
func (s *Repairs) Queue(ctx context.Context, f RepairFilter, first int, after string) (RepairPage, error) {
	var page RepairPage
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return page, err
	}
	q := s.db.WithContext(ctx).Model(&models.RepairRequest{})
	if f.Status != "" {
		if !slices.Contains([]models.RepairStatus{models.RepairSubmitted, models.RepairNeedsSupplement, models.RepairUnderReview,
			models.RepairApproved, models.RepairDenied}, f.Status) {
			return page, apperr.InvalidField("status", "unknown repair status")
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.AssigneeID != "" {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	now := s.now().UTC()
	if f.OverdueOnly {
		q = q.Where("status IN ? AND due_at < ?", []models.RepairStatus{models.RepairSubmitted, models.RepairUnderReview}, now)
	}
	items, err := pageByDue(q, first, after, &page.TotalCount, func(r models.RepairRequest) (time.Time, string) { return r.DueAt, r.ID })
	if err != nil {
		return page, err
	}
	for _, r := range items.rows {
		page.Items = append(page.Items, QueuedRepair{RepairRequest: r, Overdue: openRepair(r.Status) && now.After(r.DueAt)})
	}
	page.EndCursor, page.HasNext = items.end, items.hasNext
	return page, nil
}

// ---- helpers shared by repairs, objections and deadlines ----

// lockFind reads the row with public id into dst, locking it FOR UPDATE
// on MySQL (SQLite transactions hold the write lock already). It returns
// NOT_FOUND naming what, or INTERNAL.
func lockFind(tx *gorm.DB, dst any, id, what string) error {
	q := tx.Where("id = ?", id).Limit(1)
	if store.IsMySQL(tx) {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	res := q.Find(dst)
	if res.Error != nil {
		return apperr.Wrap(res.Error, apperr.Internal, "could not read the %s", what)
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "%s not found", what)
	}
	return nil
}

// findByID reads the row with public id into dst; NOT_FOUND or INTERNAL.
func findByID(db *gorm.DB, dst any, id, what string) error {
	res := db.Where("id = ?", id).Limit(1).Find(dst)
	if res.Error != nil {
		return apperr.Wrap(res.Error, apperr.Internal, "could not read the %s", what)
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "%s not found", what)
	}
	return nil
}

func lockRecord(tx *gorm.DB, id string) (models.DishonestyRecord, error) {
	var rec models.DishonestyRecord
	err := lockFind(tx, &rec, id, "record")
	return rec, err
}

func loadSubject(db *gorm.DB, id string) (models.Subject, error) {
	var s models.Subject
	err := findByID(db, &s, id, "subject")
	return s, err
}

// addEvent appends one history entry of a request; detail, when not nil,
// is stored as JSON.
func addEvent(tx *gorm.DB, ownerType, ownerID string, at time.Time, actor, action, from, to, reason string, detail any) error {
	ev := models.RequestEvent{OwnerType: ownerType, OwnerID: ownerID, At: at, ActorID: actor, Action: action,
		FromStatus: from, ToStatus: to, Reason: truncate(reason, maxDecisionRunes)}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return apperr.Wrap(err, apperr.Internal, "could not encode the history detail")
		}
		ev.Detail = string(b)
	}
	if err := tx.Create(&ev).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not store the request history")
	}
	return nil
}

func listEvents(ctx context.Context, db *gorm.DB, ownerType, ownerID string) ([]models.RequestEvent, error) {
	var evs []models.RequestEvent
	if err := db.WithContext(ctx).Where("owner_type = ? AND owner_id = ?", ownerType, ownerID).Order("id ASC").Find(&evs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the request history")
	}
	return evs, nil
}

func joinStatuses[S ~string](ss []S) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// duePageResult is one page of rows ordered by (DueAt, ID).
type duePageResult[T any] struct {
	rows    []T
	end     string
	hasNext bool
}

// pageByDue counts q into total and returns first rows (1–100, default 20)
// ordered by due_at, id, after the opaque cursor after. It returns INVALID
// (field after) or INTERNAL.
func pageByDue[T any](q *gorm.DB, first int, after string, total *int64, key func(T) (time.Time, string)) (duePageResult[T], error) {
	var out duePageResult[T]
	if err := q.Count(total).Error; err != nil {
		return out, apperr.Wrap(err, apperr.Internal, "could not count the queue")
	}
	if after != "" {
		due, id, err := decodeDueCursor(after)
		if err != nil {
			return out, err
		}
		q = q.Where("(due_at > ? OR (due_at = ? AND id > ?))", due, due, id)
	}
	first = clampFirst(first)
	if err := q.Order("due_at ASC, id ASC").Limit(first + 1).Find(&out.rows).Error; err != nil {
		return out, apperr.Wrap(err, apperr.Internal, "could not read the queue")
	}
	if len(out.rows) > first {
		out.rows, out.hasNext = out.rows[:first], true
	}
	if n := len(out.rows); n > 0 {
		out.end = encodeDueCursor(key(out.rows[n-1]))
	}
	return out, nil
}

func encodeDueCursor(due time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("due:" + strconv.FormatInt(due.UnixMilli(), 10) + ":" + id))
}

func decodeDueCursor(c string) (time.Time, string, error) {
	bad := apperr.InvalidField("after", "the cursor is not valid")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 80 {
		return time.Time{}, "", bad
	}
	parts := strings.SplitN(string(b), ":", 3)
	if len(parts) != 3 || parts[0] != "due" || parts[2] == "" {
		return time.Time{}, "", bad
	}
	ms, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return time.Time{}, "", bad
	}
	return time.UnixMilli(ms).UTC(), parts[2], nil
}
