package record_test

import (
	"context"
	"testing"
	"time"

	"creditwater/access"
	"creditwater/config"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/models"
)

// R1.5: the maximum period is by kind and severity. With
// CW_PUBLICITY_MAX_BY_KIND=ARREARS:GENERAL=6m,THEFT:MINOR=1m, records of two
// kinds with the same severity, decided the same day, expire at different
// times: a GENERAL ARREARS record after 6 months, a GENERAL VIOLATION one
// after SPEC's year; a MINOR THEFT record after 1 month, a MINOR VIOLATION
// one after 3.
func TestR1_5_MaximumPeriodByKindAndSeverity(t *testing.T) {
	w := ct.NewWorkflow(t, review.Config{})
	ctx := context.Background()
	var lc config.Lifecycle
	if err := lc.MaxByKind.UnmarshalText([]byte("ARREARS:GENERAL=6m,THEFT:MINOR=1m")); err != nil {
		t.Fatal(err)
	}
	recs := record.New(record.Deps{Store: w.Stores.Records(), Access: access.New(w.DB), Grades: w.Grades,
		Config: credit.Config{Lifecycle: lc}, Now: w.Clock.Now})
	s := w.Enterprise(t, "寅公司", "914403001922038216")
	decided := ct.Noon(2026, 1, 10)
	newRecord := func(kind models.RecordKind, sev models.Severity) models.DishonestyRecord {
		rec, _, err := recs.Create(ct.OfficerCtx(), nil, record.NewRecord{SubjectID: s.ID, Kind: kind, Severity: sev,
			SourceKey: "TEST:" + models.NewID(), Source: credit.SourceStaffCase, Summary: "案件记录", BehaviourOn: decided, DecidedOn: decided})
		ct.Must(t, err)
		return rec
	}
	arrears, violation := newRecord(models.KindArrears, models.SeverityGeneral), newRecord(models.KindViolation, models.SeverityGeneral)
	theft, minor := newRecord(models.KindTheft, models.SeverityMinor), newRecord(models.KindViolation, models.SeverityMinor)
	if arrears.PublicityEnd == nil || !arrears.PublicityEnd.Equal(ct.Day(2026, 7, 10)) || !violation.PublicityEnd.Equal(ct.Day(2027, 1, 10)) {
		t.Fatalf("publicity ends: ARREARS %v, VIOLATION %v", arrears.PublicityEnd, violation.PublicityEnd)
	}
	for _, step := range []struct {
		asOf    time.Time
		expired []models.DishonestyRecord
	}{
		{ct.Noon(2026, 2, 9), nil},
		{ct.Noon(2026, 2, 10), []models.DishonestyRecord{theft}},
		{ct.Noon(2026, 4, 10), []models.DishonestyRecord{theft, minor}},
		{ct.Noon(2026, 7, 9), []models.DishonestyRecord{theft, minor}},
		{ct.Noon(2026, 7, 10), []models.DishonestyRecord{theft, minor, arrears}},
		{ct.Noon(2027, 1, 9), []models.DishonestyRecord{theft, minor, arrears}},
		{ct.Noon(2027, 1, 10), []models.DishonestyRecord{theft, minor, arrears, violation}},
	} {
		w.Clock.Set(step.asOf)
		if _, err := recs.Expire(ctx, step.asOf); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, r := range step.expired {
			want[r.ID] = true
		}
		for _, r := range []models.DishonestyRecord{arrears, violation, theft, minor} {
			got := w.LoadRecord(t, r.ID)
			if (got.Status == models.RecordExpired) != want[r.ID] {
				t.Errorf("%s: %s %s is %s, expired want %v", step.asOf.Format("2006-01-02"), r.Kind, r.Severity, got.Status, want[r.ID])
			}
		}
	}
}
