package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/page"
)

type loadersKey struct{}

// Loaders are the per-operation dataloaders of the list→item edges: the
// items of a list that ask for the same edge are read in one batch (a fixed
// number of SQL statements, whatever the page size) instead of one read per
// item. Each batch read applies the access rule of its one-item read, once
// per subject. A loader is made on its first use, so an operation that
// follows no edge (most of them) makes none.
type Loaders struct {
	r                 *Resolver
	subjects          lazyLoader[models.Subject]
	records           lazyLoader[models.DishonestyRecord]
	recordHistory     lazyLoader[[]models.RecordEvent]
	applicationEvents lazyLoader[[]models.ApplicationEvent]
	commitments       lazyLoader[models.Commitment]
	repairHistory     lazyLoader[[]models.RequestEvent]
	repairEvidence    lazyLoader[[]models.Evidence]
	objectionHistory  lazyLoader[[]models.RequestEvent]
	objectionEvidence lazyLoader[[]models.Evidence]
	exemptionEvidence lazyLoader[[]models.Evidence]
}

// lazyLoader makes its loader once, on first use.
type lazyLoader[V any] struct {
	once sync.Once
	l    *dataloadgen.Loader[string, V]
}

// mapped returns the loader batching through fetch.
func (z *lazyLoader[V]) mapped(fetch func(context.Context, []string) (map[string]V, error)) *dataloadgen.Loader[string, V] {
	z.once.Do(func() { z.l = dataloadgen.NewMappedLoader(fetch, loaderOptions...) })
	return z.l
}

// loaderOptions: a batch waits a millisecond for its siblings and holds at
// most a page (page.MaxFirst) of keys.
var loaderOptions = []dataloadgen.Option{dataloadgen.WithWait(time.Millisecond), dataloadgen.WithBatchCapacity(page.MaxFirst)}

// NewLoaders returns fresh loaders reading through the resolver's services.
func (r *Resolver) NewLoaders() *Loaders { return &Loaders{r: r} }

// Subjects loads subjects by ID.
func (l *Loaders) Subjects() *dataloadgen.Loader[string, models.Subject] {
	l.subjects.once.Do(func() { l.subjects.l = dataloadgen.NewLoader(l.r.Enterprise.SubjectsByIDs, loaderOptions...) })
	return l.subjects.l
}

// Records loads dishonesty records by ID.
func (l *Loaders) Records() *dataloadgen.Loader[string, models.DishonestyRecord] {
	return l.records.mapped(l.r.Records.GetMany)
}

// RecordHistory loads each record's history.
func (l *Loaders) RecordHistory() *dataloadgen.Loader[string, []models.RecordEvent] {
	return l.recordHistory.mapped(l.r.Records.Histories)
}

// ApplicationEvents loads each application's events.
func (l *Loaders) ApplicationEvents() *dataloadgen.Loader[string, []models.ApplicationEvent] {
	return l.applicationEvents.mapped(l.r.Apply.EventsOf)
}

// Commitments loads commitments by ID.
func (l *Loaders) Commitments() *dataloadgen.Loader[string, models.Commitment] {
	return l.commitments.mapped(l.r.Apply.CommitmentsOf)
}

// RepairHistory loads each repair request's history.
func (l *Loaders) RepairHistory() *dataloadgen.Loader[string, []models.RequestEvent] {
	return l.repairHistory.mapped(l.r.Repairs.Histories)
}

// RepairEvidence loads each repair request's evidence.
func (l *Loaders) RepairEvidence() *dataloadgen.Loader[string, []models.Evidence] {
	return l.repairEvidence.mapped(l.r.Repairs.EvidenceOf)
}

// ObjectionHistory loads each objection's history.
func (l *Loaders) ObjectionHistory() *dataloadgen.Loader[string, []models.RequestEvent] {
	return l.objectionHistory.mapped(l.r.Objections.Histories)
}

// ObjectionEvidence loads each objection's evidence.
func (l *Loaders) ObjectionEvidence() *dataloadgen.Loader[string, []models.Evidence] {
	return l.objectionEvidence.mapped(l.r.Objections.EvidenceOf)
}

// ExemptionEvidence loads each exemption's evidence.
func (l *Loaders) ExemptionEvidence() *dataloadgen.Loader[string, []models.Evidence] {
	return l.exemptionEvidence.mapped(l.r.Exempt.EvidenceOf)
}

// WithLoaders is an operation middleware giving each operation fresh
// loaders (AroundOperations).
func (r *Resolver) WithLoaders(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, loadersKey{}, r.NewLoaders()))
}

// loaders returns the operation's loaders, or fresh ones (no batching
// across fields) outside an operation that has them.
func (r *Resolver) loaders(ctx context.Context) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return r.NewLoaders()
}

// loadOne loads key's item: NOT_FOUND naming what when the batch did not
// find it.
func loadOne[T any](ctx context.Context, l *dataloadgen.Loader[string, T], key, what string) (*T, error) {
	v, err := l.Load(ctx, key)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, apperr.New(apperr.NotFound, "%s不存在", what)
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// loadList loads key's list of rows: empty when the batch found none.
func loadList[T any](ctx context.Context, l *dataloadgen.Loader[string, []T], key string) ([]T, error) {
	v, err := l.Load(ctx, key)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return []T{}, nil
	}
	return v, err
}

// subjectByID loads a subject through the operation's dataloader.
func (r *Resolver) subjectByID(ctx context.Context, id string) (*models.Subject, error) {
	s, err := r.loaders(ctx).Subjects().Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// itemFields returns the names of the fields the operation selects on the
// items of the list field being resolved: its own selection for a list, the
// selections under edges.node and nodes for a connection.
func itemFields(ctx context.Context) map[string]bool {
	opCtx := graphql.GetOperationContext(ctx)
	out := map[string]bool{}
	add := func(set ast.SelectionSet) {
		for _, f := range graphql.CollectFields(opCtx, set, nil) {
			out[f.Name] = true
		}
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "edges":
			for _, g := range graphql.CollectFields(opCtx, f.Selections, nil) {
				if g.Name == "node" {
					add(g.Selections)
				}
			}
		case "nodes":
			add(f.Selections)
		default:
			out[f.Name] = true
		}
	}
	return out
}

// prefetch starts one batch load of keys on l (not waiting for it) when
// the operation selects field on the list's items. The items' resolvers then
// find their values loading or loaded, so a page costs one batch per edge
// however its resolvers are scheduled (batching by time alone splits a page
// into several batches on a busy machine).
func prefetch[V any](ctx context.Context, fields map[string]bool, field string, l func() *dataloadgen.Loader[string, V], keys []string) {
	if fields[field] && len(keys) > 0 {
		l().LoadAllThunk(ctx, keys)
	}
}

// keysOf returns key(item) of every item with a non-empty key.
func keysOf[T any](items []T, key func(*T) string) []string {
	out := make([]string, 0, len(items))
	for i := range items {
		if k := key(&items[i]); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// prefetchRecords prefetches the edges of a list of records.
func (r *Resolver) prefetchRecords(ctx context.Context, recs []models.DishonestyRecord) {
	l, f := r.loaders(ctx), itemFields(ctx)
	prefetch(ctx, f, "subject", l.Subjects, keysOf(recs, func(x *models.DishonestyRecord) string { return x.SubjectID }))
	prefetch(ctx, f, "history", l.RecordHistory, keysOf(recs, func(x *models.DishonestyRecord) string { return x.ID }))
}

// prefetchApplications prefetches the edges of a list of items that are
// or hold applications (app points at an item's application).
func prefetchApplications[T any](ctx context.Context, r *Resolver, items []T, app func(*T) *models.Application) {
	l, f := r.loaders(ctx), itemFields(ctx)
	prefetch(ctx, f, "subject", l.Subjects, keysOf(items, func(x *T) string { return app(x).SubjectID }))
	prefetch(ctx, f, "events", l.ApplicationEvents, keysOf(items, func(x *T) string { return app(x).ID }))
	prefetch(ctx, f, "commitment", l.Commitments, keysOf(items, func(x *T) string { return deref(app(x).CommitmentID) }))
}

// prefetchRequests prefetches the edges of a list of repair requests or
// objections: record, evidence and history.
func prefetchRequests[T any](ctx context.Context, l *Loaders, reqs []T, id, recordID func(*T) string,
	evidence func() *dataloadgen.Loader[string, []models.Evidence], history func() *dataloadgen.Loader[string, []models.RequestEvent]) {
	f := itemFields(ctx)
	prefetch(ctx, f, "record", l.Records, keysOf(reqs, recordID))
	prefetch(ctx, f, "evidence", evidence, keysOf(reqs, id))
	prefetch(ctx, f, "history", history, keysOf(reqs, id))
}

// prefetchBindings prefetches the subjects of a list of bindings.
func (r *Resolver) prefetchBindings(ctx context.Context, bs []models.EnterpriseBinding) {
	f := itemFields(ctx)
	if f["uscc"] {
		f["subject"] = true
	}
	prefetch(ctx, f, "subject", r.loaders(ctx).Subjects, keysOf(bs, func(x *models.EnterpriseBinding) string { return x.SubjectID }))
}
