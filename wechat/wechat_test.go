package wechat

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"creditwater/apperr"
)

func TestNew(t *testing.T) {
	e := newEnv(t)
	cache := NewTokenCache(e.rdb, e.prefix)
	tests := []struct {
		name      string
		cfg       Config
		cache     *TokenCache
		wantField string
		timeout   time.Duration
	}{
		{name: "real WeChat", cfg: Config{AppID: "wx1", AppSecret: "s"}, cache: cache, timeout: DefaultTimeout},
		{name: "fake without secret", cfg: Config{AppID: "wx1", BaseURL: e.fake.URL(), Timeout: time.Second}, cache: cache, timeout: time.Second},
		{name: "no app ID", cfg: Config{AppSecret: "s"}, cache: cache, wantField: "AppID"},
		{name: "no secret for real WeChat", cfg: Config{AppID: "wx1"}, cache: cache, wantField: "AppSecret"},
		{name: "no cache", cfg: Config{AppID: "wx1", AppSecret: "s"}, wantField: "cache"},
		{name: "relative base URL", cfg: Config{AppID: "wx1", AppSecret: "s", BaseURL: "localhost:8080"}, cache: cache, wantField: "BaseURL"},
		{name: "ftp base URL", cfg: Config{AppID: "wx1", AppSecret: "s", BaseURL: "ftp://example.com"}, cache: cache, wantField: "BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg, tt.cache, nil)
			if wantFieldError(t, err, tt.wantField) {
				return
			}
			if util.DefaultHTTPClient != c.http || c.http == http.DefaultClient {
				t.Errorf("New did not install its own HTTP client as the SDK's global")
			}
			if c.http.Timeout != tt.timeout {
				t.Errorf("timeout = %v, want %v", c.http.Timeout, tt.timeout)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRewriteTransport(t *testing.T) {
	tests := []struct {
		name, base, in, want string
	}{
		{name: "WeChat to fake", base: "http://127.0.0.1:9000", in: "https://api.weixin.qq.com/sns/jscode2session?appid=a&js_code=c", want: "http://127.0.0.1:9000/sns/jscode2session?appid=a&js_code=c"},
		{name: "keeps a path prefix", base: "http://fake.local/wx/", in: "https://api.weixin.qq.com/cgi-bin/stable_token", want: "http://fake.local/wx/cgi-bin/stable_token"},
		{name: "explicit port is WeChat too", base: "http://fake.local", in: "https://api.weixin.qq.com:443/cgi-bin/token", want: "http://fake.local/cgi-bin/token"},
		{name: "other hosts pass", base: "http://fake.local", in: "https://qyapi.weixin.qq.com/cgi-bin/gettoken", want: "https://qyapi.weixin.qq.com/cgi-bin/gettoken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := url.Parse(tt.base)
			var got *http.Request
			rt := RewriteTransport(base, roundTripFunc(func(r *http.Request) (*http.Response, error) {
				got = r
				return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}"))}, nil
			}))
			req, _ := http.NewRequest(http.MethodGet, tt.in, nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got.URL.String() != tt.want {
				t.Errorf("sent to %s, want %s", got.URL, tt.want)
			}
			if req.URL.String() != tt.in {
				t.Errorf("original request changed to %s", req.URL)
			}
		})
	}
}

func TestTimeoutIsUnavailable(t *testing.T) {
	tests := []struct {
		name string
		call func(t *testing.T, e *env) error
	}{
		{name: "login", call: func(t *testing.T, e *env) error { _, err := e.client.Code2Session(ctx(t), "c1"); return err }},
		{name: "token fetch", call: func(t *testing.T, e *env) error {
			return e.client.SendSubscribeMessage(ctx(t), SubscribeMessage{ToUser: "o", TemplateID: "t", Data: map[string]string{"k": "v"}})
		}},
		{name: "face query with cached token", call: func(t *testing.T, e *env) error {
			e.fake.SetLatency(0)
			if _, err := e.client.accessToken(ctx(t)); err != nil {
				t.Fatalf("warm-up: %v", err)
			}
			e.fake.SetLatency(10 * time.Second)
			_, err := e.client.QueryFaceVerification(ctx(t), FaceQuery{VerifyID: "v", OutSeqNo: "seq-00001", CertName: "n", CertNo: "1", OpenID: "o"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.Timeout = 100 * time.Millisecond })
			e.fake.SetLatency(10 * time.Second)
			err := tt.call(t, e)
			wantCode(t, err, apperr.Unavailable)
			if !strings.Contains(e.logs.String(), "timeout=true") {
				t.Errorf("log does not record the timeout:\n%s", e.logs)
			}
		})
	}
}

// Errors and logs never carry the app secret, the login code, the access
// token or the session key (DESIGN: never log SDK error texts raw).
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	const jsCode = "js-code-must-not-leak-91"
	msg := SubscribeMessage{ToUser: "o", TemplateID: "t", Data: map[string]string{"k": "v"}}
	tests := []struct {
		name     string
		timeout  time.Duration
		call     func(t *testing.T, e *env) error
		wantLogs string
	}{
		{name: "login timeout", timeout: 100 * time.Millisecond, call: func(t *testing.T, e *env) error {
			e.fake.SetLatency(10 * time.Second)
			_, err := e.client.Code2Session(ctx(t), jsCode)
			return err
		}},
		{name: "login HTTP 502", call: func(t *testing.T, e *env) error {
			e.fake.FailNextStatus("/sns/jscode2session", 502)
			_, err := e.client.Code2Session(ctx(t), jsCode)
			return err
		}, wantLogs: "status=502"},
		{name: "login invalid code", call: func(t *testing.T, e *env) error {
			_, err := e.client.Code2Session(ctx(t), jsCode)
			return err
		}, wantLogs: "errcode=40029"},
		{name: "phone HTTP 500 through the SDK", call: func(t *testing.T, e *env) error {
			e.fake.FailNextStatus("/wxa/business/getuserphonenumber", 500)
			_, err := e.client.PhoneNumber(ctx(t), jsCode)
			return err
		}, wantLogs: "status=500"},
		{name: "phone timeout through the SDK", timeout: 100 * time.Millisecond, call: func(t *testing.T, e *env) error {
			if _, err := e.client.accessToken(ctx(t)); err != nil {
				t.Fatalf("warm-up: %v", err)
			}
			e.fake.SetLatency(10 * time.Second)
			_, err := e.client.PhoneNumber(ctx(t), jsCode)
			return err
		}, wantLogs: "timeout=true"},
		{name: "send timeout", timeout: 100 * time.Millisecond, call: func(t *testing.T, e *env) error {
			if _, err := e.client.accessToken(ctx(t)); err != nil {
				t.Fatalf("warm-up: %v", err)
			}
			e.fake.SetLatency(10 * time.Second)
			return e.client.SendSubscribeMessage(ctx(t), msg)
		}, wantLogs: "timeout=true"},
		{name: "wrong secret", call: func(t *testing.T, e *env) error {
			e.fake.SetCredentials(testAppID, "the-right-one")
			return e.client.SendSubscribeMessage(ctx(t), msg)
		}, wantLogs: "errcode=40125"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) {
				if tt.timeout > 0 {
					c.Timeout = tt.timeout
				}
			})
			err := tt.call(t, e)
			if err == nil {
				t.Fatal("want an error")
			}
			logs := e.logs.String()
			secrets := []string{testSecret, jsCode}
			if tok := e.fake.AccessToken(); tok != "" {
				secrets = append(secrets, tok)
			}
			texts := []string{fmt.Sprintf("%+v", err), logs}
			for e := error(err); e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error())
			}
			for _, text := range texts {
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Errorf("%q leaked into %q", s, text)
					}
				}
			}
			if !strings.Contains(logs, tt.wantLogs) {
				t.Errorf("logs lack %q:\n%s", tt.wantLogs, logs)
			}
		})
	}
}

func TestSecretsMaskedInDescriptions(t *testing.T) {
	cfg := Config{AppID: "wx1", AppSecret: testSecret}
	s := Session{OpenID: "o-1", SessionKey: "session-key-must-not-leak"}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "cfg", cfg, "session", s)
	for _, text := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v", s), logs.String()} {
		if strings.Contains(text, testSecret) || strings.Contains(text, s.SessionKey) {
			t.Errorf("secret in %q", text)
		}
		if !strings.Contains(text, "wx1") && !strings.Contains(text, "o-1") {
			t.Errorf("description lost the identifiers: %q", text)
		}
	}
}
