package models

import "time"

// RecordKind is the kind of a dishonesty record (失信记录, R1.3).
type RecordKind string

// Record kinds.
const (
	KindArrears       RecordKind = "ARREARS"
	KindTheft         RecordKind = "THEFT"
	KindViolation     RecordKind = "VIOLATION"
	KindBrokenPromise RecordKind = "BROKEN_PROMISE"
)

// Severity decides publicity periods and repair waiting times (R5.3).
type Severity string

// Severities.
const (
	SeverityMinor   Severity = "MINOR"
	SeverityGeneral Severity = "GENERAL"
	SeveritySerious Severity = "SERIOUS"
)

// RecordStatus is where a record stands. Records are never deleted (R1.4).
type RecordStatus string

// Record statuses.
const (
	RecordActive         RecordStatus = "ACTIVE"
	RecordUnderObjection RecordStatus = "UNDER_OBJECTION"
	RecordRepaired       RecordStatus = "REPAIRED"
	RecordRevoked        RecordStatus = "REVOKED"
	// RecordExpired: past its maximum publicity period (R1.5), kept for
	// audit and history, no longer counting.
	RecordExpired RecordStatus = "EXPIRED"
)

// DishonestyRecord is one dishonesty record with its source and evidence.
type DishonestyRecord struct {
	Entity
	SubjectID string       `gorm:"size:36;not null;index"`
	AccountNo string       `gorm:"size:32;index"`
	Kind      RecordKind   `gorm:"size:24;not null;index"`
	Severity  Severity     `gorm:"size:16;not null"`
	Status    RecordStatus `gorm:"size:24;not null;index"`
	// SourceKey makes creation idempotent, e.g. "ARREARS:<reminder no>" or
	// "CASE:<case id>".
	SourceKey string `gorm:"size:100;not null;uniqueIndex"`
	// Source is what created it: ARREARS_RULE, STAFF_CASE, COMMITMENT_BREACH.
	Source   string `gorm:"size:32;not null"`
	Evidence string `gorm:"type:text"`
	Summary  string `gorm:"size:500"`
	// BehaviourOn is when the dishonest behaviour happened (tier windows).
	BehaviourOn    time.Time `gorm:"not null;index"`
	DecidedOn      time.Time `gorm:"not null"`
	PublicityStart *time.Time
	PublicityEnd   *time.Time
	RecordedBy     string  `gorm:"size:36"`
	CaseID         *string `gorm:"size:36;index"`
	CommitmentID   *string `gorm:"size:36;index"`
	// PublicationID is the credit platform's ID of the record's
	// publication, once published (R5.1: withdrawn on repair).
	PublicationID string `gorm:"size:64"`
	// Version is the optimistic-lock counter.
	Version int `gorm:"not null;default:1"`
}

// RecordEvent is one entry of a record's history.
type RecordEvent struct {
	ID         uint64       `gorm:"primaryKey;autoIncrement"`
	RecordID   string       `gorm:"size:36;not null;index"`
	At         time.Time    `gorm:"not null"`
	ActorID    string       `gorm:"size:36"`
	Action     string       `gorm:"size:32;not null"`
	FromStatus RecordStatus `gorm:"size:24"`
	ToStatus   RecordStatus `gorm:"size:24"`
	Reason     string       `gorm:"size:1000"`
}

// CaseStatus is the state of a staff case.
type CaseStatus string

// Case statuses.
const (
	CaseOpen      CaseStatus = "OPEN"
	CaseConfirmed CaseStatus = "CONFIRMED"
	CaseDismissed CaseStatus = "DISMISSED"
)

// ViolationCase is a staff case of theft (窃水), contract violation (违约用水)
// or broken promise (失约); confirmed, it makes a dishonesty record.
type ViolationCase struct {
	Entity
	CaseNo       string     `gorm:"size:64;not null;uniqueIndex"`
	SubjectID    string     `gorm:"size:36;not null;index"`
	AccountNo    string     `gorm:"size:32"`
	Kind         RecordKind `gorm:"size:24;not null"`
	Severity     Severity   `gorm:"size:16;not null"`
	Description  string     `gorm:"size:2000;not null"`
	Evidence     string     `gorm:"type:text"`
	OccurredOn   time.Time  `gorm:"not null"`
	Status       CaseStatus `gorm:"size:16;not null"`
	RecordedBy   string     `gorm:"size:36;not null"`
	DecidedBy    string     `gorm:"size:36"`
	DecidedAt    *time.Time
	DecisionNote string  `gorm:"size:1000"`
	CommitmentID *string `gorm:"size:36"`
	RecordID     *string `gorm:"size:36"`
	// Version is the optimistic-lock counter: a decision names the version
	// it saw (R8.1).
	Version int `gorm:"not null;default:1"`
}

// JobRun records one run of a scheduled job.
type JobRun struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	Job        string    `gorm:"size:64;not null;index;index:ix_job_run_slot,priority:1"`
	Trigger    string    `gorm:"size:16;not null"` // SCHEDULE, MANUAL or CATCH_UP
	Instance   string    `gorm:"size:128"`
	StartedAt  time.Time `gorm:"not null"`
	FinishedAt *time.Time
	Status     string `gorm:"size:16;not null"` // RUNNING, OK, FAILED, SKIPPED
	Detail     string `gorm:"size:2000"`
	// SlotAt is the schedule slot the run is for (the start of a manual
	// run); nil on runs recorded before migration 0010.
	SlotAt *time.Time `gorm:"index:ix_job_run_slot,priority:2"`
	// Reason is why a SKIPPED run was skipped: JOB_RUNNING or
	// LOCK_UNAVAILABLE (the latter is caught up later).
	Reason string `gorm:"size:32;index"`
}
