package server_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"creditwater/models"
)

// seedQueue stores n applications of two subjects straight into the
// database: every third is VIP, every second asked for credit handling,
// submitted one hour apart from 2026-03-01, alternating SUBMITTED and
// ACCEPTED. It returns the subjects' IDs.
func seedQueue(t *testing.T, h *harness, n int) (string, string) {
	t.Helper()
	db := h.srv.DB()
	u1, u2 := "91440300MA5FLIST1X", "91440300MA5FLIST2X"
	s1 := models.Subject{Kind: models.SubjectEnterprise, Name: "韶关清泉水务测试公司", USCC: &u1}
	s2 := models.Subject{Kind: models.SubjectEnterprise, Name: "乳源山水饮品厂", USCC: &u2}
	for _, s := range []*models.Subject{&s1, &s2} {
		if err := db.Create(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		subj, status := s1.ID, models.AppSubmitted
		if i%2 == 1 {
			subj, status = s2.ID, models.AppAccepted
		}
		at := base.Add(time.Duration(i) * time.Hour)
		app := models.Application{SubjectID: subj, UserID: "seed", IdempotencyKey: fmt.Sprintf("seed-%04d", i), Channel: "COUNTER",
			Address: "韶关市浈江区测试路1号", Land: models.LandOwnBuildingOnStateLand, Category: "OTHER", ContactName: "张三",
			WantsCredit: i%2 == 0, Status: status, VIP: i%3 == 0, SubmittedAt: at, StepSince: at}
		if err := db.Create(&app).Error; err != nil {
			t.Fatal(err)
		}
	}
	return s1.ID, s2.ID
}

// queueIDs reads the queue query q with vars page after page (at most
// ten) and returns the application IDs in order.
func queueIDs(h *harness, token, q string, vars map[string]any) []string {
	var got []string
	vars = maps.Clone(vars)
	for range 10 {
		var p appPage
		h.must(token, q, vars, &p)
		for _, e := range p.Applications.Edges {
			got = append(got, e.Node.ID)
		}
		if !p.Applications.PageInfo.HasNextPage {
			break
		}
		vars["after"] = *p.Applications.PageInfo.EndCursor
	}
	return got
}

type appPage struct {
	Applications struct {
		Edges []struct {
			Cursor string
			Node   struct {
				ID          string
				Vip         bool
				SubmittedAt time.Time
				Status      string
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
		TotalCount int
	}
}

// R8.1, R3.2: the staff queue filters by status, subject, zero-document
// path, VIP, submission time and keyword; pages follow keyset cursors in
// the VIP-first order without gaps or repeats; totalCount counts the
// filter; a tampered cursor, a cursor of another list and an out-of-range
// first are INVALID; an enterprise user is refused.
func TestR8_1_ApplicationQueueFiltersAndPaging(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	s1, s2 := seedQueue(t, h, 13)
	const q = `query($f:ApplicationFilter,$first:Int,$after:String){applications(filter:$f,first:$first,after:$after){
		edges{cursor node{id vip submittedAt}} pageInfo{hasNextPage endCursor} totalCount}}`
	// Five applications have a surveyor (read by its own index on MariaDB).
	var surveyed []string
	if err := h.srv.DB().Model(&models.Application{}).Order("submitted_at").Limit(5).Pluck("id", &surveyed).Error; err != nil {
		t.Fatal(err)
	}
	if err := h.srv.DB().Model(&models.Application{}).Where("id IN ?", surveyed).Update("survey_assignee", "surveyor-1").Error; err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		f    map[string]any
		want int
	}{
		{"all", nil, 13},
		{"submitted", map[string]any{"statuses": []string{"SUBMITTED"}}, 7},
		{"subject", map[string]any{"subjectId": s2}, 6},
		{"zero-document", map[string]any{"zeroDocument": true}, 7},
		{"not zero-document", map[string]any{"zeroDocument": false}, 6},
		{"vip", map[string]any{"vipOnly": true}, 5},
		{"assignee", map[string]any{"assigneeId": "surveyor-1"}, 5},
		{"assignee, submitted", map[string]any{"assigneeId": "surveyor-1", "statuses": []string{"SUBMITTED"}}, 3},
		{"submitted range", map[string]any{"submittedFrom": "2026-03-01T10:00:00+08:00", "submittedTo": "2026-03-01T12:00:00+08:00"}, 2},
		{"keyword: start of the name", map[string]any{"keyword": "韶关清泉"}, 7},
		{"keyword: middle of the name (prefix match only)", map[string]any{"keyword": "清泉"}, 0},
		{"keyword: USCC", map[string]any{"keyword": "91440300MA5FLIST2X"}, 6},
		{"keyword: start of the USCC, any case", map[string]any{"keyword": "91440300ma5flist2"}, 6},
		{"keyword: LIKE wildcards are literal", map[string]any{"keyword": "%清泉"}, 0},
		{"keyword: nothing", map[string]any{"keyword": "不存在的单位"}, 0},
	}
	for _, c := range cases {
		var p appPage
		h.must(staff, q, map[string]any{"f": c.f, "first": 100}, &p)
		if p.Applications.TotalCount != c.want || len(p.Applications.Edges) != c.want {
			t.Errorf("%s: %d edges, totalCount %d, want %d", c.name, len(p.Applications.Edges), p.Applications.TotalCount, c.want)
		}
	}
	var one appPage
	h.must(staff, q, map[string]any{"f": map[string]any{"subjectId": s1}, "first": 1}, &one)
	id := one.Applications.Edges[0].Node.ID
	var byID appPage
	h.must(staff, q, map[string]any{"f": map[string]any{"keyword": id}}, &byID)
	if len(byID.Applications.Edges) != 1 || byID.Applications.Edges[0].Node.ID != id {
		t.Errorf("keyword: application ID: %+v", byID)
	}
	var byIDStart appPage
	h.must(staff, q, map[string]any{"f": map[string]any{"keyword": id[:len(id)-4]}}, &byIDStart)
	if len(byIDStart.Applications.Edges) != 1 || byIDStart.Applications.Edges[0].Node.ID != id {
		t.Errorf("keyword: start of an application ID: %+v", byIDStart)
	}

	// Paging three at a time gives the one-page order.
	var all appPage
	h.must(staff, q, map[string]any{"first": 100}, &all)
	var want, got []string
	for i, e := range all.Applications.Edges {
		want = append(want, e.Node.ID)
		if i > 0 { // VIP first, then oldest
			prev := all.Applications.Edges[i-1].Node
			if prev.Vip == e.Node.Vip && prev.SubmittedAt.After(e.Node.SubmittedAt) || !prev.Vip && e.Node.Vip {
				t.Fatalf("order broken at %d: %+v then %+v", i, prev, e.Node)
			}
		}
	}
	got = queueIDs(h, staff, q, map[string]any{"first": 3})
	if !slices.Equal(got, want) {
		t.Fatalf("paged %v, want %v", got, want)
	}
	// One surveyor's, paged two at a time: the same order restricted.
	var wantSurveyed []string
	for _, id := range want {
		if slices.Contains(surveyed, id) {
			wantSurveyed = append(wantSurveyed, id)
		}
	}
	if got := queueIDs(h, staff, q, map[string]any{"first": 2, "f": map[string]any{"assigneeId": "surveyor-1"}}); !slices.Equal(got, wantSurveyed) {
		t.Errorf("one surveyor's, paged %v, want %v", got, wantSurveyed)
	}

	// Bad cursors and sizes.
	cur := all.Applications.Edges[2].Cursor
	tampered := cur[:len(cur)-2] + "AA"
	if cur[len(cur)-2:] == "AA" {
		tampered = cur[:len(cur)-2] + "BB"
	}
	var users struct {
		Users struct{ PageInfo struct{ EndCursor string } }
	}
	h.must(staff, `{users(first:1){pageInfo{endCursor}}}`, nil, &users)
	for name, vars := range map[string]map[string]any{
		"tampered":      {"after": tampered},
		"not base64":    {"after": "%%%"},
		"another list":  {"after": users.Users.PageInfo.EndCursor},
		"another order": {"after": cur, "o": "NEWEST"},
	} {
		r := h.gql(staff, `query($after:String,$o:ApplicationOrder){applications(after:$after,orderBy:$o){edges{cursor}}}`, vars)
		if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "after" {
			t.Errorf("%s cursor: %s", name, r.Raw)
		}
	}
	for _, first := range []int{0, 101} {
		if r := h.gql(staff, `query($n:Int){applications(first:$n){totalCount}}`, map[string]any{"n": first}); r.code() != "INVALID" {
			t.Errorf("first %d: %s", first, r.Raw)
		}
	}
	if r := h.gql(staff, `{applications(filter:{keyword:"`+fmt.Sprintf("%065d", 1)+`"}){totalCount}}`, nil); r.code() != "INVALID" {
		t.Errorf("long keyword: %s", r.Raw)
	}
	ent := h.consented("lists-ent")
	for _, list := range []string{`{applications{totalCount}}`, `{deadlines{totalCount}}`, `{auditLog{totalCount}}`} {
		if r := h.gql(ent, list, nil); r.code() != "FORBIDDEN" {
			t.Errorf("enterprise user, %s: %s", list, r.Raw)
		}
		if r := h.gql("", list, nil); r.code() != "UNAUTHENTICATED" {
			t.Errorf("anonymous, %s: %s", list, r.Raw)
		}
	}
}

// R8.1, R6.2: the audit log filters by actor, action, target and time and
// pages newest first (time, then ID) without repeats; ADMIN only.
func TestR8_1_AuditLogFiltersAndPaging(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	db := h.srv.DB()
	base := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range 12 {
		e := models.AuditEntry{PublicID: fmt.Sprintf("00000000-0000-7000-8000-%012d", i), At: base.Add(time.Duration(i/2) * time.Minute),
			ActorID: fmt.Sprintf("actor-%d", i%3), Action: []string{"list.a", "list.b"}[i%2], SubjectID: fmt.Sprintf("target-%d", i%4)}
		if err := db.Create(&e).Error; err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($f:AuditLogFilter,$after:String){auditLog(filter:$f,first:5,after:$after){edges{node{id at}} pageInfo{hasNextPage endCursor} totalCount}}`
	type page struct {
		AuditLog struct {
			Edges []struct {
				Node struct {
					ID string
					At time.Time
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
			TotalCount int
		}
	}
	for _, c := range []struct {
		name string
		f    map[string]any
		want int
	}{
		{"actor", map[string]any{"actorId": "actor-1"}, 4},
		{"action", map[string]any{"action": "list.b"}, 6},
		{"target", map[string]any{"subjectId": "target-2"}, 3},
		{"time", map[string]any{"from": "2026-04-01T08:02:00+08:00", "to": "2026-04-01T08:04:00+08:00"}, 4},
		{"action and time", map[string]any{"action": "list.a", "from": "2026-04-01T08:02:00+08:00", "to": "2026-04-01T08:04:00+08:00"}, 2},
	} {
		var seen []string
		var after any
		total := -1
		for range 5 {
			var p page
			h.must(admin, q, map[string]any{"f": c.f, "after": after}, &p)
			if total == -1 {
				total = p.AuditLog.TotalCount
			}
			for i, e := range p.AuditLog.Edges {
				seen = append(seen, e.Node.ID)
				if i > 0 && e.Node.At.After(p.AuditLog.Edges[i-1].Node.At) {
					t.Errorf("%s: not newest first", c.name)
				}
			}
			if !p.AuditLog.PageInfo.HasNextPage {
				break
			}
			after = *p.AuditLog.PageInfo.EndCursor
		}
		sorted := slices.Clone(seen)
		slices.Sort(sorted)
		if len(seen) != c.want || total != c.want || len(slices.Compact(sorted)) != c.want {
			t.Errorf("%s: %d entries (%d distinct), totalCount %d, want %d", c.name, len(seen), len(slices.Compact(sorted)), total, c.want)
		}
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	if r := h.gql(staff, `{auditLog{totalCount}}`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("staff reads the audit log: %s", r.Raw)
	}
}
