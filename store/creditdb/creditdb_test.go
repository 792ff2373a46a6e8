// The store suite: every method of every credit store, on SQLite by
// default and on MariaDB with CW_TEST_DATABASE_URL (store/storetest).
package creditdb_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"creditwater/audit"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/grade"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/credit/rules"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/outbox"
)

// setup is a fresh database with the credit stores, and a context.
func setup(t *testing.T) (*ct.Env, context.Context) { return ct.New(t), context.Background() }

var errRollback = errors.New("roll back")

// rec is an unsaved GENERAL record of a subject with a source key.
func rec(subjectID, key string, kind models.RecordKind, behaviour time.Time) models.DishonestyRecord {
	r := models.DishonestyRecord{SubjectID: subjectID, Kind: kind, Severity: models.SeverityGeneral, Status: models.RecordActive,
		SourceKey: key, Source: credit.SourceStaffCase, BehaviourOn: behaviour, DecidedOn: behaviour, Version: 1}
	r.ID = models.NewID()
	r.CreatedAt, r.UpdatedAt = behaviour, behaviour
	return r
}

func ids(recs []models.DishonestyRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func TestRecordStoreWrites(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Records()
	s := e.Subject(t, "甲", nil)
	a, b := rec(s.ID, "K:a", models.KindTheft, ct.Day(2025, 1, 1)), rec(s.ID, "K:b", models.KindArrears, ct.Day(2025, 2, 1))
	stored, err := st.Insert(ctx, []models.DishonestyRecord{a, b})
	ct.Must(t, err)
	again, c := rec(s.ID, "K:a", models.KindTheft, ct.Day(2025, 1, 1)), rec(s.ID, "K:c", models.KindTheft, ct.Day(2025, 3, 1))
	second, err := st.Insert(ctx, []models.DishonestyRecord{again, c}) // K:a exists: only K:c is stored
	ct.Must(t, err)
	if !slices.Equal(ids(stored), []string{a.ID, b.ID}) || !slices.Equal(ids(second), []string{c.ID}) {
		t.Fatalf("stored %v then %v", ids(stored), ids(second))
	}
	if got, ok, err := st.BySourceKey(ctx, "K:a"); err != nil || !ok || got.ID != a.ID {
		t.Fatalf("by source key: %v %v %v", got.ID, ok, err)
	}
	if _, ok, err := st.BySourceKey(ctx, "K:none"); err != nil || ok {
		t.Fatalf("unknown source key: %v %v", ok, err)
	}
	if _, ok, err := st.Get(ctx, models.NewID()); err != nil || ok {
		t.Fatalf("unknown record: %v %v", ok, err)
	}

	upd := a
	upd.Status, upd.Severity, upd.Summary, upd.Version = models.RecordUnderObjection, models.SeverityMinor, "更正", 2
	upd.PublicityStart, upd.PublicityEnd = nil, nil
	for _, try := range []struct {
		version int
		status  models.RecordStatus
		want    bool
	}{{2, "", false}, {1, models.RecordRevoked, false}, {1, models.RecordActive, true}, {1, "", false}} {
		if ok, err := st.Update(ctx, upd, try.version, try.status); err != nil || ok != try.want {
			t.Fatalf("update at v%d in %q: %v %v, want %v", try.version, try.status, ok, err, try.want)
		}
	}
	got, ok, err := st.Get(ctx, a.ID)
	if err != nil || !ok || got.Status != models.RecordUnderObjection || got.Severity != models.SeverityMinor || got.Summary != "更正" || got.Version != 2 {
		t.Fatalf("after update: %+v %v %v", got, ok, err)
	}

	evs := []models.RecordEvent{{RecordID: a.ID, At: ct.Day(2025, 1, 1), Action: record.EventCreated},
		{RecordID: a.ID, At: ct.Day(2025, 1, 2), Action: record.EventStatusChanged}}
	ct.Must(t, st.AddEvents(ctx, evs))
	ct.Must(t, st.AddEvents(ctx, nil))
	hist, err := st.Events(ctx, a.ID)
	if err != nil || len(hist) != 2 || hist[0].Action != record.EventCreated || hist[1].Action != record.EventStatusChanged {
		t.Fatalf("events %+v %v", hist, err)
	}
	if subj, ok, err := st.Subject(ctx, s.ID); err != nil || !ok || subj.Name != "甲" {
		t.Fatalf("subject %+v %v %v", subj, ok, err)
	}
	if _, ok, err := st.Subject(ctx, models.NewID()); err != nil || ok {
		t.Fatalf("unknown subject: %v %v", ok, err)
	}
}

func TestRecordStoreTransactions(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Records()
	s := e.Subject(t, "乙", nil)
	manager := models.User{Role: models.RoleStaff}
	ct.Must(t, e.DB.Create(&manager).Error)
	r := rec(s.ID, "K:tx", models.KindTheft, ct.Day(2025, 1, 1))
	err := st.Tx(ctx, func(tx record.Store) error {
		if _, err := tx.Insert(ctx, []models.DishonestyRecord{r}); err != nil {
			return err
		}
		if _, ok, err := tx.Get(ctx, r.ID); err != nil || !ok { // locked read in the transaction
			return errors.Join(err, errors.New("not visible in its transaction"))
		}
		ct.Must(t, tx.Audit(ctx, audit.Entry{Action: "test.audit"}))
		ct.Must(t, tx.Enqueue(ctx, outbox.Message{Key: "test:1", Kind: "TEST", Payload: map[string]int{}}))
		if _, err := tx.Grades().SetAccountManager(ctx, s.ID, manager.ID, 1); err != nil { // the tier store shares the transaction
			return err
		}
		return tx.Tx(ctx, func(nested record.Store) error { // runs in the same transaction
			return nested.AddEvents(ctx, []models.RecordEvent{{RecordID: r.ID, At: ct.Day(2025, 1, 1), Action: record.EventCreated}})
		})
	})
	ct.Must(t, err)
	if e.Count(t, &models.AuditEntry{}, "action = ?", "test.audit") != 1 || e.Messages(t, "test:1") != 1 || e.Count(t, &models.RecordEvent{}, "") != 1 {
		t.Fatal("the committed transaction lost writes")
	}
	r2 := rec(s.ID, "K:rollback", models.KindTheft, ct.Day(2025, 1, 1))
	err = st.Tx(ctx, func(tx record.Store) error {
		_, _ = tx.Insert(ctx, []models.DishonestyRecord{r2})
		ct.Must(t, tx.Audit(ctx, audit.Entry{Action: "test.rolled-back"}))
		_, err := tx.Grades().SetAccountManager(ctx, s.ID, "nobody", 2)
		ct.Must(t, err)
		return errRollback
	})
	if !errors.Is(err, errRollback) || e.Count(t, &models.DishonestyRecord{}, "id = ?", r2.ID) != 0 ||
		e.Count(t, &models.AuditEntry{}, "action = ?", "test.rolled-back") != 0 || *e.Reload(t, s.ID).AccountManagerID != manager.ID {
		t.Fatalf("a failed transaction kept its writes (%v)", err)
	}
}

func TestRecordStoreList(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Records()
	mine, other := e.Subject(t, "mine", nil), e.Subject(t, "other", nil)
	e.Bind(t, "u1", mine.ID, true)
	var all []models.DishonestyRecord
	for i := range 4 {
		r := rec(mine.ID, "K:"+string(rune('a'+i)), models.KindArrears, ct.Day(2025, time.Month(i+1), 1))
		all = append(all, r)
	}
	all = append(all, rec(other.ID, "K:o", models.KindTheft, ct.Day(2025, 3, 1)))
	_, err := st.Insert(ctx, all)
	ct.Must(t, err)
	cases := []struct {
		name  string
		q     record.Query
		want  []string
		total int64
	}{
		{"everything, newest ID first", record.Query{Limit: 10, Count: true}, []string{all[4].ID, all[3].ID, all[2].ID, all[1].ID, all[0].ID}, 5},
		{"by subject", record.Query{SubjectID: other.ID, Limit: 10, Count: true}, []string{all[4].ID}, 1},
		{"a viewer's subjects", record.Query{ViewerID: "u1", Scopes: credit.ViewRecords, Limit: 10, Count: true}, []string{all[3].ID, all[2].ID, all[1].ID, all[0].ID}, 4},
		{"an unbound viewer", record.Query{ViewerID: "u2", Scopes: credit.ViewRecords, Limit: 10, Count: true}, nil, 0},
		{"by kind", record.Query{Kind: models.KindTheft, Limit: 10, Count: true}, []string{all[4].ID}, 1},
		{"by status", record.Query{Status: models.RecordRevoked, Limit: 10, Count: true}, nil, 0},
		{"R8.1 by severity", record.Query{Severity: models.SeveritySerious, Limit: 10, Count: true}, nil, 0},
		{"by behaviour day", record.Query{From: ct.Day(2025, 2, 1), To: ct.Day(2025, 3, 1), Limit: 10, Count: true}, []string{all[1].ID}, 1},
		{"after a cursor, limited", record.Query{After: []any{all[3].ID}, Limit: 2, Count: true}, []string{all[2].ID, all[1].ID}, 5},
		// R8.1 (issue 14): a behaviour-day range is read by the day index
		// (FORCE INDEX on MariaDB), latest behaviour first, after a cursor
		// of that order (TestRecordStoreListByBehaviourDay).
		{"R8.1 by kind, status and behaviour day", record.Query{Kind: models.KindArrears, Status: models.RecordActive, From: ct.Day(2025, 2, 1), To: ct.Day(2025, 5, 1), Limit: 10, Count: true},
			[]string{all[3].ID, all[2].ID, all[1].ID}, 3},
		{"R8.1 by kind, status and day, after a cursor", record.Query{Kind: models.KindArrears, Status: models.RecordActive, From: ct.Day(2025, 1, 1), After: []any{all[3].BehaviourOn, all[3].ID}, Limit: 2, Count: true},
			[]string{all[2].ID, all[1].ID}, 4},
		{"R8.1 by kind and day from", record.Query{Kind: models.KindTheft, From: ct.Day(2025, 1, 1), Limit: 10, Count: true}, []string{all[4].ID}, 1},
	}
	for _, c := range cases {
		got, total, err := st.List(ctx, c.q)
		ct.Must(t, err)
		if !slices.Equal(ids(got), c.want) || total != c.total {
			t.Errorf("%s: %v (total %d), want %v (%d)", c.name, ids(got), total, c.want, c.total)
		}
	}
}

// R8.1 (issue 14): a list filtered by behaviour day is in the order of the
// day indexes, latest behaviour first and then newest recorded, whatever
// order the records were recorded in; its cursor is a (day, ID) position.
func TestRecordStoreListByBehaviourDay(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Records()
	s := e.Subject(t, "s", nil)
	// Recorded in this order (IDs ascending), behaviour days out of order,
	// two on the same day.
	days := []time.Time{ct.Day(2025, 3, 1), ct.Day(2025, 1, 10), ct.Day(2025, 5, 1), ct.Day(2025, 3, 1), ct.Day(2024, 12, 1)}
	var all []models.DishonestyRecord
	for i, d := range days {
		all = append(all, rec(s.ID, "D:"+string(rune('a'+i)), models.KindArrears, d))
	}
	_, err := st.Insert(ctx, all)
	ct.Must(t, err)
	want := []string{all[2].ID, all[3].ID, all[0].ID, all[1].ID} // 5-01, 3-01 (newer ID), 3-01, 1-10
	for _, q := range []record.Query{
		{From: ct.Day(2025, 1, 1), Limit: 10},
		{Kind: models.KindArrears, Status: models.RecordActive, From: ct.Day(2025, 1, 1), Limit: 10},
		{SubjectID: s.ID, From: ct.Day(2025, 1, 1), Limit: 10},
	} {
		if q.Key().List != record.DayKey.List {
			t.Fatalf("%+v: key %s, want %s", q, q.Key().List, record.DayKey.List)
		}
		got, _, err := st.List(ctx, q)
		ct.Must(t, err)
		if !slices.Equal(ids(got), want) {
			t.Errorf("%+v: %v, want %v", q, ids(got), want)
		}
		// Page by page, two at a time, through the tie.
		var paged []string
		for range 3 {
			q.Limit = 3 // two and one more
			got, _, err := st.List(ctx, q)
			ct.Must(t, err)
			if len(got) > 2 {
				got = got[:2]
			}
			paged = append(paged, ids(got)...)
			if len(got) < 2 {
				break
			}
			last := got[len(got)-1]
			q.After = []any{last.BehaviourOn, last.ID}
		}
		if !slices.Equal(paged, want) {
			t.Errorf("%+v paged: %v, want %v", q, paged, want)
		}
	}
	// Without a day range the list stays newest recorded first.
	got, _, err := st.List(ctx, record.Query{SubjectID: s.ID, Limit: 10})
	ct.Must(t, err)
	if w := []string{all[4].ID, all[3].ID, all[2].ID, all[1].ID, all[0].ID}; !slices.Equal(ids(got), w) {
		t.Errorf("without a day: %v, want %v", ids(got), w)
	}
}

func TestRecordStorePublication(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Records()
	s := e.Enterprise(t, "丙", "914403001922038216")
	due := rec(s.ID, "K:due", models.KindTheft, ct.Day(2026, 3, 1))
	due.PublicityStart, due.PublicityEnd = ct.Ptr(ct.Day(2026, 3, 1)), ct.Ptr(ct.Day(2027, 3, 1))
	minor := due
	minor.ID, minor.SourceKey, minor.Severity = models.NewID(), "K:minor", models.SeverityMinor
	_, err := st.Insert(ctx, []models.DishonestyRecord{due, minor})
	ct.Must(t, err)
	q := record.DueQuery{AsOf: ct.Noon(2026, 6, 1), Severities: []models.Severity{models.SeverityGeneral},
		Statuses: []models.RecordStatus{models.RecordActive}, Kind: record.KindPublishDishonesty, KeyPrefix: "publish:record:", Now: time.Now().UTC()}
	for run, want := range []int{1, 0} { // the second run finds the message
		n, err := st.QueueDue(ctx, q)
		if err != nil || n != want {
			t.Fatalf("run %d queued %d (%v), want %d", run+1, n, err, want)
		}
	}
	m, ok, err := st.Message(ctx, record.PublishKey(due.ID))
	if err != nil || !ok || m.Status != models.OutboxPending {
		t.Fatalf("message %+v %v %v", m, ok, err)
	}
	if full := e.Message(t, record.PublishKey(due.ID)); full.Payload != `{"recordId":"`+due.ID+`"}` || full.AggregateID != due.ID || full.Kind != record.KindPublishDishonesty {
		t.Fatalf("queued message %+v", full)
	}
	if _, ok, err := st.Message(ctx, record.PublishKey(minor.ID)); err != nil || ok {
		t.Fatalf("a MINOR record was queued: %v %v", ok, err)
	}
	ct.Must(t, st.SetPublication(ctx, due.ID, "PUB-9", time.Now()))
	if got := e.LoadRecord(t, due.ID).PublicationID; got != "PUB-9" {
		t.Fatalf("publication ID %q", got)
	}
}

func TestGradeStore(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Grades()
	long := ct.Ptr(ct.Day(2020, 1, 1))
	clean, counted, revoked, young := e.Subject(t, "clean", long), e.Subject(t, "counted", long), e.Subject(t, "revoked", long), e.Subject(t, "young", ct.Ptr(ct.Day(2025, 1, 1)))
	e.Record(t, counted.ID, models.KindTheft, models.RecordRepaired, ct.Day(2025, 5, 1))
	e.Record(t, counted.ID, models.KindArrears, models.RecordActive, ct.Day(2026, 7, 1)) // after the window
	e.Record(t, revoked.ID, models.KindTheft, models.RecordRevoked, ct.Day(2025, 5, 1))
	at := ct.Noon(2026, 6, 15).UTC()
	r := grade.Rule{HistoryBefore: ct.Day(2023, 6, 16), WindowFrom: ct.Day(2023, 6, 16), WindowTo: ct.Day(2026, 6, 16),
		Kinds: credit.BlockingKinds, At: at, BatchSize: 1}
	n, err := st.Regrade(ctx, r, []string{clean.ID, counted.ID, revoked.ID}) // three statements of one ID
	if err != nil || n != 3 {
		t.Fatalf("regraded %d (%v)", n, err)
	}
	if n, err := st.Regrade(ctx, r, []string{}); err != nil || n != 0 {
		t.Fatalf("no IDs: %d %v", n, err)
	}
	if got := e.Reload(t, young.ID); got.TierEvaluatedAt != nil {
		t.Fatal("a subject outside the IDs was evaluated")
	}
	r.At = at.Add(time.Hour)
	if n, err := st.Regrade(ctx, r, nil); err != nil || n != 4 { // every subject
		t.Fatalf("regraded all: %d (%v)", n, err)
	}
	for _, c := range []struct {
		s     models.Subject
		tier  models.Tier
		since time.Time
	}{{clean, models.TierExcellent, at}, {counted, models.TierStandard, at}, {revoked, models.TierExcellent, at}, {young, models.TierStandard, r.At}} {
		got := e.Reload(t, c.s.ID)
		if got.Tier != c.tier || !got.TierSince.Equal(c.since) || !got.TierEvaluatedAt.Equal(r.At) {
			t.Errorf("%s: %s since %v evaluated %v, want %s since %v", c.s.Name, got.Tier, got.TierSince, got.TierEvaluatedAt, c.tier, c.since)
		}
	}

	if newest, ok, err := st.NewestCounting(ctx, counted.ID, r); err != nil || !ok || !newest.Equal(ct.Day(2025, 5, 1)) {
		t.Fatalf("newest counting %v %v %v", newest, ok, err)
	}
	if _, ok, err := st.NewestCounting(ctx, revoked.ID, r); err != nil || ok {
		t.Fatalf("a REVOKED record counted: %v %v", ok, err)
	}
	recs, err := st.SubjectRecords(ctx, counted.ID)
	if err != nil || len(recs) != 2 || !recs[0].BehaviourOn.Equal(ct.Day(2026, 7, 1)) {
		t.Fatalf("subject records %+v %v", recs, err)
	}

	manager := models.User{Role: models.RoleStaff, DisplayName: "经理"}
	ct.Must(t, e.DB.Create(&manager).Error)
	if u, ok, err := st.User(ctx, manager.ID); err != nil || !ok || u.DisplayName != "经理" {
		t.Fatalf("user %+v %v %v", u, ok, err)
	}
	if _, ok, err := st.User(ctx, models.NewID()); err != nil || ok {
		t.Fatalf("unknown user: %v %v", ok, err)
	}
	err = st.Tx(ctx, func(tx grade.Store) error {
		if ok, err := tx.SetAccountManager(ctx, clean.ID, manager.ID, 1); err != nil || !ok {
			return errors.Join(err, errors.New("not set at version 1"))
		}
		if ok, err := tx.SetAccountManager(ctx, clean.ID, "nobody", 1); err != nil || ok { // version 1 is stale now
			return errors.Join(err, errors.New("set at a stale version"))
		}
		return nil
	})
	ct.Must(t, err)
	if s, ok, err := st.Subject(ctx, clean.ID); err != nil || !ok || s.AccountManagerID == nil || *s.AccountManagerID != manager.ID {
		t.Fatalf("subject after SetAccountManager: %+v %v %v", s, ok, err)
	}
}

func TestRulesStoreArrears(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Rules()
	s := e.Subject(t, "丁", nil)
	for _, acc := range []string{"A1", "A2", "A3", "A4"} {
		e.Account(t, acc, s.ID)
	}
	e.Account(t, "A5", "") // not linked to a subject
	e.Bill(t, "B1", "A1", 80000)
	e.Bill(t, "B2", "A1", 50000)
	e.Pay(t, "P1", "B2", "A1", 20000)
	e.Reminder(t, "R1", "A1", ct.Day(2026, 1, 10), "B1", "B2") // unpaid 80000 + 30000
	e.Bill(t, "B3", "A2", 200000)
	e.Reminder(t, "R2", "A2", ct.Day(2026, 1, 10), "B3") // exempt
	ct.Must(t, e.DB.Create(&models.Exemption{AccountNo: "A2", Reason: "dispute", ValidFrom: ct.Day(2026, 1, 1)}).Error)
	e.Bill(t, "B4", "A3", 200000)
	e.Reminder(t, "R3", "A3", ct.Day(2026, 1, 10), "B4") // has its record
	e.Record(t, s.ID, models.KindArrears, models.RecordActive, ct.Day(2026, 2, 11))
	ct.Must(t, e.DB.Model(&models.DishonestyRecord{}).Where("subject_id = ?", s.ID).Update("source_key", "ARREARS:R3").Error)
	e.Bill(t, "B5", "A4", 200000)
	e.Reminder(t, "R4", "A4", ct.Day(2026, 2, 20), "B5") // served too late
	e.Bill(t, "B6", "A5", 200000)
	e.Reminder(t, "R5", "A5", ct.Day(2026, 1, 10), "B6")

	cands, err := st.ArrearsCandidates(ctx, rules.ArrearsQuery{ServedBefore: ct.Day(2026, 2, 1), DayStart: ct.Day(2026, 3, 1),
		DayEnd: ct.Day(2026, 3, 2), ThresholdFen: 100000, KeyPrefix: "ARREARS:"})
	ct.Must(t, err)
	if len(cands) != 1 || cands[0] != (rules.Candidate{ReminderNo: "R1", AccountNo: "A1", SubjectID: s.ID, UnpaidFen: 110000}) {
		t.Fatalf("candidates %+v", cands)
	}
	cands, err = st.ArrearsCandidates(ctx, rules.ArrearsQuery{ServedBefore: ct.Day(2026, 2, 1), DayStart: ct.Day(2026, 3, 1),
		DayEnd: ct.Day(2026, 3, 2), ThresholdFen: 110001, KeyPrefix: "ARREARS:"})
	if err != nil || len(cands) != 0 {
		t.Fatalf("above the unpaid total: %+v %v", cands, err)
	}
	rems, err := st.Reminders(ctx, []string{"R1", "R2"})
	ct.Must(t, err)
	var r1 rules.Reminder
	for _, r := range rems {
		if r.No == "R1" {
			r1 = r
		}
	}
	if len(rems) != 2 || !r1.ServedOn.Equal(ct.Day(2026, 1, 10)) || len(r1.Bills) != 2 ||
		r1.Bills[1] != (credit.ArrearsBill{BillNo: "B2", Period: "2025-11", AmountFen: 50000, PaidFen: 20000}) {
		t.Fatalf("reminders %+v", rems)
	}
	if a, ok, err := st.Account(ctx, "A1"); err != nil || !ok || a.SubjectID != s.ID {
		t.Fatalf("account %+v %v %v", a, ok, err)
	}
	if _, ok, err := st.Account(ctx, "A9"); err != nil || ok {
		t.Fatalf("unknown account: %v %v", ok, err)
	}
	if _, ok, err := st.Records().Subject(ctx, s.ID); err != nil || !ok {
		t.Fatalf("records through the rules store: %v %v", ok, err)
	}
}

func TestRulesStoreCases(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Rules()
	s := e.Subject(t, "戊", nil)
	vc := models.ViolationCase{CaseNo: "WS-1", SubjectID: s.ID, Kind: models.KindTheft, Severity: models.SeverityGeneral,
		Description: "私接", OccurredOn: ct.Day(2026, 1, 5), Status: models.CaseOpen, RecordedBy: "staff-1"}
	vc.ID = models.NewID()
	ct.Must(t, st.InsertCase(ctx, vc))
	dup := vc
	dup.ID = models.NewID()
	if err := st.InsertCase(ctx, dup); !errors.Is(err, credit.ErrDuplicate) {
		t.Fatalf("a second WS-1: %v", err)
	}
	decided := vc
	decided.Status, decided.DecidedBy, decided.DecisionNote, decided.RecordID, decided.Version = models.CaseConfirmed, "officer-1", "ok", ct.Ptr("rec-1"), 2
	err := st.Tx(ctx, func(tx rules.Store) error {
		got, ok, err := tx.Case(ctx, vc.ID) // locked
		if err != nil || !ok || got.Status != models.CaseOpen {
			t.Fatalf("case %+v %v %v", got, ok, err)
		}
		if ok, err := tx.DecideCase(ctx, decided, 2); err != nil || ok { // R8.1: not at the version seen
			t.Fatalf("decision at a stale version: %v %v", ok, err)
		}
		for run, want := range []bool{true, false} { // decided once
			if ok, err := tx.DecideCase(ctx, decided, 1); err != nil || ok != want {
				t.Fatalf("decision %d: %v %v", run+1, ok, err)
			}
		}
		return nil
	})
	ct.Must(t, err)
	got, ok, err := st.Case(ctx, vc.ID)
	if err != nil || !ok || got.Status != models.CaseConfirmed || got.DecisionNote != "ok" || got.RecordID == nil || *got.RecordID != "rec-1" || got.Version != 2 {
		t.Fatalf("decided case %+v %v %v", got, ok, err)
	}
	if _, ok, err := st.Case(ctx, models.NewID()); err != nil || ok {
		t.Fatalf("unknown case: %v %v", ok, err)
	}
}

// repairOf is an unsaved SUBMITTED repair request of a record, due at due.
func repairOf(r models.DishonestyRecord, due time.Time) *models.RepairRequest {
	req := &models.RepairRequest{RecordID: r.ID, SubjectID: r.SubjectID, FiledBy: ct.EntUser, Statement: "已整改",
		CommitmentText: "承诺", CommitmentVersion: "v", CommitmentSHA256: "x", CommitmentSignedAt: due,
		Status: models.RepairSubmitted, MissingItems: "[]", DueAt: due, OpenKey: ct.Ptr(r.ID), Version: 1}
	req.ID, req.CreatedAt, req.UpdatedAt = models.NewID(), due, due
	return req
}

func TestReviewStoreRequests(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Reviews()
	s := e.Subject(t, "己", nil)
	r := e.Record(t, s.ID, models.KindTheft, models.RecordActive, ct.Day(2026, 1, 5))
	req := repairOf(r, ct.Day(2026, 6, 15))
	ct.Must(t, st.InsertRequest(ctx, req))
	if err := st.InsertRequest(ctx, repairOf(r, ct.Day(2026, 6, 16))); !errors.Is(err, credit.ErrDuplicate) {
		t.Fatalf("a second open repair of the record: %v", err)
	}
	if open, err := st.OpenRequest(ctx, &models.RepairRequest{}, r.ID); err != nil || open != req.ID {
		t.Fatalf("open repair %q %v", open, err)
	}
	if open, err := st.OpenRequest(ctx, &models.Objection{}, r.ID); err != nil || open != "" {
		t.Fatalf("open objection %q %v", open, err)
	}
	obj := &models.Objection{RecordID: r.ID, SubjectID: s.ID, FiledBy: ct.EntUser, Reason: "有误", Status: models.ObjectionSubmitted,
		DueAt: ct.Day(2026, 6, 8), OpenKey: ct.Ptr(r.ID), Version: 1}
	obj.ID = models.NewID()
	ct.Must(t, st.InsertRequest(ctx, obj))

	var got models.RepairRequest
	if ok, err := st.Request(ctx, req.ID, &got); err != nil || !ok || got.Statement != "已整改" {
		t.Fatalf("request %+v %v %v", got, ok, err)
	}
	if ok, err := st.Request(ctx, models.NewID(), &models.Objection{}); err != nil || ok {
		t.Fatalf("unknown objection: %v %v", ok, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	got.Status, got.MissingItems, got.AssigneeID, got.Version, got.UpdatedAt = models.RepairApproved, `["x"]`, ct.Ptr(ct.OfficerUser), 2, now
	got.DecidedBy, got.DecidedAt, got.Decision, got.OpenKey = ct.OfficerUser, &now, "ok", nil
	err := st.Tx(ctx, func(tx review.Store) error {
		for _, try := range []struct {
			version int
			want    bool
		}{{2, false}, {1, true}, {1, false}} {
			if ok, err := tx.UpdateRequest(ctx, &got, try.version); err != nil || ok != try.want {
				t.Fatalf("repair update at v%d: %v %v", try.version, ok, err)
			}
		}
		var again models.RepairRequest
		if ok, err := tx.Request(ctx, req.ID, &again); err != nil || !ok || again.Status != models.RepairApproved ||
			again.OpenKey != nil || again.Decision != "ok" || *again.AssigneeID != ct.OfficerUser || again.MissingItems != `["x"]` {
			t.Fatalf("repair after the update %+v %v %v", again, ok, err)
		}
		obj.Status, obj.Extended, obj.ExtensionReason, obj.Correction, obj.AcceptedAt, obj.Version = models.ObjectionUnderReview, true, "核查", `{}`, &now, 2
		if ok, err := tx.UpdateRequest(ctx, obj, 1); err != nil || !ok {
			t.Fatalf("objection update: %v %v", ok, err)
		}
		if ok, err := tx.UpdateRequest(ctx, &models.DishonestyRecord{}, 1); err == nil || ok {
			t.Fatal("a record was updated as a review request")
		}
		_, ok, err := tx.Records().Get(ctx, r.ID) // the record store shares the transaction
		if err != nil || !ok {
			return errors.Join(err, errors.New("the record is not visible"))
		}
		return nil
	})
	ct.Must(t, err)
	var o models.Objection
	if ok, err := st.Request(ctx, obj.ID, &o); err != nil || !ok || !o.Extended || o.ExtensionReason != "核查" || o.Correction != `{}` || o.AcceptedAt == nil {
		t.Fatalf("objection after the update %+v %v %v", o, ok, err)
	}
	ct.Must(t, st.SetRepairPublication(ctx, req.ID, "PUB-7"))
	if ok, err := st.Request(ctx, req.ID, &got); err != nil || !ok || got.PublicationID != "PUB-7" {
		t.Fatalf("publication ID %q %v %v", got.PublicationID, ok, err)
	}
}

func TestReviewStoreQueue(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Reviews()
	s, other := e.Subject(t, "庚", nil), e.Subject(t, "辛", nil)
	var reqs []*models.RepairRequest // due 06-10, 06-11, 06-12, the last of the other subject
	for i, subj := range []models.Subject{s, s, other} {
		req := repairOf(e.Record(t, subj.ID, models.KindTheft, models.RecordActive, ct.Day(2026, 1, 5)), ct.Day(2026, 6, 10+i))
		req.CreatedAt = ct.Day(2026, 6, 1+i)
		if i == 1 {
			req.Status, req.AssigneeID = models.RepairUnderReview, ct.Ptr(ct.OfficerUser)
		}
		ct.Must(t, st.InsertRequest(ctx, req))
		reqs = append(reqs, req)
	}
	cases := []struct {
		name  string
		q     review.Query
		want  []int
		total int64
	}{
		{"by due day", review.Query{Limit: 10, Count: true}, []int{0, 1, 2}, 3},
		{"of a subject", review.Query{SubjectID: s.ID, Limit: 10}, []int{0, 1}, 0},
		{"by status", review.Query{Status: string(models.RepairSubmitted), Limit: 10, Count: true}, []int{0, 2}, 2},
		{"in statuses", review.Query{Statuses: []string{string(models.RepairUnderReview), "NONE"}, Limit: 10}, []int{1}, 0},
		{"by assignee", review.Query{AssigneeID: ct.OfficerUser, Limit: 10}, []int{1}, 0},
		{"assigned", review.Query{Assigned: true, Limit: 10}, []int{1}, 0},
		{"due before", review.Query{DueBefore: ct.Ptr(ct.Day(2026, 6, 12)), Limit: 10, Count: true}, []int{0, 1}, 2},
		{"after a cursor", review.Query{After: &review.DueCursor{DueAt: reqs[0].DueAt, ID: reqs[0].ID}, Limit: 1, Count: true}, []int{1}, 3},
	}
	for _, c := range cases {
		var rows []models.RepairRequest
		total, err := st.Requests(ctx, c.q, &rows)
		ct.Must(t, err)
		var got, want []string
		for _, r := range rows {
			got = append(got, r.ID)
		}
		for _, i := range c.want {
			want = append(want, reqs[i].ID)
		}
		if !slices.Equal(got, want) || total != c.total {
			t.Errorf("%s: %v (total %d), want %v (%d)", c.name, got, total, want, c.total)
		}
	}
	var objs []models.Objection
	if _, err := st.Requests(ctx, review.Query{Limit: 10}, &objs); err != nil || len(objs) != 0 {
		t.Fatalf("objections %+v %v", objs, err)
	}
}

func TestReviewStoreHistoryEvidenceBills(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Reviews()
	id := models.NewID()
	for _, a := range []string{review.ActionFiled, review.ActionApproved} {
		ct.Must(t, st.AddEvent(ctx, models.RequestEvent{OwnerType: review.OwnerRepair, OwnerID: id, At: ct.Day(2026, 6, 1), Action: a}))
	}
	evs, err := st.Events(ctx, review.OwnerRepair, id)
	if err != nil || len(evs) != 2 || evs[0].Action != review.ActionFiled || evs[1].Action != review.ActionApproved {
		t.Fatalf("events %+v %v", evs, err)
	}
	if evs, err := st.Events(ctx, review.OwnerObjection, id); err != nil || len(evs) != 0 {
		t.Fatalf("another kind's events %+v %v", evs, err)
	}
	files, err := evidence.Read([]credit.Upload{ct.Upload("a.pdf", ct.PDFBody(100))}, evidence.Limits{}, ct.EntUser, ct.Noon(2026, 6, 1))
	ct.Must(t, err)
	files = append(files, evidence.Text("说明", ct.EntUser, ct.Noon(2026, 6, 1)))
	ct.Must(t, st.AddEvidence(ctx, review.OwnerObjection, id, files))
	list, err := st.Evidence(ctx, review.OwnerObjection, id)
	if err != nil || len(list) != 2 || list[0].Kind != evidence.KindFile || list[0].Data != nil || list[1].Text != "说明" {
		t.Fatalf("evidence %+v %v", list, err)
	}

	s := e.Subject(t, "壬", nil)
	e.Account(t, "A1", s.ID)
	e.Bill(t, "B1", "A1", 5000)
	e.Pay(t, "P1", "B1", "A1", 2000)
	e.Pay(t, "P2", "B1", "A1", 1000)
	bills, err := st.Bills(ctx, []string{"B1", "B9"})
	if err != nil || len(bills) != 1 || bills[0] != (credit.ArrearsBill{BillNo: "B1", AmountFen: 5000, PaidFen: 3000}) {
		t.Fatalf("bills %+v %v", bills, err)
	}
}

func TestNoticeStore(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Notices()
	n := func(user, ref, day string) models.StaffNotice {
		return models.StaffNotice{UserID: user, Kind: review.NoticeRepairDue, RefID: ref, Day: day, Text: "到期", CreatedAt: time.Now().UTC()}
	}
	for run, c := range []struct {
		notices []models.StaffNotice
		want    int
	}{
		{[]models.StaffNotice{n("o1", "r1", "2026-06-09"), n("o1", "r2", "2026-06-09"), n("o2", "r3", "2026-06-09")}, 3},
		{[]models.StaffNotice{n("o1", "r1", "2026-06-09"), n("o1", "r1", "2026-06-10")}, 1}, // once per item and day
		{nil, 0},
	} {
		if got, err := st.Insert(ctx, c.notices); err != nil || got != c.want {
			t.Fatalf("insert %d: %d (%v), want %d", run+1, got, err, c.want)
		}
	}
	mine, err := st.ForUser(ctx, "o1", 2)
	if err != nil || len(mine) != 2 || mine[0].ID < mine[1].ID {
		t.Fatalf("notices %+v %v", mine, err)
	}
	if ok, err := st.MarkRead(ctx, mine[0].ID, "o2", time.Now()); err != nil || ok {
		t.Fatalf("another user's notice: %v %v", ok, err)
	}
	for range 2 { // a second time changes nothing
		if ok, err := st.MarkRead(ctx, mine[0].ID, "o1", time.Now()); err != nil || !ok {
			t.Fatalf("own notice: %v %v", ok, err)
		}
	}
	if again, err := st.ForUser(ctx, "o1", 1); err != nil || again[0].ReadAt == nil {
		t.Fatalf("read notice %+v %v", again, err)
	}
}

func TestUsageStore(t *testing.T) {
	e, ctx := setup(t)
	st := e.Stores.Usage()
	s := e.Subject(t, "癸", nil)
	e.Account(t, "A1", s.ID)
	e.Account(t, "A2", s.ID)
	for _, p := range []string{"2025-11", "2025-12", "2026-01"} {
		ct.Must(t, e.DB.Create(&models.Usage{AccountNo: "A1", Period: p, VolumeL: 1000}).Error)
	}
	if a, ok, err := st.Account(ctx, "A1"); err != nil || !ok || a.SubjectID != s.ID {
		t.Fatalf("account %+v %v %v", a, ok, err)
	}
	if tier, err := st.Tier(ctx, s.ID); err != nil || tier != models.TierStandard {
		t.Fatalf("tier %q %v", tier, err)
	}
	if _, err := st.Tier(ctx, models.NewID()); err == nil {
		t.Fatal("the tier of an unknown subject")
	}
	for acc, want := range map[string]string{"A1": "2026-01", "A2": ""} {
		if got, err := st.NewestPeriod(ctx, acc); err != nil || got != want {
			t.Fatalf("%s newest period %q %v, want %q", acc, got, err, want)
		}
	}
	rows, err := st.Usage(ctx, "A1", "2025-12", "2026-01")
	if err != nil || len(rows) != 2 {
		t.Fatalf("usage %+v %v", rows, err)
	}
}

func TestOutboxCompletions(t *testing.T) {
	// The completions run on the stores of the outbox's transaction: what
	// they write commits with the message, and a failure rolls both back.
	e := ct.New(t)
	s := e.Subject(t, "子", nil)
	r := e.Record(t, s.ID, models.KindTheft, models.RecordActive, ct.Day(2026, 1, 5))
	msg := models.OutboxMessage{Key: "test:done", Kind: "TEST", Payload: "{}", Status: models.OutboxPending}
	ct.Must(t, e.DB.Create(&msg).Error)
	fail := errors.New("completion failed")
	recordDone := e.Stores.RecordsDone(func(ctx context.Context, st record.Store, _ models.OutboxMessage, result string) error {
		return st.SetPublication(ctx, r.ID, result, ct.Day(2026, 6, 1))
	})
	e.Complete(t, msg, "PUB-1", recordDone)
	reviewDone := e.Stores.ReviewsDone(func(ctx context.Context, st review.Store, _ models.OutboxMessage, result string) error {
		if err := st.Records().SetPublication(ctx, r.ID, result, ct.Day(2026, 6, 2)); err != nil {
			return err
		}
		return fail
	})
	if err := e.DB.Transaction(func(tx *gorm.DB) error { return reviewDone(context.Background(), tx, msg, "PUB-2") }); !errors.Is(err, fail) {
		t.Fatalf("completion error %v", err)
	}
	if got := e.LoadRecord(t, r.ID).PublicationID; got != "PUB-1" {
		t.Fatalf("publication ID %q, want PUB-1 (the failed completion rolled back)", got)
	}
}
