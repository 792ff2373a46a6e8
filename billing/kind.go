package billing

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/billing/textenc"
	"creditwater/csvsafe"
	"creditwater/ident"
	"creditwater/inputtext"
	"creditwater/models"
	"creditwater/pii"
)

// Kind names what an import file holds.
type Kind string

// The import kinds (R1.1).
const (
	KindAccounts  Kind = "ACCOUNTS"
	KindUsage     Kind = "USAGE"
	KindBills     Kind = "BILLS"
	KindPayments  Kind = "PAYMENTS"
	KindReminders Kind = "REMINDERS"
	// KindContracts are water-supply contracts (履约信息, R1.7).
	KindContracts Kind = "CONTRACTS"
)

// Kinds lists every import kind.
func Kinds() []Kind {
	return []Kind{KindAccounts, KindUsage, KindBills, KindPayments, KindReminders, KindContracts}
}

// ParseKind returns the Kind named by s, ignoring case. It returns an
// INVALID *apperr.Error with Field "kind" and Reason UNKNOWN_KIND otherwise.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToUpper(strings.TrimSpace(s)))
	if specFor(k) == nil {
		return "", apperr.InvalidField("kind", "未知的导入类型，请使用 accounts、usage、bills、payments、reminders、contracts 之一").WithReason("UNKNOWN_KIND")
	}
	return k, nil
}

// Job statuses. A file uploaded through the API is QUEUED until a worker
// takes it (RUNNING); the command line runs an import at once (RUNNING).
const (
	StatusQueued  = "QUEUED"
	StatusRunning = "RUNNING"
	StatusDone    = "DONE"
	StatusFailed  = "FAILED"
)

// colType is how a stored column is compared and scanned.
type colType uint8

const (
	colText colType = iota
	colInt
	colTime
)

type dbCol struct {
	name string
	typ  colType
}

// spec describes one kind: its CSV columns, its table and how a record
// becomes the values of the table's columns.
type spec struct {
	kind  Kind
	table string
	// csv lists the required header columns, in documented order.
	csv []string
	// cols are the stored columns in insert order; the first nKey are the
	// natural key (the conflict target).
	cols []dbCol
	nKey int
	// createdAt tells that the table has a created_at column (set on insert).
	createdAt bool
	// parse fills out (len(cols) values) from the record, reporting bad
	// fields through p; it returns the account's subject for accounts.
	parse func(p *rowParser, out []any) *subjectRef
}

var (
	accountsSpec = &spec{
		kind: KindAccounts, table: "accounts",
		csv:  []string{"account_no", "subject_kind", "subject_id", "subject_name", "address", "use_type", "opened_on"},
		cols: []dbCol{{"account_no", colText}, {"subject_id", colText}, {"address", colText}, {"use_type", colText}, {"opened_on", colTime}},
		nKey: 1, createdAt: true, parse: parseAccount,
	}
	usageSpec = &spec{
		kind: KindUsage, table: "usages",
		csv:  []string{"account_no", "period", "reading", "volume_m3"},
		cols: []dbCol{{"account_no", colText}, {"period", colText}, {"reading_l", colInt}, {"volume_l", colInt}},
		nKey: 2, parse: readRow(keyCell, periodCell, decimalCell(3), decimalCell(3)),
	}
	billsSpec = &spec{
		kind: KindBills, table: "bills",
		csv:  []string{"bill_no", "account_no", "period", "amount_yuan", "issued_on", "due_on"},
		cols: []dbCol{{"bill_no", colText}, {"account_no", colText}, {"period", colText}, {"amount_fen", colInt}, {"issued_on", colTime}, {"due_on", colTime}},
		nKey: 1, parse: readRow(keyCell, keyCell, periodCell, decimalCell(2), dateCell, endDateCell),
	}
	paymentsSpec = &spec{
		kind: KindPayments, table: "payments",
		csv:  []string{"payment_no", "bill_no", "account_no", "amount_yuan", "paid_at"},
		cols: []dbCol{{"payment_no", colText}, {"bill_no", colText}, {"account_no", colText}, {"amount_fen", colInt}, {"paid_at", colTime}},
		nKey: 1, parse: readRow(keyCell, keyCell, keyCell, decimalCell(2), dateTimeCell),
	}
	remindersSpec = &spec{
		kind: KindReminders, table: "reminders",
		csv:  []string{"reminder_no", "account_no", "served_on", "amount_yuan", "bill_nos"},
		cols: []dbCol{{"reminder_no", colText}, {"account_no", colText}, {"served_on", colTime}, {"amount_fen", colInt}, {"bill_nos", colText}},
		nKey: 1, parse: readRow(keyCell, keyCell, dateCell, decimalCell(2), billNosCell),
	}
	contractsSpec = &spec{
		kind: KindContracts, table: "contracts",
		csv: []string{"contract_no", "account_no", "supplier", "customer", "starts_on", "ends_on", "status"},
		cols: []dbCol{{"contract_no", colText}, {"account_no", colText}, {"supplier", colText}, {"customer", colText},
			{"starts_on", colTime}, {"ends_on", colTime}, {"status", colText}},
		nKey: 1, parse: readRow(keyCell, keyCell, nameCell, nameCell, dateCell, endDateCell, statusCell),
	}
)

// Column positions of the stored values that the write path needs.
const (
	accountSubjectCol = 1 // accounts.subject_id
	accountOpenedCol  = 4 // accounts.opened_on
	reminderBillsCol  = 4 // reminders.bill_nos
)

func specFor(k Kind) *spec {
	switch k {
	case KindAccounts:
		return accountsSpec
	case KindUsage:
		return usageSpec
	case KindBills:
		return billsSpec
	case KindPayments:
		return paymentsSpec
	case KindReminders:
		return remindersSpec
	case KindContracts:
		return contractsSpec
	}
	return nil
}

// mapHeader finds the required columns in the header (names compared
// trimmed and case-insensitively; extra columns are ignored) and returns
// their positions. It returns an INVALID *apperr.Error naming the first
// missing or duplicated column.
func (s *spec) mapHeader(header []string) ([]int, error) {
	at := make(map[string]int, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if name == "" {
			continue
		}
		if _, dup := at[name]; dup {
			return nil, apperr.InvalidField(name, "表头中 %s 列重复", name).WithReason("DUPLICATE_COLUMN")
		}
		at[name] = i
	}
	pos := make([]int, len(s.csv))
	for i, c := range s.csv {
		p, ok := at[c]
		if !ok {
			return nil, apperr.InvalidField(c, "表头缺少必需的列 %s", c).WithReason("MISSING_COLUMN")
		}
		pos[i] = p
	}
	return pos, nil
}

// fieldError is one bad field of a row.
type fieldError struct {
	column string
	reason string
}

// rowParser reads the fields of one record and collects its errors.
type rowParser struct {
	sp     *spec
	pos    []int
	rec    []string
	errs   []fieldError
	bad    uint64 // bit i: column i already has an error
	tp     *timeParser
	sealer *pii.Sealer
	enc    func() string
}

func (p *rowParser) reset(rec []string) {
	p.rec, p.errs, p.bad = rec, p.errs[:0], 0
}

func (p *rowParser) failed() bool { return len(p.errs) > 0 }

func (p *rowParser) fail(i int, reason string) {
	if p.bad&(1<<i) != 0 {
		return
	}
	p.bad |= 1 << i
	p.errs = append(p.errs, fieldError{column: p.sp.csv[i], reason: reason})
}

// field returns column i trimmed; ok is false (and the error recorded) when
// it holds bytes that are not valid text in the file's encoding.
func (p *rowParser) field(i int) (string, bool) {
	s := strings.TrimSpace(p.rec[p.pos[i]])
	if !textenc.Valid(s) {
		p.fail(i, "含有无效字节，不是有效的 "+p.enc()+" 文本")
		return "", false
	}
	return s, true
}

// cell reads column i with parse, which returns the value or why the cell
// is refused (a row error; the zero value then).
func cell[T any](p *rowParser, i int, parse func(string) (T, string)) T {
	var zero T
	s, ok := p.field(i)
	if !ok {
		return zero
	}
	v, reason := parse(s)
	if reason != "" {
		p.fail(i, reason)
	}
	return v
}

func (p *rowParser) key(i int) string { return cell(p, i, parseKey) }

// text reads a free-text column (names, addresses, use types). Besides
// presence and length it refuses control and bidi characters (R7.3,
// inputtext) and cells a spreadsheet would run as a formula (R1.1,
// csvsafe.Formula): such a cell is a row error, not neutralised, so that
// what is stored stays equal to the billing system's record and the source
// gets corrected.
func (p *rowParser) text(i, maxRunes int, required bool) string {
	s, ok := p.field(i)
	if !ok {
		return ""
	}
	switch {
	case required && s == "":
		p.fail(i, "为必填项")
	case utf8.RuneCountInString(s) > maxRunes:
		p.fail(i, fmt.Sprintf("最多 %d 个字符，实际为 %d 个", maxRunes, utf8.RuneCountInString(s)))
	case csvsafe.Formula(s):
		p.fail(i, fmt.Sprintf("不能以“%c”开头：电子表格会把这样的单元格当作公式执行（CSV 公式注入），请在营收系统中更正后重新导入", s[0]))
	default:
		if f := inputtext.Check(s, inputtext.SingleLine); f != nil {
			p.fail(i, f.Error())
		}
	}
	return s
}

func (p *rowParser) decimal(i, scale int) int64 {
	return cell(p, i, func(s string) (int64, string) { return parseDecimal(s, scale) })
}

func (p *rowParser) period(i int) string { return cell(p, i, parsePeriod) }

func (p *rowParser) date(i int) time.Time { return cell(p, i, p.tp.date) }

func (p *rowParser) dateTime(i int) time.Time { return cell(p, i, p.tp.dateTime) }

// subjectRef is the subject an accounts row names.
type subjectRef struct {
	kind models.SubjectKind
	// id is the normalised USCC or resident ID number.
	id   string
	name string
	// index is the blind index of a person's ID number.
	index string
}

// Subject names are stored in Subject.Name (size 200).
const maxSubjectName = 200

func parseAccount(p *rowParser, out []any) *subjectRef {
	const (
		cAccountNo = iota
		cSubjectKind
		cSubjectID
		cSubjectName
		cAddress
		cUseType
		cOpenedOn
	)
	out[0] = p.key(cAccountNo)
	ref := &subjectRef{}
	kind, _ := p.field(cSubjectKind)
	switch models.SubjectKind(strings.ToUpper(kind)) {
	case models.SubjectEnterprise:
		ref.kind = models.SubjectEnterprise
	case models.SubjectPerson:
		ref.kind = models.SubjectPerson
	default:
		p.fail(cSubjectKind, "须为 ENTERPRISE 或 PERSON")
	}
	if id, ok := p.field(cSubjectID); ok {
		switch {
		case id == "":
			p.fail(cSubjectID, "为必填项")
		case ref.kind == models.SubjectEnterprise:
			if err := ident.ValidateUSCC(id); err != nil {
				p.fail(cSubjectID, usccReason(err))
			}
			ref.id = ident.NormalizeUSCC(id)
		case ref.kind == models.SubjectPerson:
			if err := ident.ValidateResidentID(id); err != nil {
				p.fail(cSubjectID, residentIDReason(err))
			}
			ref.id = ident.NormalizeResidentID(id)
		}
	}
	ref.name = p.text(cSubjectName, maxSubjectName, true)
	out[1] = "" // the subject's ID, set when the batch is written
	out[2] = p.text(cAddress, 255, false)
	out[3] = p.text(cUseType, 32, false)
	out[4] = p.date(cOpenedOn)
	if p.failed() {
		return nil
	}
	if ref.kind == models.SubjectPerson {
		ref.index = p.sealer.BlindIndex(ref.id)
	}
	return ref
}

// usccReason is the row error for a bad USCC: ident's message, which names
// the fault without repeating the code.
func usccReason(err error) string {
	if e := apperr.As(err); e != nil {
		return "不是有效的统一社会信用代码：" + e.Message
	}
	return "不是有效的统一社会信用代码"
}

// residentIDReason is the row error for a bad resident ID. It is built from
// the Reason only: ident's messages may quote the birth date, which is
// personal data and must not land in an error list.
func residentIDReason(err error) string {
	const prefix = "不是有效的居民身份证号码："
	reason := ""
	if e := apperr.As(err); e != nil {
		reason = e.Reason
	}
	switch reason {
	case ident.ReasonLength:
		return prefix + "须为 18 个字符"
	case ident.ReasonCharset:
		return prefix + "须为 17 位数字加 1 位数字或 X"
	case ident.ReasonBirthDate:
		return prefix + "第 7–14 位不是有效的出生日期"
	case ident.ReasonChecksum:
		return prefix + "校验码不符（GB 11643-1999）"
	}
	return prefix + "格式不正确"
}

// A reader reads CSV column i of a row into out[i]: the kinds whose stored
// columns follow their CSV columns one for one are read by a list of readers
// (readRow), one per column in the order of spec.csv.
type reader func(p *rowParser, out []any, i int)

// readRow returns the parse function of a kind read column by column.
func readRow(readers ...reader) func(p *rowParser, out []any) *subjectRef {
	return func(p *rowParser, out []any) *subjectRef {
		for i, r := range readers {
			r(p, out, i)
		}
		return nil
	}
}

func keyCell(p *rowParser, out []any, i int)      { out[i] = p.key(i) }
func periodCell(p *rowParser, out []any, i int)   { out[i] = p.period(i) }
func dateCell(p *rowParser, out []any, i int)     { out[i] = p.date(i) }
func dateTimeCell(p *rowParser, out []any, i int) { out[i] = p.dateTime(i) }

// decimalCell reads a decimal of the scale (2: yuan to fen, 3: m³ to litres).
func decimalCell(scale int) reader {
	return func(p *rowParser, out []any, i int) { out[i] = p.decimal(i, scale) }
}

// nameCell reads a required party or subject name.
func nameCell(p *rowParser, out []any, i int) { out[i] = p.text(i, maxSubjectName, true) }

// endDateCell reads a date that must not be before the date in the column
// before it (a bill's due_on after issued_on, a contract's ends_on after
// starts_on).
func endDateCell(p *rowParser, out []any, i int) {
	end := p.date(i)
	if start, _ := out[i-1].(time.Time); !start.IsZero() && !end.IsZero() && end.Before(start) {
		p.fail(i, "不能早于 "+p.sp.csv[i-1])
	}
	out[i] = end
}

// maxReminderBills bounds the bills one reminder may list.
const maxReminderBills = 500

// billNosCell reads a reminder's bill numbers (separated by ; or |) into
// their sorted, distinct list joined by ";".
func billNosCell(p *rowParser, out []any, i int) {
	out[i] = ""
	s, ok := p.field(i)
	if !ok {
		return
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' })
	bills := make([]string, 0, len(parts))
	for _, b := range parts {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if _, reason := parseKey(b); reason != "" {
			p.fail(i, "每个账单号"+reason)
			return
		}
		bills = append(bills, b)
	}
	slices.Sort(bills)
	bills = slices.Compact(bills)
	switch {
	case len(bills) == 0:
		p.fail(i, "须至少列出一个账单号")
	case len(bills) > maxReminderBills:
		p.fail(i, fmt.Sprintf("最多列出 %d 个账单，实际为 %d 个", maxReminderBills, len(bills)))
	default:
		out[i] = strings.Join(bills, ";")
	}
}

// statusCell reads a contract's status, one of models.ContractStatuses.
func statusCell(p *rowParser, out []any, i int) {
	out[i] = ""
	if s, ok := p.field(i); ok {
		st := models.ContractStatus(strings.ToUpper(s))
		if !slices.Contains(models.ContractStatuses(), st) {
			p.fail(i, "须为 ACTIVE、SUSPENDED、TERMINATED 或 EXPIRED 之一")
		}
		out[i] = string(st)
	}
}
