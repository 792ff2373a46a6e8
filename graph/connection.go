package graph

import (
	"context"

	"creditwater/apply"
	"creditwater/graph/model"
	"creditwater/ops"
)

// pageInfo is the PageInfo of an ops page.
func pageInfo[T any](p ops.Page[T]) *model.PageInfo {
	return &model.PageInfo{HasNextPage: p.HasNext, EndCursor: ptrIf(p.EndCursor())}
}

// edges maps an ops page to a connection's edges.
func edges[T any, E any](p ops.Page[T], edge func(cursor string, node *T) E) []E {
	out := make([]E, 0, len(p.Items))
	for i := range p.Items {
		out = append(out, edge(p.Cursors[i], &p.Items[i]))
	}
	return out
}

// applications is a page of the staff queue as a connection.
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
