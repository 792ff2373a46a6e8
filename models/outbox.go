package models

import "time"

// OutboxStatus is where an outbox message stands.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "PENDING"
	OutboxDone    OutboxStatus = "DONE"
	OutboxDead    OutboxStatus = "DEAD" // gave up after the maximum attempts; needs a person
)

// OutboxMessage is a message to the outside world (e.g. a publication to the
// credit platform) written in the same transaction as the change that
// causes it, and delivered by a worker with retries (R2.3).
type OutboxMessage struct {
	ID uint64 `gorm:"primaryKey;autoIncrement"`
	// Key is the idempotency key, unique: enqueuing the same key twice
	// keeps one message, and the platform sees the same key on retries.
	Key           string       `gorm:"size:100;not null;uniqueIndex"`
	Kind          string       `gorm:"size:40;not null;index"`
	AggregateID   string       `gorm:"size:36;index"`
	Payload       string       `gorm:"type:text;not null"`
	Status        OutboxStatus `gorm:"size:16;not null;index:ix_outbox_due,priority:1"`
	Attempts      int          `gorm:"not null;default:0"`
	NextAttemptAt time.Time    `gorm:"not null;index:ix_outbox_due,priority:2"`
	LockedBy      string       `gorm:"size:128"`
	LockedUntil   *time.Time
	LastError     string `gorm:"size:500"`
	Result        string `gorm:"size:255"`
	CreatedAt     time.Time
	DoneAt        *time.Time
}
