package server_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"creditwater/access"
	"creditwater/creditplatform/simulator"
	"creditwater/inbox"
	"creditwater/models"
	"creditwater/notice"
)

const inboxQuery = `query($u:Boolean){myInbox(unreadOnly:$u,first:100){totalCount unreadCount pageInfo{hasNextPage} edges{cursor node{id kind title body subjectId refType refId readAt}}}}`

type inboxView struct {
	TotalCount, UnreadCount int
	Edges                   []struct {
		Node struct {
			ID, Kind, Title, Body, SubjectID, RefType, RefID string
			ReadAt                                           *string
		}
	}
}

func (h *harness) inbox(tok string, unreadOnly bool) inboxView {
	h.t.Helper()
	var out struct{ MyInbox inboxView }
	h.must(tok, inboxQuery, map[string]any{"u": unreadOnly}, &out)
	return out.MyInbox
}

func (v inboxView) kinds() []string {
	var out []string
	for _, e := range v.Edges {
		if !slices.Contains(out, e.Node.Kind) {
			out = append(out, e.Node.Kind)
		}
	}
	return out
}

var cjk = regexp.MustCompile(`\p{Han}`)

// R7.6: every event that concerns an enterprise reaches the inbox of its
// users (application steps, new and expired records, the prior notice of
// an ARREARS record, repair and objection requests and decisions, grade
// changes, the account manager); the user of another enterprise sees none
// of them; notices are Chinese, paged, and can be marked read.
func TestR7_6_EveryEventReachesTheInbox(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("inbox-owner")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	h.passFace(tok, subj)
	other := h.consented("inbox-other")
	otherSubj := h.bindVerified(other, simulator.EnterpriseB, "440524188001010014")
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")

	// Application steps: one grant only, then every later step still
	// reaches the inbox (R4.4 + R7.6).
	h.must(tok, `mutation{grantSubscription(input:{templateId:"application-status"}){remaining}}`, nil, nil)
	appID, _ := h.submit(tok, submitInput("inbox-key-0001", "OWN_BUILDING_ON_STATE_LAND"))
	h.surveyed(staff, appID)
	h.creditCheck(staff, appID)
	steps := 0
	for _, e := range h.inbox(tok, false).Edges {
		if e.Node.Kind == string(notice.ApplicationStatus) && e.Node.RefID == appID {
			steps++
		}
	}
	if steps != 4 { // SUBMITTED, SURVEY_SCHEDULED, SURVEYED, CREDIT_CHECKED
		t.Fatalf("application steps in the inbox: %d, want 4", steps)
	}

	// A new record (staff case), then an objection to it.
	caseID, caseVersion := h.openCase(staff, subj, "SG-INBOX-1", "VIOLATION")
	var confirmed struct {
		ConfirmCase struct{ Record struct{ ID string } } `json:"confirmCase"`
	}
	h.must(officer, `mutation($c:ID!,$v:Int!){confirmCase(input:{caseId:$c,note:"核实属实",version:$v}){record{id}}}`, map[string]any{"c": caseID, "v": caseVersion}, &confirmed)
	var obj struct {
		FileObjection struct{ Objection struct{ ID string } } `json:"fileObjection"`
	}
	h.must(tok, `mutation($r:ID!){fileObjection(input:{recordId:$r,reason:"该行为系第三方施工造成"}){objection{id}}}`, map[string]any{"r": confirmed.ConfirmCase.Record.ID}, &obj)
	h.must(officer, `mutation($id:ID!,$v:Int!){acceptObjection(input:{id:$id,version:$v}){objection{status}}}`, map[string]any{"id": obj.FileObjection.Objection.ID, "v": h.version("objection", obj.FileObjection.Objection.ID)}, nil)
	h.must(officer, `mutation($id:ID!,$v:Int!){decideObjection(input:{id:$id,outcome:UPHELD,reason:"经核查维持原记录",version:$v}){objection{status}}}`, map[string]any{"id": obj.FileObjection.Objection.ID, "v": h.version("objection", obj.FileObjection.Objection.ID)}, nil)

	// A repair: filed, supplement asked, supplemented, approved.
	old := h.record(subj, models.KindViolation, 4)
	rep := h.fileRepair(tok, old.ID)
	h.must(officer, `mutation($id:ID!,$v:Int!){startRepairReview(input:{id:$id,version:$v}){repair{status}}}`, map[string]any{"id": rep, "v": h.version("repair", rep)}, nil)
	h.must(officer, `mutation($id:ID!,$v:Int!){requestRepairSupplement(input:{repairId:$id,missing:["缴费凭证"],version:$v}){repair{status}}}`, map[string]any{"id": rep, "v": h.version("repair", rep)}, nil)
	r := h.upload(tok, `mutation($in:SupplementRepairInput!){supplementRepair(input:$in){repair{status}}}`,
		map[string]any{"in": map[string]any{"repairId": rep, "text": "已补充", "evidence": []any{nil}}}, "variables.in.evidence.%d", map[string][]byte{"scan.pdf": pdfBytes})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	h.must(officer, `mutation($id:ID!,$v:Int!){approveRepair(input:{id:$id,reason:"已纠正失信行为",version:$v}){repair{status}}}`, map[string]any{"id": rep, "v": h.version("repair", rep)}, nil)

	// The account manager of an EXCELLENT subject.
	h.srv.DB().Model(&models.Subject{}).Where("id = ?", subj).Update("tier", models.TierExcellent)
	h.srv.DB().Model(&models.User{}).Where("id = ?", h.staffID(staff)).Update("work_phone", "0751-8881234")
	h.must(staff, `mutation($s:ID!,$u:ID!,$v:Int!){assignAccountManager(input:{subjectId:$s,staffUserId:$u,version:$v}){profile{tier}}}`, map[string]any{"s": subj, "u": h.staffID(staff), "v": h.accountManagerVersion(subj)}, nil)

	// The record lifecycle and the grades emit through the same one call.
	n := inbox.NewNotifier(inbox.New(h.srv.DB()), access.New(h.srv.DB()), nil)
	for _, k := range []notice.Kind{notice.ArrearsComing, notice.RecordExpired, notice.GradeChanged, notice.RecordChanged} {
		n.Notify(t.Context(), notice.Event{SubjectID: subj, Kind: k, Body: "测试事件：" + string(k), RefType: "subject", RefID: subj, Key: "test:" + string(k)})
		n.Notify(t.Context(), notice.Event{SubjectID: subj, Kind: k, Body: "重复", Key: "test:" + string(k)}) // idempotent
	}

	box := h.inbox(tok, false)
	for _, k := range notice.Kinds {
		if !slices.Contains(box.kinds(), string(k)) {
			t.Errorf("no %s notice in the inbox; kinds %v", k, box.kinds())
		}
	}
	for _, e := range box.Edges {
		if e.Node.SubjectID != subj || !cjk.MatchString(e.Node.Title) || !cjk.MatchString(e.Node.Body) || e.Node.ReadAt != nil {
			t.Errorf("notice %+v", e.Node)
		}
		if e.Node.Body == "重复" {
			t.Errorf("an event with the same key was delivered twice")
		}
	}
	if box.UnreadCount != box.TotalCount || box.TotalCount != len(box.Edges) {
		t.Errorf("counts: total %d unread %d edges %d", box.TotalCount, box.UnreadCount, len(box.Edges))
	}

	// Another enterprise's user sees none of it, and cannot mark it read.
	for _, e := range h.inbox(other, false).Edges {
		if e.Node.SubjectID != otherSubj {
			t.Errorf("another enterprise's notice leaked: %+v", e.Node)
		}
	}
	var marked struct {
		MarkInboxRead struct{ Marked int } `json:"markInboxRead"`
	}
	h.must(other, `mutation($ids:[ID!]){markInboxRead(input:{ids:$ids}){marked}}`, map[string]any{"ids": []string{box.Edges[0].Node.ID}}, &marked)
	if marked.MarkInboxRead.Marked != 0 {
		t.Errorf("another user marked %d of our notices read", marked.MarkInboxRead.Marked)
	}
	if r := h.gql("", inboxQuery, nil); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous inbox: %s", r.Raw)
	}

	// Read and unread.
	h.must(tok, `mutation($ids:[ID!]){markInboxRead(input:{ids:$ids}){marked}}`, map[string]any{"ids": []string{box.Edges[0].Node.ID}}, &marked)
	if marked.MarkInboxRead.Marked != 1 {
		t.Fatalf("marked %d", marked.MarkInboxRead.Marked)
	}
	if u := h.inbox(tok, true); u.UnreadCount != box.TotalCount-1 || len(u.Edges) != box.TotalCount-1 {
		t.Errorf("unread after marking one: %d/%d of %d", u.UnreadCount, len(u.Edges), box.TotalCount)
	}
	if strings.Contains(h.inbox(tok, false).Edges[0].Node.Body, "Fees of") {
		t.Error("an English summary reached the inbox")
	}
}

// englishRun matches three whole ASCII words separated by white space: an
// English sentence. Words must stand alone and be spaced, so identifiers such
// as a UUID ("…-73df-aebf-da95-…") or a code never match.
var englishRun = regexp.MustCompile(`\b[A-Za-z]{2,}\b[,.;:()'"-]*\s+[(\'"]*\b[A-Za-z]{2,}\b[,.;:()'"-]*\s+[(\'"]*\b[A-Za-z]{2,}\b`)

// The sentence detector itself: English sentences match; codes, UUIDs and
// Chinese text with an embedded code do not (a UUID once failed CI).
func TestR7_5_EnglishRunDetector(t *testing.T) {
	for s, want := range map[string]bool{
		"Fees of ¥2,900.50 unpaid more than 1 month(s)": true,
		"The record was revoked.":                       true,
		"01a234cb-344e-73df-aebf-da95ea563b3d":          false,
		"ARREARS":                                       false,
		"欠费记录 ARREARS 已撤销":                              false,
	} {
		if got := englishRun.MatchString(s); got != want {
			t.Errorf("englishRun(%q) = %v, want %v", s, got, want)
		}
	}
}

// chineseStrings fails t for every string value of the JSON v that holds
// an English sentence (codes and IDs are single words).
func chineseStrings(t *testing.T, what string, v any) {
	t.Helper()
	switch x := v.(type) {
	case string:
		if englishRun.MatchString(x) {
			t.Errorf("%s: English text %q", what, x)
		}
	case map[string]any:
		for k, e := range x {
			chineseStrings(t, what+"."+k, e)
		}
	case []any:
		for _, e := range x {
			chineseStrings(t, what, e)
		}
	}
}

// R7.5: every kind of publication (commitment, dishonesty record, repair)
// and the withdrawal reasons reach the platform in Chinese.
func TestR7_5_PublishedSummariesAreChinese(t *testing.T) {
	h := newHarness(t, testEnv(t))
	sim := h.srv.CreditPlatformSimulator()
	tok, subj, _ := h.signedCommitment("zh-publisher", simulator.EnterpriseA)
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")
	admin := h.staffToken("admin", "demo-admin-pass")
	caseID, caseVersion := h.openCase(staff, subj, "SG-ZH-1", "THEFT")
	h.must(officer, `mutation($c:ID!,$v:Int!){confirmCase(input:{caseId:$c,note:"核实属实",version:$v}){record{id}}}`, map[string]any{"c": caseID, "v": caseVersion}, nil)
	old := h.record(subj, models.KindViolation, 4)
	h.must(admin, `mutation{runJob(input:{name:"credit.publish"}){run{status}}}`, nil, nil)
	h.drain()
	rep := h.fileRepair(tok, old.ID)
	h.must(officer, `mutation($id:ID!,$v:Int!){startRepairReview(input:{id:$id,version:$v}){repair{status}}}`, map[string]any{"id": rep, "v": h.version("repair", rep)}, nil)
	h.must(officer, `mutation($id:ID!,$v:Int!){approveRepair(input:{id:$id,reason:"已纠正失信行为",version:$v}){repair{status}}}`, map[string]any{"id": rep, "v": h.version("repair", rep)}, nil)
	h.drain()
	h.drain()

	kinds := map[string]bool{}
	for _, p := range sim.Publications() {
		kinds[string(p.Kind)] = true
		if !cjk.MatchString(p.Title) || englishRun.MatchString(p.Title) {
			t.Errorf("title %q", p.Title)
		}
		var body map[string]any
		if err := json.Unmarshal(p.Body, &body); err != nil {
			t.Fatal(err)
		}
		chineseStrings(t, string(p.Kind), body)
	}
	if len(kinds) != 3 {
		t.Errorf("publication kinds %v, want commitment, dishonesty and repair", kinds)
	}
	ws := sim.Withdrawals()
	if len(ws) == 0 {
		t.Fatal("no withdrawal")
	}
	for _, w := range ws {
		if !cjk.MatchString(w.Reason) || englishRun.MatchString(w.Reason) {
			t.Errorf("withdrawal reason %q", w.Reason)
		}
	}
	// The record's history, read by staff, is Chinese too.
	var hist []models.RecordEvent
	h.srv.DB().Where("record_id = ?", old.ID).Find(&hist)
	for _, e := range hist {
		chineseStrings(t, "history", e.Reason)
	}
}

// R7.5: the errors and credit-check conditions of the main flows carry
// Chinese messages (codes stay English).
func TestR7_5_MainFlowMessagesAreChinese(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("zh-flows")
	subj := h.bindVerified(tok, simulator.EnterpriseB, "11010519491231002X")
	h.passFace(tok, subj)
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")
	rec := h.record(subj, models.KindArrears, 1)

	var sub struct {
		SubmitApplication struct {
			Application        struct{ ID string }
			EligibilityPreview []struct{ Code string } `json:"eligibilityPreview"`
		} `json:"submitApplication"`
	}
	h.must(tok, `mutation($in:SubmitApplicationInput!){submitApplication(input:$in){application{id} eligibilityPreview{code}}}`,
		map[string]any{"in": submitInput("zh-key-00001", "OWN_BUILDING_ON_STATE_LAND")}, &sub)
	var prev struct {
		Application struct {
			EligibilityPreview []struct{ Code, Detail string } `json:"eligibilityPreview"`
		}
	}
	if r := h.gql(tok, `query($id:ID!){application(id:$id){eligibilityPreview{code detail}}}`, map[string]any{"id": sub.SubmitApplication.Application.ID}); len(r.Errors) == 0 {
		_ = json.Unmarshal(r.Data, &prev)
		for _, c := range prev.Application.EligibilityPreview {
			if !cjk.MatchString(c.Detail) || englishRun.MatchString(c.Detail) {
				t.Errorf("preview condition %s: %q", c.Code, c.Detail)
			}
		}
	}
	h.surveyed(staff, sub.SubmitApplication.Application.ID)
	_, view := h.creditCheck(staff, sub.SubmitApplication.Application.ID)
	if len(view.FailedConditions) == 0 {
		t.Fatal("a record in force passed the credit check")
	}
	for _, c := range view.FailedConditions {
		if !cjk.MatchString(c.Detail) || englishRun.MatchString(c.Detail) {
			t.Errorf("condition %s: %q", c.Code, c.Detail)
		}
	}
	for _, e := range view.Events {
		if e.Reason != "" && englishRun.MatchString(e.Reason) {
			t.Errorf("event reason %q", e.Reason)
		}
	}

	stranger := h.wechatToken("zh-stranger")
	errs := []gqlResponse{
		h.gql("", `{myInbox{totalCount}}`, nil),
		h.gql(stranger, `query($s:ID!){creditProfile(subjectId:$s){tier}}`, map[string]any{"s": subj}),
		h.gql(tok, `{myInbox(first:0){totalCount}}`, nil),
		h.gql(tok, `mutation($in:SubmitApplicationInput!){submitApplication(input:$in){replayed}}`, map[string]any{"in": submitInput("x", "OWN_BUILDING_ON_STATE_LAND")}),
		h.gql(tok, `mutation($r:ID!){fileObjection(input:{recordId:$r,reason:""}){objection{id}}}`, map[string]any{"r": rec.ID}),
		h.gql(tok, `mutation($r:ID!){fileRepair(input:{recordId:$r,statement:"已整改",signCommitment:true}){repair{id}}}`, map[string]any{"r": rec.ID}),
		h.gql(officer, `mutation($id:ID!){approveRepair(input:{id:$id,reason:"x",version:1}){repair{status}}}`, map[string]any{"id": "00000000-0000-0000-0000-000000000000"}),
		h.gql(staff, `mutation($id:ID!){runCreditCheck(input:{applicationId:$id,version:1}){eligible}}`, map[string]any{"id": sub.SubmitApplication.Application.ID}),
		h.gql(staff, `{application(id:"nope"){id}}`, nil),
	}
	for i, r := range errs {
		if len(r.Errors) == 0 {
			t.Errorf("case %d: no error: %s", i, r.Raw)
			continue
		}
		for _, e := range r.Errors {
			if !cjk.MatchString(e.Message) || englishRun.MatchString(e.Message) {
				t.Errorf("case %d: message %q (%s)", i, e.Message, r.code())
			}
		}
	}
}
