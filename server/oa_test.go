package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"creditwater/config"
	"creditwater/wechat/fake"
)

func postRaw(t *testing.T, url string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// R6.4: the official account's endpoint verifies WeChat's signature, answers
// an encrypted CLICK with the menu's text, and handles a repeated delivery
// once.
func TestOfficialAccountEndpoint_R6_4(t *testing.T) {
	env := testEnv(t)
	cb := fake.OACallback{Token: "oa-test-token", AESKey: fake.NewAESKey(), AppID: "wx00000000000000b2"}
	env["CW_OA_TOKEN"], env["CW_OA_AES_KEY"] = cb.Token, cb.AESKey
	h := newHarness(t, env)
	url := h.ts.URL + "/wechat/oa?"

	if code, body := get(t, url+cb.Verification("echo-123")); code != 200 || body != "echo-123" {
		t.Errorf("signed GET: %d %q", code, body)
	}
	bad := strings.Replace(cb.Verification("echo-123"), "signature=", "signature=0", 1)
	if code, body := get(t, url+bad); code != 403 || strings.Contains(body, "echo-123") {
		t.Errorf("bad signature: %d %q", code, body)
	}

	click := fake.EventXML("gh_creditwater", "openid-visitor", "CLICK", "HELP", time.Now().Unix())
	q, body, err := cb.Encrypted(click)
	if err != nil {
		t.Fatal(err)
	}
	code, reply := postRaw(t, url+q, body)
	if code != 200 {
		t.Fatalf("encrypted CLICK: %d %s", code, reply)
	}
	plain, err := cb.OpenReply(reply)
	if err != nil || !strings.Contains(plain, "信用") {
		t.Fatalf("reply: %v %s", err, plain)
	}
	// WeChat retries the same event: handled once, answered "success".
	q, body, _ = cb.Encrypted(click)
	if code, again := postRaw(t, url+q, body); code != 200 || string(again) != "success" {
		t.Errorf("repeated event: %d %q", code, again)
	}
	// A tampered encrypted body is refused.
	q, body, _ = cb.Encrypted(click)
	body = bytes.Replace(body, []byte("<Encrypt>"), []byte("<Encrypt>AAAA"), 1)
	if code, _ := postRaw(t, url+q, body); code != 403 && code != 400 {
		t.Errorf("tampered body: %d", code)
	}
}

// R6.4: through the real handler, /wechat/oa refuses a 2010 timestamp, a
// plain push when an AES key is set, and (in plain mode) a captured
// signature sent with another body.
func TestOfficialAccountCallbackHardening_R6_4(t *testing.T) {
	click := func(key string) string {
		return fake.EventXML("gh_creditwater", "openid-visitor", "CLICK", key, time.Now().Unix())
	}

	t.Run("safe mode", func(t *testing.T) {
		env := testEnv(t)
		cb := fake.OACallback{Token: "oa-test-token", AESKey: fake.NewAESKey(), AppID: "wx00000000000000b2"}
		env["CW_OA_TOKEN"], env["CW_OA_AES_KEY"] = cb.Token, cb.AESKey
		h := newHarness(t, env)
		url := h.ts.URL + "/wechat/oa?"

		old := cb
		old.Timestamp = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		q, body, err := old.Encrypted(click("HELP"))
		if err != nil {
			t.Fatal(err)
		}
		if code, reply := postRaw(t, url+q, body); code != 403 || string(reply) != "timestamp out of window" {
			t.Errorf("2010 push: %d %q", code, reply)
		}
		if code, reply := get(t, url+old.Verification("echo-2010")); code != 403 || strings.Contains(reply, "echo-2010") {
			t.Errorf("2010 verification: %d %q", code, reply)
		}
		if code, reply := postRaw(t, url+cb.Plain(), []byte(click("HELP"))); code != 403 || string(reply) != "plain mode not accepted" {
			t.Errorf("plain push with an AES key: %d %q", code, reply)
		}
		q, body, _ = cb.Encrypted(click("HELP"))
		if code, reply := postRaw(t, url+q, body); code != 200 || string(reply) == "success" {
			t.Fatalf("current encrypted push: %d %q", code, reply)
		}
		_, other, _ := cb.Encrypted(click("APPLY"))
		if code, _ := postRaw(t, url+q, other); code != 403 {
			t.Errorf("captured query with another ciphertext: %d", code)
		}
	})

	t.Run("plain mode", func(t *testing.T) {
		env := testEnv(t)
		cb := fake.OACallback{Token: "oa-test-token"}
		env["CW_OA_TOKEN"] = cb.Token
		h := newHarness(t, env)
		url := h.ts.URL + "/wechat/oa?"
		q := cb.Plain()
		if code, reply := postRaw(t, url+q, []byte(click("HELP"))); code != 200 || !strings.Contains(string(reply), "信用") {
			t.Fatalf("plain push: %d %q", code, reply)
		}
		forged := fake.TextXML("gh_creditwater", "openid-victim", "伪造", 4242, time.Now().Unix())
		if code, reply := postRaw(t, url+q, []byte(forged)); code != 403 || string(reply) != "replayed signature" {
			t.Errorf("captured signature with another body: %d %q", code, reply)
		}
	})
}

// R6.4: on the embedded defaults /wechat/oa answers (signed with the demo
// token), so the official account's flow can be tried on `go run .`.
func TestOfficialAccountDemoToken_R6_4(t *testing.T) {
	env := testEnv(t)
	delete(env, "CW_OA_TOKEN")
	h := newHarness(t, env)
	cb := fake.OACallback{Token: config.DemoOAToken, AppID: "wx00000000000000b2"}
	if code, body := get(t, h.ts.URL+"/wechat/oa?"+cb.Verification("echo-demo")); code != 200 || body != "echo-demo" {
		t.Errorf("signed GET with the demo token: %d %q", code, body)
	}
}
