package store

import "gorm.io/gorm"

// Migration 0030_list_indexes, frozen: the indexes as released. Never edit
// this file (a test checks its checksum); change the schema with a new
// migration.
//
// Every staff list reads one page through a composite index that matches
// its order and filter (issue 14): the application queue's
// (vip DESC, submitted_at, id) and its filtered variants; records newest
// first by ID within kind, status, severity; the audit log by
// (at DESC, id DESC) within actor, action and target; repair requests and
// objections by (due_at, id) within status, subject and assignee. The
// statements are the same on MariaDB (descending indexes since 10.8) and
// SQLite.
func migrate0030(tx *gorm.DB) error {
	for _, stmt := range []string{
		"CREATE INDEX ix_app_q_vip ON applications (vip DESC, submitted_at, id)",
		"CREATE INDEX ix_app_q_time ON applications (submitted_at, id)",
		"CREATE INDEX ix_app_q_status ON applications (status, vip DESC, submitted_at, id)",
		"CREATE INDEX ix_app_q_assignee ON applications (survey_assignee, vip DESC, submitted_at, id)",
		"CREATE INDEX ix_app_q_subject ON applications (subject_id, vip DESC, submitted_at, id)",
		"CREATE INDEX ix_app_q_credit ON applications (wants_credit, vip DESC, submitted_at, id)",
		"CREATE INDEX ix_rec_l_kind ON dishonesty_records (kind, status, id)",
		"CREATE INDEX ix_rec_l_status ON dishonesty_records (status, id)",
		"CREATE INDEX ix_rec_l_severity ON dishonesty_records (severity, id)",
		"CREATE INDEX ix_rec_l_subject ON dishonesty_records (subject_id, id)",
		"CREATE INDEX ix_rec_l_day ON dishonesty_records (kind, status, behaviour_on)",
		"CREATE INDEX ix_audit_l_at ON audit_entries (at, id)",
		"CREATE INDEX ix_audit_l_actor ON audit_entries (actor_id, at, id)",
		"CREATE INDEX ix_audit_l_action ON audit_entries (action, at, id)",
		"CREATE INDEX ix_audit_l_target ON audit_entries (subject_id, at, id)",
		"CREATE INDEX ix_repair_l_due ON repair_requests (due_at, id)",
		"CREATE INDEX ix_repair_l_status ON repair_requests (status, due_at, id)",
		"CREATE INDEX ix_repair_l_subject ON repair_requests (subject_id, due_at, id)",
		"CREATE INDEX ix_repair_l_assignee ON repair_requests (assignee_id, due_at, id)",
		"CREATE INDEX ix_obj_l_due ON objections (due_at, id)",
		"CREATE INDEX ix_obj_l_status ON objections (status, due_at, id)",
		"CREATE INDEX ix_obj_l_subject ON objections (subject_id, due_at, id)",
		"CREATE INDEX ix_obj_l_assignee ON objections (assignee_id, due_at, id)",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}
