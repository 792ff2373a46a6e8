package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"creditwater/apperr"
)

// The GraphQL-over-HTTP transport. It follows the GraphQL over HTTP
// specification (graphql.github.io/graphql-over-http) and passes every
// audit of the graphql-http package (scripts/graphql-http-audit):
//
//   - The response media type is negotiated from Accept: application/json
//     (also for a missing Accept, */* or nothing we serve) or
//     application/graphql-response+json.
//   - A request that is not a well-formed GraphQL-over-HTTP request (body
//     not JSON, parameters of the wrong type, no query) is 400 for both
//     media types; a wrong method is 405, a wrong Content-Type 415, a body
//     over the limit 413.
//   - A well-formed request whose document fails to parse or validate, or
//     whose variables fail to coerce, is a request error: 200 with
//     application/json, 400 (or the status its code calls for, e.g. 503 for
//     UNAVAILABLE) with application/graphql-response+json; either way the
//     response has no "data" entry.
//   - An executed operation answers 200 with "data" (null when a non-null
//     root field failed) and any field errors.
//
// Every error carries extensions.code: transport errors are *apperr.Error
// values presented by the same error presenter as the API's own — INVALID
// with field and reason (MALFORMED_JSON, NOT_AN_OBJECT, MISSING, TYPE,
// UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_CHARSET, METHOD_NOT_ALLOWED,
// MALFORMED_MULTIPART, MALFORMED_MAP, MISSING_FILE, BAD_PATH,
// UPGRADE_NOT_SUPPORTED), PAYLOAD_TOO_LARGE, or UNAVAILABLE when the
// request's context ended before a response was made.

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// graphQLTransport serves GET (queries only) and POST application/json.
type graphQLTransport struct{}

// multipartTransport serves POST multipart/form-data requests of the GraphQL
// multipart request specification (file uploads).
type multipartTransport struct {
	// maxMemory is how much of the files is kept in memory; the rest goes
	// to temporary files, removed after the response.
	maxMemory int64
}

// rejectTransport answers every request no other transport takes (a wrong
// method or Content-Type, a WebSocket upgrade) with a coded error.
type rejectTransport struct{}

var (
	_ graphql.Transport = graphQLTransport{}
	_ graphql.Transport = multipartTransport{}
	_ graphql.Transport = rejectTransport{}
)

// Supports reports whether r is a GET or a POST with an application/json body.
func (graphQLTransport) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return false
	}
	return r.Method == http.MethodGet || (r.Method == http.MethodPost && requestMediaType(r) == mediaJSON)
}

// Do reads the request's parameters, runs the operation and writes the
// response with the status the specification gives for its media type.
func (graphQLTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	serve(w, r, exec, func() (*graphql.RawParams, *apperr.Error) {
		read := rawFromBody
		if r.Method == http.MethodGet {
			read = func(r *http.Request) (rawRequest, *apperr.Error) { return rawFromQueryString(r.URL.RawQuery) }
		}
		raw, perr := read(r)
		if perr != nil {
			return nil, perr
		}
		return raw.params()
	})
}

// Supports reports whether r is a POST with a multipart/form-data body.
func (multipartTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method == http.MethodPost && requestMediaType(r) == "multipart/form-data"
}

// Do reads the "operations" and "map" fields and the files of a multipart
// request, puts each file into the variables at its mapped paths and runs
// the operation. The files are closed and temporary files removed after
// the response.
func (t multipartTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	var opened []io.Closer
	defer func() {
		for _, f := range opened {
			_ = f.Close()
		}
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}()
	serve(w, r, exec, func() (*graphql.RawParams, *apperr.Error) { return t.read(r, &opened) })
}

func (t multipartTransport) read(r *http.Request, opened *[]io.Closer) (*graphql.RawParams, *apperr.Error) {
	if err := r.ParseMultipartForm(t.maxMemory); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, errPayloadTooLarge()
		}
		return nil, apperr.InvalidField("body", "multipart 请求体无法解析").WithReason("MALFORMED_MULTIPART")
	}
	form := r.MultipartForm
	if len(form.Value["operations"]) != 1 {
		return nil, apperr.InvalidField("operations", "multipart 请求必须有且只有一个 operations 字段").WithReason("MISSING")
	}
	raw, perr := rawFromJSON([]byte(form.Value["operations"][0]), "operations")
	if perr != nil {
		return nil, perr
	}
	params, perr := raw.params()
	if perr != nil {
		return nil, perr
	}
	var fileMap map[string][]string
	if len(form.Value["map"]) != 1 || json.Unmarshal([]byte(form.Value["map"][0]), &fileMap) != nil {
		return nil, apperr.InvalidField("map", "map 字段必须是把文件名映射到变量路径列表的 JSON 对象").WithReason("MALFORMED_MAP")
	}
	for key, paths := range fileMap {
		if len(form.File[key]) != 1 || len(paths) == 0 {
			return nil, apperr.InvalidField("map", "map 中的文件 %q 缺失或没有路径", key).WithReason("MISSING_FILE")
		}
		fh := form.File[key][0]
		for _, path := range paths {
			f, err := fh.Open()
			if err != nil {
				return nil, apperr.InvalidField("map", "文件 %q 无法读取", key).WithReason("MALFORMED_MULTIPART")
			}
			*opened = append(*opened, f)
			up := graphql.Upload{File: f, Filename: fh.Filename, Size: fh.Size, ContentType: fh.Header.Get("Content-Type")}
			if !setVariable(params.Variables, path, up) {
				return nil, apperr.InvalidField("map", "文件 %q 的路径 %q 不指向 variables 中的空位", key, path).WithReason("BAD_PATH")
			}
		}
	}
	return params, nil
}

// setVariable puts v at path ("variables.in.files.0") inside vars, where
// the client left a null placeholder. It reports false for a path that does
// not lead to an existing map key or list element.
func setVariable(vars map[string]any, path string, v any) bool {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || parts[0] != "variables" || vars == nil {
		return false
	}
	var cur any = vars
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		switch c := cur.(type) {
		case map[string]any:
			if _, ok := c[p]; !ok {
				return false
			}
			if last {
				c[p] = v
				return true
			}
			cur = c[p]
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(c) {
				return false
			}
			if last {
				c[n] = v
				return true
			}
			cur = c[n]
		default:
			return false
		}
	}
	return false
}

// Supports takes every request: this transport is the last one.
func (rejectTransport) Supports(*http.Request) bool { return true }

// Do answers 405 for a method other than GET and POST, 415 for a POST body
// that is neither JSON nor multipart, and 400 for anything else (a
// WebSocket upgrade: the API has no subscriptions).
func (rejectTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMediaType(r.Header.Get("Accept"))
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodPost:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		writeTransportError(w, r, exec, media, http.StatusMethodNotAllowed,
			apperr.New(apperr.Invalid, "GraphQL 接口只接受 GET 和 POST 请求").WithReason("METHOD_NOT_ALLOWED"))
	case r.Method == http.MethodPost && r.Header.Get("Upgrade") == "":
		writeTransportError(w, r, exec, media, http.StatusUnsupportedMediaType,
			apperr.InvalidField("Content-Type", "POST 请求的 Content-Type 必须是 application/json 或 multipart/form-data").WithReason("UNSUPPORTED_MEDIA_TYPE"))
	default:
		writeTransportError(w, r, exec, media, http.StatusBadRequest,
			apperr.New(apperr.Invalid, "不支持协议升级（本接口没有订阅）").WithReason("UPGRADE_NOT_SUPPORTED"))
	}
}

// serve reads a request's parameters with read and runs them; a request
// that read refuses is answered with its error (400, 413 or 415).
func serve(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, read func() (*graphql.RawParams, *apperr.Error)) {
	start := graphql.Now()
	media := responseMediaType(r.Header.Get("Accept"))
	params, perr := read()
	if perr != nil {
		writeTransportError(w, r, exec, media, transportStatus(perr), perr)
		return
	}
	execute(w, r, exec, media, params, start)
}

// execute runs a checked request: a request error (parse, validation,
// variable coercion, persisted-query miss, cost limits) is answered without
// "data"; an executed operation with it. GET runs queries only (405).
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, params *graphql.RawParams, start time.Time) {
	ctx := r.Context()
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeRequestErrors(w, media, requestErrorStatus(media, firstCode(resp.Errors)), resp)
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeTransportError(w, r, exec, media, http.StatusMethodNotAllowed,
			apperr.InvalidField("query", "GET 请求只能执行查询（query），变更请用 POST").WithReason("METHOD_NOT_ALLOWED"))
		return
	}
	handler, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := handler(ctx)
	if resp == nil {
		// The request's context ended before a response was made.
		writeTransportError(w, r, exec, media, requestErrorStatus(media, apperr.Unavailable), apperr.New(apperr.Unavailable, "请求已取消或超时"))
		return
	}
	if resp.Data == nil {
		// Nothing was executed: a request error.
		writeRequestErrors(w, media, requestErrorStatus(media, firstCode(resp.Errors)), resp)
		return
	}
	writeResponse(w, media, resp)
}

// writeResponse writes an executed operation's response. gqlgen has already
// encoded "data" as compact JSON; encoding/json would validate and compact
// those bytes once more (a second pass over a whole page of a list), so the
// envelope is encoded without it and "data" is copied in as it is. The
// members keep encoding/json's order: errors, data, then the rest.
func writeResponse(w http.ResponseWriter, media string, resp *graphql.Response) {
	rest, err := json.Marshal(struct {
		Label      string         `json:"label,omitempty"`
		Path       ast.Path       `json:"path,omitempty"`
		HasNext    *bool          `json:"hasNext,omitempty"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
	var errs []byte
	if err == nil && len(resp.Errors) > 0 {
		errs, err = json.Marshal(resp.Errors)
	}
	if err != nil {
		writeJSON(w, media, http.StatusOK, resp) // answers INTERNAL
		return
	}
	data := []byte(resp.Data)
	if len(data) == 0 {
		data = []byte("null") // as encoding/json writes a nil RawMessage
	}
	body := make([]byte, 0, len(data)+len(errs)+len(rest)+24)
	body = append(body, '{')
	if errs != nil {
		body = append(append(append(body, `"errors":`...), errs...), ',')
	}
	body = append(append(body, `"data":`...), data...)
	if len(rest) > 2 { // not "{}"
		body = append(append(body, ','), rest[1:len(rest)-1]...)
	}
	body = append(body, '}')
	writeBody(w, media, http.StatusOK, body)
}

// rawRequest holds a request's four parameters as JSON before checking;
// a nil field was absent.
type rawRequest struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
	// field prefixes error fields ("operations" in multipart requests).
	field string
}

// rawFromBody reads a POST body (already limited by withBodyLimit).
func rawFromBody(r *http.Request) (rawRequest, *apperr.Error) {
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == mediaJSON {
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return rawRequest{}, apperr.InvalidField("Content-Type", "请求体必须使用 UTF-8 编码").WithReason("UNSUPPORTED_CHARSET")
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return rawRequest{}, errPayloadTooLarge()
		}
		return rawRequest{}, apperr.InvalidField("body", "请求体无法读取").WithReason("UNREADABLE")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return rawRequest{}, apperr.InvalidField("body", "请求体为空").WithReason("MISSING")
	}
	return rawFromJSON(body, "")
}

// rawFromJSON decodes a JSON object holding the request's parameters.
func rawFromJSON(body []byte, field string) (rawRequest, *apperr.Error) {
	name := field
	if name == "" {
		name = "body"
	}
	if !json.Valid(body) {
		return rawRequest{}, apperr.InvalidField(name, "请求体不是合法的 JSON").WithReason("MALFORMED_JSON")
	}
	var raw rawRequest
	if err := json.Unmarshal(body, &raw); err != nil {
		return rawRequest{}, apperr.InvalidField(name, "请求体必须是 JSON 对象（不支持批量请求）").WithReason("NOT_AN_OBJECT")
	}
	raw.field = field
	return raw, nil
}

// rawFromQueryString reads the parameters of a GET request: query and
// operationName as they are, variables and extensions as JSON text.
func rawFromQueryString(rawQuery string) (rawRequest, *apperr.Error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return rawRequest{}, apperr.InvalidField("query", "URL 查询参数无法解析").WithReason("MALFORMED_QUERY_STRING")
	}
	var raw rawRequest
	for name, dst := range map[string]*json.RawMessage{"query": &raw.Query, "operationName": &raw.OperationName} {
		if q.Has(name) {
			*dst, _ = json.Marshal(q.Get(name))
		}
	}
	for name, dst := range map[string]*json.RawMessage{"variables": &raw.Variables, "extensions": &raw.Extensions} {
		if v := q.Get(name); v != "" {
			if !json.Valid([]byte(v)) {
				return rawRequest{}, apperr.InvalidField(name, "参数 %s 不是合法的 JSON", name).WithReason("MALFORMED_JSON")
			}
			*dst = json.RawMessage(v)
		}
	}
	return raw, nil
}

// params checks the parameters' types: query and operationName strings,
// variables and extensions objects (each may be null or absent), and a
// query unless a persisted query's hash stands for it.
func (raw rawRequest) params() (*graphql.RawParams, *apperr.Error) {
	p := &graphql.RawParams{}
	if perr := raw.decodeString(raw.Query, "query", &p.Query); perr != nil {
		return nil, perr
	}
	if perr := raw.decodeString(raw.OperationName, "operationName", &p.OperationName); perr != nil {
		return nil, perr
	}
	if perr := raw.decodeObject(raw.Variables, "variables", &p.Variables); perr != nil {
		return nil, perr
	}
	if perr := raw.decodeObject(raw.Extensions, "extensions", &p.Extensions); perr != nil {
		return nil, perr
	}
	if isNull(raw.Query) && p.Extensions["persistedQuery"] == nil {
		return nil, apperr.InvalidField(raw.name("query"), "缺少 query 参数").WithReason("MISSING")
	}
	return p, nil
}

func (raw rawRequest) name(field string) string {
	if raw.field == "" {
		return field
	}
	return raw.field + "." + field
}

func (raw rawRequest) decodeString(msg json.RawMessage, field string, dst *string) *apperr.Error {
	if isNull(msg) {
		return nil
	}
	if json.Unmarshal(msg, dst) != nil {
		return apperr.InvalidField(raw.name(field), "参数 %s 必须是字符串", field).WithReason("TYPE")
	}
	return nil
}

// decodeObject decodes a JSON object keeping numbers as json.Number, as
// gqlgen's scalars expect.
func (raw rawRequest) decodeObject(msg json.RawMessage, field string, dst *map[string]any) *apperr.Error {
	if isNull(msg) {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(msg)))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil || *dst == nil {
		return apperr.InvalidField(raw.name(field), "参数 %s 必须是 JSON 对象", field).WithReason("TYPE")
	}
	return nil
}

func isNull(msg json.RawMessage) bool {
	s := strings.TrimSpace(string(msg))
	return s == "" || s == "null"
}

// requestMediaType is the media type of the request's Content-Type, or "".
func requestMediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// responseMediaType negotiates the response's media type from an Accept
// header (RFC 9110 §12.5.1): the type with the higher q-value wins; on a tie
// an explicitly named type beats one matched by a wildcard, and of two named
// ones application/graphql-response+json wins, of two wildcards
// application/json. No Accept, or one that accepts neither, gets
// application/json (the specification lets a server disregard Accept).
func responseMediaType(accept string) string {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON
	}
	type match struct {
		q           float64
		specificity int // 0 */*, 1 application/*, 2 the exact type; -1 no match
	}
	best := func(mediaType string) match {
		m := match{specificity: -1}
		for part := range strings.SplitSeq(accept, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			spec := -1
			switch {
			case mt == mediaType:
				spec = 2
			case mt == "application/*":
				spec = 1
			case mt == "*/*":
				spec = 0
			}
			if spec <= m.specificity {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
			m = match{q: q, specificity: spec}
		}
		return m
	}
	js, gr := best(mediaJSON), best(mediaGraphQLResponse)
	switch {
	case js.specificity < 0 && gr.specificity < 0, js.q == 0 && gr.q == 0:
		return mediaJSON
	case gr.q != js.q:
		if gr.q > js.q {
			return mediaGraphQLResponse
		}
		return mediaJSON
	case gr.specificity > js.specificity || (gr.specificity == 2 && js.specificity == 2):
		return mediaGraphQLResponse
	default:
		return mediaJSON
	}
}

// requestErrorStatus is the status of a response without "data" whose
// first error has code: 200 with application/json; with
// application/graphql-response+json the status the code calls for, 400 by
// default.
func requestErrorStatus(media string, code apperr.Code) int {
	if media == mediaJSON {
		return http.StatusOK
	}
	if s, ok := requestErrorStatuses[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// firstCode is extensions.code of the first error, or "".
func firstCode(errs gqlerror.List) apperr.Code {
	if len(errs) == 0 {
		return ""
	}
	code, _ := errs[0].Extensions["code"].(string)
	return apperr.Code(code)
}

var requestErrorStatuses = map[apperr.Code]int{
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.RateLimited:     http.StatusTooManyRequests,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	apperr.Internal:        http.StatusInternalServerError,
}

// transportStatus is the status of a request that is not a well-formed
// GraphQL-over-HTTP request: 413 for a body over the limit, 415 for a
// charset other than UTF-8, else 400.
func transportStatus(e *apperr.Error) int {
	switch {
	case e.Code == codePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case e.Reason == "UNSUPPORTED_CHARSET":
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusBadRequest
	}
}

// codePayloadTooLarge is the code of a body over CW_MAX_BODY_BYTES or
// CW_MAX_UPLOAD_BYTES (413).
const codePayloadTooLarge apperr.Code = "PAYLOAD_TOO_LARGE"

func errPayloadTooLarge() *apperr.Error {
	return &apperr.Error{Code: codePayloadTooLarge, Message: "请求体超过大小限制"}
}

// writeTransportError presents e through the API's error presenter (so it
// gets the request ID and is counted) and writes it without "data".
func writeTransportError(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, status int, e *apperr.Error) {
	resp := exec.DispatchError(r.Context(), gqlerror.List{{Message: e.Message, Err: e}})
	writeRequestErrors(w, media, status, resp)
}

// writeRequestErrors writes a response that has errors and no "data" entry.
func writeRequestErrors(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	writeJSON(w, media, status, struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
}

func writeJSON(w http.ResponseWriter, media string, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"errors":[{"message":"内部错误","extensions":{"code":"INTERNAL"}}]}`)
	}
	writeBody(w, media, status, body)
}

// writeBody writes a JSON body of media type media with status.
func writeBody(w http.ResponseWriter, media string, status int, body []byte) {
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
