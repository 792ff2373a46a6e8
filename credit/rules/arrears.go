package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"creditwater/audit"
	"creditwater/calendar"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/models"
	"creditwater/notice"
)

// Arrears runs the automatic ARREARS rule (R1.3).
type Arrears struct {
	store  Store
	grades Tiers
	recSvc *record.Service
	cfg    credit.Config
	cal    *calendar.Calendar
}

// NewArrears returns the rule; the Config's zero fields take their
// defaults.
func NewArrears(d Deps) *Arrears {
	if d.Calendar == nil {
		d.Calendar = calendar.Default()
	}
	return &Arrears{store: d.Store, grades: d.Grades, recSvc: d.Records, cfg: d.Config.WithDefaults(), cal: d.Calendar}
}

// servedCutoff returns the latest day D whose grace period (D + grace
// months, clamped, see credit.AddMonths) ends before asOf's day: a reminder
// served on or before D is more than the grace period old.
func servedCutoff(asOf time.Time, graceMonths int) time.Time {
	day := credit.DayOf(asOf)
	d := credit.AddMonths(day, -graceMonths)
	for !credit.AddMonths(d, graceMonths).Before(day) {
		d = credit.AddDays(d, -1)
	}
	for credit.AddMonths(credit.AddDays(d, 1), graceMonths).Before(day) {
		d = credit.AddDays(d, 1)
	}
	return d
}

// Detect makes the ARREARS records due as of asOf (R1.3) and returns how
// many it created. A reminder (催告) yields one record, with source key
// "ARREARS:<reminder no>", when
//   - its grace period has passed: the reminder was served on a day D with
//     D + Config.ArrearsGraceMonths (calendar months, the day clamped to the
//     month's end: 2026-01-31 + 1 month = 2026-02-28) before asOf's day; so
//     a reminder served 2026-01-10 is in arrears from 2026-02-11;
//   - the bills it covers are still unpaid by at least
//     Config.ArrearsThresholdFen in total, each bill counting
//     max(amount − Σ payments, 0);
//   - no APPROVED exemption covers it on asOf's day (R1.6: an exemption of
//     the reminder, of a bill it covers, or of the whole account with empty
//     reminder and bill numbers; ValidFrom and ValidTo are inclusive days,
//     ValidTo empty = open-ended); PENDING and REJECTED ones do not count;
//   - the prior notice (告知, R1.6) was given and
//     Config.Lifecycle.NoticeWorkingDays working days (holiday calendar)
//     have passed since its day: a candidate without a notice gets one
//     (an arrears_notices row and an ARREARS_COMING inbox event), and its
//     record waits; one whose period has not passed waits;
//   - its account is linked to a subject, and no record with its source key
//     exists yet (so running twice creates nothing new, and a record once
//     made stays when the bills are paid later).
//
// The record is GENERAL, cites the reminder and the unpaid bills
// (credit.ArrearsEvidence), and its BehaviourOn is the first day after the
// grace period. Afterwards the tiers of the affected subjects are
// recomputed.
//
// Set-based: one query finds every candidate reminder (no loop over
// accounts in Go; Store.ArrearsCandidates); the records are then written
// with one multi-row INSERT per Config.BatchSize candidates. Staging
// through Go rather than a single INSERT … SELECT keeps the public IDs
// UUIDv7 (SQL has no portable, non-guessable ID function: MariaDB's UUID()
// is a time-based v1 that leaks the host) and builds the evidence JSON the
// same way on SQLite and MariaDB. The unique source key keeps concurrent
// runs idempotent. It returns INTERNAL when the database fails; records
// written before the failure stay.
func (a *Arrears) Detect(ctx context.Context, asOf time.Time) (created int, err error) {
	day := credit.DayOf(asOf)
	cands, err := a.store.ArrearsCandidates(ctx, ArrearsQuery{ServedBefore: credit.AddDays(servedCutoff(asOf, a.cfg.ArrearsGraceMonths), 1),
		DayStart: day, DayEnd: credit.AddDays(day, 1), ThresholdFen: a.cfg.ArrearsThresholdFen, KeyPrefix: sourcePrefix})
	if err != nil {
		return 0, err
	}
	noticed, err := a.notify(ctx, cands, asOf)
	if err != nil {
		return 0, err
	}
	cands = slices.DeleteFunc(cands, func(c Candidate) bool { return !a.noticePassed(c, asOf) })
	var subjects []string
	for batch := range slices.Chunk(cands, a.cfg.BatchSize) {
		n, subs, err := a.write(ctx, batch, asOf)
		created += n
		subjects = append(subjects, subs...)
		if err != nil {
			return created, err
		}
	}
	if created > 0 {
		slices.Sort(subjects)
		if _, err := a.grades.Recompute(ctx, asOf, slices.Compact(subjects)...); err != nil {
			return created, err
		}
	}
	detail := fmt.Sprintf("asOf=%s created=%d", credit.DateString(asOf), created)
	if noticed > 0 {
		detail += fmt.Sprintf(" noticed=%d", noticed)
	}
	return created, a.store.Audit(ctx, audit.Entry{Action: "rule.arrears", SubjectType: "rule", SubjectID: "ARREARS", Detail: detail})
}

// noticeDue is the end of the last day of the notice period of a notice
// given on noticedOn.
func (a *Arrears) noticeDue(noticedOn time.Time) time.Time {
	return a.cal.AddWorkdays(noticedOn, a.cfg.Lifecycle.NoticeWorkingDays)
}

// noticePassed reports whether c was given its prior notice and the notice
// period has passed by asOf (R1.6).
func (a *Arrears) noticePassed(c Candidate, asOf time.Time) bool {
	return c.NoticedOn != nil && asOf.After(a.noticeDue(*c.NoticedOn))
}

// notify gives the prior notice (R1.6) to every candidate without one, in
// one transaction: an arrears_notices row and an ARREARS_COMING event in
// the subject's inbox. It returns how many notices were new.
func (a *Arrears) notify(ctx context.Context, cands []Candidate, asOf time.Time) (int, error) {
	if !slices.ContainsFunc(cands, func(c Candidate) bool { return c.NoticedOn == nil }) {
		return 0, nil
	}
	day := credit.DayOf(asOf)
	now := time.Now().UTC()
	n := 0
	err := a.store.Tx(ctx, func(st Store) error {
		n = 0 // counted again when the transaction runs again
		for _, c := range cands {
			if c.NoticedOn != nil {
				continue
			}
			an := models.ArrearsNotice{ReminderNo: c.ReminderNo, AccountNo: c.AccountNo, SubjectID: c.SubjectID, NoticedOn: day}
			an.ID, an.CreatedAt, an.UpdatedAt = models.NewID(), now, now
			isNew, err := st.InsertNotice(ctx, an)
			if err != nil || !isNew {
				return err
			}
			key := "arrears-notice:" + c.ReminderNo
			if err := st.Notify(ctx, c.SubjectID, models.Notice{Kind: string(notice.ArrearsComing), Title: "欠费失信认定预先告知",
				Body: fmt.Sprintf("贵单位户号 %s 经催告（催告书编号 %s）后仍欠缴水费 %s 元。请于 %s（含）前缴清，或向供水单位提出正当理由；逾期未缴清且无正当理由的，将记入欠费失信记录。",
					c.AccountNo, c.ReminderNo, credit.Yuan(c.UnpaidFen), credit.DateString(a.noticeDue(day))),
				RefType: "reminder", RefID: c.ReminderNo, DedupKey: &key}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, credit.Internal(err, "无法保存欠费预先告知")
	}
	return n, nil
}

const sourcePrefix = "ARREARS:"

// write stores the records of one batch of candidates in one transaction
// and returns how many were new and their subjects.
func (a *Arrears) write(ctx context.Context, batch []Candidate, asOf time.Time) (int, []string, error) {
	nos := make([]string, len(batch))
	for i, c := range batch {
		nos[i] = c.ReminderNo
	}
	var stored []models.DishonestyRecord
	err := a.store.Tx(ctx, func(st Store) error {
		rems, err := st.Reminders(ctx, nos)
		if err != nil {
			return err
		}
		recs, err := a.records(batch, rems, asOf)
		if err != nil {
			return err
		}
		if stored, err = st.Records().Insert(ctx, recs); err != nil || len(stored) == 0 {
			return err
		}
		evs := make([]models.RecordEvent, len(stored))
		for i, rec := range stored {
			evs[i] = models.RecordEvent{RecordID: rec.ID, At: rec.CreatedAt, ActorID: credit.SystemActor, Action: record.EventCreated,
				ToStatus: models.RecordActive, Reason: "欠费失信认定规则（R1.3）"}
		}
		return st.Records().AddEvents(ctx, evs)
	})
	if err != nil {
		return 0, nil, credit.Internal(err, "无法保存欠费失信记录")
	}
	if a.recSvc != nil {
		a.recSvc.TellNew(ctx, stored...)
	}
	subjects := make([]string, len(stored))
	for i, rec := range stored {
		subjects[i] = rec.SubjectID
	}
	return len(stored), subjects, nil
}

// records builds the ARREARS records of the candidates from their
// reminders: GENERAL, decided on asOf's day, citing the unpaid bills.
func (a *Arrears) records(batch []Candidate, rems []Reminder, asOf time.Time) ([]models.DishonestyRecord, error) {
	byNo := make(map[string]Reminder, len(rems))
	for _, r := range rems {
		byNo[r.No] = r
	}
	now := time.Now().UTC()
	decided := credit.DayOf(asOf)
	pub := a.cfg.Publicity(models.KindArrears, models.SeverityGeneral, decided)
	recs := make([]models.DishonestyRecord, 0, len(batch))
	for _, c := range batch {
		rem := byNo[c.ReminderNo]
		var unpaid []credit.ArrearsBill
		for _, b := range rem.Bills {
			if b.UnpaidFen = b.AmountFen - b.PaidFen; b.UnpaidFen > 0 {
				unpaid = append(unpaid, b)
			}
		}
		served := credit.DayOf(rem.ServedOn)
		graceEnd := credit.AddMonths(served, a.cfg.ArrearsGraceMonths)
		ev, err := json.Marshal(credit.ArrearsEvidence{
			Rule: "R1.3 ARREARS", ReminderNo: c.ReminderNo, AccountNo: c.AccountNo,
			ServedOn: credit.DateString(served), GraceEndsOn: credit.DateString(graceEnd), DetectedOn: credit.DateString(decided),
			ThresholdFen: a.cfg.ArrearsThresholdFen, UnpaidFen: c.UnpaidFen, Bills: unpaid,
		})
		if err != nil {
			return nil, err
		}
		rec := models.DishonestyRecord{
			SubjectID: c.SubjectID, AccountNo: c.AccountNo, Kind: models.KindArrears, Severity: models.SeverityGeneral,
			Status: models.RecordActive, SourceKey: sourcePrefix + c.ReminderNo, Source: credit.SourceArrearsRule,
			Evidence: string(ev),
			Summary: credit.Truncate(fmt.Sprintf("经催告（催告书编号 %s）后逾期 %d 个月以上仍未缴清水费 %s 元",
				c.ReminderNo, a.cfg.ArrearsGraceMonths, credit.Yuan(c.UnpaidFen)), 500),
			BehaviourOn: credit.AddDays(graceEnd, 1), DecidedOn: decided, RecordedBy: credit.SystemActor, Version: 1,
		}
		rec.ID = models.NewID()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if pub.Published {
			rec.PublicityStart, rec.PublicityEnd = &pub.Start, &pub.End
		}
		recs = append(recs, rec)
	}
	return recs, nil
}
