package creditplatform

import "strings"

// usccAlphabet is the GB 32100-2015 code alphabet (no I, O, S, V, Z); a
// character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidUSCC reports whether s is an 18-character unified social credit code
// in upper case whose last character is the GB 32100-2015 check character.
func ValidUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	c, ok := USCCCheckChar(s[:17])
	return ok && s[17] == c
}

// USCCCheckChar returns the GB 32100-2015 check character of the first 17
// characters of a unified social credit code, and false when s is not 17
// characters of the code alphabet.
func USCCCheckChar(s string) (byte, bool) {
	if len(s) != 17 {
		return 0, false
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(usccAlphabet, s[i])
		if v < 0 {
			return 0, false
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], true
}
