package credit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/store"
)

func TestEvidenceRefusedStoresNothing(t *testing.T) {
	// R5.1, R5.2, R7.3: a file over the size limit or whose content is not
	// a PDF, JPEG or PNG (whatever its name or declared type) is refused
	// with INVALID (field evidence) naming the file and why, and nothing of
	// the request is stored.
	w := newWF(t, RepairConfig{})
	s := w.enterprise(t, "辛公司", "914403001922038216")
	rec := w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, noon(2026, 5, 1))
	html := []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 200)...)
	many := func() []Upload {
		out := make([]Upload, 11)
		for i := range out {
			out[i] = upload("p.pdf", pdfBody(100))
		}
		return out
	}
	one := func(u Upload) func() []Upload { return func() []Upload { return []Upload{u} } }
	cases := []struct {
		name   string
		files  func() []Upload // fresh readers for each filing
		reason string
		code   string
		named  string
	}{
		{"one byte over 5 MiB", func() []Upload { return []Upload{upload("big.pdf", pdfBody(5<<20+1))} }, "EVIDENCE_REFUSED", "TOO_LARGE", "big.pdf"},
		{"declared size over the limit", func() []Upload {
			return []Upload{{FileName: "big.pdf", Size: 6 << 20, Body: bytes.NewReader(pdfBody(100))}}
		}, "EVIDENCE_REFUSED", "TOO_LARGE", "big.pdf"},
		{"HTML named .pdf", func() []Upload { return []Upload{upload("report.pdf", html)} }, "EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "report.pdf"},
		{"executable", func() []Upload { return []Upload{upload("setup.exe", exe)} }, "EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "setup.exe"},
		{"executable declared as PDF", func() []Upload {
			return []Upload{{FileName: "scan.pdf", ContentType: "application/pdf", Body: bytes.NewReader(exe)}}
		}, "EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "scan.pdf"},
		{"empty file", func() []Upload { return []Upload{upload("empty.pdf", nil)} }, "EVIDENCE_REFUSED", "EMPTY", "empty.pdf"},
		{"no body", one(Upload{FileName: "nobody.pdf"}), "EVIDENCE_REFUSED", "EMPTY", "nobody.pdf"},
		{"a good file and a bad one", func() []Upload { return []Upload{upload("ok.pdf", pdfBody(100)), upload("bad.pdf", html)} },
			"EVIDENCE_REFUSED", "TYPE_NOT_ALLOWED", "bad.pdf"},
		{"too many files", many, "TOO_MANY_FILES", "", ""},
	}
	tables := []any{&models.RepairRequest{}, &models.Objection{}, &models.Evidence{}, &models.RequestEvent{}, &models.AuditEntry{}}
	counts := func() []int64 {
		out := make([]int64, len(tables))
		for i, m := range tables {
			out[i] = w.count(t, m, "")
		}
		return out
	}
	before := counts()
	for _, c := range cases {
		for _, filer := range []string{"repair", "objection"} {
			files := c.files()
			var err error
			if filer == "repair" {
				_, err = w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true, Evidence: files})
			} else {
				_, err = w.objections.File(entCtx(), FileObjection{RecordID: rec.ID, Reason: "有误", Evidence: files})
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
	w := newWF(t, RepairConfig{})
	s := w.enterprise(t, "壬公司", "914403001922038216")
	rec := w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, noon(2026, 5, 1))
	big := pdfBody(3<<20 + 17) // well over a 64 KiB BLOB
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{7}, 300)...)
	cases := []struct {
		name, wantName, wantType string
		data                     []byte
	}{
		{"../../etc/passwd.pdf", "passwd.pdf", "application/pdf", big},
		{`C:\Users\张三\报告.exe`, "报告.exe.pdf", "application/pdf", pdfBody(200)},
		{"photo.JPG", "photo.JPG.png", "image/png", pngBody(300)},
		{"现场.jpeg", "现场.jpeg", "image/jpeg", jpeg},
		{"", "evidence-5.pdf", "application/pdf", pdfBody(50)},
	}
	ups := make([]Upload, len(cases))
	for i, f := range cases {
		ups[i] = upload(f.name, f.data)
		ups[i].ContentType = "text/html" // the declared type is ignored
	}
	req, err := w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true, Evidence: ups})
	must(t, err)
	files := evidence.NewFiles(w.db, audit.New(w.db))
	files.Register(OwnerRepair, w.reviews.EvidenceCheck(OwnerRepair))
	list, err := w.repairs.Evidence(entCtx(), req.ID)
	must(t, err)
	if len(list) != len(cases) {
		t.Fatalf("%d evidence rows", len(list))
	}
	for i, f := range cases {
		got, err := files.Get(entCtx(), list[i].PublicID)
		must(t, err)
		sum := sha256.Sum256(f.data)
		if got.FileName != f.wantName || got.ContentType != f.wantType || got.Size != int64(len(f.data)) ||
			got.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(got.Data, f.data) || got.OwnerType != OwnerRepair {
			t.Errorf("file %d: name %q type %s size %d, want %q %s %d; data equal %v",
				i, got.FileName, got.ContentType, got.Size, f.wantName, f.wantType, len(f.data), bytes.Equal(got.Data, f.data))
		}
	}
	_, err = files.Get(staffCtx(), list[0].PublicID)
	must(t, err)
	_, err = files.Get(actorCtx(models.RoleEnterprise, "stranger"), list[0].PublicID)
	wantCode(t, err, apperr.Forbidden)
	_, err = files.Get(staffCtx(), models.NewID())
	wantCode(t, err, apperr.NotFound)
	if n := w.count(t, &models.AuditEntry{}, "action = ?", "evidence.read"); n != int64(len(cases))+1 {
		t.Fatalf("%d evidence.read audit entries", n)
	}
	if store.IsMySQL(w.db) {
		var typ string
		must(t, w.db.Raw(`SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
			AND TABLE_NAME = 'evidences' AND COLUMN_NAME = 'data'`).Scan(&typ).Error)
		if typ != "longblob" {
			t.Fatalf("evidences.data is %q on MySQL, want longblob", typ)
		}
	}
}

func TestReadUploadsConfig(t *testing.T) {
	// R7.4: the limits are configuration.
	cfg := RepairConfig{EvidenceMaxBytes: 1000, EvidenceMaxFiles: 2}.withDefaults()
	cases := []struct {
		name  string
		ups   []Upload
		field string
	}{
		{"within the limits", []Upload{upload("a.pdf", pdfBody(1000)), upload("b.png", pngBody(10))}, ""},
		{"one byte over", []Upload{upload("a.pdf", pdfBody(1001))}, "evidence"},
		{"three files", []Upload{upload("a.pdf", pdfBody(10)), upload("b.pdf", pdfBody(10)), upload("c.pdf", pdfBody(10))}, "evidence"},
	}
	for _, c := range cases {
		_, err := evidence.Read(c.ups, cfg.evidenceLimits(), "u", noon(2026, 1, 1))
		if e := apperr.As(err); (c.field == "" && err != nil) || (c.field != "" && (e == nil || e.Field != c.field)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if d := DefaultRepairConfig(); d.EvidenceMaxBytes != 5<<20 || d.EvidenceMaxFiles != 10 || d.RepairReviewDays != 10 || d.ObjectionReviewDays != 5 {
		t.Fatalf("defaults %+v", d)
	}
}
