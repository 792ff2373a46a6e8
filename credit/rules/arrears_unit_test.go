package rules_test

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"creditwater/audit"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/rules"
	"creditwater/models"
)

// fakeRules is an in-memory rules.Store: the candidates and reminders are
// given, the records written are kept. Methods the rule does not use are
// the nil embedded interface's (they would panic).
type fakeRules struct {
	rules.Store
	cands   []rules.Candidate
	rems    map[string]rules.Reminder
	query   rules.ArrearsQuery
	records *fakeRecords
	txs     int
	audits  []audit.Entry
}

func (f *fakeRules) Tx(_ context.Context, fn func(rules.Store) error) error { f.txs++; return fn(f) }
func (f *fakeRules) Records() record.Store                                  { return f.records }
func (f *fakeRules) Audit(_ context.Context, e audit.Entry) error {
	f.audits = append(f.audits, e)
	return nil
}

func (f *fakeRules) ArrearsCandidates(_ context.Context, q rules.ArrearsQuery) ([]rules.Candidate, error) {
	f.query = q
	return f.cands, nil
}

func (f *fakeRules) Reminders(_ context.Context, nos []string) ([]rules.Reminder, error) {
	var out []rules.Reminder
	for _, no := range nos {
		out = append(out, f.rems[no])
	}
	return out, nil
}

// fakeRecords keeps inserted records; the source keys in taken were made
// by a concurrent run and are not inserted again.
type fakeRecords struct {
	record.Store
	taken   map[string]bool
	stored  []models.DishonestyRecord
	events  []models.RecordEvent
	batches []int
}

func (f *fakeRecords) Insert(_ context.Context, recs []models.DishonestyRecord) ([]models.DishonestyRecord, error) {
	f.batches = append(f.batches, len(recs))
	var out []models.DishonestyRecord
	for _, r := range recs {
		if !f.taken[r.SourceKey] {
			out = append(out, r)
		}
	}
	f.stored = append(f.stored, out...)
	return out, nil
}

func (f *fakeRecords) AddEvents(_ context.Context, evs []models.RecordEvent) error {
	f.events = append(f.events, evs...)
	return nil
}

// fakeTiers records the re-grading asked for.
type fakeTiers struct{ calls [][]string }

func (f *fakeTiers) Recompute(_ context.Context, _ time.Time, ids ...string) (int64, error) {
	f.calls = append(f.calls, ids)
	return int64(len(ids)), nil
}

func TestArrearsDecisions(t *testing.T) {
	// R1.3, R1.4, R3.1: what the rule asks the store for, and what it makes
	// of the candidates: GENERAL records citing the unpaid bills, written in
	// batches, each batch in its own transaction; a key a concurrent run
	// made is skipped; the subjects of the new records are re-graded once.
	bill := func(no string, amount, paid int64) credit.ArrearsBill {
		return credit.ArrearsBill{BillNo: no, Period: "2025-11", AmountFen: amount, PaidFen: paid}
	}
	noticed := ct.Ptr(ct.Day(2026, 1, 5)) // R1.6: the prior notice period has passed
	st := &fakeRules{
		cands: []rules.Candidate{{ReminderNo: "R1", AccountNo: "A1", SubjectID: "s2", UnpaidFen: 120000, NoticedOn: noticed},
			{ReminderNo: "R2", AccountNo: "A2", SubjectID: "s1", UnpaidFen: 150000, NoticedOn: noticed},
			{ReminderNo: "R3", AccountNo: "A3", SubjectID: "s1", UnpaidFen: 200000, NoticedOn: noticed}},
		rems: map[string]rules.Reminder{
			"R1": {No: "R1", ServedOn: ct.Day(2026, 1, 10), Bills: []credit.ArrearsBill{bill("B1", 120000, 0), bill("B2", 30000, 30000)}},
			"R2": {No: "R2", ServedOn: ct.Day(2026, 1, 10), Bills: []credit.ArrearsBill{bill("B3", 150000, 0)}},
			"R3": {No: "R3", ServedOn: ct.Day(2026, 1, 9), Bills: []credit.ArrearsBill{bill("B4", 250000, 50000)}},
		},
		records: &fakeRecords{taken: map[string]bool{"ARREARS:R2": true}},
	}
	tiers := &fakeTiers{}
	arrears := rules.NewArrears(rules.Deps{Store: st, Grades: tiers, Config: credit.Config{BatchSize: 2}})
	n, err := arrears.Detect(context.Background(), ct.Noon(2026, 2, 11))
	ct.Must(t, err)

	if want := (rules.ArrearsQuery{ServedBefore: ct.Day(2026, 1, 11), DayStart: ct.Day(2026, 2, 11), DayEnd: ct.Day(2026, 2, 12),
		ThresholdFen: 100000, KeyPrefix: "ARREARS:"}); st.query != want {
		t.Fatalf("query %+v, want %+v", st.query, want)
	}
	recs := st.records
	if n != 2 || st.txs != 2 || !slices.Equal(recs.batches, []int{2, 1}) || len(recs.stored) != 2 || len(recs.events) != 2 {
		t.Fatalf("created %d in %d transactions, batches %v, %d stored, %d events", n, st.txs, recs.batches, len(recs.stored), len(recs.events))
	}
	r1 := recs.stored[0]
	if r1.SourceKey != "ARREARS:R1" || r1.SubjectID != "s2" || r1.AccountNo != "A1" || r1.Kind != models.KindArrears ||
		r1.Severity != models.SeverityGeneral || r1.Status != models.RecordActive || r1.Source != credit.SourceArrearsRule ||
		r1.RecordedBy != credit.SystemActor || r1.Version != 1 || r1.ID == "" {
		t.Fatalf("record %+v", r1)
	}
	if !r1.BehaviourOn.Equal(ct.Day(2026, 2, 11)) || !r1.DecidedOn.Equal(ct.Day(2026, 2, 11)) ||
		r1.PublicityEnd == nil || !r1.PublicityEnd.Equal(ct.Day(2027, 2, 11)) {
		t.Fatalf("days: behaviour %v decided %v publicity until %v", r1.BehaviourOn, r1.DecidedOn, r1.PublicityEnd)
	}
	if !strings.Contains(r1.Summary, "1,200.00 元") || !strings.Contains(r1.Summary, "R1") {
		t.Fatalf("summary %q", r1.Summary)
	}
	// R7.5: the summary published to the platform is Chinese.
	if englishRun.MatchString(r1.Summary) || !strings.Contains(r1.Summary, "催告") {
		t.Fatalf("summary %q is not Chinese", r1.Summary)
	}
	var ev credit.ArrearsEvidence
	ct.Must(t, json.Unmarshal([]byte(r1.Evidence), &ev))
	if ev.ServedOn != "2026-01-10" || ev.GraceEndsOn != "2026-02-10" || ev.DetectedOn != "2026-02-11" || ev.UnpaidFen != 120000 ||
		ev.ThresholdFen != 100000 || len(ev.Bills) != 1 || ev.Bills[0].BillNo != "B1" || ev.Bills[0].UnpaidFen != 120000 {
		t.Fatalf("evidence %+v (the paid bill B2 must not be cited)", ev)
	}
	if r3 := recs.stored[1]; r3.SourceKey != "ARREARS:R3" || !r3.BehaviourOn.Equal(ct.Day(2026, 2, 10)) {
		t.Fatalf("R3 record %+v", r3)
	}
	for i, e := range recs.events {
		if e.RecordID != recs.stored[i].ID || e.Action != record.EventCreated || e.ToStatus != models.RecordActive || e.ActorID != credit.SystemActor {
			t.Fatalf("event %+v", e)
		}
	}
	if len(tiers.calls) != 1 || !slices.Equal(tiers.calls[0], []string{"s1", "s2"}) {
		t.Fatalf("re-graded %v, want once [s1 s2]", tiers.calls)
	}
	if len(st.audits) != 1 || st.audits[0].Action != "rule.arrears" || st.audits[0].Detail != "asOf=2026-02-11 created=2" {
		t.Fatalf("audit %+v", st.audits)
	}

	// Nothing due: no transaction, no re-grading, an audit entry all the same.
	none := &fakeRules{records: &fakeRecords{}}
	tiers = &fakeTiers{}
	n, err = rules.NewArrears(rules.Deps{Store: none, Grades: tiers}).Detect(context.Background(), ct.Noon(2026, 2, 11))
	if err != nil || n != 0 || none.txs != 0 || len(tiers.calls) != 0 || len(none.audits) != 1 {
		t.Fatalf("nothing due: %d %v, %d transactions, %v", n, err, none.txs, tiers.calls)
	}
}

// englishRun matches three whole ASCII words separated by white space: an
// English sentence (R7.5). Identifiers such as UUIDs never match.
var englishRun = regexp.MustCompile(`\b[A-Za-z]{2,}\b[,.;:()'"-]*\s+[(\'"]*\b[A-Za-z]{2,}\b[,.;:()'"-]*\s+[(\'"]*\b[A-Za-z]{2,}\b`)
