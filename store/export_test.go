package store

import "gorm.io/gorm"

// MigrateTo applies the migrations up to and including id, for tests of a
// migration's data step.
func MigrateTo(db *gorm.DB, id string) error { return migrator(db).MigrateTo(id) }
