// Package publication is the domain's word for publishing to the city
// credit platform 信用中国（广东韶关）(R2.3, R5.1): what is published, the
// receipt, a withdrawal, and the Publisher port the domain needs. The
// platform adapter (package creditplatform) maps its wire format to these
// types, so a change of the platform's API changes one adapter.
package publication

import (
	"context"
	"encoding/json"
	"time"
)

// Kind says what a publication is.
type Kind string

// The publication kinds.
const (
	Commitment Kind = "COMMITMENT" // 公开承诺 (R2.3)
	Dishonesty Kind = "DISHONESTY" // 失信记录
	Repair     Kind = "REPAIR"     // 信用修复
)

// Request is something to publish.
type Request struct {
	// IdempotencyKey makes retries safe: the platform returns the first
	// publication for a repeated key (the outbox message's key).
	IdempotencyKey string
	Kind           Kind
	SubjectUSCC    string
	// Title is the heading shown on the platform (Chinese).
	Title string
	// Body is a JSON object with the content.
	Body json.RawMessage
}

// Receipt identifies a publication on the platform.
type Receipt struct {
	ID          string
	PublishedAt time.Time
}

// Withdrawal asks the platform to withdraw a publication.
type Withdrawal struct {
	IdempotencyKey string
	PublicationID  string
	// Reason is shown on the platform (Chinese).
	Reason string
}

// WithdrawalReceipt confirms a withdrawal.
type WithdrawalReceipt struct {
	ID          string
	WithdrawnAt time.Time
}

// Publisher publishes to and withdraws from the credit platform. Both are
// idempotent on the IdempotencyKey. They return UNAVAILABLE when the
// platform cannot be reached (the outbox retries) and INVALID or
// FAILED_PRECONDITION when it refuses the content.
type Publisher interface {
	Publish(ctx context.Context, r Request) (Receipt, error)
	Withdraw(ctx context.Context, w Withdrawal) (WithdrawalReceipt, error)
}
