package fake

import (
	"bytes"
	"creditwater/wechat/wxerr"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

func TestMenuCreate(t *testing.T) {
	const path = "/cgi-bin/menu/create"
	mp := map[string]any{"type": "miniprogram", "name": "办水", "appid": "wx1", "pagepath": "pages/apply/index", "url": "https://mp.weixin.qq.com"}
	click := map[string]any{"type": "click", "name": "指南", "key": "HELP"}
	tests := []struct {
		name    string
		token   bool
		buttons []any
		want    int
	}{
		{name: "accepted", token: true, buttons: []any{mp, map[string]any{"name": "服务", "sub_button": []any{mp, click}}}},
		{name: "no token", buttons: []any{mp}, want: wxerr.MissingAccessToken},
		{name: "no buttons", token: true, buttons: []any{}, want: wxerr.InvalidButtonSize},
		{name: "four buttons", token: true, buttons: []any{click, click, click, click}, want: wxerr.InvalidButtonSize},
		{name: "six sub-buttons", token: true, buttons: []any{map[string]any{"name": "服务", "sub_button": []any{mp, mp, mp, mp, mp, mp}}}, want: wxerr.InvalidSubButtonSize},
		{name: "long name", token: true, buttons: []any{map[string]any{"type": "click", "name": "我的信用报告", "key": "K"}}, want: wxerr.InvalidButtonNameSize},
		{name: "no pagepath", token: true, buttons: []any{map[string]any{"type": "miniprogram", "name": "办水", "appid": "wx1", "url": "https://mp.weixin.qq.com"}}, want: wxerr.InvalidPagePath},
		{name: "bad type", token: true, buttons: []any{map[string]any{"type": "nope", "name": "x"}}, want: wxerr.InvalidButtonType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			token := ""
			if tt.token {
				token = stable(t, s, false)
			}
			m := post(t, s, path, token, map[string]any{"button": tt.buttons})
			if got := errcode(m); got != tt.want {
				t.Fatalf("errcode = %d (%v), want %d", got, m, tt.want)
			}
			last := s.LastMenu()
			if tt.want != 0 {
				if last != nil {
					t.Errorf("LastMenu = %s after a rejected menu", last)
				}
				return
			}
			if !bytes.Contains(last, []byte(`"pagepath":"pages/apply/index"`)) {
				t.Errorf("LastMenu = %s", last)
			}
		})
	}
}

// The fake's crypto agrees with the SDK's in both directions.
func TestOACallbackCrypto(t *testing.T) {
	c := OACallback{Token: "tok", AESKey: NewAESKey(), AppID: "wxapp0000000001"}
	msg := EventXML("gh_1", "o-1", "CLICK", "HELP", 1700000000)

	q, body, err := c.Encrypted(msg)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := url.ParseQuery(q)
	var env struct {
		Encrypt string `xml:"Encrypt"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if got := util.Signature(c.Token, v.Get("timestamp"), v.Get("nonce"), env.Encrypt); got != v.Get("msg_signature") || v.Get("encrypt_type") != "aes" {
		t.Errorf("msg_signature = %q, SDK computes %q", v.Get("msg_signature"), got)
	}
	if got := util.Signature(c.Token, v.Get("timestamp"), v.Get("nonce")); got != v.Get("signature") {
		t.Errorf("signature = %q, SDK computes %q", v.Get("signature"), got)
	}
	_, plain, err := util.DecryptMsg(c.AppID, env.Encrypt, c.AESKey)
	if err != nil || string(plain) != msg {
		t.Fatalf("SDK decrypts %q, %v; want %q", plain, err, msg)
	}

	// An SDK-encrypted reply opens with OpenReply, and only with the right
	// signature, key and app ID.
	reply := []byte("<xml><Content><![CDATA[好]]></Content></xml>")
	ct, err := util.EncryptMsg([]byte("0123456789abcdef"), reply, c.AppID, c.AESKey)
	if err != nil {
		t.Fatal(err)
	}
	envelope := func(sig string) []byte {
		return []byte("<xml><Encrypt>" + string(ct) + "</Encrypt><MsgSignature>" + sig + "</MsgSignature><TimeStamp>1</TimeStamp><Nonce>n</Nonce></xml>")
	}
	good := envelope(util.Signature(c.Token, "1", "n", string(ct)))
	if got, err := c.OpenReply(good); err != nil || got != string(reply) {
		t.Errorf("OpenReply = %q, %v; want %q", got, err, reply)
	}
	tests := []struct {
		name string
		cb   OACallback
		body []byte
		want string
	}{
		{name: "bad signature", cb: c, body: envelope(strings.Repeat("0", 40)), want: "MsgSignature"},
		{name: "other key", cb: OACallback{Token: c.Token, AESKey: NewAESKey(), AppID: c.AppID}, body: good, want: ""},
		{name: "other app", cb: OACallback{Token: c.Token, AESKey: c.AESKey, AppID: "wxother"}, body: good, want: "app"},
		{name: "not XML", cb: c, body: []byte("success"), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.cb.OpenReply(tt.body); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenReply err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestOACallbackVerification(t *testing.T) {
	c := OACallback{Token: "tok"}
	v, _ := url.ParseQuery(c.Verification("e1"))
	if v.Get("echostr") != "e1" || v.Get("signature") != util.Signature("tok", v.Get("timestamp"), v.Get("nonce")) {
		t.Errorf("verification query = %v", v)
	}
	if _, _, err := (OACallback{Token: "tok", AESKey: "short"}).Encrypted("<xml/>"); err == nil {
		t.Errorf("Encrypted accepted a malformed AES key")
	}
}
