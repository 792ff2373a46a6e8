package pii

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"creditwater/apperr"
)

func testSealer(t *testing.T) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// R7.2: personal data is encrypted at rest and comes back unchanged.
func TestSealOpenRoundTrip_R7_2(t *testing.T) {
	t.Parallel()
	s := testSealer(t)
	for _, plain := range []string{"440524188001010014", "13812345678", "", "张三 11010519491231002X"} {
		sealed, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "v1:") {
			t.Errorf("sealed %q lacks version prefix", sealed)
		}
		if plain != "" && strings.Contains(sealed, plain) {
			t.Errorf("sealed %q contains the plain text", sealed)
		}
		if len(sealed) != SealedLen(len(plain)) {
			t.Errorf("len(sealed) = %d, SealedLen = %d", len(sealed), SealedLen(len(plain)))
		}
		got, err := s.Open(sealed)
		if err != nil || got != plain {
			t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
	}
}

// R7.2: equal texts seal differently but share one blind index.
func TestSealRandomisedBlindIndexStable_R7_2(t *testing.T) {
	t.Parallel()
	s := testSealer(t)
	a, _ := s.Seal("440524188001010014")
	b, _ := s.Seal("440524188001010014")
	if a == b {
		t.Error("two seals of the same text are equal")
	}
	ia, ib := s.BlindIndex("440524188001010014"), s.BlindIndex("440524188001010014")
	if ia != ib || len(ia) != 64 {
		t.Errorf("blind indexes %q, %q: want equal 64-char hex", ia, ib)
	}
	if ia == s.BlindIndex("440524188001010015") {
		t.Error("different texts share a blind index")
	}
	if strings.Contains(ia, "440524188001010014") {
		t.Error("blind index contains the plain text")
	}
	other, err := NewSealer(bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{3}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	if other.BlindIndex("440524188001010014") == ia {
		t.Error("blind index does not depend on the index key")
	}
}

// R7.2: a tampered, truncated or foreign value is refused.
func TestOpenRejectsTampering_R7_2(t *testing.T) {
	t.Parallel()
	s := testSealer(t)
	sealed, err := s.Seal("13812345678")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return "v1:" + base64.StdEncoding.EncodeToString(b)
	}
	other, _ := NewSealer(bytes.Repeat([]byte{9}, KeySize), bytes.Repeat([]byte{2}, KeySize))
	foreign, _ := other.Seal("13812345678")
	tests := map[string]string{
		"nonce bit":      flip(0),
		"ciphertext bit": flip(nonceSize + 1),
		"tag bit":        flip(len(raw) - 1),
		"truncated":      "v1:" + base64.StdEncoding.EncodeToString(raw[:len(raw)-1]),
		"too short":      "v1:" + base64.StdEncoding.EncodeToString(raw[:nonceSize]),
		"no version":     strings.TrimPrefix(sealed, "v1:"),
		"other version":  "v2:" + strings.TrimPrefix(sealed, "v1:"),
		"bad base64":     "v1:!!!!",
		"other key":      foreign,
		"plain":          "13812345678",
	}
	for name, in := range tests {
		got, err := s.Open(in)
		if err == nil || got != "" {
			t.Errorf("%s: Open = %q, %v; want error", name, got, err)
			continue
		}
		if !apperr.Is(err, apperr.Internal) {
			t.Errorf("%s: code %s, want INTERNAL", name, apperr.CodeOf(err))
		}
	}
}

func TestNewSealerKeyLength(t *testing.T) {
	t.Parallel()
	k := bytes.Repeat([]byte{1}, KeySize)
	k2 := bytes.Repeat([]byte{2}, KeySize)
	tests := []struct {
		name      string
		enc, idx  []byte
		wantField string
	}{
		{"enc short", k[:16], k2, "encKey"},
		{"enc long", append(bytes.Clone(k), 0), k2, "encKey"},
		{"enc nil", nil, k2, "encKey"},
		{"idx short", k, k2[:31], "indexKey"},
		{"same keys", k, k, "indexKey"},
	}
	for _, tt := range tests {
		s, err := NewSealer(tt.enc, tt.idx)
		e := apperr.As(err)
		if s != nil || e == nil || e.Code != apperr.Invalid || e.Field != tt.wantField {
			t.Errorf("%s: NewSealer = %v, %v; want INVALID field %s", tt.name, s, err, tt.wantField)
		}
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i*7 + 250)
	}
	valid := []string{
		hex.EncodeToString(key),
		strings.ToUpper(hex.EncodeToString(key)),
		base64.StdEncoding.EncodeToString(key),
		" " + base64.RawStdEncoding.EncodeToString(key) + "\n",
		base64.URLEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key),
	}
	for _, s := range valid {
		got, err := ParseKey(s)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	invalid := []string{
		"",
		hex.EncodeToString(key[:31]),
		base64.StdEncoding.EncodeToString(key[:16]),
		base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 1)),
		"not a key at all",
	}
	for _, s := range invalid {
		got, err := ParseKey(s)
		e := apperr.As(err)
		if got != nil || e == nil || e.Code != apperr.Invalid {
			t.Errorf("ParseKey(%q) = %x, %v; want INVALID", s, got, err)
			continue
		}
		if s != "" && strings.Contains(e.Error(), s) {
			t.Errorf("error %q repeats the key", e.Error())
		}
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "pii.key")
	// Concurrent first starts agree on one key.
	const n = 8
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateKeyFile(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(keys[i]) != MasterKeySize || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("key %d = %x, want %x", i, keys[i], keys[0])
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %v, want 0600", perm)
	}
	again, err := LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Errorf("reload = %x, %v; want the same key", again, err)
	}
	other, err := LoadOrCreateKeyFile(filepath.Join(t.TempDir(), "pii.key"))
	if err != nil || bytes.Equal(other, keys[0]) {
		t.Errorf("a new file gave %x, %v; want a different key", other, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only the key file", len(entries))
	}

	bad := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(bad, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeyFile(bad); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("malformed key file: %v, want INVALID", err)
	}
}

func TestDeriveKeys(t *testing.T) {
	t.Parallel()
	master := bytes.Repeat([]byte{7}, MasterKeySize)
	enc, idx, err := DeriveKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != KeySize || len(idx) != KeySize || bytes.Equal(enc, idx) || bytes.Equal(enc, master[:KeySize]) {
		t.Errorf("derived keys %x, %x not independent 32-byte keys", enc, idx)
	}
	enc2, idx2, _ := DeriveKeys(master)
	if !bytes.Equal(enc, enc2) || !bytes.Equal(idx, idx2) {
		t.Error("derivation is not deterministic")
	}
	if _, _, err := DeriveKeys(master[:31]); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("short master: %v, want INVALID", err)
	}
	s, err := NewSealerFromMaster(master)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := s.Seal("x")
	if got, err := s.Open(sealed); err != nil || got != "x" {
		t.Errorf("round trip through master sealer: %q, %v", got, err)
	}
}

// R7.2: phone numbers are shown masked.
func TestMaskPhone_R7_2(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{" 13812345678 ", "138****5678"},
		{"+8613812345678", "+86*******5678"},
		{"07512345678", "075****5678"},
		{"12345678", "1******8"},
		{"0751123456", "0********6"},
		{"1234567", "1*****7"},
		{"123", "1*3"},
		{"12", "**"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
