package store

import "gorm.io/gorm"

// Migration 0013_decision_versions, frozen: the columns as released. Never
// edit this file (a test checks its checksum); change the schema with a new
// migration.
//
// R8.1: every staff decision that changes state names the version it saw.
// Cases (confirm, dismiss), agent bindings (approval at the counter) and
// the account-manager assignment of subjects gain an optimistic-lock
// counter; existing rows start at 1.
func migrate0013(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, t := range []struct {
		model any
		col   string
	}{
		{&violationCaseV0013{}, "Version"},
		{&enterpriseBindingV0013{}, "Version"},
		{&subjectV0013{}, "AccountManagerVersion"},
	} {
		if !m.HasColumn(t.model, t.col) {
			if err := m.AddColumn(t.model, t.col); err != nil {
				return err
			}
		}
	}
	return nil
}

type violationCaseV0013 struct {
	ID      string `gorm:"primaryKey;size:36"`
	Version int    `gorm:"not null;default:1"`
}

func (violationCaseV0013) TableName() string { return "violation_cases" }

type enterpriseBindingV0013 struct {
	ID      string `gorm:"primaryKey;size:36"`
	Version int    `gorm:"not null;default:1"`
}

func (enterpriseBindingV0013) TableName() string { return "enterprise_bindings" }

type subjectV0013 struct {
	ID                    string `gorm:"primaryKey;size:36"`
	AccountManagerVersion int    `gorm:"not null;default:1"`
}

func (subjectV0013) TableName() string { return "subjects" }
