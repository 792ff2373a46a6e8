package creditdb

import (
	"context"
	"time"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/credit/rules"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/store"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Records is the record store on the same handle.
func (s *Rules) Records() record.Store { return &Records{s.conn} }

// unpaidSQL is what is unpaid of a bill (never negative).
const unpaidSQL = `SUM(CASE WHEN x.amount_fen > x.paid_fen THEN x.amount_fen - x.paid_fen ELSE 0 END)`

// ArrearsCandidates runs the ARREARS rule's one SELECT over reminders,
// accounts, bills, payments, records and exemptions.
func (s *Rules) ArrearsCandidates(ctx context.Context, q rules.ArrearsQuery) ([]rules.Candidate, error) {
	db := s.q(ctx)
	sourceKey := "@prefix || r.reminder_no"
	if store.IsMySQL(db) {
		sourceKey = "CONCAT(@prefix, r.reminder_no)"
	}
	stmt := `SELECT x.reminder_no, x.account_no, x.subject_id, x.noticed_on, ` + unpaidSQL + ` AS unpaid_fen
	FROM (SELECT r.reminder_no, r.account_no, a.subject_id, n.noticed_on, b.amount_fen, ` + paidSQL + ` AS paid_fen
		FROM reminders r
		JOIN accounts a ON a.account_no = r.account_no
		JOIN reminder_bills rb ON rb.reminder_no = r.reminder_no
		JOIN bills b ON b.bill_no = rb.bill_no
		LEFT JOIN arrears_notices n ON n.reminder_no = r.reminder_no
		WHERE r.served_on < @servedBefore
		AND a.subject_id IS NOT NULL AND a.subject_id <> ''
		AND NOT EXISTS (SELECT 1 FROM dishonesty_records d WHERE d.source_key = ` + sourceKey + `)
		AND NOT EXISTS (SELECT 1 FROM exemptions e WHERE e.account_no = r.account_no AND e.status = @approved
			AND (((e.reminder_no IS NULL OR e.reminder_no = '') AND (e.bill_no IS NULL OR e.bill_no = ''))
				OR e.reminder_no = r.reminder_no
				OR EXISTS (SELECT 1 FROM reminder_bills eb WHERE eb.reminder_no = r.reminder_no AND eb.bill_no = e.bill_no))
			AND (e.valid_from IS NULL OR e.valid_from < @dayEnd)
			AND (e.valid_to IS NULL OR e.valid_to >= @dayStart))
	) x
	GROUP BY x.reminder_no, x.account_no, x.subject_id, x.noticed_on
	HAVING ` + unpaidSQL + ` >= @threshold
	ORDER BY x.reminder_no`
	var cands []rules.Candidate
	err := db.Raw(stmt, map[string]any{"prefix": q.KeyPrefix, "servedBefore": q.ServedBefore,
		"dayStart": q.DayStart, "dayEnd": q.DayEnd, "threshold": q.ThresholdFen,
		"approved": models.ExemptionApproved}).Scan(&cands).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法查询逾期催告")
	}
	return cands, nil
}

// InsertNotice stores a prior notice unless its reminder has one.
func (s *Rules) InsertNotice(ctx context.Context, n models.ArrearsNotice) (bool, error) {
	res := s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&n)
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法保存欠费预先告知")
	}
	return res.RowsAffected > 0, nil
}

// InsertExemption stores a new exemption.
func (s *Rules) InsertExemption(ctx context.Context, ex models.Exemption) error {
	return s.create(ctx, &ex, "正当理由")
}

// Exemption reads an exemption, locked inside a transaction.
func (s *Rules) Exemption(ctx context.Context, id string) (models.Exemption, bool, error) {
	return one[models.Exemption](ctx, s.conn, true, "正当理由", "id = ?", id)
}

// DecideExemption writes a decision while the exemption is PENDING at
// version.
func (s *Rules) DecideExemption(ctx context.Context, ex models.Exemption, version int) (bool, error) {
	res := s.q(ctx).Model(&models.Exemption{}).Where("id = ? AND status = ? AND version = ?", ex.ID, models.ExemptionPending, version).
		Updates(map[string]any{"status": ex.Status, "decided_by": ex.DecidedBy, "decided_at": ex.DecidedAt,
			"decision_note": ex.DecisionNote, "version": ex.Version, "updated_at": ex.UpdatedAt})
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法对正当理由作出决定")
	}
	return res.RowsAffected > 0, nil
}

// TouchExemption moves a PENDING exemption at version to the next one.
func (s *Rules) TouchExemption(ctx context.Context, id string, version int, at time.Time) (bool, error) {
	res := s.q(ctx).Model(&models.Exemption{}).Where("id = ? AND status = ? AND version = ?", id, models.ExemptionPending, version).
		Updates(map[string]any{"version": version + 1, "updated_at": at})
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法更新正当理由")
	}
	return res.RowsAffected > 0, nil
}

// AddExemptionEvidence stores an exemption's evidence (evidence.Store).
func (s *Rules) AddExemptionEvidence(ctx context.Context, id string, files []models.Evidence) error {
	return evidence.Store(s.q(ctx), rules.OwnerExemption, id, files)
}

// ExemptionEvidence lists exemptions' evidence without contents
// (evidence.List), on the transaction when there is one.
func (s *Rules) ExemptionEvidence(ctx context.Context, ids ...string) ([]models.Evidence, error) {
	return evidence.List(ctx, s.db, rules.OwnerExemption, ids...)
}

// Exemptions reads a page of exemptions with the filter's count.
func (s *Rules) Exemptions(ctx context.Context, q rules.ExemptionQuery) ([]models.Exemption, int64, error) {
	db := store.ReadReplica(s.q(ctx)).Model(&models.Exemption{}) // the staff list only
	if q.Filter.AccountNo != "" {
		db = db.Where("account_no = ?", q.Filter.AccountNo)
	}
	if q.Filter.Status != "" {
		db = db.Where("status = ?", q.Filter.Status)
	}
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, apperr.Wrap(err, apperr.Internal, "无法读取正当理由")
	}
	if q.Where != "" {
		db = db.Where(q.Where, q.Args...)
	}
	var out []models.Exemption
	if err := db.Order(q.OrderBy).Limit(q.Limit).Find(&out).Error; err != nil {
		return nil, 0, apperr.Wrap(err, apperr.Internal, "无法读取正当理由")
	}
	return out, total, nil
}

// Reminders reads reminders with their bills and payments.
func (s *Rules) Reminders(ctx context.Context, nos []string) ([]rules.Reminder, error) {
	var served []struct {
		ReminderNo string
		ServedOn   time.Time
	}
	db := s.q(ctx)
	if err := db.Model(&models.Reminder{}).Select("reminder_no, served_on").Where("reminder_no IN ?", nos).Scan(&served).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取催告")
	}
	var bills []struct {
		ReminderNo string
		credit.ArrearsBill
	}
	err := db.Raw(`SELECT rb.reminder_no, b.bill_no, b.period, b.amount_fen, `+paidSQL+` AS paid_fen
		FROM reminder_bills rb JOIN bills b ON b.bill_no = rb.bill_no
		WHERE rb.reminder_no IN ? ORDER BY rb.reminder_no, b.bill_no`, nos).Scan(&bills).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取账单")
	}
	byReminder := make(map[string][]credit.ArrearsBill, len(served))
	for _, b := range bills {
		byReminder[b.ReminderNo] = append(byReminder[b.ReminderNo], b.ArrearsBill)
	}
	out := make([]rules.Reminder, len(served))
	for i, r := range served {
		out[i] = rules.Reminder{No: r.ReminderNo, ServedOn: r.ServedOn, Bills: byReminder[r.ReminderNo]}
	}
	return out, nil
}

// Case reads a case, locked inside a transaction.
func (s *Rules) Case(ctx context.Context, id string) (models.ViolationCase, bool, error) {
	return one[models.ViolationCase](ctx, s.conn, true, "case", "id = ?", id)
}

// InsertCase stores a new case.
func (s *Rules) InsertCase(ctx context.Context, vc models.ViolationCase) error {
	return s.create(ctx, &vc, "case")
}

// DecideCase writes a decision while the case is OPEN at version.
func (s *Rules) DecideCase(ctx context.Context, vc models.ViolationCase, version int) (bool, error) {
	res := s.q(ctx).Model(&models.ViolationCase{}).Where("id = ? AND status = ? AND version = ?", vc.ID, models.CaseOpen, version).Updates(map[string]any{
		"status": vc.Status, "decided_by": vc.DecidedBy, "decided_at": vc.DecidedAt, "decision_note": vc.DecisionNote,
		"record_id": vc.RecordID, "version": vc.Version, "updated_at": vc.UpdatedAt,
	})
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法对案件作出决定")
	}
	return res.RowsAffected > 0, nil
}

// Commitment reads a commitment, locked inside a transaction.
func (s *Rules) Commitment(ctx context.Context, id string) (models.Commitment, bool, error) {
	return one[models.Commitment](ctx, s.conn, true, "承诺", "id = ?", id)
}

// LinkBreach sets a commitment's breach record once: the update applies
// only while breach_record_id is NULL.
func (s *Rules) LinkBreach(ctx context.Context, commitmentID, recordID string) (bool, error) {
	res := s.q(ctx).Model(&models.Commitment{}).Where("id = ? AND breach_record_id IS NULL", commitmentID).Update("breach_record_id", recordID)
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法将违诺关联到承诺")
	}
	return res.RowsAffected > 0, nil
}

// ListCases reads one page of the case list.
// It reads a replica when one is configured (store.ReadReplica).
func (s *Rules) ListCases(ctx context.Context, q rules.CaseQuery) ([]models.ViolationCase, int64, error) {
	db := store.ReadReplica(s.q(ctx)).Model(&models.ViolationCase{})
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	if q.Kind != "" {
		db = db.Where("kind = ?", q.Kind)
	}
	if q.SubjectID != "" {
		db = db.Where("subject_id = ?", q.SubjectID)
	}
	db = store.Between(db, "created_at", q.From, q.To)
	var total int64
	if q.Count {
		n, err := store.CountUpTo(db)
		if err != nil {
			return nil, 0, apperr.Wrap(err, apperr.Internal, "无法读取案件")
		}
		total = n
	}
	var cases []models.ViolationCase
	if err := store.PageQuery(db, rules.CaseListKey, q.After, q.Limit-1).Find(&cases).Error; err != nil {
		return nil, 0, apperr.Wrap(err, apperr.Internal, "无法读取案件")
	}
	return cases, total, nil
}
