package rules_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"creditwater/apperr"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/models"
)

// breachInput is a BROKEN_PROMISE case about commitment c.
func breachInput(no string, c models.Commitment) credit.CaseInput {
	return credit.CaseInput{CaseNo: no, SubjectID: c.SubjectID, Kind: models.KindBrokenPromise, Severity: models.SeverityGeneral,
		Description: "承诺期内未补交产权证明", Evidence: "催告书", OccurredOn: ct.Noon(2026, 3, 2), CommitmentID: c.ID}
}

// breachState is what a commitment's breaches left: its link, the
// BROKEN_PROMISE records and the cases about it.
func breachState(t *testing.T, e *ct.Env, c models.Commitment) (link string, records, cases int64) {
	t.Helper()
	var got models.Commitment
	ct.Must(t, e.DB.First(&got, "id = ?", c.ID).Error)
	if got.BreachRecordID != nil {
		link = *got.BreachRecordID
	}
	return link, e.Count(t, &models.DishonestyRecord{}, "commitment_id = ? AND kind = ?", c.ID, models.KindBrokenPromise),
		e.Count(t, &models.ViolationCase{}, "commitment_id = ?", c.ID)
}

// wantBreachRecorded fails unless err is CONFLICT with reason BREACH_RECORDED.
func wantBreachRecorded(t *testing.T, what string, err error) {
	t.Helper()
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Conflict || ae.Reason != "BREACH_RECORDED" || ae.Message == "" {
		t.Fatalf("%s: %v, want CONFLICT BREACH_RECORDED", what, err)
	}
}

func TestR2_4_ConcurrentBreachesOfOneCommitmentMakeOneRecord(t *testing.T) {
	// R2.4, R8.1: officers recording the breach of one commitment at the
	// same moment: exactly one succeeds, the others are CONFLICT
	// BREACH_RECORDED and leave nothing behind (no case, no record, no
	// publication); the commitment links the one record, which the outbox
	// publishes once.
	e := ct.NewWorkflow(t, review.Config{})
	s := e.Enterprise(t, "甲公司", "914403001922038216")
	c := e.Commitment(t, s.ID)
	const n = 4
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	recs := make([]models.DishonestyRecord, n)
	for i := range n {
		wg.Go(func() {
			<-start
			_, recs[i], errs[i] = e.Cases.OpenAndConfirm(ct.OfficerCtx(), breachInput(fmt.Sprintf("WS-B-%d", i), c), "违反信用承诺")
		})
	}
	close(start)
	wg.Wait()
	var won models.DishonestyRecord
	for i, err := range errs {
		if err == nil {
			if won.ID != "" {
				t.Fatalf("two breaches succeeded: %s and %s", won.ID, recs[i].ID)
			}
			won = recs[i]
			continue
		}
		wantBreachRecorded(t, fmt.Sprintf("call %d", i), err)
	}
	if won.ID == "" {
		t.Fatalf("no breach succeeded: %v", errs)
	}
	link, records, cases := breachState(t, e, c)
	if link != won.ID || records != 1 || cases != 1 {
		t.Fatalf("link %q (want %s), %d records, %d cases; want one each", link, won.ID, records, cases)
	}
	if won.Source != credit.SourceCommitmentBreach || won.CommitmentID == nil || *won.CommitmentID != c.ID {
		t.Fatalf("record %+v", won)
	}
	queued, err := e.Pubs.QueueDue(context.Background(), e.Clock.Now())
	ct.Must(t, err)
	if delivered := ct.Drain(t, e.Worker()); queued != 1 || delivered != 1 {
		t.Fatalf("queued %d, delivered %d publications, want 1", queued, delivered)
	}
	pubs, _ := e.Platform.Snapshot()
	if len(pubs) != 1 || e.Messages(t, record.PublishKey(won.ID)) != 1 {
		t.Fatalf("%d publications, want 1: %+v", len(pubs), pubs)
	}
}

func TestR2_4_SecondBreachIsConflictAndChangesNothing(t *testing.T) {
	// R2.4, R8.1: once a commitment's breach is recorded, recording it
	// again is CONFLICT BREACH_RECORDED naming the record, and stores
	// nothing: no case (its number stays free), no record, no audit entry.
	e := ct.New(t)
	s := e.Subject(t, "s", nil)
	c := e.Commitment(t, s.ID)
	_, first, err := e.Cases.OpenAndConfirm(ct.OfficerCtx(), breachInput("WS-1", c), "违反信用承诺")
	ct.Must(t, err)
	audits := e.Count(t, &models.AuditEntry{}, "1 = 1")
	_, _, err = e.Cases.OpenAndConfirm(ct.OfficerCtx(), breachInput("WS-2", c), "违反信用承诺")
	wantBreachRecorded(t, "a second breach", err)
	if ae := apperr.As(err); ae.Details["recordId"] != first.ID {
		t.Errorf("the conflict does not name the record: %+v", ae)
	}
	link, records, cases := breachState(t, e, c)
	if link != first.ID || records != 1 || cases != 1 || e.Count(t, &models.AuditEntry{}, "1 = 1") != audits {
		t.Fatalf("after a second breach: link %q (want %s), %d records, %d cases", link, first.ID, records, cases)
	}
	if e.Count(t, &models.ViolationCase{}, "case_no = ?", "WS-2") != 0 {
		t.Fatal("the refused breach left its case")
	}
}

func TestR2_4_ManualBreachCaseLinksTheCommitmentOnce(t *testing.T) {
	// R2.4: a BROKEN_PROMISE case opened by hand about a commitment links
	// the commitment when it is confirmed, like recordCommitmentBreach; of
	// two such cases opened before either was decided only the first
	// confirmed makes a record, the other is CONFLICT and stays OPEN. A
	// case about a commitment already breached, unknown or of another
	// subject is refused when it is opened.
	e := ct.New(t)
	s := e.Subject(t, "s", nil)
	other := e.Subject(t, "other", nil)
	c := e.Commitment(t, s.ID)
	a, err := e.Cases.Open(ct.StaffCtx(), breachInput("WS-A", c))
	ct.Must(t, err)
	b, err := e.Cases.Open(ct.StaffCtx(), breachInput("WS-B", c))
	ct.Must(t, err)
	_, rec, err := e.Cases.Confirm(ct.OfficerCtx(), a.ID, "属实", a.Version)
	ct.Must(t, err)
	if link, _, _ := breachState(t, e, c); link != rec.ID {
		t.Fatalf("confirming a breach case linked %q, want %s", link, rec.ID)
	}
	_, _, err = e.Cases.Confirm(ct.OfficerCtx(), b.ID, "属实", b.Version)
	wantBreachRecorded(t, "confirming a second breach case", err)
	got, err := e.Cases.Get(ct.StaffCtx(), b.ID)
	ct.Must(t, err)
	if link, records, _ := breachState(t, e, c); got.Status != models.CaseOpen || got.Version != b.Version || link != rec.ID || records != 1 {
		t.Fatalf("the refused confirmation changed things: case %+v, link %q, %d records", got, link, records)
	}

	_, err = e.Cases.Open(ct.StaffCtx(), breachInput("WS-C", c))
	wantBreachRecorded(t, "a case about a breached commitment", err)
	unknown := breachInput("WS-D", c)
	unknown.CommitmentID = models.NewID()
	_, err = e.Cases.Open(ct.StaffCtx(), unknown)
	ct.WantCode(t, err, apperr.NotFound)
	foreign := breachInput("WS-E", c)
	foreign.SubjectID = other.ID
	_, err = e.Cases.Open(ct.StaffCtx(), foreign)
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Field != "commitmentId" {
		t.Fatalf("a case about another subject's commitment: %v", err)
	}
}
