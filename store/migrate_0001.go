package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0001_identity_audit, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
func migrate0001(tx *gorm.DB) error {
	return tx.AutoMigrate(&userV0001{}, &auditEntryV0001{})
}

type userV0001 struct {
	ID           string    `gorm:"primaryKey;size:36"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
	Role         string    `gorm:"size:20;not null;index"`
	OpenID       *string   `gorm:"size:64;uniqueIndex"`
	UnionID      *string   `gorm:"size:64;index"`
	Username     *string   `gorm:"size:64;uniqueIndex"`
	PasswordHash string    `gorm:"size:255"`
	DisplayName  string    `gorm:"size:100"`
	Disabled     bool      `gorm:"not null;default:false"`
	LastLoginAt  *time.Time
	PhoneSealed  string  `gorm:"size:128"`
	PhoneIndex   *string `gorm:"size:64;index"`
	PhoneMasked  string  `gorm:"size:20"`
}

func (userV0001) TableName() string { return "users" }

type auditEntryV0001 struct {
	ID          uint64    `gorm:"primaryKey;autoIncrement"`
	PublicID    string    `gorm:"size:36;uniqueIndex;not null"`
	At          time.Time `gorm:"not null;index"`
	ActorID     string    `gorm:"size:36;index"`
	ActorRole   string    `gorm:"size:20"`
	Action      string    `gorm:"size:64;not null;index"`
	SubjectType string    `gorm:"size:32"`
	SubjectID   string    `gorm:"size:64;index"`
	Purpose     string    `gorm:"size:255"`
	RequestID   string    `gorm:"size:64"`
	Detail      string    `gorm:"type:text"`
}

func (auditEntryV0001) TableName() string { return "audit_entries" }
