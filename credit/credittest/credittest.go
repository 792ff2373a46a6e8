// Package credittest builds the credit services on a fresh test database
// (store/storetest: SQLite, or MariaDB with CW_TEST_DATABASE_URL) through
// the real stores (store/creditdb), with the fixtures the credit packages'
// tests share. Only tests import it.
package credittest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/calendar"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/credit/rules"
	"creditwater/credit/usage"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store/creditdb"
	"creditwater/store/storetest"
)

// Users of the workflow tests.
const (
	EntUser     = "ent-user-1"
	OfficerUser = "officer-1"
)

// Env is one test's database and credit services.
type Env struct {
	DB     *gorm.DB
	Stores *creditdb.DB
	// Clock is the clock of the record, publication and review services
	// (nil for New: they use the wall clock).
	Clock      *Clock
	Grades     *grade.Service
	Records    *record.Service
	Pubs       *record.Publications
	Arrears    *rules.Arrears
	Cases      *rules.Cases
	Exemptions *rules.Exemptions
	Usage      *usage.Service
	Repairs    *review.Repairs
	Objections *review.Objections
	Desk       *review.Desk
	Platform   *Platform
}

// New returns the services on the wall clock.
func New(t testing.TB) *Env { return build(t, nil, review.Config{}) }

// NewWorkflow returns the services with the record, publication and review
// services on a settable clock at noon of 2026-06-01, and rc.
func NewWorkflow(t testing.TB, rc review.Config) *Env {
	return build(t, &Clock{t: Noon(2026, 6, 1)}, rc)
}

func build(t testing.TB, clock *Clock, rc review.Config) *Env {
	t.Helper()
	db := storetest.DB(t)
	policy := access.New(db)
	e := &Env{DB: db, Stores: creditdb.New(db, audit.New(db), policy), Clock: clock,
		Platform: &Platform{published: map[string]string{}, withdrawn: map[string]int{}}}
	var now func() time.Time
	if clock != nil {
		now = clock.Now
	}
	e.Grades = grade.New(grade.Deps{Store: e.Stores.Grades(), Access: policy})
	e.Usage = usage.New(usage.Deps{Store: e.Stores.Usage(), Access: policy})
	rd := record.Deps{Store: e.Stores.Records(), Access: policy, Grades: e.Grades, Now: now}
	e.Records, e.Pubs = record.New(rd), record.NewPublications(rd)
	ru := rules.Deps{Store: e.Stores.Rules(), Records: e.Records, Grades: e.Grades}
	e.Arrears, e.Cases, e.Exemptions = rules.NewArrears(ru), rules.NewCases(ru), rules.NewExemptions(ru)
	rv := review.Deps{Store: e.Stores.Reviews(), Notices: e.Stores.Notices(), Access: policy, Records: e.Records,
		Calendar: calendar.Default(), Config: rc, Now: now}
	e.Repairs, e.Objections, e.Desk = review.NewRepairs(rv), review.NewObjections(rv), review.NewDesk(rv)
	return e
}

// Clock is a goroutine-safe settable time source.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set sets the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// Day returns the start of a Shanghai calendar day, in UTC.
func Day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, credit.Shanghai).UTC()
}

// Noon returns noon of a Shanghai calendar day: an asOf instant.
func Noon(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, credit.Shanghai)
}

// ActorCtx is a request context of a user with a role.
func ActorCtx(role models.Role, userID string) context.Context {
	return reqctx.WithActor(context.Background(), &reqctx.Actor{UserID: userID, Role: role})
}

// StaffCtx, OfficerCtx and EntCtx are the contexts of staff-1, officer-1
// and the enterprise user ent-user-1.
func StaffCtx() context.Context   { return ActorCtx(models.RoleStaff, "staff-1") }
func OfficerCtx() context.Context { return ActorCtx(models.RoleCreditOfficer, OfficerUser) }
func EntCtx() context.Context     { return ActorCtx(models.RoleEnterprise, EntUser) }

// Must fails the test on an error.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// WantCode fails the test unless err has the code ("" for no error).
func WantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Subject makes a subject with a name and history.
func (e *Env) Subject(t testing.TB, name string, historySince *time.Time) models.Subject {
	t.Helper()
	s := models.Subject{Kind: models.SubjectEnterprise, Name: name, Tier: models.TierStandard, HistorySince: historySince}
	Must(t, e.DB.Create(&s).Error)
	return s
}

// Enterprise makes an enterprise subject with a USCC and a long history
// and binds EntUser to it.
func (e *Env) Enterprise(t testing.TB, name, uscc string) models.Subject {
	t.Helper()
	s := models.Subject{Kind: models.SubjectEnterprise, Name: name, USCC: &uscc, Tier: models.TierStandard, HistorySince: Ptr(Day(2020, 1, 1))}
	Must(t, e.DB.Create(&s).Error)
	e.Bind(t, EntUser, s.ID, true)
	return s
}

// Account makes an account of a subject.
func (e *Env) Account(t testing.TB, no, subjectID string) {
	t.Helper()
	Must(t, e.DB.Create(&models.Account{AccountNo: no, SubjectID: subjectID, OpenedOn: Day(2020, 1, 1)}).Error)
}

// Commitment makes a signed commitment (承诺书) of a subject, not breached.
func (e *Env) Commitment(t testing.TB, subjectID string) models.Commitment {
	t.Helper()
	c := models.Commitment{ApplicationID: models.NewID(), SubjectID: subjectID, SignerID: EntUser, BindingID: models.NewID(),
		Fields: "{}", Text: "本单位承诺在承诺期内补交产权证明。", SHA256: strings.Repeat("0", 64), TemplateVer: "test", SignedAt: Day(2026, 1, 2)}
	Must(t, e.DB.Create(&c).Error)
	return c
}

// Bill makes a bill of the period 2025-11.
func (e *Env) Bill(t testing.TB, no, accountNo string, amount int64) {
	t.Helper()
	Must(t, e.DB.Create(&models.Bill{BillNo: no, AccountNo: accountNo, Period: "2025-11", AmountFen: amount,
		IssuedOn: Day(2025, 12, 1), DueOn: Day(2025, 12, 20)}).Error)
}

// Pay pays amount of a bill.
func (e *Env) Pay(t testing.TB, no, billNo, accountNo string, amount int64) {
	t.Helper()
	Must(t, e.DB.Create(&models.Payment{PaymentNo: no, BillNo: billNo, AccountNo: accountNo, AmountFen: amount, PaidAt: Day(2026, 1, 5)}).Error)
}

// Reminder serves a reminder of the bills.
func (e *Env) Reminder(t testing.TB, no, accountNo string, servedOn time.Time, bills ...string) {
	t.Helper()
	Must(t, e.DB.Create(&models.Reminder{ReminderNo: no, AccountNo: accountNo, ServedOn: servedOn, AmountFen: 1}).Error)
	for _, b := range bills {
		Must(t, e.DB.Create(&models.ReminderBill{ReminderNo: no, BillNo: b}).Error)
	}
}

// Noticed stores the prior notice (R1.6) of reminder no as given on day
// on, for tests of the ARREARS rule past its notice period.
func (e *Env) Noticed(t testing.TB, no string, on time.Time) {
	t.Helper()
	var acc models.Account
	Must(t, e.DB.Joins("JOIN reminders r ON r.account_no = accounts.account_no").Where("r.reminder_no = ?", no).First(&acc).Error)
	Must(t, e.DB.Create(&models.ArrearsNotice{ReminderNo: no, AccountNo: acc.AccountNo, SubjectID: acc.SubjectID, NoticedOn: on}).Error)
}

// Bind binds a user to a subject as its legal representative, ACTIVE or
// PENDING.
func (e *Env) Bind(t testing.TB, userID, subjectID string, active bool) {
	t.Helper()
	status := models.BindingActive
	if !active {
		status = models.BindingPending
	}
	b := models.EnterpriseBinding{UserID: userID, SubjectID: subjectID, Role: models.BindingLegalRepresentative,
		PersonName: "张三", IDType: "ID_CARD", IDSealed: "x", IDIndex: "x", IDMasked: "x", Status: status, Generation: 1}
	Must(t, e.DB.Create(&b).Error)
}

// Reload reads a subject.
func (e *Env) Reload(t testing.TB, id string) models.Subject {
	t.Helper()
	var s models.Subject
	Must(t, e.DB.First(&s, "id = ?", id).Error)
	return s
}

// Record inserts a record directly (bypassing Create) with the given kind,
// status and behaviour day.
func (e *Env) Record(t testing.TB, subjectID string, kind models.RecordKind, status models.RecordStatus, behaviour time.Time) models.DishonestyRecord {
	t.Helper()
	r := models.DishonestyRecord{SubjectID: subjectID, Kind: kind, Severity: models.SeverityGeneral, Status: status,
		SourceKey: "TEST:" + models.NewID(), Source: credit.SourceStaffCase, BehaviourOn: behaviour, DecidedOn: behaviour, Version: 1}
	Must(t, e.DB.Create(&r).Error)
	return r
}

// NewRecord creates a record through record.Service.Create (publicity
// computed), summary "案件记录".
func (e *Env) NewRecord(t testing.TB, subjectID string, kind models.RecordKind, sev models.Severity, decided time.Time) models.DishonestyRecord {
	t.Helper()
	rec, _, err := e.Records.Create(OfficerCtx(), nil, record.NewRecord{SubjectID: subjectID, Kind: kind, Severity: sev,
		SourceKey: "TEST:" + models.NewID(), Source: credit.SourceStaffCase, Summary: "案件记录", BehaviourOn: decided, DecidedOn: decided})
	Must(t, err)
	return rec
}

// LoadRecord reads a record.
func (e *Env) LoadRecord(t testing.TB, id string) models.DishonestyRecord {
	t.Helper()
	var r models.DishonestyRecord
	Must(t, e.DB.Where("id = ?", id).Take(&r).Error)
	return r
}

// Count counts the rows of model matching where (everything when "").
func (e *Env) Count(t testing.TB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := e.DB.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	Must(t, q.Count(&n).Error)
	return n
}

// Messages counts the outbox messages with a key.
func (e *Env) Messages(t testing.TB, key string) int64 {
	t.Helper()
	var n int64
	Must(t, e.DB.Model(&models.OutboxMessage{}).Where(&models.OutboxMessage{Key: key}).Count(&n).Error)
	return n
}

// Message reads the outbox message with a key.
func (e *Env) Message(t testing.TB, key string) models.OutboxMessage {
	t.Helper()
	var m models.OutboxMessage
	Must(t, e.DB.Where(&models.OutboxMessage{Key: key}).Take(&m).Error)
	return m
}

// PDFBody is a PDF-looking body of at least n bytes.
func PDFBody(n int) []byte {
	b := bytes.Repeat([]byte("0"), max(n, 16))
	copy(b, "%PDF-1.7\n")
	return b
}

// PNGBody is a PNG-looking body.
func PNGBody(n int) []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, n)...)
}

// Upload is an upload of data declared as a PDF.
func Upload(name string, data []byte) credit.Upload {
	return credit.Upload{FileName: name, ContentType: "application/pdf", Size: int64(len(data)), Body: bytes.NewReader(data)}
}

// ConditionCodes returns the codes of a REPAIR_PRECONDITIONS error.
func ConditionCodes(t testing.TB, err error) []string {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.FailedPrecondition || e.Reason != "REPAIR_PRECONDITIONS" {
		t.Fatalf("want FAILED_PRECONDITION REPAIR_PRECONDITIONS, got %v", err)
	}
	conds, _ := e.Details["conditions"].([]map[string]string)
	var codes []string
	for _, c := range conds {
		codes = append(codes, c["code"])
	}
	return codes
}

// Pluck maps xs by f, e.g. history entries to their actions.
func Pluck[T any](xs []T, f func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// Pages follows a connection page by page from the start: page returns the
// IDs of the page after a cursor, the page's end cursor and whether more
// follow. It returns every ID seen, and fails the test past 10 pages.
func Pages(t testing.TB, page func(after string) (ids []string, end string, more bool, err error)) []string {
	t.Helper()
	var seen []string
	after := ""
	for range 10 {
		ids, end, more, err := page(after)
		Must(t, err)
		seen = append(seen, ids...)
		if !more {
			return seen
		}
		after = end
	}
	t.Fatal("more than 10 pages")
	return nil
}
