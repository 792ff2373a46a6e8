package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpCollector is an OTLP/HTTP trace receiver (protobuf) that keeps what
// it is sent.
type otlpCollector struct {
	mu    sync.Mutex
	raw   [][]byte
	spans []collectedSpan
	// services are the resources' service.name values.
	services []string
}

type collectedSpan struct {
	scope string
	*tracepb.Span
}

func (s collectedSpan) traceID() string  { return hex.EncodeToString(s.TraceId) }
func (s collectedSpan) spanID() string   { return hex.EncodeToString(s.SpanId) }
func (s collectedSpan) parentID() string { return hex.EncodeToString(s.ParentSpanId) }

// attr is the attribute's value as text (string arrays joined by commas).
func (s collectedSpan) attr(key string) string {
	for _, kv := range s.Attributes {
		if kv.Key != key {
			continue
		}
		switch v := kv.Value.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			return v.StringValue
		case *commonpb.AnyValue_IntValue:
			return strconv.FormatInt(v.IntValue, 10)
		case *commonpb.AnyValue_ArrayValue:
			var parts []string
			for _, e := range v.ArrayValue.GetValues() {
				parts = append(parts, e.GetStringValue())
			}
			return strings.Join(parts, ",")
		}
	}
	return ""
}

func startCollector(t *testing.T) (*otlpCollector, string) {
	t.Helper()
	c := &otlpCollector{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		raw, err := io.ReadAll(body)
		var req coltrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(raw, &req)
		}
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || err != nil {
			http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.raw = append(c.raw, raw)
		for _, rs := range req.ResourceSpans {
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.Key == "service.name" {
					c.services = append(c.services, kv.Value.GetStringValue())
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, sp := range ss.Spans {
					c.spans = append(c.spans, collectedSpan{scope: ss.GetScope().GetName(), Span: sp})
				}
			}
		}
		c.mu.Unlock()
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(ts.Close)
	return c, ts.URL
}

// trace returns the collected spans of one trace.
func (c *otlpCollector) trace(id string) []collectedSpan {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []collectedSpan
	for _, s := range c.spans {
		if s.traceID() == id {
			out = append(out, s)
		}
	}
	return out
}

// within reports whether span s is anc or beneath it in spans.
func within(spans []collectedSpan, s collectedSpan, anc string) bool {
	byID := map[string]collectedSpan{}
	for _, x := range spans {
		byID[x.spanID()] = x
	}
	for id := s.spanID(); id != ""; {
		if id == anc {
			return true
		}
		next, ok := byID[id]
		if !ok {
			return false
		}
		id = next.parentID()
	}
	return false
}

// R7.2: with CW_OTEL_ENDPOINT set, a GraphQL request becomes one trace
// exported over OTLP/HTTP: the HTTP request's span continues the caller's
// traceparent, the operation's span is its child, and the SQL statements
// and Redis commands the operation runs are spans beneath it. No span,
// attribute or resource carries the password, the token, the phone number
// or any other value of the request; failed operations carry their error
// codes; background work makes no traces.
func TestR7_2_TracingExportsOneTracePerRequest(t *testing.T) {
	col, url := startCollector(t)
	env := testEnv(t)
	env["CW_OTEL_ENDPOINT"] = url
	env["CW_OTEL_SAMPLE_RATIO"] = "1"
	env["CW_OTEL_SERVICE_NAME"] = "creditwater-test"
	h := newHarness(t, env)
	if h.srv.DB().Callback().Query().Get("tracing:start_query") == nil {
		t.Fatal("the SQL callbacks are not registered")
	}

	const password, wrongPassword, phone = "demo-admin-pass", "wrong-pass-Zq81x", "0571-8765 4321"
	call := func(traceID, parentID, token, query string, vars map[string]any) gqlResponse {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, raw := h.do(req, map[string]string{"traceparent": "00-" + traceID + "-" + parentID + "-01"})
		return h.decode(resp.StatusCode, raw)
	}
	const login = `mutation Login($u:String!,$p:String!){staffLogin(input:{username:$u,password:$p}){token user{id version}}}`
	loginTrace, callerSpan := randHex(16), randHex(8)
	r := call(loginTrace, callerSpan, "", login, map[string]any{"u": "admin", "p": password})
	var in struct {
		StaffLogin struct {
			Token string
			User  struct {
				ID      string
				Version int
			}
		} `json:"staffLogin"`
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &in) != nil || in.StaffLogin.Token == "" {
		t.Fatalf("login: %s", r.Raw)
	}
	token := in.StaffLogin.Token
	badTrace := randHex(16)
	if r := call(badTrace, randHex(8), "", login, map[string]any{"u": "admin", "p": wrongPassword}); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("wrong password: %s", r.Raw)
	}
	phoneTrace := randHex(16)
	const setPhone = `mutation SetPhone($u:ID!,$p:String!,$v:Int!){setWorkPhone(input:{userId:$u,workPhone:$p,version:$v}){user{workPhone}}}`
	if r := call(phoneTrace, randHex(8), token, setPhone, map[string]any{"u": in.StaffLogin.User.ID, "p": phone, "v": in.StaffLogin.User.Version}); len(r.Errors) > 0 {
		t.Fatalf("setWorkPhone: %s", r.Raw)
	}
	// The requests' spans end before the HTTP server closes; closing the
	// service flushes the exporter.
	h.ts.Close()
	h.srv.Close()

	spans := col.trace(loginTrace)
	var httpSpan, opSpan collectedSpan
	for _, s := range spans {
		switch s.Name {
		case "POST /graphql":
			httpSpan = s
		case "mutation Login":
			opSpan = s
		}
	}
	if httpSpan.Span == nil || opSpan.Span == nil {
		t.Fatalf("the login's trace lacks the HTTP or the operation span: %v", names(spans))
	}
	if httpSpan.parentID() != callerSpan || httpSpan.Kind != tracepb.Span_SPAN_KIND_SERVER || httpSpan.attr("http.route") != "/graphql" ||
		httpSpan.attr("http.response.status_code") != "200" {
		t.Errorf("HTTP span: parent %s (want the caller's %s), kind %v, attributes %v", httpSpan.parentID(), callerSpan, httpSpan.Kind, httpSpan.Attributes)
	}
	if opSpan.parentID() != httpSpan.spanID() || opSpan.attr("graphql.operation.type") != "mutation" || opSpan.attr("graphql.operation.name") != "Login" {
		t.Errorf("operation span: parent %s, attributes %v", opSpan.parentID(), opSpan.Attributes)
	}
	var sql, redis int
	for _, s := range spans {
		if !within(spans, s, opSpan.spanID()) || s.Kind != tracepb.Span_SPAN_KIND_CLIENT {
			continue
		}
		switch {
		case s.attr("db.system.name") == "redis" || strings.Contains(s.scope, "redisotel"):
			redis++
		case s.attr("db.query.text") != "":
			sql++
		}
	}
	if sql == 0 || redis == 0 {
		t.Errorf("the login's operation has %d SQL and %d Redis spans beneath it: %v", sql, redis, names(spans))
	}

	failed := col.trace(badTrace)
	if i := slices.IndexFunc(failed, func(s collectedSpan) bool { return s.Name == "mutation Login" }); i < 0 ||
		failed[i].Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || failed[i].attr("graphql.error.codes") != "UNAUTHENTICATED" {
		t.Errorf("the failed login's operation span: %v", failed)
	}
	update := slices.IndexFunc(col.trace(phoneTrace), func(s collectedSpan) bool { return strings.HasPrefix(s.Name, "UPDATE users") })
	if update < 0 || !strings.Contains(col.trace(phoneTrace)[update].attr("db.query.text"), "?") {
		t.Errorf("setWorkPhone's trace has no UPDATE users span with its statement: %v", names(col.trace(phoneTrace)))
	}

	col.mu.Lock()
	defer col.mu.Unlock()
	for _, s := range col.spans {
		if id := s.traceID(); id != loginTrace && id != badTrace && id != phoneTrace {
			t.Errorf("span %q (scope %s) belongs to no request's trace", s.Name, s.scope)
		}
	}
	if len(col.services) == 0 || slices.ContainsFunc(col.services, func(s string) bool { return s != "creditwater-test" }) {
		t.Errorf("service.name: %v", col.services)
	}
	for _, raw := range col.raw {
		for _, secret := range []string{password, wrongPassword, phone, "8765", token, h.cfg.Storage.RedisPrefix} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("an export carries %q", secret)
			}
		}
	}
}

func names(spans []collectedSpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// R7.4: without CW_OTEL_ENDPOINT nothing of tracing is installed: the
// process-wide tracer provider is untouched (and records nothing), no SQL
// callback is registered, no exporter goroutine runs, and a caller's
// traceparent changes nothing.
func TestR7_4_TracingOffInstallsNothing(t *testing.T) {
	before := otel.GetTracerProvider()
	h := newHarness(t, testEnv(t))
	if otel.GetTracerProvider() != before {
		t.Error("the global tracer provider was replaced")
	}
	if _, span := otel.Tracer("probe").Start(context.Background(), "probe"); span.IsRecording() || span.SpanContext().IsValid() {
		t.Error("the global tracer records spans")
	}
	if h.srv.DB().Callback().Query().Get("tracing:start_query") != nil {
		t.Error("SQL tracing callbacks are registered")
	}
	body, _ := json.Marshal(map[string]any{"query": `{__typename}`})
	if r := h.post("", body, map[string]string{"traceparent": "00-" + randHex(16) + "-" + randHex(8) + "-01"}); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("a request with a traceparent: %s", r.Raw)
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if strings.Contains(stacks, "go.opentelemetry.io/otel/sdk/trace") || strings.Contains(stacks, "otlptrace") {
		t.Error("a tracing goroutine runs")
	}
}
