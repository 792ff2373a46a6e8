package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/reqctx"
)

// Record sources: what created a dishonesty record (R1.4).
const (
	SourceArrearsRule      = "ARREARS_RULE"
	SourceStaffCase        = "STAFF_CASE"
	SourceCommitmentBreach = "COMMITMENT_BREACH"
)

// BlockingKinds are the record kinds that count against a subject: one in
// the window keeps it from the EXCELLENT tier (R3.1) and one in force
// excludes it from credit handling (R4.1).
var BlockingKinds = []models.RecordKind{models.KindArrears, models.KindTheft, models.KindViolation, models.KindBrokenPromise}

// Uncounted are the statuses in which a record no longer counts against
// its subject for the EXCELLENT tier (R3.1): revoked, or expired at the end
// of its maximum period (R1.5).
var Uncounted = []models.RecordStatus{models.RecordRevoked, models.RecordExpired}

// InForce are the statuses in which a record is in force (R3.4, R4.1): a
// record under objection still stands until decided; repaired, revoked and
// expired ones do not.
var InForce = []models.RecordStatus{models.RecordActive, models.RecordUnderObjection}

// The record kinds, severities and statuses.
var (
	kinds      = []models.RecordKind{models.KindArrears, models.KindTheft, models.KindViolation, models.KindBrokenPromise}
	severities = []models.Severity{models.SeverityMinor, models.SeverityGeneral, models.SeveritySerious}
	statuses   = []models.RecordStatus{models.RecordActive, models.RecordUnderObjection, models.RecordRepaired, models.RecordRevoked, models.RecordExpired}
)

// ValidKind reports whether k is a record kind.
func ValidKind(k models.RecordKind) bool { return slices.Contains(kinds, k) }

// ValidSeverity reports whether s is a severity.
func ValidSeverity(s models.Severity) bool { return slices.Contains(severities, s) }

// ValidStatus reports whether s is a record status.
func ValidStatus(s models.RecordStatus) bool { return slices.Contains(statuses, s) }

// kindLabels are the Chinese names of the record kinds.
var kindLabels = map[models.RecordKind]string{models.KindArrears: "欠缴水费", models.KindTheft: "窃水",
	models.KindViolation: "违约用水", models.KindBrokenPromise: "违反信用承诺"}

// KindLabel is the Chinese name of a record kind (the kind itself when it
// has none).
func KindLabel(k models.RecordKind) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// severityLabels are the Chinese names of the severities.
var severityLabels = map[models.Severity]string{models.SeverityMinor: "轻微", models.SeverityGeneral: "一般", models.SeveritySerious: "严重"}

// SeverityLabel is the Chinese name of a severity (the code itself when it
// has none).
func SeverityLabel(s models.Severity) string {
	if l, ok := severityLabels[s]; ok {
		return l
	}
	return string(s)
}

// CaseInput opens a staff case (rules.Cases.Open, R1.3).
type CaseInput struct {
	// CaseNo is the water company's case number (unique).
	CaseNo    string
	SubjectID string
	// AccountNo is optional; when given it must be an account of the subject.
	AccountNo string
	// Kind is THEFT, VIOLATION or BROKEN_PROMISE.
	Kind     models.RecordKind
	Severity models.Severity
	// Description says what happened.
	Description string
	// Evidence lists or describes the evidence (photos, meter readings, …).
	Evidence string
	// OccurredOn is the day of the behaviour; not in the future.
	OccurredOn time.Time
	// CommitmentID links a BROKEN_PROMISE case to the breached commitment
	// (R2.4); only for BROKEN_PROMISE.
	CommitmentID string
}

// ArrearsEvidence is the Evidence (JSON) of an ARREARS record: the reminder
// and the bills still unpaid when the record was made (written by the
// ARREARS rule, read by a repair's obligation check).
type ArrearsEvidence struct {
	Rule         string        `json:"rule"`
	ReminderNo   string        `json:"reminderNo"`
	AccountNo    string        `json:"accountNo"`
	ServedOn     string        `json:"servedOn"`
	GraceEndsOn  string        `json:"graceEndsOn"`
	DetectedOn   string        `json:"detectedOn"`
	ThresholdFen int64         `json:"thresholdFen"`
	UnpaidFen    int64         `json:"unpaidFen"`
	Bills        []ArrearsBill `json:"bills"`
}

// ArrearsBill is one bill cited by an ARREARS record, with what was paid.
type ArrearsBill struct {
	BillNo    string `json:"billNo"`
	Period    string `json:"period"`
	AmountFen int64  `json:"amountFen"`
	PaidFen   int64  `json:"paidFen"`
	UnpaidFen int64  `json:"unpaidFen"`
}

// Upload is one evidence file sent with a repair request, a supplement or
// an objection (see evidence.Upload).
type Upload = evidence.Upload

// SystemActor is the actor recorded for work done by scheduled jobs.
const SystemActor = "SYSTEM"

// ActorID is the acting user's ID, or SystemActor for scheduled work.
func ActorID(ctx context.Context) string {
	if a := reqctx.ActorFrom(ctx); a != nil {
		return a.UserID
	}
	return SystemActor
}

// Effects are what a change writes beside its rows in the same
// transaction; every credit store has them.
type Effects interface {
	// Audit appends an audit entry; INTERNAL when it cannot be stored.
	Audit(ctx context.Context, e audit.Entry) error
	// Enqueue writes an outbox message (see outbox.Enqueue): INVALID or
	// INTERNAL.
	Enqueue(ctx context.Context, m outbox.Message) error
	// Notify posts n to the inbox of every user acting for the subject
	// (R7.6); a DedupKey makes it idempotent. INTERNAL.
	Notify(ctx context.Context, subjectID string, n models.Notice) error
}

// ErrDuplicate is what a store returns when a row would break a unique key
// (a case number, one open request per record); the domain turns it into
// CONFLICT with its reason.
var ErrDuplicate = errors.New("credit: duplicate key")

// Internal passes an *apperr.Error through and classifies any other error
// as INTERNAL with msg.
func Internal(err error, msg string) error {
	if err == nil || apperr.As(err) != nil {
		return err
	}
	return apperr.Wrap(err, apperr.Internal, "%s", msg)
}

// Truncate cuts s to at most n runes.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Yuan formats fen as yuan with two decimals and thousands separators.
func Yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := fmt.Sprintf("%d", fen/100)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return fmt.Sprintf("%s.%02d", s, fen%100)
}

// Deref is *p, or "" for nil.
func Deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// NotFound is err, or NOT_FOUND with the message when err is nil: what a
// lookup returns that found nothing.
func NotFound(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	return apperr.New(apperr.NotFound, format, args...)
}
