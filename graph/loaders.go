package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"creditwater/models"
)

type loadersKey struct{}

// Loaders are the per-request dataloaders of list→item edges: one query
// per batch instead of one per item.
type Loaders struct {
	Subjects *dataloadgen.Loader[string, models.Subject]
}

// SubjectFetcher loads subjects by ID, results in the order of ids.
type SubjectFetcher func(ctx context.Context, ids []string) ([]models.Subject, []error)

// WithLoaders returns ctx carrying fresh loaders for one request.
func WithLoaders(ctx context.Context, subjects SubjectFetcher) context.Context {
	return context.WithValue(ctx, loadersKey{}, &Loaders{
		Subjects: dataloadgen.NewLoader(subjects, dataloadgen.WithWait(time.Millisecond), dataloadgen.WithBatchCapacity(200)),
	})
}

// subjectByID loads a subject through the request's dataloader, or
// directly when there is none.
func (r *Resolver) subjectByID(ctx context.Context, id string) (*models.Subject, error) {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		s, err := l.Subjects.Load(ctx, id)
		if err != nil {
			return nil, err
		}
		return &s, nil
	}
	s, err := r.Enterprise.Subject(ctx, id)
	if err != nil {
		return nil, err
	}
	return &s, nil
}
