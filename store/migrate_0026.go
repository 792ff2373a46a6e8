package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0026_extra_review, frozen: the columns as released. Never edit
// this file (a test checks its checksum); change the schema with a new
// migration.
//
// applications gain the extra review step of a DISHONEST subject's
// application (失信主体额外复核, R3.4): whether it is required, and who
// passed it, when, with which note.
func migrate0026(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"ExtraReview", "ExtraReviewedBy", "ExtraReviewedAt", "ExtraReviewNote"} {
		if !m.HasColumn(&applicationV0026{}, col) {
			if err := m.AddColumn(&applicationV0026{}, col); err != nil {
				return err
			}
		}
	}
	return nil
}

type applicationV0026 struct {
	ID              string `gorm:"primaryKey;size:36"`
	ExtraReview     bool   `gorm:"not null;default:false"`
	ExtraReviewedBy string `gorm:"size:36"`
	ExtraReviewedAt *time.Time
	ExtraReviewNote string `gorm:"size:1000"`
}

func (applicationV0026) TableName() string { return "applications" }
