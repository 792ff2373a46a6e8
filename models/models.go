// Package models holds creditwater's persistent entities and enums (GORM
// structs). It has no behaviour beyond small helpers: rules live in the
// domain packages.
package models

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// NewID returns a new public identifier: a UUIDv7, time-ordered but not
// guessable.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Entity is embedded by entities exposed through the API: a UUIDv7 string
// primary key and timestamps (stored UTC).
type Entity struct {
	ID        string    `gorm:"primaryKey;size:36"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// BeforeCreate assigns a UUIDv7 when the ID is empty.
func (e *Entity) BeforeCreate(*gorm.DB) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	return nil
}

// Role is a user's role (R7.1).
type Role string

// The roles.
const (
	RoleEnterprise    Role = "ENTERPRISE"
	RoleStaff         Role = "STAFF"
	RoleCreditOfficer Role = "CREDIT_OFFICER"
	RoleAdmin         Role = "ADMIN"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleEnterprise, RoleStaff, RoleCreditOfficer, RoleAdmin:
		return true
	}
	return false
}

// IsStaff reports whether r is one of the water company's roles.
func (r Role) IsStaff() bool { return r.Valid() && r != RoleEnterprise }

// User is a person who logs in: an enterprise user by WeChat openid, or a
// staff member by username and password.
type User struct {
	Entity
	Role     Role    `gorm:"size:20;not null;index"`
	OpenID   *string `gorm:"size:64;uniqueIndex"`
	UnionID  *string `gorm:"size:64;index"`
	Username *string `gorm:"size:64;uniqueIndex"`
	// UsernameKey is the username's comparison form (ident.UsernameKey):
	// logins look it up, login limits count it and it is unique (R7.1).
	// On MySQL the column compares bytes (utf8mb4_bin), as Go does.
	UsernameKey  *string `gorm:"size:64;uniqueIndex"`
	PasswordHash string  `gorm:"size:255"`
	DisplayName  string  `gorm:"size:100"`
	Disabled     bool    `gorm:"not null;default:false"`
	LastLoginAt  *time.Time
	// SessionGen is the generation of the user's sessions: a session
	// carries the generation it was opened in and is refused once the user
	// has moved on (disabled, role changed, password reset, sessions ended).
	SessionGen int64 `gorm:"not null;default:0"`
	// Version counts changes of role and of the disabled flag, which an
	// admin decides from what they saw (optimistic locking).
	Version int `gorm:"not null;default:1"`
	// The phone number is sensitive personal data (R7.2): sealed
	// (AES-256-GCM), found by a blind index, shown masked.
	PhoneSealed string  `gorm:"size:128"`
	PhoneIndex  *string `gorm:"size:64;index"`
	PhoneMasked string  `gorm:"size:20"`
	// WorkPhone is a staff member's work (office) telephone, which an
	// enterprise served by them as account manager sees (R3.2); it is a
	// business contact, not the person's own number, and is set by an admin.
	WorkPhone string `gorm:"size:32"`
}

// AuditEntry is one accountable action (R6.2, R7.2): who did what to whom,
// why and when. Entries are append-only.
type AuditEntry struct {
	ID          uint64    `gorm:"primaryKey;autoIncrement"`
	PublicID    string    `gorm:"size:36;uniqueIndex;not null"`
	At          time.Time `gorm:"not null;index"`
	ActorID     string    `gorm:"size:36;index"`
	ActorRole   Role      `gorm:"size:20"`
	Action      string    `gorm:"size:64;not null;index"`
	SubjectType string    `gorm:"size:32"`
	SubjectID   string    `gorm:"size:64;index"`
	Purpose     string    `gorm:"size:255"`
	RequestID   string    `gorm:"size:64"`
	Detail      string    `gorm:"type:text"`
}

// All returns a pointer to one zero value of every persistent entity, for
// schema checks (the migrated database must have every column and index
// these declare).
func All() []any {
	return []any{
		&User{}, &AuditEntry{},
		&Subject{}, &EnterpriseBinding{}, &Consent{}, &FaceVerification{},
		&Account{}, &Usage{}, &Bill{}, &Payment{}, &Reminder{}, &ReminderBill{}, &Exemption{}, &ArrearsNotice{}, &ImportJob{}, &ImportError{}, &ImportChunk{}, &Contract{},
		&DishonestyRecord{}, &RecordEvent{}, &ViolationCase{}, &JobRun{},
		&OutboxMessage{},
		&Application{}, &ApplicationEvent{}, &Commitment{}, &SubscriptionGrant{}, &Notification{},
		&RepairRequest{}, &Objection{}, &RequestEvent{}, &Evidence{}, &StaffNotice{},
		&FollowUpDocument{},
		&Notice{},
	}
}
