// Package notice is the one port through which the domains tell an
// enterprise about an event that concerns it (R7.6): a domain makes one
// call, Notify, with an Event; package inbox delivers it to the in-app
// inbox of every user who may view the enterprise. The package has no
// dependencies, so any domain package may declare a Notifier field.
package notice

import "context"

// Kind is the stable code of an event (English; the text a person reads is
// the event's Title and Body, in Chinese).
type Kind string

// The event kinds of R7.6.
const (
	// ApplicationStatus: a zero-document application changed status.
	ApplicationStatus Kind = "APPLICATION_STATUS"
	// ArrearsComing: prior notice that an ARREARS record will be made
	// unless the fees are paid (emitted by the record lifecycle).
	ArrearsComing Kind = "ARREARS_COMING"
	// RecordNew: a dishonesty record was made.
	RecordNew Kind = "RECORD_NEW"
	// RecordExpired: a record's maximum publicity period ended.
	RecordExpired Kind = "RECORD_EXPIRED"
	// RecordChanged: a record was corrected, revoked or repaired.
	RecordChanged Kind = "RECORD_CHANGED"
	// RepairFiled: a credit-repair request was filed.
	RepairFiled Kind = "REPAIR_FILED"
	// RepairSupplementAsked: staff asked for more documents.
	RepairSupplementAsked Kind = "REPAIR_SUPPLEMENT_ASKED"
	// RepairStep: a repair request was taken into review or supplemented.
	RepairStep Kind = "REPAIR_STEP"
	// RepairDecided: a repair request was approved or denied.
	RepairDecided Kind = "REPAIR_DECIDED"
	// ObjectionFiled: an objection was filed.
	ObjectionFiled Kind = "OBJECTION_FILED"
	// ObjectionStep: an objection was accepted, refused or extended.
	ObjectionStep Kind = "OBJECTION_STEP"
	// ObjectionDecided: an objection was decided.
	ObjectionDecided Kind = "OBJECTION_DECIDED"
	// GradeChanged: the enterprise's credit grade or tier changed.
	GradeChanged Kind = "GRADE_CHANGED"
	// AccountManager: an account manager was assigned.
	AccountManager Kind = "ACCOUNT_MANAGER"
)

// Kinds are all event kinds of R7.6.
var Kinds = []Kind{ApplicationStatus, ArrearsComing, RecordNew, RecordExpired, RecordChanged, RepairFiled,
	RepairSupplementAsked, RepairStep, RepairDecided, ObjectionFiled, ObjectionStep, ObjectionDecided,
	GradeChanged, AccountManager}

var titles = map[Kind]string{
	ApplicationStatus:     "办水申请进度",
	ArrearsComing:         "欠费失信认定预先告知",
	RecordNew:             "新增失信记录",
	RecordExpired:         "失信记录公示期届满",
	RecordChanged:         "失信记录变更",
	RepairFiled:           "信用修复申请已提交",
	RepairSupplementAsked: "信用修复申请需补充材料",
	RepairStep:            "信用修复申请进度",
	RepairDecided:         "信用修复申请办理结果",
	ObjectionFiled:        "异议申请已提交",
	ObjectionStep:         "异议申请进度",
	ObjectionDecided:      "异议申请办理结果",
	GradeChanged:          "信用等级变更",
	AccountManager:        "客户经理指派",
}

// Title is the default Chinese title of kind k (the code itself for an
// unknown kind).
func Title(k Kind) string {
	if t, ok := titles[k]; ok {
		return t
	}
	return string(k)
}

// Event is something that concerns an enterprise.
type Event struct {
	// SubjectID is the enterprise (water-use subject) it concerns.
	SubjectID string
	Kind      Kind
	// Title defaults to Title(Kind); Body is the Chinese text.
	Title, Body string
	// RefType and RefID name what it is about: "application", "record",
	// "repair", "objection", "subject".
	RefType, RefID string
	// Also are users told besides the enterprise's viewers (e.g. the
	// applicant of an application).
	Also []string
	// Key, when set, makes the event idempotent: an event with a key that
	// was already delivered to a user is not delivered again.
	Key string
}

// Notifier delivers events. Notify never fails the caller's change: it is
// called after the change is committed, and a delivery failure is logged
// by the implementation.
type Notifier interface {
	Notify(ctx context.Context, ev Event)
}

// Discard is a Notifier that drops every event (tests, commands).
type Discard struct{}

// Notify drops ev.
func (Discard) Notify(context.Context, Event) {}

// Or returns n, or Discard when n is nil.
func Or(n Notifier) Notifier {
	if n == nil {
		return Discard{}
	}
	return n
}
