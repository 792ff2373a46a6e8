package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"creditwater/store"
	"creditwater/store/storetest"
	"creditwater/wechat/fake"
)

// serveTimed runs one POST /graphql through the server's own handler and
// returns the response with the CPU time and the wall time ServeHTTP took
// (the server's work, with no network in between).
func (h *harness) serveTimed(body []byte) (gqlResponse, time.Duration, time.Duration) {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	var wall time.Duration
	cpu := onThreadCPU(func() {
		start := time.Now()
		h.srv.Handler().ServeHTTP(rec, req)
		wall = time.Since(start)
	})
	out := gqlResponse{Status: rec.Code, Raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		h.t.Fatalf("response is not JSON (%d): %s", rec.Code, rec.Body.String())
	}
	return out, cpu, wall
}

func (r gqlResponse) ext(key string) any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions[key]
}

func repeatedTypename(n int) []byte {
	body, _ := json.Marshal(map[string]any{"query": "{" + strings.Repeat("__typename ", n) + "}"})
	return body
}

// noErrorLogs fails the test when the server logged anything at ERROR.
func (h *harness) noErrorLogs() {
	h.t.Helper()
	if lines := h.logs.lines(slog.LevelError); len(lines) > 0 {
		h.t.Errorf("logged at ERROR: %s", strings.Join(lines, ""))
	}
}

// R7.3: a query's cost is bounded before validation. 50,000 repeated
// fields (550 KB, 108 s of CPU before) are refused by the default limits in
// under 100 ms of the handler's CPU time (the token limit stops the lexer;
// well under a second of wall time on a busy machine). With the token limit
// lifted the field limit refuses them on the parse tree, before validation,
// in a fraction of a second (parsing 550 KB). Deep and wide queries and
// fragment bombs are refused; normal queries and the playground's
// introspection still work.
func TestQueryCostBoundedBeforeValidation_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	env := testEnv(t)
	env["CW_GRAPHQL_MAX_TOKENS"] = "1000000"
	lifted := newHarness(t, env)

	huge := repeatedTypename(50000)
	for _, tc := range []struct {
		name            string
		h               *harness
		reason          string
		maxCPU, maxWall time.Duration
	}{
		{"token limit", h, "TOKEN_LIMIT", 100 * time.Millisecond, time.Second},
		{"field limit", lifted, "FIELD_LIMIT", time.Second, 5 * time.Second},
	} {
		r, cpu, wall := tc.h.serveTimed(huge)
		if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" || r.ext("reason") != tc.reason || r.ext("limit") == nil {
			t.Fatalf("%s: 50,000 fields: %.300s", tc.name, r.Raw)
		}
		if cpu > tc.maxCPU || wall > tc.maxWall {
			t.Errorf("%s: 50,000 fields took %v of handler CPU time (%v wall), want < %v (%v)", tc.name, cpu, wall, tc.maxCPU, tc.maxWall)
		}
		t.Logf("%s: 50,000 fields refused in %v of CPU time (%v wall)", tc.name, cpu, wall)
	}

	bomb := "query{...F0} "
	for i := range 24 {
		bomb += fmt.Sprintf("fragment F%d on Query{...F%d ...F%d} ", i, i+1, i+1)
	}
	bomb += "fragment F24 on Query{__typename}"
	deep := `{__type(name:"Query"){` + strings.Repeat("ofType{", 24) + "name" + strings.Repeat("}", 24) + "}}"
	for _, tc := range []struct{ name, query, reason string }{
		{"wide", "{" + strings.Repeat("__typename ", 501) + "}", "FIELD_LIMIT"},
		{"aliases", "{" + strings.Repeat("a:__typename ", 600) + "}", "FIELD_LIMIT"},
		{"fragment bomb", bomb, "FIELD_LIMIT"},
		{"unused wide fragment", "{__typename} fragment W on Query{" + strings.Repeat("__typename ", 501) + "}", "FIELD_LIMIT"},
		{"deep", deep, "DEPTH_LIMIT"},
	} {
		r := h.gql("", tc.query, nil)
		if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" || r.ext("reason") != tc.reason || r.Data != nil && string(r.Data) != "null" {
			t.Errorf("%s: %.300s", tc.name, r.Raw)
		}
	}
	// A broken document still gets the parser's own error.
	if r := h.gql("", "{me{id}", nil); r.code() != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("unparseable: %s", r.Raw)
	}

	tok := h.staffToken("staff", "demo-staff-pass")
	var me struct{ Me struct{ Role string } }
	h.must(tok, `query Me{__typename me{id role displayName}}`, nil, &me)
	if me.Me.Role != "STAFF" {
		t.Fatalf("normal query: %+v", me)
	}
	var schema struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	h.must("", introspectionQuery, nil, &schema)
	if len(schema.Schema.Types) < 20 {
		t.Fatalf("introspection: %d types", len(schema.Schema.Types))
	}
	h.noErrorLogs()
}

// introspectionQuery asks what a GraphQL IDE asks on start: every type with
// its fields, arguments, input fields, enum values and type references nine
// wrappers deep.
var introspectionQuery = `query IntrospectionQuery {
  __schema {
    description queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name` + strings.Repeat(" ofType { kind name", 9) + strings.Repeat(" }", 9) + ` }`

// A field with `first` costs its page: 1 + first × its selection, first
// clamped to the largest page (100) and defaulting to the schema's 20, so
// a page of 100 applications is not priced as one.
func TestComplexityWeighsFirst(t *testing.T) {
	env := testEnv(t)
	env["CW_GRAPHQL_COMPLEXITY_LIMIT"] = "200"
	h := newHarness(t, env)
	tok := h.staffToken("staff", "demo-staff-pass")
	// Selection complexity: edges 1 + node (1 + id + status + events (1 + at)) = 6.
	page := func(first string) string {
		decl := ""
		if strings.Contains(first, "$n") {
			decl = "($n:Int)"
		}
		return `query` + decl + `{applications` + first + `{edges{node{id status events{at}}}}}`
	}
	for _, tc := range []struct {
		first string
		vars  map[string]any
		ok    bool
	}{
		{"", nil, true},                                 // default 20: 1 + 20×6 = 121
		{"(first:20)", nil, true},                       // 121
		{"(first:30)", nil, true},                       // 181
		{"(first:40)", nil, false},                      // 241
		{"(first:100)", nil, false},                     // 601
		{"(first:100000)", nil, false},                  // clamped to 100: 601
		{"(first:$n)", map[string]any{"n": 100}, false}, // through a variable
		{"(first:$n)", map[string]any{"n": 5}, true},    // 31
	} {
		r := h.gql(tok, page(tc.first), tc.vars)
		if tc.ok && len(r.Errors) > 0 || !tc.ok && r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("applications%s %v: %.300s", tc.first, tc.vars, r.Raw)
		}
	}
	// Pages in one query add up: 1 + 40 × (totalCount + edges{cursor}) = 121,
	// two of them 242.
	one := `a:applications(first:40){totalCount edges{cursor}}`
	if r := h.gql(tok, "{"+one+"}", nil); len(r.Errors) > 0 {
		t.Errorf("one page: %.300s", r.Raw)
	}
	if r := h.gql(tok, "{"+one+" "+strings.Replace(one, "a:", "b:", 1)+"}", nil); r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("two pages: %.300s", r.Raw)
	}
}

// apqKeys counts the persisted queries in Redis under the server's prefix.
func (h *harness) apqKeys() int {
	h.t.Helper()
	return len(storetest.Keys(h.t, h.srv.Redis(), h.cfg.Storage.RedisPrefix+"apq:*"))
}

func apqBody(query, hash string) []byte {
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		body["query"] = query
	}
	b, _ := json.Marshal(body)
	return b
}

// R7.3: text sent as a persisted query is stored in Redis only when it
// parses, validates, passes the cost limits and fits CW_APQ_MAX_BYTES;
// valid queries keep working by hash, over POST and GET, on every instance.
func TestPersistedQueriesStoredOnlyWhenValid_R7_3(t *testing.T) {
	env := testEnv(t)
	env["CW_APQ_MAX_BYTES"] = "256"
	h := newHarness(t, env)
	tok := h.staffToken("staff", "demo-staff-pass")

	long := `{me{role}} # ` + strings.Repeat("x", 300)
	for _, tc := range []struct{ name, query, hash, code string }{
		{"unparseable", "{me{", "", "GRAPHQL_PARSE_FAILED"},
		{"garbage", strings.Repeat("\x01junk ", 100), "", "GRAPHQL_PARSE_FAILED"},
		{"invalid", "{noSuchField}", "", "GRAPHQL_VALIDATION_FAILED"},
		{"too many fields", "{" + strings.Repeat("__typename ", 600) + "}", "", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"hash of another text", "{me{role}}", sha256Hex("{me{id}}"), ""},
		{"over the size cap", long, "", ""},
	} {
		hash := tc.hash
		if hash == "" {
			hash = sha256Hex(tc.query)
		}
		r := h.post(tok, apqBody(tc.query, hash), nil)
		if tc.code != "" && r.code() != tc.code {
			t.Errorf("%s: %.300s", tc.name, r.Raw)
		}
		if n := h.apqKeys(); n != 0 {
			t.Fatalf("%s: %d persisted queries stored, want none", tc.name, n)
		}
	}
	// The long query itself ran; it is just not kept.
	if r := h.post(tok, apqBody(long, sha256Hex(long)), nil); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "STAFF") {
		t.Errorf("long query did not run: %s", r.Raw)
	}

	q := `query Role{me{role}}`
	hash := sha256Hex(q)
	if r := h.post(tok, apqBody("", hash), nil); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("unknown hash: %s", r.Raw)
	}
	if r := h.post(tok, apqBody(q, hash), nil); len(r.Errors) > 0 {
		t.Fatalf("register: %s", r.Raw)
	}
	if n := h.apqKeys(); n != 1 {
		t.Fatalf("%d persisted queries stored, want 1", n)
	}
	if r := h.post(tok, apqBody("", hash), nil); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "STAFF") {
		t.Fatalf("by hash (POST): %s", r.Raw)
	}
	// Another instance on the same Redis knows it, over GET.
	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["CW_DEMO_DATA"] = "false"
	other := newHarness(t, env2)
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
	code, body := getAuth(t, other.ts.URL+"/graphql?extensions="+url.QueryEscape(ext), tok)
	if code != http.StatusOK || !strings.Contains(body, "STAFF") {
		t.Fatalf("by hash (GET, other instance): %d %s", code, body)
	}
	h.noErrorLogs()
}

// R7.3: without the playground (always so in production) introspection is a
// validation error, not INTERNAL with an ERROR log, and validation errors
// suggest no field names.
func TestIntrospectionOffWithoutPlayground_R7_3(t *testing.T) {
	env := testEnv(t)
	env["CW_PLAYGROUND"] = "false"
	checkIntrospectionOff(t, newHarness(t, env))

	// With the playground the same requests introspect and suggest: the
	// checks above can fail.
	dev := newHarness(t, testEnv(t))
	if r := dev.gql("", `{__schema{queryType{name}}}`, nil); len(r.Errors) > 0 {
		t.Errorf("development introspection: %s", r.Raw)
	}
	if r := dev.gql("", `{mee{id}}`, nil); !strings.Contains(r.Raw, "Did you mean") {
		t.Errorf("development suggestions: %s", r.Raw)
	}
}

func checkIntrospectionOff(t *testing.T, h *harness) {
	t.Helper()
	for _, q := range []string{`{__schema{types{name}}}`, `{__type(name:"Query"){fields{name}}}`, introspectionQuery} {
		r := h.gql("", q, nil)
		if r.code() != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(r.Raw, "internal error") || strings.Contains(r.Raw, "queryType\":{") {
			t.Errorf("introspection %.40q: %.300s", q, r.Raw)
		}
	}
	if r := h.gql("", `{__typename}`, nil); len(r.Errors) > 0 {
		t.Errorf("__typename: %s", r.Raw)
	}
	r := h.gql("", `{mee{id}}`, nil)
	if r.code() != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(r.Raw, "Did you mean") || strings.Contains(r.Raw, `"me"`) {
		t.Errorf("suggestion: %s", r.Raw)
	}
	h.noErrorLogs()
}

// R7.3: the same with CW_ENV=production (needs MariaDB and Redis, as
// production does).
func TestIntrospectionOffInProduction_R7_3(t *testing.T) {
	if os.Getenv("CW_TEST_DATABASE_URL") == "" || os.Getenv("CW_TEST_REDIS_URL") == "" {
		t.Skip("production needs CW_TEST_DATABASE_URL and CW_TEST_REDIS_URL (CI sets them)")
	}
	env := testEnv(t)
	db, err := store.OpenDB(context.Background(), store.DBConfig{URL: env["CW_DATABASE_URL"], MaxOpen: 2, MaxIdle: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	if s, err := db.DB(); err == nil {
		_ = s.Close()
	}
	wx := fake.New()
	t.Cleanup(wx.Close)
	for k, v := range map[string]string{
		"CW_ENV": "production", "CW_WECHAT_APPID": "wx00000000000000a1", "CW_WECHAT_SECRET": "test-secret",
		"CW_WECHAT_BASE_URL": wx.URL(), "CW_CREDIT_PLATFORM_URL": "http://127.0.0.1:1",
		"CW_CREDIT_PLATFORM_KEY": "k", "CW_CREDIT_PLATFORM_SECRET": "s",
		"CW_REGISTRY_URL": "http://127.0.0.1:1", "CW_REGISTRY_KEY": "k", "CW_REGISTRY_SECRET": "s",
		"CW_DATA_KEY": randHex(32), "CW_INDEX_KEY": randHex(32),
	} {
		env[k] = v
	}
	checkIntrospectionOff(t, newHarness(t, env))
}

// R7.3: a malformed value of a custom scalar (Time, Upload) is INVALID
// naming the argument or input field, whether written in the query or sent
// as a variable — not INTERNAL "internal error".
func TestMalformedScalarArguments_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.staffToken("staff", "demo-staff-pass")
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"literal", `{handlingStats(from:"yesterday"){vip}}`, nil, "from"},
		{"number", `{handlingStats(to:5){vip}}`, nil, "to"},
		{"no offset", `{handlingStats(from:"2026-03-01 08:00:00"){vip}}`, nil, "from"},
		{"empty", `{handlingStats(from:""){vip}}`, nil, "from"},
		{"variable", `query($f:Time){handlingStats(from:$f){vip}}`, map[string]any{"f": "2026-13-45T00:00:00Z"}, "from"},
		{"input field", `mutation($t:Time!){scheduleSurvey(input:{applicationId:"x",assigneeId:"y",at:$t}){application{id}}}`,
			map[string]any{"t": "tomorrow"}, "input.at"},
		{"upload as text", `mutation($f:Upload!){importBillingFile(input:{kind:BILLS,file:$f}){job{id}}}`,
			map[string]any{"f": "not a file"}, "input.file"},
		{"evidence list", `mutation($f:Upload!){supplementRepair(input:{repairId:"x",evidence:[$f]}){repair{id}}}`,
			map[string]any{"f": map[string]any{"name": "x"}}, "input.evidence[0]"},
	} {
		r := h.gql(tok, tc.query, tc.vars)
		if r.code() != "INVALID" || r.ext("field") != tc.field || r.ext("reason") != "MALFORMED_VALUE" || strings.Contains(r.Raw, "internal error") {
			t.Errorf("%s: %.400s", tc.name, r.Raw)
		}
	}
	// A well-formed time with its offset still works.
	h.must(tok, `{handlingStats(from:"2026-03-01T08:00:00+08:00"){vip}}`, nil, nil)
	h.noErrorLogs()
}

// A request that outlives CW_GRAPHQL_TIMEOUT stops: resolvers are not
// started and the answer is UNAVAILABLE with retryAfter, not INTERNAL.
func TestRequestDeadline(t *testing.T) {
	env := testEnv(t)
	env["CW_GRAPHQL_TIMEOUT"] = "1ns"
	h := newHarness(t, env)
	r := h.gql("", `{consentTexts{purpose}}`, nil)
	if r.code() != "UNAVAILABLE" || r.ext("reason") != "DEADLINE_EXCEEDED" || r.ext("retryAfter") == nil {
		t.Fatalf("past the deadline: %s", r.Raw)
	}
	h.noErrorLogs()
}

// A database outage answers UNAVAILABLE with retryAfter, logged at WARN and
// never at ERROR, whatever code the domain wrapped the failure in; readyz
// names the database.
func TestDatabaseOutageIsUnavailable(t *testing.T) {
	check := func(t *testing.T, h *harness, tok string) {
		t.Helper()
		for range 3 {
			r := h.gql(tok, `{applications{totalCount}}`, nil)
			if r.code() != "UNAVAILABLE" || r.ext("reason") != "STORAGE_UNAVAILABLE" || r.ext("retryAfter") == nil ||
				strings.Contains(r.Raw, "sql") || strings.Contains(r.Raw, "127.0.0.1") {
				t.Fatalf("database down: %s", r.Raw)
			}
		}
		h.noErrorLogs()
		if len(h.logs.lines(slog.LevelWarn)) == 0 {
			t.Errorf("the outage was not logged at WARN")
		}
		if code, body := get(t, h.ts.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
			t.Errorf("readyz: %d %s", code, body)
		}
	}

	t.Run("pool closed", func(t *testing.T) {
		h := newHarness(t, testEnv(t))
		tok := h.staffToken("staff", "demo-staff-pass")
		h.must(tok, `{applications{totalCount}}`, nil, nil)
		sqlDB, err := h.srv.DB().DB()
		if err != nil {
			t.Fatal(err)
		}
		_ = sqlDB.Close()
		check(t, h, tok)
	})

	t.Run("server gone", func(t *testing.T) {
		if os.Getenv("CW_TEST_DATABASE_URL") == "" {
			t.Skip("needs CW_TEST_DATABASE_URL (runs in CI against MariaDB)")
		}
		env := testEnv(t)
		cfg, err := mysql.ParseDSN(env["CW_DATABASE_URL"])
		if err != nil {
			t.Fatal(err)
		}
		proxy := startProxy(t, cfg.Addr)
		cfg.Addr = proxy.addr()
		env["CW_DATABASE_URL"] = cfg.FormatDSN()
		h := newHarness(t, env)
		tok := h.staffToken("staff", "demo-staff-pass")
		h.must(tok, `{applications{totalCount}}`, nil, nil)
		proxy.cut() // connections reset, new ones refused
		check(t, h, tok)
	})
}

// tcpProxy forwards connections to a database so a test can take the
// database away from a running server.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target}
	t.Cleanup(p.cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}()
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

// cut closes the listener and every forwarded connection.
func (p *tcpProxy) cut() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
