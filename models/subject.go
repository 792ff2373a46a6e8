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

// Grade is a subject's credit classification (分级分类, R3.4).
type Grade string

// Grades, best first.
const (
	GradeExcellent Grade = "EXCELLENT" // 优良
	GradeGood      Grade = "GOOD"      // 良好
	GradeWatch     Grade = "WATCH"     // 关注
	GradeDishonest Grade = "DISHONEST" // 失信
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
	// Grade is recomputed with the tier (R3.4): empty until first
	// evaluated. GradePrev is the grade before its last change, GradeSince
	// when it last changed.
	Grade      Grade `gorm:"size:16;index"`
	GradePrev  Grade `gorm:"size:16"`
	GradeSince *time.Time
	// HistorySince is the start of the subject's known history (the earliest
	// account opening), which the EXCELLENT tier requires to be long enough.
	HistorySince *time.Time
	// AccountManagerID is the staff user serving an EXCELLENT subject (R3.2).
	AccountManagerID *string `gorm:"size:36;index"`
	// AccountManagerVersion counts assignments of the account manager: an
	// assignment names the version it saw (R8.1).
	AccountManagerVersion int `gorm:"not null;default:1"`
	// LegalRepName is the legal representative's name as the enterprise
	// registry gives it (R6.5); RegistryStatus its status there (ACTIVE 存续,
	// REVOKED 吊销, CANCELLED 注销), as of RegistryCheckedAt.
	LegalRepName      string `gorm:"size:100"`
	RegistryStatus    string `gorm:"size:16"`
	RegistryCheckedAt *time.Time
}

// BindingRole is how a user acts for an enterprise.
type BindingRole string

// Binding roles.
const (
	BindingLegalRepresentative BindingRole = "LEGAL_REPRESENTATIVE"
	BindingAuthorisedAgent     BindingRole = "AUTHORISED_AGENT"
)

// BindingStatus is where a binding stands (R6.5–R6.8).
type BindingStatus string

// Binding statuses.
const (
	// BindingPending: a legal representative's binding the registry
	// confirmed, waiting for the face verification of that same person; or
	// an agent's request, waiting for their face verification and the
	// legal representative's authorisation. Nothing of the enterprise is
	// visible and nothing can be done for it.
	BindingPending BindingStatus = "PENDING"
	// BindingActive: verified; the user acts for the enterprise (an agent
	// within its scopes).
	BindingActive BindingStatus = "ACTIVE"
	// BindingSuspended: the registry no longer confirms the person (a new
	// legal representative, or the enterprise revoked or cancelled); the
	// user must bind again.
	BindingSuspended BindingStatus = "SUSPENDED"
	// BindingEnded: unbound by the user, revoked, or lapsed with the
	// legal representative's binding. Kept for history, without ID data.
	BindingEnded BindingStatus = "ENDED"
)

// AgentScope is what an authorised agent (经办人) may do for the
// enterprise (R6.6).
type AgentScope string

// Agent scopes.
const (
	// ScopeView: read the credit report, records and profile.
	ScopeView AgentScope = "VIEW"
	// ScopeApply: submit and follow water applications.
	ScopeApply AgentScope = "APPLY"
	// ScopeDispute: file and follow credit repairs and objections.
	ScopeDispute AgentScope = "DISPUTE"
)

// EnterpriseBinding links a WeChat user to the enterprise they act for
// (R6.1, R6.5–R6.8): as its legal representative, confirmed by the
// enterprise registry and by a face verification of that same person, or
// as an agent the legal representative (or staff, against a paper
// 授权委托书) authorised with scopes. The acting person's ID number is
// stored sealed, found by a blind index and shown masked (R7.2); it is
// erased when the binding ends.
type EnterpriseBinding struct {
	Entity
	UserID    string      `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject"`
	SubjectID string      `gorm:"size:36;not null;uniqueIndex:ux_binding_user_subject;index"`
	Role      BindingRole `gorm:"size:24;not null"`
	// AuthorisationRef is the reference of a paper letter of authorisation
	// approved at the counter.
	AuthorisationRef string `gorm:"size:128"`
	// PersonName is the name of the person who acts: the legal
	// representative for LEGAL_REPRESENTATIVE, the agent for
	// AUTHORISED_AGENT.
	PersonName string        `gorm:"column:legal_rep_name;size:100;not null"`
	IDType     string        `gorm:"size:40;not null"`
	IDSealed   string        `gorm:"size:128;not null"`
	IDIndex    string        `gorm:"size:64;not null;index"`
	IDMasked   string        `gorm:"size:32;not null"`
	Status     BindingStatus `gorm:"size:16;not null;default:PENDING;index"`
	// Generation grows with every change of the binding (a new ID number,
	// a new legal representative, suspension, unbinding): face
	// verifications and authorisations of an earlier generation count for
	// nothing (R6.7).
	Generation int `gorm:"not null;default:1"`
	// Scopes of an agent, comma-separated (VIEW,APPLY,DISPUTE).
	Scopes string `gorm:"size:64"`
	// PrincipalID is the legal representative's binding that authorised an
	// agent (empty for an approval at the counter).
	PrincipalID  *string `gorm:"size:36;index"`
	AuthorisedBy string  `gorm:"size:36"`
	AuthorisedAt *time.Time
	// AuthorisationEvidenceID is the public ID of the scanned 授权委托书.
	AuthorisationEvidenceID string `gorm:"size:36"`
	// RegistryCheckedAt is when the registry last confirmed the legal
	// representative.
	RegistryCheckedAt *time.Time
	// IdentityVerifiedAt is when the acting person last passed a face (or
	// counter) verification of this generation's ID.
	IdentityVerifiedAt *time.Time
	// StatusReason says, in Chinese, why the binding is SUSPENDED or ENDED.
	StatusReason    string `gorm:"size:500"`
	StatusChangedAt *time.Time
	// Version is the optimistic-lock counter: it grows with every change
	// of the binding's state, and a staff approval names the version it
	// saw (R8.1).
	Version int `gorm:"not null;default:1"`
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

// FaceVerification is one WeChat face verification (人脸核身) attempt, or an
// in-person check by staff at the counter. No face image is ever stored.
// The result (outcome and WeChat's verify_ret) is sensitive (R7.2) and kept
// sealed; what authorises later actions is ValidUntil together with the
// binding's generation and the blind index of the verified ID number.
type FaceVerification struct {
	Entity
	UserID    string `gorm:"size:36;not null;index"`
	BindingID string `gorm:"size:36;not null"`
	OutSeqNo  string `gorm:"size:64;not null;uniqueIndex"`
	VerifyID  string `gorm:"size:128;not null;uniqueIndex"`
	// Outcome is PENDING until the result is pulled, then COMPLETED; the
	// result itself is in ResultSealed.
	Outcome      string `gorm:"size:24;not null;default:PENDING"`
	ResultSealed string `gorm:"size:255"`
	// BindingGeneration is the binding's generation when it started.
	BindingGeneration int `gorm:"not null;default:0"`
	// CertIndex is the blind index of the ID number verified.
	CertIndex   string `gorm:"size:64"`
	CompletedAt *time.Time
	// ValidUntil is set only for a pass: until then it authorises
	// sensitive actions of that binding generation.
	ValidUntil *time.Time
	// CheckedBy is the staff member of a counter check; Document the
	// document inspected (type and masked number).
	CheckedBy string `gorm:"size:36"`
	Document  string `gorm:"size:100"`
}
