package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0034_import_queue_search, frozen: as released. Never edit this
// file (a test checks its checksum); change the schema with a new
// migration.
//
// Billing imports become queued jobs (issue 13): import_jobs gains the
// number of data rows of the file (total_rows) and the lease of the worker
// running it (locked_by, locked_until); the uploaded file is kept in
// import_chunks (1 MiB pieces, in order) until the job ends. The staff
// queue's search matches the start of a unit's name: an index on
// subjects.name serves that prefix match.
func migrate0034(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"TotalRows", "LockedBy", "LockedUntil"} {
		if err := m.AddColumn(&importJobV0034{}, col); err != nil {
			return err
		}
	}
	if err := m.CreateTable(&importChunkV0034{}); err != nil {
		return err
	}
	for _, stmt := range []string{
		"CREATE INDEX ix_import_jobs_queue ON import_jobs (status, locked_until)",
		"CREATE INDEX ix_subjects_name ON subjects (name)",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

type importJobV0034 struct {
	ID          string `gorm:"primaryKey;size:36"`
	TotalRows   int64  `gorm:"not null;default:0"`
	LockedBy    string `gorm:"size:100;not null;default:''"`
	LockedUntil *time.Time
}

func (importJobV0034) TableName() string { return "import_jobs" }

type importChunkV0034 struct {
	JobID string `gorm:"primaryKey;size:36"`
	Seq   int    `gorm:"primaryKey;autoIncrement:false"`
	Data  []byte `gorm:"type:longblob;not null"`
}

func (importChunkV0034) TableName() string { return "import_chunks" }
