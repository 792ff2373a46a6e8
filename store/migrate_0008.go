package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0008_verified_identity, frozen (R6.5–R6.8): bindings get a
// status (every binding made before is PENDING and must verify again), a
// generation, agent scopes and registry checks; subjects keep the
// registry's legal representative; face results are sealed (the clear
// outcome, verify_ret and cert_hash are dropped); users get an inbox.
// Never edit this file (a test checks its checksum).
func migrate0008(tx *gorm.DB) error {
	if err := tx.AutoMigrate(&enterpriseBindingV0008{}, &subjectV0008{}, &faceVerificationV0008{}, &noticeV0008{}); err != nil {
		return err
	}
	m := tx.Migrator()
	if m.HasColumn(&enterpriseBindingV0008{}, "active") {
		if err := tx.Exec("UPDATE enterprise_bindings SET status = CASE WHEN active THEN 'PENDING' ELSE 'ENDED' END, generation = 1").Error; err != nil {
			return err
		}
		if err := m.DropColumn(&enterpriseBindingV0008{}, "active"); err != nil {
			return err
		}
	}
	if err := tx.Exec("UPDATE face_verifications SET outcome = 'COMPLETED', valid_until = NULL WHERE outcome <> 'PENDING'").Error; err != nil {
		return err
	}
	for _, col := range []string{"cert_hash", "verify_ret"} {
		if m.HasColumn(&faceVerificationV0008{}, col) {
			if err := m.DropColumn(&faceVerificationV0008{}, col); err != nil {
				return err
			}
		}
	}
	// SQLite drops a column by rebuilding the table, without its indexes:
	// migrating the frozen structs again puts them back (a no-op on MySQL).
	return tx.AutoMigrate(&enterpriseBindingV0008{}, &faceVerificationV0008{})
}

type enterpriseBindingV0008 struct {
	ID                      string    `gorm:"primaryKey;size:36"`
	CreatedAt               time.Time `gorm:"not null"`
	UpdatedAt               time.Time `gorm:"not null"`
	UserID                  string    `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject"`
	SubjectID               string    `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject;index"`
	Role                    string    `gorm:"size:24;not null"`
	AuthorisationRef        string    `gorm:"size:128"`
	PersonName              string    `gorm:"column:legal_rep_name;size:100;not null"`
	IDType                  string    `gorm:"size:40;not null"`
	IDSealed                string    `gorm:"size:128;not null"`
	IDIndex                 string    `gorm:"size:64;not null;index"`
	IDMasked                string    `gorm:"size:32;not null"`
	Status                  string    `gorm:"size:16;not null;default:PENDING;index"`
	Generation              int       `gorm:"not null;default:1"`
	Scopes                  string    `gorm:"size:64"`
	PrincipalID             *string   `gorm:"size:36;index"`
	AuthorisedBy            string    `gorm:"size:36"`
	AuthorisedAt            *time.Time
	AuthorisationEvidenceID string `gorm:"size:36"`
	RegistryCheckedAt       *time.Time
	IdentityVerifiedAt      *time.Time
	StatusReason            string `gorm:"size:500"`
	StatusChangedAt         *time.Time
}

func (enterpriseBindingV0008) TableName() string { return "enterprise_bindings" }

type subjectV0008 struct {
	ID                string    `gorm:"primaryKey;size:36"`
	CreatedAt         time.Time `gorm:"not null"`
	UpdatedAt         time.Time `gorm:"not null"`
	Kind              string    `gorm:"size:16;not null;index"`
	Name              string    `gorm:"size:200;not null"`
	USCC              *string   `gorm:"size:18;uniqueIndex"`
	IDIndex           *string   `gorm:"size:64;uniqueIndex"`
	IDSealed          string    `gorm:"size:128"`
	IDMasked          string    `gorm:"size:32"`
	Tier              string    `gorm:"size:16;not null;default:STANDARD;index"`
	TierSince         *time.Time
	TierEvaluatedAt   *time.Time
	HistorySince      *time.Time
	AccountManagerID  *string `gorm:"size:36;index"`
	LegalRepName      string  `gorm:"size:100"`
	RegistryStatus    string  `gorm:"size:16"`
	RegistryCheckedAt *time.Time
}

func (subjectV0008) TableName() string { return "subjects" }

type faceVerificationV0008 struct {
	ID                string    `gorm:"primaryKey;size:36"`
	CreatedAt         time.Time `gorm:"not null"`
	UpdatedAt         time.Time `gorm:"not null"`
	UserID            string    `gorm:"size:36;not null;index"`
	BindingID         string    `gorm:"size:36;not null"`
	OutSeqNo          string    `gorm:"size:64;not null;uniqueIndex"`
	VerifyID          string    `gorm:"size:128;not null;uniqueIndex"`
	Outcome           string    `gorm:"size:24;not null;default:PENDING"`
	ResultSealed      string    `gorm:"size:255"`
	BindingGeneration int       `gorm:"not null;default:0"`
	CertIndex         string    `gorm:"size:64"`
	CompletedAt       *time.Time
	ValidUntil        *time.Time
	CheckedBy         string `gorm:"size:36"`
	Document          string `gorm:"size:100"`
}

func (faceVerificationV0008) TableName() string { return "face_verifications" }

type noticeV0008 struct {
	ID        uint64    `gorm:"primaryKey;autoIncrement"`
	PublicID  string    `gorm:"size:36;not null;uniqueIndex"`
	UserID    string    `gorm:"size:36;not null;index:ix_notice_user,priority:1"`
	SubjectID string    `gorm:"size:36;index"`
	Kind      string    `gorm:"size:40;not null"`
	Title     string    `gorm:"size:100;not null"`
	Body      string    `gorm:"size:1000;not null"`
	RefType   string    `gorm:"size:32"`
	RefID     string    `gorm:"size:36"`
	DedupKey  *string   `gorm:"size:120;uniqueIndex"`
	CreatedAt time.Time `gorm:"not null;index:ix_notice_user,priority:2"`
	ReadAt    *time.Time
}

func (noticeV0008) TableName() string { return "notices" }
