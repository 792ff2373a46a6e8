package credit

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store/storetest"
)

// env is one test's database and services.
type env struct {
	db      *gorm.DB
	records *Records
	tiers   *Tiers
	rules   *Rules
	cases   *Cases
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.DB(t)
	log := audit.New(db)
	cfg := Config{}
	recs := NewRecords(db, log, cfg)
	return &env{db: db, records: recs, tiers: NewTiers(db, log, cfg), rules: NewRules(db, log, cfg), cases: NewCases(db, log, cfg, recs)}
}

// day returns the start of a Shanghai calendar day, in UTC.
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, shanghai).UTC()
}

// noon returns noon of a Shanghai calendar day: an asOf instant.
func noon(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, shanghai)
}

func actorCtx(role models.Role, userID string) context.Context {
	return reqctx.WithActor(context.Background(), &reqctx.Actor{UserID: userID, Role: role})
}

func staffCtx() context.Context   { return actorCtx(models.RoleStaff, "staff-1") }
func officerCtx() context.Context { return actorCtx(models.RoleCreditOfficer, "officer-1") }

func (e *env) subject(t *testing.T, name string, historySince *time.Time) models.Subject {
	t.Helper()
	s := models.Subject{Kind: models.SubjectEnterprise, Name: name, Tier: models.TierStandard, HistorySince: historySince}
	must(t, e.db.Create(&s).Error)
	return s
}

func (e *env) account(t *testing.T, no, subjectID string) {
	t.Helper()
	must(t, e.db.Create(&models.Account{AccountNo: no, SubjectID: subjectID, OpenedOn: day(2020, 1, 1)}).Error)
}

func (e *env) bill(t *testing.T, no, accountNo string, amount int64) {
	t.Helper()
	must(t, e.db.Create(&models.Bill{BillNo: no, AccountNo: accountNo, Period: "2025-11", AmountFen: amount,
		IssuedOn: day(2025, 12, 1), DueOn: day(2025, 12, 20)}).Error)
}

func (e *env) pay(t *testing.T, no, billNo, accountNo string, amount int64) {
	t.Helper()
	must(t, e.db.Create(&models.Payment{PaymentNo: no, BillNo: billNo, AccountNo: accountNo, AmountFen: amount, PaidAt: day(2026, 1, 5)}).Error)
}

func (e *env) reminder(t *testing.T, no, accountNo string, servedOn time.Time, bills ...string) {
	t.Helper()
	must(t, e.db.Create(&models.Reminder{ReminderNo: no, AccountNo: accountNo, ServedOn: servedOn, AmountFen: 1}).Error)
	for _, b := range bills {
		must(t, e.db.Create(&models.ReminderBill{ReminderNo: no, BillNo: b}).Error)
	}
}

func (e *env) bind(t *testing.T, userID, subjectID string, active bool) {
	t.Helper()
	status := models.BindingActive
	if !active {
		status = models.BindingPending
	}
	b := models.EnterpriseBinding{UserID: userID, SubjectID: subjectID, Role: models.BindingLegalRepresentative,
		PersonName: "张三", IDType: "ID_CARD", IDSealed: "x", IDIndex: "x", IDMasked: "x", Status: status, Generation: 1}
	must(t, e.db.Create(&b).Error)
}

func (e *env) reload(t *testing.T, id string) models.Subject {
	t.Helper()
	var s models.Subject
	must(t, e.db.First(&s, "id = ?", id).Error)
	return s
}

// record inserts a record directly (bypassing Create) with the given kind,
// status and behaviour day.
func (e *env) record(t *testing.T, subjectID string, kind models.RecordKind, status models.RecordStatus, behaviour time.Time) models.DishonestyRecord {
	t.Helper()
	r := models.DishonestyRecord{SubjectID: subjectID, Kind: kind, Severity: models.SeverityGeneral, Status: status,
		SourceKey: "TEST:" + models.NewID(), Source: SourceStaffCase, BehaviourOn: behaviour, DecidedOn: behaviour, Version: 1}
	must(t, e.db.Create(&r).Error)
	return r
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
