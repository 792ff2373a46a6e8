package graph

import (
	"context"

	"creditwater/graph/model"
	"creditwater/selfservice"
)

// selfFilter maps the self-service filter; the list counts only when the
// client selected totalCount.
func selfFilter(ctx context.Context, f *model.SelfServiceFilter) selfservice.Filter {
	if f == nil {
		return selfservice.Filter{Count: wantsTotal(ctx)}
	}
	return selfservice.Filter{SubjectID: deref(f.SubjectID), AccountNo: deref(f.AccountNo), Count: wantsTotal(ctx)}
}

// selfEdges builds the edges and page info of a self-service page.
func selfEdges[T, E any](pg selfservice.Page[T], edge func(cursor string, node *T) E) ([]E, *model.PageInfo) {
	end := ""
	if n := len(pg.Cursors); n > 0 {
		end = pg.Cursors[n-1]
	}
	return edgesOf(pg.Items, pg.Cursors, edge), pageInfoOf(pg.HasNext, end)
}

// billConnection maps a page of bills.
func billConnection(pg selfservice.Page[selfservice.Bill], err error) (*model.BillConnection, error) {
	if err != nil {
		return nil, err
	}
	out := &model.BillConnection{Nodes: pg.Items, TotalCount: int(pg.TotalCount)}
	out.Edges, out.PageInfo = selfEdges(pg, func(c string, n *selfservice.Bill) model.BillEdge { return model.BillEdge{Cursor: c, Node: n} })
	return out, nil
}
