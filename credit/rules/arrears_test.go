package rules_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"creditwater/access"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/rules"
	"creditwater/models"
	"creditwater/store/creditdb"
)

func TestServedCutoff(t *testing.T) {
	// R1.3, R7.4: the grace period is whole calendar months, clamped at
	// month ends; the cutoff is the last serving day already past grace.
	cases := []struct {
		asOf  time.Time
		grace int
		want  time.Time
	}{
		{ct.Noon(2026, 2, 11), 1, ct.Day(2026, 1, 10)},
		{ct.Noon(2026, 2, 10), 1, ct.Day(2026, 1, 9)},
		{ct.Noon(2026, 3, 1), 1, ct.Day(2026, 1, 31)}, // 01-29…01-31 + 1 month = 02-28 < 03-01
		{ct.Noon(2026, 2, 28), 1, ct.Day(2026, 1, 27)},
		{ct.Noon(2026, 3, 29), 1, ct.Day(2026, 2, 28)},
		{ct.Noon(2026, 5, 1), 2, ct.Day(2026, 2, 28)},
	}
	for _, c := range cases {
		if got := rules.ServedCutoff(c.asOf, c.grace); !got.Equal(c.want) {
			t.Errorf("servedCutoff(%s, %d) = %s, want %s", credit.DateString(c.asOf), c.grace, credit.DateString(got), credit.DateString(c.want))
		}
	}
}

func TestDetectArrears(t *testing.T) {
	// R1.3: ARREARS records from reminders still unpaid after the grace
	// period, above the threshold, without an exemption.
	served := ct.Day(2026, 1, 10) // Shanghai midnight
	servedUTC := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	type setup func(t *testing.T, e *ct.Env, accountNo string)
	withBills := func(amounts ...int64) setup {
		return func(t *testing.T, e *ct.Env, acc string) {
			var nos []string
			for i, a := range amounts {
				no := acc + "-B" + string(rune('0'+i))
				e.Bill(t, no, acc, a)
				nos = append(nos, no)
			}
			e.Reminder(t, "R-"+acc, acc, served, nos...)
		}
	}
	cases := []struct {
		name  string
		setup []setup
		asOf  time.Time
		want  int
	}{
		{"29 days after the reminder", []setup{withBills(150000)}, served.AddDate(0, 0, 29), 0},
		{"exactly one month after: last day of grace", []setup{withBills(150000)}, ct.Noon(2026, 2, 10), 0},
		{"the day after the grace period", []setup{withBills(150000)}, ct.Noon(2026, 2, 11), 1},
		{"32 days after the reminder", []setup{withBills(150000)}, served.AddDate(0, 0, 32), 1},
		{"served date stored as UTC midnight", []setup{func(t *testing.T, e *ct.Env, acc string) {
			e.Bill(t, acc+"-B", acc, 150000)
			e.Reminder(t, "R-"+acc, acc, servedUTC, acc+"-B")
		}}, ct.Noon(2026, 2, 11), 1},
		{"served date stored as UTC midnight, last day of grace", []setup{func(t *testing.T, e *ct.Env, acc string) {
			e.Bill(t, acc+"-B", acc, 150000)
			e.Reminder(t, "R-"+acc, acc, servedUTC, acc+"-B")
		}}, ct.Noon(2026, 2, 10), 0},
		{"below the threshold", []setup{withBills(99999)}, ct.Noon(2026, 3, 1), 0},
		{"exactly the threshold", []setup{withBills(60000, 40000)}, ct.Noon(2026, 3, 1), 1},
		{"partially paid below the threshold", []setup{withBills(80000, 70000), func(t *testing.T, e *ct.Env, acc string) {
			e.Pay(t, acc+"-P1", acc+"-B0", acc, 60000) // unpaid 20000 + 70000 = 90000
		}}, ct.Noon(2026, 3, 1), 0},
		{"an overpaid bill does not offset another", []setup{withBills(50000, 100000), func(t *testing.T, e *ct.Env, acc string) {
			e.Pay(t, acc+"-P1", acc+"-B0", acc, 90000) // unpaid max(−40000, 0) + 100000
		}}, ct.Noon(2026, 3, 1), 1},
		{"fully paid", []setup{withBills(150000), func(t *testing.T, e *ct.Env, acc string) {
			e.Pay(t, acc+"-P1", acc+"-B0", acc, 100000)
			e.Pay(t, acc+"-P2", acc+"-B0", acc, 50000)
		}}, ct.Noon(2026, 3, 1), 0},
		{"exemption of the whole account", []setup{withBills(150000), func(t *testing.T, e *ct.Env, acc string) {
			ct.Must(t, e.DB.Create(&models.Exemption{AccountNo: acc, Reason: "billing dispute", ValidFrom: ct.Day(2026, 1, 1)}).Error)
		}}, ct.Noon(2026, 3, 1), 0},
		{"exemption of the reminder", []setup{withBills(150000), func(t *testing.T, e *ct.Env, acc string) {
			ct.Must(t, e.DB.Create(&models.Exemption{AccountNo: acc, ReminderNo: "R-" + acc, Reason: "meter fault",
				ValidFrom: ct.Day(2026, 1, 1), ValidTo: ct.Ptr(ct.Day(2026, 3, 1))}).Error)
		}}, ct.Noon(2026, 3, 1), 0},
		{"exemption expired", []setup{withBills(150000), func(t *testing.T, e *ct.Env, acc string) {
			ct.Must(t, e.DB.Create(&models.Exemption{AccountNo: acc, Reason: "meter fault",
				ValidFrom: ct.Day(2026, 1, 1), ValidTo: ct.Ptr(ct.Day(2026, 2, 28))}).Error)
		}}, ct.Noon(2026, 3, 1), 1},
		{"exemption not yet valid", []setup{withBills(150000), func(t *testing.T, e *ct.Env, acc string) {
			ct.Must(t, e.DB.Create(&models.Exemption{AccountNo: acc, Reason: "meter fault", ValidFrom: ct.Day(2026, 3, 2)}).Error)
		}}, ct.Noon(2026, 3, 1), 1},
		{"exemption of another reminder", []setup{withBills(150000), func(t *testing.T, e *ct.Env, acc string) {
			ct.Must(t, e.DB.Create(&models.Exemption{AccountNo: acc, ReminderNo: "R-OTHER", Reason: "x", ValidFrom: ct.Day(2026, 1, 1)}).Error)
		}}, ct.Noon(2026, 3, 1), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := ct.New(t)
			s := e.Subject(t, "水厂客户", ct.Ptr(ct.Day(2020, 1, 1)))
			e.Account(t, "A1", s.ID)
			for _, f := range c.setup {
				f(t, e, "A1")
			}
			ctx := context.Background()
			for run := range 2 { // R1.3: running twice creates nothing new
				n, err := e.Arrears.Detect(ctx, c.asOf)
				ct.Must(t, err)
				want := c.want
				if run == 1 {
					want = 0
				}
				if n != want {
					t.Fatalf("run %d created %d, want %d", run+1, n, want)
				}
			}
			var total int64
			ct.Must(t, e.DB.Model(&models.DishonestyRecord{}).Count(&total).Error)
			if total != int64(c.want) {
				t.Fatalf("%d records stored, want %d", total, c.want)
			}
		})
	}
}

func TestArrearsRecordContents(t *testing.T) {
	// R1.3, R1.4: the record cites the reminder and the unpaid bills, keeps
	// its source, and stays when the bills are paid later; the subject's
	// tier is recomputed (R3.1).
	e := ct.New(t)
	ctx := context.Background()
	s := e.Subject(t, "甲公司", ct.Ptr(ct.Day(2020, 1, 1)))
	other := e.Subject(t, "乙公司", ct.Ptr(ct.Day(2020, 1, 1)))
	e.Account(t, "A1", s.ID)
	e.Account(t, "A2", "") // not linked to a subject: skipped
	e.Bill(t, "B1", "A1", 120000)
	e.Bill(t, "B2", "A1", 30000)
	e.Bill(t, "B3", "A2", 500000)
	e.Pay(t, "P1", "B2", "A1", 30000)
	e.Reminder(t, "R1", "A1", ct.Day(2026, 1, 10), "B1", "B2")
	e.Reminder(t, "R3", "A2", ct.Day(2026, 1, 10), "B3")
	asOf := ct.Noon(2026, 2, 20)
	if _, err := e.Grades.Recompute(ctx, asOf); err != nil {
		t.Fatal(err)
	}
	// R3.5: the bill unpaid past its due day already keeps the subject
	// from EXCELLENT (it is WATCH), before any ARREARS record.
	if got := e.Reload(t, s.ID); got.Tier != models.TierStandard || got.Grade != models.GradeWatch {
		t.Fatalf("precondition: subject %s/%s, want STANDARD/WATCH (R3.5)", got.Tier, got.Grade)
	}
	n, err := e.Arrears.Detect(ctx, asOf)
	ct.Must(t, err)
	if n != 1 {
		t.Fatalf("created %d, want 1", n)
	}
	var rec models.DishonestyRecord
	ct.Must(t, e.DB.First(&rec, "source_key = ?", "ARREARS:R1").Error)
	if rec.SubjectID != s.ID || rec.Kind != models.KindArrears || rec.Severity != models.SeverityGeneral ||
		rec.Status != models.RecordActive || rec.Source != credit.SourceArrearsRule || rec.AccountNo != "A1" || rec.RecordedBy != credit.SystemActor {
		t.Fatalf("record %+v", rec)
	}
	if !rec.BehaviourOn.Equal(ct.Day(2026, 2, 11)) || !rec.DecidedOn.Equal(ct.Day(2026, 2, 20)) {
		t.Fatalf("behaviour %s decided %s", rec.BehaviourOn, rec.DecidedOn)
	}
	if rec.PublicityStart == nil || !rec.PublicityEnd.Equal(ct.Day(2027, 2, 20)) {
		t.Fatalf("publicity %v–%v", rec.PublicityStart, rec.PublicityEnd)
	}
	var ev credit.ArrearsEvidence
	ct.Must(t, json.Unmarshal([]byte(rec.Evidence), &ev))
	if ev.ReminderNo != "R1" || ev.ServedOn != "2026-01-10" || ev.GraceEndsOn != "2026-02-10" || ev.UnpaidFen != 120000 ||
		len(ev.Bills) != 1 || ev.Bills[0].BillNo != "B1" || ev.Bills[0].UnpaidFen != 120000 {
		t.Fatalf("evidence %+v", ev)
	}
	var events []models.RecordEvent
	ct.Must(t, e.DB.Where("record_id = ?", rec.ID).Find(&events).Error)
	if len(events) != 1 || events[0].Action != record.EventCreated || events[0].ToStatus != models.RecordActive {
		t.Fatalf("events %+v", events)
	}
	if got := e.Reload(t, s.ID); got.Tier != models.TierStandard || got.TierSince == nil || !got.TierSince.Equal(asOf.UTC()) {
		t.Fatalf("tier %s since %v, want STANDARD since asOf", got.Tier, got.TierSince)
	}
	if e.Reload(t, other.ID).Tier != models.TierExcellent {
		t.Fatal("an unaffected subject changed tier")
	}
	// Paying later neither deletes the record nor makes a new one.
	e.Pay(t, "P2", "B1", "A1", 120000)
	n, err = e.Arrears.Detect(ctx, ct.Noon(2026, 4, 1))
	ct.Must(t, err)
	var total int64
	ct.Must(t, e.DB.Model(&models.DishonestyRecord{}).Count(&total).Error)
	if n != 0 || total != 1 {
		t.Fatalf("after payment: created %d, stored %d", n, total)
	}
}

func TestDetectArrearsBatches(t *testing.T) {
	// R1.3: more candidates than one batch are all written, once.
	e := ct.New(t)
	arrears := rules.NewArrears(rules.Deps{Store: creditdb.New(e.DB, nil, access.New(e.DB)).Rules(), Grades: e.Grades,
		Config: credit.Config{BatchSize: 3}}) // no audit log
	s := e.Subject(t, "丙公司", nil)
	for i := range 7 {
		acc := "A" + string(rune('a'+i))
		e.Account(t, acc, s.ID)
		e.Bill(t, acc+"-B", acc, 200000)
		e.Reminder(t, "R"+acc, acc, ct.Day(2026, 1, 5), acc+"-B")
	}
	n, err := arrears.Detect(context.Background(), ct.Noon(2026, 3, 1))
	ct.Must(t, err)
	if n != 7 {
		t.Fatalf("created %d, want 7", n)
	}
	var events int64
	ct.Must(t, e.DB.Model(&models.RecordEvent{}).Count(&events).Error)
	if events != 7 {
		t.Fatalf("%d events, want 7", events)
	}
}
