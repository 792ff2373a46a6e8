package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0010_jobs_catchup, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
//
// job_runs gains the schedule slot a run is for and the reason a slot was
// skipped, so that slots missed while Redis was down are caught up once.
func migrate0010(tx *gorm.DB) error {
	return tx.AutoMigrate(&jobRunV0010{})
}

type jobRunV0010 struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	Job        string    `gorm:"size:64;not null;index;index:ix_job_run_slot,priority:1"`
	Trigger    string    `gorm:"size:16;not null"`
	Instance   string    `gorm:"size:128"`
	StartedAt  time.Time `gorm:"not null"`
	FinishedAt *time.Time
	Status     string     `gorm:"size:16;not null"`
	Detail     string     `gorm:"size:2000"`
	SlotAt     *time.Time `gorm:"index:ix_job_run_slot,priority:2"`
	Reason     string     `gorm:"size:32;index"`
}

func (jobRunV0010) TableName() string { return "job_runs" }
