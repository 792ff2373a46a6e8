// Package pii protects personal data at rest (SPEC R7.2, DESIGN "Security
// and data protection"): ID and phone numbers are sealed with AES-256-GCM,
// found again through an HMAC-SHA256 blind index, and masked for display.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"creditwater/apperr"
)

// KeySize is the length in bytes of the encryption and index keys.
const KeySize = 32

const (
	sealPrefix  = "v1:"     // version of the sealed text form
	indexPrefix = "idx:v1:" // domain separation of the blind index
	nonceSize   = 12
)

// Sealer encrypts and indexes personal data with two independent keys. It
// is safe for concurrent use.
type Sealer struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewSealer returns a Sealer using encKey for AES-256-GCM and indexKey for
// the blind index. Both keys must be KeySize bytes and differ from each
// other; otherwise it returns an INVALID *apperr.Error with Field "encKey"
// or "indexKey".
func NewSealer(encKey, indexKey []byte) (*Sealer, error) {
	if len(encKey) != KeySize {
		return nil, apperr.InvalidField("encKey", "加密密钥须为 %d 字节，实际为 %d 字节", KeySize, len(encKey))
	}
	if len(indexKey) != KeySize {
		return nil, apperr.InvalidField("indexKey", "索引密钥须为 %d 字节，实际为 %d 字节", KeySize, len(indexKey))
	}
	if hmac.Equal(encKey, indexKey) {
		return nil, apperr.InvalidField("indexKey", "索引密钥须与加密密钥不同")
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法初始化加密")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法初始化加密")
	}
	return &Sealer{aead: aead, indexKey: append([]byte(nil), indexKey...)}, nil
}

// Seal encrypts plain with a fresh random nonce and returns the text form
// "v1:" + base64(nonce || ciphertext || tag), whose length SealedLen gives.
// Sealing the same text twice gives different results. It returns an
// INTERNAL *apperr.Error if the system's random source fails.
func (s *Sealer) Seal(plain string) (string, error) {
	buf := make([]byte, nonceSize, nonceSize+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法加密个人信息")
	}
	buf = s.aead.Seal(buf, buf[:nonceSize], []byte(plain), []byte(sealPrefix))
	return sealPrefix + base64.StdEncoding.EncodeToString(buf), nil
}

// Open decrypts a value made by Seal. It returns an INTERNAL *apperr.Error
// when the value has an unknown version, is not valid base64, or fails
// authentication (tampered, truncated or sealed with another key).
func (s *Sealer) Open(sealed string) (string, error) {
	body, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", apperr.New(apperr.Internal, "加密的个人信息格式未知")
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "加密的个人信息已损坏")
	}
	if len(raw) < nonceSize+s.aead.Overhead() {
		return "", apperr.New(apperr.Internal, "加密的个人信息已损坏")
	}
	plain, err := s.aead.Open(nil, raw[:nonceSize], raw[nonceSize:], []byte(sealPrefix))
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "加密的个人信息无法解密")
	}
	return string(plain), nil
}

// BlindIndex returns the lowercase hex HMAC-SHA256 (64 characters) of plain
// under the index key, for equality look-ups of sealed values. Callers must
// normalise plain first (e.g. with ident.ValidateID) so that equal numbers
// give equal indexes.
func (s *Sealer) BlindIndex(plain string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte(indexPrefix))
	m.Write([]byte(plain))
	return hex.EncodeToString(m.Sum(nil))
}

// SealedLen returns the length of Seal's output for a plain text of n bytes,
// to size database columns (an 18-character ID number seals to 64).
func SealedLen(n int) int {
	return len(sealPrefix) + base64.StdEncoding.EncodedLen(nonceSize+n+16)
}

// MaskPhone hides the middle of a phone number for display: 11-digit mobile
// numbers become 138****5678; any number of 11 or more characters keeps its
// first 3 and last 4, shorter ones of 3 or more their first and last
// character, and anything shorter is masked entirely.
func MaskPhone(s string) string {
	r := []rune(strings.TrimSpace(s))
	head, tail := 0, 0
	switch {
	case len(r) >= 11:
		head, tail = 3, 4
	case len(r) >= 3:
		head, tail = 1, 1
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

// MaskName hides a person's name for public display: the surname and, for
// names of three or more characters, the last character stay (林*强,
// 欧阳**明); a two-character name keeps its first (林*).
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
