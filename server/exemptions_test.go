package server_test

import (
	"encoding/json"
	"strings"
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
	if r := h.gql(officer, decide, map[string]any{"id": ex.ID, "v": 1}); r.code() != "FAILED_PRECONDITION" || !strings.Contains(r.Raw, "EVIDENCE_REQUIRED") {
		t.Fatalf("approved without evidence: %s", r.Raw)
	}
	if r := h.upload(staff, addExemptionEvidence, map[string]any{"in": map[string]any{"id": ex.ID, "evidence": []any{nil}, "version": 1}},
		"variables.in.evidence.%d", map[string][]byte{"scan.pdf": pdfBytes}); len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	h.must(officer, decide, map[string]any{"id": ex.ID, "v": 2}, nil)
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
	if n := h.rows("audit_entries", "subject_id = ? AND action IN ('exemption.record','exemption.evidence','exemption.decide')", ex.ID); n != 3 {
		t.Fatalf("%d audit entries, want 3", n)
	}
}

const addExemptionEvidence = `mutation($in:AddExemptionEvidenceInput!){addExemptionEvidence(input:$in){exemption{id version evidence{id kind fileName contentType size url}}}}`

type exemptionView struct {
	ID       string
	Version  int
	Evidence []struct {
		ID, Kind, FileName, ContentType, URL string
		Size                                 int
	}
}

func TestR1_6_ExemptionEvidenceAPI(t *testing.T) {
	// R1.6: an exemption carries its evidence: staff upload files with it
	// (recordExemption) or later (addExemptionEvidence, at the version
	// read); files are checked before anything is stored; the exemption
	// lists them; only staff download them — an enterprise user (even of
	// the account's subject) or an anonymous caller is refused; a credit
	// officer approves only with at least one file.
	h := newHarness(t, testEnv(t))
	acc := "EV-" + randHex(6)
	if err := h.srv.DB().Create(&models.Account{AccountNo: acc}).Error; err != nil {
		t.Fatal(err)
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")
	ent := h.wechatToken("exemption-evidence-stranger")
	const record = `mutation($in:RecordExemptionInput!){recordExemption(input:$in){exemption{id version evidence{id kind fileName contentType size url}}}}`
	in := func() map[string]any {
		return map[string]any{"accountNo": acc, "reason": "计量争议，待复核", "validFrom": "2026-01-01T00:00:00+08:00", "evidence": []any{nil}}
	}
	// A file that is not a PDF, JPEG or PNG: nothing stored.
	if r := h.upload(staff, record, map[string]any{"in": in()}, "variables.in.evidence.%d", map[string][]byte{"note.txt": []byte("plain text")}); r.code() != "INVALID" {
		t.Fatalf("a text file: %s", r.Raw)
	}
	if n := h.rows("exemptions", "account_no = ?", acc); n != 0 {
		t.Fatalf("a refused upload stored %d exemptions", n)
	}
	r := h.upload(staff, record, map[string]any{"in": in()}, "variables.in.evidence.%d", map[string][]byte{"核实说明.pdf": pdfBytes})
	var rec struct {
		RecordExemption struct{ Exemption exemptionView } `json:"recordExemption"`
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &rec) != nil {
		t.Fatal(r.Raw)
	}
	ex := rec.RecordExemption.Exemption
	if len(ex.Evidence) != 1 || ex.Evidence[0].ContentType != "application/pdf" || ex.Evidence[0].URL == "" || ex.Evidence[0].Kind != "FILE" {
		t.Fatalf("recorded %+v", ex)
	}
	// More evidence, at the version read.
	add := map[string]any{"in": map[string]any{"id": ex.ID, "evidence": []any{nil}, "version": ex.Version}}
	if r := h.upload(ent, addExemptionEvidence, add, "variables.in.evidence.%d", map[string][]byte{"x.pdf": pdfBytes}); r.code() != "FORBIDDEN" {
		t.Fatalf("an enterprise user added evidence: %s", r.Raw)
	}
	stale := map[string]any{"in": map[string]any{"id": ex.ID, "evidence": []any{nil}, "version": ex.Version + 1}}
	if r := h.upload(staff, addExemptionEvidence, stale, "variables.in.evidence.%d", map[string][]byte{"x.pdf": pdfBytes}); r.code() != "CONFLICT" {
		t.Fatalf("stale version: %s", r.Raw)
	}
	r = h.upload(staff, addExemptionEvidence, add, "variables.in.evidence.%d", map[string][]byte{"回执.pdf": pdfBytes})
	var added struct {
		AddExemptionEvidence struct{ Exemption exemptionView } `json:"addExemptionEvidence"`
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &added) != nil {
		t.Fatal(r.Raw)
	}
	ex = added.AddExemptionEvidence.Exemption
	if ex.Version != 2 || len(ex.Evidence) != 2 {
		t.Fatalf("after adding: %+v", ex)
	}
	// The files: staff read them; nobody else does.
	url := ex.Evidence[0].URL
	for _, c := range []struct {
		who, tok string
		want     int
	}{{"staff", staff, 200}, {"officer", officer, 200}, {"enterprise user", ent, 403}, {"anonymous", "", 401}} {
		if got := h.getStatus(c.tok, url); got != c.want {
			t.Errorf("%s downloading %s: %d, want %d", c.who, url, got, c.want)
		}
	}
	if r := h.gql(ent, `{exemptions{nodes{evidence{url}}}}`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("an enterprise user listed exemptions: %s", r.Raw)
	}
	// Approved with its evidence; no more evidence once decided.
	h.must(officer, `mutation($id:ID!,$v:Int!){decideExemption(input:{id:$id,approve:true,reason:"材料属实",version:$v}){exemption{status}}}`,
		map[string]any{"id": ex.ID, "v": ex.Version}, nil)
	late := map[string]any{"in": map[string]any{"id": ex.ID, "evidence": []any{nil}, "version": ex.Version + 1}}
	if r := h.upload(staff, addExemptionEvidence, late, "variables.in.evidence.%d", map[string][]byte{"x.pdf": pdfBytes}); r.code() != "FAILED_PRECONDITION" {
		t.Fatalf("evidence added to a decided exemption: %s", r.Raw)
	}
	if n := h.rows("audit_entries", "action = 'evidence.read' AND subject_id = ?", ex.Evidence[0].ID); n != 2 {
		t.Errorf("%d evidence.read audit entries, want 2 (staff, officer)", n)
	}
}
