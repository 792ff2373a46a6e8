package models

import "time"

// RepairStatus is where a credit repair request (信用修复, R5.1) stands.
type RepairStatus string

// Repair statuses.
const (
	RepairSubmitted       RepairStatus = "SUBMITTED"
	RepairNeedsSupplement RepairStatus = "NEEDS_SUPPLEMENT"
	RepairUnderReview     RepairStatus = "UNDER_REVIEW"
	RepairApproved        RepairStatus = "APPROVED"
	RepairDenied          RepairStatus = "DENIED"
)

// RepairRequest is a subject's request to repair one dishonesty record
// (信用修复, R5.1), with its signed credit-repair commitment (信用修复承诺书).
type RepairRequest struct {
	Entity
	RecordID  string `gorm:"size:36;not null;index"`
	SubjectID string `gorm:"size:36;not null;index"`
	FiledBy   string `gorm:"size:36;not null"`
	Statement string `gorm:"size:2000;not null"`
	// The signed commitment: the exact text shown, its template version,
	// its SHA-256 (lowercase hex) and the signing time. Immutable.
	CommitmentText     string       `gorm:"type:text;not null"`
	CommitmentVersion  string       `gorm:"size:32;not null"`
	CommitmentSHA256   string       `gorm:"size:64;not null"`
	CommitmentSignedAt time.Time    `gorm:"not null"`
	Status             RepairStatus `gorm:"size:24;not null;index:ix_repair_queue,priority:1"`
	// MissingItems is the JSON array of the items staff asked for while
	// the request is NEEDS_SUPPLEMENT ("[]" otherwise).
	MissingItems string  `gorm:"type:text"`
	AssigneeID   *string `gorm:"size:36;index"`
	// DueAt is the review deadline (end of a working day, UTC).
	DueAt     time.Time `gorm:"not null;index:ix_repair_queue,priority:2"`
	DecidedBy string    `gorm:"size:36"`
	DecidedAt *time.Time
	Decision  string `gorm:"size:1000"`
	// PublicationID is the credit platform's ID of the published repair.
	PublicationID string `gorm:"size:64"`
	// OpenKey is the record ID while the request is open and NULL once it
	// is decided: its unique index allows one open request per record.
	OpenKey *string `gorm:"size:36;uniqueIndex"`
	// Version is the optimistic-lock counter.
	Version int `gorm:"not null;default:1"`
}

// ObjectionStatus is where an objection (异议, R5.2) stands.
type ObjectionStatus string

// Objection statuses.
const (
	ObjectionSubmitted   ObjectionStatus = "SUBMITTED"
	ObjectionUnderReview ObjectionStatus = "UNDER_REVIEW"
	ObjectionCorrected   ObjectionStatus = "CORRECTED"
	ObjectionRevoked     ObjectionStatus = "REVOKED"
	ObjectionUpheld      ObjectionStatus = "UPHELD"
	ObjectionNotAccepted ObjectionStatus = "NOT_ACCEPTED"
)

// Objection is a subject's objection to a dishonesty record it thinks
// wrong (异议申诉, R5.2).
type Objection struct {
	Entity
	RecordID  string          `gorm:"size:36;not null;index"`
	SubjectID string          `gorm:"size:36;not null;index"`
	FiledBy   string          `gorm:"size:36;not null"`
	Reason    string          `gorm:"size:2000;not null"`
	Status    ObjectionStatus `gorm:"size:24;not null;index:ix_objection_queue,priority:1"`
	// AcceptedAt is when staff accepted the objection for review (the
	// record is flagged UNDER_OBJECTION from then on).
	AcceptedAt *time.Time
	// DueAt is the deadline: of acceptance while SUBMITTED, of the
	// decision once UNDER_REVIEW (end of a working day, UTC).
	DueAt           time.Time `gorm:"not null;index:ix_objection_queue,priority:2"`
	Extended        bool      `gorm:"not null;default:false"`
	ExtensionReason string    `gorm:"size:1000"`
	AssigneeID      *string   `gorm:"size:36;index"`
	DecidedBy       string    `gorm:"size:36"`
	DecidedAt       *time.Time
	Decision        string `gorm:"size:1000"`
	// Correction is the JSON of the fields a CORRECTED outcome changed,
	// each with its old and new value.
	Correction string `gorm:"type:text"`
	// OpenKey is the record ID while the objection is open, NULL after:
	// one open objection per record.
	OpenKey *string `gorm:"size:36;uniqueIndex"`
	Version int     `gorm:"not null;default:1"`
}

// RequestEvent is one entry of the history of a repair request or an
// objection: every transition with its actor, time and reason.
type RequestEvent struct {
	ID uint64 `gorm:"primaryKey;autoIncrement"`
	// OwnerType is REPAIR or OBJECTION; OwnerID the request's public ID.
	OwnerType  string    `gorm:"size:16;not null;index:ix_request_event_owner,priority:1"`
	OwnerID    string    `gorm:"size:36;not null;index:ix_request_event_owner,priority:2"`
	At         time.Time `gorm:"not null"`
	ActorID    string    `gorm:"size:36"`
	Action     string    `gorm:"size:32;not null"`
	FromStatus string    `gorm:"size:24"`
	ToStatus   string    `gorm:"size:24"`
	Reason     string    `gorm:"size:1000"`
	// Detail is optional JSON, e.g. the missing items asked for or the
	// corrected fields.
	Detail string `gorm:"type:text"`
}

// Evidence is one piece of evidence of a repair request or an objection: a
// text or a file (PDF, JPEG or PNG, checked by content). The file is kept
// in the database: Data has no size, so GORM makes it LONGBLOB on MySQL and
// BLOB on SQLite.
type Evidence struct {
	ID       uint64 `gorm:"primaryKey;autoIncrement"`
	PublicID string `gorm:"size:36;not null;uniqueIndex"`
	// OwnerType is REPAIR or OBJECTION; OwnerID the owner's public ID.
	OwnerType string `gorm:"size:16;not null;index:ix_evidence_owner,priority:1"`
	OwnerID   string `gorm:"size:36;not null;index:ix_evidence_owner,priority:2"`
	// Kind is TEXT or FILE.
	Kind string `gorm:"size:8;not null"`
	Text string `gorm:"type:text"`
	// FileName is sanitised; ContentType is the sniffed type, not the
	// declared one.
	FileName    string `gorm:"size:255"`
	ContentType string `gorm:"size:100"`
	Size        int64  `gorm:"not null;default:0"`
	SHA256      string `gorm:"size:64"`
	Data        []byte
	UploadedBy  string    `gorm:"size:36"`
	CreatedAt   time.Time `gorm:"not null"`
}

// StaffNotice is a message to a staff user, e.g. that a review is due
// (R5.3). One notice per item per day: (RefID, Day) is unique.
type StaffNotice struct {
	ID        uint64    `gorm:"primaryKey;autoIncrement"`
	UserID    string    `gorm:"size:36;not null;index"`
	Kind      string    `gorm:"size:32;not null"`
	RefID     string    `gorm:"size:36;not null;uniqueIndex:ux_staff_notice_day,priority:1"`
	Day       string    `gorm:"size:10;not null;uniqueIndex:ux_staff_notice_day,priority:2"`
	Text      string    `gorm:"size:500;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ReadAt    *time.Time
}
