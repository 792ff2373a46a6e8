package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"creditwater/graph"
	"creditwater/graph/generated"
)

// R6.1: a new user is registered by the first login; the same openid logs
// in again as the same user; session_key never reaches the client.
func TestWeChatLoginNewAndReturningUser_R6_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	fk := h.srv.WeChatFake()
	fk.SetAutoLogin(false)
	fk.AddLoginCode("code-1", "openid-alice", "union-alice")
	fk.AddLoginCode("code-2", "openid-alice", "union-alice")

	type login struct {
		WechatLogin struct {
			Token   string
			NewUser bool
			User    struct{ ID, Role string }
		} `json:"wechatLogin"`
	}
	var first, second login
	r := h.gql("", loginWeChat, map[string]any{"c": "code-1"})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	_ = json.Unmarshal(r.Data, &first)
	if strings.Contains(strings.ToLower(r.Raw), "session_key") || strings.Contains(r.Raw, "openid-alice") {
		t.Errorf("login response leaks WeChat identifiers: %s", r.Raw)
	}
	h.must("", loginWeChat, map[string]any{"c": "code-2"}, &second)
	if !first.WechatLogin.NewUser || second.WechatLogin.NewUser {
		t.Errorf("newUser: first %v, second %v; want true, false", first.WechatLogin.NewUser, second.WechatLogin.NewUser)
	}
	if first.WechatLogin.User.ID != second.WechatLogin.User.ID || first.WechatLogin.User.Role != "ENTERPRISE" {
		t.Errorf("returning user: %+v vs %+v", first.WechatLogin.User, second.WechatLogin.User)
	}
	var me struct{ Me struct{ ID string } }
	h.must(second.WechatLogin.Token, `{me{id}}`, nil, &me)
	if me.Me.ID != first.WechatLogin.User.ID {
		t.Errorf("me = %q, want %q", me.Me.ID, first.WechatLogin.User.ID)
	}
}

// R6.1: a code WeChat refuses (40029) is UNAUTHENTICATED with a clear message.
func TestWeChatLoginInvalidCode_R6_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	h.srv.WeChatFake().SetAutoLogin(false)
	r := h.gql("", loginWeChat, map[string]any{"c": "not-a-code"})
	if r.code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, "凭证") {
		t.Fatalf("got %s", r.Raw)
	}
	r = h.gql("", loginWeChat, map[string]any{"c": "  "})
	if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "code" {
		t.Fatalf("empty code: %s", r.Raw)
	}
}

// An expired access token (40001) is dropped and fetched again once,
// transparently; the phone number is stored sealed and shown masked (R7.2).
func TestAccessTokenExpiredIsRefreshedOnce(t *testing.T) {
	h := newHarness(t, testEnv(t))
	fk := h.srv.WeChatFake()
	fk.AddPhoneCode("phone-1", "13812345678")
	fk.AddPhoneCode("phone-2", "13912345678")
	tok := h.wechatToken("any-code")
	const bind = `mutation($c:String!){bindPhoneNumber(input:{code:$c}){user{phoneMasked}}}`
	var out struct {
		BindPhoneNumber struct{ User struct{ PhoneMasked string } } `json:"bindPhoneNumber"`
	}
	h.must(tok, bind, map[string]any{"c": "phone-1"}, &out)
	issued := fk.TokenIssued()
	fk.ExpireTokens()
	h.must(tok, bind, map[string]any{"c": "phone-2"}, &out)
	if got := fk.TokenIssued(); got != issued+1 {
		t.Errorf("tokens issued after expiry: %d, want %d", got, issued+1)
	}
	if out.BindPhoneNumber.User.PhoneMasked != "139****5678" {
		t.Errorf("phone = %q", out.BindPhoneNumber.User.PhoneMasked)
	}
	var raw string
	if err := h.srv.DB().Raw("SELECT phone_sealed FROM users WHERE phone_masked = ?", "139****5678").Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	if raw == "" || strings.Contains(raw, "13912345678") {
		t.Errorf("phone stored in the clear or not at all: %q", raw)
	}
}

func TestStaffLoginWrongPasswordThenRateLimited(t *testing.T) {
	env := testEnv(t)
	env["CW_LOGIN_LIMIT_PER_ACCOUNT"] = "3"
	h := newHarness(t, env)
	for i := range 3 {
		r := h.gql("", loginStaff, map[string]any{"u": "staff", "p": "wrong-password"})
		if r.code() != "UNAUTHENTICATED" {
			t.Fatalf("attempt %d: %s", i+1, r.Raw)
		}
	}
	r := h.gql("", loginStaff, map[string]any{"u": "staff", "p": "demo-staff-pass"})
	if r.code() != "RATE_LIMITED" {
		t.Fatalf("after the limit: %s", r.Raw)
	}
	if ra, _ := r.Errors[0].Extensions["retryAfter"].(float64); ra <= 0 {
		t.Errorf("no retryAfter: %s", r.Raw)
	}
	// Another account is not limited by this one.
	if tok := h.staffToken("admin", "demo-admin-pass"); tok == "" {
		t.Fatal("admin login failed")
	}
}

// R7.1: each role × a sample of fields.
func TestRoleMatrix_R7_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	h.srv.WeChatFake().AddPhoneCode("p", "13812345678")
	tokens := map[string]string{
		"ANON":           "",
		"ENTERPRISE":     h.wechatToken("matrix"),
		"STAFF":          h.staffToken("staff", "demo-staff-pass"),
		"CREDIT_OFFICER": h.staffToken("officer", "demo-officer-pass"),
		"ADMIN":          h.staffToken("admin", "demo-admin-pass"),
	}
	fields := []struct {
		name, query string
		allowed     []string
	}{
		{"me", `{me{id}}`, []string{"ENTERPRISE", "STAFF", "CREDIT_OFFICER", "ADMIN"}},
		{"auditLog", `{auditLog(first:1){totalCount}}`, []string{"ADMIN"}},
		{"createStaffUser", `mutation{createStaffUser(input:{username:"u` + randHex(3) + `",password:"long-enough-pw",role:STAFF}){user{id}}}`, []string{"ADMIN"}},
		{"bindPhoneNumber", `mutation{bindPhoneNumber(input:{code:"p"}){user{id}}}`, []string{"ENTERPRISE"}},
	}
	for _, f := range fields {
		for role, tok := range tokens {
			r := h.gql(tok, f.query, nil)
			allowed := false
			for _, a := range f.allowed {
				allowed = allowed || a == role
			}
			want := "FORBIDDEN"
			switch {
			case allowed:
				want = ""
			case role == "ANON":
				want = "UNAUTHENTICATED"
			}
			if f.name == "createStaffUser" && allowed {
				// usernames are random per run; a repeat would be CONFLICT.
				want = ""
			}
			if got := r.code(); got != want {
				t.Errorf("%s as %s: code %q, want %q (%s)", f.name, role, got, want, r.Raw)
			}
		}
	}
}

// R7.1: every root field carries @hasRole or @public, so none is open by
// omission.
func TestEveryRootFieldIsGranted_R7_1(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}, Directives: graph.Directives()}).Schema()
	for _, obj := range []*ast.Definition{schema.Query, schema.Mutation} {
		for _, f := range obj.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Directives.ForName("hasRole") == nil && f.Directives.ForName("public") == nil {
				t.Errorf("%s.%s has neither @hasRole nor @public", obj.Name, f.Name)
			}
		}
	}
}

func TestLogoutInvalidatesToken(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.staffToken("staff", "demo-staff-pass")
	h.must(tok, `mutation{logout{ok}}`, nil, nil)
	if r := h.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("after logout: %s", r.Raw)
	}
}

func TestExpiredSessionIsUnauthenticated(t *testing.T) {
	env := testEnv(t)
	env["CW_SESSION_TTL"] = "1s"
	h := newHarness(t, env)
	tok := h.staffToken("staff", "demo-staff-pass")
	time.Sleep(2100 * time.Millisecond)
	r := h.gql(tok, `{me{id}}`, nil)
	if r.code() != "UNAUTHENTICATED" || r.Errors[0].Extensions["reason"] != "SESSION_EXPIRED" {
		t.Fatalf("expired session: %s", r.Raw)
	}
	// Public fields still work with a stale token.
	if r := h.gql(tok, loginStaff, map[string]any{"u": "staff", "p": "demo-staff-pass"}); len(r.Errors) > 0 {
		t.Fatalf("login with a stale token: %s", r.Raw)
	}
}

// R7.3: bad input gets a typed error and changes nothing.
func TestBadRequests_R7_3(t *testing.T) {
	env := testEnv(t)
	env["CW_MAX_BODY_BYTES"] = "2048"
	env["CW_GRAPHQL_COMPLEXITY_LIMIT"] = "5"
	h := newHarness(t, env)

	r := h.post("", []byte(`{"query": "{me{id}"`), nil)
	if r.Status != http.StatusBadRequest || len(r.Errors) == 0 {
		t.Errorf("malformed JSON: %d %s", r.Status, r.Raw)
	}
	big := `{"query":"{me{id}}","variables":{"pad":"` + strings.Repeat("x", 4096) + `"}}`
	r = h.post("", []byte(big), nil)
	if r.Status != http.StatusRequestEntityTooLarge || r.code() != "PAYLOAD_TOO_LARGE" {
		t.Errorf("large body: %d %s", r.Status, r.Raw)
	}
	// A chunked body (no Content-Length) over the limit is refused the same
	// way when the transport reads past the limit, with the session valid
	// or not.
	for _, tok := range []string{"", "not-a-token"} {
		req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/graphql", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, raw := h.do(req, nil)
		r = h.decode(resp.StatusCode, raw)
		if req.ContentLength != 0 || r.Status != http.StatusRequestEntityTooLarge || r.code() != "PAYLOAD_TOO_LARGE" {
			t.Errorf("large chunked body (token %q): %d %s", tok, r.Status, r.Raw)
		}
	}
	// GET serves queries only: a mutation over GET is refused.
	code, body := get(t, h.ts.URL+"/graphql?query="+url.QueryEscape(`mutation{logout{ok}}`))
	if code == 200 && !strings.Contains(body, "errors") {
		t.Errorf("mutation over GET: %d %s", code, body)
	}
	tok := h.staffToken("admin", "demo-admin-pass")
	r = h.gql(tok, `{a:me{id role} b:me{id role} c:me{id role}}`, nil)
	if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("complex query: %s", r.Raw)
	}
	r = h.gql(tok, `mutation{createStaffUser(input:{username:"x",password:"short",role:STAFF}){user{id}}}`, nil)
	if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "username" {
		t.Errorf("invalid input: %s", r.Raw)
	}
	if strings.Contains(strings.ToLower(r.Raw), "select ") || strings.Contains(r.Raw, "argon") {
		t.Errorf("internal detail leaked: %s", r.Raw)
	}
}

// Automatic persisted queries are kept in Redis.
func TestAutomaticPersistedQuery(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.staffToken("staff", "demo-staff-pass")
	q := `{me{role}}`
	hash := sha256Hex(q)
	ext := `"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
	r := h.post(tok, []byte(`{`+ext+`}`), nil)
	if len(r.Errors) == 0 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: %s", r.Raw)
	}
	if r = h.post(tok, []byte(`{"query":"`+q+`",`+ext+`}`), nil); len(r.Errors) > 0 {
		t.Fatalf("register: %s", r.Raw)
	}
	if r = h.post(tok, []byte(`{`+ext+`}`), nil); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "STAFF") {
		t.Fatalf("by hash: %s", r.Raw)
	}
}
