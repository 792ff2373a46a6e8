// Package ident checks the identifiers of subjects: the unified social
// credit code (统一社会信用代码) of an organisation and the ID numbers of a
// person (resident identity card, passports, permits and residence cards).
//
// Every check returns an *apperr.Error with code INVALID, the field at fault
// and a stable Reason sub-code (see the Reason constants), and a message that
// says exactly what is wrong (SPEC R1.2, R7.3).
package ident

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"creditwater/apperr"
)

// Reason sub-codes of the INVALID errors returned by this package.
const (
	ReasonLength    = "LENGTH"     // wrong number of characters
	ReasonCharset   = "CHARSET"    // a character outside the allowed set
	ReasonChecksum  = "CHECKSUM"   // the check character does not match
	ReasonBirthDate = "BIRTH_DATE" // positions 7–14 are not a plausible birth date
	ReasonFormat    = "FORMAT"     // the number does not have the shape of its document type
	ReasonPrefix    = "PREFIX"     // the number does not start as its document type requires
	ReasonUnknown   = "UNKNOWN"    // an unknown document type
)

// Fields named by the INVALID errors of this package.
const (
	FieldUSCC     = "uscc"
	FieldIDNumber = "idNumber"
	FieldIDType   = "idType"
)

// USCCLength is the length of a unified social credit code.
const USCCLength = 18

// usccAlphabet lists the characters of a unified social credit code in the
// order of their values 0–30 (GB 32100-2015; no I, O, S, V, Z).
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the weights of positions 1–17 (3^(i-1) mod 31).
var usccWeights = [USCCLength - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeUSCC returns s with surrounding white space removed and letters
// upper-cased, the form in which codes are validated and stored.
func NormalizeUSCC(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ValidateUSCC checks a 统一社会信用代码 against GB 32100-2015 after
// normalising it with NormalizeUSCC. It returns nil for a valid code and
// otherwise an INVALID *apperr.Error with Field "uscc" and Reason LENGTH,
// CHARSET or CHECKSUM.
func ValidateUSCC(s string) error {
	s = NormalizeUSCC(s)
	if n := utf8.RuneCountInString(s); n != USCCLength {
		return invalid(FieldUSCC, ReasonLength, "统一社会信用代码 must be %d characters, got %d", USCCLength, n)
	}
	if err := usccCharset(FieldUSCC, s); err != nil {
		return err
	}
	want, _ := USCCCheckChar(s[:USCCLength-1])
	if got := s[USCCLength-1]; got != want {
		return invalid(FieldUSCC, ReasonChecksum, "校验码应为 '%c'，实际为 '%c'", want, got)
	}
	return nil
}

// USCCCheckChar returns the check character (position 18) of the unified
// social credit code whose first 17 characters are first17 (upper case).
// It returns an INVALID *apperr.Error with Field "uscc" and Reason LENGTH or
// CHARSET when first17 is not 17 characters of the code alphabet.
func USCCCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != USCCLength-1 {
		return 0, invalid(FieldUSCC, ReasonLength, "the first part of a 统一社会信用代码 must be %d characters, got %d", USCCLength-1, n)
	}
	if err := usccCharset(FieldUSCC, first17); err != nil {
		return 0, err
	}
	sum := 0
	for i := range USCCLength - 1 {
		sum += strings.IndexByte(usccAlphabet, first17[i]) * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// usccCharset reports the first character of s outside the code alphabet.
func usccCharset(field, s string) error {
	pos := 0
	for _, r := range s {
		pos++
		if r >= utf8.RuneSelf || !strings.ContainsRune(usccAlphabet, r) {
			return invalid(field, ReasonCharset, "第 %[2]d 位的字符 %[1]s 不允许", quoteRune(r), pos)
		}
	}
	return nil
}

// quoteRune shows r in single quotes for a message, escaping control characters.
func quoteRune(r rune) string {
	if r == utf8.RuneError || r < 0x20 || r == 0x7f {
		return fmt.Sprintf("%U", r)
	}
	return "'" + string(r) + "'"
}

func invalid(field, reason, format string, args ...any) *apperr.Error {
	return apperr.InvalidField(field, format, args...).WithReason(reason)
}
