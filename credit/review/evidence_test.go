package review_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/review"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/store"
)

func TestEvidenceRefusedStoresNothing(t *testing.T) {
	// R5.1, R5.2, R7.3: a file over the size limit or whose content is not
	// a PDF, JPEG or PNG (whatever its name or declared type) is refused
	// with INVALID (field evidence) naming the file and why, and nothing of
	// the request is stored.
	w := ct.NewWorkflow(t, review.Config{})
	s := w.Enterprise(t, "辛公司", "914403001922038216")
	rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, ct.Noon(2026, 5, 1))
	html := []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 200)...)
	many := func() []credit.Upload {
		out := make([]credit.Upload, 11)
		for i := range out {
			out[i] = ct.Upload("p.pdf", ct.PDFBody(100))
		}
		return out
	}
	one := func(u credit.Upload) func() []credit.Upload {
		return func() []credit.Upload { return []credit.Upload{u} }
	}
	cases := []struct {
		name   string
		files  func() []credit.Upload // fresh readers for each filing
		reason string
		code   string
		named  string
	}{
		{"one byte over 5 MiB", func() []credit.Upload { return []credit.Upload{ct.Upload("big.pdf", ct.PDFBody(5<<20+1))} }, "EVIDENCE_REFUSED", "TOO_LARGE", "big.pdf"},
		{"declared size over the limit", func() []credit.Upload {
			return []credit.Upload{{FileName: "big.pdf", Size: 6 << 20, Body: bytes.NewReader(ct.PDFBody(100))}}
		}, "EVIDENCE_REFUSED", "TOO_LARGE", "big.pdf"},
		{"HTML named .pdf", func() []credit.Upload { return []credit.Upload{ct.Upload("report.pdf", html)} }, "EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "report.pdf"},
		{"executable", func() []credit.Upload { return []credit.Upload{ct.Upload("setup.exe", exe)} }, "EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "setup.exe"},
		{"executable declared as PDF", func() []credit.Upload {
			return []credit.Upload{{FileName: "scan.pdf", ContentType: "application/pdf", Body: bytes.NewReader(exe)}}
		}, "EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "scan.pdf"},
		{"empty file", func() []credit.Upload { return []credit.Upload{ct.Upload("empty.pdf", nil)} }, "EVIDENCE_REFUSED", "EMPTY", "empty.pdf"},
		{"no body", one(credit.Upload{FileName: "nobody.pdf"}), "EVIDENCE_REFUSED", "EMPTY", "nobody.pdf"},
		{"a good file and a bad one", func() []credit.Upload {
			return []credit.Upload{ct.Upload("ok.pdf", ct.PDFBody(100)), ct.Upload("bad.pdf", html)}
		},
			"EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "bad.pdf"},
		{"too many files", many, "TOO_MANY_FILES", "", ""},
	}
	tables := []any{&models.RepairRequest{}, &models.Objection{}, &models.Evidence{}, &models.RequestEvent{}, &models.AuditEntry{}}
	counts := func() []int64 {
		out := make([]int64, len(tables))
		for i, m := range tables {
			out[i] = w.Count(t, m, "")
		}
		return out
	}
	before := counts()
	for _, c := range cases {
		for _, filer := range []string{"repair", "objection"} {
			files := c.files()
			var err error
			if filer == "repair" {
				_, err = w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true, Evidence: files})
			} else {
				_, err = w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec.ID, Reason: "有误", Evidence: files})
			}
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Field != "evidence" || e.Reason != c.reason {
				t.Errorf("%s (%s): %v", c.name, filer, err)
				continue
			}
			if c.named != "" && !strings.Contains(e.Message, c.named) {
				t.Errorf("%s (%s): message %q does not name %s", c.name, filer, e.Message, c.named)
			}
			if c.code != "" {
				fs, _ := e.Details["files"].([]map[string]any)
				if len(fs) != 1 || fs[0]["code"] != c.code || fs[0]["fileName"] != c.named {
					t.Errorf("%s (%s): details %v", c.name, filer, e.Details)
				}
			}
		}
	}
	if after := counts(); !slices.Equal(before, after) {
		t.Fatalf("rows before %v, after %v: a refused request stored something", before, after)
	}
}

func TestEvidenceStoredByContent(t *testing.T) {
	// R5.1, R7.2: accepted files keep their bytes (in a column big enough
	// for the limit), their sniffed type, their SHA-256 and a sanitised
	// name; they are readable by the subject and staff only, with an audit
	// entry.
	w := ct.NewWorkflow(t, review.Config{})
	s := w.Enterprise(t, "壬公司", "914403001922038216")
	rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, ct.Noon(2026, 5, 1))
	big := ct.PDFBody(3<<20 + 17) // well over a 64 KiB BLOB
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{7}, 300)...)
	cases := []struct {
		name, wantName, wantType string
		data                     []byte
	}{
		{"../../etc/passwd.pdf", "passwd.pdf", "application/pdf", big},
		{`C:\Users\张三\报告.exe`, "报告.exe.pdf", "application/pdf", ct.PDFBody(200)},
		{"photo.JPG", "photo.JPG.png", "image/png", ct.PNGBody(300)},
		{"现场.jpeg", "现场.jpeg", "image/jpeg", jpeg},
		{"", "evidence-5.pdf", "application/pdf", ct.PDFBody(50)},
	}
	ups := make([]credit.Upload, len(cases))
	for i, f := range cases {
		ups[i] = ct.Upload(f.name, f.data)
		ups[i].ContentType = "text/html" // the declared type is ignored
	}
	req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true, Evidence: ups})
	ct.Must(t, err)
	files := evidence.NewFiles(w.DB, audit.New(w.DB))
	files.Register(review.OwnerRepair, w.Desk.EvidenceCheck(review.OwnerRepair))
	list, err := w.Repairs.Evidence(ct.EntCtx(), req.ID)
	ct.Must(t, err)
	if len(list) != len(cases) {
		t.Fatalf("%d evidence rows", len(list))
	}
	for i, f := range cases {
		got, err := files.Get(ct.EntCtx(), list[i].PublicID)
		ct.Must(t, err)
		sum := sha256.Sum256(f.data)
		if got.FileName != f.wantName || got.ContentType != f.wantType || got.Size != int64(len(f.data)) ||
			got.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(got.Data, f.data) || got.OwnerType != review.OwnerRepair {
			t.Errorf("file %d: name %q type %s size %d, want %q %s %d; data equal %v",
				i, got.FileName, got.ContentType, got.Size, f.wantName, f.wantType, len(f.data), bytes.Equal(got.Data, f.data))
		}
	}
	_, err = files.Get(ct.StaffCtx(), list[0].PublicID)
	ct.Must(t, err)
	_, err = files.Get(ct.ActorCtx(models.RoleEnterprise, "stranger"), list[0].PublicID)
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = files.Get(ct.StaffCtx(), models.NewID())
	ct.WantCode(t, err, apperr.NotFound)
	if n := w.Count(t, &models.AuditEntry{}, "action = ?", "evidence.read"); n != int64(len(cases))+1 {
		t.Fatalf("%d evidence.read audit entries", n)
	}
	if store.IsMySQL(w.DB) {
		var typ string
		ct.Must(t, w.DB.Raw(`SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
			AND TABLE_NAME = 'evidences' AND COLUMN_NAME = 'data'`).Scan(&typ).Error)
		if typ != "longblob" {
			t.Fatalf("evidences.data is %q on MySQL, want longblob", typ)
		}
	}
}

func TestReadUploadsConfig(t *testing.T) {
	// R7.4: the evidence limits are configuration: a repair filed under
	// limits of 1000 bytes and two files.
	w := ct.NewWorkflow(t, review.Config{Evidence: evidence.Limits{MaxBytes: 1000, MaxFiles: 2}})
	s := w.Enterprise(t, "癸公司", "914403001922038216")
	cases := []struct {
		name  string
		ups   []credit.Upload
		field string
	}{
		{"within the limits", []credit.Upload{ct.Upload("a.pdf", ct.PDFBody(1000)), ct.Upload("b.png", ct.PNGBody(10))}, ""},
		{"one byte over", []credit.Upload{ct.Upload("a.pdf", ct.PDFBody(1001))}, "evidence"},
		{"three files", []credit.Upload{ct.Upload("a.pdf", ct.PDFBody(10)), ct.Upload("b.pdf", ct.PDFBody(10)), ct.Upload("c.pdf", ct.PDFBody(10))}, "evidence"},
	}
	for _, c := range cases {
		rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, ct.Noon(2026, 5, 1))
		_, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true, Evidence: c.ups})
		if e := apperr.As(err); (c.field == "" && err != nil) || (c.field != "" && (e == nil || e.Field != c.field)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if d := (review.Config{}).WithDefaults(); d.RepairReviewDays != 10 || d.ObjectionReviewDays != 5 || d.ObjectionMaxExtensionDays != 5 || d.RemindWithinWorkdays != 1 {
		t.Fatalf("defaults %+v", d)
	}
}
