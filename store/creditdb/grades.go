package creditdb

import (
	"context"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/models"
	"creditwater/store"
)

// Regrade runs the tier UPDATE for ids (every subject when nil), one
// statement per r.BatchSize IDs. The CASE is evaluated per row;
// "tier_since" is assigned before "tier" because MySQL evaluates
// single-table assignments left to right (SQLite reads the old values in
// every assignment).
func (s *Grades) Regrade(ctx context.Context, r grade.Rule, ids []string) (int64, error) {
	if ids != nil && len(ids) == 0 {
		return 0, nil
	}
	db := s.q(ctx)
	late := lateBillSQL(db)
	eligible := `(subjects.history_since IS NOT NULL AND subjects.history_since < @historyBefore AND NOT EXISTS (
		SELECT 1 FROM dishonesty_records d WHERE d.subject_id = subjects.id AND d.kind IN @kinds
		AND d.status NOT IN @uncounted AND d.behaviour_on >= @windowFrom AND d.behaviour_on < @windowTo)
		AND NOT EXISTS (SELECT 1 FROM bills b JOIN accounts a ON a.account_no = b.account_no
		WHERE a.subject_id = subjects.id AND b.due_on >= @windowFrom AND ` + late + `))`
	newTier := "(CASE WHEN " + eligible + " THEN @excellent ELSE @standard END)"
	const inForce = `(SELECT COUNT(*) FROM dishonesty_records d WHERE d.subject_id = subjects.id AND d.kind IN @kinds AND d.status IN @inForce)`
	const serious = `EXISTS (SELECT 1 FROM dishonesty_records d WHERE d.subject_id = subjects.id AND d.kind IN @kinds AND d.status IN @inForce AND d.severity = @serious)`
	lateCount := `(SELECT COUNT(*) FROM bills b JOIN accounts a ON a.account_no = b.account_no
		WHERE a.subject_id = subjects.id AND b.due_on >= @watchFrom AND ` + late + `)`
	newGrade := "(CASE WHEN " + eligible + " THEN @gExcellent WHEN " + serious + " OR " + inForce + " >= @dishonestN THEN @gDishonest " +
		"WHEN " + inForce + " > 0 OR " + lateCount + " >= @watchLate THEN @gWatch ELSE @gGood END)"
	args := map[string]any{
		"historyBefore": r.HistoryBefore, "windowFrom": r.WindowFrom, "windowTo": r.WindowTo,
		"kinds": r.Kinds, "uncounted": credit.Uncounted, "inForce": r.InForce, "serious": models.SeveritySerious,
		"excellent": models.TierExcellent, "standard": models.TierStandard, "at": r.At,
		"lateSeconds": int64(r.LateAfter.Seconds()), "unpaidDueBefore": r.UnpaidDueBefore, "watchFrom": r.WatchFrom,
		"watchLate": r.WatchLate, "dishonestN": r.DishonestRecords,
		"gExcellent": models.GradeExcellent, "gGood": models.GradeGood, "gWatch": models.GradeWatch, "gDishonest": models.GradeDishonest,
	}
	// Assignments read the old values on SQLite and the new ones, left to
	// right, on MySQL: each *_since and grade_prev comes before its column.
	stmt := "UPDATE subjects SET tier_since = CASE WHEN tier = " + newTier + " AND tier_since IS NOT NULL THEN tier_since ELSE @at END, " +
		"tier = " + newTier + ", tier_evaluated_at = @at, " +
		"grade_prev = CASE WHEN grade IS NOT NULL AND grade <> '' AND grade <> " + newGrade + " THEN grade ELSE grade_prev END, " +
		"grade_since = CASE WHEN grade = " + newGrade + " AND grade_since IS NOT NULL THEN grade_since ELSE @at END, " +
		"grade = " + newGrade
	if ids == nil {
		res := db.Exec(stmt, args)
		if res.Error != nil {
			return 0, apperr.Wrap(res.Error, apperr.Internal, "无法重新计算信用等级")
		}
		return res.RowsAffected, nil
	}
	var n int64
	for start := 0; start < len(ids); start += max(r.BatchSize, 1) {
		args["ids"] = ids[start:min(start+max(r.BatchSize, 1), len(ids))]
		res := db.Exec(stmt+" WHERE id IN @ids", args)
		if res.Error != nil {
			return n, apperr.Wrap(res.Error, apperr.Internal, "无法重新计算信用等级")
		}
		n += res.RowsAffected
	}
	return n, nil
}

// lateBillSQL is the condition that bill b was paid late (a payment made
// @lateSeconds or more after its due day's start) or is not fully paid and
// was due before @unpaidDueBefore (R3.5).
func lateBillSQL(db *gorm.DB) string {
	diff := "(julianday(p.paid_at) - julianday(b.due_on)) * 86400"
	if store.IsMySQL(db) {
		diff = "TIMESTAMPDIFF(SECOND, b.due_on, p.paid_at)"
	}
	return "(EXISTS (SELECT 1 FROM payments p WHERE p.bill_no = b.bill_no AND " + diff + " >= @lateSeconds) " +
		"OR (b.due_on < @unpaidDueBefore AND b.amount_fen > " + paidSQL + "))"
}

// GradeChanges returns the subjects whose grade changed at r.At.
func (s *Grades) GradeChanges(ctx context.Context, r grade.Rule, ids []string) ([]models.Subject, error) {
	q := s.q(ctx).Select("id", "grade", "grade_prev").
		Where("grade_since = ? AND grade_prev IS NOT NULL AND grade_prev <> '' AND grade_prev <> grade", r.At)
	if ids != nil {
		q = q.Where("id IN ?", ids)
	}
	var out []models.Subject
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the grade changes")
	}
	return out, nil
}

// LateBills returns the subject's late bills due on or after from.
func (s *Grades) LateBills(ctx context.Context, subjectID string, r grade.Rule, from time.Time) ([]grade.LateBill, error) {
	db := s.q(ctx)
	var out []grade.LateBill
	err := db.Raw(`SELECT b.bill_no, b.period, b.due_on FROM bills b JOIN accounts a ON a.account_no = b.account_no
		WHERE a.subject_id = @subject AND b.due_on >= @from AND `+lateBillSQL(db)+` ORDER BY b.due_on, b.bill_no`,
		map[string]any{"subject": subjectID, "from": from, "lateSeconds": int64(r.LateAfter.Seconds()), "unpaidDueBefore": r.UnpaidDueBefore}).
		Scan(&out).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the bills")
	}
	return out, nil
}

// NewestCounting returns the latest BehaviourOn of the subject's counting
// records before r.WindowTo.
func (s *Grades) NewestCounting(ctx context.Context, subjectID string, r grade.Rule) (time.Time, bool, error) {
	var newest models.DishonestyRecord
	res := s.q(ctx).Select("behaviour_on").
		Where("subject_id = ? AND kind IN ? AND status NOT IN ? AND behaviour_on < ?", subjectID, r.Kinds, credit.Uncounted, r.WindowTo).
		Order("behaviour_on DESC").Limit(1).Find(&newest)
	if res.Error != nil {
		return time.Time{}, false, apperr.Wrap(res.Error, apperr.Internal, "无法读取失信记录")
	}
	return newest.BehaviourOn, res.RowsAffected == 1, nil
}

// User reads a user.
func (s *Grades) User(ctx context.Context, id string) (models.User, bool, error) {
	return one[models.User](ctx, s.conn, false, "user", "id = ?", id)
}

// SetAccountManager stores a subject's account manager while its
// assignment is at version, and moves it to the next version.
func (s *Grades) SetAccountManager(ctx context.Context, subjectID, userID string, version int) (bool, error) {
	res := s.q(ctx).Model(&models.Subject{}).Where("id = ? AND account_manager_version = ?", subjectID, version).
		Updates(map[string]any{"account_manager_id": userID, "account_manager_version": version + 1})
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法指派客户经理")
	}
	return res.RowsAffected > 0, nil
}

// SubjectRecords lists a subject's records, newest behaviour first.
func (s *Grades) SubjectRecords(ctx context.Context, subjectID string) ([]models.DishonestyRecord, error) {
	return list[models.DishonestyRecord](ctx, s.conn, "records", "behaviour_on DESC, id DESC", 0, "subject_id = ?", subjectID)
}
