package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"creditwater/calendar"
	"creditwater/credit"
	"creditwater/creditplatform/simulator"
	"creditwater/letter"
	"creditwater/models"
)

// seedBilling gives subject two accounts' billing data: a bill paid in
// full, one half paid and overdue, one unpaid and not yet due, a payment
// of each paid amount, and a contract per account.
func seedBilling(t *testing.T, h *harness, subjectID, prefix string) {
	t.Helper()
	db := h.srv.DB()
	day := func(d time.Time) time.Time { return credit.DayOf(d) }
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []string{prefix + "-1", prefix + "-2"} {
		must(db.Create(&models.Account{AccountNo: a, SubjectID: subjectID, Address: "武江区1号", UseType: "INDUSTRIAL", OpenedOn: day(now.AddDate(-3, 0, 0))}).Error)
		must(db.Create(&models.Contract{ContractNo: "C" + a, AccountNo: a, Supplier: "韶关市供水有限公司", Customer: "企业",
			StartsOn: day(now.AddDate(-3, 0, 0)), EndsOn: day(now.AddDate(2, 0, 0)), Status: models.ContractActive}).Error)
	}
	bills := []models.Bill{
		{BillNo: prefix + "-B1", AccountNo: prefix + "-1", Period: "2026-08", AmountFen: 10000, IssuedOn: day(now.AddDate(0, -3, 0)), DueOn: day(now.AddDate(0, -2, 0))},
		{BillNo: prefix + "-B2", AccountNo: prefix + "-1", Period: "2026-09", AmountFen: 20000, IssuedOn: day(now.AddDate(0, -2, 0)), DueOn: day(now.AddDate(0, -1, 0))},
		{BillNo: prefix + "-B3", AccountNo: prefix + "-2", Period: "2026-11", AmountFen: 30000, IssuedOn: day(now.AddDate(0, 0, -2)), DueOn: day(now.AddDate(0, 0, 20))},
	}
	for _, b := range bills {
		must(db.Create(&b).Error)
	}
	must(db.Create(&models.Payment{PaymentNo: prefix + "-P1", BillNo: prefix + "-B1", AccountNo: prefix + "-1", AmountFen: 10000, PaidAt: now.AddDate(0, -2, -3)}).Error)
	must(db.Create(&models.Payment{PaymentNo: prefix + "-P2", BillNo: prefix + "-B2", AccountNo: prefix + "-1", AmountFen: 5000, PaidAt: now.AddDate(0, -1, -1)}).Error)
}

type selfPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Nodes []map[string]any
}

// R1.7, R3.5, R6: an enterprise user lists the accounts, bills (with what
// was paid), arrears, payments and contracts of their enterprise, paged;
// a stranger, an anonymous caller and another enterprise's user are
// refused; staff must name the subject.
func TestR1_7_R6_SelfServiceLists(t *testing.T) {
	h := newHarness(t, testEnv(t))
	list := func(tok, field string, vars map[string]any) selfPage {
		t.Helper()
		var out map[string]selfPage
		sel := map[string]string{"myAccounts": "accountNo subjectId", "myBills": "billNo amountFen paidFen outstandingFen overdue",
			"myArrears": "billNo outstandingFen overdue", "myPayments": "paymentNo amountFen", "myContracts": "contractNo accountNo supplier status startsOn"}[field]
		h.must(tok, `query($f:SelfServiceFilter,$n:Int,$a:String){`+field+`(filter:$f,first:$n,after:$a){totalCount pageInfo{hasNextPage endCursor} nodes{`+sel+`}}}`, vars, &out)
		return out[field]
	}
	tok := h.consented("self-a")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	fields := []string{"myAccounts", "myBills", "myArrears", "myPayments", "myContracts"}
	base := map[string]int{} // the demo data's (DEMO-0001 is EnterpriseA's)
	for _, f := range fields {
		base[f] = list(tok, f, nil).TotalCount
	}
	seedBilling(t, h, subj, "SA")
	otherTok := h.consented("self-b")
	other := h.bindVerified(otherTok, simulator.EnterpriseB, "440524188001010014")
	base["otherBills"] = list(otherTok, "myBills", nil).TotalCount
	seedBilling(t, h, other, "SB")

	for field, want := range map[string]int{"myAccounts": 2, "myBills": 3, "myArrears": 1, "myPayments": 2, "myContracts": 2} {
		pg := list(tok, field, nil)
		if want += base[field]; pg.TotalCount != want || len(pg.Nodes) != want {
			t.Errorf("%s: %d of %d, want %d", field, len(pg.Nodes), pg.TotalCount, want)
		}
		for _, n := range pg.Nodes {
			raw, _ := json.Marshal(n)
			if strings.Contains(string(raw), "SB-") {
				t.Errorf("%s shows another enterprise's data: %s", field, raw)
			}
		}
	}
	arrears := list(tok, "myArrears", nil)
	if n := arrears.Nodes[0]; n["billNo"] != "SA-B2" || n["outstandingFen"] != float64(15000) || n["overdue"] != true {
		t.Errorf("arrears: %+v", arrears.Nodes)
	}
	bills := list(tok, "myBills", map[string]any{"f": map[string]any{"accountNo": "SA-1"}})
	if bills.TotalCount != 2 { // SA-1 is only the test's
		t.Errorf("bills of SA-1: %+v", bills)
	}
	for _, b := range bills.Nodes {
		if b["billNo"] == "SA-B1" && (b["paidFen"] != float64(10000) || b["overdue"] != false) {
			t.Errorf("paid bill: %+v", b)
		}
	}
	// Paging: one at a time, no repeats, to the end.
	seen := map[string]bool{}
	var after any
	total := 3 + base["myBills"]
	for range total {
		pg := list(tok, "myBills", map[string]any{"n": 1, "a": after})
		if len(pg.Nodes) != 1 || seen[pg.Nodes[0]["billNo"].(string)] {
			t.Fatalf("page: %+v", pg)
		}
		seen[pg.Nodes[0]["billNo"].(string)] = true
		after = *pg.PageInfo.EndCursor
		if pg.PageInfo.HasNextPage != (len(seen) < total) {
			t.Fatalf("hasNextPage %v after %d", pg.PageInfo.HasNextPage, len(seen))
		}
	}
	if r := h.gql(tok, `{myBills(first:0){totalCount}}`, nil); r.code() != "INVALID" {
		t.Errorf("first:0: %s", r.Raw)
	}
	if r := h.gql(tok, `{myBills(after:"bm90LWEtY3Vyc29y"){totalCount}}`, nil); r.code() != "INVALID" {
		t.Errorf("a forged cursor: %s", r.Raw)
	}

	// Strangers.
	const q = `query($f:SelfServiceFilter){myBills(filter:$f){totalCount}}`
	mine := map[string]any{"f": map[string]any{"subjectId": subj}}
	if r := h.gql("", q, mine); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %s", r.Raw)
	}
	if r := h.gql(h.wechatToken("self-stranger"), q, nil); r.code() != "FAILED_PRECONDITION" {
		t.Errorf("a user bound to nothing: %s", r.Raw)
	}
	if r := h.gql(otherTok, q, mine); r.code() != "FORBIDDEN" {
		t.Errorf("another enterprise's user: %s", r.Raw)
	}
	if r := h.gql(otherTok, `{myAccountManager(subjectId:"`+subj+`"){name}}`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("another enterprise's account manager: %s", r.Raw)
	}
	if pg := list(otherTok, "myBills", nil); pg.TotalCount != 3+base["otherBills"] {
		t.Errorf("the other enterprise's own bills: %d", pg.TotalCount)
	}

	// Staff name the subject (the subject's data, R8.1).
	staff := h.staffToken("staff", "demo-staff-pass")
	if r := h.gql(staff, q, nil); r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "subjectId" {
		t.Errorf("staff without a subject: %s", r.Raw)
	}
	if pg := list(staff, "myContracts", mine); pg.TotalCount != 2+base["myContracts"] {
		t.Errorf("staff: contracts %d", pg.TotalCount)
	}
}

// R3.2: the enterprise sees its account manager's name and work telephone;
// staff assign only a staff user with a work telephone, which an admin
// sets.
func TestR3_2_AccountManagerNameAndWorkPhone(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("managed")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	if err := h.srv.DB().Model(&models.Subject{}).Where("id = ?", subj).Update("tier", models.TierExcellent).Error; err != nil {
		t.Fatal(err)
	}
	var none struct{ MyAccountManager *struct{ Name string } }
	h.must(tok, `{myAccountManager{name workPhone}}`, nil, &none)
	if none.MyAccountManager != nil {
		t.Fatalf("a manager before one is assigned: %+v", none)
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	var me struct {
		Me struct {
			ID          string
			DisplayName string
			Version     int
		}
	}
	h.must(staff, `{me{id displayName version}}`, nil, &me)
	const assign = `mutation($s:ID!,$u:ID!,$v:Int!){assignAccountManager(input:{subjectId:$s,staffUserId:$u,version:$v}){profile{tier}}}`
	if r := h.gql(staff, assign, map[string]any{"s": subj, "u": me.Me.ID, "v": h.accountManagerVersion(subj)}); r.code() != "INVALID" || r.Errors[0].Extensions["reason"] != "NO_WORK_PHONE" {
		t.Fatalf("assigning a manager without a work phone: %s", r.Raw)
	}
	admin := h.staffToken("admin", "demo-admin-pass")
	const setPhone = `mutation($u:ID!,$p:String!,$v:Int!){setWorkPhone(input:{userId:$u,workPhone:$p,version:$v}){user{workPhone}}}`
	if r := h.gql(admin, setPhone, map[string]any{"u": me.Me.ID, "p": "call me", "v": me.Me.Version}); r.code() != "INVALID" {
		t.Fatalf("a bad work phone: %s", r.Raw)
	}
	if r := h.gql(staff, setPhone, map[string]any{"u": me.Me.ID, "p": "0751-8881234", "v": me.Me.Version}); r.code() != "FORBIDDEN" {
		t.Fatalf("staff setting a work phone: %s", r.Raw)
	}
	h.must(admin, setPhone, map[string]any{"u": me.Me.ID, "p": "0751-8881234", "v": me.Me.Version}, nil)
	h.must(staff, assign, map[string]any{"s": subj, "u": me.Me.ID, "v": h.accountManagerVersion(subj)}, nil)
	var got struct {
		MyAccountManager struct{ Name, WorkPhone string }
	}
	h.must(tok, `{myAccountManager{name workPhone}}`, nil, &got)
	if got.MyAccountManager.Name != me.Me.DisplayName || got.MyAccountManager.WorkPhone != "0751-8881234" {
		t.Fatalf("account manager: %+v", got)
	}
	if r := h.gql(h.wechatToken("managed-stranger"), `{myAccountManager(subjectId:"`+subj+`"){name}}`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("a stranger: %s", r.Raw)
	}
}

// R6 (公示查询): anyone may query, by USCC or part of a name, the
// commitments and records published to the platform; persons are masked,
// nothing unpublished, repaired or past its publicity end is shown, and
// each client has a budget of queries.
func TestR6_PublicityQueryMaskedAndRateLimited(t *testing.T) {
	env := testEnv(t)
	env["CW_PUBLICITY_QUERY_LIMIT"] = "8"
	h := newHarness(t, env)
	tok := h.consented("public")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	db := h.srv.DB()
	now := time.Now()
	past, future := now.AddDate(0, -1, 0), now.AddDate(0, 6, 0)
	if err := db.Create(&models.Commitment{ApplicationID: models.NewID(), SubjectID: subj, SignerID: "u", BindingID: "b", Fields: "{}",
		Text: "承诺书", SHA256: strings.Repeat("a", 64), TemplateVer: "v1", SignedAt: past, PublicationID: "PUB-1", PublishedAt: &past}).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&models.Commitment{ApplicationID: models.NewID(), SubjectID: subj, SignerID: "u", BindingID: "b", Fields: "{}",
		Text: "未公示", SHA256: strings.Repeat("b", 64), TemplateVer: "v1", SignedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	rec := func(key string, status models.RecordStatus, pub string, end time.Time) {
		t.Helper()
		r := models.DishonestyRecord{SubjectID: subj, Kind: models.KindArrears, Severity: models.SeverityGeneral, Status: status,
			SourceKey: key, Source: "ARREARS_RULE", Summary: "欠缴水费 " + key, BehaviourOn: past, DecidedOn: past,
			PublicityStart: &past, PublicityEnd: &end, PublicationID: pub}
		if err := db.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
	}
	rec("published", models.RecordActive, "PUB-2", future)
	rec("never-published", models.RecordActive, "", future)
	rec("repaired", models.RecordRepaired, "PUB-3", future)
	rec("period-over", models.RecordActive, "PUB-4", now.Add(-time.Hour))

	type pub struct {
		PublicCommitments struct {
			TotalCount int
			Nodes      []struct{ EnterpriseName, Uscc, SignerMasked string }
		}
		PublicRecords struct {
			TotalCount int
			Nodes      []struct{ Summary, KindLabel, Uscc string }
		}
	}
	const q = `query($q:String!){publicCommitments(query:$q){totalCount nodes{enterpriseName uscc signerMasked}} publicRecords(query:$q){totalCount nodes{summary kindLabel uscc}}}`
	var byUSCC pub
	h.must("", q, map[string]any{"q": simulator.EnterpriseA}, &byUSCC)
	if byUSCC.PublicCommitments.TotalCount != 1 || byUSCC.PublicCommitments.Nodes[0].SignerMasked != "张*" {
		t.Errorf("commitments: %+v", byUSCC.PublicCommitments)
	}
	if byUSCC.PublicRecords.TotalCount != 1 || byUSCC.PublicRecords.Nodes[0].Summary != "欠缴水费 published" || byUSCC.PublicRecords.Nodes[0].KindLabel != "欠缴水费" {
		t.Errorf("records: %+v", byUSCC.PublicRecords)
	}
	name := byUSCC.PublicCommitments.Nodes[0].EnterpriseName
	var byName pub
	h.must("", q, map[string]any{"q": string([]rune(name)[2:6])}, &byName)
	if byName.PublicRecords.TotalCount != 1 || byName.PublicRecords.Nodes[0].Uscc != simulator.EnterpriseA {
		t.Errorf("by name %q: %+v", name, byName)
	}
	var wild pub
	h.must("", q, map[string]any{"q": "%%"}, &wild)
	if wild.PublicRecords.TotalCount != 0 || wild.PublicCommitments.TotalCount != 0 {
		t.Errorf("a LIKE wildcard matched: %+v", wild)
	}
	if r := h.gql("", q, map[string]any{"q": "张"}); r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "query" {
		t.Errorf("a one-character query: %s", r.Raw)
	}
	// 4 requests of 2 fields so far (8 queries): the budget is spent.
	r := h.gql("", q, map[string]any{"q": simulator.EnterpriseA})
	if r.code() != "RATE_LIMITED" {
		t.Fatalf("past the budget: %s", r.Raw)
	}
	if strings.Contains(r.Raw, "11010519491231002X") {
		t.Errorf("an ID number in a public answer")
	}
}

// R6.1: the e-credit report downloads as a PDF, to whom the report's data
// is served, after a fresh face verification; strangers are refused.
func TestR6_1_CreditReportPDF(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("pdf")
	subj := h.bindVerified(tok, simulator.EnterpriseWithEntries, "11010519491231002X")
	var u struct{ MyCreditReportPdfUrl string }
	h.must(tok, `query($s:ID){myCreditReportPdfUrl(subjectId:$s)}`, map[string]any{"s": subj}, &u)
	if !strings.HasPrefix(u.MyCreditReportPdfUrl, "/credit-report.pdf?subjectId=") {
		t.Fatalf("url %q", u.MyCreditReportPdfUrl)
	}
	if code := h.getStatus("", u.MyCreditReportPdfUrl); code != 401 {
		t.Errorf("anonymous: %d", code)
	}
	if code := h.getStatus(h.wechatToken("pdf-stranger"), u.MyCreditReportPdfUrl); code != 403 {
		t.Errorf("a stranger: %d", code)
	}
	otherTok := h.consented("pdf-other")
	h.bindVerified(otherTok, simulator.EnterpriseB, "440524188001010014")
	if code := h.getStatus(otherTok, u.MyCreditReportPdfUrl); code != 403 {
		t.Errorf("another enterprise's user: %d", code)
	}
	resp, body := h.fetch(u.MyCreditReportPdfUrl, map[string]string{"Authorization": "Bearer " + tok})
	if _, err := letter.FindCJKFont(); err != nil {
		if resp.StatusCode != 503 {
			t.Fatalf("without a CJK font: %d %s", resp.StatusCode, body)
		}
		t.Skipf("no CJK font: the PDF itself is not checked (%v)", err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// R3.6: an application accepted with documents missing (容缺) gets a due
// date per document; the subject's users are reminded before and at the
// due date (once each); staff mark each received (version required);
// overdue ones are listed for staff; a stranger sees none.
func TestR3_6_FollowUpDocuments(t *testing.T) {
	env := testEnv(t)
	env["CW_FOLLOW_UP_DAYS"] = "5"
	env["CW_FOLLOW_UP_REMIND_DAYS"] = "2"
	h := newHarness(t, env)
	tok := h.consented("follow")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	db := h.srv.DB()
	if err := db.Model(&models.Subject{}).Where("id = ?", subj).Update("tier", models.TierExcellent).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	app := models.Application{SubjectID: subj, UserID: "u-follow", IdempotencyKey: "k1", Channel: "MINI_PROGRAM", Address: "武江区1号",
		Land: models.LandOwnBuildingOnStateLand, Category: "INDUSTRIAL", ContactName: "张三", Status: models.AppFallback,
		SubmittedAt: now, StepSince: now}
	if err := db.Create(&app).Error; err != nil {
		t.Fatal(err)
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	h.must(staff, `mutation($a:ID!){acceptApplication(input:{applicationId:$a,missingDocuments:["营业执照副本","用水设施图纸"],version:1}){application{status}}}`,
		map[string]any{"a": app.ID}, nil)

	type docs struct {
		FollowUpDocuments struct {
			TotalCount int
			Nodes      []struct {
				ID, Name, DueOn string
				ReceivedAt      *string
				Overdue         bool
				Version         int
			}
		}
	}
	const q = `query($f:FollowUpFilter){followUpDocuments(filter:$f){totalCount nodes{id name dueOn receivedAt overdue version}}}`
	var mine docs
	h.must(tok, q, nil, &mine)
	if mine.FollowUpDocuments.TotalCount != 2 {
		t.Fatalf("the enterprise's documents to follow: %+v", mine)
	}
	d := mine.FollowUpDocuments.Nodes[0]
	due, _ := time.Parse(time.RFC3339, d.DueOn)
	if wd := calendarWorkdays(t, h, now, due); wd != 5 || d.Overdue || d.ReceivedAt != nil {
		t.Fatalf("due %s (%d working days), %+v", d.DueOn, wd, d)
	}
	if r := h.gql(h.wechatToken("follow-stranger"), q, map[string]any{"f": map[string]any{"subjectId": subj}}); r.code() != "FORBIDDEN" {
		t.Errorf("a stranger: %s", r.Raw)
	}
	if r := h.gql(tok, `mutation($i:ID!){markDocumentReceived(input:{id:$i,version:1}){document{id}}}`, map[string]any{"i": d.ID}); r.code() != "FORBIDDEN" {
		t.Errorf("the enterprise marking a document received: %s", r.Raw)
	}

	// Reminders: none while the due date is far, one per document and user
	// when it is near, again on the due date, never twice.
	notices := func(kind string) int64 {
		var n int64
		db.Model(&models.Notice{}).Where("kind = ? AND subject_id = ?", kind, subj).Count(&n)
		return n
	}
	run := func() {
		t.Helper()
		var out struct{ RunJob struct{ Detail string } }
		h.must(h.staffToken("admin", "demo-admin-pass"), `mutation{runJob(input:{name:"selfservice.follow-up-reminders"}){run{detail}}}`, nil, &out)
		t.Log(out.RunJob.Detail)
	}
	run()
	if notices("FOLLOW_UP_DUE_SOON") != 0 {
		t.Fatal("reminded too early")
	}
	db.Model(&models.FollowUpDocument{}).Where("subject_id = ?", subj).Update("due_on", credit.DayOf(now.AddDate(0, 0, 1)))
	run()
	run()
	if notices("FOLLOW_UP_DUE_SOON") != 2 {
		t.Fatalf("due-soon notices: %d", notices("FOLLOW_UP_DUE_SOON"))
	}
	db.Model(&models.FollowUpDocument{}).Where("subject_id = ?", subj).Update("due_on", credit.DayOf(now.AddDate(0, 0, -3)))
	run()
	if notices("FOLLOW_UP_DUE") != 2 {
		t.Fatalf("due notices: %d", notices("FOLLOW_UP_DUE"))
	}

	// Staff see the overdue ones and mark one received.
	var overdue docs
	h.must(staff, q, map[string]any{"f": map[string]any{"overdueOnly": true}}, &overdue)
	if overdue.FollowUpDocuments.TotalCount != 2 || !overdue.FollowUpDocuments.Nodes[0].Overdue {
		t.Fatalf("overdue for staff: %+v", overdue)
	}
	const mark = `mutation($i:ID!,$v:Int!){markDocumentReceived(input:{id:$i,version:$v}){document{receivedAt version}}}`
	if r := h.gql(staff, mark, map[string]any{"i": d.ID, "v": 7}); r.code() != "CONFLICT" {
		t.Errorf("a stale version: %s", r.Raw)
	}
	h.must(staff, mark, map[string]any{"i": d.ID, "v": 1}, nil)
	if r := h.gql(staff, mark, map[string]any{"i": d.ID, "v": 2}); r.code() != "FAILED_PRECONDITION" {
		t.Errorf("marking twice: %s", r.Raw)
	}
	h.must(staff, q, map[string]any{"f": map[string]any{"overdueOnly": true}}, &overdue)
	if overdue.FollowUpDocuments.TotalCount != 1 {
		t.Errorf("overdue after one was received: %+v", overdue)
	}
}

// calendarWorkdays counts the working days from a to b with the server's
// holiday calendar.
func calendarWorkdays(t *testing.T, _ *harness, a, b time.Time) int {
	t.Helper()
	return calendar.Default().WorkdaysBetween(credit.DayOf(a), credit.DayOf(b))
}
