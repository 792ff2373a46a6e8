package server_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"creditwater/creditplatform/simulator"
)

// wantInvalidField checks that r is INVALID for field with reason and that
// no data came back.
func wantInvalidField(t *testing.T, r gqlResponse, field, reason string) {
	t.Helper()
	if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != field || r.Errors[0].Extensions["reason"] != reason {
		t.Fatalf("want INVALID field %s reason %s, got %s", field, reason, r.Raw)
	}
	if !strings.Contains(r.Errors[0].Message, "第 ") {
		t.Errorf("message %q does not say which character", r.Errors[0].Message)
	}
	if d := string(r.Data); d != "" && d != "null" {
		t.Errorf("data = %s, want none: nothing may run", d)
	}
}

// R7.3: a NUL, a bidi override or an unpaired surrogate in any text
// argument — from variables or inline, in an input object, a list or a
// fragment — is INVALID naming the argument path before any resolver runs,
// and nothing is written.
func TestControlCharactersRefused_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("hygiene-enterprise")

	bindings := h.count("enterprise_bindings")
	in := bindInput(simulator.EnterpriseA, "11010519491231002X")
	in["unitName"] = "韶关市清源\x00食品有限公司"
	wantInvalidField(t, h.gql(tok, bindMut, map[string]any{"in": in}), "input.unitName", "CONTROL_CHARACTER")
	in = bindInput(simulator.EnterpriseA, "11010519491231002X")
	in["legalRepName"] = "张\u202E三"
	wantInvalidField(t, h.gql(tok, bindMut, map[string]any{"in": in}), "input.legalRepName", "BIDI_CONTROL")
	if n := h.count("enterprise_bindings"); n != bindings {
		t.Fatalf("enterprise_bindings %d → %d after refused binds", bindings, n)
	}
	h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")

	apps := h.count("applications")
	bad := []struct {
		name, key, value, field, reason string
	}{
		{"NUL in the address", "address", "韶关市浈江区\x00工业大道 8 号", "input.address", "CONTROL_CHARACTER"},
		{"line feed in the contact's name", "contactName", "李\n四", "input.contactName", "LINE_BREAK"},
		{"isolate in the category", "category", "工业\u2066用水", "input.category", "BIDI_CONTROL"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			in := submitInput("hygiene-"+c.key, "OWN_BUILDING_ON_STATE_LAND")
			in[c.key] = c.value
			wantInvalidField(t, h.gql(tok, submitMut, map[string]any{"in": in}), c.field, c.reason)
		})
	}
	t.Run("unpaired surrogate", func(t *testing.T) {
		in := submitInput("hygiene-surrogate", "OWN_BUILDING_ON_STATE_LAND")
		in["address"] = "SURROGATE"
		body, _ := json.Marshal(map[string]any{"query": submitMut, "variables": map[string]any{"in": in}})
		body = bytes.Replace(body, []byte("SURROGATE"), []byte(`韶关\ud800市`), 1)
		wantInvalidField(t, h.post(tok, body, map[string]string{"Authorization": "Bearer " + tok}), "input.address", "INVALID_UTF8")
	})
	t.Run("inline argument in a fragment", func(t *testing.T) {
		q := `mutation { ...Submit } fragment Submit on Mutation { submitApplication(input:{address:"韶关\u0000", land:OWN_BUILDING_ON_STATE_LAND,
			category:"工业用水", contactName:"李四", wantsCreditHandling:true, idempotencyKey:"hygiene-inline"}) { replayed } }`
		r := h.gql(tok, q, nil)
		wantInvalidField(t, r, "input.address", "CONTROL_CHARACTER")
		if loc := r.Raw; !strings.Contains(loc, `"locations"`) {
			t.Errorf("no location of the argument: %s", loc)
		}
	})
	if n := h.count("applications"); n != apps {
		t.Fatalf("applications %d → %d after refused submits", apps, n)
	}
	if _, replayed := h.submit(tok, submitInput("hygiene-clean", "OWN_BUILDING_ON_STATE_LAND")); replayed {
		t.Fatal("clean submit replayed")
	}
	if n := h.count("applications"); n != apps+1 {
		t.Fatalf("applications %d → %d after a clean submit", apps, n)
	}

	// A list element, and a query: the path names the index.
	staff := h.staffToken("staff", "demo-staff-pass")
	r := h.gql(staff, `query($u:String!){creditRating(uscc:$u){rating}}`, map[string]any{"u": "9144\x0003001922038216"})
	wantInvalidField(t, r, "uscc", "CONTROL_CHARACTER")
	r = h.gql(staff, `mutation{acceptApplication(input:{applicationId:"x",version:1,missingDocuments:["房产证","营业\u0007执照"]}){application{id}}}`, nil)
	wantInvalidField(t, r, "input.missingDocuments[1]", "CONTROL_CHARACTER")
}

// R7.3: multi-line free text (reasons, notes, statements, descriptions)
// keeps its line breaks and tabs, but not other control characters.
func TestMultiLineTextAllowed_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("hygiene-multiline")
	h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	id, _ := h.submit(tok, submitInput("hygiene-ml", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.must(staff, `mutation($id:ID!,$a:ID!,$t:Time!){scheduleSurvey(input:{applicationId:$id,assigneeId:$a,at:$t,version:1}){application{status}}}`,
		map[string]any{"id": id, "a": h.staffID(staff), "t": "2030-01-02T10:00:00+08:00"}, nil)
	const survey = `mutation($id:ID!,$n:String){recordSurvey(input:{applicationId:$id,fit:true,wantsCreditHandling:true,notes:$n,version:2}){application{status}}}`
	wantInvalidField(t, h.gql(staff, survey, map[string]any{"id": id, "n": "一、地址核实\x00"}), "input.notes", "CONTROL_CHARACTER")
	h.must(staff, survey, map[string]any{"id": id, "n": "一、地址核实无误\r\n二、\t业务类别适用"}, nil)
}

// R1.1, R7.3: a billing file refused for its header, encoding or file name
// through importBillingFile is INVALID naming the field and writes nothing:
// no import_jobs row, no import_errors row.
func TestRefusedImportFileWritesNothing_R1_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	const mut = `mutation($in:ImportBillingFileInput!){importBillingFile(input:$in){job{id status}}}`
	cases := []struct {
		name, kind, encoding, file, field string
	}{
		{"usage header for an accounts import", "ACCOUNTS", "", "account_no,period,reading,volume_m3\nA1,2024-01,1,1\n", "subject_kind"},
		{"empty file", "BILLS", "", "", "file"},
		{"header not UTF-8", "USAGE", "utf-8", "account_no,period,reading,volume_m3,\xff\xfe\n", "file"},
		{"unknown encoding", "BILLS", "latin1", "bill_no\n", "encoding"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jobs, errRows := h.count("import_jobs"), h.count("import_errors")
			in := map[string]any{"kind": c.kind, "file": nil}
			if c.encoding != "" {
				in["encoding"] = c.encoding
			}
			r := h.upload(staff, mut, map[string]any{"in": in}, "variables.in.file", map[string][]byte{"f.csv": []byte(c.file)})
			if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != c.field {
				t.Fatalf("want INVALID field %s, got %s", c.field, r.Raw)
			}
			if n := h.count("import_jobs"); n != jobs {
				t.Errorf("import_jobs %d → %d", jobs, n)
			}
			if n := h.count("import_errors"); n != errRows {
				t.Errorf("import_errors %d → %d", errRows, n)
			}
		})
	}
	// R7.3: an upload's file name is text too: a bidi override would make
	// "bills‮vsc.exe" display as "billsexe.csv".
	jobs := h.count("import_jobs")
	r := h.upload(staff, mut, map[string]any{"in": map[string]any{"kind": "USAGE", "file": nil}}, "variables.in.file",
		map[string][]byte{"bills\u202Evsc.exe": []byte("account_no,period,reading,volume_m3\n")})
	wantInvalidField(t, r, "input.file", "BIDI_CONTROL")
	if n := h.count("import_jobs"); n != jobs {
		t.Errorf("import_jobs %d → %d after a refused file name", jobs, n)
	}

	// A formula cell is a row error of an accepted file (R1.1).
	file := "account_no,subject_kind,subject_id,subject_name,address,use_type,opened_on\n" +
		"SG0001,ENTERPRISE,914403001922038216,=cmd|' /C calc'!A0,浈江区,工业,2019-03-01\n"
	r = h.upload(staff, `mutation($in:ImportBillingFileInput!){importBillingFile(input:$in){job{id}}}`,
		map[string]any{"in": map[string]any{"kind": "ACCOUNTS", "file": nil}}, "variables.in.file", map[string][]byte{"a.csv": []byte(file)})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	h.runImports()
	var queued struct {
		ImportBillingFile struct{ Job struct{ ID string } }
	}
	_ = json.Unmarshal(r.Data, &queued)
	r = h.gql(staff, `query($id:ID!){importJob(id:$id){status failed errors{line column reason}}}`, map[string]any{"id": queued.ImportBillingFile.Job.ID})
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"failed":1`) || !strings.Contains(string(r.Data), `"column":"subject_name"`) ||
		!strings.Contains(string(r.Data), "公式") {
		t.Fatalf("formula cell: %s", r.Raw)
	}
	var stored int64
	h.srv.DB().Table("subjects").Where("name LIKE ?", "=%").Count(&stored)
	if stored != 0 {
		t.Errorf("%d subjects named by a formula cell", stored)
	}
}
