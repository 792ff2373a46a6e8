package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0006_applications, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
func migrate0006(tx *gorm.DB) error {
	return tx.AutoMigrate(&applicationV0006{}, &applicationEventV0006{}, &commitmentV0006{}, &subscriptionGrantV0006{}, &notificationV0006{})
}

type applicationV0006 struct {
	ID               string    `gorm:"primaryKey;size:36"`
	CreatedAt        time.Time `gorm:"not null"`
	UpdatedAt        time.Time `gorm:"not null"`
	SubjectID        string    `gorm:"size:36;not null;index"`
	UserID           string    `gorm:"size:36;not null;uniqueIndex:ux_app_idem"`
	IdempotencyKey   string    `gorm:"size:64;not null;uniqueIndex:ux_app_idem"`
	Channel          string    `gorm:"size:16;not null"`
	Address          string    `gorm:"size:255;not null"`
	Land             string    `gorm:"size:40;not null"`
	Category         string    `gorm:"size:64;not null"`
	ContactName      string    `gorm:"size:50;not null"`
	ContactSealed    string    `gorm:"size:128"`
	ContactMasked    string    `gorm:"size:20"`
	WantsCredit      bool      `gorm:"not null"`
	Status           string    `gorm:"size:24;not null;index"`
	Version          int       `gorm:"not null;default:1"`
	VIP              bool      `gorm:"column:vip;not null;index"`
	SubmittedAt      time.Time `gorm:"not null;index"`
	StepSince        time.Time `gorm:"not null"`
	SurveyAssignee   *string   `gorm:"size:36;index"`
	SurveyAt         *time.Time
	SurveyFit        *bool
	SurveyNotes      string `gorm:"size:1000"`
	ReportNo         string `gorm:"size:64"`
	Rating           string `gorm:"size:2"`
	CreditCheckedAt  *time.Time
	Eligible         *bool
	FailedConditions string  `gorm:"type:text"`
	CommitmentID     *string `gorm:"size:36"`
	AcceptedAt       *time.Time
	AcceptedBy       string `gorm:"size:36"`
	DocumentsWaived  bool   `gorm:"not null;default:false"`
	MissingDocuments string `gorm:"type:text"`
	Reason           string `gorm:"size:1000"`
}

func (applicationV0006) TableName() string { return "applications" }

type applicationEventV0006 struct {
	ID            uint64    `gorm:"primaryKey;autoIncrement"`
	ApplicationID string    `gorm:"size:36;not null;index"`
	At            time.Time `gorm:"not null"`
	ActorID       string    `gorm:"size:36"`
	ActorRole     string    `gorm:"size:20"`
	FromStatus    string    `gorm:"size:24"`
	ToStatus      string    `gorm:"size:24;not null"`
	Reason        string    `gorm:"size:1000"`
}

func (applicationEventV0006) TableName() string { return "application_events" }

type commitmentV0006 struct {
	ID             string    `gorm:"primaryKey;size:36"`
	CreatedAt      time.Time `gorm:"not null"`
	UpdatedAt      time.Time `gorm:"not null"`
	ApplicationID  string    `gorm:"size:36;not null;uniqueIndex"`
	SubjectID      string    `gorm:"size:36;not null;index"`
	SignerID       string    `gorm:"size:36;not null"`
	BindingID      string    `gorm:"size:36;not null"`
	FaceID         string    `gorm:"size:36"`
	Fields         string    `gorm:"type:text;not null"`
	Text           string    `gorm:"type:text;not null"`
	SHA256         string    `gorm:"size:64;not null"`
	TemplateVer    string    `gorm:"size:32;not null"`
	SignedAt       time.Time `gorm:"not null"`
	PublicationID  string    `gorm:"size:64"`
	PublishedAt    *time.Time
	BreachRecordID *string `gorm:"size:36"`
}

func (commitmentV0006) TableName() string { return "commitments" }

type subscriptionGrantV0006 struct {
	ID         uint64 `gorm:"primaryKey;autoIncrement"`
	UserID     string `gorm:"size:36;not null;uniqueIndex:ux_grant"`
	TemplateID string `gorm:"size:64;not null;uniqueIndex:ux_grant"`
	Remaining  int    `gorm:"not null;default:0"`
	UpdatedAt  time.Time
}

func (subscriptionGrantV0006) TableName() string { return "subscription_grants" }

type notificationV0006 struct {
	ID            uint64    `gorm:"primaryKey;autoIncrement"`
	UserID        string    `gorm:"size:36;not null;index"`
	ApplicationID string    `gorm:"size:36;index"`
	Status        string    `gorm:"size:24"`
	TemplateID    string    `gorm:"size:64"`
	SentAt        time.Time `gorm:"not null"`
}

func (notificationV0006) TableName() string { return "notifications" }
