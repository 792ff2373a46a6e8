package store

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"creditwater/models"
)

// migrations is the ordered, append-only list of schema versions. A released
// migration is never edited: a change is a new entry. They run on SQLite and
// MySQL alike (github.com/go-gormigrate/gormigrate keeps the applied IDs in
// the migrations table).
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{ID: "0001_identity_audit", Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&models.User{}, &models.AuditEntry{})
		}},
		{ID: "0002_subjects_binding", Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&models.Subject{}, &models.EnterpriseBinding{}, &models.Consent{}, &models.FaceVerification{})
		}},
		{ID: "0003_billing", Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&models.Account{}, &models.Usage{}, &models.Bill{}, &models.Payment{}, &models.Reminder{},
				&models.ReminderBill{}, &models.Exemption{}, &models.ImportJob{}, &models.ImportError{})
		}},
		{ID: "0004_records_jobs", Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&models.DishonestyRecord{}, &models.RecordEvent{}, &models.ViolationCase{}, &models.JobRun{})
		}},
		{ID: "0005_outbox", Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&models.OutboxMessage{})
		}},
		{ID: "0006_applications", Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&models.Application{}, &models.ApplicationEvent{}, &models.Commitment{},
				&models.SubscriptionGrant{}, &models.Notification{})
		}},
		{ID: "0007_repair_objection", Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&models.DishonestyRecord{}, &models.RepairRequest{}, &models.Objection{},
				&models.RequestEvent{}, &models.Evidence{}, &models.StaffNotice{})
		}},
	}
}

// Migrate applies every pending migration.
func Migrate(db *gorm.DB) error {
	m := gormigrate.New(db, &gormigrate.Options{TableName: "schema_migrations", IDColumnName: "id", IDColumnSize: 64, UseTransaction: false, ValidateUnknownMigrations: true}, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}
