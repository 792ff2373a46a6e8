package store

import (
	"context"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations is the ordered, append-only list of schema versions. Each is
// frozen in its own file (migrate_NNNN.go) with the table structs as they
// were released, never today's models, so editing a model cannot change a
// past migration; TestReleasedMigrationsNeverChange keeps their checksums.
// They run on SQLite and MySQL alike (github.com/go-gormigrate/gormigrate
// keeps the applied IDs in the schema_migrations table).
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{ID: "0001_identity_audit", Migrate: migrate0001},
		{ID: "0002_subjects_binding", Migrate: migrate0002},
		{ID: "0003_billing", Migrate: migrate0003},
		{ID: "0004_records_jobs", Migrate: migrate0004},
		{ID: "0005_outbox", Migrate: migrate0005},
		{ID: "0006_applications", Migrate: migrate0006},
		{ID: "0007_repair_objection", Migrate: migrate0007},
		{ID: "0008_verified_identity", Migrate: migrate0008},
		{ID: "0009_auth_usernames", Migrate: migrate0009},
		{ID: "0010_jobs_catchup", Migrate: migrate0010},
		{ID: "0011_subject_grades", Migrate: migrate0011},
		{ID: "0012_exemption_approval", Migrate: migrate0012},
		{ID: "0013_decision_versions", Migrate: migrate0013},
		{ID: "0016_selfservice", Migrate: migrate0016},
		{ID: "0017_follow_up_documents", Migrate: migrate0017},
		{ID: "0018_deadline_indexes", Migrate: migrate0018},
		{ID: "0026_extra_review", Migrate: migrate0026},
		{ID: "0030_list_indexes", Migrate: migrate0030},
		{ID: "0031_scale_indexes", Migrate: migrate0031},
		{ID: "0034_import_queue_search", Migrate: migrate0034},
		{ID: "0035_open_queue", Migrate: migrate0035},
	}
}

// MigrationIDs lists the IDs of every migration, in order.
func MigrationIDs() []string {
	var out []string
	for _, m := range migrations() {
		out = append(out, m.ID)
	}
	return out
}

// migrateLock is the name of the MySQL user lock (GET_LOCK) that instances
// starting together take around migrating.
const migrateLock = "creditwater.migrate"

// Migrate applies every pending migration. On MySQL it holds a database
// lock (GET_LOCK) for the whole run, on one connection, so instances that
// start together on an empty database migrate one after the other: the
// second finds everything applied. It waits up to two minutes for the lock.
func Migrate(db *gorm.DB) error { return MigrateTo(db, "") }

// MigrateTo applies the pending migrations up to and including id (all of
// them when id is empty), under the same lock as Migrate. Tests use it to
// build a database as an earlier release left it.
func MigrateTo(db *gorm.DB, id string) error {
	run := func(tx *gorm.DB) error {
		m := gormigrate.New(tx, &gormigrate.Options{TableName: "schema_migrations", IDColumnName: "id", IDColumnSize: 64, UseTransaction: false, ValidateUnknownMigrations: true}, migrations())
		migrate := m.Migrate
		if id != "" {
			migrate = func() error { return m.MigrateTo(id) }
		}
		if err := migrate(); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		return nil
	}
	if !IsMySQL(db) {
		// SQLite: one transaction, begun IMMEDIATE (see SQLiteDSN), so a
		// second process on the same file waits for the first — up to the
		// busy timeout each try, and tries again (for two minutes in all,
		// as long as MySQL's lock wait) while the first is still migrating
		// on a slow machine.
		deadline := time.Now().Add(2 * time.Minute)
		for {
			err := db.Transaction(run)
			if !IsSQLiteBusy(err) || time.Now().After(deadline) {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return WithLock(ctx, db, migrateLock, 2*time.Minute, run)
}
