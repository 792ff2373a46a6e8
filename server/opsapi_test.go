package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
)

// R8.1: staff find a subject by account number, USCC or part of its name;
// anonymous and enterprise users are refused; a too short text is INVALID.
func TestR8_1_SearchSubjects(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	const q = `query($t:String!,$f:Int,$a:String){searchSubjects(query:$t,first:$f,after:$a){totalCount pageInfo{hasNextPage endCursor} edges{cursor node{id name uscc}}}}`
	type result struct {
		SearchSubjects struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Edges []struct {
				Node struct{ ID, Name, Uscc string }
			}
		}
	}
	for _, text := range []string{"DEMO-0002", simulator.EnterpriseWithEntries, "金泉酒店", strings.ToLower(simulator.EnterpriseWithEntries)} {
		var out result
		h.must(staff, q, map[string]any{"t": text}, &out)
		s := out.SearchSubjects
		if s.TotalCount != 1 || len(s.Edges) != 1 || s.Edges[0].Node.Name != "仁化县金泉酒店管理有限公司" {
			t.Errorf("search %q: %+v", text, s)
		}
	}
	// "有限公司" matches both demo enterprises: two pages of one.
	var p1, p2 result
	h.must(staff, q, map[string]any{"t": "有限公司", "f": 1}, &p1)
	if p1.SearchSubjects.TotalCount != 2 || !p1.SearchSubjects.PageInfo.HasNextPage {
		t.Fatalf("page 1: %+v", p1)
	}
	h.must(staff, q, map[string]any{"t": "有限公司", "f": 1, "a": p1.SearchSubjects.PageInfo.EndCursor}, &p2)
	if len(p2.SearchSubjects.Edges) != 1 || p2.SearchSubjects.PageInfo.HasNextPage || p2.SearchSubjects.Edges[0].Node.ID == p1.SearchSubjects.Edges[0].Node.ID {
		t.Fatalf("page 2: %+v", p2)
	}
	// A LIKE wildcard is matched literally.
	var none result
	h.must(staff, q, map[string]any{"t": "%%"}, &none)
	if none.SearchSubjects.TotalCount != 0 {
		t.Errorf("%%%% matched %d", none.SearchSubjects.TotalCount)
	}
	if r := h.gql(staff, q, map[string]any{"t": "x"}); r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "query" {
		t.Errorf("short text: %s", r.Raw)
	}
	if r := h.gql("", q, map[string]any{"t": "DEMO-0002"}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %s", r.Raw)
	}
	if r := h.gql(h.wechatToken("searcher"), q, map[string]any{"t": "DEMO-0002"}); r.code() != "FORBIDDEN" || strings.Contains(r.Raw, "金泉") {
		t.Errorf("enterprise user: %s", r.Raw)
	}
}

// R8.1: the subject's whole picture for staff: accounts, bills (paged),
// records, bindings, profile; refused to an enterprise user.
func TestR8_1_SubjectOverview(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	var found struct {
		SearchSubjects struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	h.must(staff, `{searchSubjects(query:"DEMO-0002"){edges{node{id}}}}`, nil, &found)
	id := found.SearchSubjects.Edges[0].Node.ID
	const q = `query($id:ID!,$a:String){subjectOverview(id:$id){subject{name} profile{tier} bindings{id}
		accounts{totalCount edges{node{accountNo useType}}}
		bills(first:1,after:$a){totalCount pageInfo{hasNextPage endCursor} edges{node{billNo amountFen dueOn}}}
		payments{totalCount} records{totalCount} applications{totalCount} repairs{totalCount} objections{totalCount}}}`
	type bills struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Edges []struct {
			Node struct {
				BillNo    string
				AmountFen int64
			}
		}
	}
	var out struct {
		SubjectOverview struct {
			Subject  struct{ Name string }
			Profile  struct{ Tier string }
			Accounts struct {
				TotalCount int
				Edges      []struct {
					Node struct{ AccountNo, UseType string }
				}
			}
			Bills                                                bills
			Payments, Records, Applications, Repairs, Objections struct{ TotalCount int }
		}
	}
	h.must(staff, q, map[string]any{"id": id}, &out)
	o := out.SubjectOverview
	if o.Subject.Name != "仁化县金泉酒店管理有限公司" || o.Profile.Tier == "" || o.Accounts.TotalCount != 1 || o.Accounts.Edges[0].Node.AccountNo != "DEMO-0002" {
		t.Fatalf("overview: %+v", o)
	}
	amounts := map[string]int64{"DEMO-B-2026-01": 152000, "DEMO-B-2026-02": 138050}
	if o.Bills.TotalCount != 2 || !o.Bills.PageInfo.HasNextPage || len(o.Bills.Edges) != 1 || amounts[o.Bills.Edges[0].Node.BillNo] != o.Bills.Edges[0].Node.AmountFen {
		t.Fatalf("bills page 1: %+v", o.Bills)
	}
	var next struct{ SubjectOverview struct{ Bills bills } }
	h.must(staff, q, map[string]any{"id": id, "a": o.Bills.PageInfo.EndCursor}, &next)
	if b := next.SubjectOverview.Bills; len(b.Edges) != 1 || b.PageInfo.HasNextPage || b.Edges[0].Node.BillNo == o.Bills.Edges[0].Node.BillNo ||
		amounts[b.Edges[0].Node.BillNo] != b.Edges[0].Node.AmountFen {
		t.Fatalf("bills page 2: %+v", b)
	}
	if r := h.gql(staff, q, map[string]any{"id": id, "a": "bogus"}); r.code() != "INVALID" {
		t.Errorf("bad cursor: %s", r.Raw)
	}
	if r := h.gql(h.wechatToken("nosy"), q, map[string]any{"id": id}); r.code() != "FORBIDDEN" || strings.Contains(r.Raw, "DEMO-B") {
		t.Errorf("enterprise user: %s", r.Raw)
	}
}

// R8.1, R2.3: a publication that went DEAD (the platform kept failing) is
// listed with the DEAD filter; staff may not retry it, a credit officer
// may; the retry is audited, idempotent, and the platform then receives it.
func TestR8_1_PublicationsRetryDead(t *testing.T) {
	env := testEnv(t)
	sim := externalPlatform(t, env)
	env["CW_OUTBOX_MAX_ATTEMPTS"] = "1"
	h := newHarness(t, env)
	_, subj, _ := h.signedCommitment("deadpub", simulator.EnterpriseA)
	sim.SetFault(simulator.Fault{Status: http.StatusServiceUnavailable})
	ctx := context.Background()
	for range 5 {
		if _, err := h.srv.Outbox().RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")
	const list = `query($f:PublicationFilter){publications(filter:$f){totalCount edges{node{id kind status attempts lastError aggregateId}}}}`
	type pubs struct {
		Publications struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Kind, Status string
					Attempts         int
					LastError        *string
				}
			}
		}
	}
	var dead pubs
	h.must(staff, list, map[string]any{"f": map[string]any{"status": "DEAD", "kind": "PUBLISH_COMMITMENT", "subjectId": subj}}, &dead)
	if dead.Publications.TotalCount != 1 || dead.Publications.Edges[0].Node.LastError == nil {
		t.Fatalf("DEAD publications: %+v", dead)
	}
	id := dead.Publications.Edges[0].Node.ID
	var other pubs
	h.must(staff, list, map[string]any{"f": map[string]any{"status": "DEAD", "subjectId": "no-such-subject"}}, &other)
	if other.Publications.TotalCount != 0 {
		t.Errorf("another subject's filter found %+v", other)
	}
	if r := h.gql(staff, list, map[string]any{"f": map[string]any{"status": "LOST"}}); r.code() == "" {
		t.Errorf("unknown status accepted: %s", r.Raw)
	}

	const retry = `mutation($id:ID!){retryPublication(input:{id:$id}){publication{id status attempts}}}`
	if r := h.gql(staff, retry, map[string]any{"id": id}); r.code() != "FORBIDDEN" {
		t.Fatalf("staff retried: %s", r.Raw)
	}
	if r := h.gql(h.wechatToken("stranger"), list, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("enterprise user listed publications: %s", r.Raw)
	}
	if r := h.gql(officer, retry, map[string]any{"id": "no-such-key"}); r.code() != "NOT_FOUND" {
		t.Errorf("unknown id: %s", r.Raw)
	}
	sim.SetFault(simulator.Fault{})
	var out struct {
		RetryPublication struct{ Publication struct{ Status string } } `json:"retryPublication"`
	}
	for range 2 { // idempotent: the second retry changes nothing
		h.must(officer, retry, map[string]any{"id": id}, &out)
		if out.RetryPublication.Publication.Status != "PENDING" {
			t.Fatalf("after retry: %+v", out)
		}
	}
	var audits int64
	h.srv.DB().Model(&models.AuditEntry{}).Where("action = ?", "OUTBOX_RETRY").Count(&audits)
	if audits != 1 {
		t.Errorf("%d audit entries, want 1", audits)
	}
	before := len(sim.Publications())
	if _, err := h.srv.Outbox().RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sim.Publications()) != before+1 {
		t.Fatalf("the platform holds %d publications, want %d", len(sim.Publications()), before+1)
	}
	var done pubs
	h.must(staff, list, map[string]any{"f": map[string]any{"kind": "PUBLISH_COMMITMENT", "subjectId": subj}}, &done)
	if done.Publications.Edges[0].Node.Status != "DONE" {
		t.Fatalf("after delivery: %+v", done)
	}
}

// fixtureTime is a time of March 2026 in Asia/Shanghai.
func fixtureTime(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, time.FixedZone("CST", 8*3600))
}

// seedStatsFixture writes a known set of applications, records, repairs,
// objections and subjects.
func seedStatsFixture(t *testing.T, h *harness) {
	t.Helper()
	db := h.srv.DB()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	uscc := func(s string) *string { return &s }
	subjects := []models.Subject{
		{Kind: models.SubjectEnterprise, Name: "甲", USCC: uscc("TEST00000000000001"), Tier: models.TierExcellent},
		{Kind: models.SubjectEnterprise, Name: "乙", USCC: uscc("TEST00000000000002"), Tier: models.TierStandard},
		{Kind: models.SubjectEnterprise, Name: "丙", Tier: models.TierStandard},
	}
	must(db.Create(&subjects).Error)
	sid := subjects[0].ID
	at := func(t time.Time) *time.Time { return &t }
	type ev struct {
		to models.AppStatus
		at time.Time
	}
	app := func(key string, wants bool, submitted time.Time, accepted *time.Time, rating string, checked *time.Time, events ...ev) {
		a := models.Application{SubjectID: sid, UserID: "u", IdempotencyKey: key, Channel: "COUNTER", Address: "地址", Land: models.LandOther,
			Category: "商业", ContactName: "联系人", WantsCredit: wants, Status: models.AppSubmitted, SubmittedAt: submitted, StepSince: submitted,
			AcceptedAt: accepted, Rating: rating, CreditCheckedAt: checked}
		if accepted != nil {
			a.Status = models.AppAccepted
		}
		must(db.Create(&a).Error)
		for _, e := range events {
			must(db.Create(&models.ApplicationEvent{ApplicationID: a.ID, At: e.at, ToStatus: e.to}).Error)
		}
	}
	// Zero-document: 6 h submitted, 18 h after the credit check; 24 h in all.
	app("a", true, fixtureTime(2, 10, 0), at(fixtureTime(3, 10, 0)), "B", at(fixtureTime(2, 16, 0)),
		ev{models.AppSubmitted, fixtureTime(2, 10, 0)}, ev{models.AppCreditChecked, fixtureTime(2, 16, 0)}, ev{models.AppAccepted, fixtureTime(3, 10, 0)})
	// Ordinary: 48 h.
	app("b", false, fixtureTime(9, 9, 0), at(fixtureTime(11, 9, 0)), "", nil,
		ev{models.AppSubmitted, fixtureTime(9, 9, 0)}, ev{models.AppAccepted, fixtureTime(11, 9, 0)})
	// Monday 07:00 in Shanghai is Sunday in UTC: still the week of 9 March.
	app("c", false, fixtureTime(9, 7, 0), nil, "A", at(fixtureTime(9, 8, 0)), ev{models.AppSubmitted, fixtureTime(9, 7, 0)})
	// Outside the period.
	app("d", true, fixtureTime(20, 9, 0), at(fixtureTime(21, 9, 0)), "A", at(fixtureTime(20, 10, 0)),
		ev{models.AppSubmitted, fixtureTime(20, 9, 0)}, ev{models.AppAccepted, fixtureTime(21, 9, 0)})

	rec := func(key string, kind models.RecordKind, status models.RecordStatus, created time.Time) string {
		r := models.DishonestyRecord{SubjectID: sid, Kind: kind, Severity: models.SeverityGeneral, Status: status, SourceKey: key, Source: "TEST",
			BehaviourOn: created, DecidedOn: created}
		r.CreatedAt = created
		must(db.Create(&r).Error)
		return r.ID
	}
	r1 := rec("r1", models.KindArrears, models.RecordActive, fixtureTime(4, 9, 0))
	rec("r2", models.KindArrears, models.RecordActive, fixtureTime(5, 9, 0))
	rec("r3", models.KindTheft, models.RecordRepaired, fixtureTime(6, 9, 0))
	rec("r4", models.KindTheft, models.RecordActive, fixtureTime(25, 9, 0)) // outside

	repair := func(created, due time.Time, decided *time.Time) {
		r := models.RepairRequest{RecordID: r1, SubjectID: sid, FiledBy: "u", Statement: "已整改", CommitmentText: "承诺", CommitmentVersion: "v1",
			CommitmentSHA256: "x", CommitmentSignedAt: created, Status: models.RepairUnderReview, DueAt: due, DecidedAt: decided}
		r.CreatedAt = created
		must(db.Create(&r).Error)
	}
	repair(fixtureTime(2, 9, 0), fixtureTime(5, 18, 0), at(fixtureTime(4, 9, 0))) // on time
	repair(fixtureTime(2, 9, 0), fixtureTime(5, 18, 0), at(fixtureTime(6, 9, 0))) // late
	repair(fixtureTime(10, 9, 0), time.Now().AddDate(1, 0, 0), nil)               // open, within
	o := models.Objection{RecordID: r1, SubjectID: sid, FiledBy: "u", Reason: "有误", Status: models.ObjectionUnderReview, DueAt: fixtureTime(10, 18, 0)}
	o.CreatedAt = fixtureTime(3, 9, 0)
	must(db.Create(&o).Error) // open, overdue
}

// R8.3: the statistics of a known fixture: applications per week (weeks in
// Asia/Shanghai), handling time by path and by step, records by kind and
// status, tiers, ratings, and repairs and objections against their
// deadlines; the same figures as CSV for staff only.
func TestR8_3_StatisticsAndCSV(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	tiers := func() map[string]int {
		var out struct {
			Statistics struct {
				Tiers []struct {
					Tier  string
					Count int
				}
			}
		}
		h.must(staff, `{statistics{tiers{tier count}}}`, nil, &out)
		m := map[string]int{}
		for _, c := range out.Statistics.Tiers {
			m[c.Tier] = c.Count
		}
		return m
	}
	tiersBefore := tiers()
	seedStatsFixture(t, h)
	vars := map[string]any{"from": "2026-03-02T00:00:00+08:00", "to": "2026-03-16T00:00:00+08:00"}
	var out struct {
		Statistics struct {
			From                string
			ApplicationsPerWeek []struct {
				WeekStart           string
				Submitted, Accepted int
			}
			HandlingByPath []struct {
				Path     string
				Accepted int
				AvgHours float64
			}
			HandlingBySteps []struct {
				Path, Step string
				Count      int
				AvgHours   float64
			}
			RecordsByKindAndStatus []struct {
				Kind, Status string
				Count        int
			}
			Ratings []struct {
				Rating string
				Count  int
			}
			ReviewDeadlines []struct {
				Kind                                  string
				OnTime, Late, OpenOnTime, OpenOverdue int
			}
			CsvURL string
		}
	}
	h.must(staff, `query($from:Time,$to:Time){statistics(from:$from,to:$to){from applicationsPerWeek{weekStart submitted accepted}
		handlingByPath{path accepted avgHours} handlingBySteps{path step count avgHours}
		recordsByKindAndStatus{kind status count} ratings{rating count}
		reviewDeadlines{kind onTime late openOnTime openOverdue} csvUrl}}`, vars, &out)
	s := out.Statistics
	weeks := fmtAll(s.ApplicationsPerWeek)
	if weeks != "[{2026-03-02T00:00:00+08:00 1 1} {2026-03-09T00:00:00+08:00 2 1}]" {
		t.Errorf("weeks: %s", weeks)
	}
	if got := fmtAll(s.HandlingByPath); got != "[{ZERO_DOCUMENT 1 24} {ORDINARY 1 48}]" {
		t.Errorf("by path: %s", got)
	}
	if got := fmtAll(s.HandlingBySteps); got != "[{ZERO_DOCUMENT CREDIT_CHECKED 1 18} {ZERO_DOCUMENT SUBMITTED 1 6} {ORDINARY SUBMITTED 1 48}]" {
		t.Errorf("by step: %s", got)
	}
	if got := fmtAll(s.RecordsByKindAndStatus); got != "[{ARREARS ACTIVE 2} {THEFT REPAIRED 1}]" {
		t.Errorf("records: %s", got)
	}
	if after := tiers(); after["EXCELLENT"]-tiersBefore["EXCELLENT"] != 1 || after["STANDARD"]-tiersBefore["STANDARD"] != 2 {
		t.Errorf("tiers: %v then %v", tiersBefore, after)
	}
	if got := fmtAll(s.Ratings); got != "[{A 1} {B 1}]" {
		t.Errorf("ratings: %s", got)
	}
	if got := fmtAll(s.ReviewDeadlines); got != "[{REPAIR 1 1 1 0} {OBJECTION 0 0 0 1}]" {
		t.Errorf("deadlines: %s", got)
	}

	// CSV: staff only, UTF-8 with BOM, the same figures.
	code, body := h.getBody(staff, s.CsvURL)
	if code != 200 || !strings.HasPrefix(body, "\ufeff") || !strings.Contains(body, "每周申请,2026-03-09,提交/受理,2,1") ||
		!strings.Contains(body, "期限,异议申诉,办理中已逾期,1,") || !strings.Contains(body, "办理时长（小时）,信用承诺免材料,提交至受理,24.00,1") {
		t.Errorf("CSV %d:\n%s", code, body)
	}
	if code, body := h.getBody("", s.CsvURL); code != 401 || strings.Contains(body, "每周") {
		t.Errorf("anonymous CSV: %d %s", code, body)
	}
	if code, body := h.getBody(h.wechatToken("csv"), s.CsvURL); code != 403 || strings.Contains(body, "每周") {
		t.Errorf("enterprise CSV: %d %s", code, body)
	}
	if code, _ := h.getBody(staff, "/exports/statistics.csv?from=yesterday"); code != 400 {
		t.Errorf("bad from: %d", code)
	}
	// Default period: the last 90 days (the fixture is in March 2026).
	var def struct{ Statistics struct{ From, To time.Time } }
	h.must(staff, `{statistics{from to}}`, nil, &def)
	if d := def.Statistics.To.Sub(def.Statistics.From); d != 90*24*time.Hour {
		t.Errorf("default period %v", d)
	}
	if r := h.gql(staff, `query($from:Time,$to:Time){statistics(from:$from,to:$to){from}}`, map[string]any{"from": vars["to"], "to": vars["from"]}); r.code() != "INVALID" {
		t.Errorf("reversed period: %s", r.Raw)
	}
}

// fmtAll prints v with its field values only, for compact comparisons.
func fmtAll(v any) string { return fmt.Sprint(v) }

// getBody GETs path with the token ("" = anonymous) and returns the status
// and body.
func (h *harness) getBody(token, path string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, body := h.do(req, nil)
	return resp.StatusCode, string(body)
}

// R8.3, R3.4: the statistics' grade distribution counts subjects by each
// of the four grades, best first, zeros included; subjects not yet graded
// are left out; the CSV export carries the same counts.
func TestR8_3_GradeDistribution_R3_4(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	grades := func() map[string]int {
		var out struct {
			Statistics struct {
				Grades []struct {
					Grade string
					Count int
				}
			}
		}
		h.must(staff, `{statistics{grades{grade count}}}`, nil, &out)
		var order []string
		m := map[string]int{}
		for _, g := range out.Statistics.Grades {
			order = append(order, g.Grade)
			m[g.Grade] = g.Count
		}
		if strings.Join(order, ",") != "EXCELLENT,GOOD,WATCH,DISHONEST" {
			t.Fatalf("grades %v: want the four grades, best first", order)
		}
		return m
	}
	before := grades()
	for i, g := range []models.Grade{models.GradeWatch, models.GradeWatch, models.GradeDishonest, ""} {
		s := models.Subject{Kind: models.SubjectPerson, Name: fmt.Sprintf("分级统计%d", i), Grade: g}
		if err := h.srv.DB().Create(&s).Error; err != nil {
			t.Fatal(err)
		}
	}
	after := grades()
	if after["WATCH"]-before["WATCH"] != 2 || after["DISHONEST"]-before["DISHONEST"] != 1 ||
		after["EXCELLENT"] != before["EXCELLENT"] || after["GOOD"] != before["GOOD"] {
		t.Errorf("grades %v then %v", before, after)
	}
}

// statsRows is the statistics' records by kind and status and subjects
// by tier, as "KIND/STATUS" and "TIER" to counts.
type statsRows struct {
	From, To string
	Records  map[string]int
	Tiers    map[string]int
}

// readStats asks the statistics of the period in vars (nil: the default).
func readStats(h *harness, token string, vars map[string]any) statsRows {
	h.t.Helper()
	var out struct {
		Statistics struct {
			From, To               string
			RecordsByKindAndStatus []struct {
				Kind, Status string
				Count        int
			}
			Tiers []struct {
				Tier  string
				Count int
			}
		}
	}
	h.must(token, `query($from:Time,$to:Time){statistics(from:$from,to:$to){from to recordsByKindAndStatus{kind status count} tiers{tier count}}}`, vars, &out)
	s := statsRows{From: out.Statistics.From, To: out.Statistics.To, Records: map[string]int{}, Tiers: map[string]int{}}
	for _, r := range out.Statistics.RecordsByKindAndStatus {
		s.Records[r.Kind+"/"+r.Status] = r.Count
	}
	for _, r := range out.Statistics.Tiers {
		s.Tiers[r.Tier] = r.Count
	}
	return s
}

// rowsOf counts the same figures from the rows themselves, for the period
// the statistics name.
func rowsOf(h *harness, s statsRows) statsRows {
	h.t.Helper()
	from, err := time.Parse(time.RFC3339, s.From)
	if err != nil {
		h.t.Fatal(err)
	}
	to, err := time.Parse(time.RFC3339, s.To)
	if err != nil {
		h.t.Fatal(err)
	}
	got := statsRows{From: s.From, To: s.To, Records: map[string]int{}, Tiers: map[string]int{}}
	// The API gives the bounds in whole seconds: the rows of the second
	// the period ends in are counted (the test writes none after it).
	var recs []models.DishonestyRecord
	if err := h.srv.DB().Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC().Add(time.Second)).Find(&recs).Error; err != nil {
		h.t.Fatal(err)
	}
	for _, r := range recs {
		got.Records[string(r.Kind)+"/"+string(r.Status)]++
	}
	var subs []models.Subject
	if err := h.srv.DB().Find(&subs).Error; err != nil {
		h.t.Fatal(err)
	}
	for _, s := range subs {
		got.Tiers[string(s.Tier)]++
	}
	return got
}

// R8.3: the statistics are cached (a repeated read answers the figures of
// the first, default period bounds included) but never across a write to
// the rows they count: after the product's writes — gorm's create and
// update, a raw UPDATE — the figures agree with the rows again at once,
// for the default period and for a named one (the console's). A write
// that bypasses the product (plain SQL on the database handle) is what
// the cache does not see until its TTL; CW_STATS_CACHE_TTL=0 turns it off.
func TestR8_3_StatisticsCacheAgreesWithRowsAfterWrites(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	db := h.srv.DB()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var sub models.Subject
	must(db.First(&sub).Error)
	newRecord := func(key string) models.DishonestyRecord {
		r := models.DishonestyRecord{SubjectID: sub.ID, Kind: models.KindArrears, Severity: models.SeverityGeneral, Status: models.RecordActive,
			SourceKey: key, Source: "TEST", BehaviourOn: time.Now(), DecidedOn: time.Now()}
		must(db.Create(&r).Error)
		return r
	}
	agree := func(what string, s statsRows) {
		t.Helper()
		if want := rowsOf(h, s); fmt.Sprint(s) != fmt.Sprint(want) {
			t.Errorf("%s: statistics %v, rows %v", what, s, want)
		}
	}
	tomorrow := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	named := map[string]any{"from": tomorrow.AddDate(0, 0, -30).Format(time.RFC3339), "to": tomorrow.Format(time.RFC3339)}
	for _, vars := range []map[string]any{nil, named} {
		agree("first read", readStats(h, staff, vars))
		r := newRecord(fmt.Sprintf("cache-%v", vars != nil))
		seen := readStats(h, staff, vars)
		agree("after a create", seen)
		if again := readStats(h, staff, vars); fmt.Sprint(again) != fmt.Sprint(seen) {
			t.Errorf("a repeated read was computed again: %v then %v", seen, again)
		}
		// Plain SQL, not through the product: the cache answers the figures
		// before it (the TTL bounds this).
		_, err := sqlDB.ExecContext(context.Background(), "UPDATE dishonesty_records SET status = ? WHERE id = ?", models.RecordRevoked, r.ID)
		must(err)
		if stale := readStats(h, staff, vars); fmt.Sprint(stale) != fmt.Sprint(seen) {
			t.Errorf("not from the cache: %v, cached %v", stale, seen)
		}
		// The product's writes: an update through gorm, a raw UPDATE, a new subject.
		must(db.Model(&r).Update("severity", models.SeveritySerious).Error)
		agree("after an update", readStats(h, staff, vars))
		must(db.Exec("UPDATE dishonesty_records SET status = ? WHERE id = ?", models.RecordExpired, r.ID).Error)
		agree("after a raw update", readStats(h, staff, vars))
		must(db.Create(&models.Subject{Kind: models.SubjectPerson, Name: "统计缓存", Tier: models.TierExcellent}).Error)
		agree("after a new subject", readStats(h, staff, vars))
	}

	// Without the cache, every read counts the rows.
	env := testEnv(t)
	env["CW_STATS_CACHE_TTL"] = "0"
	h = newHarness(t, env)
	staff = h.staffToken("staff", "demo-staff-pass")
	db = h.srv.DB()
	if sqlDB, err = db.DB(); err != nil {
		t.Fatal(err)
	}
	sub = models.Subject{Kind: models.SubjectPerson, Name: "统计无缓存"}
	must(db.Create(&sub).Error)
	r := newRecord("uncached")
	readStats(h, staff, nil)
	_, err = sqlDB.ExecContext(context.Background(), "UPDATE dishonesty_records SET status = ? WHERE id = ?", models.RecordRevoked, r.ID)
	must(err)
	agree("uncached", readStats(h, staff, nil))
}
