package grade_test

import (
	"context"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/grade"
	"creditwater/models"
)

func TestTierRule(t *testing.T) {
	// R3.1: EXCELLENT needs ≥ 36 months of history (inclusive) and no
	// counting record in (asOf − 36 months, asOf]; REPAIRED still counts,
	// REVOKED does not.
	asOf := ct.Noon(2026, 6, 15)
	longAgo := ct.Ptr(ct.Day(2020, 1, 1))
	type rec struct {
		kind   models.RecordKind
		status models.RecordStatus
		on     time.Time
	}
	cases := []struct {
		name    string
		history *time.Time
		records []rec
		want    models.Tier
	}{
		{"exactly 36 months of history", ct.Ptr(ct.Day(2023, 6, 15)), nil, models.TierExcellent},
		{"one day short of 36 months", ct.Ptr(ct.Day(2023, 6, 16)), nil, models.TierStandard},
		{"history stored as UTC midnight, exactly 36 months", ct.Ptr(time.Date(2023, 6, 15, 0, 0, 0, 0, time.UTC)), nil, models.TierExcellent},
		{"unknown history", nil, nil, models.TierStandard},
		{"record exactly 36 months old has left the window", longAgo, []rec{{models.KindArrears, models.RecordActive, ct.Day(2023, 6, 15)}}, models.TierExcellent},
		{"record one day inside the window", longAgo, []rec{{models.KindArrears, models.RecordActive, ct.Day(2023, 6, 16)}}, models.TierStandard},
		{"record on the day of evaluation", longAgo, []rec{{models.KindTheft, models.RecordActive, ct.Day(2026, 6, 15)}}, models.TierStandard},
		{"record after the day of evaluation", longAgo, []rec{{models.KindTheft, models.RecordActive, ct.Day(2026, 6, 16)}}, models.TierExcellent},
		{"REPAIRED record still counts", longAgo, []rec{{models.KindViolation, models.RecordRepaired, ct.Day(2025, 1, 1)}}, models.TierStandard},
		{"record under objection counts", longAgo, []rec{{models.KindBrokenPromise, models.RecordUnderObjection, ct.Day(2025, 1, 1)}}, models.TierStandard},
		{"REVOKED record does not count", longAgo, []rec{{models.KindViolation, models.RecordRevoked, ct.Day(2025, 1, 1)}}, models.TierExcellent},
		{"revoked and old records only", longAgo, []rec{
			{models.KindArrears, models.RecordRevoked, ct.Day(2026, 1, 1)},
			{models.KindTheft, models.RecordActive, ct.Day(2022, 1, 1)},
		}, models.TierExcellent},
	}
	e := ct.New(t)
	ctx := context.Background()
	ids := make([]string, len(cases))
	for i, c := range cases {
		s := e.Subject(t, c.name, c.history)
		ids[i] = s.ID
		for _, r := range c.records {
			e.Record(t, s.ID, r.kind, r.status, r.on)
		}
	}
	n, err := e.Grades.Recompute(ctx, asOf)
	ct.Must(t, err)
	if n != int64(len(cases)) {
		t.Errorf("evaluated %d, want %d", n, len(cases))
	}
	for i, c := range cases {
		got := e.Reload(t, ids[i])
		if got.Tier != c.want {
			t.Errorf("%s: tier %s, want %s", c.name, got.Tier, c.want)
		}
		if got.TierEvaluatedAt == nil || !got.TierEvaluatedAt.Equal(asOf.UTC()) {
			t.Errorf("%s: evaluated at %v", c.name, got.TierEvaluatedAt)
		}
	}
}

func TestTierSinceAndScope(t *testing.T) {
	// R3.1: TierSince moves only when the tier changes; Recompute with IDs
	// touches only those subjects.
	e := ct.New(t)
	ctx := context.Background()
	a := e.Subject(t, "a", ct.Ptr(ct.Day(2020, 1, 1)))
	b := e.Subject(t, "b", ct.Ptr(ct.Day(2020, 1, 1)))
	t1, t2 := ct.Noon(2026, 1, 1), ct.Noon(2026, 2, 1)
	_, err := e.Grades.Recompute(ctx, t1, a.ID)
	ct.Must(t, err)
	if got := e.Reload(t, a.ID); got.Tier != models.TierExcellent || !got.TierSince.Equal(t1.UTC()) {
		t.Fatalf("a after first run: %s since %v", got.Tier, got.TierSince)
	}
	if got := e.Reload(t, b.ID); got.Tier != models.TierStandard || got.TierEvaluatedAt != nil {
		t.Fatalf("b was evaluated: %+v", got)
	}
	_, err = e.Grades.Recompute(ctx, t2)
	ct.Must(t, err)
	if got := e.Reload(t, a.ID); !got.TierSince.Equal(t1.UTC()) || !got.TierEvaluatedAt.Equal(t2.UTC()) {
		t.Fatalf("a: since %v evaluated %v; since should stay %v", got.TierSince, got.TierEvaluatedAt, t1)
	}
	e.Record(t, a.ID, models.KindArrears, models.RecordActive, ct.Day(2026, 1, 20))
	_, err = e.Grades.Recompute(ctx, ct.Noon(2026, 3, 1))
	ct.Must(t, err)
	if got := e.Reload(t, a.ID); got.Tier != models.TierStandard || !got.TierSince.Equal(ct.Noon(2026, 3, 1).UTC()) {
		t.Fatalf("a after record: %s since %v", got.Tier, got.TierSince)
	}
}

func TestNextReevaluation(t *testing.T) {
	// R3.1: the day the tier could change on its own; recomputing the day
	// before keeps STANDARD, on the day gives EXCELLENT.
	asOf := ct.Noon(2026, 6, 15)
	cases := []struct {
		name    string
		history time.Time
		record  *time.Time
		want    time.Time
	}{
		{"history reaches 36 months", ct.Day(2024, 3, 10), nil, ct.Day(2027, 3, 10)},
		{"history from a leap day", ct.Day(2024, 2, 29), nil, ct.Day(2027, 3, 1)},
		{"newest record leaves the window", ct.Day(2020, 1, 1), ct.Ptr(ct.Day(2025, 8, 31)), ct.Day(2028, 8, 31)},
		{"the later of history and record", ct.Day(2025, 1, 1), ct.Ptr(ct.Day(2024, 5, 5)), ct.Day(2028, 1, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := ct.New(t)
			ctx := context.Background()
			s := e.Subject(t, c.name, &c.history)
			if c.record != nil {
				e.Record(t, s.ID, models.KindTheft, models.RecordActive, *c.record)
				e.Record(t, s.ID, models.KindTheft, models.RecordRevoked, ct.Day(2026, 6, 1)) // ignored
			}
			_, err := e.Grades.Recompute(ctx, asOf)
			ct.Must(t, err)
			s = e.Reload(t, s.ID)
			next, err := e.Grades.NextReevaluation(ctx, s, asOf)
			ct.Must(t, err)
			if next == nil || !next.Equal(c.want) {
				t.Fatalf("next = %v, want %s", next, credit.DateString(c.want))
			}
			_, err = e.Grades.Recompute(ctx, credit.AddDays(*next, -1).Add(12*time.Hour))
			ct.Must(t, err)
			if got := e.Reload(t, s.ID).Tier; got != models.TierStandard {
				t.Fatalf("the day before: %s", got)
			}
			_, err = e.Grades.Recompute(ctx, next.Add(12*time.Hour))
			ct.Must(t, err)
			s = e.Reload(t, s.ID)
			if s.Tier != models.TierExcellent {
				t.Fatalf("on the day: %s", s.Tier)
			}
			if next, err := e.Grades.NextReevaluation(ctx, s, asOf); err != nil || next != nil {
				t.Fatalf("EXCELLENT next = %v, %v", next, err)
			}
		})
	}
}

func TestIncentivesAndAccountManager(t *testing.T) {
	// R3.2: EXCELLENT subjects get an account manager, the VIP channel,
	// 容缺受理 and usage analysis; others none.
	if got := grade.IncentivesOf(models.Subject{Tier: models.TierExcellent}); !got.AccountManager || !got.VIP || !got.LenientAcceptance || !got.UsageAnalysis {
		t.Fatalf("EXCELLENT incentives %+v", got)
	}
	if got := grade.IncentivesOf(models.Subject{Tier: models.TierStandard}); got != (grade.Incentives{}) {
		t.Fatalf("STANDARD incentives %+v", got)
	}
	e := ct.New(t)
	ctx := context.Background()
	good := e.Subject(t, "good", ct.Ptr(ct.Day(2020, 1, 1)))
	plain := e.Subject(t, "plain", nil)
	_, err := e.Grades.Recompute(ctx, time.Now())
	ct.Must(t, err)
	manager := models.User{Role: models.RoleStaff, DisplayName: "经理", WorkPhone: "0751-8881234"}
	ct.Must(t, e.DB.Create(&manager).Error)
	noPhone := models.User{Role: models.RoleStaff, DisplayName: "无电话"}
	ct.Must(t, e.DB.Create(&noPhone).Error)
	entUser := models.User{Role: models.RoleEnterprise, DisplayName: "企业"}
	ct.Must(t, e.DB.Create(&entUser).Error)

	cases := []struct {
		name      string
		ctx       context.Context
		subject   string
		user      string
		want      apperr.Code
		wantField string
	}{
		{"enterprise caller", ct.ActorCtx(models.RoleEnterprise, entUser.ID), good.ID, manager.ID, "FORBIDDEN", ""},
		{"not EXCELLENT", ct.StaffCtx(), plain.ID, manager.ID, "FAILED_PRECONDITION", ""},
		{"manager is not staff", ct.StaffCtx(), good.ID, entUser.ID, "INVALID", "staffUserId"},
		{"unknown user", ct.StaffCtx(), good.ID, models.NewID(), "NOT_FOUND", ""},
		// R3.2: the enterprise must be able to call its account manager.
		{"manager without a work phone", ct.StaffCtx(), good.ID, noPhone.ID, "INVALID", "staffUserId"},
		{"unknown subject", ct.StaffCtx(), models.NewID(), manager.ID, "NOT_FOUND", ""},
		{"assigned", ct.StaffCtx(), good.ID, manager.ID, "", ""},
	}
	for _, c := range cases {
		s, err := e.Grades.AssignAccountManager(c.ctx, c.subject, c.user, 1)
		if c.want != "" {
			ct.WantCode(t, err, c.want)
			if c.wantField != "" && apperr.As(err).Field != c.wantField {
				t.Fatalf("%s: field %q", c.name, apperr.As(err).Field)
			}
			continue
		}
		ct.Must(t, err)
		if s.AccountManagerID == nil || *s.AccountManagerID != manager.ID || s.AccountManagerVersion != 2 {
			t.Fatalf("%s: manager %v version %d", c.name, s.AccountManagerID, s.AccountManagerVersion)
		}
	}
	p, err := e.Grades.Profile(ct.StaffCtx(), good.ID)
	ct.Must(t, err)
	if p.AccountManagerID == nil || *p.AccountManagerID != manager.ID || !p.Incentives.VIP || p.Tier != models.TierExcellent || p.AccountManagerVersion != 2 {
		t.Fatalf("profile %+v", p)
	}
}

func TestProfileAccess(t *testing.T) {
	// R7.1, R3.2: an enterprise user sees only the profiles of subjects it
	// is bound to.
	e := ct.New(t)
	ctx := context.Background()
	mine := e.Subject(t, "mine", ct.Ptr(ct.Day(2025, 1, 1)))
	theirs := e.Subject(t, "theirs", nil)
	e.Bind(t, "u1", mine.ID, true)
	e.Bind(t, "u1", theirs.ID, false)
	r := e.Record(t, mine.ID, models.KindViolation, models.RecordRepaired, ct.Day(2025, 6, 1))
	_, err := e.Grades.Recompute(ctx, ct.Noon(2026, 6, 15))
	ct.Must(t, err)
	ent := ct.ActorCtx(models.RoleEnterprise, "u1")
	p, err := e.Grades.Profile(ent, mine.ID)
	ct.Must(t, err)
	if len(p.Records) != 1 || p.Records[0].ID != r.ID || p.Records[0].Status != models.RecordRepaired || p.Tier != models.TierStandard {
		t.Fatalf("profile %+v", p)
	}
	if p.NextReevaluation == nil || !p.NextReevaluation.Equal(ct.Day(2028, 6, 1)) {
		t.Fatalf("next %v", p.NextReevaluation)
	}
	_, err = e.Grades.Profile(ent, theirs.ID) // inactive binding
	ct.WantCode(t, err, "FORBIDDEN")
	_, err = e.Grades.Profile(context.Background(), mine.ID)
	ct.WantCode(t, err, "UNAUTHENTICATED")
	_, err = e.Grades.Profile(ct.StaffCtx(), models.NewID())
	ct.WantCode(t, err, "NOT_FOUND")
}

func TestR8_1_AssignAccountManagerNeedsTheVersionSeen(t *testing.T) {
	// R8.1: assignAccountManager names the version of the subject's
	// assignment (the profile's AccountManagerVersion); a stale one is
	// CONFLICT (STALE_VERSION) and leaves the manager as it is.
	e := ct.New(t)
	good := e.Subject(t, "good", ct.Ptr(ct.Day(2020, 1, 1)))
	_, err := e.Grades.Recompute(context.Background(), time.Now())
	ct.Must(t, err)
	first := models.User{Role: models.RoleStaff, DisplayName: "经理甲", WorkPhone: "0751-8881234"}
	second := models.User{Role: models.RoleStaff, DisplayName: "经理乙", WorkPhone: "0751-8885678"}
	ct.Must(t, e.DB.Create(&first).Error)
	ct.Must(t, e.DB.Create(&second).Error)
	p, err := e.Grades.Profile(ct.StaffCtx(), good.ID)
	ct.Must(t, err)
	if p.AccountManagerVersion != 1 {
		t.Fatalf("version %d before any assignment, want 1", p.AccountManagerVersion)
	}
	_, err = e.Grades.AssignAccountManager(ct.StaffCtx(), good.ID, first.ID, p.AccountManagerVersion)
	ct.Must(t, err)
	// A second staff member still looking at version 1 is refused.
	_, err = e.Grades.AssignAccountManager(ct.StaffCtx(), good.ID, second.ID, p.AccountManagerVersion)
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Conflict || ae.Reason != "STALE_VERSION" {
		t.Fatalf("stale assignment: %v", err)
	}
	if p, _ = e.Grades.Profile(ct.StaffCtx(), good.ID); p.AccountManagerID == nil || *p.AccountManagerID != first.ID || p.AccountManagerVersion != 2 {
		t.Fatalf("after the stale assignment: manager %v version %d", p.AccountManagerID, p.AccountManagerVersion)
	}
	s, err := e.Grades.AssignAccountManager(ct.StaffCtx(), good.ID, second.ID, 2)
	ct.Must(t, err)
	if s.AccountManagerVersion != 3 || *s.AccountManagerID != second.ID {
		t.Fatalf("assigned at the version seen: %v version %d", s.AccountManagerID, s.AccountManagerVersion)
	}
}
