package credit

import (
	"context"
	"encoding/json"
	"testing"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/outbox"
)

func TestQueueDueSelectsRecordsInTheirPublicityWindow(t *testing.T) {
	// R5.1, R5.3: GENERAL and SERIOUS records are published during their
	// publicity period only (MINOR never), unless repaired or revoked, once.
	w := newWF(t, RepairConfig{})
	ctx := context.Background()
	s := w.enterprise(t, "癸公司", "914403001922038216")
	person := models.Subject{Kind: models.SubjectPerson, Name: "张三", Tier: models.TierStandard}
	must(t, w.db.Create(&person).Error)
	asOf := noon(2026, 6, 1)
	status := func(rec models.DishonestyRecord, to ...models.RecordStatus) models.DishonestyRecord {
		from := rec.Status
		for _, st := range to {
			var err error
			rec, err = w.records.ChangeStatus(officerCtx(), nil, rec.ID, from, st, "test")
			must(t, err)
			from = st
		}
		return rec
	}
	cases := []struct {
		name   string
		make   func() models.DishonestyRecord
		queued bool
	}{
		{"general, active, in its window", func() models.DishonestyRecord {
			return w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 3, 1))
		}, true},
		{"window starts on asOf's day", func() models.DishonestyRecord {
			return w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 6, 1))
		}, true},
		{"serious, under objection", func() models.DishonestyRecord {
			return status(w.newRecord(t, s.ID, models.KindTheft, models.SeveritySerious, noon(2025, 7, 1)), models.RecordUnderObjection)
		}, true},
		{"minor", func() models.DishonestyRecord {
			return w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, noon(2026, 5, 1))
		}, false},
		{"window ended at the start of asOf's day", func() models.DishonestyRecord {
			return w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2025, 6, 1))
		}, false},
		{"window not started", func() models.DishonestyRecord {
			return w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 6, 2))
		}, false},
		{"repaired", func() models.DishonestyRecord {
			return status(w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 3, 1)), models.RecordRepaired)
		}, false},
		{"revoked", func() models.DishonestyRecord {
			return status(w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 3, 1)), models.RecordRevoked)
		}, false},
		{"already published", func() models.DishonestyRecord {
			r := w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 3, 1))
			must(t, w.db.Model(&r).Update("publication_id", "PUB-OLD").Error)
			return r
		}, false},
		{"a person (no USCC)", func() models.DishonestyRecord {
			return w.newRecord(t, person.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 3, 1))
		}, false},
	}
	recs := make([]models.DishonestyRecord, len(cases))
	want := 0
	for i, c := range cases {
		recs[i] = c.make()
		if c.queued {
			want++
		}
	}
	n, err := w.pubs.QueueDue(ctx, asOf)
	must(t, err)
	if n != want {
		t.Errorf("queued %d, want %d", n, want)
	}
	for i, c := range cases {
		got := w.messages(t, PublishKey(recs[i].ID))
		if (got == 1) != c.queued {
			t.Errorf("%s: %d messages, queued want %v", c.name, got, c.queued)
			continue
		}
		if c.queued {
			m := w.message(t, PublishKey(recs[i].ID))
			var pl recordPayload
			if err := json.Unmarshal([]byte(m.Payload), &pl); err != nil || pl.RecordID != recs[i].ID || m.Kind != KindPublishDishonesty ||
				m.AggregateID != recs[i].ID || m.Status != models.OutboxPending {
				t.Errorf("%s: message %+v (%v)", c.name, m, err)
			}
		}
	}
	n, err = w.pubs.QueueDue(ctx, asOf)
	must(t, err)
	if n != 0 {
		t.Fatalf("second run queued %d", n)
	}
	if delivered := drain(t, w.worker()); delivered != want {
		t.Fatalf("delivered %d", delivered)
	}
	pubs, _ := w.platform.snapshot()
	if len(pubs) != want {
		t.Fatalf("%d publications, want %d", len(pubs), want)
	}
	for _, p := range pubs {
		var body dishonestyBody
		must(t, json.Unmarshal(p.Body, &body))
		if p.Kind != "DISHONESTY" || p.SubjectUSCC != "914403001922038216" || p.IdempotencyKey != PublishKey(body.RecordID) {
			t.Errorf("publication %+v", p)
		}
	}
	if got := w.loadRecord(t, recs[0].ID).PublicationID; got == "" {
		t.Fatal("the publication ID was not stored on the record")
	}
}

// complete marks msg DONE with result and runs done in one transaction,
// as the outbox worker does after a delivery.
func (w *wfEnv) complete(t *testing.T, msg models.OutboxMessage, result string, done outbox.OnDone) {
	t.Helper()
	must(t, w.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.OutboxMessage{}).Where("id = ?", msg.ID).
			Updates(map[string]any{"status": models.OutboxDone, "result": result}).Error; err != nil {
			return err
		}
		return done(context.Background(), tx, msg, result)
	}))
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
			w := newWF(t, RepairConfig{})
			s := w.enterprise(t, "子公司", "914403001922038216")
			rec := w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 1, 5))
			_, err := w.pubs.QueueDue(ctx, w.clock.now())
			must(t, err)
			pubMsg := w.message(t, PublishKey(rec.ID))
			publish := w.pubs.DeliverDishonesty(w.platform)
			var pubID string
			if c.inFlight {
				pubID, err = publish(ctx, pubMsg)
				must(t, err)
			}
			req, err := w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true})
			must(t, err)
			_, err = w.repairs.StartReview(officerCtx(), req.ID)
			must(t, err)
			_, err = w.repairs.Approve(officerCtx(), req.ID, "同意修复")
			must(t, err)

			withdraw := w.pubs.DeliverWithdrawal(w.platform)
			wdMsg := w.message(t, WithdrawKey(rec.ID))
			_, err = withdraw(ctx, wdMsg)
			if e := apperr.As(err); e == nil || e.Code != apperr.Unavailable || e.Reason != "PUBLICATION_PENDING" {
				t.Fatalf("withdrawal before the publication is done: %v", err)
			}
			if !c.inFlight {
				pubID, err = publish(ctx, pubMsg) // the record is REPAIRED now: not published
				must(t, err)
				if pubID != "" {
					t.Fatalf("a repaired record was published as %q", pubID)
				}
			}
			w.complete(t, pubMsg, pubID, w.pubs.DishonestyDelivered)
			result, err := withdraw(ctx, wdMsg)
			must(t, err)
			pubs, wds := w.platform.snapshot()
			if len(wds) != c.wantWithdrawn || (c.wantWithdrawn == 1 && (result != pubID || wds[0].PublicationID != pubID)) {
				t.Fatalf("withdrawals %+v, result %q, publication %q", wds, result, pubID)
			}
			if c.inFlight != (len(pubs) == 1) {
				t.Fatalf("publications %+v", pubs)
			}
		})
	}
}
