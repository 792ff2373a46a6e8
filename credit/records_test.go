package credit

import (
	"context"
	"sync"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/models"
)

func TestPublicity(t *testing.T) {
	// R5.3, R7.4: publicity periods come from the severity and Config.
	decided := noon(2026, 1, 31)
	cases := []struct {
		cfg      Config
		severity models.Severity
		want     Publicity
	}{
		{Config{}, models.SeverityGeneral, Publicity{true, day(2026, 1, 31), day(2026, 4, 30), day(2027, 1, 31)}},
		{Config{}, models.SeveritySerious, Publicity{true, day(2026, 1, 31), day(2027, 1, 31), day(2029, 1, 31)}},
		{Config{}, models.SeverityMinor, Publicity{}},
		{Config{GeneralPublicityMinMonths: 1, GeneralPublicityMaxMonths: 6}, models.SeverityGeneral,
			Publicity{true, day(2026, 1, 31), day(2026, 2, 28), day(2026, 7, 31)}},
	}
	for _, c := range cases {
		if got := c.cfg.Publicity(c.severity, decided); got != c.want {
			t.Errorf("%s %+v: got %+v, want %+v", c.severity, c.cfg, got, c.want)
		}
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	// R1.4: a record keeps its source, evidence, recorder and time; a second
	// Create with the same source key changes nothing.
	e := newEnv(t)
	s := e.subject(t, "s", ptrTime(day(2020, 1, 1)))
	ctx := actorCtx(models.RoleCreditOfficer, "officer-9")
	in := NewRecord{SubjectID: s.ID, Kind: models.KindBrokenPromise, Severity: models.SeveritySerious, SourceKey: "BREACH:c1",
		Source: SourceCommitmentBreach, Evidence: `{"commitment":"c1"}`, Summary: "承诺未履行", BehaviourOn: noon(2026, 1, 5)}
	rec, created, err := e.records.Create(ctx, nil, in)
	must(t, err)
	if !created || rec.RecordedBy != "officer-9" || rec.Status != models.RecordActive || rec.Version != 1 ||
		!rec.BehaviourOn.Equal(day(2026, 1, 5)) || rec.PublicityEnd == nil {
		t.Fatalf("record %+v", rec)
	}
	again, created, err := e.records.Create(ctx, nil, in)
	must(t, err)
	if created || again.ID != rec.ID {
		t.Fatalf("second create: created=%v id=%s", created, again.ID)
	}
	if e.reload(t, s.ID).TierEvaluatedAt == nil {
		t.Fatal("the tier was not recomputed on the new record (R3.1)")
	}
	bad := []struct {
		field string
		edit  func(*NewRecord)
	}{
		{"kind", func(r *NewRecord) { r.Kind = "LATE" }},
		{"severity", func(r *NewRecord) { r.Severity = "" }},
		{"sourceKey", func(r *NewRecord) { r.SourceKey = "" }},
		{"source", func(r *NewRecord) { r.Source = "MANUAL" }},
		{"behaviourOn", func(r *NewRecord) { r.BehaviourOn = time.Time{} }},
	}
	for _, b := range bad {
		in := in
		b.edit(&in)
		_, _, err := e.records.Create(ctx, nil, in)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != b.field {
			t.Errorf("%s: %v", b.field, err)
		}
	}
	in.SubjectID, in.SourceKey = models.NewID(), "BREACH:c2"
	_, _, err = e.records.Create(ctx, nil, in)
	wantCode(t, err, apperr.NotFound)
}

func TestRecordAccessAndList(t *testing.T) {
	// R7.1, R1.4: enterprise users see only the records of subjects they are
	// bound to; staff see all; lists are cursor-paginated.
	e := newEnv(t)
	mine := e.subject(t, "mine", nil)
	other := e.subject(t, "other", nil)
	e.bind(t, "u1", mine.ID, true)
	var mineIDs []string
	for i := range 5 {
		r := e.record(t, mine.ID, models.KindArrears, models.RecordActive, day(2025, time.Month(i+1), 1))
		mineIDs = append(mineIDs, r.ID)
	}
	theirs := e.record(t, other.ID, models.KindTheft, models.RecordActive, day(2025, 3, 1))
	ent := actorCtx(models.RoleEnterprise, "u1")

	_, err := e.records.Get(ent, mineIDs[0])
	must(t, err)
	_, err = e.records.Get(ent, theirs.ID)
	wantCode(t, err, apperr.Forbidden)
	_, err = e.records.History(ent, theirs.ID)
	wantCode(t, err, apperr.Forbidden)
	_, err = e.records.List(ent, RecordFilter{SubjectID: other.ID}, 10, "")
	wantCode(t, err, apperr.Forbidden)
	_, err = e.records.Get(context.Background(), mineIDs[0])
	wantCode(t, err, apperr.Unauthenticated)
	_, err = e.records.Get(staffCtx(), models.NewID())
	wantCode(t, err, apperr.NotFound)
	got, err := e.records.Get(staffCtx(), theirs.ID)
	must(t, err)
	if got.ID != theirs.ID {
		t.Fatal("staff read the wrong record")
	}

	cases := []struct {
		name  string
		ctx   context.Context
		f     RecordFilter
		total int64
	}{
		{"enterprise without a subject sees its own", ent, RecordFilter{}, 5},
		{"enterprise, own subject", ent, RecordFilter{SubjectID: mine.ID}, 5},
		{"staff sees all", staffCtx(), RecordFilter{}, 6},
		{"by kind", staffCtx(), RecordFilter{Kind: models.KindTheft}, 1},
		{"by status", staffCtx(), RecordFilter{Status: models.RecordRevoked}, 0},
		{"by behaviour day", staffCtx(), RecordFilter{From: day(2025, 2, 1), To: day(2025, 4, 1)}, 3},
		{"unbound enterprise user sees nothing", actorCtx(models.RoleEnterprise, "u2"), RecordFilter{}, 0},
	}
	for _, c := range cases {
		p, err := e.records.List(c.ctx, c.f, 10, "")
		must(t, err)
		if p.TotalCount != c.total || int64(len(p.Records)) != c.total {
			t.Errorf("%s: total %d, %d rows, want %d", c.name, p.TotalCount, len(p.Records), c.total)
		}
	}
	// Pagination: newest first, two at a time, no duplicates or gaps.
	var seen []string
	after := ""
	for pages := 0; ; pages++ {
		p, err := e.records.List(ent, RecordFilter{}, 2, after)
		must(t, err)
		if p.TotalCount != 5 || pages > 3 {
			t.Fatalf("page %d: total %d", pages, p.TotalCount)
		}
		for _, r := range p.Records {
			seen = append(seen, r.ID)
		}
		if !p.HasNext {
			break
		}
		after = p.EndCursor
	}
	if len(seen) != 5 || seen[0] != mineIDs[4] || seen[4] != mineIDs[0] {
		t.Fatalf("paged %v, want newest first %v", seen, mineIDs)
	}
	_, err = e.records.List(staffCtx(), RecordFilter{}, 2, "not-a-cursor")
	wantCode(t, err, apperr.Invalid)
	_, err = e.records.List(staffCtx(), RecordFilter{Kind: "NOPE"}, 2, "")
	wantCode(t, err, apperr.Invalid)
}

func TestChangeStatus(t *testing.T) {
	// R1.4, R5.1, R5.2: status changes keep a history with actor and reason,
	// use optimistic locking, and a REVOKED record stops counting (R3.1).
	e := newEnv(t)
	s := e.subject(t, "s", ptrTime(day(2020, 1, 1)))
	ctx := officerCtx()
	rec, _, err := e.records.Create(ctx, nil, NewRecord{SubjectID: s.ID, Kind: models.KindViolation, Severity: models.SeverityGeneral,
		SourceKey: "CASE:x", Source: SourceStaffCase, BehaviourOn: time.Now()})
	must(t, err)
	if e.reload(t, s.ID).Tier != models.TierStandard {
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
		got, err := e.records.ChangeStatus(ctx, nil, rec.ID, st.from, st.to, st.reason)
		if st.want != "" {
			wantCode(t, err, st.want)
			continue
		}
		must(t, err)
		version++
		if got.Status != st.to || got.Version != version {
			t.Fatalf("step %d: %s v%d", i, got.Status, got.Version)
		}
	}
	hist, err := e.records.History(staffCtx(), rec.ID)
	must(t, err)
	if len(hist) != 3 || hist[0].Action != EventCreated || hist[2].FromStatus != models.RecordUnderObjection ||
		hist[2].ToStatus != models.RecordRevoked || hist[2].ActorID != "officer-1" || hist[2].Reason != "objection upheld: meter misread" {
		t.Fatalf("history %+v", hist)
	}
	if e.reload(t, s.ID).Tier != models.TierExcellent {
		t.Fatal("a REVOKED record should no longer count")
	}
	_, err = e.records.ChangeStatus(ctx, nil, models.NewID(), models.RecordActive, models.RecordRevoked, "x")
	wantCode(t, err, apperr.NotFound)
}

func TestChangeStatusConcurrent(t *testing.T) {
	// R5.2: two reviewers acting at once: exactly one wins, the other gets
	// CONFLICT (optimistic locking on Version).
	e := newEnv(t)
	s := e.subject(t, "s", nil)
	rec := e.record(t, s.ID, models.KindTheft, models.RecordActive, day(2025, 1, 1))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = e.records.ChangeStatus(officerCtx(), nil, rec.ID, models.RecordActive, models.RecordRepaired, "repaired")
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
	must(t, e.db.First(&got, "id = ?", rec.ID).Error)
	if ok != 1 || got.Version != 2 || got.Status != models.RecordRepaired {
		t.Fatalf("%d winners, record v%d %s", ok, got.Version, got.Status)
	}
}
