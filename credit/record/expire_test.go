package record_test

import (
	"context"
	"testing"
	"time"

	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/models"
)

// R1.5: each record ends at the maximum period of its severity (GENERAL 1
// year, SERIOUS 3 years, MINOR 3 months, not published); it becomes
// EXPIRED, is kept, no longer blocks the EXCELLENT tier, and only a
// published one gets a withdrawal — queued once however often the job runs.
func TestR1_5_RecordsExpireAtTheirMaximumPeriod(t *testing.T) {
	w := ct.NewWorkflow(t, review.Config{})
	ctx := context.Background()
	s := w.Enterprise(t, "子公司", "914403001922038216")
	asOf := ct.Noon(2026, 6, 1)
	const general, serious, minor = models.SeverityGeneral, models.SeveritySerious, models.SeverityMinor
	cases := []struct {
		name      string
		severity  models.Severity
		decided   time.Time
		status    models.RecordStatus
		published bool
		expired   bool
	}{
		{"general, a year ago to the day", general, ct.Noon(2025, 6, 1), "", true, true},
		{"general, a year less a day", general, ct.Noon(2025, 6, 2), "", true, false},
		{"serious, two years ago", serious, ct.Noon(2024, 6, 1), "", true, false},
		{"serious, three years ago", serious, ct.Noon(2023, 6, 1), "", false, true},
		{"minor, three months ago", minor, ct.Noon(2026, 3, 1), "", false, true},
		{"minor, two months ago", minor, ct.Noon(2026, 4, 1), "", false, false},
		{"repaired, general, past", general, ct.Noon(2025, 5, 1), models.RecordRepaired, false, true},
		{"under objection waits", general, ct.Noon(2025, 5, 1), models.RecordUnderObjection, true, false},
		{"revoked stays revoked", general, ct.Noon(2025, 5, 1), models.RecordRevoked, false, false},
	}
	recs := make([]models.DishonestyRecord, len(cases))
	for i, c := range cases {
		recs[i] = w.NewRecord(t, s.ID, models.KindViolation, c.severity, c.decided)
		if c.status != "" {
			_, err := w.Records.ChangeStatus(ct.OfficerCtx(), nil, recs[i].ID, models.RecordActive, c.status, "test")
			ct.Must(t, err)
		}
		if c.published {
			ct.Must(t, w.DB.Model(&recs[i]).Update("publication_id", "PUB-"+recs[i].ID).Error)
		}
	}
	w.Clock.Set(asOf)
	for run := range 2 {
		n, err := w.Records.Expire(ctx, asOf)
		ct.Must(t, err)
		want := 0
		if run == 0 {
			for _, c := range cases {
				if c.expired {
					want++
				}
			}
		}
		if n != want {
			t.Errorf("run %d expired %d, want %d", run, n, want)
		}
	}
	for i, c := range cases {
		got := w.LoadRecord(t, recs[i].ID)
		if (got.Status == models.RecordExpired) != c.expired {
			t.Errorf("%s: status %s, expired want %v", c.name, got.Status, c.expired)
		}
		withdrawals := w.Messages(t, record.WithdrawKey(recs[i].ID))
		if want := c.expired && c.published; (withdrawals == 1) != want || withdrawals > 1 {
			t.Errorf("%s: %d withdrawal messages, want one: %v", c.name, withdrawals, want)
		}
		if c.expired {
			if n := w.Count(t, &models.Notice{}, "ref_id = ? AND kind = ?", recs[i].ID, "RECORD_EXPIRED"); n != 1 {
				t.Errorf("%s: %d inbox notices, want 1", c.name, n)
			}
		}
	}
}

// R1.5: an EXPIRED record no longer keeps its subject from the EXCELLENT
// tier; a REPAIRED one in the window still does.
func TestR1_5_ExpiredRecordNoLongerBlocksExcellent(t *testing.T) {
	w := ct.NewWorkflow(t, review.Config{})
	ctx := context.Background()
	since := ct.Day(2020, 1, 1)
	s := w.Subject(t, "丑公司", &since)
	rec := w.NewRecord(t, s.ID, models.KindTheft, models.SeverityMinor, ct.Noon(2026, 1, 10))
	asOf := ct.Noon(2026, 6, 1)
	w.Clock.Set(asOf)
	if _, err := w.Grades.Recompute(ctx, asOf, s.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.Reload(t, s.ID); got.Tier != models.TierStandard {
		t.Fatalf("tier with a record in force: %s", got.Tier)
	}
	if _, err := w.Records.Expire(ctx, asOf); err != nil {
		t.Fatal(err)
	}
	if got := w.LoadRecord(t, rec.ID); got.Status != models.RecordExpired {
		t.Fatalf("record: %s", got.Status)
	}
	if got := w.Reload(t, s.ID); got.Tier != models.TierExcellent {
		t.Errorf("tier after expiry: %s, want EXCELLENT", got.Tier)
	}
}
