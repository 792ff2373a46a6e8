package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0004_records_jobs, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
func migrate0004(tx *gorm.DB) error {
	return tx.AutoMigrate(&dishonestyRecordV0004{}, &recordEventV0004{}, &violationCaseV0004{}, &jobRunV0004{})
}

type dishonestyRecordV0004 struct {
	ID             string    `gorm:"primaryKey;size:36"`
	CreatedAt      time.Time `gorm:"not null"`
	UpdatedAt      time.Time `gorm:"not null"`
	SubjectID      string    `gorm:"size:36;not null;index"`
	AccountNo      string    `gorm:"size:32;index"`
	Kind           string    `gorm:"size:24;not null;index"`
	Severity       string    `gorm:"size:16;not null"`
	Status         string    `gorm:"size:24;not null;index"`
	SourceKey      string    `gorm:"size:100;not null;uniqueIndex"`
	Source         string    `gorm:"size:32;not null"`
	Evidence       string    `gorm:"type:text"`
	Summary        string    `gorm:"size:500"`
	BehaviourOn    time.Time `gorm:"not null;index"`
	DecidedOn      time.Time `gorm:"not null"`
	PublicityStart *time.Time
	PublicityEnd   *time.Time
	RecordedBy     string  `gorm:"size:36"`
	CaseID         *string `gorm:"size:36;index"`
	CommitmentID   *string `gorm:"size:36;index"`
	PublicationID  string  `gorm:"size:64"`
	Version        int     `gorm:"not null;default:1"`
}

func (dishonestyRecordV0004) TableName() string { return "dishonesty_records" }

type recordEventV0004 struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	RecordID   string    `gorm:"size:36;not null;index"`
	At         time.Time `gorm:"not null"`
	ActorID    string    `gorm:"size:36"`
	Action     string    `gorm:"size:32;not null"`
	FromStatus string    `gorm:"size:24"`
	ToStatus   string    `gorm:"size:24"`
	Reason     string    `gorm:"size:1000"`
}

func (recordEventV0004) TableName() string { return "record_events" }

type violationCaseV0004 struct {
	ID           string    `gorm:"primaryKey;size:36"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
	CaseNo       string    `gorm:"size:64;not null;uniqueIndex"`
	SubjectID    string    `gorm:"size:36;not null;index"`
	AccountNo    string    `gorm:"size:32"`
	Kind         string    `gorm:"size:24;not null"`
	Severity     string    `gorm:"size:16;not null"`
	Description  string    `gorm:"size:2000;not null"`
	Evidence     string    `gorm:"type:text"`
	OccurredOn   time.Time `gorm:"not null"`
	Status       string    `gorm:"size:16;not null"`
	RecordedBy   string    `gorm:"size:36;not null"`
	DecidedBy    string    `gorm:"size:36"`
	DecidedAt    *time.Time
	DecisionNote string  `gorm:"size:1000"`
	CommitmentID *string `gorm:"size:36"`
	RecordID     *string `gorm:"size:36"`
}

func (violationCaseV0004) TableName() string { return "violation_cases" }

type jobRunV0004 struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	Job        string    `gorm:"size:64;not null;index"`
	Trigger    string    `gorm:"size:16;not null"`
	Instance   string    `gorm:"size:128"`
	StartedAt  time.Time `gorm:"not null"`
	FinishedAt *time.Time
	Status     string `gorm:"size:16;not null"`
	Detail     string `gorm:"size:2000"`
}

func (jobRunV0004) TableName() string { return "job_runs" }
