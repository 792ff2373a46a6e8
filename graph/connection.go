package graph

import (
	"creditwater/graph/model"
	"creditwater/ops"
)

// pageInfo is the PageInfo of an ops page.
func pageInfo[T any](p ops.Page[T]) *model.PageInfo {
	return pageInfoOf(p.HasNext, p.EndCursor())
}

// edges maps an ops page to a connection's edges.
func edges[T any, E any](p ops.Page[T], edge func(cursor string, node *T) E) []E {
	return edgesOf(p.Items, p.Cursors, edge)
}

// edgesOf maps a page's items and their cursors to a connection's edges
// (an empty list, never null, for an empty page).
func edgesOf[T any, E any](items []T, cursors []string, edge func(cursor string, node *T) E) []E {
	out := make([]E, 0, len(items))
	for i := range items {
		out = append(out, edge(cursors[i], &items[i]))
	}
	return out
}
