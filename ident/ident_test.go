package ident

import (
	"strings"
	"testing"
	"time"

	"creditwater/apperr"
)

// wantInvalid checks that err is INVALID with the given field and reason and
// that its message contains msg.
func wantInvalid(t *testing.T, err error, field, reason, msg string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil {
		t.Fatalf("got error %v, want *apperr.Error", err)
	}
	if e.Code != apperr.Invalid || e.Field != field || e.Reason != reason {
		t.Fatalf("got code %s field %q reason %q (%s), want INVALID field %q reason %q", e.Code, e.Field, e.Reason, e.Message, field, reason)
	}
	if !strings.Contains(e.Message, msg) {
		t.Fatalf("message %q does not contain %q", e.Message, msg)
	}
}

// withCheck completes 17 digits with their MOD 11-2 check character.
func withCheck(t *testing.T, first17 string) string {
	t.Helper()
	c, err := ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatalf("ResidentIDCheckChar(%q): %v", first17, err)
	}
	return first17 + string(c)
}

// R1.2, R7.3: a USCC is checked against GB 32100-2015 and each fault gets its
// own reason and a precise message.
func TestValidateUSCC_R1_2_R7_3(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, reason, msg string
	}{
		{in: "914403001922038216"},
		{in: "9144030071526726XG"},
		{in: "  9144030071526726xg\n"},
		{in: "91440300192203821", reason: ReasonLength, msg: "统一社会信用代码 must be 18 characters, got 17"},
		{in: "9144030019220382166", reason: ReasonLength, msg: "got 19"},
		{in: "", reason: ReasonLength, msg: "got 0"},
		{in: "91440300192203821统", reason: ReasonCharset, msg: "第 18 位的字符 '统' 不允许"},
		{in: "9144I3001922038216", reason: ReasonCharset, msg: "第 5 位的字符 'I' 不允许"},
		{in: "9144030O1922038216", reason: ReasonCharset, msg: "第 8 位的字符 'O'"},
		{in: "S14403001922038216", reason: ReasonCharset, msg: "第 1 位的字符 'S'"},
		{in: "91440300192203821V", reason: ReasonCharset, msg: "第 18 位的字符 'V'"},
		{in: "9144030019220Z8216", reason: ReasonCharset, msg: "第 14 位的字符 'Z'"},
		{in: "91440300-922038216", reason: ReasonCharset, msg: "第 9 位的字符 '-'"},
		{in: "914403001922038218", reason: ReasonChecksum, msg: "校验码应为 '6'，实际为 '8'"},
		{in: "9144030071526726XH", reason: ReasonChecksum, msg: "校验码应为 'G'，实际为 'H'"},
		{in: "914403001922038316", reason: ReasonChecksum, msg: "实际为 '6'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			err := ValidateUSCC(tt.in)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("ValidateUSCC(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			wantInvalid(t, err, FieldUSCC, tt.reason, tt.msg)
		})
	}
}

func TestUSCCCheckChar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		first17 string
		want    byte
		reason  string
	}{
		{first17: "91440300192203821", want: '6'},
		{first17: "9144030071526726X", want: 'G'},
		{first17: "9144030071526726", reason: ReasonLength},
		{first17: "9144030071526726I", reason: ReasonCharset},
	}
	for _, tt := range tests {
		got, err := USCCCheckChar(tt.first17)
		if tt.reason != "" {
			wantInvalid(t, err, FieldUSCC, tt.reason, "")
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("USCCCheckChar(%q) = %q, %v; want %q", tt.first17, got, err, tt.want)
		}
	}
}

// R1.2, R7.3: a resident ID number is checked against GB 11643-1999.
func TestValidateResidentID_R1_2_R7_3(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, reason, msg string
	}{
		{name: "valid X", in: "11010519491231002X"},
		{name: "valid lower x", in: " 11010519491231002x "},
		{name: "valid 1880", in: "440524188001010014"},
		{name: "valid leap day", in: withCheck(t, "44052420000229001")},
		{name: "short", in: "11010519491231002", reason: ReasonLength, msg: "居民身份证号码 须为 18 个字符，实际为 17 个"},
		{name: "old 15 digits", in: "110105491231002", reason: ReasonLength, msg: "实际为 15 个"},
		{name: "letter inside", in: "1101051949123100A2", reason: ReasonCharset, msg: "第 17 位的字符 'A' 不允许"},
		{name: "X inside", in: "X10105194912310021", reason: ReasonCharset, msg: "第 1 位"},
		{name: "bad last", in: "11010519491231002Y", reason: ReasonCharset, msg: "第 18 位的字符 'Y'"},
		{name: "30 February", in: withCheck(t, "11010520230230002"), reason: ReasonBirthDate, msg: "第 7–14 位的出生日期 20230230 不是真实日期"},
		{name: "29 February no leap", in: withCheck(t, "11010519000229002"), reason: ReasonBirthDate, msg: "不是真实日期"},
		{name: "month 13", in: withCheck(t, "11010519491331002"), reason: ReasonBirthDate, msg: "不是真实日期"},
		{name: "zeros", in: withCheck(t, "11010500000000002"), reason: ReasonBirthDate, msg: "不是真实日期"},
		{name: "早于 1800 年", in: withCheck(t, "11010517991231002"), reason: ReasonBirthDate, msg: "早于 1800 年"},
		{name: "future", in: withCheck(t, "11010520991231002"), reason: ReasonBirthDate, msg: "晚于今天"},
		{name: "checksum", in: "110105194912310021", reason: ReasonChecksum, msg: "校验码应为 'X'，实际为 '1'"},
		{name: "checksum digit", in: "440524188001010015", reason: ReasonChecksum, msg: "校验码应为 '4'，实际为 '5'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateResidentID(tt.in)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("ValidateResidentID(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			wantInvalid(t, err, FieldIDNumber, tt.reason, tt.msg)
		})
	}
}

// R7.3: "晚于今天" is decided by today's date in China, not in UTC.
func TestResidentIDFutureBirthDate_R7_3(t *testing.T) {
	t.Parallel()
	// 2026-04-30 16:30 UTC is already 1 May 00:30 in China.
	now := time.Date(2026, 4, 30, 16, 30, 0, 0, time.UTC)
	tests := []struct {
		birth  string
		future bool
	}{
		{birth: "20260430"},
		{birth: "20260501"},
		{birth: "20260502", future: true},
	}
	for _, tt := range tests {
		err := validateMod112(withCheck(t, "110105"+tt.birth+"002"), "居民身份证号码", now)
		if tt.future {
			wantInvalid(t, err, FieldIDNumber, ReasonBirthDate, "晚于今天")
		} else if err != nil {
			t.Errorf("birth %s: %v", tt.birth, err)
		}
	}
}

// R1.2, R7.3: each document type has its own format check.
func TestValidateID_R1_2_R7_3(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		typ    IDType
		in     string
		want   string // normalised number when valid
		field  string
		reason string
	}{
		{name: "resident", typ: ResidentIDCard, in: "11010519491231002x", want: "11010519491231002X"},
		{name: "resident checksum", typ: ResidentIDCard, in: "110105194912310021", field: FieldIDNumber, reason: ReasonChecksum},
		{name: "passport", typ: Passport, in: " e12345678 ", want: "E12345678"},
		{name: "passport 5", typ: Passport, in: "G1234", want: "G1234"},
		{name: "passport short", typ: Passport, in: "1234", field: FieldIDNumber, reason: ReasonLength},
		{name: "passport long", typ: Passport, in: "123456789012345678", field: FieldIDNumber, reason: ReasonLength},
		{name: "passport dash", typ: Passport, in: "E1234-678", field: FieldIDNumber, reason: ReasonCharset},
		{name: "hk 8", typ: HKMacaoPermit, in: "h12345678", want: "H12345678"},
		{name: "macao 10", typ: HKMacaoPermit, in: "M1234567890", want: "M1234567890"},
		{name: "hk prefix", typ: HKMacaoPermit, in: "X12345678", field: FieldIDNumber, reason: ReasonPrefix},
		{name: "hk length", typ: HKMacaoPermit, in: "H1234567", field: FieldIDNumber, reason: ReasonLength},
		{name: "hk letter", typ: HKMacaoPermit, in: "H1234567A", field: FieldIDNumber, reason: ReasonCharset},
		{name: "taiwan 8", typ: TaiwanPermit, in: "12345678", want: "12345678"},
		{name: "taiwan 10", typ: TaiwanPermit, in: "1234567890", want: "1234567890"},
		{name: "taiwan 9", typ: TaiwanPermit, in: "123456789", field: FieldIDNumber, reason: ReasonLength},
		{name: "taiwan letter", typ: TaiwanPermit, in: "1234567A", field: FieldIDNumber, reason: ReasonCharset},
		{name: "hmt hk", typ: HMTResidencePermit, in: withCheck(t, "81000019900101001"), want: withCheck(t, "81000019900101001")},
		{name: "hmt tw", typ: HMTResidencePermit, in: withCheck(t, "83000019900101001"), want: withCheck(t, "83000019900101001")},
		{name: "hmt mainland prefix", typ: HMTResidencePermit, in: "11010519491231002X", field: FieldIDNumber, reason: ReasonPrefix},
		{name: "hmt checksum", typ: HMTResidencePermit, in: "810000199001010010", field: FieldIDNumber, reason: ReasonChecksum},
		{name: "hmt birth", typ: HMTResidencePermit, in: withCheck(t, "82000019900231001"), field: FieldIDNumber, reason: ReasonBirthDate},
		{name: "foreigner 2023", typ: ForeignerPermanentResidence, in: withCheck(t, "91184019800101001"), want: withCheck(t, "91184019800101001")},
		{name: "foreigner 2023 prefix", typ: ForeignerPermanentResidence, in: "11010519491231002X", field: FieldIDNumber, reason: ReasonPrefix},
		{name: "foreigner 2023 checksum", typ: ForeignerPermanentResidence, in: "911840198001010010", field: FieldIDNumber, reason: ReasonChecksum},
		{name: "foreigner 2017", typ: ForeignerPermanentResidence, in: "usa110080010101", want: "USA110080010101"},
		{name: "foreigner 2017 digit", typ: ForeignerPermanentResidence, in: "US1110080010101", field: FieldIDNumber, reason: ReasonCharset},
		{name: "foreigner 2017 letter", typ: ForeignerPermanentResidence, in: "USA11008001010A", field: FieldIDNumber, reason: ReasonCharset},
		{name: "foreigner length", typ: ForeignerPermanentResidence, in: "USA1100800101", field: FieldIDNumber, reason: ReasonLength},
		{name: "unknown type", typ: "DRIVING_LICENCE", in: "12345678", field: FieldIDType, reason: ReasonUnknown},
		{name: "empty type", typ: "", in: "12345678", field: FieldIDType, reason: ReasonUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ValidateID(tt.typ, tt.in)
			if tt.reason != "" {
				wantInvalid(t, err, tt.field, tt.reason, "")
				if got != "" {
					t.Errorf("got %q with an error, want empty", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ValidateID(%s, %q) = %q, %v; want %q", tt.typ, tt.in, got, err, tt.want)
			}
		})
	}
}

func TestIDTypesValid(t *testing.T) {
	t.Parallel()
	for _, typ := range IDTypes() {
		if !typ.Valid() {
			t.Errorf("%s not valid", typ)
		}
	}
	if IDType("resident_id_card").Valid() {
		t.Error("lower-case type accepted")
	}
}

// R7.2: ID numbers are shown masked.
func TestMaskID_R7_2(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"440524188001010014", "4405**********0014"},
		{"11010519491231002X", "1101**********002X"},
		{"USA110080010101", "USA1*******0101"},
		{"E12345678", "E*******8"},
		{"12345678", "1******8"},
		{"abc", "a*c"},
		{"ab", "**"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
