package server_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"creditwater/credit/record"
	"creditwater/creditplatform/simulator"
	"creditwater/models"
)

// R1.5: a published record past its maximum publicity period becomes
// EXPIRED through the credit.expire job, is still listed (history), and its
// withdrawal reaches the platform exactly once although the job runs again
// on a restarted server (a new instance on the same database).
func TestR1_5_ExpiryWithdrawsOnceAcrossRestart(t *testing.T) {
	env := testEnv(t)
	sim := externalPlatform(t, env)
	first := newHarness(t, env)
	tok := first.consented("expiry")
	subj := first.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	rec := first.record(subj, models.KindViolation, 11)
	admin := first.staffToken("admin", "demo-admin-pass")
	first.must(admin, `mutation{runJob(input:{name:"credit.publish"}){run{status}}}`, nil, nil)
	first.drain()
	if n := len(sim.Publications()); n != 1 {
		t.Fatalf("published: %d", n)
	}
	// A year has passed: the publicity period has ended.
	ended := time.Now().UTC().Add(-time.Hour)
	if err := first.srv.DB().Model(&models.DishonestyRecord{}).Where("id = ?", rec.ID).Update("publicity_end", ended).Error; err != nil {
		t.Fatal(err)
	}
	var run struct {
		RunJob struct {
			Run struct{ Status, Detail string }
		}
	}
	first.must(admin, `mutation{runJob(input:{name:"credit.expire"}){run{status detail}}}`, nil, &run)
	if run.RunJob.Run.Status != "OK" || run.RunJob.Run.Detail != "1 条失信记录已到期" {
		t.Fatalf("expire job: %+v", run)
	}
	first.ts.Close()
	first.srv.Close() // the restart, before the withdrawal is delivered

	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["CW_DEMO_DATA"] = "false"
	second := newHarness(t, env2)
	admin = second.staffToken("admin", "demo-admin-pass")
	second.must(admin, `mutation{runJob(input:{name:"credit.expire"}){run{status detail}}}`, nil, &run)
	if run.RunJob.Run.Detail != "0 条失信记录已到期" {
		t.Errorf("second run: %+v", run)
	}
	second.drain()
	second.must(admin, `mutation{runJob(input:{name:"credit.expire"}){run{status}}}`, nil, nil)
	second.must(admin, `mutation{runJob(input:{name:"credit.publish"}){run{status}}}`, nil, nil)
	second.drain()
	if w := sim.Withdrawals(); len(w) != 1 {
		t.Fatalf("withdrawals: %d, want exactly 1", len(w))
	}
	var msgs int64
	second.srv.DB().Model(&models.OutboxMessage{}).Where(&models.OutboxMessage{Key: record.WithdrawKey(rec.ID)}).Count(&msgs)
	if msgs != 1 {
		t.Errorf("withdrawal messages: %d", msgs)
	}
	var got struct {
		DishonestyRecords struct {
			Edges []struct{ Node struct{ ID, Status string } }
		}
	}
	second.must(tok, `query($s:ID!){dishonestyRecords(filter:{subjectId:$s,status:EXPIRED}){edges{node{id status}}}}`, map[string]any{"s": subj}, &got)
	if e := got.DishonestyRecords.Edges; len(e) != 1 || e[0].Node.ID != rec.ID {
		t.Errorf("expired records listed: %+v", got)
	}
	var notices int64
	second.srv.DB().Model(&models.Notice{}).Where("kind = ? AND ref_id = ?", "RECORD_EXPIRED", rec.ID).Count(&notices)
	if notices != 1 {
		t.Errorf("inbox notices of the expiry: %d", notices)
	}
}

// R3.5, R3.4: a bill overdue today fails the credit check with a Chinese
// reason naming it, and the application falls back to documents; staff see
// the subject's grade and its reasons; the enterprise of another user
// cannot read them.
func TestR3_5_OverdueBillFailsCreditCheckAndGradeShown(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("overdue")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	h.passFace(tok, subj)
	db := h.srv.DB()
	due := time.Now().AddDate(0, 0, -3)
	if err := db.Create(&models.Account{AccountNo: "OV-0001", SubjectID: subj, OpenedOn: time.Now().AddDate(-5, 0, 0)}).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&models.Bill{BillNo: "OV-B-01", AccountNo: "OV-0001", Period: "2026-10", AmountFen: 123456,
		IssuedOn: due.AddDate(0, 0, -20), DueOn: due}).Error; err != nil {
		t.Fatal(err)
	}
	id, _ := h.submit(tok, submitInput("overdue-key-1", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, id)
	eligible, view := h.creditCheck(staff, id)
	if eligible || view.Status != "FALLBACK_TO_DOCUMENTS" {
		t.Fatalf("eligible with an overdue bill: %v %s", eligible, view.Status)
	}
	found := false
	for _, c := range view.FailedConditions {
		if c.Code == "NO_OVERDUE_BILL" && strings.Contains(c.Detail, "逾期未缴") && strings.Contains(c.Detail, "OV-B-01") && strings.Contains(c.Detail, "1,234.56") {
			found = true
		}
	}
	if !found {
		t.Errorf("failed conditions: %+v", view.FailedConditions)
	}

	admin := h.staffToken("admin", "demo-admin-pass")
	h.must(admin, `mutation{runJob(input:{name:"credit.tiers"}){run{status}}}`, nil, nil)
	const q = `query($s:ID!){creditProfile(subjectId:$s){tier grade gradeSince gradeReasons}}`
	var got struct {
		CreditProfile struct {
			Tier, Grade  string
			GradeReasons []string
		}
	}
	h.must(staff, q, map[string]any{"s": subj}, &got)
	if p := got.CreditProfile; p.Grade == "" || len(p.GradeReasons) == 0 || !containsHan(p.GradeReasons[0]) {
		t.Errorf("staff view of the grade: %+v", p)
	}
	if r := h.gql(h.wechatToken("stranger"), q, map[string]any{"s": subj}); r.code() != "FORBIDDEN" && r.code() != "NOT_FOUND" {
		t.Errorf("another user read the grade: %s", r.Raw)
	}
}

func containsHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
