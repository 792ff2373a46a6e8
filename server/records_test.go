package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"creditwater/credit/record"
	cp "creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
	"creditwater/models"
)

// signedCommitment runs an application up to a signed commitment and
// returns the enterprise token, the subject and the commitment.
func (h *harness) signedCommitment(code, uscc string) (tok, subj, commitmentID string) {
	tok = h.consented(code)
	subj = h.bindVerified(tok, uscc, "11010519491231002X")
	h.passFace(tok, subj)
	id, _ := h.submit(tok, submitInput(code+"-key-0001", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, id)
	h.creditCheck(staff, id)
	var out struct {
		SignCommitment struct{ Commitment struct{ ID string } } `json:"signCommitment"`
	}
	h.must(tok, signMut, map[string]any{"id": id}, &out)
	return tok, subj, out.SignCommitment.Commitment.ID
}

// R1.3, R1.4, R2.4, R3.1: staff cases make records, a commitment breach
// makes a BROKEN_PROMISE record linked to the commitment, profiles and
// record lists are scoped to the caller.
func TestCasesBreachesAndProfiles_R1_3_R2_4_R3_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok, subj, commitmentID := h.signedCommitment("breacher", simulator.EnterpriseA)
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")

	occurred := time.Now().AddDate(0, 0, -3).Format(time.RFC3339)
	var opened struct {
		OpenCase struct {
			Case struct {
				ID, Status string
				Version    int
			}
		} `json:"openCase"`
	}
	h.must(staff, `mutation($s:ID!,$t:Time!){openCase(input:{caseNo:"SG-2026-0001",subjectId:$s,kind:THEFT,severity:SERIOUS,description:"绕表用水",evidence:"现场照片 3 张",occurredOn:$t}){case{id status version}}}`,
		map[string]any{"s": subj, "t": occurred}, &opened)
	if r := h.gql(staff, `mutation($c:ID!,$v:Int!){confirmCase(input:{caseId:$c,note:"核实",version:$v}){record{id}}}`, map[string]any{"c": opened.OpenCase.Case.ID, "v": opened.OpenCase.Case.Version}); r.code() != "FORBIDDEN" {
		t.Errorf("staff confirming a case: %s", r.Raw)
	}
	var confirmed struct {
		ConfirmCase struct {
			Record struct{ ID, Kind, Status string }
		} `json:"confirmCase"`
	}
	h.must(officer, `mutation($c:ID!,$v:Int!){confirmCase(input:{caseId:$c,note:"核实属实",version:$v}){record{id kind status}}}`, map[string]any{"c": opened.OpenCase.Case.ID, "v": opened.OpenCase.Case.Version}, &confirmed)
	if confirmed.ConfirmCase.Record.Kind != "THEFT" || confirmed.ConfirmCase.Record.Status != "ACTIVE" {
		t.Fatalf("confirmed case record: %+v", confirmed)
	}
	if r := h.gql(officer, `mutation($c:ID!,$v:Int!){dismissCase(input:{caseId:$c,note:"x",version:$v}){case{id}}}`, map[string]any{"c": opened.OpenCase.Case.ID, "v": opened.OpenCase.Case.Version + 1}); r.code() != "FAILED_PRECONDITION" {
		t.Errorf("dismissing a decided case: %s", r.Raw)
	}

	// R2.4: the breach of the commitment.
	var breach struct {
		RecordCommitmentBreach struct {
			Record struct{ Kind, Source, CommitmentID string }
		} `json:"recordCommitmentBreach"`
	}
	h.must(officer, `mutation($c:ID!,$t:Time!){recordCommitmentBreach(input:{commitmentId:$c,caseNo:"SG-2026-0002",description:"承诺后拖欠水费",evidence:"催告书",occurredOn:$t}){record{kind source commitmentId}}}`,
		map[string]any{"c": commitmentID, "t": occurred}, &breach)
	rec := breach.RecordCommitmentBreach.Record
	if rec.Kind != "BROKEN_PROMISE" || rec.Source != "COMMITMENT_BREACH" || rec.CommitmentID != commitmentID {
		t.Fatalf("breach record: %+v", rec)
	}
	var c models.Commitment
	h.srv.DB().Where("id = ?", commitmentID).Take(&c)
	if c.BreachRecordID == nil {
		t.Error("the commitment is not linked to its breach record")
	}
	if r := h.gql(officer, `mutation($c:ID!,$t:Time!){recordCommitmentBreach(input:{commitmentId:$c,caseNo:"SG-2026-0003",description:"x",evidence:"y",occurredOn:$t}){record{id}}}`,
		map[string]any{"c": commitmentID, "t": occurred}); r.code() != "CONFLICT" {
		t.Errorf("a second breach: %s", r.Raw)
	}

	// The enterprise sees its own records and profile, not others'.
	var recs struct {
		DishonestyRecords struct {
			TotalCount int
			Edges      []struct{ Node struct{ Kind string } }
		} `json:"dishonestyRecords"`
	}
	h.must(tok, `query($s:ID){dishonestyRecords(filter:{subjectId:$s}){totalCount edges{node{kind}}}}`, map[string]any{"s": subj}, &recs)
	if recs.DishonestyRecords.TotalCount != 2 {
		t.Errorf("own records: %+v", recs)
	}
	var prof struct {
		CreditProfile struct {
			Tier       string
			Records    []struct{ Kind string }
			Incentives struct{ Vip bool }
		} `json:"creditProfile"`
	}
	h.must(tok, `query($s:ID!){creditProfile(subjectId:$s){tier records{kind} incentives{vip}}}`, map[string]any{"s": subj}, &prof)
	if prof.CreditProfile.Tier != "STANDARD" || len(prof.CreditProfile.Records) != 2 || prof.CreditProfile.Incentives.Vip {
		t.Errorf("profile: %+v", prof)
	}
	stranger := h.wechatToken("stranger")
	if r := h.gql(stranger, `query($s:ID!){creditProfile(subjectId:$s){tier}}`, map[string]any{"s": subj}); r.code() != "FORBIDDEN" {
		t.Errorf("another enterprise's profile: %s", r.Raw)
	}
	if r := h.gql(stranger, `query($s:ID){dishonestyRecords(filter:{subjectId:$s}){totalCount}}`, map[string]any{"s": subj}); r.code() != "FORBIDDEN" {
		t.Errorf("another enterprise's records: %s", r.Raw)
	}

	// Jobs on demand (ADMIN) record their runs.
	admin := h.staffToken("admin", "demo-admin-pass")
	var run struct {
		RunJob struct {
			Run struct{ Status, Detail string }
		} `json:"runJob"`
	}
	h.must(admin, `mutation{runJob(input:{name:"credit.tiers"}){run{status detail}}}`, nil, &run)
	if run.RunJob.Run.Status != "OK" || !strings.Contains(run.RunJob.Run.Detail, "个用水主体") {
		t.Errorf("runJob: %+v", run)
	}
	if r := h.gql(staff, `mutation{runJob(input:{name:"credit.tiers"}){run{status}}}`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("runJob as staff: %s", r.Raw)
	}
	var runs struct {
		JobRuns struct {
			Edges []struct {
				Node struct {
					Trigger string
					SlotAt  *time.Time
					Reason  *string
				}
			}
		}
	}
	h.must(admin, `{jobRuns(filter:{job:"credit.tiers"}){edges{node{trigger slotAt reason}}}}`, nil, &runs)
	e := runs.JobRuns.Edges
	if len(e) != 1 || e[0].Node.Trigger != "MANUAL" || e[0].Node.SlotAt == nil || e[0].Node.Reason != nil {
		t.Errorf("job runs: %+v", runs)
	}
}

// R3.2: usage analysis with anomaly flags and an SVG chart (demo data:
// DEMO-0001 has a leak month).
func TestUsageAnalysisAPI_R3_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	var out struct {
		UsageAnalysis struct {
			Periods []struct {
				Period  string
				Anomaly *string
			}
			ChartSvg string
		} `json:"usageAnalysis"`
	}
	h.must(staff, `{usageAnalysis(accountNo:"DEMO-0001",months:12){periods{period anomaly volumeM3 yoyChange trailingAvgM3} chartSvg}}`, nil, &out)
	high := 0
	for _, p := range out.UsageAnalysis.Periods {
		if p.Anomaly != nil {
			if *p.Anomaly != "HIGH" {
				t.Errorf("%s: anomaly %q", p.Period, *p.Anomaly)
			}
			high++
		}
	}
	if len(out.UsageAnalysis.Periods) != 12 || high != 1 || !strings.HasPrefix(strings.TrimSpace(out.UsageAnalysis.ChartSvg), "<svg") {
		t.Fatalf("usage analysis: %d periods, %d HIGH, chart %.40q", len(out.UsageAnalysis.Periods), high, out.UsageAnalysis.ChartSvg)
	}
	if r := h.gql(h.wechatToken("outsider"), `{usageAnalysis(accountNo:"DEMO-0001"){periods{period}}}`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("another subject's usage: %s", r.Raw)
	}
}

// breachMut records the breach of commitment $c under case number $n.
const breachMut = `mutation($c:ID!,$n:String!,$t:Time!){recordCommitmentBreach(input:{commitmentId:$c,caseNo:$n,description:"承诺后拖欠水费",evidence:"催告书",occurredOn:$t}){record{id}}}`

// R2.4, R8.1: two officers record the breach of one commitment at the same
// moment: one succeeds, the other is CONFLICT BREACH_RECORDED; there is one
// BROKEN_PROMISE record and one case, the commitment links that record, and
// the platform receives it once. A later call is CONFLICT and creates
// nothing.
func TestR2_4_ConcurrentRecordCommitmentBreachMakesOneRecord(t *testing.T) {
	h := newHarness(t, testEnv(t))
	sim := h.srv.CreditPlatformSimulator()
	_, _, commitmentID := h.signedCommitment("breach-race", simulator.EnterpriseA)
	officers := []string{h.staffToken("officer", "demo-officer-pass"), h.staffToken("admin", "demo-admin-pass")}
	occurred := time.Now().AddDate(0, 0, -1).Format(time.RFC3339)
	start := make(chan struct{})
	var wg sync.WaitGroup
	res := make([]gqlResponse, len(officers))
	for i, tok := range officers {
		wg.Go(func() {
			<-start
			res[i] = h.gql(tok, breachMut, map[string]any{"c": commitmentID, "n": fmt.Sprintf("SG-RACE-%d", i), "t": occurred})
		})
	}
	close(start)
	wg.Wait()
	var won string
	for _, r := range res {
		if r.code() == "" {
			var out struct {
				RecordCommitmentBreach struct{ Record struct{ ID string } } `json:"recordCommitmentBreach"`
			}
			if err := json.Unmarshal(r.Data, &out); err != nil || won != "" {
				t.Fatalf("two breaches succeeded or bad data: %s / %s", res[0].Raw, res[1].Raw)
			}
			won = out.RecordCommitmentBreach.Record.ID
		} else if r.code() != "CONFLICT" || r.Errors[0].Extensions["reason"] != "BREACH_RECORDED" {
			t.Fatalf("the losing breach: %s", r.Raw)
		}
	}
	check := func(when string) {
		t.Helper()
		var c models.Commitment
		h.srv.DB().Where("id = ?", commitmentID).Take(&c)
		if won == "" || c.BreachRecordID == nil || *c.BreachRecordID != won ||
			h.rows("dishonesty_records", "commitment_id = ?", commitmentID) != 1 || h.rows("violation_cases", "commitment_id = ?", commitmentID) != 1 {
			t.Fatalf("%s: link %v, record %q, %d records, %d cases", when, c.BreachRecordID, won,
				h.rows("dishonesty_records", "commitment_id = ?", commitmentID), h.rows("violation_cases", "commitment_id = ?", commitmentID))
		}
	}
	check("after the race")
	if r := h.gql(officers[0], breachMut, map[string]any{"c": commitmentID, "n": "SG-RACE-LATE", "t": occurred}); r.code() != "CONFLICT" ||
		r.Errors[0].Extensions["reason"] != "BREACH_RECORDED" || !strings.Contains(r.Errors[0].Message, "已记录") {
		t.Fatalf("a later breach: %s", r.Raw)
	}
	check("after a later breach")

	h.must(officers[1], `mutation{runJob(input:{name:"credit.publish"}){run{status}}}`, nil, nil)
	h.drain()
	h.must(officers[1], `mutation{runJob(input:{name:"credit.publish"}){run{status}}}`, nil, nil)
	h.drain()
	n := 0
	for _, p := range sim.Publications() {
		if p.Kind == cp.KindDishonesty {
			n++
			if p.IdempotencyKey != record.PublishKey(won) {
				t.Errorf("published %s, want the record %s", p.IdempotencyKey, won)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d dishonesty publications, want 1", n)
	}
}
