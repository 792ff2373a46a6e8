package store

import "gorm.io/gorm"

// Migration 0031_scale_indexes, frozen: the indexes as released. Never
// edit this file (a test checks its checksum); change the schema with a new
// migration.
//
// Measured with bench/lists at the sizes (issue 14):
//   - the queue filtered by several statuses reads one index range per
//     status in the order asked and merges them (apply.Queue), which needs
//     (status, submitted_at, id) for the OLDEST and NEWEST orders besides
//     0030's (status, vip DESC, submitted_at, id), and one surveyor's open
//     applications (survey_assignee, status, vip DESC, submitted_at, id);
//   - the management statistics and handlingStats read the applications
//     accepted or credit-checked in the period, the records, repairs and
//     objections created in it and the application events of it by index
//     ranges on those times (covering the grouped columns), instead of
//     scanning whole tables.
//
// The statements are the same on MariaDB and SQLite.
func migrate0031(tx *gorm.DB) error {
	for _, stmt := range []string{
		"CREATE INDEX ix_app_q_status_time ON applications (status, submitted_at, id)",
		"CREATE INDEX ix_app_q_assignee_status ON applications (survey_assignee, status, vip DESC, submitted_at, id)",
		"CREATE INDEX ix_app_s_accepted ON applications (accepted_at, status, vip, wants_credit, submitted_at)",
		"CREATE INDEX ix_app_s_checked ON applications (credit_checked_at, rating)",
		"CREATE INDEX ix_app_event_at ON application_events (at, application_id)",
		"CREATE INDEX ix_rec_s_created ON dishonesty_records (created_at, kind, status)",
		"CREATE INDEX ix_repair_s_created ON repair_requests (created_at, due_at, decided_at)",
		"CREATE INDEX ix_obj_s_created ON objections (created_at, due_at, decided_at)",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}
