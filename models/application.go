package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// LandSituation is the land/building situation of a water-use address
// (attachment 1: only the first two are in the zero-document scheme).
type LandSituation string

// Land situations.
const (
	LandOwnBuildingOnStateLand LandSituation = "OWN_BUILDING_ON_STATE_LAND"
	LandOwnStateLandNoBuilding LandSituation = "OWN_STATE_LAND_NO_BUILDING"
	LandOther                  LandSituation = "OTHER"
)

// AppStatus is the state of a water application (R4.2).
type AppStatus string

// Application states.
const (
	AppSubmitted        AppStatus = "SUBMITTED"
	AppSurveyScheduled  AppStatus = "SURVEY_SCHEDULED"
	AppSurveyed         AppStatus = "SURVEYED"
	AppCreditChecked    AppStatus = "CREDIT_CHECKED"
	AppCommitmentSigned AppStatus = "COMMITMENT_SIGNED"
	AppPublished        AppStatus = "PUBLISHED"
	AppAccepted         AppStatus = "ACCEPTED"
	AppRejected         AppStatus = "REJECTED"
	AppFallback         AppStatus = "FALLBACK_TO_DOCUMENTS"
	AppWithdrawn        AppStatus = "WITHDRAWN"
)

// Application is a water-service application (用水报装), on the
// zero-document credit path or, after a fallback, the ordinary one.
type Application struct {
	Entity
	SubjectID string `gorm:"size:36;not null;index"`
	// UserID is the applicant (mini-program user) or the staff member who
	// entered it at the counter.
	UserID         string        `gorm:"size:36;not null;uniqueIndex:ux_app_idem"`
	IdempotencyKey string        `gorm:"size:64;not null;uniqueIndex:ux_app_idem"`
	Channel        string        `gorm:"size:16;not null"` // MINI_PROGRAM or COUNTER
	Address        string        `gorm:"size:255;not null"`
	Land           LandSituation `gorm:"size:40;not null"`
	Category       string        `gorm:"size:64;not null"`
	ContactName    string        `gorm:"size:50;not null"`
	ContactSealed  string        `gorm:"size:128"`
	ContactMasked  string        `gorm:"size:20"`
	WantsCredit    bool          `gorm:"not null"`
	Status         AppStatus     `gorm:"size:24;not null;index"`
	// IsOpen is kept by the database, never written: a virtual generated
	// column, true unless Status is terminal (migration 0035; the queue's
	// open filter reads its indexes).
	IsOpen      bool      `gorm:"->;column:is_open"`
	Version     int       `gorm:"not null;default:1"`
	VIP         bool      `gorm:"column:vip;not null;index"`
	SubmittedAt time.Time `gorm:"not null;index"`
	StepSince   time.Time `gorm:"not null"`
	// Survey.
	SurveyAssignee *string `gorm:"size:36;index"`
	SurveyAt       *time.Time
	SurveyFit      *bool
	SurveyNotes    string `gorm:"size:1000"`
	// Credit check.
	ReportNo         string `gorm:"size:64"`
	Rating           string `gorm:"size:2"`
	CreditCheckedAt  *time.Time
	Eligible         *bool
	FailedConditions string `gorm:"type:text"` // JSON list
	// Commitment and acceptance.
	CommitmentID     *string `gorm:"size:36"`
	AcceptedAt       *time.Time
	AcceptedBy       string `gorm:"size:36"`
	DocumentsWaived  bool   `gorm:"not null;default:false"`
	MissingDocuments string `gorm:"type:text"` // JSON list, 容缺: to follow
	Reason           string `gorm:"size:1000"` // of a rejection, fallback or withdrawal
	// Extra review (失信主体额外复核, R3.4): required for a subject of
	// Lifecycle.ExtraReviewGrades (DISHONEST) at submission or credit
	// check; a credit officer passes it before acceptance.
	ExtraReview     bool   `gorm:"not null;default:false"`
	ExtraReviewedBy string `gorm:"size:36"`
	ExtraReviewedAt *time.Time
	ExtraReviewNote string `gorm:"size:1000"`
}

// ApplicationEvent is one transition of an application: who, when, from,
// to, why (R4.2).
type ApplicationEvent struct {
	ID            uint64    `gorm:"primaryKey;autoIncrement"`
	ApplicationID string    `gorm:"size:36;not null;index"`
	At            time.Time `gorm:"not null"`
	ActorID       string    `gorm:"size:36"`
	ActorRole     Role      `gorm:"size:20"`
	FromStatus    AppStatus `gorm:"size:24"`
	ToStatus      AppStatus `gorm:"size:24;not null"`
	Reason        string    `gorm:"size:1000"`
}

// Relation is the applicant's relation to the property.
type Relation string

// Relations.
const (
	RelationOwner  Relation = "OWNER"
	RelationTenant Relation = "TENANT"
)

// Commitment is a signed credit commitment letter (信用承诺书, R2). It is
// immutable once signed: the text, its SHA-256, the signer and the time.
type Commitment struct {
	Entity
	ApplicationID  string    `gorm:"size:36;not null;uniqueIndex"`
	SubjectID      string    `gorm:"size:36;not null;index"`
	SignerID       string    `gorm:"size:36;not null"`
	BindingID      string    `gorm:"size:36;not null"`
	FaceID         string    `gorm:"size:36"`
	Fields         string    `gorm:"type:text;not null"` // JSON of the letter's fields
	Text           string    `gorm:"type:text;not null"`
	SHA256         string    `gorm:"size:64;not null"`
	TemplateVer    string    `gorm:"size:32;not null"`
	SignedAt       time.Time `gorm:"not null"`
	PublicationID  string    `gorm:"size:64"`
	PublishedAt    *time.Time
	BreachRecordID *string `gorm:"size:36"`
}

// SubscriptionGrant counts the one-time subscribe messages (订阅消息) a user
// accepted for a template: each allows one message (R4.4).
type SubscriptionGrant struct {
	ID         uint64 `gorm:"primaryKey;autoIncrement"`
	UserID     string `gorm:"size:36;not null;uniqueIndex:ux_grant"`
	TemplateID string `gorm:"size:64;not null;uniqueIndex:ux_grant"`
	Remaining  int    `gorm:"not null;default:0"`
	UpdatedAt  time.Time
}

// Notification is a status message sent (or not) to a user.
type Notification struct {
	ID            uint64    `gorm:"primaryKey;autoIncrement"`
	UserID        string    `gorm:"size:36;not null;index"`
	ApplicationID string    `gorm:"size:36;index"`
	Status        AppStatus `gorm:"size:24"`
	TemplateID    string    `gorm:"size:64"`
	SentAt        time.Time `gorm:"not null"`
}

// ErrImmutable is returned when code tries to change a signed letter.
var ErrImmutable = errors.New("models: a signed commitment letter cannot be changed")

// BeforeUpdate refuses any change to a signed letter's content (R2.2); only
// its publication and breach links may be set.
func (c *Commitment) BeforeUpdate(tx *gorm.DB) error {
	if tx.Statement.Changed("ApplicationID", "SubjectID", "SignerID", "BindingID", "FaceID", "Fields", "Text", "SHA256", "TemplateVer", "SignedAt") {
		return ErrImmutable
	}
	return nil
}

// FollowUpDocument is a document accepted as to-follow (容缺受理, R3.6):
// due by DueOn (Asia/Shanghai day), reminded before and at its due date,
// marked received by staff.
type FollowUpDocument struct {
	Entity
	ApplicationID string    `gorm:"size:36;not null;index"`
	SubjectID     string    `gorm:"size:36;not null;index"`
	Name          string    `gorm:"size:200;not null"`
	DueOn         time.Time `gorm:"not null;index"`
	ReceivedAt    *time.Time
	ReceivedBy    string `gorm:"size:36"`
	// Version is the optimistic-lock counter.
	Version int `gorm:"not null;default:1"`
}
