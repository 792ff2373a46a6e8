package credit

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/calendar"
	"creditwater/models"
	"creditwater/outbox"
	"creditwater/publication"
)

// wfEnv is one test's database with the repair, objection, publication and
// review services on a settable clock.
type wfEnv struct {
	*env
	clock      *testClock
	repairs    *Repairs
	objections *Objections
	pubs       *Publications
	reviews    *Reviews
	platform   *fakePlatform
}

// testClock is a goroutine-safe settable time source.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func newWF(t *testing.T, cfg RepairConfig) *wfEnv {
	t.Helper()
	e := newEnv(t)
	c := &testClock{t: noon(2026, 6, 1)}
	e.records.now = c.now
	w := &wfEnv{env: e, clock: c, platform: &fakePlatform{published: map[string]string{}, withdrawn: map[string]int{}}}
	cal := calendar.Default()
	w.repairs = NewRepairs(e.records, cal, cfg)
	w.repairs.now = c.now
	w.objections = NewObjections(e.records, cal, cfg)
	w.objections.now = c.now
	w.pubs = NewPublications(e.records)
	w.pubs.now = c.now
	w.reviews = NewReviews(e.records, cal, cfg)
	w.reviews.now = c.now
	return w
}

const (
	entUser     = "ent-user-1"
	officerUser = "officer-1"
)

func entCtx() context.Context { return actorCtx(models.RoleEnterprise, entUser) }

// enterprise makes an enterprise subject with a USCC, a long history and
// binds entUser to it.
func (w *wfEnv) enterprise(t *testing.T, name, uscc string) models.Subject {
	t.Helper()
	s := models.Subject{Kind: models.SubjectEnterprise, Name: name, USCC: &uscc, Tier: models.TierStandard, HistorySince: ptrTime(day(2020, 1, 1))}
	must(t, w.db.Create(&s).Error)
	w.bind(t, entUser, s.ID, true)
	return s
}

// newRecord creates a record through Records.Create (publicity computed).
func (w *wfEnv) newRecord(t *testing.T, subjectID string, kind models.RecordKind, sev models.Severity, decided time.Time) models.DishonestyRecord {
	t.Helper()
	rec, _, err := w.records.Create(officerCtx(), nil, NewRecord{SubjectID: subjectID, Kind: kind, Severity: sev,
		SourceKey: "TEST:" + models.NewID(), Source: SourceStaffCase, Summary: "案件记录", BehaviourOn: decided, DecidedOn: decided})
	must(t, err)
	return rec
}

func (w *wfEnv) loadRecord(t *testing.T, id string) models.DishonestyRecord {
	t.Helper()
	var r models.DishonestyRecord
	must(t, w.db.Where("id = ?", id).Take(&r).Error)
	return r
}

func (w *wfEnv) count(t *testing.T, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := w.db.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	must(t, q.Count(&n).Error)
	return n
}

func (w *wfEnv) messages(t *testing.T, key string) int64 {
	t.Helper()
	var n int64
	must(t, w.db.Model(&models.OutboxMessage{}).Where(&models.OutboxMessage{Key: key}).Count(&n).Error)
	return n
}

func (w *wfEnv) message(t *testing.T, key string) models.OutboxMessage {
	t.Helper()
	var m models.OutboxMessage
	must(t, w.db.Where(&models.OutboxMessage{Key: key}).Take(&m).Error)
	return m
}

// worker returns an outbox worker delivering this package's kinds to the
// fake platform; kinds limits it to some of them.
func (w *wfEnv) worker(kinds ...string) *outbox.Worker {
	wk := outbox.NewWorker(w.db, nil, outbox.Config{Instance: "test"})
	all := map[string]struct {
		h outbox.Handler
		d outbox.OnDone
	}{
		KindPublishDishonesty:   {w.pubs.DeliverDishonesty(w.platform), w.pubs.DishonestyDelivered},
		KindWithdrawPublication: {w.pubs.DeliverWithdrawal(w.platform), w.pubs.WithdrawalDelivered},
		KindPublishRepair:       {w.pubs.DeliverRepair(w.platform), w.pubs.RepairDelivered},
	}
	if len(kinds) == 0 {
		kinds = []string{KindPublishDishonesty, KindWithdrawPublication, KindPublishRepair}
	}
	for _, k := range kinds {
		wk.Handle(k, all[k].h, all[k].d)
	}
	return wk
}

// drain runs the worker until a round delivers nothing.
func drain(t *testing.T, wk *outbox.Worker) int {
	t.Helper()
	total := 0
	for range 20 {
		n, err := wk.RunOnce(context.Background())
		must(t, err)
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("the outbox did not drain")
	return total
}

// fakePlatform is an idempotent fake of the credit platform's publication
// API that counts calls.
type fakePlatform struct {
	mu          sync.Mutex
	published   map[string]string // idempotency key → publication ID
	publishes   []publication.Request
	withdrawn   map[string]int // publication ID → withdraw calls
	withdrawals []publication.Withdrawal
}

func (f *fakePlatform) Publish(_ context.Context, p publication.Request) (publication.Receipt, error) {
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

func (f *fakePlatform) Withdraw(_ context.Context, wd publication.Withdrawal) (publication.WithdrawalReceipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.withdrawn[wd.PublicationID]++
	f.withdrawals = append(f.withdrawals, wd)
	return publication.WithdrawalReceipt{ID: wd.PublicationID, WithdrawnAt: time.Now()}, nil
}

func (f *fakePlatform) snapshot() (pubs []publication.Request, wds []publication.Withdrawal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]publication.Request(nil), f.publishes...), append([]publication.Withdrawal(nil), f.withdrawals...)
}

// Evidence bodies.
func pdfBody(n int) []byte {
	b := bytes.Repeat([]byte("0"), max(n, 16))
	copy(b, "%PDF-1.7\n")
	return b
}

func pngBody(n int) []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, n)...)
}

func upload(name string, data []byte) Upload {
	return Upload{FileName: name, ContentType: "application/pdf", Size: int64(len(data)), Body: bytes.NewReader(data)}
}

// conditionCodes returns the codes of a REPAIR_PRECONDITIONS error.
func conditionCodes(t *testing.T, err error) []string {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.FailedPrecondition || e.Reason != "REPAIR_PRECONDITIONS" {
		t.Fatalf("want FAILED_PRECONDITION REPAIR_PRECONDITIONS, got %v", err)
	}
	conds, _ := e.Details["conditions"].([]map[string]string)
	var codes []string
	for _, c := range conds {
		codes = append(codes, c["code"])
	}
	return codes
}

func ptr[T any](v T) *T { return &v }
