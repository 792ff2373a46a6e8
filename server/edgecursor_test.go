package server_test

import (
	"encoding/json"
	"testing"
	"time"

	"creditwater/models"
)

// R8.1 (issue 14): the records, audit log and deadlines encode a cursor
// per edge only when edges.cursor is selected (graph.wantsEdgeCursors);
// when it is, each edge's cursor continues the list after that edge and
// the last one is the page's endCursor, and a page without it still has
// its endCursor.
func TestR8_1_EdgeCursorsContinueTheList(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	seedNested(t, h.srv.DB(), "游标企业", 4)
	for i := range 4 {
		e := models.AuditEntry{PublicID: models.NewID(), At: time.Now().UTC().Add(time.Duration(-i) * time.Minute), ActorID: "u", Action: "test.cursor"}
		must(t, h.srv.DB().Create(&e).Error)
	}
	lists := map[string]string{
		"dishonestyRecords": `dishonestyRecords(first:$first,after:$after)`,
		"auditLog":          `auditLog(first:$first,after:$after)`,
		"deadlines":         `deadlines(first:$first,after:$after)`,
	}
	type page struct {
		Edges []struct {
			Cursor *string
			Node   struct{ ID json.RawMessage }
		}
		PageInfo struct{ EndCursor string }
	}
	read := func(name, sel string, first int, after *string) page {
		t.Helper()
		q := `query($first:Int,$after:String){l: ` + lists[name] + `{` + sel + `}}`
		var out struct{ L page }
		h.must(admin, q, map[string]any{"first": first, "after": after}, &out)
		return out.L
	}
	for name := range lists {
		all := read(name, `edges{node{id}} pageInfo{endCursor}`, 10, nil)
		if len(all.Edges) < 4 || all.PageInfo.EndCursor == "" {
			t.Fatalf("%s: %d edges, endCursor %q", name, len(all.Edges), all.PageInfo.EndCursor)
		}
		with := read(name, `edges{cursor node{id}} pageInfo{endCursor}`, 3, nil)
		if len(with.Edges) != 3 || with.Edges[2].Cursor == nil || *with.Edges[2].Cursor != with.PageInfo.EndCursor {
			t.Fatalf("%s: edges %+v, endCursor %q", name, with.Edges, with.PageInfo.EndCursor)
		}
		next := read(name, `edges{node{id}} pageInfo{endCursor}`, 2, with.Edges[0].Cursor)
		if len(next.Edges) != 2 || string(next.Edges[0].Node.ID) != string(all.Edges[1].Node.ID) || string(next.Edges[1].Node.ID) != string(all.Edges[2].Node.ID) {
			t.Errorf("%s: after the first edge's cursor %s %s, want %s %s", name, next.Edges[0].Node.ID, next.Edges[1].Node.ID, all.Edges[1].Node.ID, all.Edges[2].Node.ID)
		}
	}
}
