package ident

import (
	"strings"
	"time"
	"unicode/utf8"
)

// IDType is the kind of identity document a person presents.
type IDType string

// The identity documents accepted for a person.
const (
	// ResidentIDCard is the mainland 居民身份证 (GB 11643-1999).
	ResidentIDCard IDType = "RESIDENT_ID_CARD"
	// Passport is a passport of any country.
	Passport IDType = "PASSPORT"
	// HKMacaoPermit is the 港澳居民来往内地通行证.
	HKMacaoPermit IDType = "HK_MACAO_PERMIT"
	// TaiwanPermit is the 台湾居民来往大陆通行证.
	TaiwanPermit IDType = "TAIWAN_PERMIT"
	// HMTResidencePermit is the 港澳台居民居住证 (resident ID layout with
	// prefix 810000, 820000 or 830000).
	HMTResidencePermit IDType = "HMT_RESIDENCE_PERMIT"
	// ForeignerPermanentResidence is the 外国人永久居留身份证 (2023 format:
	// 18 characters starting with 9; 2017 format: 3 letters and 12 digits).
	ForeignerPermanentResidence IDType = "FOREIGNER_PERMANENT_RESIDENCE"
)

// IDTypes lists every known IDType.
func IDTypes() []IDType {
	return []IDType{ResidentIDCard, Passport, HKMacaoPermit, TaiwanPermit, HMTResidencePermit, ForeignerPermanentResidence}
}

// Valid reports whether t is a known IDType.
func (t IDType) Valid() bool {
	switch t {
	case ResidentIDCard, Passport, HKMacaoPermit, TaiwanPermit, HMTResidencePermit, ForeignerPermanentResidence:
		return true
	}
	return false
}

// ValidateID normalises number (trimmed, upper-cased) and checks it against
// the format of document type t. It returns the normalised number, or an
// INVALID *apperr.Error: Field "idType" with Reason UNKNOWN for an unknown t,
// or Field "idNumber" with Reason LENGTH, CHARSET, FORMAT, PREFIX,
// BIRTH_DATE or CHECKSUM.
//
// Resident ID numbers, residence permits of Hong Kong, Macao and Taiwan
// residents and 2023-format permanent residence cards carry a birth date and
// a MOD 11-2 check character and are checked fully; passports and travel
// permits are checked for their shape only.
func ValidateID(t IDType, number string) (string, error) {
	return validateID(t, number, time.Now())
}

func validateID(t IDType, number string, now time.Time) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(number))
	var err error
	switch t {
	case ResidentIDCard:
		err = validateMod112(s, "居民身份证号码", now)
	case HMTResidencePermit:
		err = validateHMTResidence(s, now)
	case ForeignerPermanentResidence:
		err = validateForeignerPR(s, now)
	case Passport:
		err = validatePassport(s)
	case HKMacaoPermit:
		err = validateHKMacaoPermit(s)
	case TaiwanPermit:
		err = validateTaiwanPermit(s)
	default:
		return "", invalid(FieldIDType, ReasonUnknown, "未知的证件类型 %q", string(t))
	}
	if err != nil {
		return "", err
	}
	return s, nil
}

// hmtPrefixes are the leading six digits of a 港澳台居民居住证 number.
var hmtPrefixes = []string{"810000", "820000", "830000"}

func validateHMTResidence(s string, now time.Time) error {
	const name = "港澳台居民居住证号码"
	if err := validateMod112(s, name, now); err != nil {
		return err
	}
	for _, p := range hmtPrefixes {
		if strings.HasPrefix(s, p) {
			return nil
		}
	}
	return invalid(FieldIDNumber, ReasonPrefix, "%s 须以 810000、820000 或 830000 开头，实际为 %s", name, s[:6])
}

func validateForeignerPR(s string, now time.Time) error {
	const name = "外国人永久居留身份证号码"
	switch utf8.RuneCountInString(s) {
	case ResidentIDLength: // 2023 format
		if s[0] != '9' {
			return invalid(FieldIDNumber, ReasonPrefix, "18 位的%s须以 9 开头，实际为 %s", name, quoteRune(firstRune(s)))
		}
		return validateMod112(s, name, now)
	case 15: // 2017 format: nationality letters, then digits
		pos := 0
		for _, r := range s {
			pos++
			if pos > 3 {
				break
			}
			if r < 'A' || r > 'Z' {
				return invalid(FieldIDNumber, ReasonCharset, "第 %[2]d 位的字符 %[1]s 不允许：应为字母", quoteRune(r), pos)
			}
		}
		return digitsOnly(s[3:], 3)
	default:
		return invalid(FieldIDNumber, ReasonLength, "%s 须为 18 个字符（2017 年版为 15 个），实际为 %d 个", name, utf8.RuneCountInString(s))
	}
}

func validatePassport(s string) error {
	n := utf8.RuneCountInString(s)
	if n < 5 || n > 17 {
		return invalid(FieldIDNumber, ReasonLength, "护照号码须为 5 至 17 个字符，实际为 %d 个", n)
	}
	pos := 0
	for _, r := range s {
		pos++
		if !isAlnum(r) {
			return invalid(FieldIDNumber, ReasonCharset, "第 %[2]d 位的字符 %[1]s 不允许：应为字母或数字", quoteRune(r), pos)
		}
	}
	return nil
}

func validateHKMacaoPermit(s string) error {
	const name = "港澳居民来往内地通行证号码"
	n := utf8.RuneCountInString(s)
	if n != 9 && n != 11 {
		return invalid(FieldIDNumber, ReasonLength, "%s 须为 H 或 M 加 8 或 10 位数字（共 9 或 11 个字符），实际为 %d 个字符", name, n)
	}
	if s[0] != 'H' && s[0] != 'M' {
		return invalid(FieldIDNumber, ReasonPrefix, "%s 须以 H 或 M 开头，实际为 %s", name, quoteRune(firstRune(s)))
	}
	return digitsOnly(s[1:], 1)
}

func validateTaiwanPermit(s string) error {
	const name = "台湾居民来往大陆通行证号码"
	n := utf8.RuneCountInString(s)
	if n != 8 && n != 10 {
		return invalid(FieldIDNumber, ReasonLength, "%s 须为 8 位数字（旧版本式为 10 位），实际为 %d 个字符", name, n)
	}
	return digitsOnly(s, 0)
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isAlnum(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z')
}

// MaskID hides the middle of an ID number for display: numbers of 15 or more
// characters keep their first 4 and last 4 (4405**********0014), shorter
// numbers of 3 or more keep their first and last character, and anything
// shorter is masked entirely. White space around s is removed first.
func MaskID(s string) string {
	r := []rune(strings.TrimSpace(s))
	keep := 0
	switch {
	case len(r) >= 15:
		keep = 4
	case len(r) >= 3:
		keep = 1
	}
	return string(r[:keep]) + strings.Repeat("*", len(r)-2*keep) + string(r[len(r)-keep:])
}

// Label is the Chinese name of a document type, as printed on forms.
func (t IDType) Label() string {
	switch t {
	case ResidentIDCard:
		return "居民身份证"
	case Passport:
		return "护照"
	case HKMacaoPermit:
		return "港澳居民来往内地通行证"
	case TaiwanPermit:
		return "台湾居民来往大陆通行证"
	case HMTResidencePermit:
		return "港澳台居民居住证"
	case ForeignerPermanentResidence:
		return "外国人永久居留身份证"
	}
	return string(t)
}
