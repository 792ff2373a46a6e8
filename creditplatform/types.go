package creditplatform

import (
	"encoding/json"
	"time"

	"creditwater/apisign"
)

// Rating is a comprehensive credit rating grade of GB/T 45255-2025.
type Rating string

// The rating grades.
const (
	RatingA Rating = "A" // 诚信优良
	RatingB Rating = "B" // 基本诚信
	RatingC Rating = "C" // 失信观察
	RatingD Rating = "D" // 严重失信
)

// Valid reports whether r is one of the four grades.
func (r Rating) Valid() bool {
	switch r {
	case RatingA, RatingB, RatingC, RatingD:
		return true
	}
	return false
}

// Label returns the Chinese name of the grade, or "" for an invalid grade.
func (r Rating) Label() string {
	switch r {
	case RatingA:
		return "诚信优良"
	case RatingB:
		return "基本诚信"
	case RatingC:
		return "失信观察"
	case RatingD:
		return "严重失信"
	}
	return ""
}

// DishonestyEntry is one dishonesty item (失信信息) listed in a credit report.
type DishonestyEntry struct {
	// Kind is the platform's category, e.g. 欠缴水费 or 行政处罚.
	Kind        string `json:"kind"`
	Description string `json:"description"`
	// DecidedOn is the decision date, YYYY-MM-DD.
	DecidedOn string `json:"decidedOn"`
	// Authority is the deciding body.
	Authority string `json:"authority"`
	// DocumentNo is the decision document number, when there is one.
	DocumentNo string `json:"documentNo,omitempty"`
}

// Report is an electronic credit report (电子信用报告) of one subject.
type Report struct {
	ReportNo    string            `json:"reportNo"`
	SubjectName string            `json:"subjectName"`
	USCC        string            `json:"uscc"`
	Rating      Rating            `json:"rating"`
	Entries     []DishonestyEntry `json:"entries"`
	IssuedAt    time.Time         `json:"issuedAt"`
	PeriodFrom  time.Time         `json:"periodFrom"`
	PeriodTo    time.Time         `json:"periodTo"`
	// PDFSHA256 is the lowercase hex SHA-256 of the report's PDF, or "" when
	// the platform has no PDF for it.
	PDFSHA256 string `json:"pdfSha256,omitempty"`
}

// RatingResult is a subject's current comprehensive rating.
type RatingResult struct {
	USCC        string    `json:"uscc"`
	Rating      Rating    `json:"rating"`
	EvaluatedAt time.Time `json:"evaluatedAt"`
}

// PublicationKind says what a publication is.
type PublicationKind string

// The publication kinds.
const (
	KindCommitment PublicationKind = "COMMITMENT" // 公开承诺 (R2.3)
	KindDishonesty PublicationKind = "DISHONESTY" // 失信记录
	KindRepair     PublicationKind = "REPAIR"     // 信用修复
)

// Valid reports whether k is a known kind.
func (k PublicationKind) Valid() bool {
	switch k {
	case KindCommitment, KindDishonesty, KindRepair:
		return true
	}
	return false
}

// Publication is a record to publish on the platform.
type Publication struct {
	// IdempotencyKey makes retries safe: the platform returns the first
	// publication for a repeated key. Use a stable key per record, e.g. the
	// outbox entry's ID.
	IdempotencyKey string          `json:"-"`
	Kind           PublicationKind `json:"kind"`
	SubjectUSCC    string          `json:"subjectUscc"`
	Title          string          `json:"title"`
	// Body is a JSON object with the record's content.
	Body json.RawMessage `json:"body,omitempty"`
}

// PublishResult identifies a publication on the platform.
type PublishResult struct {
	PublicationID string    `json:"publicationId"`
	PublishedAt   time.Time `json:"publishedAt"`
}

// Withdrawal asks the platform to withdraw a publication.
type Withdrawal struct {
	IdempotencyKey string `json:"-"`
	PublicationID  string `json:"-"`
	Reason         string `json:"reason"`
}

// WithdrawResult confirms a withdrawal.
type WithdrawResult struct {
	PublicationID string    `json:"publicationId"`
	WithdrawnAt   time.Time `json:"withdrawnAt"`
}

// ErrorBody is the JSON body of every non-2xx response.
type ErrorBody = apisign.ErrorBody

// The signing headers (package apisign) and the idempotency header.
const (
	HeaderAppKey         = apisign.HeaderAppKey
	HeaderTimestamp      = apisign.HeaderTimestamp
	HeaderNonce          = apisign.HeaderNonce
	HeaderSignature      = apisign.HeaderSignature
	HeaderIdempotencyKey = "Idempotency-Key"
)

// The wire error codes (see the package documentation); those shared by
// every signed API are package apisign's.
const (
	CodeInvalidRequest       = apisign.CodeInvalidRequest
	CodeMissingSignature     = apisign.CodeMissingSignature
	CodeUnknownAppKey        = apisign.CodeUnknownAppKey
	CodeTimestampOutOfWindow = apisign.CodeTimestampOutOfWindow
	CodeBadSignature         = apisign.CodeBadSignature
	CodeNonceReused          = apisign.CodeNonceReused
	CodeSubjectNotFound      = "SUBJECT_NOT_FOUND"
	CodePublicationNotFound  = "PUBLICATION_NOT_FOUND"
	CodeRouteNotFound        = apisign.CodeRouteNotFound
	CodeIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
	CodeRateLimited          = apisign.CodeRateLimited
	CodeInternalError        = apisign.CodeInternalError
	CodeServiceUnavailable   = apisign.CodeServiceUnavailable
)
