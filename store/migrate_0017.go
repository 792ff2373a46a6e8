package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0017_follow_up_documents, frozen: the table as released. Never
// edit this file (a test checks its checksum); change the schema with a new
// migration.
//
// It adds the documents accepted as to-follow (容缺受理) with their due
// dates and receipt (R3.6).
func migrate0017(tx *gorm.DB) error {
	return tx.AutoMigrate(&followUpDocumentV0017{})
}

type followUpDocumentV0017 struct {
	ID            string    `gorm:"primaryKey;size:36"`
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
	ApplicationID string    `gorm:"size:36;not null;index"`
	SubjectID     string    `gorm:"size:36;not null;index"`
	Name          string    `gorm:"size:200;not null"`
	DueOn         time.Time `gorm:"not null;index"`
	ReceivedAt    *time.Time
	ReceivedBy    string `gorm:"size:36"`
	Version       int    `gorm:"not null;default:1"`
}

func (followUpDocumentV0017) TableName() string { return "follow_up_documents" }
