package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"creditwater/models"
)

// listPage is one page of a connection named by the query's only field.
type listPage struct {
	Edges []struct {
		Cursor string
		Node   struct{ ID string }
	}
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
	TotalCount int
}

// pageThrough reads every page of the list field with the filter, first
// items at a time, and returns the IDs in order with the totalCount of the
// first page.
func pageThrough(t *testing.T, h *harness, tok, field, filterType string, filter map[string]any, first int) ([]string, int) {
	t.Helper()
	q := fmt.Sprintf(`query($f:%s,$n:Int,$after:String){%s(filter:$f,first:$n,after:$after){edges{cursor node{id}} pageInfo{hasNextPage endCursor} totalCount}}`, filterType, field)
	var ids []string
	total := -1
	var after any
	for range 50 {
		var out map[string]json.RawMessage
		h.must(tok, q, map[string]any{"f": filter, "n": first, "after": after}, &out)
		var p listPage
		if err := json.Unmarshal(out[field], &p); err != nil {
			t.Fatal(err)
		}
		if total == -1 {
			total = p.TotalCount
		}
		for _, e := range p.Edges {
			ids = append(ids, e.Node.ID)
		}
		if !p.PageInfo.HasNextPage {
			return ids, total
		}
		after = *p.PageInfo.EndCursor
	}
	t.Fatalf("%s: no last page", field)
	return nil, 0
}

// checkList asserts that each filter's pages hold exactly want items,
// newest (highest ID) first, without repeats, and that totalCount agrees.
func checkList(t *testing.T, h *harness, tok, field, filterType string, cases map[string]struct {
	f    map[string]any
	want int
}) {
	t.Helper()
	for name, c := range cases {
		ids, total := pageThrough(t, h, tok, field, filterType, c.f, 3)
		desc := slices.Clone(ids)
		slices.Sort(desc)
		slices.Reverse(desc)
		if len(ids) != c.want || total != c.want || !slices.Equal(ids, desc) || len(slices.Compact(desc)) != c.want {
			t.Errorf("%s %s: %v (totalCount %d), want %d newest first", field, name, ids, total, c.want)
		}
	}
}

// checkRefusals asserts that a tampered cursor and a cursor of another
// list are INVALID (field after), and that enterprise users and anonymous
// callers are refused.
func checkRefusals(t *testing.T, h *harness, staff, field, otherCursor string) {
	t.Helper()
	var out map[string]json.RawMessage
	h.must(staff, fmt.Sprintf(`{%s(first:1){edges{cursor} pageInfo{hasNextPage endCursor}}}`, field), nil, &out)
	var p listPage
	if err := json.Unmarshal(out[field], &p); err != nil || p.PageInfo.EndCursor == nil {
		t.Fatalf("%s: no cursor: %v", field, err)
	}
	cur := *p.PageInfo.EndCursor
	tampered := cur[:len(cur)-2] + "AA"
	if cur[len(cur)-2:] == "AA" {
		tampered = cur[:len(cur)-2] + "BB"
	}
	q := fmt.Sprintf(`query($after:String){%s(after:$after){totalCount}}`, field)
	for name, after := range map[string]string{"tampered": tampered, "not base64": "%%%", "another list": otherCursor} {
		r := h.gql(staff, q, map[string]any{"after": after})
		if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "after" {
			t.Errorf("%s, %s cursor: %s", field, name, r.Raw)
		}
	}
	if r := h.gql(staff, fmt.Sprintf(`{%s(first:101){totalCount}}`, field), nil); r.code() != "INVALID" {
		t.Errorf("%s, first 101: %s", field, r.Raw)
	}
	ent := h.consented("opslists-" + field)
	list := fmt.Sprintf(`{%s{edges{node{id}}}}`, field)
	if r := h.gql(ent, list, nil); r.code() != "FORBIDDEN" {
		t.Errorf("enterprise user, %s: %s", field, r.Raw)
	}
	if r := h.gql("", list, nil); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous, %s: %s", field, r.Raw)
	}
}

// seedID is the n-th of a series of time-ordered IDs older than any the
// server makes.
func seedID(n int) string { return fmt.Sprintf("00000000-0000-7000-8000-%012d", n) }

// R8.1, R1.3: staff list cases newest first by state, kind, subject and
// opening time, with keyset pages and totalCount; a case opened by one
// staff member is found by another and confirmed with the listed ID; bad
// cursors are INVALID; enterprise users and anonymous callers are refused.
func TestR8_1_CasesList(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	db := h.srv.DB()
	u1, u2 := "91440300MA5FCASE1X", "91440300MA5FCASE2X"
	s1 := models.Subject{Kind: models.SubjectEnterprise, Name: "韶关案件测试一厂", USCC: &u1}
	s2 := models.Subject{Kind: models.SubjectEnterprise, Name: "韶关案件测试二厂", USCC: &u2}
	for _, s := range []*models.Subject{&s1, &s2} {
		if err := db.Create(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	kinds := []models.RecordKind{models.KindTheft, models.KindViolation, models.KindBrokenPromise}
	for i := range 11 {
		vc := models.ViolationCase{CaseNo: fmt.Sprintf("SEED-%02d", i), SubjectID: []string{s1.ID, s2.ID}[i%2], Kind: kinds[i%3],
			Severity: models.Severity("GENERAL"), Description: "测试案件", OccurredOn: base, Status: models.CaseOpen, RecordedBy: "seed"}
		if i%4 == 3 {
			vc.Status = models.CaseDismissed
		}
		vc.ID, vc.CreatedAt, vc.UpdatedAt = seedID(i), base.Add(time.Duration(i)*time.Hour), base
		if err := db.Create(&vc).Error; err != nil {
			t.Fatal(err)
		}
	}
	checkList(t, h, staff, "cases", "CaseFilter", map[string]struct {
		f    map[string]any
		want int
	}{
		"all":           {nil, 11},
		"subject":       {map[string]any{"subjectId": s1.ID}, 6},
		"kind":          {map[string]any{"kind": "THEFT"}, 4},
		"status":        {map[string]any{"status": "DISMISSED"}, 2},
		"time":          {map[string]any{"from": "2026-05-01T10:00:00+08:00", "to": "2026-05-01T13:00:00+08:00"}, 3},
		"kind, subject": {map[string]any{"kind": "THEFT", "subjectId": s1.ID}, 2},
	})

	// Another staff member finds the case the opener saw and confirms it.
	var opened struct {
		OpenCase struct{ Case struct{ ID string } }
	}
	h.must(staff, `mutation($s:ID!,$t:Time!){openCase(input:{caseNo:"SG-LIST-1",subjectId:$s,kind:THEFT,severity:SERIOUS,description:"绕表用水",evidence:"现场照片",occurredOn:$t}){case{id}}}`,
		map[string]any{"s": s2.ID, "t": "2026-05-02T00:00:00+08:00"}, &opened)
	officer := h.staffToken("officer", "demo-officer-pass")
	var open struct {
		Cases struct {
			Edges []struct {
				Node struct {
					ID, CaseNo, Status string
					Version            int
				}
			}
		}
	}
	h.must(officer, `{cases(filter:{status:OPEN},first:1){edges{node{id caseNo status version}}}}`, nil, &open)
	if len(open.Cases.Edges) != 1 || open.Cases.Edges[0].Node.ID != opened.OpenCase.Case.ID || open.Cases.Edges[0].Node.CaseNo != "SG-LIST-1" {
		t.Fatalf("newest open case: %+v, want %s", open.Cases.Edges, opened.OpenCase.Case.ID)
	}
	var confirmed struct {
		ConfirmCase struct{ Case struct{ Status string } }
	}
	h.must(officer, `mutation($c:ID!,$v:Int!){confirmCase(input:{caseId:$c,note:"核实属实",version:$v}){case{status}}}`, map[string]any{"c": open.Cases.Edges[0].Node.ID, "v": open.Cases.Edges[0].Node.Version}, &confirmed)
	if confirmed.ConfirmCase.Case.Status != "CONFIRMED" {
		t.Errorf("confirmed: %+v", confirmed)
	}
	if ids, _ := pageThrough(t, h, staff, "cases", "CaseFilter", map[string]any{"status": "CONFIRMED"}, 5); !slices.Equal(ids, []string{opened.OpenCase.Case.ID}) {
		t.Errorf("confirmed cases: %v", ids)
	}

	var jobs struct {
		ImportJobs struct{ PageInfo struct{ EndCursor *string } }
	}
	seedJobs(t, h, 1)
	h.must(staff, `{importJobs(first:1){pageInfo{endCursor}}}`, nil, &jobs)
	checkRefusals(t, h, staff, "cases", *jobs.ImportJobs.PageInfo.EndCursor)
}

// seedJobs stores n import jobs: kinds ACCOUNTS, BILLS, PAYMENTS in turn,
// every fourth from the second FAILED, started one hour apart from
// 2026-06-01 00:00 UTC.
func seedJobs(t *testing.T, h *harness, n int) {
	t.Helper()
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		j := models.ImportJob{Kind: []string{"ACCOUNTS", "BILLS", "PAYMENTS"}[i%3], FileName: fmt.Sprintf("f%d.csv", i), Status: "DONE", StartedBy: "seed"}
		if i%4 == 1 {
			j.Status, j.Message = "FAILED", "无法读取文件"
		}
		j.ID, j.CreatedAt, j.UpdatedAt = seedID(i), base.Add(time.Duration(i)*time.Hour), base
		if err := h.srv.DB().Create(&j).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// R8.1, R1.1: staff list billing import jobs newest first by kind, state
// and start time, with keyset pages and totalCount; bad cursors are
// INVALID; enterprise users and anonymous callers are refused.
func TestR8_1_ImportJobsList(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	seedJobs(t, h, 9)
	// The demo data has import jobs of its own: bound to the seeded month.
	june := func(f map[string]any) map[string]any {
		if f == nil {
			f = map[string]any{}
		}
		f["from"], f["to"] = "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"
		return f
	}
	checkList(t, h, staff, "importJobs", "ImportJobFilter", map[string]struct {
		f    map[string]any
		want int
	}{
		"all":          {june(nil), 9},
		"kind":         {june(map[string]any{"kind": "BILLS"}), 3},
		"status":       {june(map[string]any{"status": "FAILED"}), 2},
		"kind, status": {june(map[string]any{"kind": "BILLS", "status": "FAILED"}), 1},
		"time":         {map[string]any{"from": "2026-06-01T11:00:00+08:00", "to": "2026-06-01T14:00:00+08:00"}, 3},
	})
	var failed struct {
		ImportJobs struct {
			Edges []struct {
				Node struct {
					FileName, Status, Kind string
					Message                *string
				}
			}
		}
	}
	h.must(staff, `{importJobs(filter:{status:FAILED,to:"2026-07-01T00:00:00Z"},first:1){edges{node{fileName status kind message}}}}`, nil, &failed)
	if e := failed.ImportJobs.Edges; len(e) != 1 || e[0].Node.FileName != "f5.csv" || e[0].Node.Kind != "PAYMENTS" || e[0].Node.Message == nil {
		t.Errorf("newest failed job: %+v", e)
	}
	var cases struct {
		Cases struct{ PageInfo struct{ EndCursor *string } }
	}
	if err := h.srv.DB().Create(&models.ViolationCase{CaseNo: "SEED-X", SubjectID: "s", Kind: models.KindTheft, Severity: models.Severity("GENERAL"),
		Description: "测试", OccurredOn: time.Now(), Status: models.CaseOpen, RecordedBy: "seed"}).Error; err != nil {
		t.Fatal(err)
	}
	h.must(staff, `{cases(first:1){pageInfo{endCursor}}}`, nil, &cases)
	checkRefusals(t, h, staff, "importJobs", *cases.Cases.PageInfo.EndCursor)
}
