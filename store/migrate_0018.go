package store

import "gorm.io/gorm"

// Migration 0018_deadline_indexes, frozen: the indexes as released. Never
// edit this file (a test checks its checksum); change the schema with a
// new migration.
//
// The deadlines (open repair requests and objections by due date) read one
// index range per open status, already in (due_at, id) order, and merge
// them (store.PageQueryEach, issue 14); one assignee's, overdue or not, is
// then a range of (status, assignee_id, due_at, id) instead of every row of
// the assignee's tested for its status.
func migrate0018(tx *gorm.DB) error {
	for _, stmt := range []string{
		"CREATE INDEX ix_repair_l_status_assignee ON repair_requests (status, assignee_id, due_at, id)",
		"CREATE INDEX ix_obj_l_status_assignee ON objections (status, assignee_id, due_at, id)",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}
