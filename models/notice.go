package models

import "time"

// Notice is one message in a user's in-app inbox (R7.6): an event that
// concerns them or their enterprise, in Chinese. A WeChat subscribe message
// may also be sent where the user granted one; the inbox always has it.
type Notice struct {
	ID       uint64 `gorm:"primaryKey;autoIncrement"`
	PublicID string `gorm:"size:36;not null;uniqueIndex"`
	UserID   string `gorm:"size:36;not null;index:ix_notice_user,priority:1"`
	// SubjectID is the enterprise the notice concerns, when one.
	SubjectID string `gorm:"size:36;index"`
	// Kind is a stable code, e.g. BINDING_SUSPENDED.
	Kind  string `gorm:"size:40;not null"`
	Title string `gorm:"size:100;not null"`
	Body  string `gorm:"size:1000;not null"`
	// RefType and RefID name what the notice is about (a binding, an
	// application …).
	RefType string `gorm:"size:32"`
	RefID   string `gorm:"size:36"`
	// DedupKey, when set, makes posting idempotent (a job that runs twice
	// posts once).
	DedupKey  *string   `gorm:"size:120;uniqueIndex"`
	CreatedAt time.Time `gorm:"not null;index:ix_notice_user,priority:2"`
	ReadAt    *time.Time
}
