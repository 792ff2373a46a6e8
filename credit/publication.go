package credit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/publication"
	"creditwater/store"
)

// Publisher publishes to and withdraws from the city credit platform.
type Publisher = publication.Publisher

// Record history actions of publication (RecordEvent.Action).
const (
	EventPublished = "PUBLISHED"
	EventWithdrawn = "PUBLICATION_WITHDRAWN"
	EventCorrected = "CORRECTED"
)

// Publications publishes dishonesty records during their publicity period
// and withdraws them when they are repaired or revoked (R5.1, R5.3),
// through the outbox: QueueDue enqueues, the outbox worker delivers with
// the handlers below (the lead registers them):
//
//	w.Handle(credit.KindPublishDishonesty, pubs.DeliverDishonesty(p), pubs.DishonestyDelivered)
//	w.Handle(credit.KindWithdrawPublication, pubs.DeliverWithdrawal(p), pubs.WithdrawalDelivered)
//	w.Handle(credit.KindPublishRepair, pubs.DeliverRepair(p), pubs.RepairDelivered)
type Publications struct {
	db    *gorm.DB
	audit *audit.Log
	cfg   Config
	now   func() time.Time
}

// NewPublications returns the publication service on records' database.
func NewPublications(records *Records) *Publications {
	return &Publications{db: records.db, audit: records.audit, cfg: records.cfg, now: time.Now}
}

// Outbox payloads of this package.
type (
	recordPayload struct {
		RecordID string `json:"recordId"`
	}
	withdrawPayload struct {
		RecordID string `json:"recordId"`
		Reason   string `json:"reason"`
	}
	repairPayload struct {
		RepairID string `json:"repairId"`
		RecordID string `json:"recordId"`
	}
)

// PublishKey is the outbox key of a record's publication.
func PublishKey(recordID string) string { return "publish:record:" + recordID }

// WithdrawKey is the outbox key (and the platform's idempotency key) of the
// withdrawal of a record's publication.
func WithdrawKey(recordID string) string { return "withdraw:record:" + recordID }

// QueueDue enqueues, in one set-based INSERT … SELECT, a PUBLISH_DISHONESTY
// message (key PublishKey) for every record due for publication as of asOf:
// severity GENERAL or SERIOUS, status ACTIVE or UNDER_OBJECTION, publicity
// window current (PublicityStart ≤ asOf < PublicityEnd), not yet published
// and without a publication message, of a subject with a USCC (the
// platform identifies subjects by USCC; persons' records are not
// published). Duplicate keys are ignored, so concurrent runs are safe. It
// returns how many messages were queued, or INTERNAL.
func (p *Publications) QueueDue(ctx context.Context, asOf time.Time) (int, error) {
	db := p.db.WithContext(ctx)
	keyCol, keyExpr, payload := `"key"`, `'publish:record:' || d.id`, `'{"recordId":"' || d.id || '"}'`
	onConflict := " ON CONFLICT DO NOTHING"
	if store.IsMySQL(db) {
		keyCol, keyExpr, payload = "`key`", "CONCAT('publish:record:', d.id)", `CONCAT('{"recordId":"', d.id, '"}')`
		onConflict = " ON DUPLICATE KEY UPDATE outbox_messages.id = outbox_messages.id"
	}
	stmt := "INSERT INTO outbox_messages (" + keyCol + ", kind, aggregate_id, payload, status, attempts, next_attempt_at, locked_by, last_error, result, created_at) " +
		"SELECT " + keyExpr + ", @kind, d.id, " + payload + ", @pending, 0, @now, '', '', '', @now " +
		"FROM dishonesty_records d JOIN subjects s ON s.id = d.subject_id " +
		"WHERE d.severity IN @severities AND d.status IN @statuses " +
		"AND d.publicity_start IS NOT NULL AND d.publicity_start <= @asOf AND d.publicity_end > @asOf " +
		"AND (d.publication_id IS NULL OR d.publication_id = '') AND s.uscc IS NOT NULL AND s.uscc <> '' " +
		"AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o." + keyCol + " = " + keyExpr + ")" + onConflict
	now := time.Now().UTC().Truncate(time.Millisecond) // the outbox's clock
	res := db.Exec(stmt, map[string]any{
		"kind": KindPublishDishonesty, "pending": models.OutboxPending, "now": now, "asOf": asOf.UTC(),
		"severities": []models.Severity{models.SeverityGeneral, models.SeveritySerious},
		"statuses":   []models.RecordStatus{models.RecordActive, models.RecordUnderObjection},
	})
	if res.Error != nil {
		return 0, apperr.Wrap(res.Error, apperr.Internal, "could not queue the publications")
	}
	n := int(res.RowsAffected)
	if err := recordAudit(ctx, p.audit, nil, audit.Entry{Action: "publication.queue", SubjectType: "rule", SubjectID: "PUBLISH_DISHONESTY",
		Detail: fmt.Sprintf("asOf=%s queued=%d", dateString(asOf), n)}); err != nil {
		return n, err
	}
	return n, nil
}

// queueWithdrawal enqueues the withdrawal of rec's publication (kind
// WITHDRAW_PUBLICATION, key WithdrawKey) in tx when the record was
// published or a publication message exists for it, and reports whether it
// did. Enqueuing twice keeps one message.
func queueWithdrawal(ctx context.Context, tx *gorm.DB, rec models.DishonestyRecord, reason string) (bool, error) {
	if rec.PublicationID == "" {
		var n int64
		if err := tx.Model(&models.OutboxMessage{}).Where(&models.OutboxMessage{Key: PublishKey(rec.ID)}).Count(&n).Error; err != nil {
			return false, apperr.Wrap(err, apperr.Internal, "could not read the outbox")
		}
		if n == 0 {
			return false, nil
		}
	}
	err := outbox.Enqueue(ctx, tx, outbox.Message{Key: WithdrawKey(rec.ID), Kind: KindWithdrawPublication, AggregateID: rec.ID,
		Payload: withdrawPayload{RecordID: rec.ID, Reason: reason}})
	return err == nil, err
}

// dishonestyBody is the published content of a record.
type dishonestyBody struct {
	RecordID       string `json:"recordId"`
	Kind           string `json:"kind"`
	KindLabel      string `json:"kindLabel"`
	Severity       string `json:"severity"`
	Summary        string `json:"summary"`
	BehaviourOn    string `json:"behaviourOn"`
	DecidedOn      string `json:"decidedOn"`
	PublicityStart string `json:"publicityStart"`
	PublicityEnd   string `json:"publicityEnd"`
}

// DeliverDishonesty returns the outbox handler of PUBLISH_DISHONESTY: it
// publishes the record as it is at delivery time, with the message key as
// the idempotency key, and returns the publication ID. A record that no
// longer qualifies (repaired, revoked, corrected to MINOR, past its
// publicity period, or of a subject without USCC) is not published: the
// handler succeeds with an empty result. Errors: INVALID for a malformed
// payload and NOT_FOUND for an unknown record (both permanent), and the
// platform's errors.
func (p *Publications) DeliverDishonesty(pub Publisher) outbox.Handler {
	return func(ctx context.Context, msg models.OutboxMessage) (string, error) {
		var pl recordPayload
		if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil || pl.RecordID == "" {
			return "", apperr.New(apperr.Invalid, "malformed publication payload")
		}
		db := p.db.WithContext(ctx)
		var rec models.DishonestyRecord
		if err := findByID(db, &rec, pl.RecordID, "record"); err != nil {
			return "", err
		}
		subj, err := loadSubject(db, rec.SubjectID)
		if err != nil {
			return "", err
		}
		now := p.now()
		if (rec.Status != models.RecordActive && rec.Status != models.RecordUnderObjection) || rec.Severity == models.SeverityMinor ||
			rec.PublicityStart == nil || rec.PublicityEnd == nil || !now.Before(*rec.PublicityEnd) || deref(subj.USCC) == "" {
			return "", nil
		}
		body, err := json.Marshal(dishonestyBody{
			RecordID: rec.ID, Kind: string(rec.Kind), KindLabel: kindLabel(rec.Kind), Severity: string(rec.Severity),
			Summary: rec.Summary, BehaviourOn: dateString(rec.BehaviourOn), DecidedOn: dateString(rec.DecidedOn),
			PublicityStart: dateString(*rec.PublicityStart), PublicityEnd: dateString(*rec.PublicityEnd),
		})
		if err != nil {
			return "", apperr.Wrap(err, apperr.Internal, "could not encode the publication")
		}
		res, err := pub.Publish(ctx, publication.Request{IdempotencyKey: msg.Key, Kind: publication.Dishonesty,
			SubjectUSCC: *subj.USCC, Title: truncate(fmt.Sprintf("失信记录：%s（%s）", subj.Name, kindLabel(rec.Kind)), 200), Body: body})
		if err != nil {
			return "", err
		}
		return res.ID, nil
	}
}

// DishonestyDelivered is the outbox completion of DeliverDishonesty: in the
// transaction that marks the message done it stores the publication ID on
// the record and appends a PUBLISHED history entry (nothing when the
// record was not published). It returns INVALID for a malformed payload or
// INTERNAL.
func (p *Publications) DishonestyDelivered(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, publicationID string) error {
	if publicationID == "" {
		return nil
	}
	var pl recordPayload
	if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil || pl.RecordID == "" {
		return apperr.New(apperr.Invalid, "malformed publication payload")
	}
	now := p.now().UTC()
	if err := tx.Model(&models.DishonestyRecord{}).Where("id = ?", pl.RecordID).
		Updates(map[string]any{"publication_id": publicationID, "updated_at": now}).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not store the publication ID")
	}
	ev := models.RecordEvent{RecordID: pl.RecordID, At: now, ActorID: SystemActor, Action: EventPublished,
		Reason: truncate("published on the credit platform as "+publicationID, 1000)}
	if err := tx.Create(&ev).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not store the record history")
	}
	return nil
}

// DeliverWithdrawal returns the outbox handler of WITHDRAW_PUBLICATION. It
// reads the record's publication ID at delivery time: when there is one it
// withdraws it, with the message key as the idempotency key, and returns
// the withdrawn publication's ID; when the record's publication message is
// still pending (or DEAD, waiting for an administrator) it returns
// UNAVAILABLE (reason PUBLICATION_PENDING) so the outbox retries later;
// when the record was never published and never will be it succeeds with
// an empty result. Errors: INVALID (malformed payload) and NOT_FOUND
// (unknown record) are permanent; the platform's errors pass through.
func (p *Publications) DeliverWithdrawal(pub Publisher) outbox.Handler {
	return func(ctx context.Context, msg models.OutboxMessage) (string, error) {
		var pl withdrawPayload
		if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil || pl.RecordID == "" {
			return "", apperr.New(apperr.Invalid, "malformed withdrawal payload")
		}
		db := p.db.WithContext(ctx)
		var rec models.DishonestyRecord
		if err := findByID(db, &rec, pl.RecordID, "record"); err != nil {
			return "", err
		}
		if rec.PublicationID == "" {
			var m models.OutboxMessage
			res := db.Select("id", "status").Where(&models.OutboxMessage{Key: PublishKey(rec.ID)}).Limit(1).Find(&m)
			if res.Error != nil {
				return "", apperr.Wrap(res.Error, apperr.Internal, "could not read the outbox")
			}
			if res.RowsAffected > 0 && m.Status != models.OutboxDone {
				return "", apperr.New(apperr.Unavailable, "the record's publication is still pending; the withdrawal waits for it").
					WithReason("PUBLICATION_PENDING")
			}
			return "", nil
		}
		res, err := pub.Withdraw(ctx, publication.Withdrawal{IdempotencyKey: msg.Key, PublicationID: rec.PublicationID, Reason: pl.Reason})
		if err != nil {
			return "", err
		}
		return orDefault(res.ID, rec.PublicationID), nil
	}
}

// WithdrawalDelivered is the outbox completion of DeliverWithdrawal: it
// appends a PUBLICATION_WITHDRAWN history entry to the record when a
// publication was withdrawn. It returns INVALID for a malformed payload or
// INTERNAL.
func (p *Publications) WithdrawalDelivered(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, publicationID string) error {
	if publicationID == "" {
		return nil
	}
	var pl withdrawPayload
	if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil || pl.RecordID == "" {
		return apperr.New(apperr.Invalid, "malformed withdrawal payload")
	}
	ev := models.RecordEvent{RecordID: pl.RecordID, At: p.now().UTC(), ActorID: SystemActor, Action: EventWithdrawn,
		Reason: truncate(fmt.Sprintf("publication %s withdrawn: %s", publicationID, pl.Reason), 1000)}
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not store the record history")
	}
	return nil
}

// repairBody is the published content of an approved repair.
type repairBody struct {
	RepairID         string `json:"repairId"`
	RecordID         string `json:"recordId"`
	RecordKind       string `json:"recordKind"`
	KindLabel        string `json:"kindLabel"`
	RepairedOn       string `json:"repairedOn"`
	CommitmentSHA256 string `json:"commitmentSha256"`
}

// DeliverRepair returns the outbox handler of PUBLISH_REPAIR: it publishes
// the approved repair (R5.1) with the message key as the idempotency key
// and returns the publication ID; a repair of a subject without USCC is not
// published (empty result). Errors: INVALID (malformed payload), NOT_FOUND
// and FAILED_PRECONDITION (the repair is not APPROVED) are permanent; the
// platform's errors pass through.
func (p *Publications) DeliverRepair(pub Publisher) outbox.Handler {
	return func(ctx context.Context, msg models.OutboxMessage) (string, error) {
		var pl repairPayload
		if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil || pl.RepairID == "" {
			return "", apperr.New(apperr.Invalid, "malformed repair payload")
		}
		db := p.db.WithContext(ctx)
		var req models.RepairRequest
		if err := findByID(db, &req, pl.RepairID, "repair request"); err != nil {
			return "", err
		}
		if req.Status != models.RepairApproved || req.DecidedAt == nil {
			return "", apperr.Precondition("INVALID_STATE", "only an approved repair is published")
		}
		var rec models.DishonestyRecord
		if err := findByID(db, &rec, req.RecordID, "record"); err != nil {
			return "", err
		}
		subj, err := loadSubject(db, req.SubjectID)
		if err != nil {
			return "", err
		}
		if deref(subj.USCC) == "" {
			return "", nil
		}
		body, err := json.Marshal(repairBody{RepairID: req.ID, RecordID: rec.ID, RecordKind: string(rec.Kind), KindLabel: kindLabel(rec.Kind),
			RepairedOn: dateString(*req.DecidedAt), CommitmentSHA256: req.CommitmentSHA256})
		if err != nil {
			return "", apperr.Wrap(err, apperr.Internal, "could not encode the publication")
		}
		res, err := pub.Publish(ctx, publication.Request{IdempotencyKey: msg.Key, Kind: publication.Repair,
			SubjectUSCC: *subj.USCC, Title: truncate(fmt.Sprintf("信用修复：%s（%s）", subj.Name, kindLabel(rec.Kind)), 200), Body: body})
		if err != nil {
			return "", err
		}
		return res.ID, nil
	}
}

// RepairDelivered is the outbox completion of DeliverRepair: it stores the
// publication ID on the repair request. It returns INVALID for a malformed
// payload or INTERNAL.
func (p *Publications) RepairDelivered(ctx context.Context, tx *gorm.DB, msg models.OutboxMessage, publicationID string) error {
	if publicationID == "" {
		return nil
	}
	var pl repairPayload
	if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil || pl.RepairID == "" {
		return apperr.New(apperr.Invalid, "malformed repair payload")
	}
	if err := tx.WithContext(ctx).Model(&models.RepairRequest{}).Where("id = ?", pl.RepairID).
		Update("publication_id", publicationID).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not store the publication ID")
	}
	return nil
}
