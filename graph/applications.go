package graph

import (
	"context"
	"creditwater/apply"
	"creditwater/graph/model"
)

// applications is the one path of every application list (the staff queue
// and the subject overview) to apply's queue.
func (r *Resolver) applications(ctx context.Context, f apply.QueueFilter, orderBy apply.Order, first *int, after *string) (*model.ApplicationConnection, error) {
	p, err := r.Apply.Queue(ctx, f, orderBy, deref(first), deref(after))
	if err != nil {
		return nil, err
	}
	conn := &model.ApplicationConnection{PageInfo: &model.PageInfo{HasNextPage: p.HasNext, EndCursor: ptrIf(p.EndCursor)}, TotalCount: int(p.TotalCount)}
	for i, it := range p.Items {
		conn.Edges = append(conn.Edges, model.ApplicationEdge{Cursor: apply.CursorAt(deref(after), i), Node: &it.Application,
			AgeSeconds: int(it.Age.Seconds()), StepDue: it.StepDue, Overdue: it.Overdue})
	}
	return conn, nil
}
