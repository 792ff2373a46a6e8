package record

import (
	"context"
	"fmt"
	"time"

	"creditwater/credit"
	"creditwater/models"
	"creditwater/outbox"
)

// Record history actions of the lifecycle (R1.5).
const (
	EventExpired     = "EXPIRED"
	EventRepublished = "REPUBLISH_QUEUED"
)

// ExpiryQuery selects the records whose maximum period has ended
// (Store.Expiring): status in Statuses and either a non-MINOR severity
// with PublicityEnd ≤ AsOf, or MINOR with DecidedOn before its kind's
// MinorDecidedBefore (the maximum period of MINOR records depends on the
// kind, R1.5); at most Limit, ordered by ID.
type ExpiryQuery struct {
	AsOf               time.Time
	MinorDecidedBefore map[models.RecordKind]time.Time
	Statuses           []models.RecordStatus
	Limit              int
}

// expiring are the statuses a record expires from: a record under
// objection waits for the decision and expires on a later run.
var expiring = []models.RecordStatus{models.RecordActive, models.RecordRepaired}

// minorDecidedBefore returns the day D such that a MINOR record decided
// before D has reached the end of its maximum period (D − 1 + months ≤
// asOf's day, see credit.AddMonths).
func minorDecidedBefore(asOf time.Time, months int) time.Time {
	day := credit.DayOf(asOf)
	d := credit.AddMonths(day, -months)
	for credit.AddMonths(d, months).After(day) {
		d = credit.AddDays(d, -1)
	}
	for !credit.AddMonths(credit.AddDays(d, 1), months).After(day) {
		d = credit.AddDays(d, 1)
	}
	return credit.AddDays(d, 1)
}

// Expire marks EXPIRED every ACTIVE or REPAIRED record whose maximum
// period (credit.Config.Ends by kind and severity: the stored end of
// publicity for GENERAL and SERIOUS, the period after the decision for
// MINOR) has ended as of asOf (R1.5),
// and returns how many it marked. Each record changes in a transaction of
// its own that appends an EXPIRED history entry, writes an audit entry,
// queues the withdrawal of its publication when it was published (outbox
// key WithdrawKey: whatever reruns or restarts happen, one withdrawal),
// tells the subject's users in their inbox and re-grades the subject.
// A record UNDER_OBJECTION expires once the objection is decided. Running
// twice changes nothing more. It returns INTERNAL; records expired before
// a failure stay expired.
func (s *Service) Expire(ctx context.Context, asOf time.Time) (int, error) {
	q := ExpiryQuery{AsOf: asOf.UTC(), MinorDecidedBefore: map[models.RecordKind]time.Time{}, Statuses: expiring, Limit: 200}
	for _, k := range credit.BlockingKinds {
		q.MinorDecidedBefore[k] = minorDecidedBefore(asOf, s.cfg.MaxMonths(k, models.SeverityMinor))
	}
	n := 0
	for {
		ids, err := s.store.Expiring(ctx, q)
		if err != nil {
			return n, err
		}
		changed := 0
		for _, id := range ids {
			ok, err := s.expire(ctx, id, asOf)
			if err != nil {
				return n, err
			}
			if ok {
				changed++
			}
		}
		n += changed
		if len(ids) < q.Limit || changed == 0 {
			return n, nil
		}
	}
}

// expire expires one record if it still qualifies.
func (s *Service) expire(ctx context.Context, id string, asOf time.Time) (bool, error) {
	done := false
	err := s.store.Tx(ctx, func(st Store) error {
		done = false // decided again when the transaction runs again
		rec, err := Find(ctx, st, id)
		if err != nil {
			return err
		}
		ends := s.cfg.Ends(rec.Kind, rec.Severity, rec.DecidedOn)
		if rec.PublicityEnd != nil {
			ends = *rec.PublicityEnd
		}
		if !CanTransition(rec.Status, models.RecordExpired) || ends.After(asOf) {
			return nil
		}
		now := s.now().UTC()
		from, read := rec.Status, rec.Version
		rec.Status, rec.Version, rec.UpdatedAt = models.RecordExpired, read+1, now
		if err := update(ctx, st, rec, read, from); err != nil {
			return err
		}
		why := fmt.Sprintf("已超过最长公示期限（截至 %s），记录到期，仅留存备查", credit.DateString(ends))
		ev := models.RecordEvent{RecordID: rec.ID, At: now, ActorID: credit.SystemActor, Action: EventExpired,
			FromStatus: from, ToStatus: models.RecordExpired, Reason: why}
		if err := s.note(ctx, st, ev, fmt.Sprintf("%s->EXPIRED ends=%s", from, credit.DateString(ends)), "record.expire"); err != nil {
			return err
		}
		if _, err := QueueWithdrawal(ctx, st, rec, "公示期满，撤下公示"); err != nil {
			return err
		}
		key := "record-expired:" + rec.ID
		if err := st.Notify(ctx, rec.SubjectID, models.Notice{Kind: "RECORD_EXPIRED", Title: "失信记录已到期",
			Body: fmt.Sprintf("贵单位的一条%s失信记录已于 %s 超过最长公示期限，不再公示，也不再影响信用办水和优良信用评定。",
				credit.KindLabel(rec.Kind), credit.DateString(ends)),
			RefType: "dishonesty_record", RefID: rec.ID, DedupKey: &key}); err != nil {
			return err
		}
		done = true
		return s.grades.Regrade(ctx, st.Grades(), now, []string{rec.SubjectID})
	})
	if err != nil {
		return false, credit.Internal(err, "could not expire the record")
	}
	return done, nil
}

// republishPrefix is the outbox key prefix of a corrected record's new
// publication.
const republishPrefix = "republish:record:"

// QueueRepublish enqueues, on tx, a new publication of rec after a
// correction (R1.5: a CORRECTED record is republished) when rec — as read
// before the correction — was published; the message key names the
// record's new version, so each correction is published once and
// DeliverDishonesty publishes the record as corrected, naming the
// publication it replaces. It reports whether it queued, or INTERNAL.
func QueueRepublish(ctx context.Context, tx Store, rec models.DishonestyRecord, version int) (bool, error) {
	if rec.PublicationID == "" {
		return false, nil
	}
	err := tx.Enqueue(ctx, outbox.Message{Key: fmt.Sprintf("%s%s:v%d", republishPrefix, rec.ID, version), Kind: KindPublishDishonesty,
		AggregateID: rec.ID, Payload: recordPayload{RecordID: rec.ID}})
	if err != nil {
		return false, err
	}
	return true, tx.AddEvents(ctx, []models.RecordEvent{{RecordID: rec.ID, At: time.Now().UTC(), ActorID: credit.ActorID(ctx),
		Action: EventRepublished, Reason: "更正后重新公示（替换 " + rec.PublicationID + "）"}})
}
