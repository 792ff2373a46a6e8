package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// writeResponse copies gqlgen's encoded "data" into the envelope instead of
// re-encoding it, and writes the same bytes as encoding/json for every
// shape of response: data alone, with errors, with extensions, with all.
func TestWriteResponseEqualsEncodingJSON(t *testing.T) {
	data := json.RawMessage(`{"applications":{"totalCount":2,"edges":[{"node":{"id":"a","address":"韶关市\"浈江区\""}},{"node":null}]}}`)
	errs := gqlerror.List{{Message: "无权查看", Path: ast.Path{ast.PathName("applications"), ast.PathIndex(1), ast.PathName("node")},
		Extensions: map[string]any{"code": "FORBIDDEN"}}}
	ext := map[string]any{"requestId": "r-1", "cost": 12}
	for name, resp := range map[string]*graphql.Response{
		"data":            {Data: data},
		"errors":          {Data: data, Errors: errs},
		"extensions":      {Data: data, Extensions: ext},
		"all":             {Data: data, Errors: errs, Extensions: ext},
		"null data":       {Data: json.RawMessage(`null`), Errors: errs},
		"scalar in place": {Data: json.RawMessage(`{"ok":true}`)},
	} {
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		writeResponse(rec, "application/json", resp)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: status %d, content type %q", name, rec.Code, rec.Header().Get("Content-Type"))
		}
		if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

// An empty "data" is written as null, never as invalid JSON.
func TestWriteResponseEmptyDataIsNull(t *testing.T) {
	rec := httptest.NewRecorder()
	writeResponse(rec, "application/json", &graphql.Response{Data: json.RawMessage{}})
	if got := rec.Body.String(); got != `{"data":null}` {
		t.Errorf("got %s", got)
	}
}
