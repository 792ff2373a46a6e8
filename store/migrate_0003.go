package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0003_billing, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
func migrate0003(tx *gorm.DB) error {
	return tx.AutoMigrate(&accountV0003{}, &usageV0003{}, &billV0003{}, &paymentV0003{}, &reminderV0003{}, &reminderBillV0003{}, &exemptionV0003{}, &importJobV0003{}, &importErrorV0003{})
}

type accountV0003 struct {
	ID        uint64 `gorm:"primaryKey;autoIncrement"`
	AccountNo string `gorm:"size:32;not null;uniqueIndex"`
	SubjectID string `gorm:"size:36;index"`
	Address   string `gorm:"size:255"`
	UseType   string `gorm:"size:32"`
	OpenedOn  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (accountV0003) TableName() string { return "accounts" }

type usageV0003 struct {
	ID        uint64 `gorm:"primaryKey;autoIncrement"`
	AccountNo string `gorm:"size:32;not null;uniqueIndex:ux_usage_account_period"`
	Period    string `gorm:"size:7;not null;uniqueIndex:ux_usage_account_period"`
	ReadingL  int64  `gorm:"not null"`
	VolumeL   int64  `gorm:"not null"`
	UpdatedAt time.Time
}

func (usageV0003) TableName() string { return "usages" }

type billV0003 struct {
	ID        uint64    `gorm:"primaryKey;autoIncrement"`
	BillNo    string    `gorm:"size:32;not null;uniqueIndex"`
	AccountNo string    `gorm:"size:32;not null;index"`
	Period    string    `gorm:"size:7;not null"`
	AmountFen int64     `gorm:"not null"`
	IssuedOn  time.Time `gorm:"not null"`
	DueOn     time.Time `gorm:"not null"`
	UpdatedAt time.Time
}

func (billV0003) TableName() string { return "bills" }

type paymentV0003 struct {
	ID        uint64    `gorm:"primaryKey;autoIncrement"`
	PaymentNo string    `gorm:"size:32;not null;uniqueIndex"`
	BillNo    string    `gorm:"size:32;not null;index"`
	AccountNo string    `gorm:"size:32;not null;index"`
	AmountFen int64     `gorm:"not null"`
	PaidAt    time.Time `gorm:"not null"`
	UpdatedAt time.Time
}

func (paymentV0003) TableName() string { return "payments" }

type reminderV0003 struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	ReminderNo string    `gorm:"size:32;not null;uniqueIndex"`
	AccountNo  string    `gorm:"size:32;not null;index"`
	ServedOn   time.Time `gorm:"not null;index"`
	AmountFen  int64     `gorm:"not null"`
	BillNos    string    `gorm:"type:text;not null"`
	UpdatedAt  time.Time
}

func (reminderV0003) TableName() string { return "reminders" }

type reminderBillV0003 struct {
	ReminderNo string `gorm:"primaryKey;size:32"`
	BillNo     string `gorm:"primaryKey;size:32;index"`
}

func (reminderBillV0003) TableName() string { return "reminder_bills" }

type exemptionV0003 struct {
	ID         string    `gorm:"primaryKey;size:36"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
	AccountNo  string    `gorm:"size:32;not null;index"`
	ReminderNo string    `gorm:"size:32;index"`
	Reason     string    `gorm:"size:500;not null"`
	RecordedBy string    `gorm:"size:36"`
	ValidFrom  time.Time
	ValidTo    *time.Time
}

func (exemptionV0003) TableName() string { return "exemptions" }

type importJobV0003 struct {
	ID         string    `gorm:"primaryKey;size:36"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
	Kind       string    `gorm:"size:16;not null"`
	FileName   string    `gorm:"size:255"`
	Encoding   string    `gorm:"size:16"`
	Status     string    `gorm:"size:16;not null"`
	Rows       int64
	Inserted   int64
	Updated    int64
	Unchanged  int64
	Failed     int64
	Errors     int64
	StartedBy  string `gorm:"size:36"`
	Message    string `gorm:"size:500"`
	FinishedAt *time.Time
}

func (importJobV0003) TableName() string { return "import_jobs" }

type importErrorV0003 struct {
	ID     uint64 `gorm:"primaryKey;autoIncrement"`
	JobID  string `gorm:"size:36;not null;index"`
	Line   int64  `gorm:"not null"`
	Column string `gorm:"size:64"`
	Reason string `gorm:"size:500;not null"`
}

func (importErrorV0003) TableName() string { return "import_errors" }
