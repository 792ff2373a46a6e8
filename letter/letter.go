package letter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/calendar"
	"creditwater/models"
)

// TemplateVersion identifies the wording and layout of the letter that Text,
// HTML and PDF produce. Store it with the text's hash; change it whenever the
// template text changes.
const TemplateVersion = "commitment-letter-v1"

// Relation is the applicant's relation to the property at the water-use
// address; it is models.Relation so stored values pass through unchanged.
type Relation = models.Relation

// The relations the letter offers as check boxes.
const (
	Owner  Relation = models.RelationOwner  // 业主
	Tenant Relation = models.RelationTenant // 租户
)

// Limits of the applicant-entered reason (R2.1), in characters.
const (
	MinReasonLen = 5
	MaxReasonLen = 500
	// MaxFieldLen bounds every other field, in characters.
	MaxFieldLen = 200
)

// Fields are the values filled into the template. All but NoProofReason and
// Relation are prefilled from the verified subject, its legal representative
// and the signing user.
type Fields struct {
	UnitName       string // 申请用水单位名称
	Address        string // 申请用水地址
	USCC           string // 统一社会信用代码
	LegalRepName   string // 法定代表人姓名
	IDTypeLabel    string // 法定代表人身份证件类型, e.g. "居民身份证"
	IDNumberMasked string // 法定代表人身份证件号码, already masked
	NoProofReason  string // 无法提供产权证明原因, entered by the applicant
	Relation       Relation
	// Signer is the name shown after 承诺人 (签章): the committing party as
	// signed, normally the unit itself.
	Signer string
	// SignedAt is the signing time; the letter shows its date in Asia/Shanghai.
	SignedAt time.Time
}

// Title is the letter's heading.
const Title = "信用办水承诺书"

// Intro is the line before the pledges.
const Intro = "我单位郑重承诺："

// pledges are the five fixed pledges of the template, verbatim.
var pledges = [5]string{
	"一、所提供资料均合法、真实、准确和有效，不存在伪造证明材料、隐瞒实际情况、妨害供水企业或其他主体权益等情况。",
	"二、用水地址对应物业权属为我单位合法拥有或合法使用，不存在违章、违建或其他违法情形及纠纷。",
	"三、严格遵守国家法律、法规、规章和政策规定，依法用水，不窃水，不破坏、哄抢、盗窃供水设施。",
	"四、自觉履行合同义务，诚信用水，不拖欠水费，不违约用水，做好自有产权界面供水设备、设施的运行维护，根据供水企业通知及时整改安全隐患。",
	"五、若未遵守本承诺内容，将依照有关法律、法规、规章、政策或合同约定承担相应责任，并自愿接受、承担终止供用水关系的处置以及由此产生的后果。",
}

// Pledges returns the five fixed pledges of the template, verbatim.
func Pledges() [5]string { return pledges }

// Labels of the template's lines.
const (
	relationLabel = "申请单位与用水地址对应物业权属的关系："
	signerLabel   = "承诺人："
	signerMark    = "（签章）"
	legalLabel    = "法定代表人："
	legalMark     = "（签字）"
	checked       = "☑"
	unchecked     = "☐"
)

// shanghai is the program's one Asia/Shanghai location.
var shanghai = calendar.Shanghai

// field is one "label：value" line of the template with the GraphQL input
// name used in validation errors.
type field struct {
	Label, Value, Input string
}

// doc is the normalised content shared by Text, HTML and PDF.
type doc struct {
	Fields   []field
	Owner    bool
	Tenant   bool
	Signer   string
	LegalRep string
	Date     string
}

func newDoc(f Fields) doc {
	return doc{
		Fields: []field{
			{"申请用水单位名称：", clean(f.UnitName), "unitName"},
			{"申请用水地址：", clean(f.Address), "address"},
			{"统一社会信用代码：", clean(f.USCC), "uscc"},
			{"法定代表人姓名：", clean(f.LegalRepName), "legalRepName"},
			{"法定代表人身份证件类型：", clean(f.IDTypeLabel), "idType"},
			{"法定代表人身份证件号码：", clean(f.IDNumberMasked), "idNumber"},
			{"无法提供产权证明原因：", clean(f.NoProofReason), "noProofReason"},
		},
		Owner:    f.Relation == Owner,
		Tenant:   f.Relation == Tenant,
		Signer:   clean(f.Signer),
		LegalRep: clean(f.LegalRepName),
		Date:     formatDate(f.SignedAt),
	}
}

// clean trims a value and collapses every run of white space (including
// line breaks) to one space, so each value stays on its template line.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// formatDate writes t's date in Asia/Shanghai as "2026 年 11 月 26 日".
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "    年    月    日"
	}
	y, m, d := t.In(shanghai).Date()
	return fmt.Sprintf("%d 年 %d 月 %d 日", y, int(m), d)
}

func mark(on bool) string {
	if on {
		return checked
	}
	return unchecked
}

// Validate checks f before signing. It returns an INVALID *apperr.Error whose
// Field is the GraphQL input name at fault: "noProofReason" (5–500
// characters), "relation" (OWNER or TENANT), and for the prefilled values
// "unitName", "address", "uscc", "legalRepName", "idType", "idNumber",
// "signer" (non-empty, at most 200 characters) and "signedAt" (set). Control
// characters other than white space are refused everywhere.
func Validate(f Fields) error {
	d := newDoc(f)
	for _, fl := range d.Fields {
		if err := checkText(fl.Input, fl.Value); err != nil {
			return err
		}
		if fl.Input == "noProofReason" {
			if n := utf8.RuneCountInString(fl.Value); n < MinReasonLen || n > MaxReasonLen {
				return apperr.InvalidField("noProofReason", "无法提供产权证明的原因须为 %d–%d 字", MinReasonLen, MaxReasonLen)
			}
			continue
		}
		if fl.Value == "" {
			return apperr.InvalidField(fl.Input, "%s 为必填项", fl.Input)
		}
		if utf8.RuneCountInString(fl.Value) > MaxFieldLen {
			return apperr.InvalidField(fl.Input, "%s 最多 %d 个字符", fl.Input, MaxFieldLen)
		}
	}
	if f.Relation != Owner && f.Relation != Tenant {
		return apperr.InvalidField("relation", "关系须为 OWNER（产权人）或 TENANT（承租人）")
	}
	if err := checkText("signer", d.Signer); err != nil {
		return err
	}
	if d.Signer == "" {
		return apperr.InvalidField("signer", "请填写签署人")
	}
	if utf8.RuneCountInString(d.Signer) > MaxFieldLen {
		return apperr.InvalidField("signer", "签署人最多 %d 个字符", MaxFieldLen)
	}
	if f.SignedAt.IsZero() {
		return apperr.InvalidField("signedAt", "请填写签署时间")
	}
	return nil
}

// checkText refuses invalid UTF-8 and control characters in a value.
func checkText(input, v string) error {
	if !utf8.ValidString(v) {
		return apperr.InvalidField(input, "%s 不是有效的 UTF-8 文本", input)
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return apperr.InvalidField(input, "%s 含有控制字符", input)
		}
	}
	return nil
}

// Text returns the canonical plain text of the letter: the template of
// attachment 2 line by line with f's values filled in, one template line per
// text line, ending with a newline. Values are trimmed and inner white space
// runs collapse to one space. The same Fields always give the same bytes, so
// Hash(Text(f)) identifies the signed letter (R2.2).
func Text(f Fields) string {
	d := newDoc(f)
	var b strings.Builder
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	line(Title)
	for _, fl := range d.Fields {
		line(fl.Label, fl.Value)
	}
	line(relationLabel, " ", mark(d.Owner), "业主/", mark(d.Tenant), "租户")
	line(Intro)
	for _, p := range pledges {
		line(p)
	}
	line(signerLabel, d.Signer, signerMark)
	line(legalLabel, d.LegalRep, legalMark)
	line(d.Date)
	return b.String()
}

// Hash returns the lowercase hex SHA-256 of text.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
