package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
)

// upload posts a GraphQL multipart request (the multipart request spec):
// files fill the list variable at path, e.g. "variables.in.evidence.%d".
func (h *harness) upload(token, query string, vars map[string]any, path string, files map[string][]byte) gqlResponse {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	_ = mw.WriteField("operations", string(ops))
	m := map[string][]string{}
	i := 0
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	for range names {
		p := path // a single file's variable, or a list with %d for the index
		if strings.Contains(path, "%d") {
			p = fmt.Sprintf(path, i)
		}
		m[string(rune('0'+i))] = []string{p}
		i++
	}
	mapJSON, _ := json.Marshal(m)
	_ = mw.WriteField("map", string(mapJSON))
	for i, name := range names {
		fw, _ := mw.CreateFormFile(string(rune('0'+i)), name)
		_, _ = fw.Write(files[name])
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/graphql", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := gqlResponse{Status: resp.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, &out); err != nil {
		h.t.Fatalf("not JSON (%d): %s", resp.StatusCode, raw)
	}
	return out
}

// record stores a dishonesty record decided monthsAgo months ago.
func (h *harness) record(subjectID string, kind models.RecordKind, monthsAgo int) models.DishonestyRecord {
	h.t.Helper()
	decided := time.Now().UTC().AddDate(0, -monthsAgo, 0)
	end := decided.AddDate(1, 0, 0)
	rec := models.DishonestyRecord{SubjectID: subjectID, Kind: kind, Severity: models.SeverityGeneral, Status: models.RecordActive,
		SourceKey: "TEST:" + randHex(8), Source: "STAFF_CASE", Summary: "测试记录", BehaviourOn: decided.AddDate(0, 0, -10), DecidedOn: decided,
		PublicityStart: &decided, PublicityEnd: &end}
	if err := h.srv.DB().Create(&rec).Error; err != nil {
		h.t.Fatal(err)
	}
	return rec
}

func (h *harness) count(table string) int64 {
	var n int64
	h.srv.DB().Table(table).Count(&n)
	return n
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

const fileRepairMut = `mutation($in:FileRepairInput!){fileRepair(input:$in){repair{id status dueAt evidence{id url contentType}}}}`

// fileRepair files, as tok, a repair of the record with its commitment
// signed and one PDF receipt, and returns the repair's ID.
func (h *harness) fileRepair(tok, recordID string) string {
	h.t.Helper()
	r := h.upload(tok, fileRepairMut, map[string]any{"in": map[string]any{"recordId": recordID, "statement": "已整改", "signCommitment": true, "evidence": []any{nil}}},
		"variables.in.evidence.%d", map[string][]byte{"receipt.pdf": pdfBytes})
	var filed struct {
		FileRepair struct{ Repair struct{ ID string } } `json:"fileRepair"`
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &filed) != nil {
		h.t.Fatal(r.Raw)
	}
	return filed.FileRepair.Repair.ID
}

// R5.1, R5.3: repair through the API: preconditions named, evidence checked
// before anything is stored, the supplement loop, approval → REPAIRED and
// the publication withdrawn exactly once.
func TestCreditRepairThroughTheAPI_R5_1(t *testing.T) {
	env := testEnv(t)
	env["CW_EVIDENCE_MAX_BYTES"] = "2048"
	h := newHarness(t, env)
	sim := h.srv.CreditPlatformSimulator()
	tok := h.consented("repairer")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	old := h.record(subj, models.KindViolation, 4)
	recent := h.record(subj, models.KindViolation, 1)

	// The records are published first (the nightly publication job).
	admin := h.staffToken("admin", "demo-admin-pass")
	h.must(admin, `mutation{runJob(input:{name:"credit.publish"}){run{status}}}`, nil, nil)
	h.drain()
	if n := len(sim.Publications()); n != 2 {
		t.Fatalf("published records: %d", n)
	}

	in := func(recID string) map[string]any {
		return map[string]any{"recordId": recID, "statement": "已整改并缴清相关费用", "signCommitment": true, "evidence": []any{nil}}
	}
	// Too early: the minimum publicity period (3 months) has not passed.
	r := h.upload(tok, fileRepairMut, map[string]any{"in": in(recent.ID)}, "variables.in.evidence.%d", map[string][]byte{"receipt.pdf": pdfBytes})
	if r.code() != "FAILED_PRECONDITION" {
		t.Fatalf("early repair: %s", r.Raw)
	}
	details, _ := r.Errors[0].Extensions["details"].(map[string]any)
	if from, _ := details["possibleFrom"].(string); len(from) != 10 {
		t.Errorf("early repair names no date: %s", r.Raw)
	}
	// Evidence over the limit, or not a PDF/JPEG/PNG: nothing stored.
	before := h.count("repair_requests") + h.count("evidences")
	for name, body := range map[string][]byte{"big.pdf": append(pdfBytes, bytes.Repeat([]byte("x"), 4096)...), "page.pdf": []byte("<html><script>alert(1)</script></html>")} {
		r := h.upload(tok, fileRepairMut, map[string]any{"in": in(old.ID)}, "variables.in.evidence.%d", map[string][]byte{name: body})
		if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "evidence" {
			t.Errorf("%s: %s", name, r.Raw)
		}
	}
	if after := h.count("repair_requests") + h.count("evidences"); after != before {
		t.Fatalf("refused uploads stored rows: %d → %d", before, after)
	}

	var filed struct {
		FileRepair struct {
			Repair struct {
				ID, Status string
				Evidence   []struct{ ID, URL, ContentType string }
			}
		} `json:"fileRepair"`
	}
	r = h.upload(tok, fileRepairMut, map[string]any{"in": in(old.ID)}, "variables.in.evidence.%d", map[string][]byte{"receipt.pdf": pdfBytes})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	_ = json.Unmarshal(r.Data, &filed)
	rep := filed.FileRepair.Repair
	if rep.Status != "SUBMITTED" || len(rep.Evidence) != 1 || rep.Evidence[0].ContentType != "application/pdf" {
		t.Fatalf("filed: %+v", rep)
	}
	if code, body := getAuth(t, h.ts.URL+rep.Evidence[0].URL, tok); code != 200 || body != string(pdfBytes) {
		t.Errorf("evidence download: %d", code)
	}
	if code, _ := getAuth(t, h.ts.URL+rep.Evidence[0].URL, h.wechatToken("nosy")); code != 403 {
		t.Errorf("someone else's evidence: %d", code)
	}

	officer := h.staffToken("officer", "demo-officer-pass")
	h.must(officer, `mutation($id:ID!,$v:Int!){startRepairReview(input:{id:$id,version:$v}){repair{status}}}`, map[string]any{"id": rep.ID, "v": h.version("repair", rep.ID)}, nil)
	var sup struct {
		RequestRepairSupplement struct {
			Repair struct {
				Status       string
				MissingItems []string
			}
		} `json:"requestRepairSupplement"`
	}
	h.must(officer, `mutation($id:ID!,$v:Int!){requestRepairSupplement(input:{repairId:$id,missing:["缴费凭证原件扫描件","整改情况说明"],version:$v}){repair{status missingItems}}}`,
		map[string]any{"id": rep.ID, "v": h.version("repair", rep.ID)}, &sup)
	if sup.RequestRepairSupplement.Repair.Status != "NEEDS_SUPPLEMENT" || len(sup.RequestRepairSupplement.Repair.MissingItems) != 2 {
		t.Fatalf("supplement request: %+v", sup)
	}
	r = h.upload(tok, `mutation($in:SupplementRepairInput!){supplementRepair(input:$in){repair{status}}}`,
		map[string]any{"in": map[string]any{"repairId": rep.ID, "text": "已补充", "evidence": []any{nil}}}, "variables.in.evidence.%d", map[string][]byte{"scan.pdf": pdfBytes})
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "UNDER_REVIEW") {
		t.Fatalf("supplement: %s", r.Raw)
	}
	// R8.1: the decision carries the version seen; a stale one is a CONFLICT that changes nothing.
	const approve = `mutation($id:ID!,$v:Int!,$r:String!){approveRepair(input:{id:$id,reason:$r,version:$v}){repair{status}}}`
	v := h.version("repair", rep.ID)
	if r := h.gql(officer, approve, map[string]any{"id": rep.ID, "v": v - 1, "r": "已纠正失信行为"}); r.code() != "CONFLICT" || h.version("repair", rep.ID) != v {
		t.Fatalf("stale version: %s", r.Raw)
	}
	h.must(officer, approve, map[string]any{"id": rep.ID, "v": v, "r": "已纠正失信行为"}, nil)
	if r := h.gql(officer, approve, map[string]any{"id": rep.ID, "v": h.version("repair", rep.ID), "r": "again"}); r.code() != "FAILED_PRECONDITION" {
		t.Errorf("second approval: %s", r.Raw)
	}
	var got models.DishonestyRecord
	h.srv.DB().Where("id = ?", old.ID).Take(&got)
	if got.Status != models.RecordRepaired {
		t.Fatalf("record after approval: %s", got.Status)
	}
	h.drain()
	h.drain()
	if w := sim.Withdrawals(); len(w) != 1 {
		t.Fatalf("withdrawals: %d, want exactly 1", len(w))
	}

	// R5.3: open items are listed by due date for staff.
	var dl struct {
		Deadlines struct {
			Edges []struct{ Node struct{ Kind, ID string } }
		}
	}
	h.must(officer, `{deadlines{edges{node{kind id dueAt overdue}}}}`, nil, &dl)
	for _, e := range dl.Deadlines.Edges {
		if d := e.Node; d.ID == rep.ID {
			t.Errorf("a decided repair is still listed: %+v", d)
		}
	}
}

// R5.2, R4.1: an objection flags the record while under review; a REVOKED
// record no longer blocks a zero-document application.
func TestObjectionRevokedUnblocksApplication_R5_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("objector")
	subj := h.bindVerified(tok, simulator.EnterpriseB, "11010519491231002X")
	rec := h.record(subj, models.KindArrears, 1)

	var obj struct {
		FileObjection struct {
			Objection struct{ ID, Status string }
		} `json:"fileObjection"`
	}
	h.must(tok, `mutation($r:ID!){fileObjection(input:{recordId:$r,reason:"该笔水费已于催告前缴清，系营收系统未同步"}){objection{id status}}}`, map[string]any{"r": rec.ID}, &obj)
	officer := h.staffToken("officer", "demo-officer-pass")
	objID := obj.FileObjection.Objection.ID
	h.must(officer, `mutation($id:ID!,$v:Int!){acceptObjection(input:{id:$id,version:$v}){objection{status dueAt}}}`, map[string]any{"id": objID, "v": h.version("objection", objID)}, nil)
	var recs struct {
		DishonestyRecords struct {
			Edges []struct{ Node struct{ Status string } }
		} `json:"dishonestyRecords"`
	}
	h.must(tok, `query($s:ID){dishonestyRecords(filter:{subjectId:$s}){edges{node{status}}}}`, map[string]any{"s": subj}, &recs)
	if len(recs.DishonestyRecords.Edges) != 1 || recs.DishonestyRecords.Edges[0].Node.Status != "UNDER_OBJECTION" {
		t.Fatalf("record under objection: %+v", recs)
	}
	h.must(officer, `mutation($id:ID!,$v:Int!){decideObjection(input:{id:$id,outcome:REVOKED,reason:"核实缴费记录，撤销该记录",version:$v}){objection{status}}}`,
		map[string]any{"id": objID, "v": h.version("objection", objID)}, nil)
	var got models.DishonestyRecord
	h.srv.DB().Where("id = ?", rec.ID).Take(&got)
	if got.Status != models.RecordRevoked {
		t.Fatalf("record after REVOKED: %s", got.Status)
	}

	id, _ := h.submit(tok, submitInput("objector-key-1", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, id)
	if eligible, v := h.creditCheck(staff, id); !eligible {
		t.Fatalf("a revoked record still blocks: %+v", v.FailedConditions)
	}
}

// version reads the optimistic-lock version of a repair or objection (kind
// "repair" or "objection") as staff see it.
func (h *harness) version(kind, id string) int {
	h.t.Helper()
	var out map[string]struct{ Version int }
	h.must(h.staffToken("officer", "demo-officer-pass"), `query($id:ID!){`+kind+`(id:$id){version}}`, map[string]any{"id": id}, &out)
	return out[kind].Version
}
