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
	conn := &model.ApplicationConnection{Edges: []model.ApplicationEdge{}, PageInfo: pageInfoOf(p.HasNext, p.EndCursor), TotalCount: int(p.TotalCount)}
	apps := make([]models.Application, len(p.Items))
	for i, it := range p.Items {
		apps[i] = it.Application
	}
	r.prefetchApplications(ctx, apps)
	for _, it := range p.Items {
		conn.Edges = append(conn.Edges, model.ApplicationEdge{Cursor: it.Cursor, Node: &it.Application,
			AgeSeconds: int(it.Age.Seconds()), StepDue: it.StepDue, Overdue: it.Overdue})
	}
	return conn, nil
}
