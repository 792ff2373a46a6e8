package server_test

import (
	"testing"

	"creditwater/models"
)

func TestR1_6_ExemptionAPI(t *testing.T) {
	// R1.6: staff record an exemption, only a credit officer decides it
	// (at the version read); staff list them; an enterprise user or an
	// anonymous caller can neither record nor list.
	h := newHarness(t, testEnv(t))
	acc := "EX-" + randHex(6)
	if err := h.srv.DB().Create(&models.Account{AccountNo: acc}).Error; err != nil {
		t.Fatal(err)
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")
	ent := h.wechatToken("exemption-stranger")
	const record = `mutation($in:RecordExemptionInput!){recordExemption(input:$in){exemption{id status version reason}}}`
	in := map[string]any{"accountNo": acc, "reason": "水表故障，水量待核", "validFrom": "2026-01-01T00:00:00+08:00"}
	for _, tok := range []string{ent, ""} {
		if r := h.gql(tok, record, map[string]any{"in": in}); r.code() != "FORBIDDEN" && r.code() != "UNAUTHENTICATED" {
			t.Fatalf("recordExemption by %q: %s", tok, r.Raw)
		}
		if r := h.gql(tok, `{exemptions{totalCount}}`, nil); r.code() != "FORBIDDEN" && r.code() != "UNAUTHENTICATED" {
			t.Fatalf("exemptions by %q: %s", tok, r.Raw)
		}
	}
	if r := h.gql(staff, record, map[string]any{"in": map[string]any{"accountNo": acc, "reason": " ", "validFrom": "2026-01-01T00:00:00+08:00"}}); r.code() != "INVALID" {
		t.Fatalf("blank reason: %s", r.Raw)
	}
	var rec struct {
		RecordExemption struct {
			Exemption struct {
				ID      string
				Status  string
				Version int
			}
		} `json:"recordExemption"`
	}
	h.must(staff, record, map[string]any{"in": in}, &rec)
	ex := rec.RecordExemption.Exemption
	if ex.Status != "PENDING" || ex.Version != 1 {
		t.Fatalf("recorded %+v", ex)
	}
	const decide = `mutation($id:ID!,$v:Int!){decideExemption(input:{id:$id,approve:true,reason:"经核实属实",version:$v}){exemption{status version decidedBy}}}`
	if r := h.gql(staff, decide, map[string]any{"id": ex.ID, "v": 1}); r.code() != "FORBIDDEN" {
		t.Fatalf("staff decided: %s", r.Raw)
	}
	if r := h.gql(officer, decide, map[string]any{"id": ex.ID, "v": 2}); r.code() != "CONFLICT" {
		t.Fatalf("stale version: %s", r.Raw)
	}
	h.must(officer, decide, map[string]any{"id": ex.ID, "v": 1}, nil)
	var list struct {
		Exemptions struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ ID, Status string }
			}
		}
	}
	h.must(staff, `query($a:String){exemptions(filter:{status:APPROVED, accountNo:$a}){totalCount edges{cursor node{id status}}}}`, map[string]any{"a": acc}, &list)
	if list.Exemptions.TotalCount != 1 || len(list.Exemptions.Edges) != 1 || list.Exemptions.Edges[0].Node.ID != ex.ID ||
		list.Exemptions.Edges[0].Node.Status != "APPROVED" {
		t.Fatalf("list %+v", list)
	}
	if n := h.rows("audit_entries", "subject_id = ? AND action IN ('exemption.record','exemption.decide')", ex.ID); n != 2 {
		t.Fatalf("%d audit entries, want 2", n)
	}
}
