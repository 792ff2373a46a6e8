package ident

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ResidentIDLength is the length of a 居民身份证号码.
const ResidentIDLength = 18

// minBirthYear is the earliest birth year accepted in an ID number.
const minBirthYear = 1800

// residentWeights are the ISO 7064 MOD 11-2 weights of positions 1–17.
var residentWeights = [ResidentIDLength - 1]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentCheck maps Σ mod 11 to the check character.
const residentCheck = "10X98765432"

// chinaTime is the civil time of mainland China (UTC+8, no daylight saving
// since 1991), used to decide whether a birth date lies in the future.
var chinaTime = time.FixedZone("CST", 8*60*60)

// NormalizeResidentID returns s with surrounding white space removed and a
// lower-case check character x upper-cased.
func NormalizeResidentID(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ValidateResidentID checks a 居民身份证号码 against GB 11643-1999 after
// normalising it with NormalizeResidentID: 18 characters, 17 digits and a
// digit or X, a real birth date in positions 7–14 (YYYYMMDD, year ≥ 1800,
// not after today in China) and the MOD 11-2 check character. It returns nil
// for a valid number and otherwise an INVALID *apperr.Error with Field
// "idNumber" and Reason LENGTH, CHARSET, BIRTH_DATE or CHECKSUM.
func ValidateResidentID(s string) error {
	return validateMod112(NormalizeResidentID(s), "居民身份证号码", time.Now())
}

// ResidentIDCheckChar returns the check character (position 18) of the
// resident ID number whose first 17 digits are first17. It returns an
// INVALID *apperr.Error with Field "idNumber" and Reason LENGTH or CHARSET
// when first17 is not 17 digits.
func ResidentIDCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != ResidentIDLength-1 {
		return 0, invalid(FieldIDNumber, ReasonLength, "the first part of a 居民身份证号码 must be %d digits, got %d", ResidentIDLength-1, n)
	}
	if err := digitsOnly(first17, 0); err != nil {
		return 0, err
	}
	sum := 0
	for i := range ResidentIDLength - 1 {
		sum += int(first17[i]-'0') * residentWeights[i]
	}
	return residentCheck[sum%11], nil
}

// validateMod112 checks an already normalised 18-character number of the
// resident ID layout; name is the document's name for messages.
func validateMod112(s, name string, now time.Time) error {
	if n := utf8.RuneCountInString(s); n != ResidentIDLength {
		return invalid(FieldIDNumber, ReasonLength, "%s 须为 %d 个字符，实际为 %d 个", name, ResidentIDLength, n)
	}
	if err := digitsOnly(s[:ResidentIDLength-1], 0); err != nil {
		return err
	}
	if last := rune(s[ResidentIDLength-1]); last != 'X' && (last < '0' || last > '9') {
		return invalid(FieldIDNumber, ReasonCharset, "第 %[2]d 位的字符 %[1]s 不允许：最后一位须为数字或 X", quoteRune(last), ResidentIDLength)
	}
	if err := birthDate(s[6:14], now); err != nil {
		return err
	}
	want, _ := ResidentIDCheckChar(s[:ResidentIDLength-1])
	if got := s[ResidentIDLength-1]; got != want {
		return invalid(FieldIDNumber, ReasonChecksum, "校验码应为 '%c'，实际为 '%c'", want, got)
	}
	return nil
}

// birthDate checks the YYYYMMDD birth date of an ID number (8 digits).
func birthDate(ymd string, now time.Time) error {
	t, err := time.ParseInLocation("20060102", ymd, chinaTime)
	if err != nil {
		return invalid(FieldIDNumber, ReasonBirthDate, "第 7–14 位的出生日期 %s 不是真实日期", ymd)
	}
	if t.Year() < minBirthYear {
		return invalid(FieldIDNumber, ReasonBirthDate, "第 7–14 位的出生日期 %s 早于 %d 年", ymd, minBirthYear)
	}
	y, m, d := now.In(chinaTime).Date()
	if t.After(time.Date(y, m, d, 0, 0, 0, 0, chinaTime)) {
		return invalid(FieldIDNumber, ReasonBirthDate, "第 7–14 位的出生日期 %s 晚于今天", ymd)
	}
	return nil
}

// digitsOnly reports the first non-digit of s; offset is the number of
// characters before s in the whole number, for the position in the message.
func digitsOnly(s string, offset int) error {
	pos := offset
	for _, r := range s {
		pos++
		if r < '0' || r > '9' {
			return invalid(FieldIDNumber, ReasonCharset, "第 %[2]d 位的字符 %[1]s 不允许：应为数字", quoteRune(r), pos)
		}
	}
	return nil
}
