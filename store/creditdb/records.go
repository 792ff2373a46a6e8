package creditdb

import (
	"context"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/credit/grade"
	"creditwater/credit/record"
	"creditwater/models"
	"creditwater/store"
)

// Grades is the tier store on the same handle.
func (s *Records) Grades() grade.Store { return &Grades{s.conn} }

// Get reads a record, locked inside a transaction.
func (s *Records) Get(ctx context.Context, id string) (models.DishonestyRecord, bool, error) {
	return one[models.DishonestyRecord](ctx, s.conn, true, "record", "id = ?", id)
}

// BySourceKey reads the record with a source key.
func (s *Records) BySourceKey(ctx context.Context, key string) (models.DishonestyRecord, bool, error) {
	return one[models.DishonestyRecord](ctx, s.conn, false, "records", "source_key = ?", key)
}

// Insert stores the records with one multi-row INSERT … ON CONFLICT DO
// NOTHING (INSERT IGNORE semantics on the unique source key) and returns
// those it stored.
func (s *Records) Insert(ctx context.Context, recs []models.DishonestyRecord) ([]models.DishonestyRecord, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	res := s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&recs)
	if res.Error != nil {
		return nil, apperr.Wrap(res.Error, apperr.Internal, "无法保存失信记录")
	}
	if int(res.RowsAffected) == len(recs) {
		return recs, nil
	}
	ids := make([]string, len(recs)) // a concurrent insert made some of them
	for i, rec := range recs {
		ids[i] = rec.ID
	}
	var kept []string
	if err := s.q(ctx).Model(&models.DishonestyRecord{}).Where("id IN ?", ids).Pluck("id", &kept).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取失信记录")
	}
	return slices.DeleteFunc(slices.Clone(recs), func(rec models.DishonestyRecord) bool { return !slices.Contains(kept, rec.ID) }), nil
}

// Update writes the lifecycle columns of rec under optimistic locking.
func (s *Records) Update(ctx context.Context, rec models.DishonestyRecord, version int, status models.RecordStatus) (bool, error) {
	q := s.q(ctx).Model(&models.DishonestyRecord{}).Where("id = ? AND version = ?", rec.ID, version)
	q = store.Eq(q, "status", status)
	res := q.Updates(map[string]any{"status": rec.Status, "severity": rec.Severity, "summary": rec.Summary,
		"publicity_start": rec.PublicityStart, "publicity_end": rec.PublicityEnd, "version": rec.Version, "updated_at": rec.UpdatedAt})
	if res.Error != nil {
		return false, apperr.Wrap(res.Error, apperr.Internal, "无法更新失信记录")
	}
	return res.RowsAffected > 0, nil
}

// List returns the records of q in q.Key's order and the count without
// the cursor.
// It is the staff and enterprise list only: it reads a replica when one is
// configured (store.ReadReplica).
func (s *Records) List(ctx context.Context, q record.Query) ([]models.DishonestyRecord, int64, error) {
	db := store.ReadReplica(s.q(ctx)).Model(&models.DishonestyRecord{})
	if idx := dayIndex(q); idx != "" {
		// A behaviour-day range is read as that range of the day index,
		// backwards, which is the list's order (record.DayKey): MariaDB
		// would otherwise walk another index and test every row for the
		// day (seconds for a month a year back among a million records;
		// issue 14). SQLite picks the range by itself.
		db = db.Table(store.ForceIndex(s.db, "dishonesty_records", idx))
	}
	if q.SubjectID != "" {
		db = db.Where("subject_id = ?", q.SubjectID)
	}
	if q.ViewerID != "" {
		db = db.Where("subject_id IN (?)", s.policy.Subjects(ctx, q.ViewerID, q.Scopes...))
	}
	if q.Kind != "" {
		db = db.Where("kind = ?", q.Kind)
	}
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	if !q.From.IsZero() {
		db = db.Where("behaviour_on >= ?", q.From)
	}
	if !q.To.IsZero() {
		db = db.Where("behaviour_on < ?", q.To)
	}
	if q.Severity != "" {
		db = db.Where("severity = ?", q.Severity)
	}
	var total int64
	if q.Count {
		n, err := store.CountUpTo(db)
		if err != nil {
			return nil, 0, apperr.Wrap(err, apperr.Internal, "无法读取失信记录")
		}
		total = n
	}
	recs := make([]models.DishonestyRecord, 0, q.Limit)
	if err := store.PageQuery(db, q.Key(), q.After, q.Limit-1).Find(&recs).Error; err != nil {
		return nil, 0, apperr.Wrap(err, apperr.Internal, "无法读取失信记录")
	}
	return recs, total, nil
}

// dayIndex is the index that reads q's behaviour-day range (migration 0030
// and the column's own), or "" when q has none or names a subject (whose
// few records the subject index reads newest first).
func dayIndex(q record.Query) string {
	switch {
	case q.From.IsZero() && q.To.IsZero(), q.SubjectID != "", q.ViewerID != "":
		return ""
	case q.Kind != "" && q.Status != "":
		return "ix_rec_l_day"
	}
	return "idx_dishonesty_records_behaviour_on"
}

// AddEvents appends history entries in one INSERT.
func (s *Records) AddEvents(ctx context.Context, evs []models.RecordEvent) error {
	if len(evs) == 0 {
		return nil
	}
	if err := s.q(ctx).Create(&evs).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法保存记录历史")
	}
	return nil
}

// Events returns the records' history, oldest first.
func (s *Records) Events(ctx context.Context, recordIDs ...string) ([]models.RecordEvent, error) {
	return list[models.RecordEvent](ctx, s.conn, "record history", "id ASC", 0, "record_id IN ?", recordIDs)
}

// Many reads the records with the IDs.
func (s *Records) Many(ctx context.Context, ids []string) ([]models.DishonestyRecord, error) {
	return list[models.DishonestyRecord](ctx, s.conn, "records", "id ASC", 0, "id IN ?", ids)
}

// QueueDue enqueues the publications of q with one INSERT … SELECT into
// the outbox; a key already there is skipped (ON CONFLICT DO NOTHING, ON
// DUPLICATE KEY UPDATE on MySQL).
func (s *Records) QueueDue(ctx context.Context, q record.DueQuery) (int, error) {
	db := s.q(ctx)
	keyCol, keyExpr, payload := `"key"`, `@prefix || d.id`, `'{"recordId":"' || d.id || '"}'`
	onConflict := " ON CONFLICT DO NOTHING"
	if store.IsMySQL(db) {
		keyCol, keyExpr, payload = "`key`", "CONCAT(@prefix, d.id)", `CONCAT('{"recordId":"', d.id, '"}')`
		onConflict = " ON DUPLICATE KEY UPDATE outbox_messages.id = outbox_messages.id"
	}
	stmt := "INSERT INTO outbox_messages (" + keyCol + ", kind, aggregate_id, payload, status, attempts, next_attempt_at, locked_by, last_error, result, created_at) " +
		"SELECT " + keyExpr + ", @kind, d.id, " + payload + ", @pending, 0, @now, '', '', '', @now " +
		"FROM dishonesty_records d JOIN subjects s ON s.id = d.subject_id " +
		"WHERE d.severity IN @severities AND d.status IN @statuses " +
		"AND d.publicity_start IS NOT NULL AND d.publicity_start <= @asOf AND d.publicity_end > @asOf " +
		"AND (d.publication_id IS NULL OR d.publication_id = '') AND s.uscc IS NOT NULL AND s.uscc <> '' " +
		"AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o." + keyCol + " = " + keyExpr + ")" + onConflict
	res := db.Exec(stmt, map[string]any{
		"prefix": q.KeyPrefix, "kind": q.Kind, "pending": models.OutboxPending, "now": q.Now, "asOf": q.AsOf,
		"severities": q.Severities, "statuses": q.Statuses,
	})
	if res.Error != nil {
		return 0, apperr.Wrap(res.Error, apperr.Internal, "无法将公示加入发送队列")
	}
	return int(res.RowsAffected), nil
}

// Expiring selects the records whose maximum period has ended.
func (s *Records) Expiring(ctx context.Context, q record.ExpiryQuery) ([]string, error) {
	var ids []string
	// MINOR: decided before the day of its kind (one term per kind).
	minor := "1 = 0"
	args := []any{q.Statuses, models.SeverityMinor, q.AsOf, models.SeverityMinor}
	for _, k := range slices.Sorted(maps.Keys(q.MinorDecidedBefore)) {
		minor += " OR (kind = ? AND decided_on < ?)"
		args = append(args, k, q.MinorDecidedBefore[k])
	}
	err := s.q(ctx).Model(&models.DishonestyRecord{}).
		Where("status IN ? AND ((severity <> ? AND publicity_end IS NOT NULL AND publicity_end <= ?) OR (severity = ? AND ("+minor+")))", args...).
		Order("id").Limit(q.Limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not find the expiring records")
	}
	return ids, nil
}

// Message reads the outbox message with a key (its ID and status).
func (s *Records) Message(ctx context.Context, key string) (models.OutboxMessage, bool, error) {
	var m models.OutboxMessage
	res := s.q(ctx).Select("id", "status").Where(&models.OutboxMessage{Key: key}).Limit(1).Find(&m)
	if res.Error != nil {
		return m, false, apperr.Wrap(res.Error, apperr.Internal, "无法读取待发消息")
	}
	return m, res.RowsAffected > 0, nil
}

// SetPublication stores a record's publication ID.
func (s *Records) SetPublication(ctx context.Context, recordID, publicationID string, at time.Time) error {
	err := s.q(ctx).Model(&models.DishonestyRecord{}).Where("id = ?", recordID).
		Updates(map[string]any{"publication_id": publicationID, "updated_at": at}).Error
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法保存公示编号")
	}
	return nil
}
