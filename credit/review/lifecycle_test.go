package review_test

import (
	"context"
	"encoding/json"
	"testing"

	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/models"
)

// R1.5: a CORRECTED record that was published is published again, as
// corrected, naming the publication it replaces; one that never was
// published is not.
func TestR1_5_CorrectedPublishedRecordIsRepublished(t *testing.T) {
	for _, published := range []bool{true, false} {
		w := ct.NewWorkflow(t, review.Config{})
		ctx := context.Background()
		s := w.Enterprise(t, "寅公司", "914403001922038216")
		rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, ct.Noon(2026, 3, 2))
		wk := w.Worker()
		if published {
			_, err := w.Pubs.QueueDue(ctx, w.Clock.Now())
			ct.Must(t, err)
			ct.Drain(t, wk)
		}
		obj, err := w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec.ID, Reason: "摘要有误",
			Evidence: []credit.Upload{ct.Upload("说明.pdf", ct.PDFBody(300))}})
		ct.Must(t, err)
		_, err = w.Objections.Accept(ct.OfficerCtx(), obj.ID, nil)
		ct.Must(t, err)
		_, err = w.Objections.Decide(ct.OfficerCtx(), obj.ID, models.ObjectionCorrected, "经核查更正摘要", &record.Correction{Summary: ct.Ptr("更正后的摘要")}, nil)
		ct.Must(t, err)
		ct.Drain(t, wk)
		pubs, wds := w.Platform.Snapshot()
		if len(wds) != 0 {
			t.Errorf("published=%v: a correction withdrew %d publications", published, len(wds))
		}
		if !published {
			if len(pubs) != 0 {
				t.Errorf("a never-published record was published on correction: %d", len(pubs))
			}
			continue
		}
		if len(pubs) != 2 {
			t.Fatalf("publications: %d, want the original and the corrected one", len(pubs))
		}
		var body struct{ Summary, Replaces string }
		ct.Must(t, json.Unmarshal(pubs[1].Body, &body))
		if body.Summary != "更正后的摘要" || body.Replaces != "PUB-001" {
			t.Errorf("republication: %+v", body)
		}
		if got := w.LoadRecord(t, rec.ID); got.PublicationID != "PUB-002" {
			t.Errorf("record's publication: %q, want the new one", got.PublicationID)
		}
	}
}

// R1.5: nothing is published for a record that never was: the approved
// repair of a MINOR record sends neither a withdrawal nor a repair.
func TestR1_5_RepairOfUnpublishedRecordPublishesNothing(t *testing.T) {
	w := ct.NewWorkflow(t, review.Config{})
	s := w.Enterprise(t, "卯公司", "914403001922038216")
	minor := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, ct.Noon(2026, 5, 20))
	req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: minor.ID, Statement: "已整改", SignCommitment: true,
		Evidence: []credit.Upload{ct.Upload("整改报告.pdf", ct.PDFBody(400))}})
	ct.Must(t, err)
	_, err = w.Repairs.StartReview(ct.OfficerCtx(), req.ID, nil)
	ct.Must(t, err)
	_, err = w.Repairs.Approve(ct.OfficerCtx(), req.ID, "已纠正", nil)
	ct.Must(t, err)
	if got := w.LoadRecord(t, minor.ID); got.Status != models.RecordRepaired {
		t.Fatalf("record %s", got.Status)
	}
	if n := w.Count(t, &models.OutboxMessage{}, "aggregate_id IN ?", []string{minor.ID, req.ID}); n != 0 {
		t.Errorf("%d outbox messages for a never-published record", n)
	}
	ct.Drain(t, w.Worker())
	if pubs, wds := w.Platform.Snapshot(); len(pubs)+len(wds) != 0 {
		t.Errorf("platform calls: %d publications, %d withdrawals", len(pubs), len(wds))
	}
}
