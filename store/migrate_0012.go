package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0012_exemption_approval, frozen: the tables as released. Never
// edit this file (a test checks its checksum); change the schema with a new
// migration.
//
// R1.6: exemptions gain a bill number (an exemption of one bill), a status (PENDING, APPROVED, REJECTED; rows written
// before this migration were entered by the database operator and are
// APPROVED), the decision and a version; arrears_notices keep the prior
// notice (告知) the ARREARS rule gives before it makes a record.
func migrate0012(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"BillNo", "Status", "DecidedBy", "DecidedAt", "DecisionNote", "Version"} {
		if !m.HasColumn(&exemptionV0012{}, col) {
			if err := m.AddColumn(&exemptionV0012{}, col); err != nil {
				return err
			}
		}
	}
	for _, idx := range []string{"BillNo", "Status"} {
		if !m.HasIndex(&exemptionV0012{}, idx) {
			if err := m.CreateIndex(&exemptionV0012{}, idx); err != nil {
				return err
			}
		}
	}
	return m.AutoMigrate(&arrearsNoticeV0012{})
}

type exemptionV0012 struct {
	ID           string `gorm:"primaryKey;size:36"`
	BillNo       string `gorm:"size:32;index"`
	Status       string `gorm:"size:16;not null;default:APPROVED;index"`
	DecidedBy    string `gorm:"size:36"`
	DecidedAt    *time.Time
	DecisionNote string `gorm:"size:1000"`
	Version      int    `gorm:"not null;default:1"`
}

func (exemptionV0012) TableName() string { return "exemptions" }

type arrearsNoticeV0012 struct {
	ID         string    `gorm:"primaryKey;size:36"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
	ReminderNo string    `gorm:"size:32;not null;uniqueIndex"`
	AccountNo  string    `gorm:"size:32;not null;index"`
	SubjectID  string    `gorm:"size:36;not null;index"`
	NoticedOn  time.Time
}

func (arrearsNoticeV0012) TableName() string { return "arrears_notices" }
