package record_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"creditwater/apperr"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/models"
)

func TestQueueDueSelectsRecordsInTheirPublicityWindow(t *testing.T) {
	// R5.1, R5.3: GENERAL and SERIOUS records are published during their
	// publicity period only (MINOR never), unless repaired or revoked, once.
	w := ct.NewWorkflow(t, review.Config{})
	ctx := context.Background()
	s := w.Enterprise(t, "癸公司", "914403001922038216")
	person := models.Subject{Kind: models.SubjectPerson, Name: "张三", Tier: models.TierStandard}
	ct.Must(t, w.DB.Create(&person).Error)
	asOf := ct.Noon(2026, 6, 1)
	const (
		general, serious, minor = models.SeverityGeneral, models.SeveritySerious, models.SeverityMinor
		published               = "PUB-OLD"
	)
	cases := []struct {
		name     string
		subject  models.Subject
		severity models.Severity
		decided  time.Time
		status   models.RecordStatus // reached from ACTIVE
		pubID    string
		queued   bool
	}{
		{"general, active, in its window", s, general, ct.Noon(2026, 3, 1), "", "", true},
		{"window starts on asOf's day", s, general, ct.Noon(2026, 6, 1), "", "", true},
		{"serious, under objection", s, serious, ct.Noon(2025, 7, 1), models.RecordUnderObjection, "", true},
		{"minor", s, minor, ct.Noon(2026, 5, 1), "", "", false},
		{"window ended at the start of asOf's day", s, general, ct.Noon(2025, 6, 1), "", "", false},
		{"window not started", s, general, ct.Noon(2026, 6, 2), "", "", false},
		{"repaired", s, general, ct.Noon(2026, 3, 1), models.RecordRepaired, "", false},
		{"revoked", s, general, ct.Noon(2026, 3, 1), models.RecordRevoked, "", false},
		{"already published", s, general, ct.Noon(2026, 3, 1), "", published, false},
		{"a person (no USCC)", person, general, ct.Noon(2026, 3, 1), "", "", false},
	}
	recs := make([]models.DishonestyRecord, len(cases))
	want := 0
	for i, c := range cases {
		recs[i] = w.NewRecord(t, c.subject.ID, models.KindViolation, c.severity, c.decided)
		if c.status != "" {
			_, err := w.Records.ChangeStatus(ct.OfficerCtx(), nil, recs[i].ID, models.RecordActive, c.status, "test")
			ct.Must(t, err)
		}
		if c.pubID != "" {
			ct.Must(t, w.DB.Model(&recs[i]).Update("publication_id", c.pubID).Error)
		}
		if c.queued {
			want++
		}
	}
	n, err := w.Pubs.QueueDue(ctx, asOf)
	ct.Must(t, err)
	if n != want {
		t.Errorf("queued %d, want %d", n, want)
	}
	for i, c := range cases {
		got := w.Messages(t, record.PublishKey(recs[i].ID))
		if (got == 1) != c.queued {
			t.Errorf("%s: %d messages, queued want %v", c.name, got, c.queued)
			continue
		}
		if c.queued {
			m := w.Message(t, record.PublishKey(recs[i].ID))
			var pl struct {
				RecordID string `json:"recordId"`
			}
			if err := json.Unmarshal([]byte(m.Payload), &pl); err != nil || pl.RecordID != recs[i].ID || m.Kind != record.KindPublishDishonesty ||
				m.AggregateID != recs[i].ID || m.Status != models.OutboxPending {
				t.Errorf("%s: message %+v (%v)", c.name, m, err)
			}
		}
	}
	n, err = w.Pubs.QueueDue(ctx, asOf)
	ct.Must(t, err)
	if n != 0 {
		t.Fatalf("second run queued %d", n)
	}
	if delivered := ct.Drain(t, w.Worker()); delivered != want {
		t.Fatalf("delivered %d", delivered)
	}
	pubs, _ := w.Platform.Snapshot()
	if len(pubs) != want {
		t.Fatalf("%d publications, want %d", len(pubs), want)
	}
	for _, p := range pubs {
		var body struct {
			RecordID string `json:"recordId"`
		}
		ct.Must(t, json.Unmarshal(p.Body, &body))
		if p.Kind != "DISHONESTY" || p.SubjectUSCC != "914403001922038216" || p.IdempotencyKey != record.PublishKey(body.RecordID) {
			t.Errorf("publication %+v", p)
		}
	}
	if got := w.LoadRecord(t, recs[0].ID).PublicationID; got == "" {
		t.Fatal("the publication ID was not stored on the record")
	}
}

func TestWithdrawalWaitsForPendingPublication(t *testing.T) {
	// R5.1: a withdrawal queued while the record's publication is still in
	// flight is retried (UNAVAILABLE) until the publication is done, then
	// withdraws it; if the record is never published, nothing is withdrawn.
	ctx := context.Background()
	cases := []struct {
		name string
		// inFlight: the platform already publishes when the repair is
		// approved (the handler ran, its outcome is not recorded yet).
		inFlight      bool
		wantWithdrawn int
	}{
		{"publication in flight during the approval", true, 1},
		{"publication not started before the approval", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := ct.NewWorkflow(t, review.Config{})
			s := w.Enterprise(t, "子公司", "914403001922038216")
			rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, ct.Noon(2026, 1, 5))
			_, err := w.Pubs.QueueDue(ctx, w.Clock.Now())
			ct.Must(t, err)
			pubMsg := w.Message(t, record.PublishKey(rec.ID))
			publish := w.Pubs.DeliverDishonesty(w.Platform)
			var pubID string
			if c.inFlight {
				pubID, err = publish(ctx, pubMsg)
				ct.Must(t, err)
			}
			req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true})
			ct.Must(t, err)
			_, err = w.Repairs.StartReview(ct.OfficerCtx(), req.ID, nil)
			ct.Must(t, err)
			_, err = w.Repairs.Approve(ct.OfficerCtx(), req.ID, "同意修复", nil)
			ct.Must(t, err)

			withdraw := w.Pubs.DeliverWithdrawal(w.Platform)
			wdMsg := w.Message(t, record.WithdrawKey(rec.ID))
			_, err = withdraw(ctx, wdMsg)
			if e := apperr.As(err); e == nil || e.Code != apperr.Unavailable || e.Reason != "PUBLICATION_PENDING" {
				t.Fatalf("withdrawal before the publication is done: %v", err)
			}
			if !c.inFlight {
				pubID, err = publish(ctx, pubMsg) // the record is REPAIRED now: not published
				ct.Must(t, err)
				if pubID != "" {
					t.Fatalf("a repaired record was published as %q", pubID)
				}
			}
			w.Complete(t, pubMsg, pubID, w.Stores.RecordsDone(w.Pubs.DishonestyDelivered))
			result, err := withdraw(ctx, wdMsg)
			ct.Must(t, err)
			pubs, wds := w.Platform.Snapshot()
			if len(wds) != c.wantWithdrawn || (c.wantWithdrawn == 1 && (result != pubID || wds[0].PublicationID != pubID)) {
				t.Fatalf("withdrawals %+v, result %q, publication %q", wds, result, pubID)
			}
			if c.inFlight != (len(pubs) == 1) {
				t.Fatalf("publications %+v", pubs)
			}
		})
	}
}
