package record_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/models"
)

func TestCreateIsIdempotent(t *testing.T) {
	// R1.4: a record keeps its source, evidence, recorder and time; a second
	// Create with the same source key changes nothing.
	e := ct.New(t)
	s := e.Subject(t, "s", ct.Ptr(ct.Day(2020, 1, 1)))
	ctx := ct.ActorCtx(models.RoleCreditOfficer, "officer-9")
	in := record.NewRecord{SubjectID: s.ID, Kind: models.KindBrokenPromise, Severity: models.SeveritySerious, SourceKey: "BREACH:c1",
		Source: credit.SourceCommitmentBreach, Evidence: `{"commitment":"c1"}`, Summary: "承诺未履行", BehaviourOn: ct.Noon(2026, 1, 5)}
	rec, created, err := e.Records.Create(ctx, nil, in)
	ct.Must(t, err)
	if !created || rec.RecordedBy != "officer-9" || rec.Status != models.RecordActive || rec.Version != 1 ||
		!rec.BehaviourOn.Equal(ct.Day(2026, 1, 5)) || rec.PublicityEnd == nil {
		t.Fatalf("record %+v", rec)
	}
	again, created, err := e.Records.Create(ctx, nil, in)
	ct.Must(t, err)
	if created || again.ID != rec.ID {
		t.Fatalf("second create: created=%v id=%s", created, again.ID)
	}
	if e.Reload(t, s.ID).TierEvaluatedAt == nil {
		t.Fatal("the tier was not recomputed on the new record (R3.1)")
	}
	bad := []struct {
		field string
		edit  func(*record.NewRecord)
	}{
		{"kind", func(r *record.NewRecord) { r.Kind = "LATE" }},
		{"severity", func(r *record.NewRecord) { r.Severity = "" }},
		{"sourceKey", func(r *record.NewRecord) { r.SourceKey = "" }},
		{"source", func(r *record.NewRecord) { r.Source = "MANUAL" }},
		{"behaviourOn", func(r *record.NewRecord) { r.BehaviourOn = time.Time{} }},
	}
	for _, b := range bad {
		in := in
		b.edit(&in)
		_, _, err := e.Records.Create(ctx, nil, in)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != b.field {
			t.Errorf("%s: %v", b.field, err)
		}
	}
	in.SubjectID, in.SourceKey = models.NewID(), "BREACH:c2"
	_, _, err = e.Records.Create(ctx, nil, in)
	ct.WantCode(t, err, apperr.NotFound)
}

func TestRecordAccessAndList(t *testing.T) {
	// R7.1, R1.4: enterprise users see only the records of subjects they are
	// bound to; staff see all; lists are cursor-paginated.
	e := ct.New(t)
	mine := e.Subject(t, "mine", nil)
	other := e.Subject(t, "other", nil)
	e.Bind(t, "u1", mine.ID, true)
	var mineIDs []string
	for i := range 5 {
		r := e.Record(t, mine.ID, models.KindArrears, models.RecordActive, ct.Day(2025, time.Month(i+1), 1))
		mineIDs = append(mineIDs, r.ID)
	}
	theirs := e.Record(t, other.ID, models.KindTheft, models.RecordActive, ct.Day(2025, 3, 1))
	ent := ct.ActorCtx(models.RoleEnterprise, "u1")

	_, err := e.Records.Get(ent, mineIDs[0])
	ct.Must(t, err)
	_, err = e.Records.Get(ent, theirs.ID)
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = e.Records.History(ent, theirs.ID)
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = e.Records.List(ent, record.Filter{SubjectID: other.ID}, 10, "")
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = e.Records.Get(context.Background(), mineIDs[0])
	ct.WantCode(t, err, apperr.Unauthenticated)
	_, err = e.Records.Get(ct.StaffCtx(), models.NewID())
	ct.WantCode(t, err, apperr.NotFound)
	got, err := e.Records.Get(ct.StaffCtx(), theirs.ID)
	ct.Must(t, err)
	if got.ID != theirs.ID {
		t.Fatal("staff read the wrong record")
	}

	cases := []struct {
		name  string
		ctx   context.Context
		f     record.Filter
		total int64
	}{
		{"enterprise without a subject sees its own", ent, record.Filter{Count: true}, 5},
		{"enterprise, own subject", ent, record.Filter{SubjectID: mine.ID, Count: true}, 5},
		{"staff sees all", ct.StaffCtx(), record.Filter{Count: true}, 6},
		{"by kind", ct.StaffCtx(), record.Filter{Kind: models.KindTheft, Count: true}, 1},
		{"by status", ct.StaffCtx(), record.Filter{Status: models.RecordRevoked, Count: true}, 0},
		{"by behaviour day", ct.StaffCtx(), record.Filter{From: ct.Day(2025, 2, 1), To: ct.Day(2025, 4, 1), Count: true}, 3},
		{"unbound enterprise user sees nothing", ct.ActorCtx(models.RoleEnterprise, "u2"), record.Filter{Count: true}, 0},
	}
	for _, c := range cases {
		p, err := e.Records.List(c.ctx, c.f, 10, "")
		ct.Must(t, err)
		if p.TotalCount != c.total || int64(len(p.Records)) != c.total {
			t.Errorf("%s: total %d, %d rows, want %d", c.name, p.TotalCount, len(p.Records), c.total)
		}
	}
	// Pagination: newest first, two at a time, no duplicates or gaps.
	seen := ct.Pages(t, func(after string) ([]string, string, bool, error) {
		p, err := e.Records.List(ent, record.Filter{Count: true}, 2, after)
		if err == nil && p.TotalCount != 5 {
			t.Fatalf("total %d on a page", p.TotalCount)
		}
		return ct.Pluck(p.Records, func(r models.DishonestyRecord) string { return r.ID }), p.EndCursor, p.HasNext, err
	})
	if len(seen) != 5 || seen[0] != mineIDs[4] || seen[4] != mineIDs[0] {
		t.Fatalf("paged %v, want newest first %v", seen, mineIDs)
	}
	// R8.1 (issue 14): filtered by behaviour day, the list pages with
	// cursors of its own order (latest behaviour first); a cursor of the
	// unfiltered list is refused there, and the other way round.
	byDay := record.Filter{From: ct.Day(2024, 1, 1)}
	seen = ct.Pages(t, func(after string) ([]string, string, bool, error) {
		p, err := e.Records.List(ct.StaffCtx(), byDay, 2, after)
		return ct.Pluck(p.Records, func(r models.DishonestyRecord) string { return r.ID }), p.EndCursor, p.HasNext, err
	})
	all, err := e.Records.List(ct.StaffCtx(), byDay, 100, "")
	ct.Must(t, err)
	if !slices.Equal(seen, ct.Pluck(all.Records, func(r models.DishonestyRecord) string { return r.ID })) || len(seen) != 6 ||
		!slices.IsSortedFunc(all.Records, func(a, b models.DishonestyRecord) int { return b.BehaviourOn.Compare(a.BehaviourOn) }) {
		t.Fatalf("paged by day %v, want latest behaviour first %v", seen, all.Records)
	}
	plain, err := e.Records.List(ct.StaffCtx(), record.Filter{}, 2, "")
	ct.Must(t, err)
	for _, c := range []struct {
		f     record.Filter
		after string
	}{{byDay, plain.EndCursor}, {record.Filter{}, all.EndCursor}} {
		if _, err := e.Records.List(ct.StaffCtx(), c.f, 2, c.after); apperr.CodeOf(err) != apperr.Invalid || apperr.As(err).Field != "after" {
			t.Errorf("a cursor of the other order: %v", err)
		}
	}
	for field, f := range map[string]record.Filter{"after": {}, "kind": {Kind: "NOPE"}, "status": {Status: "NOPE"}} {
		after := ""
		if field == "after" {
			after = "not-a-cursor"
		}
		if _, err := e.Records.List(ct.StaffCtx(), f, 2, after); apperr.CodeOf(err) != apperr.Invalid || apperr.As(err).Field != field {
			t.Errorf("bad %s: %v", field, err)
		}
	}
}

func TestChangeStatus(t *testing.T) {
	// R1.4, R5.1, R5.2: status changes keep a history with actor and reason,
	// use optimistic locking, and a REVOKED record stops counting (R3.1).
	e := ct.New(t)
	s := e.Subject(t, "s", ct.Ptr(ct.Day(2020, 1, 1)))
	ctx := ct.OfficerCtx()
	rec, _, err := e.Records.Create(ctx, nil, record.NewRecord{SubjectID: s.ID, Kind: models.KindViolation, Severity: models.SeverityGeneral,
		SourceKey: "CASE:x", Source: credit.SourceStaffCase, BehaviourOn: time.Now()})
	ct.Must(t, err)
	if e.Reload(t, s.ID).Tier != models.TierStandard {
		t.Fatal("a new record should make the subject STANDARD")
	}
	steps := []struct {
		from, to models.RecordStatus
		reason   string
		want     apperr.Code
	}{
		{models.RecordActive, models.RecordUnderObjection, "objection received", ""},
		{models.RecordActive, models.RecordRevoked, "stale expectation", apperr.Conflict},
		{models.RecordUnderObjection, models.RecordUnderObjection, "again", apperr.FailedPrecondition},
		{models.RecordUnderObjection, models.RecordRevoked, "", apperr.Invalid},
		{models.RecordUnderObjection, models.RecordRevoked, "objection upheld: meter misread", ""},
		{models.RecordRevoked, models.RecordActive, "undo", apperr.FailedPrecondition},
	}
	version := 1
	for i, st := range steps {
		got, err := e.Records.ChangeStatus(ctx, nil, rec.ID, st.from, st.to, st.reason)
		if st.want != "" {
			ct.WantCode(t, err, st.want)
			continue
		}
		ct.Must(t, err)
		version++
		if got.Status != st.to || got.Version != version {
			t.Fatalf("step %d: %s v%d", i, got.Status, got.Version)
		}
	}
	hist, err := e.Records.History(ct.StaffCtx(), rec.ID)
	ct.Must(t, err)
	if len(hist) != 3 || hist[0].Action != record.EventCreated || hist[2].FromStatus != models.RecordUnderObjection ||
		hist[2].ToStatus != models.RecordRevoked || hist[2].ActorID != "officer-1" || hist[2].Reason != "objection upheld: meter misread" {
		t.Fatalf("history %+v", hist)
	}
	if e.Reload(t, s.ID).Tier != models.TierExcellent {
		t.Fatal("a REVOKED record should no longer count")
	}
	_, err = e.Records.ChangeStatus(ctx, nil, models.NewID(), models.RecordActive, models.RecordRevoked, "x")
	ct.WantCode(t, err, apperr.NotFound)
}

func TestChangeStatusConcurrent(t *testing.T) {
	// R5.2: two reviewers acting at once: exactly one wins, the other gets
	// CONFLICT (optimistic locking on Version).
	e := ct.New(t)
	s := e.Subject(t, "s", nil)
	rec := e.Record(t, s.ID, models.KindTheft, models.RecordActive, ct.Day(2025, 1, 1))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = e.Records.ChangeStatus(ct.OfficerCtx(), nil, rec.ID, models.RecordActive, models.RecordRepaired, "repaired")
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch apperr.CodeOf(err) {
		case "":
			ok++
		case apperr.Conflict:
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	var got models.DishonestyRecord
	ct.Must(t, e.DB.First(&got, "id = ?", rec.ID).Error)
	if ok != 1 || got.Version != 2 || got.Status != models.RecordRepaired {
		t.Fatalf("%d winners, record v%d %s", ok, got.Version, got.Status)
	}
}
