package server_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// exchange is one raw HTTP request to /graphql and what came back.
type exchange struct {
	status      int
	contentType string
	header      http.Header
	body        map[string]json.RawMessage
	errors      []gqlError
	raw         string
}

func (x exchange) hasData() bool { _, ok := x.body["data"]; return ok }

func (x exchange) ext(key string) string {
	if len(x.errors) == 0 {
		return ""
	}
	s, _ := x.errors[0].Extensions[key].(string)
	return s
}

// send makes a raw request to /graphql: method, Content-Type and Accept
// ("" leaves the header out), body, and for GET the query string.
func (h *harness) send(method, contentType, accept, query string, body []byte, header map[string]string) exchange {
	h.t.Helper()
	u := h.ts.URL + "/graphql"
	if query != "" {
		u += "?" + query
	}
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, raw := h.do(req, header)
	x := exchange{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &x.body); err != nil {
		h.t.Fatalf("%s %s: response is not a JSON object (%d): %s", method, query, resp.StatusCode, raw)
	}
	if e, ok := x.body["errors"]; ok {
		_ = json.Unmarshal(e, &x.errors)
	}
	return x
}

const (
	jsonMT = "application/json"
	grMT   = "application/graphql-response+json"
)

// R7.3: the GraphQL-over-HTTP status codes per accepted media type, through
// the real handler (the graphql-http audit in CI checks the same and more):
// request errors are 200 with application/json and 400 with
// application/graphql-response+json and never have "data"; malformed
// requests are 4xx for both; every error has extensions.code.
func TestGraphQLOverHTTPStatusCodes_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	body := func(s string) []byte { return []byte(s) }
	for _, tc := range []struct {
		name                string
		method, ctype, acc  string
		query               string
		body                []byte
		status              int
		media               string
		data                bool
		code, field, reason string
	}{
		{name: "query, no Accept", method: "POST", ctype: jsonMT, body: body(`{"query":"{__typename}"}`), status: 200, media: jsonMT, data: true},
		{name: "query, graphql-response+json", method: "POST", ctype: jsonMT, acc: grMT, body: body(`{"query":"{__typename}"}`), status: 200, media: grMT, data: true},
		{name: "query, */*", method: "POST", ctype: jsonMT, acc: "*/*", body: body(`{"query":"{__typename}"}`), status: 200, media: jsonMT, data: true},
		{name: "query, both named", method: "POST", ctype: "application/json; charset=utf-8", acc: grMT + ", " + jsonMT, body: body(`{"query":"{__typename}"}`), status: 200, media: grMT, data: true},
		{name: "query, json preferred by q", method: "POST", ctype: jsonMT, acc: grMT + ";q=0.5, " + jsonMT, body: body(`{"query":"{__typename}"}`), status: 200, media: jsonMT, data: true},
		{name: "query, Accept of nothing we serve", method: "POST", ctype: jsonMT, acc: "text/html", body: body(`{"query":"{__typename}"}`), status: 200, media: jsonMT, data: true},
		{name: "null operationName, variables, extensions", method: "POST", ctype: jsonMT, body: body(`{"query":"{__typename}","operationName":null,"variables":null,"extensions":null}`), status: 200, media: jsonMT, data: true},
		{name: "field error keeps data, graphql-response+json", method: "POST", ctype: jsonMT, acc: grMT, body: body(`{"query":"{me{id}}"}`), status: 200, media: grMT, data: true, code: "UNAUTHENTICATED"},

		{name: "parse error, json", method: "POST", ctype: jsonMT, body: body(`{"query":"{"}`), status: 200, media: jsonMT},
		{name: "parse error, graphql-response+json", method: "POST", ctype: jsonMT, acc: grMT, body: body(`{"query":"{"}`), status: 400, media: grMT},
		{name: "validation error, json", method: "POST", ctype: jsonMT, body: body(`{"query":"{noSuchField}"}`), status: 200, media: jsonMT},
		{name: "validation error, graphql-response+json", method: "POST", ctype: jsonMT, acc: grMT, body: body(`{"query":"{noSuchField}"}`), status: 400, media: grMT},
		{name: "variable coercion, json", method: "POST", ctype: jsonMT, body: body(`{"query":"query Q($id: ID!){__typename}","variables":{"id":null}}`), status: 200, media: jsonMT},
		{name: "variable coercion, graphql-response+json", method: "POST", ctype: jsonMT, acc: grMT, body: body(`{"query":"query Q($n: Int!){__typename}","variables":{"n":"x"}}`), status: 400, media: grMT},

		{name: "body not JSON", method: "POST", ctype: jsonMT, body: body(`{"query": "{__typename}"`), status: 400, media: jsonMT, code: "INVALID", field: "body", reason: "MALFORMED_JSON"},
		{name: "body not JSON, graphql-response+json", method: "POST", ctype: jsonMT, acc: grMT, body: body(`{ "not a JSON`), status: 400, media: grMT, code: "INVALID", field: "body", reason: "MALFORMED_JSON"},
		{name: "empty body", method: "POST", ctype: jsonMT, status: 400, media: jsonMT, code: "INVALID", field: "body", reason: "MISSING"},
		{name: "batch (array) body", method: "POST", ctype: jsonMT, body: body(`[{"query":"{__typename}"}]`), status: 400, media: jsonMT, code: "INVALID", field: "body", reason: "NOT_AN_OBJECT"},
		{name: "no query", method: "POST", ctype: jsonMT, body: body(`{"qeury":"{__typename}"}`), status: 400, media: jsonMT, code: "INVALID", field: "query", reason: "MISSING"},
		{name: "query a number", method: "POST", ctype: jsonMT, body: body(`{"query":0}`), status: 400, media: jsonMT, code: "INVALID", field: "query", reason: "TYPE"},
		{name: "operationName an object", method: "POST", ctype: jsonMT, body: body(`{"query":"{__typename}","operationName":{"obj":"ect"}}`), status: 400, media: jsonMT, code: "INVALID", field: "operationName", reason: "TYPE"},
		{name: "variables a string", method: "POST", ctype: jsonMT, body: body(`{"query":"{__typename}","variables":"{}"}`), status: 400, media: jsonMT, code: "INVALID", field: "variables", reason: "TYPE"},
		{name: "extensions a list", method: "POST", ctype: jsonMT, acc: grMT, body: body(`{"query":"{__typename}","extensions":["array"]}`), status: 400, media: grMT, code: "INVALID", field: "extensions", reason: "TYPE"},
		{name: "charset other than UTF-8", method: "POST", ctype: "application/json; charset=gbk", body: body(`{"query":"{__typename}"}`), status: 415, media: jsonMT, code: "INVALID", field: "Content-Type", reason: "UNSUPPORTED_CHARSET"},
		{name: "no Content-Type", method: "POST", body: body(`{"query":"{__typename}"}`), status: 415, media: jsonMT, code: "INVALID", field: "Content-Type", reason: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "text/plain", method: "POST", ctype: "text/plain", body: body(`{"query":"{__typename}"}`), status: 415, media: jsonMT, code: "INVALID", field: "Content-Type", reason: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "PUT", method: "PUT", ctype: jsonMT, body: body(`{"query":"{__typename}"}`), status: 405, media: jsonMT, code: "INVALID", reason: "METHOD_NOT_ALLOWED"},

		{name: "GET query", method: "GET", query: "query=" + url.QueryEscape("{__typename}"), status: 200, media: jsonMT, data: true},
		{name: "GET query with variables", method: "GET", acc: grMT, query: "query=" + url.QueryEscape("query($a:Boolean!){__typename @include(if:$a)}") + "&variables=" + url.QueryEscape(`{"a":true}`), status: 200, media: grMT, data: true},
		{name: "GET variables not JSON", method: "GET", query: "query=" + url.QueryEscape("{__typename}") + "&variables=" + url.QueryEscape(`{"a":`), status: 400, media: jsonMT, code: "INVALID", field: "variables", reason: "MALFORMED_JSON"},
		{name: "GET without query", method: "GET", status: 400, media: jsonMT, code: "INVALID", field: "query", reason: "MISSING"},
		{name: "GET mutation", method: "GET", acc: grMT, query: "query=" + url.QueryEscape("mutation{logout{ok}}"), status: 405, media: grMT, code: "INVALID", field: "query", reason: "METHOD_NOT_ALLOWED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := h.send(tc.method, tc.ctype, tc.acc, tc.query, tc.body, nil)
			if x.status != tc.status || !strings.HasPrefix(x.contentType, tc.media) || x.hasData() != tc.data {
				t.Fatalf("status %d, content type %q, data %v; want %d, %s, %v: %s", x.status, x.contentType, x.hasData(), tc.status, tc.media, tc.data, x.raw)
			}
			if !tc.data && len(x.errors) == 0 {
				t.Fatalf("no errors: %s", x.raw)
			}
			for _, e := range x.errors {
				if c, _ := e.Extensions["code"].(string); c == "" || e.Message == "" {
					t.Errorf("error without extensions.code or message: %s", x.raw)
				}
			}
			if tc.code != "" && (x.ext("code") != tc.code || x.ext("field") != tc.field || x.ext("reason") != tc.reason) {
				t.Errorf("code/field/reason %s/%s/%s, want %s/%s/%s: %s", x.ext("code"), x.ext("field"), x.ext("reason"), tc.code, tc.field, tc.reason, x.raw)
			}
			if tc.status == http.StatusMethodNotAllowed && x.header.Get("Allow") == "" {
				t.Errorf("405 without Allow")
			}
		})
	}
}

// R7.3: a mutation over GET is refused and changes nothing: the session
// it would have ended still works.
func TestGetMutationChangesNothing_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.staffToken("staff", "demo-staff-pass")
	x := h.send(http.MethodGet, "", "", "query="+url.QueryEscape("mutation{logout{ok}}"), nil, map[string]string{"Authorization": "Bearer " + tok})
	if x.status != http.StatusMethodNotAllowed || x.header.Get("Allow") != "POST" {
		t.Fatalf("GET mutation: %d %s", x.status, x.raw)
	}
	if r := h.gql(tok, `{me{role}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("the session was ended by a refused GET mutation: %s", r.Raw)
	}
}

// R7.3: malformed multipart requests are 400 INVALID naming the field, and
// a map path that points nowhere is refused without a panic.
func TestMultipartErrors_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.staffToken("staff", "demo-staff-pass")
	const q = `mutation($f: Upload!){importBillingFile(input:{kind:BILLS, file:$f}){job{id}}}`
	ops, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"f": nil}})
	for _, tc := range []struct {
		name, operations, fileMap string
		withFile                  bool
		field, reason             string
	}{
		{"operations not JSON", `{"query":`, `{"0":["variables.f"]}`, true, "operations", "MALFORMED_JSON"},
		{"operations without query", `{"variables":{"f":null}}`, `{"0":["variables.f"]}`, true, "operations.query", "MISSING"},
		{"map not JSON", string(ops), `{"0":`, true, "map", "MALFORMED_MAP"},
		{"map names a missing file", string(ops), `{"9":["variables.f"]}`, true, "map", "MISSING_FILE"},
		{"path outside variables", string(ops), `{"0":["query"]}`, true, "map", "BAD_PATH"},
		{"path past a list's end", string(ops), `{"0":["variables.f.5.x"]}`, true, "map", "BAD_PATH"},
		{"path to an unknown variable", string(ops), `{"0":["variables.g"]}`, true, "map", "BAD_PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("operations", tc.operations)
			_ = mw.WriteField("map", tc.fileMap)
			if tc.withFile {
				fw, _ := mw.CreateFormFile("0", "bills.csv")
				_, _ = fw.Write([]byte("bill_no\n"))
			}
			_ = mw.Close()
			x := h.send(http.MethodPost, mw.FormDataContentType(), "", "", buf.Bytes(), map[string]string{"Authorization": "Bearer " + tok})
			if x.status != http.StatusBadRequest || x.hasData() || x.ext("code") != "INVALID" || x.ext("field") != tc.field || x.ext("reason") != tc.reason {
				t.Fatalf("%d %s; want 400 INVALID %s %s", x.status, x.raw, tc.field, tc.reason)
			}
		})
	}
}
