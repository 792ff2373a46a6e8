package store

import (
	"time"

	"gorm.io/gorm"
)

// Migration 0007_repair_objection, frozen: the tables as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
func migrate0007(tx *gorm.DB) error {
	return tx.AutoMigrate(&repairRequestV0007{}, &objectionV0007{}, &requestEventV0007{}, &evidenceV0007{}, &staffNoticeV0007{})
}

type repairRequestV0007 struct {
	ID                 string    `gorm:"primaryKey;size:36"`
	CreatedAt          time.Time `gorm:"not null"`
	UpdatedAt          time.Time `gorm:"not null"`
	RecordID           string    `gorm:"size:36;not null;index"`
	SubjectID          string    `gorm:"size:36;not null;index"`
	FiledBy            string    `gorm:"size:36;not null"`
	Statement          string    `gorm:"size:2000;not null"`
	CommitmentText     string    `gorm:"type:text;not null"`
	CommitmentVersion  string    `gorm:"size:32;not null"`
	CommitmentSHA256   string    `gorm:"size:64;not null"`
	CommitmentSignedAt time.Time `gorm:"not null"`
	Status             string    `gorm:"size:24;not null;index:ix_repair_queue,priority:1"`
	MissingItems       string    `gorm:"type:text"`
	AssigneeID         *string   `gorm:"size:36;index"`
	DueAt              time.Time `gorm:"not null;index:ix_repair_queue,priority:2"`
	DecidedBy          string    `gorm:"size:36"`
	DecidedAt          *time.Time
	Decision           string  `gorm:"size:1000"`
	PublicationID      string  `gorm:"size:64"`
	OpenKey            *string `gorm:"size:36;uniqueIndex"`
	Version            int     `gorm:"not null;default:1"`
}

func (repairRequestV0007) TableName() string { return "repair_requests" }

type objectionV0007 struct {
	ID              string    `gorm:"primaryKey;size:36"`
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
	RecordID        string    `gorm:"size:36;not null;index"`
	SubjectID       string    `gorm:"size:36;not null;index"`
	FiledBy         string    `gorm:"size:36;not null"`
	Reason          string    `gorm:"size:2000;not null"`
	Status          string    `gorm:"size:24;not null;index:ix_objection_queue,priority:1"`
	AcceptedAt      *time.Time
	DueAt           time.Time `gorm:"not null;index:ix_objection_queue,priority:2"`
	Extended        bool      `gorm:"not null;default:false"`
	ExtensionReason string    `gorm:"size:1000"`
	AssigneeID      *string   `gorm:"size:36;index"`
	DecidedBy       string    `gorm:"size:36"`
	DecidedAt       *time.Time
	Decision        string  `gorm:"size:1000"`
	Correction      string  `gorm:"type:text"`
	OpenKey         *string `gorm:"size:36;uniqueIndex"`
	Version         int     `gorm:"not null;default:1"`
}

func (objectionV0007) TableName() string { return "objections" }

type requestEventV0007 struct {
	ID         uint64    `gorm:"primaryKey;autoIncrement"`
	OwnerType  string    `gorm:"size:16;not null;index:ix_request_event_owner,priority:1"`
	OwnerID    string    `gorm:"size:36;not null;index:ix_request_event_owner,priority:2"`
	At         time.Time `gorm:"not null"`
	ActorID    string    `gorm:"size:36"`
	Action     string    `gorm:"size:32;not null"`
	FromStatus string    `gorm:"size:24"`
	ToStatus   string    `gorm:"size:24"`
	Reason     string    `gorm:"size:1000"`
	Detail     string    `gorm:"type:text"`
}

func (requestEventV0007) TableName() string { return "request_events" }

type evidenceV0007 struct {
	ID          uint64 `gorm:"primaryKey;autoIncrement"`
	PublicID    string `gorm:"size:36;not null;uniqueIndex"`
	OwnerType   string `gorm:"size:16;not null;index:ix_evidence_owner,priority:1"`
	OwnerID     string `gorm:"size:36;not null;index:ix_evidence_owner,priority:2"`
	Kind        string `gorm:"size:8;not null"`
	Text        string `gorm:"type:text"`
	FileName    string `gorm:"size:255"`
	ContentType string `gorm:"size:100"`
	Size        int64  `gorm:"not null;default:0"`
	SHA256      string `gorm:"size:64"`
	Data        []byte
	UploadedBy  string    `gorm:"size:36"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (evidenceV0007) TableName() string { return "evidences" }

type staffNoticeV0007 struct {
	ID        uint64    `gorm:"primaryKey;autoIncrement"`
	UserID    string    `gorm:"size:36;not null;index"`
	Kind      string    `gorm:"size:32;not null"`
	RefID     string    `gorm:"size:36;not null;uniqueIndex:ux_staff_notice_day,priority:1"`
	Day       string    `gorm:"size:10;not null;uniqueIndex:ux_staff_notice_day,priority:2"`
	Text      string    `gorm:"size:500;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ReadAt    *time.Time
}

func (staffNoticeV0007) TableName() string { return "staff_notices" }
