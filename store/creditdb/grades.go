package creditdb

import (
	"context"
	"time"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/models"
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
	const eligible = `(subjects.history_since IS NOT NULL AND subjects.history_since < @historyBefore AND NOT EXISTS (
		SELECT 1 FROM dishonesty_records d WHERE d.subject_id = subjects.id AND d.kind IN @kinds
		AND d.status NOT IN @uncounted AND d.behaviour_on >= @windowFrom AND d.behaviour_on < @windowTo))`
	newTier := "(CASE WHEN " + eligible + " THEN @excellent ELSE @standard END)"
	args := map[string]any{
		"historyBefore": r.HistoryBefore, "windowFrom": r.WindowFrom, "windowTo": r.WindowTo,
		"kinds": r.Kinds, "uncounted": credit.Uncounted,
		"excellent": models.TierExcellent, "standard": models.TierStandard, "at": r.At,
	}
	stmt := "UPDATE subjects SET tier_since = CASE WHEN tier = " + newTier + " AND tier_since IS NOT NULL THEN tier_since ELSE @at END, " +
		"tier = " + newTier + ", tier_evaluated_at = @at"
	db := s.q(ctx)
	if ids == nil {
		res := db.Exec(stmt, args)
		if res.Error != nil {
			return 0, apperr.Wrap(res.Error, apperr.Internal, "could not recompute the tiers")
		}
		return res.RowsAffected, nil
	}
	var n int64
	for start := 0; start < len(ids); start += max(r.BatchSize, 1) {
		args["ids"] = ids[start:min(start+max(r.BatchSize, 1), len(ids))]
		res := db.Exec(stmt+" WHERE id IN @ids", args)
		if res.Error != nil {
			return n, apperr.Wrap(res.Error, apperr.Internal, "could not recompute the tiers")
		}
		n += res.RowsAffected
	}
	return n, nil
}

// NewestCounting returns the latest BehaviourOn of the subject's counting
// records before r.WindowTo.
func (s *Grades) NewestCounting(ctx context.Context, subjectID string, r grade.Rule) (time.Time, bool, error) {
	var newest models.DishonestyRecord
	res := s.q(ctx).Select("behaviour_on").
		Where("subject_id = ? AND kind IN ? AND status NOT IN ? AND behaviour_on < ?", subjectID, r.Kinds, credit.Uncounted, r.WindowTo).
		Order("behaviour_on DESC").Limit(1).Find(&newest)
	if res.Error != nil {
		return time.Time{}, false, apperr.Wrap(res.Error, apperr.Internal, "could not read the records")
	}
	return newest.BehaviourOn, res.RowsAffected == 1, nil
}

// User reads a user.
func (s *Grades) User(ctx context.Context, id string) (models.User, bool, error) {
	return one[models.User](ctx, s.conn, false, "user", "id = ?", id)
}

// SetAccountManager stores a subject's account manager.
func (s *Grades) SetAccountManager(ctx context.Context, subjectID, userID string) error {
	if err := s.q(ctx).Model(&models.Subject{}).Where("id = ?", subjectID).Update("account_manager_id", userID).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not assign the account manager")
	}
	return nil
}

// SubjectRecords lists a subject's records, newest behaviour first.
func (s *Grades) SubjectRecords(ctx context.Context, subjectID string) ([]models.DishonestyRecord, error) {
	return list[models.DishonestyRecord](ctx, s.conn, "records", "behaviour_on DESC, id DESC", 0, "subject_id = ?", subjectID)
}
