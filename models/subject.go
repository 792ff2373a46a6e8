package models

import "time"

// SubjectKind tells an enterprise from a person (R1.2).
type SubjectKind string

// Subject kinds.
const (
	SubjectEnterprise SubjectKind = "ENTERPRISE"
	SubjectPerson     SubjectKind = "PERSON"
)

// Tier is a subject's credit tier (R3.1).
type Tier string

// Tiers.
const (
	TierStandard  Tier = "STANDARD"
	TierExcellent Tier = "EXCELLENT"
)

// Subject is a water-using subject (用水主体): an enterprise identified by its
// unified social credit code (USCC) or a person identified by a resident ID,
// stored sealed and found by a blind index (R7.2).
type Subject struct {
	Entity
	Kind SubjectKind `gorm:"size:16;not null;index"`
	Name string      `gorm:"size:200;not null"`
	// USCC is set for enterprises (统一社会信用代码, 18 characters).
	USCC *string `gorm:"size:18;uniqueIndex"`
	// IDIndex is the HMAC blind index of a person's ID number.
	IDIndex  *string `gorm:"size:64;uniqueIndex"`
	IDSealed string  `gorm:"size:128"`
	IDMasked string  `gorm:"size:32"`
	// Tier and its bookkeeping (R3).
	Tier            Tier `gorm:"size:16;not null;default:STANDARD;index"`
	TierSince       *time.Time
	TierEvaluatedAt *time.Time
	// HistorySince is the start of the subject's known history (the earliest
	// account opening), which the EXCELLENT tier requires to be long enough.
	HistorySince *time.Time
	// AccountManagerID is the staff user serving an EXCELLENT subject (R3.2).
	AccountManagerID *string `gorm:"size:36;index"`
}

// BindingRole is how a user acts for an enterprise.
type BindingRole string

// Binding roles.
const (
	BindingLegalRepresentative BindingRole = "LEGAL_REPRESENTATIVE"
	BindingAuthorisedAgent     BindingRole = "AUTHORISED_AGENT"
)

// EnterpriseBinding links a WeChat user to the enterprise they act for, with
// the legal representative's identity (sealed) used for face verification
// (R6.1, R7.2).
type EnterpriseBinding struct {
	Entity
	UserID           string      `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject"`
	SubjectID        string      `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject;index"`
	Role             BindingRole `gorm:"size:24;not null"`
	AuthorisationRef string      `gorm:"size:128"`
	LegalRepName     string      `gorm:"size:100;not null"`
	IDType           string      `gorm:"size:40;not null"`
	IDSealed         string      `gorm:"size:128;not null"`
	IDIndex          string      `gorm:"size:64;not null;index"`
	IDMasked         string      `gorm:"size:32;not null"`
	Active           bool        `gorm:"not null;default:true"`
}

// ConsentPurpose names what a user consented to (PIPL Art. 29).
type ConsentPurpose string

// Consent purposes.
const (
	ConsentIDProcessing     ConsentPurpose = "ID_PROCESSING"
	ConsentFaceVerification ConsentPurpose = "FACE_VERIFICATION"
)

// Consent is a separate, recorded consent with the version of the text shown.
type Consent struct {
	Entity
	UserID      string         `gorm:"size:36;not null;index"`
	Purpose     ConsentPurpose `gorm:"size:32;not null"`
	TextVersion string         `gorm:"size:32;not null"`
	GrantedAt   time.Time      `gorm:"not null"`
	WithdrawnAt *time.Time
}

// FaceVerification is one WeChat face verification (人脸核身) attempt. No face
// image is ever stored: only the outcome.
type FaceVerification struct {
	Entity
	UserID      string `gorm:"size:36;not null;index"`
	BindingID   string `gorm:"size:36;not null"`
	OutSeqNo    string `gorm:"size:64;not null;uniqueIndex"`
	VerifyID    string `gorm:"size:128;not null;uniqueIndex"`
	CertHash    string `gorm:"size:64;not null"`
	Outcome     string `gorm:"size:24;not null;default:PENDING"`
	VerifyRet   int
	CompletedAt *time.Time
	ValidUntil  *time.Time
}
