package record

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/publication"
)

// Outbox message kinds of record publication; the composition root
// registers their handlers (Publications.DeliverDishonesty,
// DeliverWithdrawal).
const (
	KindPublishDishonesty   = "PUBLISH_DISHONESTY"
	KindWithdrawPublication = "WITHDRAW_PUBLICATION"
)

// DueQuery selects the records due for publication (QueueDue): severity in
// Severities, status in Statuses, PublicityStart ≤ AsOf < PublicityEnd, no
// publication ID, a subject with a USCC and no message with the key
// KeyPrefix + record ID. Each becomes a PENDING outbox message of Kind,
// aggregate the record, payload {"recordId": <id>}, due at Now.
type DueQuery struct {
	AsOf       time.Time
	Severities []models.Severity
	Statuses   []models.RecordStatus
	Kind       string
	KeyPrefix  string
	Now        time.Time
}

// Publications publishes dishonesty records during their publicity period
// and withdraws them when they are repaired or revoked (R5.1, R5.3),
// through the outbox: QueueDue enqueues, the outbox worker delivers with
// DeliverDishonesty and DeliverWithdrawal and completes with
// DishonestyDelivered and WithdrawalDelivered.
type Publications struct {
	store Store
	now   func() time.Time
}

// NewPublications returns the publication service.
func NewPublications(d Deps) *Publications {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Publications{store: d.Store, now: d.Now}
}

// Outbox payloads of record publication.
type (
	recordPayload struct {
		RecordID string `json:"recordId"`
	}
	withdrawPayload struct {
		RecordID string `json:"recordId"`
		Reason   string `json:"reason"`
	}
)

const publishKeyPrefix = "publish:record:"

// PublishKey is the outbox key of a record's publication.
func PublishKey(recordID string) string { return publishKeyPrefix + recordID }

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
	n, err := p.store.QueueDue(ctx, DueQuery{AsOf: asOf.UTC(),
		Severities: []models.Severity{models.SeverityGeneral, models.SeveritySerious},
		Statuses:   []models.RecordStatus{models.RecordActive, models.RecordUnderObjection},
		Kind:       KindPublishDishonesty, KeyPrefix: publishKeyPrefix,
		Now: time.Now().UTC().Truncate(time.Millisecond)}) // the outbox's clock
	if err != nil {
		return 0, err
	}
	return n, p.store.Audit(ctx, audit.Entry{Action: "publication.queue", SubjectType: "rule", SubjectID: KindPublishDishonesty,
		Detail: fmt.Sprintf("asOf=%s queued=%d", credit.DateString(asOf), n)})
}

// QueueWithdrawal enqueues the withdrawal of rec's publication (kind
// WITHDRAW_PUBLICATION, key WithdrawKey) on tx, a store bound to the
// caller's transaction, when the record was published or a publication
// message exists for it, and reports whether it did. Enqueuing twice keeps
// one message. It returns INVALID or INTERNAL.
func QueueWithdrawal(ctx context.Context, tx Store, rec models.DishonestyRecord, reason string) (bool, error) {
	if rec.PublicationID == "" {
		if _, ok, err := tx.Message(ctx, PublishKey(rec.ID)); err != nil || !ok {
			return false, err
		}
	}
	err := tx.Enqueue(ctx, outbox.Message{Key: WithdrawKey(rec.ID), Kind: KindWithdrawPublication, AggregateID: rec.ID,
		Payload: withdrawPayload{RecordID: rec.ID, Reason: reason}})
	return err == nil, err
}

// Payload is an outbox payload; Ref names what it is about (empty: the
// payload is malformed).
type Payload interface{ Ref() string }

func (p recordPayload) Ref() string   { return p.RecordID }
func (p withdrawPayload) Ref() string { return p.RecordID }

// Decode decodes msg's payload: INVALID ("malformed <what> payload") when
// it does not decode or names nothing.
func Decode[P Payload](msg models.OutboxMessage, what string) (P, error) {
	var pl P
	if err := json.Unmarshal([]byte(msg.Payload), &pl); err != nil || pl.Ref() == "" {
		return pl, apperr.New(apperr.Invalid, "malformed %s payload", what)
	}
	return pl, nil
}

// Deliver is an outbox handler that decodes the payload (see Decode) and
// runs fn with it.
func Deliver[P Payload](what string, fn func(context.Context, models.OutboxMessage, P) (string, error)) outbox.Handler {
	return func(ctx context.Context, msg models.OutboxMessage) (string, error) {
		pl, err := Decode[P](msg, what)
		if err != nil {
			return "", err
		}
		return fn(ctx, msg, pl)
	}
}

// Completed is the body of an outbox completion: nothing for an empty
// result, otherwise fn with the decoded payload (see Decode).
func Completed[P Payload](msg models.OutboxMessage, result, what string, fn func(P) error) error {
	if result == "" {
		return nil
	}
	pl, err := Decode[P](msg, what)
	if err != nil {
		return err
	}
	return fn(pl)
}

// Published is what a delivery needs of a record and its subject.
type Published struct {
	Record  models.DishonestyRecord
	Subject models.Subject
}

// WithSubject returns a record and its subject (subjectID, or the
// record's when empty) for a delivery: NOT_FOUND or INTERNAL.
func WithSubject(ctx context.Context, st Store, recordID, subjectID string) (Published, error) {
	rec, err := Find(ctx, st, recordID)
	if err != nil {
		return Published{}, err
	}
	if subjectID == "" {
		subjectID = rec.SubjectID
	}
	subj, ok, err := st.Subject(ctx, subjectID)
	if err != nil || !ok {
		return Published{}, credit.NotFound(err, "未找到该用水主体")
	}
	return Published{Record: rec, Subject: subj}, nil
}

// Announce publishes body of kind about subj on the platform, with key as
// the idempotency key and the title "<heading>：<name>（<kind label>）", and
// returns the publication ID; the platform's errors pass through.
func Announce(ctx context.Context, pub publication.Publisher, key string, kind publication.Kind, heading string,
	subj models.Subject, recKind models.RecordKind, body any) (string, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法生成公示内容")
	}
	res, err := pub.Publish(ctx, publication.Request{IdempotencyKey: key, Kind: kind, SubjectUSCC: credit.Deref(subj.USCC),
		Title: credit.Truncate(fmt.Sprintf("%s：%s（%s）", heading, subj.Name, credit.KindLabel(recKind)), 200), Body: raw})
	if err != nil {
		return "", err
	}
	return res.ID, nil
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
	// Replaces is the publication a corrected record's republication
	// replaces (R1.5).
	Replaces string `json:"replaces,omitempty"`
}

// DeliverDishonesty returns the outbox handler of PUBLISH_DISHONESTY: it
// publishes the record as it is at delivery time, with the message key as
// the idempotency key, and returns the publication ID. A record that no
// longer qualifies (repaired, revoked, corrected to MINOR, past its
// publicity period, or of a subject without USCC) is not published: the
// handler succeeds with an empty result. Errors: INVALID for a malformed
// payload and NOT_FOUND for an unknown record (both permanent), and the
// platform's errors.
func (p *Publications) DeliverDishonesty(pub publication.Publisher) outbox.Handler {
	return Deliver("publication", func(ctx context.Context, msg models.OutboxMessage, pl recordPayload) (string, error) {
		it, err := WithSubject(ctx, p.store, pl.RecordID, "")
		if err != nil {
			return "", err
		}
		rec := it.Record
		if (rec.Status != models.RecordActive && rec.Status != models.RecordUnderObjection) || rec.Severity == models.SeverityMinor ||
			rec.PublicityStart == nil || rec.PublicityEnd == nil || !p.now().Before(*rec.PublicityEnd) || credit.Deref(it.Subject.USCC) == "" {
			return "", nil
		}
		heading, replaces := "失信记录", ""
		if strings.HasPrefix(msg.Key, republishPrefix) {
			heading, replaces = "失信记录（更正）", rec.PublicationID
		}
		return Announce(ctx, pub, msg.Key, publication.Dishonesty, heading, it.Subject, rec.Kind, dishonestyBody{
			RecordID: rec.ID, Kind: string(rec.Kind), KindLabel: credit.KindLabel(rec.Kind), Severity: string(rec.Severity),
			Summary: rec.Summary, BehaviourOn: credit.DateString(rec.BehaviourOn), DecidedOn: credit.DateString(rec.DecidedOn),
			PublicityStart: credit.DateString(*rec.PublicityStart), PublicityEnd: credit.DateString(*rec.PublicityEnd), Replaces: replaces,
		})
	})
}

// DishonestyDelivered is the outbox completion of DeliverDishonesty, on
// tx, the store bound to the transaction that marks the message done: it
// stores the publication ID on the record and appends a PUBLISHED history
// entry (nothing when the record was not published). It returns INVALID
// for a malformed payload or INTERNAL.
func (p *Publications) DishonestyDelivered(ctx context.Context, tx Store, msg models.OutboxMessage, publicationID string) error {
	return Completed(msg, publicationID, "publication", func(pl recordPayload) error {
		now := p.now().UTC()
		if err := tx.SetPublication(ctx, pl.RecordID, publicationID, now); err != nil {
			return err
		}
		return tx.AddEvents(ctx, []models.RecordEvent{{RecordID: pl.RecordID, At: now, ActorID: credit.SystemActor, Action: EventPublished,
			Reason: credit.Truncate("已在信用平台公示，公示编号 "+publicationID, 1000)}})
	})
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
func (p *Publications) DeliverWithdrawal(pub publication.Publisher) outbox.Handler {
	return Deliver("withdrawal", func(ctx context.Context, msg models.OutboxMessage, pl withdrawPayload) (string, error) {
		rec, err := Find(ctx, p.store, pl.RecordID)
		if err != nil {
			return "", err
		}
		if rec.PublicationID == "" {
			m, ok, err := p.store.Message(ctx, PublishKey(rec.ID))
			if err != nil {
				return "", err
			}
			if ok && m.Status != models.OutboxDone {
				return "", apperr.New(apperr.Unavailable, "该记录的公示尚未完成，撤下须等公示完成后进行").
					WithReason("PUBLICATION_PENDING")
			}
			return "", nil
		}
		res, err := pub.Withdraw(ctx, publication.Withdrawal{IdempotencyKey: msg.Key, PublicationID: rec.PublicationID, Reason: pl.Reason})
		if err != nil {
			return "", err
		}
		if res.ID == "" {
			return rec.PublicationID, nil
		}
		return res.ID, nil
	})
}

// WithdrawalDelivered is the outbox completion of DeliverWithdrawal, on tx
// (see DishonestyDelivered): it appends a PUBLICATION_WITHDRAWN history
// entry to the record when a publication was withdrawn. It returns INVALID
// for a malformed payload or INTERNAL.
func (p *Publications) WithdrawalDelivered(ctx context.Context, tx Store, msg models.OutboxMessage, publicationID string) error {
	return Completed(msg, publicationID, "withdrawal", func(pl withdrawPayload) error {
		return tx.AddEvents(ctx, []models.RecordEvent{{RecordID: pl.RecordID, At: p.now().UTC(), ActorID: credit.SystemActor, Action: EventWithdrawn,
			Reason: credit.Truncate(fmt.Sprintf("publication %s withdrawn: %s", publicationID, pl.Reason), 1000)}})
	})
}
