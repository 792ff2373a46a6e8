package creditplatform

import "creditwater/ident"

// ValidUSCC reports whether s is an 18-character unified social credit code
// in upper case (the wire format's canonical form) whose last character is
// the GB 32100-2015 check character. The checksum is package ident's.
func ValidUSCC(s string) bool {
	return s == ident.NormalizeUSCC(s) && ident.ValidateUSCC(s) == nil
}
