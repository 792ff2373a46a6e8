package fake

import (
	"bytes"
	"creditwater/wechat/wxerr"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

type menuButton struct {
	Type       string       `json:"type"`
	Name       string       `json:"name"`
	Key        string       `json:"key"`
	URL        string       `json:"url"`
	AppID      string       `json:"appid"`
	PagePath   string       `json:"pagepath"`
	SubButtons []menuButton `json:"sub_button"`
}

// menuCreate accepts a custom menu after WeChat's structural checks and
// keeps its body for LastMenu.
func (s *Server) menuCreate(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var in struct {
		Button []menuButton `json:"button"`
	}
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil {
		writeErr(w, wxerr.InvalidArgs, "data format error")
		return
	}
	if code := checkButtons(in.Button, true); code != 0 {
		writeErr(w, code, "invalid menu")
		return
	}
	s.mu.Lock()
	s.menu = body
	s.mu.Unlock()
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// checkButtons applies WeChat's menu rules; it returns 0 or an errcode.
func checkButtons(bs []menuButton, top bool) int {
	maxButtons, maxName, sizeErr := 5, 60, wxerr.InvalidSubButtonSize
	if top {
		maxButtons, maxName, sizeErr = 3, 16, wxerr.InvalidButtonSize
	}
	if len(bs) == 0 || len(bs) > maxButtons {
		return sizeErr
	}
	for _, b := range bs {
		switch {
		case b.Name == "" || len(b.Name) > maxName:
			return wxerr.InvalidButtonNameSize
		case len(b.SubButtons) > 0:
			if !top {
				return wxerr.InvalidButtonType
			}
			if code := checkButtons(b.SubButtons, false); code != 0 {
				return code
			}
		case b.Type == "click" && b.Key != "", b.Type == "view" && b.URL != "":
		case b.Type == "miniprogram":
			if b.AppID == "" || b.URL == "" {
				return wxerr.InvalidArgs
			}
			if b.PagePath == "" {
				return wxerr.InvalidPagePath
			}
		default:
			return wxerr.InvalidButtonType
		}
	}
	return 0
}

// LastMenu returns the JSON body of the last menu menu/create accepted, or
// nil.
func (s *Server) LastMenu() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.menu)
}

// OACallback builds the requests WeChat sends to an official account's
// server endpoint, signed with Token and, for safe mode, encrypted with
// AESKey (the 43-character EncodingAESKey) for AppID. Its crypto is written
// here independently of the SDK, so tests cross-check the server's.
type OACallback struct {
	Token  string
	AESKey string
	AppID  string
	// Timestamp is the Unix time the requests carry; 0 means now.
	Timestamp int64
}

// NewAESKey returns a random EncodingAESKey (43 characters of base64).
func NewAESKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return strings.TrimSuffix(base64.StdEncoding.EncodeToString(b), "=")
}

// Verification returns the query string of WeChat's server verification
// GET (signature, timestamp, nonce, echostr); the server must answer echostr.
func (c OACallback) Verification(echostr string) string {
	q := c.signedQuery()
	q.Set("echostr", echostr)
	return q.Encode()
}

// Plain returns the query string of a plain-mode push (signature, timestamp,
// nonce); the body is the message XML itself.
func (c OACallback) Plain() string { return c.signedQuery().Encode() }

// Encrypted returns the query string (signature, timestamp, nonce,
// encrypt_type=aes, msg_signature) and body of a safe-mode push of msgXML.
func (c OACallback) Encrypted(msgXML string) (query string, body []byte, err error) {
	key, err := decodeAESKey(c.AESKey)
	if err != nil {
		return "", nil, err
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	ct, err := encryptMsg(key, random, []byte(msgXML), c.AppID)
	if err != nil {
		return "", nil, err
	}
	q := c.signedQuery()
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", signature(c.Token, q.Get("timestamp"), q.Get("nonce"), ct))
	body, err = xml.Marshal(struct {
		XMLName    xml.Name `xml:"xml"`
		ToUserName string   `xml:"ToUserName"`
		Encrypt    string   `xml:"Encrypt"`
	}{ToUserName: "gh_fake", Encrypt: ct})
	return q.Encode(), body, err
}

// OpenReply checks the MsgSignature of a safe-mode reply and returns the
// decrypted reply XML. It fails when the signature, the padding or the app ID
// is wrong.
func (c OACallback) OpenReply(body []byte) (string, error) {
	var env struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		return "", fmt.Errorf("reply is not an encrypted envelope: %w", err)
	}
	if env.Encrypt == "" || env.TimeStamp == "" || env.Nonce == "" {
		return "", errors.New("reply envelope lacks Encrypt, TimeStamp or Nonce")
	}
	want := signature(c.Token, env.TimeStamp, env.Nonce, env.Encrypt)
	if subtle.ConstantTimeCompare([]byte(env.MsgSignature), []byte(want)) != 1 {
		return "", errors.New("reply MsgSignature is wrong")
	}
	key, err := decodeAESKey(c.AESKey)
	if err != nil {
		return "", err
	}
	msg, appID, err := decryptMsg(key, env.Encrypt)
	if err != nil {
		return "", err
	}
	if appID != c.AppID {
		return "", fmt.Errorf("reply is for app %q, want %q", appID, c.AppID)
	}
	return string(msg), nil
}

func (c OACallback) signedQuery() url.Values {
	at := c.Timestamp
	if at == 0 {
		at = time.Now().Unix()
	}
	ts := strconv.FormatInt(at, 10)
	n, _ := rand.Int(rand.Reader, big.NewInt(1e10))
	nonce := fmt.Sprintf("%010d", n) // ten random digits, like WeChat's
	q := url.Values{}
	q.Set("signature", signature(c.Token, ts, nonce))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	return q
}

// EventXML returns the XML of an event push (MsgType event), e.g.
// EventXML("gh_1", "o-user", "CLICK", "HELP", 1700000000).
func EventXML(toUser, fromUser, event, eventKey string, createTime int64) string {
	return fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event>"+
		"<EventKey><![CDATA[%s]]></EventKey></xml>", toUser, fromUser, createTime, event, eventKey)
}

// TextXML returns the XML of a text message push.
func TextXML(toUser, fromUser, content string, msgID, createTime int64) string {
	return fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content>"+
		"<MsgId>%d</MsgId></xml>", toUser, fromUser, createTime, content, msgID)
}

// signature is WeChat's callback signature: the SHA-1 (hex) of the sorted,
// concatenated values.
func signature(values ...string) string {
	v := append([]string(nil), values...)
	sort.Strings(v)
	sum := sha1.Sum([]byte(strings.Join(v, "")))
	return hex.EncodeToString(sum[:])
}

func decodeAESKey(k string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(k + "=")
	if err != nil || len(k) != 43 || len(key) != 32 {
		return nil, errors.New("EncodingAESKey 须为 43 位 base64 字符")
	}
	return key, nil
}

// WeChat's message crypto: AES-256-CBC with IV key[:16] over
// random(16) | big-endian length(4) | msg | appID, PKCS#7-padded to 32 bytes,
// in base64.
const padBlock = 32

func encryptMsg(key, random, msg []byte, appID string) (string, error) {
	plain := make([]byte, 0, 20+len(msg)+len(appID)+padBlock)
	plain = append(plain, random...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, appID...)
	pad := padBlock - len(plain)%padBlock
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain), nil
}

func decryptMsg(key []byte, b64 string) (msg []byte, appID string, err error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, "", errors.New("ciphertext is malformed")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", err
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > padBlock || pad > len(plain) {
		return nil, "", errors.New("bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", errors.New("plaintext too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if n > len(plain)-20 {
		return nil, "", errors.New("bad message length")
	}
	return plain[20 : 20+n], string(plain[20+n:]), nil
}
