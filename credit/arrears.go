package credit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/models"
	"creditwater/store"
)

// Rules runs the automatic dishonesty rules (R1.3).
type Rules struct {
	db    *gorm.DB
	audit *audit.Log
	cfg   Config
}

// NewRules returns the rule runner over db; cfg's zero fields take their
// defaults.
func NewRules(db *gorm.DB, log *audit.Log, cfg Config) *Rules {
	return &Rules{db: db, audit: log, cfg: cfg.withDefaults()}
}

// ArrearsEvidence is the Evidence (JSON) of an ARREARS record: the reminder
// and the bills still unpaid when the record was made.
type ArrearsEvidence struct {
	Rule         string        `json:"rule"`
	ReminderNo   string        `json:"reminderNo"`
	AccountNo    string        `json:"accountNo"`
	ServedOn     string        `json:"servedOn"`
	GraceEndsOn  string        `json:"graceEndsOn"`
	DetectedOn   string        `json:"detectedOn"`
	ThresholdFen int64         `json:"thresholdFen"`
	UnpaidFen    int64         `json:"unpaidFen"`
	Bills        []ArrearsBill `json:"bills"`
}

// ArrearsBill is one unpaid bill cited by an ARREARS record.
type ArrearsBill struct {
	BillNo    string `json:"billNo"`
	Period    string `json:"period"`
	AmountFen int64  `json:"amountFen"`
	PaidFen   int64  `json:"paidFen"`
	UnpaidFen int64  `json:"unpaidFen"`
}

// servedCutoff returns the latest day D whose grace period (D + grace
// months, clamped, see AddMonths) ends before asOf's day: a reminder served
// on or before D is more than the grace period old.
func servedCutoff(asOf time.Time, graceMonths int) time.Time {
	day := DayOf(asOf)
	d := AddMonths(day, -graceMonths)
	for !AddMonths(d, graceMonths).Before(day) {
		d = addDays(d, -1)
	}
	for AddMonths(addDays(d, 1), graceMonths).Before(day) {
		d = addDays(d, 1)
	}
	return d
}

type arrearsCandidate struct {
	ReminderNo string
	AccountNo  string
	SubjectID  string
	UnpaidFen  int64
}

// DetectArrears makes the ARREARS records due as of asOf (R1.3) and returns
// how many it created. A reminder (催告) yields one record, with source key
// "ARREARS:<reminder no>", when
//   - its grace period has passed: the reminder was served on a day D with
//     D + Config.ArrearsGraceMonths (calendar months, the day clamped to the
//     month's end: 2026-01-31 + 1 month = 2026-02-28) before asOf's day; so
//     a reminder served 2026-01-10 is in arrears from 2026-02-11;
//   - the bills it covers are still unpaid by at least
//     Config.ArrearsThresholdFen in total, each bill counting
//     max(amount − Σ payments, 0);
//   - no exemption covers it on asOf's day (an exemption of the reminder, or
//     of the whole account with an empty reminder number; ValidFrom and
//     ValidTo are inclusive days, ValidTo empty = open-ended);
//   - its account is linked to a subject, and no record with its source key
//     exists yet (so running twice creates nothing new, and a record once
//     made stays when the bills are paid later).
//
// The record is GENERAL, cites the reminder and the unpaid bills
// (ArrearsEvidence), and its BehaviourOn is the first day after the grace
// period. Afterwards the tiers of the affected subjects are recomputed.
//
// Set-based: one SELECT finds every candidate reminder in the database (no
// loop over accounts in Go); the records are then written with one
// multi-row INSERT per Config.BatchSize candidates. Staging through Go
// rather than a single INSERT … SELECT keeps the public IDs UUIDv7 (SQL
// has no portable, non-guessable ID function: MariaDB's UUID() is a
// time-based v1 that leaks the host) and builds the evidence JSON the same
// way on SQLite and MariaDB. The unique source key with ON CONFLICT DO
// NOTHING keeps concurrent runs idempotent. It returns INTERNAL when the
// database fails; records written before the failure stay.
func (r *Rules) DetectArrears(ctx context.Context, asOf time.Time) (created int, err error) {
	db := r.db.WithContext(ctx)
	cutoff := servedCutoff(asOf, r.cfg.ArrearsGraceMonths)
	day := DayOf(asOf)
	sourceKey := "'ARREARS:' || r.reminder_no"
	if store.IsMySQL(db) {
		sourceKey = "CONCAT('ARREARS:', r.reminder_no)"
	}
	q := `SELECT x.reminder_no, x.account_no, x.subject_id,
		SUM(CASE WHEN x.amount_fen > x.paid_fen THEN x.amount_fen - x.paid_fen ELSE 0 END) AS unpaid_fen
	FROM (SELECT r.reminder_no, r.account_no, a.subject_id, b.amount_fen,
			(SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p WHERE p.bill_no = b.bill_no) AS paid_fen
		FROM reminders r
		JOIN accounts a ON a.account_no = r.account_no
		JOIN reminder_bills rb ON rb.reminder_no = r.reminder_no
		JOIN bills b ON b.bill_no = rb.bill_no
		WHERE r.served_on < @servedBefore
		AND a.subject_id IS NOT NULL AND a.subject_id <> ''
		AND NOT EXISTS (SELECT 1 FROM dishonesty_records d WHERE d.source_key = ` + sourceKey + `)
		AND NOT EXISTS (SELECT 1 FROM exemptions e WHERE e.account_no = r.account_no
			AND (e.reminder_no IS NULL OR e.reminder_no = '' OR e.reminder_no = r.reminder_no)
			AND (e.valid_from IS NULL OR e.valid_from < @dayEnd)
			AND (e.valid_to IS NULL OR e.valid_to >= @dayStart))
	) x
	GROUP BY x.reminder_no, x.account_no, x.subject_id
	HAVING SUM(CASE WHEN x.amount_fen > x.paid_fen THEN x.amount_fen - x.paid_fen ELSE 0 END) >= @threshold
	ORDER BY x.reminder_no`
	var cands []arrearsCandidate
	err = db.Raw(q, map[string]any{
		"servedBefore": addDays(cutoff, 1), "dayStart": day, "dayEnd": addDays(day, 1),
		"threshold": r.cfg.ArrearsThresholdFen,
	}).Scan(&cands).Error
	if err != nil {
		return 0, apperr.Wrap(err, apperr.Internal, "could not find reminders in arrears")
	}
	var subjects []string
	for start := 0; start < len(cands); start += r.cfg.BatchSize {
		batch := cands[start:min(start+r.cfg.BatchSize, len(cands))]
		n, subs, err := r.writeArrears(ctx, batch, asOf)
		created += n
		subjects = append(subjects, subs...)
		if err != nil {
			return created, err
		}
	}
	if created > 0 {
		slices.Sort(subjects)
		subjects = slices.Compact(subjects)
		if _, err := recomputeTiers(ctx, db, r.cfg, asOf, subjects); err != nil {
			return created, err
		}
	}
	if err := recordAudit(ctx, r.audit, nil, audit.Entry{Action: "rule.arrears", SubjectType: "rule",
		SubjectID: "ARREARS", Detail: fmt.Sprintf("asOf=%s created=%d", dateString(asOf), created)}); err != nil {
		return created, err
	}
	return created, nil
}

// writeArrears stores the records of one batch of candidates in one
// transaction and returns how many were new and their subjects.
func (r *Rules) writeArrears(ctx context.Context, batch []arrearsCandidate, asOf time.Time) (int, []string, error) {
	nos := make([]string, len(batch))
	for i, c := range batch {
		nos[i] = c.ReminderNo
	}
	var created int
	var subjects []string
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var served []struct {
			ReminderNo string
			ServedOn   time.Time
		}
		if err := tx.Model(&models.Reminder{}).Select("reminder_no, served_on").Where("reminder_no IN ?", nos).Scan(&served).Error; err != nil {
			return err
		}
		servedOn := make(map[string]time.Time, len(served))
		for _, s := range served {
			servedOn[s.ReminderNo] = s.ServedOn
		}
		var bills []struct {
			ReminderNo string
			ArrearsBill
		}
		err := tx.Raw(`SELECT rb.reminder_no, b.bill_no, b.period, b.amount_fen,
			(SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p WHERE p.bill_no = b.bill_no) AS paid_fen
			FROM reminder_bills rb JOIN bills b ON b.bill_no = rb.bill_no
			WHERE rb.reminder_no IN ? ORDER BY rb.reminder_no, b.bill_no`, nos).Scan(&bills).Error
		if err != nil {
			return err
		}
		byReminder := make(map[string][]ArrearsBill, len(batch))
		for _, b := range bills {
			if unpaid := b.AmountFen - b.PaidFen; unpaid > 0 {
				b.UnpaidFen = unpaid
				byReminder[b.ReminderNo] = append(byReminder[b.ReminderNo], b.ArrearsBill)
			}
		}
		now := time.Now().UTC()
		decided := DayOf(asOf)
		pub := r.cfg.Publicity(models.SeverityGeneral, decided)
		recs := make([]models.DishonestyRecord, 0, len(batch))
		for _, c := range batch {
			served := DayOf(servedOn[c.ReminderNo])
			graceEnd := AddMonths(served, r.cfg.ArrearsGraceMonths)
			ev, err := json.Marshal(ArrearsEvidence{
				Rule: "R1.3 ARREARS", ReminderNo: c.ReminderNo, AccountNo: c.AccountNo,
				ServedOn: dateString(served), GraceEndsOn: dateString(graceEnd), DetectedOn: dateString(decided),
				ThresholdFen: r.cfg.ArrearsThresholdFen, UnpaidFen: c.UnpaidFen, Bills: byReminder[c.ReminderNo],
			})
			if err != nil {
				return err
			}
			rec := models.DishonestyRecord{
				SubjectID: c.SubjectID, AccountNo: c.AccountNo, Kind: models.KindArrears, Severity: models.SeverityGeneral,
				Status: models.RecordActive, SourceKey: "ARREARS:" + c.ReminderNo, Source: SourceArrearsRule,
				Evidence: string(ev),
				Summary: truncate(fmt.Sprintf("Fees of ¥%s unpaid more than %d month(s) after reminder %s (催告后逾期未缴)",
					yuan(c.UnpaidFen), r.cfg.ArrearsGraceMonths, c.ReminderNo), 500),
				BehaviourOn: addDays(graceEnd, 1), DecidedOn: decided, RecordedBy: SystemActor, Version: 1,
			}
			rec.ID = models.NewID()
			rec.CreatedAt, rec.UpdatedAt = now, now
			if pub.Published {
				rec.PublicityStart, rec.PublicityEnd = &pub.Start, &pub.End
			}
			recs = append(recs, rec)
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&recs)
		if res.Error != nil {
			return res.Error
		}
		inserted := recs
		if int(res.RowsAffected) < len(recs) { // a concurrent run made some of them
			ids := make([]string, len(recs))
			for i, rec := range recs {
				ids[i] = rec.ID
			}
			var kept []string
			if err := tx.Model(&models.DishonestyRecord{}).Where("id IN ?", ids).Pluck("id", &kept).Error; err != nil {
				return err
			}
			inserted = slices.DeleteFunc(slices.Clone(recs), func(rec models.DishonestyRecord) bool { return !slices.Contains(kept, rec.ID) })
		}
		if len(inserted) == 0 {
			return nil
		}
		evs := make([]models.RecordEvent, len(inserted))
		for i, rec := range inserted {
			evs[i] = models.RecordEvent{RecordID: rec.ID, At: now, ActorID: SystemActor, Action: EventCreated,
				ToStatus: models.RecordActive, Reason: "arrears rule (R1.3)"}
			subjects = append(subjects, rec.SubjectID)
		}
		if err := tx.Create(&evs).Error; err != nil {
			return err
		}
		created = len(inserted)
		return nil
	})
	if err != nil {
		return 0, nil, apperr.Wrap(err, apperr.Internal, "could not store the arrears records")
	}
	return created, subjects, nil
}

// yuan formats fen as yuan with two decimals and thousands separators.
func yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := fmt.Sprintf("%d", fen/100)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return fmt.Sprintf("%s.%02d", s, fen%100)
}
