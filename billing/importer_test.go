package billing_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/billing"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/pii"
	"creditwater/store/storetest"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func newSealer(t *testing.T) *pii.Sealer {
	t.Helper()
	master := make([]byte, pii.MasterKeySize)
	_, _ = rand.Read(master)
	s, err := pii.NewSealerFromMaster(master)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type env struct {
	db     *gorm.DB
	sealer *pii.Sealer
	im     *billing.Importer
}

func newEnv(t *testing.T, opts billing.Options) *env {
	t.Helper()
	db := storetest.DB(t)
	s := newSealer(t)
	return &env{db: db, sealer: s, im: billing.NewImporter(db, s, opts)}
}

func (e *env) run(t *testing.T, kind billing.Kind, data []byte, encoding string) (models.ImportJob, []models.ImportError) {
	t.Helper()
	job, errs, err := e.im.Import(context.Background(), kind, bytes.NewReader(data), billing.Meta{FileName: "test.csv", Encoding: encoding, StartedBy: "tester"})
	if err != nil {
		t.Fatalf("Import(%s): %v", kind, err)
	}
	if job.Status != billing.StatusDone {
		t.Fatalf("job status %s, want DONE", job.Status)
	}
	return job, errs
}

// The fixtures' enterprise and person: a valid USCC (GB 32100-2015) and
// resident ID number (GB 11643-1999), check characters included.
const (
	fixtureUSCC       = "914402007123456784"
	fixtureResidentID = "440203198001010015"
)

// fixtures returns a valid file of every kind.
func fixtures(t *testing.T) map[billing.Kind]string {
	ent := fixtureUSCC
	person := fixtureResidentID
	return map[billing.Kind]string{
		billing.KindAccounts: "account_no,subject_kind,subject_id,subject_name,address,use_type,opened_on\n" +
			"A001,ENTERPRISE," + ent + ",韶关市测试水务用户有限公司,武江区1号,INDUSTRIAL,2019-03-01\n" +
			"A002,enterprise," + strings.ToLower(ent) + ",韶关市测试水务用户有限公司,武江区2号,INDUSTRIAL,2015-07-15\n" +
			"A003,PERSON," + person + ",张三,浈江区3号,RESIDENTIAL,2020-01-01\n",
		billing.KindUsage: "account_no,period,reading,volume_m3\n" +
			"A001,2024-01,1234.5,12.345\n" +
			"A001,2024-02,1250,15.5\n" +
			"A003,2024-01,88,0\n",
		billing.KindBills: "bill_no,account_no,period,amount_yuan,issued_on,due_on\n" +
			"B001,A001,2024-01,1234.56,2024-02-01,2024-02-29\n" +
			"B002,A001,2024-02,99.9,2024-03-01,2024-03-31\n" +
			"B003,A003,2024-01,0,2024-02-01,2024-02-29\n",
		billing.KindPayments: "payment_no,bill_no,account_no,amount_yuan,paid_at\n" +
			"P001,B001,A001,1234.56,2024-02-10 14:30:00\n" +
			"P002,B002,A001,50,2024-03-05\n" +
			"P003,B999,A009,10.01,2024-03-06 08:00:00\n", // a bill not imported yet: accepted
		billing.KindReminders: "reminder_no,account_no,served_on,amount_yuan,bill_nos\n" +
			"R001,A001,2024-04-10,1334.46,B001;B002\n" +
			"R002,A003,2024-04-11,0.5,B003|B004 ; B003\n",
		billing.KindContracts: "contract_no,account_no,supplier,customer,starts_on,ends_on,status\n" +
			"C001,A001,韶关市供水有限公司,韶关市测试水务用户有限公司,2019-03-01,2029-02-28,active\n" +
			"C002,A003,韶关市供水有限公司,张三,2020-01-01,2030-12-31,TERMINATED\n",
	}
}

var kindTables = map[billing.Kind]struct{ table, order string }{
	billing.KindAccounts:  {"accounts", "account_no"},
	billing.KindUsage:     {"usages", "account_no, period"},
	billing.KindBills:     {"bills", "bill_no"},
	billing.KindPayments:  {"payments", "payment_no"},
	billing.KindReminders: {"reminders", "reminder_no"},
	billing.KindContracts: {"contracts", "contract_no"},
}

// snapshot renders every row of a table, updated_at included.
func snapshot(t *testing.T, db *gorm.DB, table, order string) []string {
	t.Helper()
	var rows []map[string]any
	if err := db.Table(table).Order(order).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r)
	}
	return out
}

func wantCounts(t *testing.T, job models.ImportJob, rows, ins, upd, unch, failed int64) {
	t.Helper()
	if job.Rows != rows || job.Inserted != ins || job.Updated != upd || job.Unchanged != unch || job.Failed != failed {
		t.Fatalf("counts rows/ins/upd/unch/failed = %d/%d/%d/%d/%d, want %d/%d/%d/%d/%d",
			job.Rows, job.Inserted, job.Updated, job.Unchanged, job.Failed, rows, ins, upd, unch, failed)
	}
}

// R1.1: every kind imports, and importing the same file again changes
// nothing: all rows unchanged, same row count, same updated_at values.
func TestImportIdempotent_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{})
	files := fixtures(t)
	for _, kind := range billing.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			tbl := kindTables[kind]
			data := []byte(files[kind])
			n := int64(strings.Count(files[kind], "\n") - 1)
			job, errs := e.run(t, kind, data, "")
			if len(errs) != 0 {
				t.Fatalf("errors: %+v", errs)
			}
			wantCounts(t, job, n, n, 0, 0, 0)
			before := snapshot(t, e.db, tbl.table, tbl.order)
			if int64(len(before)) != n {
				t.Fatalf("%d rows stored, want %d", len(before), n)
			}
			subjectsBefore := snapshot(t, e.db, "subjects", "id")
			linksBefore := snapshot(t, e.db, "reminder_bills", "reminder_no, bill_no")
			time.Sleep(5 * time.Millisecond) // a bumped updated_at would differ
			job, _ = e.run(t, kind, data, "")
			wantCounts(t, job, n, 0, 0, n, 0)
			if after := snapshot(t, e.db, tbl.table, tbl.order); !equal(before, after) {
				t.Fatalf("re-import changed rows:\nbefore %v\nafter  %v", before, after)
			}
			if after := snapshot(t, e.db, "subjects", "id"); !equal(subjectsBefore, after) {
				t.Fatalf("re-import changed subjects:\nbefore %v\nafter  %v", subjectsBefore, after)
			}
			if after := snapshot(t, e.db, "reminder_bills", "reminder_no, bill_no"); !equal(linksBefore, after) {
				t.Fatalf("re-import changed reminder links")
			}
		})
	}
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// R1.1, R1.2: imported values are converted exactly: money to fen, volumes
// to litres, dates to 00:00 Asia/Shanghai, subjects found or created.
func TestImportValues_R1_1_R1_2(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{})
	files := fixtures(t)
	for _, kind := range billing.Kinds() {
		e.run(t, kind, []byte(files[kind]), "")
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, shanghai) }

	var accounts []models.Account
	e.db.Order("account_no").Find(&accounts)
	if len(accounts) != 3 {
		t.Fatalf("%d accounts", len(accounts))
	}
	if accounts[0].SubjectID == "" || accounts[0].SubjectID != accounts[1].SubjectID {
		t.Fatalf("A001 and A002 (same USCC, one lower-case) should share a subject: %q %q", accounts[0].SubjectID, accounts[1].SubjectID)
	}
	if !accounts[0].OpenedOn.Equal(day(2019, 3, 1)) {
		t.Errorf("opened_on = %v", accounts[0].OpenedOn)
	}
	var ent models.Subject
	e.db.Where("id = ?", accounts[0].SubjectID).Take(&ent)
	if ent.Kind != models.SubjectEnterprise || ent.USCC == nil || *ent.USCC != fixtureUSCC || ent.Name != "韶关市测试水务用户有限公司" {
		t.Errorf("enterprise subject = %+v", ent)
	}
	if ent.HistorySince == nil || !ent.HistorySince.Equal(day(2015, 7, 15)) {
		t.Errorf("enterprise HistorySince = %v, want the earliest opened_on 2015-07-15", ent.HistorySince)
	}
	var person models.Subject
	e.db.Where("id = ?", accounts[2].SubjectID).Take(&person)
	id := fixtureResidentID
	if person.Kind != models.SubjectPerson || person.IDIndex == nil || *person.IDIndex != e.sealer.BlindIndex(id) ||
		person.IDMasked != ident.MaskID(id) || strings.Contains(person.IDSealed, id) || person.USCC != nil {
		t.Errorf("person subject = %+v", person)
	}
	if plain, err := e.sealer.Open(person.IDSealed); err != nil || plain != id {
		t.Errorf("sealed ID opens to %q, %v", plain, err)
	}

	var usage []models.Usage
	e.db.Order("account_no, period").Find(&usage)
	if len(usage) != 3 || usage[0].ReadingL != 1234500 || usage[0].VolumeL != 12345 || usage[1].VolumeL != 15500 || usage[2].VolumeL != 0 {
		t.Errorf("usage = %+v", usage)
	}
	var bills []models.Bill
	e.db.Order("bill_no").Find(&bills)
	if len(bills) != 3 || bills[0].AmountFen != 123456 || bills[1].AmountFen != 9990 || bills[2].AmountFen != 0 ||
		!bills[0].IssuedOn.Equal(day(2024, 2, 1)) || !bills[0].DueOn.Equal(day(2024, 2, 29)) || bills[0].Period != "2024-01" {
		t.Errorf("bills = %+v", bills)
	}
	var payments []models.Payment
	e.db.Order("payment_no").Find(&payments)
	if len(payments) != 3 || payments[0].AmountFen != 123456 ||
		!payments[0].PaidAt.Equal(time.Date(2024, 2, 10, 14, 30, 0, 0, shanghai)) || !payments[1].PaidAt.Equal(day(2024, 3, 5)) ||
		payments[2].BillNo != "B999" {
		t.Errorf("payments = %+v", payments)
	}
	var reminders []models.Reminder
	e.db.Order("reminder_no").Find(&reminders)
	if len(reminders) != 2 || reminders[0].AmountFen != 133446 || !reminders[0].ServedOn.Equal(day(2024, 4, 10)) ||
		reminders[0].BillNos != "B001;B002" || reminders[1].BillNos != "B003;B004" {
		t.Errorf("reminders = %+v", reminders)
	}
	var links []models.ReminderBill
	e.db.Order("reminder_no, bill_no").Find(&links)
	want := []models.ReminderBill{{ReminderNo: "R001", BillNo: "B001"}, {ReminderNo: "R001", BillNo: "B002"}, {ReminderNo: "R002", BillNo: "B003"}, {ReminderNo: "R002", BillNo: "B004"}}
	if fmt.Sprint(links) != fmt.Sprint(want) {
		t.Errorf("links = %v, want %v", links, want)
	}
}

// R1.1: a corrected row updates that row only, and only its updated_at moves.
func TestImportCorrectedRow_R1_1(t *testing.T) {
	t.Parallel()
	files := fixtures(t)
	tests := []struct {
		kind     billing.Kind
		old, new string
		check    func(t *testing.T, db *gorm.DB)
	}{
		{billing.KindAccounts, "武江区2号,INDUSTRIAL,2015-07-15", "武江区2号,INDUSTRIAL,2016-07-15", func(t *testing.T, db *gorm.DB) {
			var s models.Subject
			db.Where("uscc = ?", fixtureUSCC).Take(&s)
			if want := time.Date(2016, 7, 15, 0, 0, 0, 0, shanghai); s.HistorySince == nil || !s.HistorySince.Equal(want) {
				t.Errorf("HistorySince = %v, want recomputed to %v", s.HistorySince, want)
			}
		}},
		{billing.KindUsage, "A001,2024-02,1250,15.5", "A001,2024-02,1250,15.6", func(t *testing.T, db *gorm.DB) {
			var u models.Usage
			db.Where("account_no = ? AND period = ?", "A001", "2024-02").Take(&u)
			if u.VolumeL != 15600 {
				t.Errorf("volume = %d", u.VolumeL)
			}
		}},
		{billing.KindBills, "B002,A001,2024-02,99.9,", "B002,A001,2024-02,99.99,", func(t *testing.T, db *gorm.DB) {
			var b models.Bill
			db.Where("bill_no = ?", "B002").Take(&b)
			if b.AmountFen != 9999 {
				t.Errorf("amount = %d", b.AmountFen)
			}
		}},
		{billing.KindPayments, "P002,B002,A001,50,2024-03-05", "P002,B002,A001,50,2024-03-05 09:00:00", nil},
		{billing.KindReminders, "B001;B002", "B002|B005", func(t *testing.T, db *gorm.DB) {
			var links []models.ReminderBill
			db.Where("reminder_no = ?", "R001").Order("bill_no").Find(&links)
			if fmt.Sprint(links) != fmt.Sprint([]models.ReminderBill{{ReminderNo: "R001", BillNo: "B002"}, {ReminderNo: "R001", BillNo: "B005"}}) {
				t.Errorf("links = %v", links)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, billing.Options{})
			orig := files[tt.kind]
			fixed := strings.Replace(orig, tt.old, tt.new, 1)
			if fixed == orig {
				t.Fatal("test replaces nothing")
			}
			n := int64(strings.Count(orig, "\n") - 1)
			e.run(t, tt.kind, []byte(orig), "")
			tbl := kindTables[tt.kind]
			before := snapshot(t, e.db, tbl.table, tbl.order)
			time.Sleep(5 * time.Millisecond)
			job, _ := e.run(t, tt.kind, []byte(fixed), "")
			wantCounts(t, job, n, 0, 1, n-1, 0)
			after := snapshot(t, e.db, tbl.table, tbl.order)
			diff := 0
			for i := range before {
				if before[i] != after[i] {
					diff++
				}
			}
			if diff != 1 || len(after) != len(before) {
				t.Fatalf("%d rows changed (of %d → %d), want exactly 1", diff, len(before), len(after))
			}
			if tt.check != nil {
				tt.check(t, e.db)
			}
		})
	}
}

// R1.1: billing systems here export GBK; Chinese names survive, whether
// the encoding is detected or given.
func TestImportGBK_R1_1(t *testing.T) {
	t.Parallel()
	src := fixtures(t)[billing.KindAccounts]
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(gbk, []byte(src)) {
		t.Fatal("encoding changed nothing")
	}
	for _, enc := range []string{"", "auto", "gbk", "GB18030"} {
		t.Run("encoding="+enc, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, billing.Options{})
			job, errs := e.run(t, billing.KindAccounts, gbk, enc)
			if len(errs) != 0 || job.Inserted != 3 || job.Encoding != "gb18030" {
				t.Fatalf("job %+v errors %+v", job, errs)
			}
			var names []string
			e.db.Model(&models.Subject{}).Order("name").Pluck("name", &names)
			if want := []string{"张三", "韶关市测试水务用户有限公司"}; fmt.Sprint(names) != fmt.Sprint(want) {
				t.Fatalf("names = %q, want %q", names, want)
			}
			var addr string
			e.db.Model(&models.Account{}).Where("account_no = ?", "A003").Pluck("address", &addr)
			if addr != "浈江区3号" {
				t.Fatalf("address = %q", addr)
			}
		})
	}
	// A broken GBK sequence in one field rejects that row only.
	t.Run("broken gbk byte", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, billing.Options{})
		broken := bytes.Replace(gbk, []byte(",INDUSTRIAL,2015"), []byte("\xff,INDUSTRIAL,2015"), 1) // end of A002's address
		job, errs := e.run(t, billing.KindAccounts, broken, "gbk")
		if job.Inserted != 2 || job.Failed != 1 || len(errs) != 1 || errs[0].Line != 3 || errs[0].Column != "address" || !strings.Contains(errs[0].Reason, "不是有效的 gb18030") {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
	})
	// The same GBK file forced as UTF-8: the Chinese fields are rejected
	// row by row, naming the column, rather than stored as mojibake.
	t.Run("forced utf-8", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, billing.Options{})
		job, errs := e.run(t, billing.KindAccounts, gbk, "utf-8")
		if job.Inserted != 0 || job.Failed != 3 || len(errs) == 0 || errs[0].Column != "subject_name" || !strings.Contains(errs[0].Reason, "不是有效的 utf-8") {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
	})
}

// R1.1: a UTF-8 byte order mark does not spoil the first column name, and a
// file whose first non-ASCII byte comes late is still detected.
func TestImportBOMAndLateDetection_R1_1(t *testing.T) {
	t.Parallel()
	bills := fixtures(t)[billing.KindBills]
	var late strings.Builder
	late.WriteString("bill_no,account_no,period,amount_yuan,issued_on,due_on,note\n")
	for i := range 3000 { // > 64 KiB of ASCII before the first Chinese
		fmt.Fprintf(&late, "L%05d,A001,2024-01,1.00,2024-02-01,2024-02-29,plain ascii note\n", i)
	}
	late.WriteString("L99999,A001,2024-01,1.00,2024-02-01,2024-02-29,备注中文\n")
	lateGBK, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(late.String()))
	tests := []struct {
		name string
		data []byte
		rows int64
		enc  string
	}{
		{"utf-8 BOM", append([]byte("\xEF\xBB\xBF"), bills...), 3, "utf-8"},
		{"utf-8 BOM and CRLF", append([]byte("\xEF\xBB\xBF"), strings.ReplaceAll(bills, "\n", "\r\n")...), 3, "utf-8"},
		{"late chinese utf-8", []byte(late.String()), 3001, "utf-8"},
		{"late chinese gbk", lateGBK, 3001, "gb18030"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, billing.Options{})
			job, errs := e.run(t, billing.KindBills, tt.data, "auto")
			if len(errs) != 0 || job.Inserted != tt.rows || job.Encoding != tt.enc {
				t.Fatalf("job %+v errors %+v", job, errs)
			}
		})
	}
}

// R1.1: bad rows are reported with line, column and reason; good rows are
// kept.
func TestImportBadRows_R1_1(t *testing.T) {
	t.Parallel()
	ent := fixtureUSCC
	badUSCC := ent[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", ent[17])+1)%31])
	person := fixtureResidentID
	badPerson := person[:17] + map[bool]string{true: "0", false: "1"}[person[17] != '0']
	tests := []struct {
		name   string
		kind   billing.Kind
		row    string
		column string
		reason string
	}{
		{"amount 3 decimals", billing.KindBills, "X1,A1,2024-01,1.234,2024-02-01,2024-02-28", "amount_yuan", "最多 2 位小数"},
		{"amount negative", billing.KindBills, "X1,A1,2024-01,-1,2024-02-01,2024-02-28", "amount_yuan", "不能为负数"},
		{"amount text", billing.KindBills, "X1,A1,2024-01,12元,2024-02-01,2024-02-28", "amount_yuan", "数字"},
		{"amount empty", billing.KindBills, "X1,A1,2024-01,,2024-02-01,2024-02-28", "amount_yuan", "必填"},
		{"bad date", billing.KindBills, "X1,A1,2024-01,1,2024-02-30,2024-03-28", "issued_on", "YYYY-MM-DD"},
		{"slash date", billing.KindBills, "X1,A1,2024-01,1,2024/02/01,2024-03-28", "issued_on", "YYYY-MM-DD"},
		{"due before issue", billing.KindBills, "X1,A1,2024-01,1,2024-02-10,2024-02-01", "due_on", "不能早于 issued_on"},
		{"bad period", billing.KindBills, "X1,A1,2024-13,1,2024-02-01,2024-02-28", "period", "YYYY-MM"},
		{"long account", billing.KindBills, "X1," + strings.Repeat("9", 33) + ",2024-01,1,2024-02-01,2024-02-28", "account_no", "最多 32"},
		{"key charset", billing.KindBills, "X 1,A1,2024-01,1,2024-02-01,2024-02-28", "bill_no", "只能包含字母"},
		{"missing key", billing.KindBills, ",A1,2024-01,1,2024-02-01,2024-02-28", "bill_no", "必填"},
		{"field count", billing.KindBills, "X1,A1,2024-01,1,2024-02-01", "", "5 个字段"},
		{"bare quote", billing.KindBills, `X1,A"1,2024-01,1,2024-02-01,2024-02-28`, "", "CSV 格式不正确"},
		{"volume 4 decimals", billing.KindUsage, "A1,2024-01,1,1.2345", "volume_m3", "最多 3 位小数"},
		{"paid_at", billing.KindPayments, "P9,B1,A1,1,2024-02-01 25:00:00", "paid_at", "HH:MM:SS"},
		{"no bills", billing.KindReminders, "R9,A1,2024-02-01,1, ; ", "bill_nos", "至少列出一个"},
		{"bad bill ref", billing.KindReminders, "R9,A1,2024-02-01,1,B1;B 2", "bill_nos", "只能包含字母"},
		// R1.7: a contract's term and status are checked like a bill's dates.
		{"contract ends before it starts", billing.KindContracts, "C9,A1,甲,乙,2029-03-01,2019-02-28,ACTIVE", "ends_on", "不能早于 starts_on"},
		{"contract status", billing.KindContracts, "C9,A1,甲,乙,2019-03-01,2029-02-28,SIGNED", "status", "须为 ACTIVE、SUSPENDED、TERMINATED 或 EXPIRED 之一"},
		{"uscc checksum", billing.KindAccounts, "A9,ENTERPRISE," + badUSCC + ",某公司,,,2020-01-01", "subject_id", "校验码"},
		{"uscc length", billing.KindAccounts, "A9,ENTERPRISE,9144,某公司,,,2020-01-01", "subject_id", "18 characters"},
		{"resident checksum", billing.KindAccounts, "A9,PERSON," + badPerson + ",某人,,,2020-01-01", "subject_id", "校验码"},
		{"subject kind", billing.KindAccounts, "A9,COMPANY," + ent + ",某公司,,,2020-01-01", "subject_kind", "ENTERPRISE 或 PERSON"},
		{"subject name", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",,,,2020-01-01", "subject_name", "必填"},
		// R1.1: text cells a spreadsheet would run as formulas are refused.
		{"formula name", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",=cmd|' /C calc'!A0,,,2020-01-01", "subject_name", "不能以“=”开头"},
		{"formula address after a tab", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",某公司,\"\t+1+cmd|' /C calc'!A0\",,2020-01-01", "address", "不能以“+”开头"},
		{"formula use type", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",某公司,,-2+3,2020-01-01", "use_type", "公式注入"},
		{"at-sign address", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",某公司,@SUM(1),,2020-01-01", "address", "不能以“@”开头"},
		// R7.3: control and bidi characters are refused in text cells.
		{"NUL in name", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",某\x00公司,,,2020-01-01", "subject_name", "控制字符 U+0000"},
		{"bidi override in address", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",某公司,浈江\u202E区,,2020-01-01", "address", "双向文本控制字符 U+202E"},
		{"line break in use type", billing.KindAccounts, "A9,ENTERPRISE," + ent + ",某公司,,\"工\n业\",2020-01-01", "use_type", "换行符"},
	}
	files := fixtures(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, billing.Options{})
			good := strings.SplitAfter(files[tt.kind], "\n")
			// header, good row, bad row (line 3), good rows
			data := good[0] + good[1] + tt.row + "\n" + strings.Join(good[2:], "")
			job, errs := e.run(t, tt.kind, []byte(data), "")
			n := int64(len(good) - 2)
			wantCounts(t, job, n+1, n, 0, 0, 1)
			if len(errs) != 1 || errs[0].Line != 3 || errs[0].Column != tt.column || !strings.Contains(errs[0].Reason, tt.reason) || errs[0].JobID != job.ID {
				t.Fatalf("errors = %+v, want line 3 column %q reason containing %q", errs, tt.column, tt.reason)
			}
			if tt.kind == billing.KindAccounts && strings.Contains(errs[0].Reason, badPerson) {
				t.Fatalf("reason repeats the ID number: %q", errs[0].Reason)
			}
			stored, err := e.im.JobErrors(context.Background(), job.ID, 0)
			if err != nil || len(stored) != 1 || stored[0].Reason != errs[0].Reason {
				t.Fatalf("JobErrors = %+v, %v", stored, err)
			}
			tbl := kindTables[tt.kind]
			if got := snapshot(t, e.db, tbl.table, tbl.order); int64(len(got)) != n {
				t.Fatalf("%d rows stored, want the %d good ones", len(got), n)
			}
		})
	}
}

// R1.1: line numbers are physical lines even after a quoted multi-line
// field; a row with several bad fields reports each.
func TestImportLinesAndSeveralErrors_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{})
	data := "Bill_No , account_no,period,amount_yuan,issued_on,due_on,extra\n" +
		"B1,A1,2024-01,1,2024-02-01,2024-02-28,\"two\nlines\"\n" +
		"B2,A1,2024-1,1.001,2024-02-01,2024-02-28,x\n" +
		"\n" +
		"B3,A1,2024-01,1,2024-02-01,2024-02-28,x\n"
	job, errs := e.run(t, billing.KindBills, []byte(data), "")
	wantCounts(t, job, 3, 2, 0, 0, 1)
	if job.Errors != 2 || len(errs) != 2 {
		t.Fatalf("job %+v errors %+v", job, errs)
	}
	for i, col := range []string{"period", "amount_yuan"} {
		if errs[i].Line != 4 || errs[i].Column != col {
			t.Errorf("error %d = %+v, want line 4 column %s", i, errs[i], col)
		}
	}
}

// R1.1: the stored errors are capped but all are counted.
func TestImportErrorLimit_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{MaxErrors: 3})
	var b strings.Builder
	b.WriteString("bill_no,account_no,period,amount_yuan,issued_on,due_on\n")
	for i := range 10 {
		fmt.Fprintf(&b, "B%d,A1,2024-01,x,2024-02-01,2024-02-28\n", i)
	}
	b.WriteString("OK1,A1,2024-01,1,2024-02-01,2024-02-28\n")
	job, errs := e.run(t, billing.KindBills, []byte(b.String()), "")
	wantCounts(t, job, 11, 1, 0, 0, 10)
	if job.Errors != 10 || len(errs) != 3 || errs[2].Line != 4 {
		t.Fatalf("job %+v errors %+v", job, errs)
	}
	if stored, _ := e.im.JobErrors(context.Background(), job.ID, 100); len(stored) != 3 {
		t.Fatalf("%d stored errors, want 3", len(stored))
	}
}

// R1.1, R7.3: file-level faults are INVALID naming the field, and a refused
// file writes nothing: no job, no error row, no data.
func TestImportInvalidFile_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{})
	tests := []struct {
		name   string
		kind   billing.Kind
		enc    string
		data   string
		field  string
		reason string
	}{
		{"missing column", billing.KindBills, "", "bill_no,account_no,period,issued_on,due_on\nB1,A1,2024-01,2024-02-01,2024-02-28\n", "amount_yuan", "MISSING_COLUMN"},
		{"duplicate column", billing.KindBills, "", "bill_no,bill_no,account_no,period,amount_yuan,issued_on,due_on\n", "bill_no", "DUPLICATE_COLUMN"},
		{"wrong kind's header", billing.KindBills, "", "account_no,period,reading,volume_m3\nA1,2024-01,1,1\n", "bill_no", "MISSING_COLUMN"},
		{"empty file", billing.KindUsage, "", "", "file", "EMPTY_FILE"},
		{"header not text", billing.KindUsage, "utf-8", "account_no,period,reading,volume_m3,\xff\xfe\n", "file", "UNDECODABLE"},
		{"malformed header", billing.KindUsage, "", "account_no,\"period,reading\n", "file", "BAD_HEADER"},
		{"unknown kind", billing.Kind("leases"), "", "x\n", "kind", "UNKNOWN_KIND"},
		{"unknown encoding", billing.KindBills, "latin1", "x\n", "encoding", "UNKNOWN_ENCODING"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the row counts are of the shared database.
			jobs, errRows := countRows(t, e.db, "import_jobs"), countRows(t, e.db, "import_errors")
			job, errs, err := e.im.Import(context.Background(), tt.kind, strings.NewReader(tt.data), billing.Meta{Encoding: tt.enc})
			ae := apperr.As(err)
			if ae == nil || ae.Code != apperr.Invalid || ae.Field != tt.field || ae.Reason != tt.reason {
				t.Fatalf("err = %v, want INVALID field %q reason %s", err, tt.field, tt.reason)
			}
			if job.ID != "" || len(errs) != 0 {
				t.Fatalf("a refused file returned job %+v and errors %+v", job, errs)
			}
			if n := countRows(t, e.db, "import_jobs"); n != jobs {
				t.Errorf("import_jobs %d → %d: a refused file created a job", jobs, n)
			}
			if n := countRows(t, e.db, "import_errors"); n != errRows {
				t.Errorf("import_errors %d → %d: a refused file stored errors", errRows, n)
			}
			if n := snapshot(t, e.db, "bills", "bill_no"); len(n) != 0 {
				t.Fatalf("rows stored from an invalid file: %v", n)
			}
		})
	}
	// An accepted header makes a job, so the counts above could move.
	job, _ := e.run(t, billing.KindUsage, []byte("account_no,period,reading,volume_m3\n"), "")
	if n := countRows(t, e.db, "import_jobs"); n != 1 || job.Rows != 0 {
		t.Errorf("header-only file: %d jobs, job %+v; want 1 job with 0 rows", n, job)
	}
}

func countRows(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// R1.1: a key repeated in one file applies in file order: the later row wins
// and counts as an update; with small batches and two writers every key
// still ends with its last value.
func TestImportRepeatedKeys_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{BatchRows: 7, Writers: 2})
	var b strings.Builder
	b.WriteString("bill_no,account_no,period,amount_yuan,issued_on,due_on\n")
	const keys, rounds = 50, 3
	for r := range rounds {
		for k := range keys {
			fmt.Fprintf(&b, "K%03d,A1,2024-01,%d.%02d,2024-02-01,2024-02-28\n", k, k, r)
		}
	}
	b.WriteString("K000,A1,2024-01,0.02,2024-02-01,2024-02-28\n") // same as the last value
	job, _ := e.run(t, billing.KindBills, []byte(b.String()), "")
	wantCounts(t, job, keys*rounds+1, keys, keys*(rounds-1), 1, 0)
	var bills []models.Bill
	e.db.Order("bill_no").Find(&bills)
	if len(bills) != keys {
		t.Fatalf("%d bills", len(bills))
	}
	for k, bill := range bills {
		if want := int64(k*100 + rounds - 1); bill.AmountFen != want {
			t.Fatalf("%s amount %d, want %d", bill.BillNo, bill.AmountFen, want)
		}
	}
}

// R1.1: a larger file streams through many batches; progress is reported
// and reaches the row count.
func TestImportProgressAndJob_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{BatchRows: 100})
	var b strings.Builder
	b.WriteString("account_no,period,reading,volume_m3\n")
	const n = 1234
	for i := range n {
		fmt.Fprintf(&b, "U%05d,2024-03,%d.5,%d.125\n", i, i, i%40)
	}
	var last int64
	calls := 0
	job, errs, err := e.im.Import(context.Background(), billing.KindUsage, strings.NewReader(b.String()), billing.Meta{
		FileName: "usage-2024-03.csv", StartedBy: "u1",
		Progress: func(done int64) {
			if done < last {
				t.Errorf("progress went back from %d to %d", last, done)
			}
			last = done
			calls++
		},
	})
	if err != nil || len(errs) != 0 {
		t.Fatal(err, errs)
	}
	wantCounts(t, job, n, n, 0, 0, 0)
	if last != n || calls < n/100 {
		t.Fatalf("progress last %d after %d calls", last, calls)
	}
	got, err := e.im.Job(context.Background(), job.ID)
	if err != nil || got.Status != billing.StatusDone || got.FileName != "usage-2024-03.csv" || got.StartedBy != "u1" || got.Inserted != n || got.Encoding != "utf-8" {
		t.Fatalf("Job = %+v, %v", got, err)
	}
	if _, err := e.im.Job(context.Background(), "nope"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("Job(unknown) = %v, want NOT_FOUND", err)
	}
	if _, err := e.im.JobErrors(context.Background(), "nope", 10); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("JobErrors(unknown) = %v, want NOT_FOUND", err)
	}
}

// A cancelled import fails with UNAVAILABLE/CANCELLED and marks the job.
func TestImportCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{BatchRows: 10})
	ctx, cancel := context.WithCancel(context.Background())
	r := io.MultiReader(strings.NewReader("account_no,period,reading,volume_m3\nA1,2024-01,1,1\n"), &cancelReader{cancel: cancel})
	job, _, err := e.im.Import(ctx, billing.KindUsage, r, billing.Meta{})
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Unavailable || ae.Reason != "CANCELLED" {
		t.Fatalf("err = %v", err)
	}
	if stored, _ := e.im.Job(context.Background(), job.ID); stored.Status != billing.StatusFailed {
		t.Fatalf("job = %+v", stored)
	}
}

// cancelReader cancels the import when read, then yields many rows.
type cancelReader struct {
	cancel func()
	n      int
}

func (c *cancelReader) Read(p []byte) (int, error) {
	c.cancel()
	if c.n > 10000 {
		return 0, io.EOF
	}
	c.n++
	return copy(p, fmt.Sprintf("C%d,2024-01,1,1\n", c.n)), nil
}

// R1.1: a file whose header was accepted but which fails while its rows
// stream keeps its job, FAILED with the reason, for staff to see; the rows
// before the failure stay written.
func TestImportFailingStreamKeepsJob_R1_1(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{BatchRows: 1})
	r := io.MultiReader(strings.NewReader("account_no,period,reading,volume_m3\nA1,2024-01,1,1\n"), failingReader{})
	job, _, err := e.im.Import(context.Background(), billing.KindUsage, r, billing.Meta{FileName: "usage.csv"})
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Reason != "UNREADABLE" {
		t.Fatalf("err = %v, want INVALID UNREADABLE", err)
	}
	stored, gerr := e.im.Job(context.Background(), job.ID)
	if gerr != nil || stored.Status != billing.StatusFailed || stored.Message == "" || stored.FinishedAt == nil || stored.FileName != "usage.csv" {
		t.Fatalf("job = %+v, %v; want it kept as FAILED with a message", stored, gerr)
	}
	if n := countRows(t, e.db, "import_jobs"); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
}

// failingReader fails like a connection that breaks mid-upload.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
