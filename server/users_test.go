package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// R8.1: each user-management mutation works for an ADMIN and is audited,
// and is refused for every other role (FORBIDDEN) and for anonymous
// callers (UNAUTHENTICATED) without changing anything.
func TestUserManagementMutations_R8_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	others := map[string]string{
		"ANON":           "",
		"ENTERPRISE":     h.wechatToken("mgmt"),
		"STAFF":          h.staffToken("staff", "demo-staff-pass"),
		"CREDIT_OFFICER": h.staffToken("officer", "demo-officer-pass"),
	}
	id := h.createStaff(admin, "target.user", "target-password", "STAFF")
	ops := []struct {
		name, query, action string
		vars                map[string]any
	}{
		{"disableUser", qDisable, "user.disable", map[string]any{"id": id, "v": 1}},
		{"enableUser", qEnable, "user.enable", map[string]any{"id": id, "v": 2}},
		{"changeUserRole", qChangeRole, "user.role_change", map[string]any{"id": id, "role": "CREDIT_OFFICER", "v": 3}},
		{"resetUserPassword", qResetPw, "user.password_reset", map[string]any{"id": id, "p": "another-password"}},
		{"endUserSessions", qEndSessions, "user.sessions_end", map[string]any{"id": id}},
	}
	state := func() string {
		var u struct {
			User struct {
				Role     string
				Disabled bool
				Version  int
			}
		}
		h.must(admin, `query($id:ID!){user(id:$id){role disabled version}}`, map[string]any{"id": id}, &u)
		b, _ := json.Marshal(u)
		var gen int64
		h.srv.DB().Table("users").Select("session_gen").Where("id = ?", id).Scan(&gen)
		return fmt.Sprintf("%s gen=%d", b, gen)
	}
	for _, op := range ops {
		before := state()
		for role, tok := range others {
			want := "FORBIDDEN"
			if role == "ANON" {
				want = "UNAUTHENTICATED"
			}
			if r := h.gql(tok, op.query, op.vars); r.code() != want {
				t.Errorf("%s as %s: %s, want %s", op.name, role, r.Raw, want)
			}
		}
		if after := state(); after != before {
			t.Errorf("%s refused but the user changed: %s → %s", op.name, before, after)
		}
		if r := h.gql(admin, op.query, op.vars); len(r.Errors) > 0 {
			t.Fatalf("%s as ADMIN: %s", op.name, r.Raw)
		}
		var log struct {
			AuditLog struct {
				TotalCount int
				Edges      []struct {
					Node struct{ SubjectID, ActorRole, Purpose string }
				}
			} `json:"auditLog"`
		}
		h.must(admin, `query($a:String){auditLog(filter:{action:$a}){totalCount edges{node{subjectId actorRole purpose}}}}`, map[string]any{"a": op.action}, &log)
		if log.AuditLog.TotalCount != 1 || log.AuditLog.Edges[0].Node.SubjectID != id || log.AuditLog.Edges[0].Node.ActorRole != "ADMIN" || log.AuditLog.Edges[0].Node.Purpose == "" {
			t.Errorf("audit of %s: %+v", op.name, log.AuditLog)
		}
	}
	var u struct{ User struct{ Role string } }
	h.must(admin, `query($id:ID!){user(id:$id){role}}`, map[string]any{"id": id}, &u)
	if u.User.Role != "CREDIT_OFFICER" {
		t.Errorf("role after changeUserRole: %q", u.User.Role)
	}
	if tok := h.staffToken("target.user", "another-password"); tok == "" {
		t.Error("reset password does not work")
	}
}

// R8.1: stale versions, unknown users, bad input and users without a
// password are refused with typed errors; a mutation that changes nothing
// writes nothing.
func TestUserManagementRefusals_R8_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	id := h.createStaff(admin, "stale.user", "stale-password", "STAFF")
	etok := h.wechatToken("no-password")
	eid, _ := h.me(etok)
	for _, c := range []struct {
		name, query string
		vars        map[string]any
		code, more  string
	}{
		{"stale version", qDisable, map[string]any{"id": id, "v": 7}, "CONFLICT", "STALE_VERSION"},
		{"unknown user", qDisable, map[string]any{"id": "00000000-0000-0000-0000-000000000000", "v": 1}, "NOT_FOUND", ""},
		{"empty reason", `mutation($id:ID!){disableUser(input:{userId:$id,version:1,reason:"  "}){user{id}}}`, map[string]any{"id": id}, "INVALID", "reason"},
		{"short password", qResetPw, map[string]any{"id": id, "p": "short"}, "INVALID", "newPassword"},
		{"enterprise role", qChangeRole, map[string]any{"id": id, "role": "ENTERPRISE", "v": 1}, "INVALID", "role"},
		{"password of a WeChat user", qResetPw, map[string]any{"id": eid, "p": "long-enough-pw"}, "FAILED_PRECONDITION", "NOT_A_STAFF_USER"},
		{"role of a WeChat user", qChangeRole, map[string]any{"id": eid, "role": "STAFF", "v": 1}, "FAILED_PRECONDITION", "NOT_A_STAFF_USER"},
	} {
		r := h.gql(admin, c.query, c.vars)
		if r.code() != c.code {
			t.Errorf("%s: %s, want %s", c.name, r.Raw, c.code)
			continue
		}
		if c.more != "" && r.reason() != c.more && r.Errors[0].Extensions["field"] != c.more {
			t.Errorf("%s: %s, want reason or field %s", c.name, r.Raw, c.more)
		}
	}
	// Enabling an active user changes nothing and is not audited.
	var out struct {
		EnableUser struct{ User struct{ Version int } } `json:"enableUser"`
	}
	h.must(admin, qEnable, map[string]any{"id": id, "v": 1}, &out)
	if out.EnableUser.User.Version != 1 {
		t.Errorf("version after a no-op: %d", out.EnableUser.User.Version)
	}
	var n int64
	h.srv.DB().Table("audit_entries").Where("action LIKE ?", "user.%").Where("action <> ?", "user.create").Count(&n)
	if n != 0 {
		t.Errorf("%d audit entries for refused or no-op mutations", n)
	}
}

// R8.1: the last active admin can neither disable nor demote themself
// (FAILED_PRECONDITION LAST_ADMIN); with a second admin they can.
func TestLastActiveAdmin_R8_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	id, v := h.me(admin)
	if r := h.gql(admin, qDisable, map[string]any{"id": id, "v": v}); r.code() != "FAILED_PRECONDITION" || r.reason() != "LAST_ADMIN" {
		t.Fatalf("disable self as the last admin: %s", r.Raw)
	}
	if r := h.gql(admin, qChangeRole, map[string]any{"id": id, "role": "STAFF", "v": v}); r.code() != "FAILED_PRECONDITION" || r.reason() != "LAST_ADMIN" {
		t.Fatalf("demote self as the last admin: %s", r.Raw)
	}
	second := h.createStaff(admin, "second.admin", "second-password", "ADMIN")
	// A disabled admin does not count as an active one.
	h.must(admin, qDisable, map[string]any{"id": second, "v": 1}, nil)
	if r := h.gql(admin, qChangeRole, map[string]any{"id": id, "role": "STAFF", "v": v}); r.reason() != "LAST_ADMIN" {
		t.Fatalf("demote self with only a disabled second admin: %s", r.Raw)
	}
	h.must(admin, qEnable, map[string]any{"id": second, "v": 2}, nil)
	var out struct {
		ChangeUserRole struct{ SessionsEnded int } `json:"changeUserRole"`
	}
	h.must(admin, qChangeRole, map[string]any{"id": id, "role": "STAFF", "v": v}, &out)
	if out.ChangeUserRole.SessionsEnded != 1 {
		t.Errorf("own sessions ended: %d", out.ChangeUserRole.SessionsEnded)
	}
	if r := h.gql(admin, `{me{id}}`, nil); r.code() != "UNAUTHENTICATED" {
		t.Errorf("own old token after self-demotion: %s", r.Raw)
	}
}

// R8.1: users is a keyset-paged connection with filters by role, disabled
// and a query on the normalised username or the display name; staff see
// only active staff users' names; an enterprise user and anonymous callers
// are refused.
func TestUsersFiltersAndPaging_R8_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	ids := map[string]string{}
	for _, u := range []struct{ name, role string }{
		{"Zhang.Wei", "STAFF"}, {"li.na", "STAFF"}, {"wang.fang", "CREDIT_OFFICER"}, {"chen.jie", "STAFF"},
	} {
		ids[u.name] = h.createStaff(admin, u.name, "paging-password", u.role)
	}
	h.must(admin, qDisable, map[string]any{"id": ids["chen.jie"], "v": 1}, nil)
	h.wechatToken("paging-enterprise")

	type page struct {
		Users struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Cursor string
				Node   struct {
					ID, Role, DisplayName string
					Username              *string
					Disabled              bool
				}
			}
		}
	}
	const q = `query($f:UsersFilter,$n:Int,$a:String){users(filter:$f,first:$n,after:$a){totalCount pageInfo{hasNextPage endCursor} edges{cursor node{id role displayName username disabled}}}}`
	list := func(tok string, f map[string]any, n int) (all []string, total int) {
		t.Helper()
		var after any
		for range 20 {
			var p page
			h.must(tok, q, map[string]any{"f": f, "n": n, "a": after}, &p)
			total = p.Users.TotalCount
			for _, e := range p.Users.Edges {
				all = append(all, e.Node.ID)
				if tok != admin && e.Node.Username != nil {
					t.Errorf("staff see a username: %+v", e.Node)
				}
			}
			if len(p.Users.Edges) > n {
				t.Fatalf("page of %d for first:%d", len(p.Users.Edges), n)
			}
			if !p.Users.PageInfo.HasNextPage {
				return all, total
			}
			if p.Users.PageInfo.EndCursor == nil || *p.Users.PageInfo.EndCursor != p.Users.Edges[len(p.Users.Edges)-1].Cursor {
				t.Fatalf("endCursor %v is not the last edge's cursor", p.Users.PageInfo.EndCursor)
			}
			after = *p.Users.PageInfo.EndCursor
		}
		t.Fatal("paging does not end")
		return nil, 0
	}
	// Everyone: 3 demo staff + 4 new + 1 enterprise user, in pages of 3.
	all, total := list(admin, nil, 3)
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			t.Errorf("user %s on two pages", id)
		}
		seen[id] = true
	}
	if len(all) != 8 || total != 8 {
		t.Errorf("all users: %d listed, totalCount %d; want 8", len(all), total)
	}
	for _, c := range []struct {
		name string
		f    map[string]any
		want []string
	}{
		{"role", map[string]any{"role": "CREDIT_OFFICER", "query": "."}, []string{"wang.fang"}},
		{"disabled", map[string]any{"disabled": true}, []string{"chen.jie"}},
		{"query on the normalised username", map[string]any{"query": "ＺＨＡＮＧ"}, []string{"Zhang.Wei"}},
		{"query with a LIKE wildcard", map[string]any{"query": "%"}, nil},
		{"active staff matching a", map[string]any{"role": "STAFF", "disabled": false, "query": "n"}, []string{"Zhang.Wei", "li.na"}},
	} {
		got, total := list(admin, c.f, 1)
		if len(got) != len(c.want) || total != len(c.want) {
			t.Errorf("%s: %d users (totalCount %d), want %v", c.name, len(got), total, c.want)
			continue
		}
		for i, name := range c.want {
			if got[i] != ids[name] {
				t.Errorf("%s: user %d is %s, want %s", c.name, i, got[i], name)
			}
		}
	}
	// Staff see the 6 active staff users (demo staff + three new), names only.
	staffTok := h.staffToken("staff", "demo-staff-pass")
	if got, total := list(staffTok, nil, 4); len(got) != 6 || total != 6 {
		t.Errorf("staff see %d users (totalCount %d), want 6 active staff", len(got), total)
	}
	if got, _ := list(staffTok, map[string]any{"disabled": true}, 4); len(got) != 0 {
		t.Errorf("staff see disabled users: %v", got)
	}
	for tok, want := range map[string]string{h.wechatToken("paging-enterprise"): "FORBIDDEN", "": "UNAUTHENTICATED"} {
		if r := h.gql(tok, q, nil); r.code() != want {
			t.Errorf("users as %q: %s, want %s", want, r.Raw, want)
		}
	}
	for _, c := range []struct {
		vars  map[string]any
		field string
	}{
		{map[string]any{"a": "not-a-cursor"}, "after"},
		{map[string]any{"n": 0}, "first"},
		{map[string]any{"n": 101}, "first"},
		{map[string]any{"f": map[string]any{"query": strings.Repeat("x", 65)}}, "filter.query"},
	} {
		if r := h.gql(admin, q, c.vars); r.code() != "INVALID" || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%v: %s, want INVALID %s", c.vars, r.Raw, c.field)
		}
	}
}

// R8.1: user(id) shows an admin everything, anyone themself, staff another
// staff user's name only; anything else is NOT_FOUND.
func TestUserVisibility_R8_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	staff := h.staffToken("staff", "demo-staff-pass")
	ent := h.wechatToken("visibility")
	adminID, _ := h.me(admin)
	staffID, _ := h.me(staff)
	entID, _ := h.me(ent)
	const q = `query($id:ID!){user(id:$id){id role displayName username lastLoginAt}}`
	type view struct {
		User struct {
			ID, Role, DisplayName string
			Username, LastLoginAt *string
		}
	}
	for _, c := range []struct {
		who, tok, id string
		code         string
		full         bool
	}{
		{"admin → staff", admin, staffID, "", true},
		{"admin → enterprise", admin, entID, "", true},
		{"staff → admin", staff, adminID, "", false},
		{"staff → self", staff, staffID, "", true},
		{"staff → enterprise", staff, entID, "NOT_FOUND", false},
		{"enterprise → self", ent, entID, "", true},
		{"enterprise → staff", ent, staffID, "NOT_FOUND", false},
		{"anonymous → staff", "", staffID, "UNAUTHENTICATED", false},
	} {
		r := h.gql(c.tok, q, map[string]any{"id": c.id})
		if r.code() != c.code {
			t.Errorf("%s: %s, want %q", c.who, r.Raw, c.code)
			continue
		}
		if c.code != "" {
			continue
		}
		var v view
		_ = json.Unmarshal(r.Data, &v)
		if v.User.ID != c.id || v.User.DisplayName == "" {
			t.Errorf("%s: %s", c.who, r.Raw)
		}
		full := v.User.LastLoginAt != nil
		if full != c.full {
			t.Errorf("%s: full view %v, want %v (%s)", c.who, full, c.full, r.Raw)
		}
	}
}
