package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"creditwater/models"
	regsim "creditwater/registry/simulator"
)

// accountManagerVersion is the accountManagerVersion of the subject's
// credit profile as staff read it.
func (h *harness) accountManagerVersion(subj string) int {
	h.t.Helper()
	var out struct {
		CreditProfile struct{ AccountManagerVersion int }
	}
	h.must(h.staffToken("staff", "demo-staff-pass"), `query($s:ID!){creditProfile(subjectId:$s){accountManagerVersion}}`, map[string]any{"s": subj}, &out)
	return out.CreditProfile.AccountManagerVersion
}

// openCase has staff open a case of kind about subj, two days ago, and
// returns its ID and version.
func (h *harness) openCase(staff, subj, caseNo, kind string) (id string, version int) {
	h.t.Helper()
	var out struct {
		OpenCase struct {
			Case struct {
				ID      string
				Version int
			}
		} `json:"openCase"`
	}
	h.must(staff, `mutation($n:String!,$s:ID!,$k:RecordKind!,$t:Time!){openCase(input:{caseNo:$n,subjectId:$s,kind:$k,severity:GENERAL,description:"违规用水",evidence:"现场照片",occurredOn:$t}){case{id version}}}`,
		map[string]any{"n": caseNo, "s": subj, "k": kind, "t": time.Now().AddDate(0, 0, -2).Format(time.RFC3339)}, &out)
	return out.OpenCase.Case.ID, out.OpenCase.Case.Version
}

// wantStale checks that r is CONFLICT with reason STALE_VERSION.
func wantStale(t *testing.T, what string, r gqlResponse) {
	t.Helper()
	if r.code() != "CONFLICT" || r.Errors[0].Extensions["reason"] != "STALE_VERSION" {
		t.Fatalf("%s at a stale version: %s", what, r.Raw)
	}
}

// R8.1: confirmCase and dismissCase require the case's version; a stale one
// is CONFLICT (STALE_VERSION) and changes nothing (the case stays OPEN, no
// record is made); without one the request is invalid GraphQL.
func TestR8_1_CaseDecisionsRequireTheVersionSeen(t *testing.T) {
	h := newHarness(t, testEnv(t))
	_, subj, _ := h.signedCommitment("case-versions", regsim.EnterpriseA)
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")
	id, v := h.openCase(staff, subj, "SG-V-1", "THEFT")
	if v != 1 {
		t.Fatalf("a new case at version %d, want 1", v)
	}
	for _, m := range []string{"confirmCase", "dismissCase"} {
		if r := h.gql(officer, `mutation($c:ID!){`+m+`(input:{caseId:$c,note:"核实"}){case{id}}}`, map[string]any{"c": id}); r.code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s without a version: %s", m, r.Raw)
		}
		wantStale(t, m, h.gql(officer, `mutation($c:ID!,$v:Int!){`+m+`(input:{caseId:$c,note:"核实",version:$v}){case{id}}}`, map[string]any{"c": id, "v": v + 1}))
	}
	if n := h.rows("violation_cases", "id = ? AND status = ? AND version = ?", id, models.CaseOpen, 1); n != 1 {
		t.Fatal("a refused decision changed the case")
	}
	if n := h.rows("dishonesty_records", "case_id = ?", id); n != 0 {
		t.Fatalf("a refused confirmation made %d records", n)
	}
	var confirmed struct {
		ConfirmCase struct {
			Case struct {
				Status  string
				Version int
			}
			Record struct{ ID string }
		} `json:"confirmCase"`
	}
	h.must(officer, `mutation($c:ID!,$v:Int!){confirmCase(input:{caseId:$c,note:"核实属实",version:$v}){case{status version} record{id}}}`, map[string]any{"c": id, "v": v}, &confirmed)
	if c := confirmed.ConfirmCase; c.Case.Status != "CONFIRMED" || c.Case.Version != 2 || c.Record.ID == "" {
		t.Fatalf("confirmed at the version seen: %+v", c)
	}
	// Someone who read the case before the confirmation is refused.
	wantStale(t, "dismissCase after the confirmation", h.gql(officer, `mutation($c:ID!,$v:Int!){dismissCase(input:{caseId:$c,note:"不属实",version:$v}){case{id}}}`, map[string]any{"c": id, "v": v}))
}

// R8.1: assignAccountManager requires the profile's accountManagerVersion;
// a stale one is CONFLICT (STALE_VERSION) and the manager stays.
func TestR8_1_AssignAccountManagerRequiresTheVersionSeen(t *testing.T) {
	h := newHarness(t, testEnv(t))
	_, subj, _ := h.signedCommitment("manager-versions", regsim.EnterpriseA)
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")
	h.srv.DB().Model(&models.Subject{}).Where("id = ?", subj).Update("tier", models.TierExcellent)
	h.srv.DB().Model(&models.User{}).Where("id IN ?", []string{h.staffID(staff), h.staffID(officer)}).Update("work_phone", "0751-8881234")
	const assign = `mutation($s:ID!,$u:ID!,$v:Int!){assignAccountManager(input:{subjectId:$s,staffUserId:$u,version:$v}){profile{accountManagerId accountManagerVersion}}}`
	if r := h.gql(staff, `mutation($s:ID!,$u:ID!){assignAccountManager(input:{subjectId:$s,staffUserId:$u}){profile{tier}}}`, map[string]any{"s": subj, "u": h.staffID(staff)}); r.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("assignAccountManager without a version: %s", r.Raw)
	}
	seen := h.accountManagerVersion(subj)
	var got struct {
		AssignAccountManager struct {
			Profile struct {
				AccountManagerID      string
				AccountManagerVersion int
			}
		} `json:"assignAccountManager"`
	}
	h.must(staff, assign, map[string]any{"s": subj, "u": h.staffID(staff), "v": seen}, &got)
	if p := got.AssignAccountManager.Profile; p.AccountManagerID != h.staffID(staff) || p.AccountManagerVersion != seen+1 {
		t.Fatalf("assigned at the version seen: %+v", p)
	}
	// A second staff member who read the profile before is refused.
	wantStale(t, "assignAccountManager", h.gql(officer, assign, map[string]any{"s": subj, "u": h.staffID(officer), "v": seen}))
	if n := h.rows("subjects", "id = ? AND account_manager_id = ? AND account_manager_version = ?", subj, h.staffID(staff), seen+1); n != 1 {
		t.Fatal("a stale assignment changed the account manager")
	}
}

// R8.1: approveAgentAtCounter requires the binding's version (staff read it
// in enterpriseAgents); a stale one is CONFLICT (STALE_VERSION) and leaves
// the binding and its evidence as they are.
func TestR8_1_ApproveAgentAtCounterRequiresTheVersionSeen(t *testing.T) {
	h := newHarness(t, testEnv(t))
	req := h.counterAgent("version")
	subj, agentID := req.subj, req.idNumber
	staff := h.staffToken("staff", "demo-staff-pass")
	var agents struct {
		EnterpriseAgents []struct {
			ID      string
			Version int
		}
	}
	h.must(staff, `query($s:ID!){enterpriseAgents(subjectId:$s){id version}}`, map[string]any{"s": subj}, &agents)
	if len(agents.EnterpriseAgents) != 1 {
		t.Fatalf("agents: %+v", agents)
	}
	b := agents.EnterpriseAgents[0]
	const approve = `mutation($in:ApproveAgentAtCounterInput!){approveAgentAtCounter(input:$in){binding{status scopes version}}}`
	in := func(scope string, version any) map[string]any {
		in := map[string]any{"bindingId": b.ID, "scopes": []string{scope}, "authorisationRef": "WT-2026-001",
			"idType": "RESIDENT_ID_CARD", "idNumber": agentID, "letter": nil, "note": "核验身份证原件及盖章授权委托书"}
		if version != nil {
			in["version"] = version
		}
		return in
	}
	letter := map[string][]byte{"letter.pdf": pdfBytes}
	if r := h.upload(staff, approve, map[string]any{"in": in("APPLY", nil)}, "variables.in.letter", letter); r.code() != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(r.Raw, "version") {
		t.Errorf("approveAgentAtCounter without a version: %s", r.Raw)
	}
	r := h.upload(staff, approve, map[string]any{"in": in("APPLY", b.Version)}, "variables.in.letter", letter)
	if len(r.Errors) > 0 || !strings.Contains(r.Raw, `"status":"ACTIVE"`) || !strings.Contains(r.Raw, fmt.Sprintf(`"version":%d`, b.Version+1)) {
		t.Fatalf("approval at the version seen: %s", r.Raw)
	}
	evidence := h.rows("evidences", "")
	// Another counter clerk, still looking at the request, approves other scopes.
	wantStale(t, "approveAgentAtCounter", h.upload(staff, approve, map[string]any{"in": in("VIEW", b.Version)}, "variables.in.letter", letter))
	if n := h.rows("enterprise_bindings", "id = ? AND scopes = ? AND version = ?", b.ID, ",APPLY,", b.Version+1); n != 1 {
		t.Fatal("a stale approval changed the binding")
	}
	if n := h.rows("evidences", ""); n != evidence {
		t.Fatalf("a stale approval stored %d evidence rows", n-evidence)
	}
	// Every change of the binding's state moves the version on: the
	// revocation too.
	h.must(staff, revokeMut, map[string]any{"b": b.ID}, nil)
	if n := h.rows("enterprise_bindings", "id = ? AND status = ? AND version = ?", b.ID, models.BindingEnded, b.Version+2); n != 1 {
		t.Fatal("the revocation did not move the binding's version on")
	}
}
