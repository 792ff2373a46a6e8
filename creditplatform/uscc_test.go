package creditplatform_test

import (
	"testing"

	cp "creditwater/creditplatform"
)

func TestValidUSCC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"914403001922038216", true},
		{"9144030071526726XG", true},
		{"91440204MA4W3C2K90", true},
		{"914403001922038217", false},  // wrong check character
		{"9144030071526726XH", false},  // wrong check character
		{"9144030071526726xg", false},  // lower case
		{"91440300192203821", false},   // 17 characters
		{"9144030019220382166", false}, // 19 characters
		{"91440300192203821I", false},  // I is not in the alphabet
		{"9144030O1922038216", false},  // O is not in the alphabet
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := cp.ValidUSCC(tt.in); got != tt.want {
				t.Errorf("ValidUSCC(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
