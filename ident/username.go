package ident

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// UsernameKey returns the comparison form of a staff username: surrounding
// white space trimmed, default-ignorable code points (zero-width spaces and
// joiners, soft hyphens, variation selectors, bidi marks …) removed, NFKC
// (so the ligature "ﬁ" is "fi" and full-width letters are ASCII) and case
// folded (golang.org/x/text). Two usernames are the same account exactly when
// their keys are equal: the key is what logins look up, what login limits
// count and what the unique index holds (R7.1). It never fails; a name made
// only of ignorable characters has the empty key.
func UsernameKey(username string) string {
	t := transform.Chain(runes.Remove(runes.Predicate(DefaultIgnorable)), norm.NFKC, cases.Fold(), norm.NFKC, runes.Remove(runes.Predicate(DefaultIgnorable)))
	key, _, err := transform.String(t, strings.TrimSpace(username))
	if err != nil {
		// The transformers above accept any input (invalid UTF-8 becomes
		// U+FFFD); keep the trimmed text rather than fail a lookup.
		return strings.TrimSpace(username)
	}
	return key
}

// DefaultIgnorable reports whether r is a Default_Ignorable_Code_Point of
// Unicode (DerivedCoreProperties: Other_Default_Ignorable_Code_Point, format
// characters (Cf) and variation selectors, less white space, the interlinear
// annotation characters, the Egyptian hieroglyph format controls and the
// prepended concatenation marks). Such characters render as nothing, so a
// name holding one looks like the name without it.
func DefaultIgnorable(r rune) bool {
	switch {
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	case unicode.Is(unicode.Cf, r):
		return !unicode.Is(unicode.White_Space, r) && !unicode.Is(unicode.Prepended_Concatenation_Mark, r) &&
			(r < 0xFFF9 || r > 0xFFFB) && (r < 0x13430 || r > 0x1343F)
	}
	return false
}
