package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Migration 0016_selfservice, frozen: the tables and columns as released.
// Never edit this file (a test checks its checksum); change the schema with
// a new migration.
//
// It adds the water-supply contracts imported from the billing system
// (R1.7) and the work telephone of staff users, which an enterprise sees
// of its account manager (R3.2).
func migrate0016(tx *gorm.DB) error {
	if err := tx.AutoMigrate(&contractV0016{}); err != nil {
		return err
	}
	m := tx.Migrator()
	if !m.HasColumn(&userV0016{}, "WorkPhone") {
		if err := m.AddColumn(&userV0016{}, "WorkPhone"); err != nil {
			return fmt.Errorf("users.work_phone: %w", err)
		}
	}
	return nil
}

type contractV0016 struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	ContractNo string    `gorm:"size:32;not null;uniqueIndex"`
	AccountNo  string    `gorm:"size:32;not null;index"`
	Supplier   string    `gorm:"size:200;not null"`
	Customer   string    `gorm:"size:200;not null"`
	StartsOn   time.Time `gorm:"not null"`
	EndsOn     time.Time `gorm:"not null"`
	Status     string    `gorm:"size:16;not null"`
	UpdatedAt  time.Time
}

func (contractV0016) TableName() string { return "contracts" }

type userV0016 struct {
	WorkPhone string `gorm:"size:32"`
}

func (userV0016) TableName() string { return "users" }
