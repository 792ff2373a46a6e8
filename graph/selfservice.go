package graph

import (
	"creditwater/graph/model"
	"creditwater/selfservice"
)

// CreditReportPDFPath is where the caller's e-credit report is served as a
// PDF (server.creditReportDocument), with the same session as the API.
const CreditReportPDFPath = "/credit-report.pdf"

// selfFilter maps the self-service filter.
func selfFilter(f *model.SelfServiceFilter) selfservice.Filter {
	if f == nil {
		return selfservice.Filter{}
	}
	return selfservice.Filter{SubjectID: deref(f.SubjectID), AccountNo: deref(f.AccountNo)}
}

// selfEdges builds the edges and page info of a self-service page.
func selfEdges[T, E any](pg selfservice.Page[T], edge func(cursor string, node *T) E) ([]E, *model.PageInfo) {
	out := make([]E, 0, len(pg.Items))
	for i := range pg.Items {
		out = append(out, edge(pg.Cursors[i], &pg.Items[i]))
	}
	info := &model.PageInfo{HasNextPage: pg.HasNext}
	if n := len(pg.Cursors); n > 0 {
		info.EndCursor = &pg.Cursors[n-1]
	}
	return out, info
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
