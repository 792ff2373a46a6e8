package store

import "gorm.io/gorm"

// Migration 0035_open_queue, frozen: as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
//
// The staff queue's "open" filter (every status but the terminal ACCEPTED,
// REJECTED and WITHDRAWN: the console's default) becomes one range of one
// index instead of seven ranges merged (issue 14): applications gain a
// virtual generated column is_open, 1 for an open application, indexed in
// the queue's orders, also within one surveyor's applications. The
// statements are the same on MariaDB and SQLite. apply.Terminal is the
// rule; a test checks the column against it for every status.
func migrate0035(tx *gorm.DB) error {
	for _, stmt := range []string{
		"ALTER TABLE applications ADD COLUMN is_open SMALLINT GENERATED ALWAYS AS " +
			"(CASE WHEN status IN ('ACCEPTED', 'REJECTED', 'WITHDRAWN') THEN 0 ELSE 1 END) VIRTUAL",
		"CREATE INDEX ix_app_q_open ON applications (is_open, vip DESC, submitted_at, id)",
		"CREATE INDEX ix_app_q_open_time ON applications (is_open, submitted_at, id)",
		"CREATE INDEX ix_app_q_assignee_open ON applications (survey_assignee, is_open, vip DESC, submitted_at, id)",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}
