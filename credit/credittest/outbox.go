package credittest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/publication"
)

// Worker returns an outbox worker delivering the credit kinds (all of them
// when none is given) to the fake platform, as the composition root wires
// them.
func (e *Env) Worker(kinds ...string) *outbox.Worker {
	wk := outbox.NewWorker(e.DB, nil, outbox.Config{Instance: "test"})
	all := map[string]struct {
		h outbox.Handler
		d outbox.OnDone
	}{
		record.KindPublishDishonesty:   {e.Pubs.DeliverDishonesty(e.Platform), e.Stores.RecordsDone(e.Pubs.DishonestyDelivered)},
		record.KindWithdrawPublication: {e.Pubs.DeliverWithdrawal(e.Platform), e.Stores.RecordsDone(e.Pubs.WithdrawalDelivered)},
		review.KindPublishRepair:       {e.Repairs.DeliverRepair(e.Platform), e.Stores.ReviewsDone(e.Repairs.RepairDelivered)},
	}
	if len(kinds) == 0 {
		kinds = []string{record.KindPublishDishonesty, record.KindWithdrawPublication, review.KindPublishRepair}
	}
	for _, k := range kinds {
		wk.Handle(k, all[k].h, all[k].d)
	}
	return wk
}

// Drain runs the worker until a round delivers nothing and returns how
// many it delivered.
func Drain(t testing.TB, wk *outbox.Worker) int {
	t.Helper()
	total := 0
	for range 20 {
		n, err := wk.RunOnce(context.Background())
		Must(t, err)
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("the outbox did not drain")
	return total
}

// Complete marks msg DONE with result and runs done in one transaction,
// as the outbox worker does after a delivery.
func (e *Env) Complete(t testing.TB, msg models.OutboxMessage, result string, done outbox.OnDone) {
	t.Helper()
	Must(t, e.DB.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.OutboxMessage{}).Where("id = ?", msg.ID).
			Updates(map[string]any{"status": models.OutboxDone, "result": result}).Error; err != nil {
			return err
		}
		return done(context.Background(), tx, msg, result)
	}))
}

// Platform is an idempotent fake of the credit platform's publication API
// that counts calls.
type Platform struct {
	mu          sync.Mutex
	published   map[string]string // idempotency key → publication ID
	publishes   []publication.Request
	withdrawn   map[string]int // publication ID → withdraw calls
	withdrawals []publication.Withdrawal
}

// Publish publishes once per idempotency key.
func (f *Platform) Publish(_ context.Context, p publication.Request) (publication.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.published[p.IdempotencyKey]
	if !ok {
		id = fmt.Sprintf("PUB-%03d", len(f.published)+1)
		f.published[p.IdempotencyKey] = id
	}
	f.publishes = append(f.publishes, p)
	return publication.Receipt{ID: id, PublishedAt: time.Now()}, nil
}

// Withdraw records a withdrawal.
func (f *Platform) Withdraw(_ context.Context, wd publication.Withdrawal) (publication.WithdrawalReceipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.withdrawn[wd.PublicationID]++
	f.withdrawals = append(f.withdrawals, wd)
	return publication.WithdrawalReceipt{ID: wd.PublicationID, WithdrawnAt: time.Now()}, nil
}

// Snapshot returns the calls so far.
func (f *Platform) Snapshot() (pubs []publication.Request, wds []publication.Withdrawal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]publication.Request(nil), f.publishes...), append([]publication.Withdrawal(nil), f.withdrawals...)
}
