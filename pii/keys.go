package pii

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"creditwater/apperr"
)

// MasterKeySize is the length in bytes of a development key file's key.
const MasterKeySize = 64

// HKDF info strings; changing them changes every derived key.
const (
	encInfo   = "creditwater pii encryption v1"
	indexInfo = "creditwater pii blind index v1"
)

// ParseKey decodes a KeySize-byte key given as hex (64 characters) or as
// base64 (standard or URL alphabet, padded or not), as set in production
// configuration. It returns an INVALID *apperr.Error with Field "key" for
// anything else; the message never repeats the key.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, apperr.InvalidField("key", "密钥须为 %d 字节（hex 或 base64 写法）", KeySize)
}

// DeriveKeys derives independent encryption and index keys (KeySize bytes
// each) from a master key of at least KeySize bytes with HKDF-SHA256. It
// returns an INVALID *apperr.Error with Field "key" for a shorter master.
func DeriveKeys(master []byte) (encKey, indexKey []byte, err error) {
	if len(master) < KeySize {
		return nil, nil, apperr.InvalidField("key", "主密钥至少 %d 字节，实际为 %d 字节", KeySize, len(master))
	}
	encKey, err = hkdf.Key(sha256.New, master, nil, encInfo, KeySize)
	if err != nil {
		return nil, nil, apperr.Wrap(err, apperr.Internal, "无法派生密钥")
	}
	indexKey, err = hkdf.Key(sha256.New, master, nil, indexInfo, KeySize)
	if err != nil {
		return nil, nil, apperr.Wrap(err, apperr.Internal, "无法派生密钥")
	}
	return encKey, indexKey, nil
}

// NewSealerFromMaster returns a Sealer whose keys DeriveKeys derives from
// master. It returns the errors of DeriveKeys.
func NewSealerFromMaster(master []byte) (*Sealer, error) {
	enc, idx, err := DeriveKeys(master)
	if err != nil {
		return nil, err
	}
	return NewSealer(enc, idx)
}

// LoadOrCreateKeyFile returns the MasterKeySize-byte master key stored as
// hex in the file at path, creating the file (mode 0600, its directory 0700)
// with a fresh random key if it does not exist. Concurrent callers on one
// machine get the same key: the file appears atomically, fully written.
// It is meant for development; production sets keys through ParseKey.
// Derive the working keys with DeriveKeys or NewSealerFromMaster.
// It returns an INTERNAL *apperr.Error when the file cannot be read or
// written, and INVALID with Field "keyFile" when it does not hold a key.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := createKeyFile(path); err != nil {
		return nil, err
	}
	return readKeyFile(path)
}

func readKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取个人信息密钥文件")
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != MasterKeySize {
		return nil, apperr.InvalidField("keyFile", "个人信息密钥文件 %s 须以 hex 写法保存 %d 字节", path, MasterKeySize)
	}
	return key, nil
}

// createKeyFile writes a new key to a temporary file and links it to path,
// which fails if another process got there first; that is fine.
func createKeyFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法创建个人信息密钥文件所在目录")
	}
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法生成个人信息密钥")
	}
	tmp, err := os.CreateTemp(dir, ".pii-key-*")
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法写入个人信息密钥文件")
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600.
	_, werr := tmp.WriteString(hex.EncodeToString(key) + "\n")
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法写入个人信息密钥文件")
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return apperr.Wrap(err, apperr.Internal, "无法写入个人信息密钥文件")
	}
	return nil
}
