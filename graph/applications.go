package graph

import (
	"context"

	"creditwater/apply"
	"creditwater/graph/model"
	"creditwater/models"
)

// applications is the one path of every application list (the staff queue
// and the subject overview) to apply's queue: first checked by page.First,
// totalCount counted only when selected.
func (r *Resolver) applications(ctx context.Context, f apply.QueueFilter, orderBy apply.Order, first *int, after *string) (*model.ApplicationConnection, error) {
	n, count, err := listArgs(ctx, first)
	if err != nil {
		return nil, err
	}
	f.Count = count
	p, err := r.Apply.Queue(ctx, f, orderBy, n, deref(after))
	if err != nil {
		return nil, err
	}
	conn := &model.ApplicationConnection{Edges: make([]model.ApplicationEdge, len(p.Items)), PageInfo: pageInfoOf(p.HasNext, p.EndCursor), TotalCount: int(p.TotalCount)}
	prefetchApplications(ctx, r, p.Items, func(it *apply.QueueItem) *models.Application { return &it.Application })
	for i := range p.Items {
		it := &p.Items[i]
		conn.Edges[i] = model.ApplicationEdge{Cursor: it.Cursor, Node: &it.Application,
			AgeSeconds: int(it.Age.Seconds()), StepDue: it.StepDue, Overdue: it.Overdue}
	}
	return conn, nil
}
