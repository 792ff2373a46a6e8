package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0005_outbox, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
func migrate0005(tx *gorm.DB) error {
	return tx.AutoMigrate(&outboxMessageV0005{})
}

type outboxMessageV0005 struct {
	ID            uint64    `gorm:"primaryKey;autoIncrement"`
	Key           string    `gorm:"size:100;not null;uniqueIndex"`
	Kind          string    `gorm:"size:40;not null;index"`
	AggregateID   string    `gorm:"size:36;index"`
	Payload       string    `gorm:"type:text;not null"`
	Status        string    `gorm:"size:16;not null;index:ix_outbox_due,priority:1"`
	Attempts      int       `gorm:"not null;default:0"`
	NextAttemptAt time.Time `gorm:"not null;index:ix_outbox_due,priority:2"`
	LockedBy      string    `gorm:"size:128"`
	LockedUntil   *time.Time
	LastError     string `gorm:"size:500"`
	Result        string `gorm:"size:255"`
	CreatedAt     time.Time
	DoneAt        *time.Time
}

func (outboxMessageV0005) TableName() string { return "outbox_messages" }
