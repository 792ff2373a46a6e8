package server_test

import (
	"context"
	"encoding/json"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// R1.1: staff import a GBK billing file over multipart: good rows in, bad
// rows reported with line, column and reason; re-sending changes nothing.
func TestImportBillingFileUpload_R1_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	csv := "account_no,subject_kind,subject_id,subject_name,address,use_type,opened_on\n" +
		"SG0001,ENTERPRISE,914403001922038216,韶关市清源食品有限公司,浈江区工业大道8号,工业,2019-03-01\n" +
		"SG0002,ENTERPRISE,914403001922038217,坏代码有限公司,武江区,商业,2020-01-01\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(csv)
	if err != nil {
		t.Fatal(err)
	}
	const mut = `mutation($in:ImportBillingFileInput!){importBillingFile(input:$in){job{id status totalRows rows}}}`
	type job struct {
		ID, Status, Encoding              string
		TotalRows                         int
		Rows, Inserted, Unchanged, Failed int
		Errors                            []struct {
			Line           int
			Column, Reason string
		}
	}
	run := func() job {
		r := h.upload(staff, mut, map[string]any{"in": map[string]any{"kind": "ACCOUNTS", "file": nil}}, "variables.in.file",
			map[string][]byte{"accounts-gbk.csv": []byte(gbk)})
		if len(r.Errors) > 0 {
			t.Fatal(r.Raw)
		}
		var out struct{ ImportBillingFile struct{ Job job } }
		_ = json.Unmarshal(r.Data, &out)
		queued := out.ImportBillingFile.Job
		if queued.Status != "QUEUED" || queued.TotalRows != 2 || queued.Rows != 0 {
			t.Fatalf("upload did not queue the job: %s", r.Raw)
		}
		h.runImports()
		var done struct{ ImportJob job }
		h.must(staff, `query($id:ID!){importJob(id:$id){status encoding rows inserted unchanged failed errors{line column reason}}}`, map[string]any{"id": queued.ID}, &done)
		return done.ImportJob
	}
	first := run()
	if first.Status != "DONE" || first.Rows != 2 || first.Inserted != 1 || first.Failed != 1 || len(first.Errors) != 1 ||
		first.Errors[0].Line != 3 || first.Errors[0].Column != "subject_id" {
		t.Fatalf("first import: %+v", first)
	}
	var name string
	h.srv.DB().Raw("SELECT name FROM subjects WHERE uscc = ?", "914403001922038216").Scan(&name)
	if name != "韶关市清源食品有限公司" {
		t.Errorf("GBK name read as %q", name)
	}
	if again := run(); again.Inserted != 0 || again.Unchanged != 1 {
		t.Errorf("re-import: %+v", again)
	}
	if r := h.upload(h.wechatToken("ent"), mut, map[string]any{"in": map[string]any{"kind": "ACCOUNTS", "file": nil}}, "variables.in.file",
		map[string][]byte{"a.csv": []byte(csv)}); r.code() != "FORBIDDEN" {
		t.Errorf("enterprise import: %s", r.Raw)
	}
}

// runImports runs the queued billing imports to their end, as the
// background worker does.
func (h *harness) runImports() {
	h.t.Helper()
	for {
		ran, err := h.srv.ImportWorker().RunOnce(context.Background())
		if err != nil {
			h.t.Fatalf("import worker: %v", err)
		}
		if !ran {
			return
		}
	}
}
