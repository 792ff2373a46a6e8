package server_test

import (
	"strings"
	"testing"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
)

// R3.2, R3.3: EXCELLENT subjects' applications come first in the staff
// queue (VIP green channel), 容缺 acceptance is theirs only, and the
// handling time from submission to acceptance is measured for both groups.
func TestVIPQueueAndHandlingTime_R3_2_R3_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")

	plainTok := h.consented("plain")
	h.bindVerified(plainTok, simulator.EnterpriseC, "11010519491231002X")
	plainApp, _ := h.submit(plainTok, submitInput("plain-key-0001", "OTHER"))

	vipTok := h.consented("vip")
	vipSubj := h.bindVerified(vipTok, simulator.EnterpriseB, "440524188001010014")
	if err := h.srv.DB().Model(&models.Subject{}).Where("id = ?", vipSubj).Update("tier", models.TierExcellent).Error; err != nil {
		t.Fatal(err)
	}
	vipApp, _ := h.submit(vipTok, submitInput("vip-key-00001", "OTHER"))

	var q struct {
		Applications struct {
			Edges []struct {
				Node struct {
					ID  string
					Vip bool
				}
				StepDue *string
			}
		}
	}
	h.must(staff, `{applications(first:10){edges{node{id vip} stepDue overdue ageSeconds}}}`, nil, &q)
	if len(q.Applications.Edges) != 2 || q.Applications.Edges[0].Node.ID != vipApp || !q.Applications.Edges[0].Node.Vip ||
		q.Applications.Edges[1].Node.ID != plainApp || q.Applications.Edges[0].StepDue == nil {
		t.Fatalf("queue order: %+v", q)
	}

	for _, id := range []string{plainApp, vipApp} {
		h.surveyed(staff, id)
		if eligible, v := h.creditCheck(staff, id); eligible || v.Status != "FALLBACK_TO_DOCUMENTS" {
			t.Fatalf("land OTHER: %+v", v)
		}
	}
	const accept = `mutation($id:ID!,$m:[String!],$v:Int!){acceptApplication(input:{applicationId:$id,missingDocuments:$m,version:$v}){application{status}}}`
	missing := []string{"营业执照副本"}
	if r := h.gql(staff, accept, map[string]any{"id": plainApp, "m": missing, "v": h.ver(staff, plainApp)}); r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "NOT_EXCELLENT" {
		t.Errorf("容缺 for a standard subject: %s", r.Raw)
	}
	h.must(staff, accept, map[string]any{"id": plainApp, "m": nil, "v": h.ver(staff, plainApp)}, nil)
	h.must(staff, accept, map[string]any{"id": vipApp, "m": missing, "v": h.ver(staff, vipApp)}, nil)

	var st struct {
		HandlingStats []struct {
			Vip      bool
			Accepted int
		} `json:"handlingStats"`
	}
	h.must(staff, `{handlingStats{vip accepted averageHours}}`, nil, &st)
	if len(st.HandlingStats) != 2 || st.HandlingStats[0].Accepted != 1 || st.HandlingStats[1].Accepted != 1 {
		t.Errorf("handling stats: %+v", st)
	}
	_, body := h.metricsText()
	for _, want := range []string{`creditwater_application_handling_hours_count{vip="true"} 1`, `creditwater_application_handling_hours_count{vip="false"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
