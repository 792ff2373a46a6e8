package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0002_subjects_binding, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
func migrate0002(tx *gorm.DB) error {
	return tx.AutoMigrate(&subjectV0002{}, &enterpriseBindingV0002{}, &consentV0002{}, &faceVerificationV0002{})
}

type subjectV0002 struct {
	ID               string    `gorm:"primaryKey;size:36"`
	CreatedAt        time.Time `gorm:"not null"`
	UpdatedAt        time.Time `gorm:"not null"`
	Kind             string    `gorm:"size:16;not null;index"`
	Name             string    `gorm:"size:200;not null"`
	USCC             *string   `gorm:"size:18;uniqueIndex"`
	IDIndex          *string   `gorm:"size:64;uniqueIndex"`
	IDSealed         string    `gorm:"size:128"`
	IDMasked         string    `gorm:"size:32"`
	Tier             string    `gorm:"size:16;not null;default:STANDARD;index"`
	TierSince        *time.Time
	TierEvaluatedAt  *time.Time
	HistorySince     *time.Time
	AccountManagerID *string `gorm:"size:36;index"`
}

func (subjectV0002) TableName() string { return "subjects" }

type enterpriseBindingV0002 struct {
	ID               string    `gorm:"primaryKey;size:36"`
	CreatedAt        time.Time `gorm:"not null"`
	UpdatedAt        time.Time `gorm:"not null"`
	UserID           string    `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject"`
	SubjectID        string    `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject;index"`
	Role             string    `gorm:"size:24;not null"`
	AuthorisationRef string    `gorm:"size:128"`
	LegalRepName     string    `gorm:"size:100;not null"`
	IDType           string    `gorm:"size:40;not null"`
	IDSealed         string    `gorm:"size:128;not null"`
	IDIndex          string    `gorm:"size:64;not null;index"`
	IDMasked         string    `gorm:"size:32;not null"`
	Active           bool      `gorm:"not null;default:true"`
}

func (enterpriseBindingV0002) TableName() string { return "enterprise_bindings" }

type consentV0002 struct {
	ID          string    `gorm:"primaryKey;size:36"`
	CreatedAt   time.Time `gorm:"not null"`
	UpdatedAt   time.Time `gorm:"not null"`
	UserID      string    `gorm:"size:36;not null;index"`
	Purpose     string    `gorm:"size:32;not null"`
	TextVersion string    `gorm:"size:32;not null"`
	GrantedAt   time.Time `gorm:"not null"`
	WithdrawnAt *time.Time
}

func (consentV0002) TableName() string { return "consents" }

type faceVerificationV0002 struct {
	ID          string    `gorm:"primaryKey;size:36"`
	CreatedAt   time.Time `gorm:"not null"`
	UpdatedAt   time.Time `gorm:"not null"`
	UserID      string    `gorm:"size:36;not null;index"`
	BindingID   string    `gorm:"size:36;not null"`
	OutSeqNo    string    `gorm:"size:64;not null;uniqueIndex"`
	VerifyID    string    `gorm:"size:128;not null;uniqueIndex"`
	CertHash    string    `gorm:"size:64;not null"`
	Outcome     string    `gorm:"size:24;not null;default:PENDING"`
	VerifyRet   int
	CompletedAt *time.Time
	ValidUntil  *time.Time
}

func (faceVerificationV0002) TableName() string { return "face_verifications" }
