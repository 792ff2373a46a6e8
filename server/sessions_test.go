package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// gqlFrom runs an operation through the real handler as if sent from the
// client address ip (the handler takes the connection's address when no
// trusted proxy is configured).
func (h *harness) gqlFrom(ip, token, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.RemoteAddr = ip + ":40000"
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	return h.decode(rec.Code, rec.Body.Bytes())
}

// twoInstances runs two servers on one database and Redis (the second
// without demo data, as a second instance of a deployment).
func twoInstances(t *testing.T) (*harness, *harness) {
	env := testEnv(t)
	a := newHarness(t, env)
	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["CW_DEMO_DATA"] = "false"
	return a, newHarness(t, env2)
}

func (r gqlResponse) reason() string {
	if len(r.Errors) == 0 {
		return ""
	}
	s, _ := r.Errors[0].Extensions["reason"].(string)
	return s
}

// sessionKey is the Redis key of token's session.
func (h *harness) sessionKey(token string) string {
	return h.cfg.Storage.RedisPrefix + "sess:" + sha256Hex(token)
}

func (h *harness) rdb() redis.UniversalClient { return h.srv.Redis() }

const (
	qCreateStaff = `mutation($u:String!,$p:String!,$role:Role!){createStaffUser(input:{username:$u,password:$p,role:$role,displayName:"测试用户"}){user{id version}}}`
	qDisable     = `mutation($id:ID!,$v:Int!){disableUser(input:{userId:$id,version:$v,reason:"离职"}){user{id disabled version} sessionsEnded}}`
	qEnable      = `mutation($id:ID!,$v:Int!){enableUser(input:{userId:$id,version:$v,reason:"复职"}){user{id disabled version}}}`
	qChangeRole  = `mutation($id:ID!,$role:Role!,$v:Int!){changeUserRole(input:{userId:$id,role:$role,version:$v,reason:"调岗"}){user{id role version} sessionsEnded}}`
	qResetPw     = `mutation($id:ID!,$p:String!){resetUserPassword(input:{userId:$id,newPassword:$p,reason:"忘记密码"}){user{id} sessionsEnded}}`
	qEndSessions = `mutation($id:ID!){endUserSessions(input:{userId:$id,reason:"设备遗失"}){user{id} sessionsEnded}}`
)

// createStaff creates a staff user as the admin and returns its ID.
func (h *harness) createStaff(admin, username, password, role string) string {
	h.t.Helper()
	var out struct {
		CreateStaffUser struct{ User struct{ ID string } } `json:"createStaffUser"`
	}
	h.must(admin, qCreateStaff, map[string]any{"u": username, "p": password, "role": role}, &out)
	return out.CreateStaffUser.User.ID
}

// me returns the ID and version of token's user.
func (h *harness) me(token string) (string, int) {
	h.t.Helper()
	var out struct {
		Me struct {
			ID      string
			Version int
		}
	}
	h.must(token, `{me{id version}}`, nil, &out)
	return out.Me.ID, out.Me.Version
}

// R7.1: a demoted admin's old token is refused on its next request, on
// every instance (UNAUTHENTICATED, reason SESSION_EXPIRED or SESSION_ENDED:
// the session no longer exists, rather than FORBIDDEN for a role it still
// held); logged in again, the user has the new role only.
func TestDemotedAdminOldTokenRefused_R7_1(t *testing.T) {
	a, b := twoInstances(t)
	admin := a.staffToken("admin", "demo-admin-pass")
	id := a.createStaff(admin, "admin2", "admin2-password", "ADMIN")
	tok := a.staffToken("admin2", "admin2-password")
	var me struct{ Me struct{ Role string } }
	b.must(tok, `{me{role}}`, nil, &me) // instance B now holds admin2's state in its cache
	if me.Me.Role != "ADMIN" {
		t.Fatalf("admin2 is %q", me.Me.Role)
	}

	var out struct {
		ChangeUserRole struct {
			User          struct{ Role string }
			SessionsEnded int
		} `json:"changeUserRole"`
	}
	a.must(admin, qChangeRole, map[string]any{"id": id, "role": "STAFF", "v": 1}, &out)
	if out.ChangeUserRole.User.Role != "STAFF" || out.ChangeUserRole.SessionsEnded != 1 {
		t.Fatalf("changeUserRole: %+v", out)
	}
	r := b.gql(tok, qCreateStaff, map[string]any{"u": "evil-admin", "p": "evil-password", "role": "ADMIN"})
	if r.code() != "UNAUTHENTICATED" {
		t.Fatalf("old admin token on instance B: %s", r.Raw)
	}
	if r := a.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("old admin token on instance A: %s", r.Raw)
	}
	var n int64
	if err := a.srv.DB().Table("users").Where("username = ?", "evil-admin").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("the demoted admin created a user (%d, %v)", n, err)
	}
	tok = b.staffToken("admin2", "admin2-password")
	b.must(tok, `{me{role}}`, nil, &me)
	if me.Me.Role != "STAFF" {
		t.Fatalf("after a new login: %q", me.Me.Role)
	}
	if r := b.gql(tok, qCreateStaff, map[string]any{"u": "evil-admin", "p": "evil-password", "role": "ADMIN"}); r.code() != "FORBIDDEN" {
		t.Fatalf("new STAFF token creating an admin: %s", r.Raw)
	}
}

// R7.1: the session is checked against the user's state in the database on
// every request, not only by deleting it from Redis: a session that
// survived in Redis (restored here) is refused once the user is disabled
// (ACCOUNT_DISABLED) and, enabled again, because its generation is over
// (SESSION_ENDED); a refused session is deleted. Disabled users cannot log
// in.
func TestDisabledUserTokenRefused_R7_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	tok := h.staffToken("staff", "demo-staff-pass")
	id, version := h.me(tok)
	ctx := t.Context()
	raw, err := h.rdb().Get(ctx, h.sessionKey(tok)).Result()
	if err != nil {
		t.Fatal(err)
	}

	var dis struct {
		DisableUser struct {
			User struct {
				Disabled bool
				Version  int
			}
			SessionsEnded int
		} `json:"disableUser"`
	}
	h.must(admin, qDisable, map[string]any{"id": id, "v": version}, &dis)
	if !dis.DisableUser.User.Disabled || dis.DisableUser.SessionsEnded != 1 || dis.DisableUser.User.Version != version+1 {
		t.Fatalf("disableUser: %+v", dis)
	}
	if r := h.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("disabled user's token: %s", r.Raw)
	}
	h.rdb().Set(ctx, h.sessionKey(tok), raw, time.Hour)
	if r := h.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" || r.reason() != "ACCOUNT_DISABLED" {
		t.Fatalf("disabled user's session restored in Redis: %s", r.Raw)
	}
	if n := h.rdb().Exists(ctx, h.sessionKey(tok)).Val(); n != 0 {
		t.Errorf("the refused session is still stored")
	}
	if r := h.gql("", loginStaff, map[string]any{"u": "staff", "p": "demo-staff-pass"}); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("disabled user logged in: %s", r.Raw)
	}

	h.must(admin, qEnable, map[string]any{"id": id, "v": version + 1}, nil)
	h.rdb().Set(ctx, h.sessionKey(tok), raw, time.Hour)
	if r := h.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" || r.reason() != "SESSION_ENDED" {
		t.Fatalf("a session of the user's previous generation: %s", r.Raw)
	}
	if tok := h.staffToken("staff", "demo-staff-pass"); tok == "" {
		t.Fatal("enabled user cannot log in")
	}

	// An enterprise user too: disabled, its token and wechatLogin are refused.
	etok := h.wechatToken("disable-me")
	eid, ever := h.me(etok)
	h.must(admin, qDisable, map[string]any{"id": eid, "v": ever}, nil)
	if r := h.gql(etok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("disabled enterprise user's token: %s", r.Raw)
	}
	if r := h.gql("", loginWeChat, map[string]any{"c": "disable-me"}); r.code() != "FORBIDDEN" || r.reason() != "ACCOUNT_DISABLED" {
		t.Fatalf("disabled enterprise user's wechatLogin: %s", r.Raw)
	}
}

// R7.1: resetting a password ends every session of the user at once; the
// old password no longer works and the new one does; the audit entry does
// not hold the password.
func TestResetPasswordEndsSessions_R7_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	tok1 := h.staffToken("officer", "demo-officer-pass")
	tok2 := h.staffToken("officer", "demo-officer-pass")
	id, _ := h.me(tok1)
	var out struct {
		ResetUserPassword struct{ SessionsEnded int } `json:"resetUserPassword"`
	}
	h.must(admin, qResetPw, map[string]any{"id": id, "p": "brand-new-secret-1"}, &out)
	if out.ResetUserPassword.SessionsEnded != 2 {
		t.Errorf("sessionsEnded = %d, want 2", out.ResetUserPassword.SessionsEnded)
	}
	for i, tok := range []string{tok1, tok2} {
		if r := h.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" {
			t.Errorf("session %d after the reset: %s", i+1, r.Raw)
		}
	}
	if r := h.gql("", loginStaff, map[string]any{"u": "officer", "p": "demo-officer-pass"}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("old password: %s", r.Raw)
	}
	if tok := h.staffToken("officer", "brand-new-secret-1"); tok == "" {
		t.Error("new password does not work")
	}
	r := h.gql(admin, `{auditLog(filter:{action:"user.password_reset"}){totalCount edges{node{subjectId purpose}}}}`, nil)
	if !strings.Contains(r.Raw, id) || !strings.Contains(r.Raw, "忘记密码") || strings.Contains(r.Raw, "brand-new-secret-1") {
		t.Errorf("audit of the reset: %s", r.Raw)
	}
	var n int64
	h.srv.DB().Table("audit_entries").Where("detail LIKE ? OR purpose LIKE ?", "%brand-new%", "%brand-new%").Count(&n)
	if n != 0 {
		t.Error("the password is in the audit log")
	}
}

// R7.1: a session ends at its role's absolute lifetime however active it
// is; near the end its Redis TTL is capped to what is left. (The session's
// stored end is moved instead of waiting.)
func TestSessionAbsoluteLifetime_R7_1(t *testing.T) {
	env := testEnv(t)
	env["CW_SESSION_MAX_AGE_STAFF"] = "12h"
	env["CW_SESSION_MAX_AGE_ENTERPRISE"] = "24h"
	h := newHarness(t, env)
	const login = `mutation($u:String!,$p:String!){staffLogin(input:{username:$u,password:$p}){token sessionExpiresAt}}`
	before := time.Now()
	var out struct {
		StaffLogin struct {
			Token            string
			SessionExpiresAt time.Time
		} `json:"staffLogin"`
	}
	h.must("", login, map[string]any{"u": "staff", "p": "demo-staff-pass"}, &out)
	after := time.Now()
	if exp := out.StaffLogin.SessionExpiresAt; exp.Before(before.Add(12*time.Hour-time.Second)) || exp.After(after.Add(12*time.Hour+time.Second)) {
		t.Errorf("staff sessionExpiresAt %v, want 12h after login", exp)
	}
	var wx struct {
		WechatLogin struct{ SessionExpiresAt time.Time } `json:"wechatLogin"`
	}
	before = time.Now()
	h.must("", `mutation{wechatLogin(input:{code:"lifetime"}){sessionExpiresAt}}`, nil, &wx)
	if exp := wx.WechatLogin.SessionExpiresAt; exp.Before(before.Add(24*time.Hour-time.Second)) || exp.After(time.Now().Add(24*time.Hour+time.Second)) {
		t.Errorf("enterprise sessionExpiresAt %v, want 24h after login", exp)
	}

	tok := out.StaffLogin.Token
	ctx := t.Context()
	setEnd := func(end time.Time) {
		t.Helper()
		var sess map[string]any
		if err := json.Unmarshal([]byte(h.rdb().Get(ctx, h.sessionKey(tok)).Val()), &sess); err != nil {
			t.Fatal(err)
		}
		sess["x"] = end.UTC().Format(time.RFC3339Nano)
		raw, _ := json.Marshal(sess)
		if err := h.rdb().Set(ctx, h.sessionKey(tok), raw, redis.KeepTTL).Err(); err != nil {
			t.Fatal(err)
		}
	}
	setEnd(time.Now().Add(30 * time.Second))
	h.must(tok, `{me{id}}`, nil, nil)
	if ttl := h.rdb().PTTL(ctx, h.sessionKey(tok)).Val(); ttl <= 0 || ttl > 30*time.Second {
		t.Errorf("TTL near the end = %v, want at most the 30s left (the sliding TTL is %s)", ttl, h.cfg.Auth.Session.IdleTTL)
	}
	setEnd(time.Now().Add(-time.Second))
	if r := h.gql(tok, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" || r.reason() != "SESSION_MAX_AGE" {
		t.Fatalf("session past its absolute end: %s", r.Raw)
	}
	if h.rdb().Exists(ctx, h.sessionKey(tok)).Val() != 0 {
		t.Error("the ended session is still stored")
	}
}

// R7.2: WeChat's session_key is not kept: the stored session holds only
// the user, role, openid, generation and times.
func TestSessionHoldsNoWeChatSessionKey_R7_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.wechatToken("no-session-key")
	raw, err := h.rdb().Get(t.Context(), h.sessionKey(tok)).Result()
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		t.Fatal(err)
	}
	for k := range fields {
		switch k {
		case "u", "r", "o", "g", "c", "x":
		default:
			t.Errorf("session has field %q: %s", k, raw)
		}
	}
	if fields["o"] == nil || strings.Contains(strings.ToLower(raw), "session") {
		t.Errorf("raw session: %s", raw)
	}
}

// R7.1: "officer", its spellings with a zero-width space, a ligature (ﬁ),
// full-width letters or capitals are one account with one failure budget;
// createStaffUser refuses them as taken or invisible.
func TestLoginThrottleNormalisesUsername_R7_1(t *testing.T) {
	env := testEnv(t)
	env["CW_LOGIN_LIMIT_PER_ACCOUNT"] = "3"
	h := newHarness(t, env)
	for _, u := range []string{"officer\u200b", "of\ufb01cer", "ＯＦＦＩＣＥＲ"} {
		if r := h.gql("", loginStaff, map[string]any{"u": u, "p": "wrong-password"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("%q: %s", u, r.Raw)
		}
	}
	r := h.gql("", loginStaff, map[string]any{"u": "officer", "p": "demo-officer-pass"})
	if r.code() != "RATE_LIMITED" {
		t.Fatalf("officer after three failures under other spellings: %s", r.Raw)
	}
	if ra, _ := r.Errors[0].Extensions["retryAfter"].(float64); ra <= 0 {
		t.Errorf("no retryAfter: %s", r.Raw)
	}
	// The same spellings reach the account: a right password under one of
	// them logs in as officer (from another client, not locked out).
	var me struct{ Me struct{ Username string } }
	var login struct {
		StaffLogin struct{ Token string } `json:"staffLogin"`
	}
	lr := h.gqlFrom("10.9.9.9", "", loginStaff, map[string]any{"u": "Of\ufb01cer", "p": "demo-officer-pass"})
	if len(lr.Errors) > 0 {
		t.Fatalf("login as Oﬃcer: %s", lr.Raw)
	}
	_ = json.Unmarshal(lr.Data, &login)
	h.must(login.StaffLogin.Token, `{me{username}}`, nil, &me)
	if me.Me.Username != "officer" {
		t.Errorf("logged in as %q", me.Me.Username)
	}

	admin := h.staffToken("admin", "demo-admin-pass")
	for u, want := range map[string]string{"of\ufb01cer": "CONFLICT", "OFFICER": "CONFLICT", "officer\u200b": "INVALID"} {
		r := h.gql(admin, qCreateStaff, map[string]any{"u": u, "p": "long-enough-pw", "role": "STAFF"})
		if r.code() != want {
			t.Errorf("createStaffUser %q: %s, want %s", u, r.Raw, want)
		}
	}
}

// R7.1: bad guesses from one client lock the account for that client only:
// the owner logs in from another. Failures across all clients meet a
// higher ceiling, which a client the owner logged in from before is spared.
func TestLoginLockoutIsPerClient_R7_1(t *testing.T) {
	env := testEnv(t)
	env["CW_LOGIN_LIMIT_PER_ACCOUNT"] = "3"
	env["CW_LOGIN_LIMIT_PER_ACCOUNT_TOTAL"] = "5"
	h := newHarness(t, env)
	staff := map[string]any{"u": "staff", "p": "demo-staff-pass"}
	wrong := map[string]any{"u": "staff", "p": "wrong-password"}
	// The owner's usual client.
	if r := h.gqlFrom("10.0.0.9", "", loginStaff, staff); len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	for range 3 {
		if r := h.gqlFrom("10.0.0.1", "", loginStaff, wrong); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("guess from A: %s", r.Raw)
		}
	}
	if r := h.gqlFrom("10.0.0.1", "", loginStaff, staff); r.code() != "RATE_LIMITED" {
		t.Fatalf("A after 3 failures: %s", r.Raw)
	}
	if r := h.gqlFrom("10.0.0.2", "", loginStaff, staff); len(r.Errors) > 0 {
		t.Fatalf("the owner from B is locked out by A's guesses: %s", r.Raw)
	}
	// Two more failures from C reach the all-clients ceiling of 5.
	for range 2 {
		if r := h.gqlFrom("10.0.0.3", "", loginStaff, wrong); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("guess from C: %s", r.Raw)
		}
	}
	if r := h.gqlFrom("10.0.0.4", "", loginStaff, staff); r.code() != "RATE_LIMITED" {
		t.Fatalf("a new client D after 5 failures of the account: %s", r.Raw)
	}
	for _, ip := range []string{"10.0.0.9", "10.0.0.2"} {
		if r := h.gqlFrom(ip, "", loginStaff, staff); len(r.Errors) > 0 {
			t.Fatalf("the owner's known client %s: %s", ip, r.Raw)
		}
	}
}

// R7.1: the per-IP budget counts failures only, and wechatLogin has its
// own budget: successful logins from a shared address consume nothing,
// and staff failures do not block mini-program logins.
func TestLoginIPBudgetCountsFailuresOnly_R7_1(t *testing.T) {
	env := testEnv(t)
	env["CW_LOGIN_LIMIT_PER_IP"] = "3"
	env["CW_WECHAT_LOGIN_LIMIT_PER_IP"] = "2"
	h := newHarness(t, env)
	const ip = "10.1.1.1"
	for i := range 6 {
		if r := h.gqlFrom(ip, "", loginStaff, map[string]any{"u": "staff", "p": "demo-staff-pass"}); len(r.Errors) > 0 {
			t.Fatalf("successful login %d: %s", i+1, r.Raw)
		}
		if r := h.gqlFrom(ip, "", loginWeChat, map[string]any{"c": "shared-" + randHex(3)}); len(r.Errors) > 0 {
			t.Fatalf("successful wechatLogin %d: %s", i+1, r.Raw)
		}
	}
	for _, u := range []string{"nobody-1", "nobody-2", "nobody-3"} {
		if r := h.gqlFrom(ip, "", loginStaff, map[string]any{"u": u, "p": "wrong-password"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("failure for %s: %s", u, r.Raw)
		}
	}
	if r := h.gqlFrom(ip, "", loginStaff, map[string]any{"u": "admin", "p": "demo-admin-pass"}); r.code() != "RATE_LIMITED" {
		t.Fatalf("staff login after 3 failures from the address: %s", r.Raw)
	}
	if r := h.gqlFrom("10.1.1.2", "", loginStaff, map[string]any{"u": "admin", "p": "demo-admin-pass"}); len(r.Errors) > 0 {
		t.Fatalf("another address: %s", r.Raw)
	}
	if r := h.gqlFrom(ip, "", loginWeChat, map[string]any{"c": "after-staff-failures"}); len(r.Errors) > 0 {
		t.Fatalf("wechatLogin shares the staff budget: %s", r.Raw)
	}
	h.srv.WeChatFake().SetAutoLogin(false)
	for range 2 {
		if r := h.gqlFrom(ip, "", loginWeChat, map[string]any{"c": "bad-code-" + randHex(3)}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("bad wechat code: %s", r.Raw)
		}
	}
	h.srv.WeChatFake().AddLoginCode("good-code", "openid-good", "")
	if r := h.gqlFrom(ip, "", loginWeChat, map[string]any{"c": "good-code"}); r.code() != "RATE_LIMITED" {
		t.Fatalf("wechatLogin after its own budget is spent: %s", r.Raw)
	}
}

// R7.1: a burst of parallel guesses does not get past the budget: each
// attempt takes its place before the password is checked.
func TestParallelGuessesStayWithinBudget_R7_1(t *testing.T) {
	env := testEnv(t)
	env["CW_LOGIN_LIMIT_PER_ACCOUNT"] = "3"
	h := newHarness(t, env)
	codes := make([]string, 12)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			codes[i] = h.gqlFrom("10.2.2.2", "", loginStaff, map[string]any{"u": "staff", "p": "wrong-password"}).code()
		})
	}
	wg.Wait()
	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	if count["UNAUTHENTICATED"] != 3 || count["RATE_LIMITED"] != len(codes)-3 {
		t.Fatalf("12 parallel guesses with a budget of 3: %v", count)
	}
}
