package graph

import (
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
